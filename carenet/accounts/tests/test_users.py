"""The users page: who sees which accounts, what they may change, and that every change is
audited. A provincial officer manages the staff of their province and nothing else."""

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from carenet.accounts.models import AreaAssignment, Role, User
from carenet.accounts.tests.factories import PASSWORD, AreaAssignmentFactory, UserFactory
from carenet.areas.models import Area, Level
from carenet.core.models import AuditEvent
from conftest import login

pytestmark = pytest.mark.django_db

GOOD = "ชุมพร-ดูแลกัน-2569"
USERS = reverse("accounts:users")


def page_of(user):
    return reverse("accounts:user", args=[user.pk])


def staff(area_tree, username, *grants):
    """An account holding (role, area code or None) grants."""
    user = UserFactory(username=username)
    for role, code in grants:
        AreaAssignmentFactory(user=user, role=role, area=area_tree[code] if code else None)
    return user


def listed(response):
    return {u.username for u in response.context["page"].object_list}


def audited(action, user):
    return AuditEvent.objects.filter(action=action, target_id=str(user.pk))


# --- who sees which accounts ------------------------------------------------------------------


def test_anonymous_is_sent_to_sign_in(client, personas):
    for url in (USERS, page_of(personas["volunteer_a"]), reverse("accounts:user_create")):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("persona", ["district_coordinator_a", "auditor", "volunteer_a"])
def test_those_who_do_not_manage_users_are_refused(client, personas, persona):
    login(client, persona)
    assert client.get(USERS).status_code == 403
    assert (
        client.post(reverse("accounts:user_switch", args=[personas["volunteer_b"].pk])).status_code
        == 403
    )
    assert personas["volunteer_b"].__class__.objects.get(username="volunteer_b").is_active


def test_a_national_admin_lists_every_account(client, personas):
    login(client, "national_admin")
    assert listed(client.get(USERS)) == set(personas)


def test_a_provincial_officer_lists_the_accounts_of_their_province_only(
    client, personas, area_tree
):
    staff(area_tree, "surat_coordinator", (Role.CENTRE_COORDINATOR, "8401"))
    login(client, "province_officer")
    assert listed(client.get(USERS)) == {
        "province_officer",
        "district_coordinator_a",
        "district_coordinator_b",
        "volunteer_a",
        "volunteer_b",
    }


@pytest.mark.parametrize("other", ["auditor", "national_admin", "surat_coordinator"])
def test_a_provincial_officer_cannot_open_another_province_or_a_national_account(
    client, personas, area_tree, other
):
    staff(area_tree, "surat_coordinator", (Role.CENTRE_COORDINATOR, "8401"))
    target = User.objects.get(username=other)
    login(client, "province_officer")
    assert client.get(page_of(target)).status_code == 404
    assert (
        client.post(reverse("accounts:user_switch", args=[target.pk]), {"on": "0"}).status_code
        == 404
    )
    assert (
        client.post(
            reverse("accounts:user_name", args=[target.pk]), {"first_name": "x"}
        ).status_code
        == 404
    )
    target.refresh_from_db()
    assert target.is_active and target.first_name != "x"


def test_an_account_with_a_role_in_another_province_is_shown_but_not_changed(
    client, personas, area_tree
):
    both = staff(
        area_tree,
        "two_provinces",
        (Role.CENTRE_COORDINATOR, "8601"),
        (Role.CENTRE_COORDINATOR, "8401"),
    )
    login(client, "province_officer")
    page = client.get(page_of(both))
    assert page.status_code == 200 and page.context["refused"]
    assert [a.area_id for a in page.context["account"].roles_shown] == ["8601"]  # not 8401's
    response = client.post(
        reverse("accounts:user_switch", args=[both.pk]), {"on": "0"}, follow=True
    )
    assert (
        "outside the province" in response.content.decode()
        or "นอกจังหวัด" in response.content.decode()
    )
    both.refresh_from_db()
    assert both.is_active and not audited("user.switch_off", both).exists()


def test_the_list_filters_by_name_role_area_and_state(client, personas, area_tree):
    named = staff(area_tree, "somsri", (Role.CENTRE_COORDINATOR, "860201"))
    named.first_name, named.is_active = "สมศรี", False
    named.save()
    login(client, "province_officer")
    assert listed(client.get(USERS, {"q": "สมศรี"})) == {"somsri"}
    assert listed(client.get(USERS, {"q": "SOMSRI"})) == {"somsri"}
    assert listed(client.get(USERS, {"role": "volunteer"})) == {"volunteer_a", "volunteer_b"}
    assert listed(client.get(USERS, {"area": "8602"})) == {
        "district_coordinator_b",
        "volunteer_b",
        "somsri",
    }
    assert listed(client.get(USERS, {"state": "off"})) == {"somsri"}
    assert listed(client.get(USERS, {"area": "84"})) == set()  # not theirs: nothing, no error


@pytest.mark.parametrize(
    "query", [{"area": "ชุมพร"}, {"role": "king"}, {"state": "x"}, {"page": "-1"}, {"q": "x" * 500}]
)
def test_bad_filters_never_fail(client, personas, query):
    login(client, "province_officer")
    assert client.get(USERS, query).status_code == 200


def test_the_list_shows_who_is_locked_out_now(client, personas):
    lock(personas["volunteer_a"].username)
    AccessAttempt.objects.create(  # an old lockout, over by now
        username="volunteer_b",
        ip_address="10.0.0.2",
        user_agent="x",
        failures_since_start=settings.AXES_FAILURE_LIMIT,
        get_data="",
        post_data="",
    )
    AccessAttempt.objects.filter(username="volunteer_b").update(
        attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME * 2
    )
    login(client, "national_admin")
    assert listed(client.get(USERS, {"state": "locked"})) == {"volunteer_a"}


def test_the_list_keeps_its_number_of_queries(
    client, personas, area_tree, django_assert_max_num_queries
):
    login(client, "province_officer")
    client.get(USERS)  # warm the session
    with django_assert_max_num_queries(12) as few:
        client.get(USERS)
    for n in range(30):
        staff(
            area_tree,
            f"coordinator{n}",
            (Role.CENTRE_COORDINATOR, "8601"),
            (Role.VOLUNTEER, "860101"),
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(USERS)
    assert len(response.context["page"].object_list) == 25


# --- creating an account ----------------------------------------------------------------------


def create(client, **changes):
    data = {
        "username": "somchai",
        "first_name": "สมชาย",
        "last_name": "ใจดี",
        "password1": GOOD,
        "password2": GOOD,
        "role": "coordinator",
        "area": "8601",
    }
    return client.post(reverse("accounts:user_create"), {**data, **changes})


def test_a_provincial_officer_creates_a_coordinator_of_their_province(client, personas):
    login(client, "province_officer")
    response = create(client)
    user = User.objects.get(username="somchai")
    assert response.status_code == 302 and response["Location"] == page_of(user)
    assert user.check_password(GOOD) and user.get_full_name() == "สมชาย ใจดี"
    assert list(user.assignments.values_list("role", "area_id")) == [("coordinator", "8601")]
    created = audited("user.create", user).get()
    assert created.actor == personas["province_officer"]
    assert created.area_code == "8601" and created.details == {"username": "somchai"}
    assert audited("assignment.grant", user).get().area_code == "8601"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"role": "national_admin", "area": ""}, "role"),
        ({"role": "auditor", "area": ""}, "role"),
        ({"role": "auditor", "area": "86"}, "role"),
        ({"area": "8401"}, "role"),
        ({"area": ""}, "role"),
        ({"role": "volunteer", "area": "860101"}, "role"),
        ({"area": "99"}, "area"),
        ({"area": "\u200b\u200b"}, "area"),  # invisible marks only: a name cleaned to nothing
        ({"password2": GOOD + "x"}, "password2"),
        ({"password1": "1234567890123", "password2": "1234567890123"}, "password1"),
        ({"password1": "somchai-ใจดี", "password2": "somchai-ใจดี"}, "password1"),
        ({"username": "volunteer_a"}, "username"),
        ({"username": "two words"}, "username"),
    ],
)
def test_a_refused_account_is_not_created_and_the_form_says_why(client, personas, changes, field):
    login(client, "province_officer")
    before = User.objects.count()
    response = create(client, **changes)
    assert response.status_code == 400
    assert response.context["form"].errors[field]
    assert User.objects.count() == before


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("ต.ท่าตะเภา", "860101"),
        ("ท่าตะเภา", "860101"),
        ("ตำบลปากน้ำ", "860102"),
        ("Tha Taphao", "860101"),
        ("อ.เมืองชุมพร", "8601"),
        ("อำเภอท่าแซะ", "8602"),  # the district, not ต.ท่าแซะ: the prefix says which
        ("ต.ท่าแซะ", "860201"),
        ("๘๖๐๑", "8601"),
        ("86-01-01", "860101"),
        ("ต.ปากน้ำ อ.เมืองชุมพร", "860102"),  # as the choices of a shared name list it
        ("ปากน้ำ ชุมพร", "860102"),
        ("860201 ต.ท่าแซะ อ.ท่าแซะ จ.ชุมพร", "860201"),  # a line of those choices copied
        ("อ.เมือง", "8601"),  # the capital district of the officer's own province
    ],
)
def test_the_area_is_a_code_or_a_name(client, personas, typed, code):
    login(client, "province_officer")
    response = create(client, area=typed)
    assert response.status_code == 302
    user = User.objects.get(username="somchai")
    assert list(user.assignments.values_list("area_id", flat=True)) == [code]


def test_a_name_several_areas_share_lists_them_to_choose(client, personas):
    login(client, "province_officer")
    response = create(client, area="ท่าแซะ")
    assert response.status_code == 400
    [error] = response.context["form"].errors["area"]
    assert "8602 อ.ท่าแซะ จ.ชุมพร" in error and "860201 ต.ท่าแซะ อ.ท่าแซะ จ.ชุมพร" in error
    assert not User.objects.filter(username="somchai").exists()


def test_a_long_name_is_read_whole_and_quoted_whole(client, personas):
    """The box once stopped at 8 characters and quoted the cut name."""
    login(client, "province_officer")
    page = client.get(reverse("accounts:user_create"))
    assert 'maxlength="8"' not in page.text
    response = create(client, area="ต.บางริ้นริมทะเลใหญ่")
    assert response.status_code == 400
    assert "ต.บางริ้นริมทะเลใหญ่" in response.context["form"].errors["area"][0]


def test_a_name_inside_ones_own_province_is_preferred(client, personas, area_tree):
    """Subdistrict names repeat across provinces; an officer means the one in their own."""
    Area.objects.create(
        code="840102", level=Level.SUBDISTRICT, name_th="ท่าตะเภา", parent=area_tree["8401"]
    )
    login(client, "province_officer")
    assert create(client, area="ท่าตะเภา").status_code == 302
    user = User.objects.get(username="somchai")
    assert list(user.assignments.values_list("area_id", flat=True)) == ["860101"]


def test_the_help_gives_examples_from_the_officers_own_area(client, personas, area_tree):
    login(client, "province_officer")
    help_text = client.get(reverse("accounts:user_create")).context["form"].fields["area"].help_text
    assert "86 จ.ชุมพร" in help_text and "8601 อ.เมืองชุมพร" in help_text
    assert "860101 ต.ท่าตะเภา" in help_text
    surat = staff(area_tree, "surat_officer", (Role.PROVINCIAL_OFFICER, "84"))
    client.force_login(surat)
    help_text = client.get(reverse("accounts:user_create")).context["form"].fields["area"].help_text
    assert "84 " in help_text and "840101" in help_text and "86" not in help_text


def test_a_national_admin_creates_an_auditor(client, personas):
    login(client, "national_admin")
    assert create(client, role="auditor", area="").status_code == 302
    assert User.objects.get(username="somchai").assignments.get().role == "auditor"


# --- roles --------------------------------------------------------------------------------------


def test_giving_and_removing_a_role_is_audited(client, personas, area_tree):
    target = personas["district_coordinator_b"]
    login(client, "province_officer")
    give = client.post(
        reverse("accounts:user_role_add", args=[target.pk]), {"role": "coordinator", "area": "8601"}
    )
    assert give.status_code == 302
    assert audited("assignment.grant", target).get().details == {
        "role": "coordinator",
        "area": "8601",
    }
    old = target.assignments.get(area_id="8602")
    remove = client.post(reverse("accounts:user_role_remove", args=[target.pk, old.pk]))
    assert remove.status_code == 302
    assert list(target.assignments.values_list("area_id", flat=True)) == ["8601"]
    assert audited("assignment.revoke", target).get().actor == personas["province_officer"]


def test_a_provincial_officer_cannot_make_a_national_admin(client, personas):
    target = personas["district_coordinator_a"]
    login(client, "province_officer")
    response = client.post(
        reverse("accounts:user_role_add", args=[target.pk]), {"role": "national_admin", "area": ""}
    )
    assert response.status_code == 400 and response.context["role_form"].errors["role"]
    assert not target.assignments.filter(role="national_admin").exists()


def test_nobody_removes_an_accounts_last_role(client, personas):
    target = personas["district_coordinator_a"]
    login(client, "province_officer")
    only = target.assignments.get()
    response = client.post(
        reverse("accounts:user_role_remove", args=[target.pk, only.pk]), follow=True
    )
    assert response.status_code == 200
    assert [str(m) for m in response.context["messages"]]  # the reason
    assert target.assignments.exists() and not audited("assignment.revoke", target).exists()


def test_a_manager_cannot_remove_the_role_that_lets_them_manage(client, personas, area_tree):
    me = personas["province_officer"]
    AreaAssignmentFactory(user=me, role=Role.CENTRE_COORDINATOR, area=area_tree["8601"])
    mine = me.assignments.get(role=Role.PROVINCIAL_OFFICER)
    login(client, "province_officer")
    client.post(reverse("accounts:user_role_remove", args=[me.pk, mine.pk]))
    assert AreaAssignment.objects.filter(pk=mine.pk).exists()
    coordinator = me.assignments.get(role=Role.CENTRE_COORDINATOR)
    client.post(reverse("accounts:user_role_remove", args=[me.pk, coordinator.pk]))
    assert not AreaAssignment.objects.filter(pk=coordinator.pk).exists()  # that one may go


def test_a_role_of_someone_else_cannot_be_removed_through_another_account(client, personas):
    other = personas["district_coordinator_b"].assignments.get()
    login(client, "province_officer")
    url = reverse(
        "accounts:user_role_remove", args=[personas["district_coordinator_a"].pk, other.pk]
    )
    assert client.post(url).status_code == 404
    assert AreaAssignment.objects.filter(pk=other.pk).exists()


# --- switching off and on -----------------------------------------------------------------------


def test_switching_off_ends_the_sessions_and_is_audited(client, personas):
    target = personas["district_coordinator_a"]
    theirs = Client()
    theirs.force_login(target)
    login(client, "province_officer")
    client.post(reverse("accounts:user_switch", args=[target.pk]), {"on": "0"})
    target.refresh_from_db()
    assert not target.is_active
    assert theirs.get(reverse("reports:home")).status_code == 302  # signed out
    assert not [
        s for s in Session.objects.all() if s.get_decoded().get("_auth_user_id") == str(target.pk)
    ]
    off = audited("user.switch_off", target).get()
    assert off.area_code == "8601" and off.details["sessions_ended"] == 1
    client.post(reverse("accounts:user_switch", args=[target.pk]), {"on": "1"})
    target.refresh_from_db()
    assert target.is_active and audited("user.switch_on", target).exists()
    assert theirs.get(reverse("reports:home")).status_code == 302  # the old session stays ended


def test_nobody_switches_themselves_off(client, personas):
    login(client, "national_admin")
    me = personas["national_admin"]
    response = client.post(reverse("accounts:user_switch", args=[me.pk]), {"on": "0"}, follow=True)
    assert response.status_code == 200 and list(response.context["messages"])
    me.refresh_from_db()
    assert me.is_active and not audited("user.switch_off", me).exists()


def test_demo_logins_stay_as_they_are(client, personas):
    target = personas["district_coordinator_a"]
    User.objects.filter(pk=target.pk).update(is_demo=True)
    login(client, "national_admin")
    client.post(reverse("accounts:user_switch", args=[target.pk]), {"on": "0"})
    client.post(
        reverse("accounts:user_password", args=[target.pk]),
        {"new_password1": GOOD, "new_password2": GOOD},
    )
    target.refresh_from_db()
    assert target.is_active and target.check_password(PASSWORD)


# --- name and password --------------------------------------------------------------------------


def test_the_name_is_edited_and_audited(client, personas):
    target = personas["district_coordinator_a"]
    login(client, "province_officer")
    client.post(
        reverse("accounts:user_name", args=[target.pk]),
        {"first_name": " สมใจ ", "last_name": "รักดี"},
    )
    target.refresh_from_db()
    assert target.get_full_name() == "สมใจ รักดี"
    assert audited("user.rename", target).get().area_code == "8601"


def lock(username):
    AccessAttempt.objects.create(
        username=username,
        ip_address="10.0.0.1",
        user_agent="x",
        failures_since_start=settings.AXES_FAILURE_LIMIT,
        get_data="",
        post_data="",
    )


def test_a_new_password_lifts_the_lockout_and_is_audited(client, personas):
    target = personas["district_coordinator_a"]
    lock(target.username)
    login(client, "province_officer")
    page = client.get(page_of(target))
    assert page.context["account"].locked_out
    url = reverse("accounts:user_password", args=[target.pk])
    short = client.post(url, {"new_password1": "short", "new_password2": "short"})
    assert short.status_code == 400
    response = client.post(url, {"new_password1": GOOD, "new_password2": GOOD})
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.check_password(GOOD)
    assert not AccessAttempt.objects.filter(username=target.username).exists()
    event = audited("user.password_set", target).get()
    assert event.details == {"lockout_lifted": True} and event.area_code == "8601"


def test_ones_own_password_is_changed_on_ones_own_page(client, personas):
    me = personas["province_officer"]
    login(client, "province_officer")
    url = reverse("accounts:user_password", args=[me.pk])
    assert client.get(url).context["refused"]
    assert client.post(url, {"new_password1": GOOD, "new_password2": GOOD}).status_code == 403
    me.refresh_from_db()
    assert me.check_password(PASSWORD)


def test_the_pages_open_in_english_too(client, personas, en):
    login(client, "national_admin")
    client.cookies["carenet_language"] = "en"
    target = personas["district_coordinator_a"]
    for url in (
        USERS,
        page_of(target),
        reverse("accounts:user_create"),
        reverse("accounts:user_password", args=[target.pk]),
    ):
        assert client.get(url).status_code == 200, url


def test_the_menu_has_the_users_page_for_those_who_manage_users(client, personas):
    for persona, shown in [
        ("province_officer", True),
        ("national_admin", True),
        ("district_coordinator_a", False),
        ("auditor", False),
    ]:
        login(client, persona)
        urls = {i["url"] for i in client.get(reverse("reports:home")).context["nav_items"]}
        assert (USERS in urls) is shown, persona
        client.logout()
