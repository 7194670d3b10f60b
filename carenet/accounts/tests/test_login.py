"""Sign in and out: Argon2 hashes, failed attempts recorded, lockout after repeated failures."""

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse

from carenet.accounts.forms import SignInForm
from carenet.accounts.tests.factories import PASSWORD
from carenet.core.models import AuditEvent

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


def sign_in(client, username, password):
    return client.post(LOGIN, {"username": username, "password": password})


@pytest.mark.real_password_hashing
def test_passwords_are_hashed_with_argon2(django_user_model):
    user = django_user_model(username="hashed")
    user.set_password("long-pass-ทดสอบ")
    assert user.password.startswith("argon2$argon2id$")


def test_login_page_is_open_to_anonymous_users(client):
    response = client.get(LOGIN)
    assert response.status_code == 200
    assert b'name="username"' in response.content


def test_correct_password_signs_in_and_goes_home(client, volunteer_a):
    response = sign_in(client, "volunteer_a", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:home")
    assert client.get("/", follow=True).status_code == 200


def test_wrong_password_is_refused_and_recorded(client, volunteer_a):
    response = sign_in(client, "volunteer_a", "wrong")
    assert response.status_code == 200
    assert response.context["form"].errors
    assert AccessFailureLog.objects.filter(username="volunteer_a").count() == 1
    assert AccessAttempt.objects.get(username="volunteer_a").failures_since_start == 1


def test_a_switched_off_account_is_told_so_with_the_right_password_only(client, volunteer_a):
    """A volunteer who resigned while signed in must not keep trying until locked out."""
    volunteer_a.is_active = False
    volunteer_a.save()
    right = sign_in(client, "volunteer_a", PASSWORD)
    assert right.status_code == 200
    assert "_auth_user_id" not in client.session
    assert [e.code for e in right.context["form"].errors.as_data()["__all__"]] == ["inactive"]
    wrong = sign_in(client, "Volunteer_A", "wrong")
    assert [e.code for e in wrong.context["form"].errors.as_data()["__all__"]] == ["invalid_login"]
    # The log tells the owner's attempt from a guess, under the login as registered.
    logged = AuditEvent.objects.filter(action="user.sign_in_failed").order_by("pk")
    assert [(e.details["username"], e.details["why"]) for e in logged] == [
        ("volunteer_a", "switched_off"),
        ("volunteer_a", "password_switched_off"),
    ]


def test_repeated_failures_lock_the_account_even_with_the_right_password(client, volunteer_a):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "volunteer_a", "wrong")
    response = sign_in(client, "volunteer_a", PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert client.get("/").status_code == 302  # still signed out


def test_lockout_is_per_username_not_per_office(client, volunteer_a, volunteer_b):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "volunteer_a", "wrong")
    assert sign_in(client, "volunteer_b", PASSWORD).status_code == 302


def test_wrong_passwords_from_elsewhere_do_not_lock_the_owner_out(client, volunteer_a):
    """Anyone may type a coordinator's username: that locks it from their address only."""
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            LOGIN, {"username": "volunteer_a", "password": "wrong"}, REMOTE_ADDR="203.0.113.9"
        )
    locked = client.post(
        LOGIN, {"username": "volunteer_a", "password": PASSWORD}, REMOTE_ADDR="203.0.113.9"
    )
    assert locked.status_code == 429
    owner = client.post(
        LOGIN, {"username": "volunteer_a", "password": PASSWORD}, REMOTE_ADDR="192.0.2.10"
    )
    assert owner.status_code == 302


def test_behind_the_proxy_the_lockout_goes_by_the_forwarded_address(client, volunteer_a, settings):
    """Behind nginx every request comes from 127.0.0.1: without the forwarded address (read
    through django-ipware), five wrong passwords from anywhere locked the owner out too."""
    settings.AXES_IPWARE_PROXY_COUNT = 0  # CARENET_PROXY_COUNT=1: nginx
    settings.AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]
    nginx = {"REMOTE_ADDR": "127.0.0.1"}
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            LOGIN,
            {"username": "volunteer_a", "password": "wrong"},
            HTTP_X_FORWARDED_FOR="203.0.113.5",
            **nginx,
        )
    stranger = client.post(
        LOGIN,
        {"username": "volunteer_a", "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="203.0.113.5",
        **nginx,
    )
    assert stranger.status_code == 429
    # A client may write its own X-Forwarded-For; nginx appends the address it saw.
    forged = client.post(
        LOGIN,
        {"username": "volunteer_a", "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="198.51.100.7, 203.0.113.5",
        **nginx,
    )
    assert forged.status_code == 429
    owner = client.post(
        LOGIN,
        {"username": "volunteer_a", "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="198.51.100.7",
        **nginx,
    )
    assert owner.status_code == 302


def test_a_username_typed_with_capitals_signs_in(client, volunteer_a):
    """A phone's keyboard starts with a capital letter."""
    assert sign_in(client, "Volunteer_A", PASSWORD).status_code == 302


def test_a_page_of_text_typed_as_the_username_is_refused_not_a_500(client, volunteer_a):
    """SQLite refused the case-blind lookup of 100,000 letters (LIKE pattern too complex)."""
    form = SignInForm(data={"username": "a" * 100_000, "password": "x"})
    form.cleaned_data = {"username": "a" * 100_000}
    with pytest.raises(ValidationError):  # no account has it: refused before any lookup
        form.clean_username()
    for typed in ("a" * 100_000, "ก" * 300):  # PostgreSQL's lockout column holds 255
        response = sign_in(client, typed, "whatever")
        assert response.status_code == 200 and response.context["form"].errors


def test_the_lockout_counts_every_spelling_of_a_username(client, volunteer_a):
    for spelling in ("volunteer_a", "Volunteer_a", "VOLUNTEER_A", "volunteer_A", "vOlunteer_a"):
        sign_in(client, spelling, "wrong")
    assert sign_in(client, "VoLuNtEeR_a", PASSWORD).status_code == 429
    assert AccessAttempt.objects.get().username == "volunteer_a"


def test_a_password_typed_on_the_thai_keyboard_gets_a_hint(client, volunteer_a):
    response = sign_in(client, "volunteer_a", "ฉฟพำืำะ-กำท")  # carenet-demo, keyboard left in Thai
    errors = response.context["form"].non_field_errors()
    assert len(errors) == 2 and "แป้นพิมพ์" in errors[1]
    wrong = sign_in(client, "volunteer_a", "wrong-password")
    assert len(wrong.context["form"].non_field_errors()) == 1


def test_logout_needs_post_and_lands_on_login(client, volunteer_a):
    sign_in(client, "volunteer_a", PASSWORD)
    assert client.get("/accounts/logout/").status_code == 405
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login")
    assert "ออกจากระบบแล้ว" in client.get(response["Location"]).content.decode()
    assert client.get("/").status_code == 302
    again = client.post("/accounts/logout/", follow=True)  # signed out already: nothing to say
    assert "ออกจากระบบแล้ว" not in again.content.decode()


def test_open_redirect_after_login_is_refused(client, volunteer_a):
    response = client.post(
        LOGIN + "?next=https://evil.example/",
        {"username": "volunteer_a", "password": PASSWORD, "next": "https://evil.example/"},
    )
    assert response.status_code == 302
    assert "evil.example" not in response["Location"]


def test_a_password_sprayed_over_many_usernames_stops_the_address(client, volunteer_a, settings):
    """Four guesses at each of many usernames never locked any one of them."""
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 12
    sprayer, office = "203.0.113.7", "192.0.2.10"
    for n in range(settings.LOGIN_ADDRESS_FAILURE_LIMIT):
        client.post(LOGIN, {"username": f"user{n // 4}", "password": "x"}, REMOTE_ADDR=sprayer)
    stopped = client.post(
        LOGIN, {"username": "volunteer_a", "password": PASSWORD}, REMOTE_ADDR=sprayer
    )
    assert stopped.status_code == 429 and 'data-testid="address-locked"' in stopped.text
    assert "_auth_user_id" not in client.session
    owner = client.post(
        LOGIN, {"username": "volunteer_a", "password": PASSWORD}, REMOTE_ADDR=office
    )
    assert owner.status_code == 302
