"""A user changes their own password; the demo logins keep theirs."""

import pytest
from django.urls import reverse

from carenet.accounts.tests.factories import PASSWORD
from carenet.core.models import AuditEvent
from conftest import login

pytestmark = pytest.mark.django_db

URL = reverse("accounts:password_change")
NEW = "ต้นไม้สูงใหญ่-2569"


def change(client, old=PASSWORD, new=NEW, again=NEW):
    data = {"old_password": old, "new_password1": new, "new_password2": again}
    return client.post(URL, data)


def test_anonymous_users_are_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_every_page_links_to_it(client, volunteer_a):
    login(client, "volunteer_a")
    assert URL in client.get(reverse("reports:home"), follow=True).content.decode()


def test_a_user_changes_their_password_and_stays_signed_in(client, volunteer_a):
    login(client, "volunteer_a")
    response = change(client)
    assert response.status_code == 302
    volunteer_a.refresh_from_db()
    assert volunteer_a.check_password(NEW)
    assert client.get(URL).status_code == 200  # still signed in
    event = AuditEvent.objects.get(action="user.password_change")
    assert event.actor == volunteer_a
    assert NEW not in str(event.details) and PASSWORD not in str(event.details)


@pytest.mark.parametrize(
    ("old", "new", "again", "field"),
    [
        ("wrong", NEW, NEW, "old_password"),
        (PASSWORD, NEW, NEW + "x", "new_password2"),
        (PASSWORD, "1234567890", "1234567890", "new_password2"),  # digits only
        (PASSWORD, "short", "short", "new_password2"),
        (PASSWORD, " " * 12, " " * 12, "new_password2"),  # looks like no password at all
        (PASSWORD, "Volunteer_A2569", "Volunteer_A2569", "new_password2"),  # the username
        (PASSWORD, "carenet-demo1", "carenet-demo1", "new_password2"),  # the system's name
        (PASSWORD, "NAME 2569 ok", "NAME 2569 ok", "new_password2"),  # their own name
    ],
)
def test_a_wrong_old_password_or_a_weak_new_one_is_refused(
    client, volunteer_a, old, new, again, field
):
    login(client, "volunteer_a")
    volunteer_a.first_name = "กัญญา"
    volunteer_a.save(update_fields=["first_name"])
    new, again = new.replace("NAME", "กัญญา"), again.replace("NAME", "กัญญา")
    response = change(client, old, new, again)
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    volunteer_a.refresh_from_db()
    assert volunteer_a.check_password(PASSWORD)
    assert not AuditEvent.objects.filter(action="user.password_change").exists()


def test_a_demo_login_keeps_the_demo_password(client, volunteer_a):
    volunteer_a.is_demo = True
    volunteer_a.save(update_fields=["is_demo"])
    login(client, "volunteer_a")
    response = change(client)
    assert response.status_code == 200
    assert "บัญชีทดลอง" in str(response.context["form"].non_field_errors())
    volunteer_a.refresh_from_db()
    assert volunteer_a.check_password(PASSWORD)


# --- A password someone else chose ------------------------------------------------------------


def _chosen_by_someone_else(user):
    from carenet.accounts import services

    services.password_set(actor=None, user=user, password=NEW)
    type(user).objects.filter(pk=user.pk).update(must_change_password=True)


@pytest.mark.parametrize(
    "path",
    [reverse("reports:home"), reverse("visits:my_households"), "/households/", "/no-such-page/"],
)
def test_a_password_chosen_by_someone_else_is_changed_before_anything_else(
    client, volunteer_a, path
):
    _chosen_by_someone_else(volunteer_a)
    login(client, "volunteer_a")
    response = client.get(path)
    assert response.status_code == 302 and response["Location"] == URL
    page = client.get(URL)
    assert page.status_code == 200
    assert any("someone else" in str(m) or "ผู้อื่น" in str(m) for m in page.context["messages"])


def test_once_changed_the_login_goes_anywhere(client, volunteer_a):
    _chosen_by_someone_else(volunteer_a)
    login(client, "volunteer_a")
    assert change(client, old=NEW, new="ต้นมะพร้าวริมทะเล-2569", again="ต้นมะพร้าวริมทะเล-2569")[
        "Location"
    ] == reverse("reports:home")
    volunteer_a.refresh_from_db()
    assert not volunteer_a.must_change_password
    assert client.get(reverse("visits:my_households")).status_code == 200


def test_signing_out_still_works_before_the_change(client, volunteer_a):
    _chosen_by_someone_else(volunteer_a)
    login(client, "volunteer_a")
    assert client.post(reverse("accounts:logout"))["Location"] != URL


def test_a_centre_making_or_resetting_a_login_asks_for_a_change(personas, district_coordinator_a):
    from carenet.accounts import services

    made = services.user_create(
        actor=district_coordinator_a, username="new_volunteer", password="ต้นไม้ริมน้ำ-2569"
    )
    assert made.must_change_password
    at_terminal = services.user_create(actor=None, username="set_up", password="ต้นไม้ริมน้ำ-2569")
    assert not at_terminal.must_change_password
    services.password_set(actor=district_coordinator_a, user=at_terminal, password=NEW)
    at_terminal.refresh_from_db()
    assert at_terminal.must_change_password


def test_the_new_password_cannot_be_the_old_one(client, volunteer_a):
    _chosen_by_someone_else(volunteer_a)
    login(client, "volunteer_a")
    response = change(client, old=NEW, new=NEW, again=NEW)
    assert response.status_code == 200
    volunteer_a.refresh_from_db()
    assert volunteer_a.must_change_password
