"""What the training pages count: who confirmed apart from who attended (the report's figures),
nothing that reads as attendance before an event is held, the fiscal year's totals beside the
coverage report, and the printed report's heading."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from carenet.areas.models import Area
from carenet.core.thaidate import fiscal_year
from carenet.training import learning, selectors
from carenet.training.models import InvitationStatus
from carenet.training.tests.factories_events import (
    AttendanceFactory,
    EventFactory,
    InvitationFactory,
    SessionFactory,
    VolunteerFactory,
    centre,
)
from carenet.training.tests.factories_learning import learning_world

pytestmark = pytest.mark.django_db

YEAR = 2568  # the learning world's events: 26–27 ก.พ. 2568


@pytest.fixture
def world(personas, reference_data):
    """The learning world, completed: of four invitees (one confirmed) three attended and two
    met the 80 % rule, so two certificates."""
    world = learning_world(personas)
    learning.event_complete(actor=None, event=world.event)
    return world


def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def listed(response, event):
    return next(e for e in response.context["page"].object_list if e.pk == event.pk)


def test_the_list_says_confirmed_and_shows_the_reports_attendance(world, login_as):
    client = english(login_as("district_coordinator_a"))
    response = client.get(reverse("training:list"))
    report = learning.event_report(world.event).attendance
    shown = listed(response, world.event).attendance
    assert (shown.attended, shown.certificates) == (report.attended, report.certificates) == (3, 2)
    page = response.text
    assert "4 on the list · 4 invited · 1 confirmed" in page
    assert "will attend" not in page
    assert "<strong>3 attended</strong> at least one session · 2 certificates issued" in page


def test_the_event_page_shows_attendance_beside_the_answers(world, login_as):
    response = english(login_as("district_coordinator_a")).get(
        reverse("training:event", args=[world.event.pk])
    )
    assert 'data-testid="attended-n">3<' in response.text
    assert 'data-testid="certificates-n">2<' in response.text
    assert "will attend" not in response.text


def test_an_event_not_held_shows_no_attendance(world, login_as):
    ahead = timezone.localdate() + timedelta(days=30)
    event = EventFactory(centre=world.event.centre, title="อบรมเดือนหน้า", starts_on=ahead)
    SessionFactory(event=event)
    InvitationFactory(
        event=event,
        volunteer=VolunteerFactory(area_id="860101"),
        status=InvitationStatus.CONFIRMED,
    )
    client = english(login_as("district_coordinator_a"))
    row = listed(client.get(reverse("training:list")), event)
    assert row.attendance.checked_in == 0
    page = client.get(reverse("training:event", args=[event.pk])).text
    assert 'data-testid="attendance-counts"' not in page
    assert 'data-testid="no-attendance"' not in page
    assert "attended" not in page.lower()
    # Once its day has passed with nobody checked in, the page says so instead of "0".
    event.starts_on = event.ends_on = timezone.localdate()
    event.save()
    page = client.get(reverse("training:event", args=[event.pk])).text
    assert 'data-testid="no-attendance"' in page
    assert 'data-testid="attendance-counts"' not in page


def test_a_coordinator_counts_their_own_volunteers_on_a_province_event(world, login_as):
    event = EventFactory(centre=centre("86"), title="ประชุมจังหวัด", starts_on=world.event.starts_on)
    session = SessionFactory(event=event)
    for code in ("860101", "860102", "860201"):
        AttendanceFactory(
            session=session,
            invitation=InvitationFactory(event=event, volunteer=VolunteerFactory(area_id=code)),
        )
    counts = {}
    for persona in ("province_officer", "district_coordinator_a", "district_coordinator_b"):
        response = login_as(persona).get(reverse("training:list"))
        row = listed(response, event)
        page = login_as(persona).get(reverse("training:event", args=[event.pk]))
        assert page.context["counts"]["total"] == row.n_invitations  # the list and the page agree
        counts[persona] = (row.n_invitations, row.attendance.attended)
    assert counts == {
        "province_officer": (3, 3),
        "district_coordinator_a": (2, 2),
        "district_coordinator_b": (1, 1),
    }


# --- the fiscal year ---------------------------------------------------------------------------


def test_the_year_totals_agree_with_the_coverage_and_the_reports(world, login_as):
    response = login_as("province_officer").get(reverse("training:list") + f"?year={YEAR}")
    totals = response.context["totals"]
    coverage = selectors.coverage(area=Area.objects.get(code="86"), year=YEAR)
    certificates = sum(
        learning.event_report(e).attendance.certificates for e in (world.event, world.event_b)
    )
    assert (totals.held, totals.planned, totals.cancelled) == (1, 1, 0)
    assert totals.trained == coverage.total.trained == 3
    assert totals.certificates == certificates == 2
    assert [a.code for a in totals.areas] == ["86"]
    page = response.text
    assert 'data-testid="year-trained">3<' in page
    assert f'href="/training/coverage/86/?year={YEAR}"' in page


def test_the_year_totals_keep_to_the_users_scope(world, login_as):
    mine = login_as("district_coordinator_a").get(reverse("training:list") + f"?year={YEAR}")
    totals = mine.context["totals"]
    coverage = selectors.coverage(area=Area.objects.get(code="8601"), year=YEAR)
    assert (totals.held, totals.planned) == (1, 0)  # ท่าแซะ's event is not theirs
    assert totals.trained == coverage.total.trained == 3
    thasae = login_as("district_coordinator_b").get(reverse("training:list") + f"?year={YEAR}")
    assert thasae.context["totals"].trained == 0
    assert thasae.context["totals"].certificates == 0
    national = login_as("auditor").get(reverse("training:list") + f"?year={YEAR}")
    assert national.context["totals"].areas == []
    assert national.context["totals"].trained == 3
    # A volunteer has no area to sum up: the list sends them to their own trainings.
    volunteer = login_as("volunteer_a")
    assert volunteer.get(reverse("training:list"))["Location"] == reverse("training:my")
    volunteer.logout()
    assert volunteer.get(reverse("training:list")).status_code == 302


def test_the_list_offers_the_fiscal_years(world, login_as):
    client = login_as("province_officer")
    response = client.get(reverse("training:list"))
    current = fiscal_year(timezone.localdate())
    assert response.context["years"] == sorted({current, YEAR}, reverse=True)
    assert response.context["totals"].year == current  # no year chosen: the current one
    assert f'<option value="{YEAR}">{YEAR}</option>' in response.text
    chosen = client.get(reverse("training:list") + f"?year={YEAR}")
    assert f'<option value="{YEAR}" selected>{YEAR}</option>' in chosen.text
    assert chosen.context["page"].paginator.count == 2


@pytest.mark.parametrize("typed", ["abc", "99999", "2568.5", "-1", "๒๕๖๘x"])
def test_a_year_that_is_not_one_shows_every_year(world, login_as, typed):
    response = login_as("province_officer").get(reverse("training:list"), {"year": typed})
    assert response.status_code == 200
    assert response.context["year"] == ""
    assert response.context["page"].paginator.count == 2


def test_the_list_costs_the_same_queries_for_many_events(world, login_as):
    client = login_as("province_officer")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("training:list")).status_code == 200
        return len(captured.captured_queries)

    few = queries()
    for n in range(12):
        event = EventFactory(centre=world.event.centre, title=f"อบรม {n}")
        AttendanceFactory(
            session=SessionFactory(event=event),
            invitation=InvitationFactory(event=event, volunteer=VolunteerFactory(area_id="860101")),
        )
        learning.event_complete(actor=None, event=event)
    assert queries() == few


# --- the printed report ------------------------------------------------------------------------


def test_the_report_names_its_date_venue_and_fiscal_year(world, login_as):
    response = login_as("district_coordinator_a").get(
        reverse("training:report", args=[world.event.pk])
    )
    facts = response.text.split('data-testid="report-facts"')[1].split("</dl>")[0]
    assert "26 กุมภาพันธ์ 2568 – 27 กุมภาพันธ์ 2568" in facts
    assert "โรงแรมชุมพรคาบาน่า" in facts
    assert f"<dd>{YEAR}</dd>" in facts
    assert 'data-testid="report-certificates"' in response.text


# --- The coverage page's lists of volunteers ----------------------------------------------------


@pytest.fixture
def lists(world):
    from carenet.training.models import Competency, CompetencyGrant

    never = VolunteerFactory(area_id="860101", first_name="ไม่เคยอบรม", last_name="เลย")
    holder = VolunteerFactory(area_id="860101", first_name="มีสมรรถนะ", last_name="เด็ก")
    competency = Competency.objects.get(code="child_protection")
    CompetencyGrant.objects.create(
        volunteer=holder,
        competency=competency,
        area_id="860101",
        granted_on=timezone.localdate() - timedelta(days=1),
    )
    return {"never": never, "holder": holder, "competency": competency}


def _names(response):
    return {v.first_name for v in response.context["page"].object_list}


def test_the_coverage_page_lists_the_never_trained_and_a_competencys_holders(
    world, lists, login_as
):
    client = login_as("district_coordinator_a")
    url = reverse("training:coverage", args=["8601"])
    never = _names(client.get(url, {"list": "never"}))
    assert "ไม่เคยอบรม" in never and "มีสมรรถนะ" not in never
    assert not never & {"น้ำผึ้ง", "สมศักดิ์"}  # they attended a session
    holders = client.get(url, {"list": "child_protection"})
    assert _names(holders) == {"มีสมรรถนะ"}
    assert 'data-testid="listed-holders"' in holders.text
    assert client.get(url, {"list": "<script>"}).context["listed"] == ""  # the default list


def test_the_listed_volunteers_download_as_csv_and_the_download_is_logged(world, lists, login_as):
    import csv
    import io

    from carenet.core.models import AuditEvent

    client = login_as("district_coordinator_a")
    url = reverse("training:coverage_download", args=["8601"])
    response = client.get(url, {"list": "never", "year": YEAR})
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert any("ไม่เคยอบรม" in row[0] for row in rows[1:])
    event = AuditEvent.objects.get(action="spreadsheets.export_training_coverage")
    assert event.area_code == "8601" and event.details["list"] == "never"


@pytest.mark.parametrize(
    ("persona", "status"),
    [("district_coordinator_b", 404), ("volunteer_a", 403), (None, 302)],
)
def test_the_download_keeps_to_the_scope(world, lists, client, persona, status):
    from conftest import login

    login(client, persona)
    response = client.get(reverse("training:coverage_download", args=["8601"]))
    assert response.status_code == status
