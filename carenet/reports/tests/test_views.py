"""Home and area pages: in scope, out of scope (the same 404 as missing), anonymous."""

import pytest
from django.urls import reverse

from carenet.cases.models import CaseStatus
from carenet.cases.tests.work_helpers import waiting
from carenet.core.models import AuditEvent
from carenet.households.tests.factories import HouseholdFactory
from carenet.visits.tests.factories import ConcernFactory
from conftest import PERSONAS, login, page_body

pytestmark = pytest.mark.django_db

IN_SCOPE = {
    "national_admin": ["86", "8601", "84", "840101"],
    "auditor": ["86", "840101"],
    "province_officer": ["86", "8602", "86010101"],
    "district_coordinator_a": ["8601", "860101", "86010201"],
    "district_coordinator_b": ["8602", "86020101"],
    "volunteer_a": ["860101", "86010102"],
    "volunteer_b": ["860201"],
}
OUT_OF_SCOPE = {
    "national_admin": [],
    "auditor": [],
    "province_officer": ["84", "840101"],
    "district_coordinator_a": ["86", "8602", "860201", "84"],
    "district_coordinator_b": ["8601", "860101"],
    "volunteer_a": ["8601", "860102", "86010201"],
    "volunteer_b": ["860101", "8602"],
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_area_pages_in_scope_open(client, personas, persona):
    login(client, persona)
    for code in IN_SCOPE[persona]:
        response = client.get(reverse("reports:area", args=[code]))
        assert response.status_code == 200, code
        assert response.context["area"].code == code


@pytest.mark.parametrize("persona", PERSONAS)
def test_area_pages_out_of_scope_look_missing(client, personas, persona):
    login(client, persona)
    missing_path = reverse("reports:area", args=["99999999"])
    missing = client.get(missing_path)
    assert missing.status_code == 404
    before = AuditEvent.objects.count()
    for code in OUT_OF_SCOPE[persona]:
        path = reverse("reports:area", args=[code])
        response = client.get(path)
        assert response.status_code == 404, code
        assert page_body(response, path) == page_body(missing, missing_path)
    assert AuditEvent.objects.count() == before


@pytest.mark.parametrize("url", ["/", "/areas/", "/areas/86/", "/areas/99/"])
def test_anonymous_users_are_sent_to_login(client, area_tree, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_user_without_role_sees_home_but_no_areas(client, area_tree, django_user_model):
    client.force_login(django_user_model.objects.create_user("norole", password="x"))
    assert client.get("/").status_code == 200
    assert client.get("/areas/").status_code == 403
    assert client.get("/areas/86/").status_code == 403


@pytest.mark.parametrize(
    ("persona", "counts"),
    [
        ("national_admin", {"province": 2, "district": 3, "subdistrict": 4, "village": 4}),
        ("province_officer", {"province": 1, "district": 2, "subdistrict": 3, "village": 4}),
        ("district_coordinator_a", {"province": 0, "district": 1, "subdistrict": 2, "village": 3}),
    ],
)
def test_home_shows_scope_and_area_counts(client, personas, persona, counts):
    login(client, persona)
    response = client.get("/")
    assert response.status_code == 200
    assert response.context["counts"] == counts
    assert [g["role"] for g in response.context["grants"]] == [PERSONAS[persona].role]


@pytest.mark.parametrize("persona", ["national_admin", "auditor"])
def test_a_national_home_points_to_the_figures_of_an_area(client, personas, persona):
    """The whole country has no one table of figures: the home says where they are."""
    login(client, persona)
    page = client.get("/")
    assert page.context["registry"] is None
    choose = page.text.split('data-testid="choose-area"')[1].split("</p>")[0]
    assert reverse("reports:areas") in choose
    assert "หมู่บ้านที่นำเข้าแล้ว" in page.text  # the villages Carenet holds, not the country's


def test_a_volunteer_opens_on_their_households(client, personas):
    login(client, "volunteer_a")
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == reverse("visits:my_households")


def test_my_areas_goes_straight_to_a_single_scope(client, personas):
    login(client, "district_coordinator_a")
    response = client.get("/areas/")
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:area", args=["8601"])


def test_national_users_get_the_list_of_provinces(client, personas):
    login(client, "national_admin")
    response = client.get("/areas/")
    assert response.status_code == 200
    assert [a.code for a in response.context["areas"]] == ["84", "86"]


def test_area_page_query_count_does_not_grow_with_children(
    client, personas, area_tree, django_assert_max_num_queries
):
    from carenet.areas.models import Area, Level

    login(client, "province_officer")
    with django_assert_max_num_queries(12) as small:
        client.get("/areas/8601/")
    Area.objects.bulk_create(
        Area(code=f"8601{n:02d}", level=Level.SUBDISTRICT, name_th=f"ตำบล{n}", parent_id="8601")
        for n in range(10, 60)
    )
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get("/areas/8601/")


def test_the_home_page_opens_on_what_waits_for_the_user(client, personas, reference_data):
    """A coordinator on a phone sees the day's work first, each part linked to its page."""
    login(client, "district_coordinator_a")
    empty = client.get("/")
    assert 'data-testid="nothing-waiting"' in empty.text
    waiting(CaseStatus.DISTRICT_REVIEW, filed_by=personas["volunteer_a"])
    ConcernFactory(household=HouseholdFactory(area_id="86010101"))
    ConcernFactory(household=HouseholdFactory(area_id="86020101"))  # district B's
    found = {w.url: w.count for w in client.get("/").context["waiting"]}
    assert found == {reverse("cases:actions") + "#waiting": 1, reverse("visits:concerns"): 1}
    other = login(client, "district_coordinator_b")
    page = other.get("/")
    assert [(w.url, w.count) for w in page.context["waiting"]] == [(reverse("visits:concerns"), 1)]
    assert "เรื่องแจ้งที่ยังไม่รับทราบ" in page.text


def test_a_sensitive_concern_waits_only_for_those_who_may_handle_it(client, personas):
    """The district sees it listed but restricted: it waits for the province."""
    ConcernFactory(household=HouseholdFactory(area_id="86010101"), sensitive=True)
    login(client, "district_coordinator_a")
    assert client.get("/").context["waiting"] == []
    login(client, "province_officer")
    found = {w.url: w.count for w in client.get("/").context["waiting"]}
    assert found == {reverse("visits:concerns"): 1}


def test_the_province_sees_its_open_pdpa_requests_and_how_many_are_late(client, personas):
    from datetime import timedelta

    from django.utils import timezone

    from carenet.households.tests.factories import PersonFactory
    from carenet.privacy.models import SubjectRequest, due_date

    for days_ago, area in ((40, "86010101"), (2, "86010101"), (40, "86020101")):
        person = PersonFactory(household=HouseholdFactory(area_id=area))
        received = timezone.localdate() - timedelta(days=days_ago)
        SubjectRequest.objects.create(
            person=person, area_id=area, kind="access", received_on=received,
            due_on=due_date(received),
        )  # fmt: skip
    login(client, "province_officer")
    page = client.get("/")
    found = [(w.url, w.count, w.title) for w in page.context["waiting"]]
    assert found == [(reverse("privacy:open"), 3, found[0][2])]
    assert "2" in found[0][2]
    login(client, "district_coordinator_a")  # records requests, does not decide them
    assert client.get("/").context["waiting"] == []


def test_a_new_province_is_shown_its_order_of_work_until_it_is_done(client, personas):
    from carenet.areas.models import Area, Level
    from carenet.volunteers.tests.factories import CentreFactory, VolunteerFactory

    login(client, "province_officer")
    steps = client.get("/").context["first_steps"]
    assert [step.done for step in steps][1:] == [False, True, False, False]  # coordinators: yes
    login(client, "district_coordinator_a")  # gives no roles: not a step of theirs
    assert len(client.get("/").context["first_steps"]) == 4
    login(client, "province_officer")
    assert 'data-testid="first-steps"' in client.get("/").text
    for sub in Area.objects.filter(code__startswith="86", level=Level.SUBDISTRICT):
        if not sub.children.exists():
            Area.objects.create(
                code=f"{sub.code}01", level=Level.VILLAGE, name_th="บ้าน", parent=sub, moo=1
            )
    CentreFactory(area_id="86")
    VolunteerFactory(area_id="860101")
    HouseholdFactory(area_id="86010101")
    assert client.get("/").context["first_steps"] == []
    login(client, "auditor")  # does not run a go-live
    assert client.get("/").context["first_steps"] == []
