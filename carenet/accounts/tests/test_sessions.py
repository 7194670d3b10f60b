"""Shared office PCs: sessions end with the browser and after an idle time, and every sign-in,
sign-out and refused sign-in is in the audit log (never the password typed)."""

import re
import time

import pytest
from django.conf import settings
from django.urls import reverse

from carenet.accounts.middleware import SEEN, TOUCH_SECONDS, idle_message
from carenet.accounts.tests.factories import PASSWORD
from carenet.core.models import AuditEvent

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")
HOME = reverse("visits:my_households")


def sign_in(client, username, password=PASSWORD):
    return client.post(LOGIN, {"username": username, "password": password})


def test_the_session_cookie_ends_with_the_browser(client, volunteer_a):
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    response = sign_in(client, "volunteer_a")
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert not cookie["expires"] and not cookie["max-age"]


def test_the_idle_limit_is_an_hour_by_default():
    assert settings.CARENET_IDLE_MINUTES == 60


def _left_alone(client, minutes):
    session = client.session
    session[SEEN] = int(time.time()) - minutes * 60
    session.save()


def test_a_session_left_alone_past_the_limit_ends_on_the_sign_in_page(client, volunteer_a):
    sign_in(client, "volunteer_a")
    _left_alone(client, settings.CARENET_IDLE_MINUTES + 1)
    response = client.get("/households/")
    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN}?next=/households/"
    page = client.get(response["Location"])
    assert [str(m) for m in page.context["messages"]] == [idle_message()]
    assert idle_message() in page.content.decode()
    assert "_auth_user_id" not in client.session
    assert client.get(HOME).status_code == 302
    event = AuditEvent.objects.get(action="user.sign_out")
    assert event.actor == volunteer_a and event.details == {"idle": True}


def test_a_send_after_the_limit_is_not_taken(client, volunteer_a, area_tree):
    sign_in(client, "volunteer_a")
    _left_alone(client, settings.CARENET_IDLE_MINUTES + 1)
    response = client.post("/accounts/password/", {"old_password": PASSWORD})
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)


KEEP_NOTE = 'data-testid="keep-note"'


def test_the_sign_in_page_says_a_send_was_lost_only_after_a_send(client, volunteer_a):
    """After a page opened (GET) nothing was sent, so nothing is said to be lost; after a form
    sent (POST), the page carries the note, which form-keep.js shows when it kept the form."""
    sign_in(client, "volunteer_a")
    _left_alone(client, settings.CARENET_IDLE_MINUTES + 1)
    opened = client.get("/households/")
    assert "sent=" not in opened["Location"]
    page = client.get(opened["Location"]).content.decode()
    assert idle_message() in page and KEEP_NOTE not in page
    sign_in(client, "volunteer_a")
    _left_alone(client, settings.CARENET_IDLE_MINUTES + 1)
    sent = client.post("/accounts/password/", {"old_password": PASSWORD})
    assert sent["Location"] == f"{LOGIN}?sent=1&next=/accounts/password/"
    page = client.get(sent["Location"]).content.decode()
    assert idle_message() in page and KEEP_NOTE in page


def test_a_send_with_the_session_gone_is_told_the_same_way(client, volunteer_a):
    """A session that ended otherwise (the browser closed, the cookie cleared) is sent to sign
    in by the views' access check: the same rule."""
    assert KEEP_NOTE not in client.get(client.get("/households/")["Location"]).content.decode()
    sent = client.post("/accounts/password/", {"old_password": PASSWORD})
    assert sent["Location"] == f"{LOGIN}?sent=1&next=/accounts/password/"
    assert KEEP_NOTE in client.get(sent["Location"]).content.decode()
    assert KEEP_NOTE not in client.get(LOGIN).content.decode()


def test_signing_out_after_the_limit_signs_out_once(client, volunteer_a):
    """Not back to the sign-out address after signing in again (a GET there is refused)."""
    sign_in(client, "volunteer_a")
    _left_alone(client, settings.CARENET_IDLE_MINUTES + 1)
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302 and response["Location"] == LOGIN
    assert AuditEvent.objects.filter(action="user.sign_out").count() == 1


def test_a_session_in_use_goes_on(client, volunteer_a):
    sign_in(client, "volunteer_a")
    _left_alone(client, settings.CARENET_IDLE_MINUTES - 1)
    assert client.get(HOME).status_code == 200
    assert client.session[SEEN] >= int(time.time()) - 5  # touched: the hour starts again


def test_the_session_is_not_written_on_every_request(client, volunteer_a):
    sign_in(client, "volunteer_a")
    client.get(HOME)
    seen = int(time.time()) - TOUCH_SECONDS + 60
    session = client.session
    session[SEEN] = seen
    session.save()
    client.get(HOME)
    assert client.session[SEEN] == seen


def test_a_sign_in_and_a_sign_out_are_logged_in_the_users_province(client, volunteer_a):
    sign_in(client, "volunteer_a")
    client.post(reverse("accounts:logout"))
    events = AuditEvent.objects.order_by("id")
    assert [(e.action, e.actor, e.area_code) for e in events] == [
        ("user.sign_in", volunteer_a, "860101"),
        ("user.sign_out", volunteer_a, "860101"),
    ]
    assert events[0].target_id == str(volunteer_a.pk)


@pytest.mark.parametrize(
    ("username", "kept"),
    [
        ("volunteer_a", {"username": "volunteer_a", "why": "password"}),
        ("nobody_here", {"username": "no•••••••••"}),
    ],
)
def test_a_refused_sign_in_is_logged_without_the_password(client, volunteer_a, username, kept):
    response = sign_in(client, username, "secret-typed-wrong")
    assert response.status_code == 200
    event = AuditEvent.objects.get(action="user.sign_in_failed")
    assert event.actor is None
    assert event.details == kept
    assert "secret-typed-wrong" not in str(event.details)


def test_a_refused_sign_in_says_the_same_whether_the_login_exists(client, volunteer_a):
    def page(username):
        text = sign_in(client, username, "wrong").content.decode().replace(username, "X")
        return re.sub(r'(CSRFToken": "|name="csrfmiddlewaretoken" value=")[^"]+', "", text)

    assert page("volunteer_a") == page("nobody_here")


def test_a_refused_sign_in_of_a_login_that_does_not_exist_is_only_in_the_national_log(
    client, volunteer_a
):
    sign_in(client, "nobody_here", "wrong")
    sign_in(client, "volunteer_a", "wrong")
    unknown, known = AuditEvent.objects.order_by("id")
    assert (unknown.area_code, unknown.target_id) == ("", "")
    assert (known.area_code, known.target_id) == ("860101", str(volunteer_a.pk))


def test_the_pages_say_who_is_signed_in_to_the_scripts(client, volunteer_a):
    """form-keep.js keys and clears the PC's drafts by user."""
    assert "data-user" not in client.get(LOGIN).content.decode()
    client.force_login(volunteer_a)
    assert f'data-user="{volunteer_a.pk}"' in client.get(HOME).content.decode()


def test_the_pages_tell_idle_js_when_the_session_ends(client, volunteer_a, settings):
    """idle.js asks for a page left open again once the server has signed the session out."""
    settings.CARENET_IDLE_MINUTES = 15
    assert "data-idle" not in client.get(LOGIN).content.decode()
    client.force_login(volunteer_a)
    page = client.get(HOME).content.decode()
    assert 'data-idle="900"' in page and "js/idle" in page


def test_the_pages_tell_idle_js_the_time_the_server_has_left(client, volunteer_a, settings):
    """The server moves its idle clock on only every few minutes (a quarter of 15 here): a
    page opened 3 minutes after the last move has 3 minutes less, and idle.js warns before
    the server ends it."""
    settings.CARENET_IDLE_MINUTES = 15
    sign_in(client, "volunteer_a")
    session = client.session
    session[SEEN] = int(time.time()) - 180
    session.save()
    left = int(re.search(r'data-idle="(\d+)"', client.get(HOME).content.decode())[1])
    assert 900 - 180 - 5 <= left <= 900 - 180
    page = client.get(HOME).content.decode()
    assert 'id="idle-text"' in page and reverse("accounts:still_here") in page


def test_a_page_in_use_starts_the_idle_clock_again(client, volunteer_a):
    sign_in(client, "volunteer_a")
    _left_alone(client, 10)
    assert client.post(reverse("accounts:still_here")).status_code == 204
    assert int(time.time()) - client.session[SEEN] <= 1
    assert client.get(reverse("accounts:still_here")).status_code == 405


def test_the_idle_clock_is_not_started_again_for_a_session_already_ended(client, volunteer_a):
    sign_in(client, "volunteer_a")
    _left_alone(client, settings.CARENET_IDLE_MINUTES + 1)
    answer = client.post(reverse("accounts:still_here"))
    assert answer.status_code == 302 and LOGIN in answer["Location"]
    anonymous = client.post(reverse("accounts:still_here"))
    assert anonymous.status_code == 302


def test_a_short_idle_limit_is_moved_on_by_the_pages_a_user_opens(client, volunteer_a, settings):
    """With 2 minutes, a user opening a page every 40 seconds stays signed in: the clock moves
    on every 30 seconds (a quarter of the limit), not every TOUCH_SECONDS."""
    settings.CARENET_IDLE_MINUTES = 2
    sign_in(client, "volunteer_a")
    session = client.session
    session[SEEN] = int(time.time()) - 30  # opened a page 30 s ago
    session.save()
    client.get(HOME)
    assert int(time.time()) - client.session[SEEN] <= 1
