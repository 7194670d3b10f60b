"""The volunteer figures page: what each figure counts (edges of the period, changes taken back,
registrations, sex and age on the last day), its rows and total, its scope, its links to the
volunteer list, its constant number of queries, and its download."""

import csv
import io
from datetime import date, datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from carenet.areas.models import Area, Level
from carenet.core.models import AuditEvent
from carenet.core.periods import fiscal_year_period, month_of, month_period
from carenet.volunteers import figures
from carenet.volunteers.models import Volunteer, VolunteerStatusChange
from carenet.volunteers.tests.factories import VolunteerFactory
from conftest import login

pytestmark = pytest.mark.django_db

FY2568 = "fy=2568"  # 1 October 2024 to 30 September 2025, both days counted
TAKEN_BACK = "Taken back (recorded by mistake): ผิดคน"


def volunteer(area: str, registered: date, *changes: tuple[str, date], **fields) -> Volunteer:
    """A volunteer with their history: registered active, then each (status, date) in turn;
    ("undo", date) takes the last change back, as services.volunteer_undo_status writes it."""
    made = VolunteerFactory.create(
        area=Area.objects.get(code=area), registration_date=registered, **fields
    )
    VolunteerStatusChange.objects.create(
        volunteer=made, to_status="active", effective_date=registered, reason="Registered"
    )
    status = "active"
    before: list[str] = []
    for to_status, day in changes:
        reason = "-"
        if to_status == "undo":
            to_status, reason = before.pop(), TAKEN_BACK
        else:
            before.append(status)
        VolunteerStatusChange.objects.create(
            volunteer=made,
            from_status=status,
            to_status=to_status,
            effective_date=day,
            reason=reason,
        )
        status = to_status
    Volunteer.objects.filter(pk=made.pk).update(status=status)
    return made


@pytest.fixture
def world(area_tree, personas):
    """Volunteers of ชุมพร (two districts) and one of สุราษฎร์ธานี, around fiscal year 2568."""
    return {
        # Resigned on the first day of the year: counted; in the network at its start.
        "first_day": volunteer("860101", date(2020, 1, 1), ("resigned", date(2024, 10, 1))),
        # Inactive the day before the year (not counted), active again on its last day.
        "last_day": volunteer(
            "860101",
            date(2020, 1, 1),
            ("inactive", date(2024, 9, 30)),
            ("active", date(2025, 9, 30)),
            sex="M",
            birth_date=date(1980, 10, 1),  # 44 on 30 September 2025: a birthday a day later
        ),
        "new": volunteer("860102", date(2025, 3, 15), sex="F", birth_date=date(1995, 10, 1)),
        # Died the day after the year: still in the network at its end.
        "after": volunteer(
            "860102",
            date(2020, 1, 1),
            ("deceased", date(2025, 10, 1)),
            sex="F",
            birth_date=date(1965, 9, 30),  # 60 on the year's last day
        ),
        "registered_later": volunteer("860101", date(2025, 10, 5)),
        # Marked deceased by mistake, taken back: neither a death nor a return.
        "mistake": volunteer(
            "860201",
            date(2020, 1, 1),
            ("deceased", date(2025, 5, 1)),
            ("undo", date(2025, 5, 1)),
            sex="F",
            birth_date=None,
        ),
        "removed_and_back": volunteer(
            "860201",
            date(2020, 1, 1),
            ("removed", date(2025, 1, 10)),
            ("active", date(2025, 2, 1)),
            sex="X",
            birth_date=date(1970, 1, 1),
        ),
        "elsewhere": volunteer("840101", date(2020, 1, 1), ("resigned", date(2025, 1, 1))),
    }


def page(client, user: str, query: str = FY2568, status: int = 200):
    login(client, user)
    response = client.get(f"{reverse('volunteers:figures')}?{query}")
    assert response.status_code == status
    return response


def counts(row: figures.FigureRow) -> dict[str, int]:
    return {key: n for key, n in row.counts.items() if n}


def test_each_figure_counts_the_period_with_its_edges(client, world):
    f = page(client, "province_officer").context["f"]
    assert f.base.code == "86" and (f.period.first, f.end) == (date(2024, 10, 1), date(2025, 9, 30))
    rows = {row.area.code: counts(row) for row in f.rows}
    assert rows == {
        "8601": {
            "start": 3,  # first_day, last_day (inactive), after
            "registered": 1,
            "resigned": 1,
            "back": 1,
            "end": 3,  # last_day, new, after
            "active": 3,
            "sex_M": 1,
            "sex_F": 2,
            "age_u30": 1,  # new: 29
            "age_30_44": 1,  # last_day: 44
            "age_60": 1,  # after: 60 that day
        },
        "8602": {
            "start": 2,
            "removed": 1,
            "back": 1,
            "rejoined": 1,  # removed_and_back: back in the network
            "end": 2,
            "active": 2,
            "sex_F": 1,
            "sex_X": 1,
            "age_45_59": 1,
            "age_unknown": 1,
        },
    }
    # The total is the sum of the lines.
    assert counts(f.total) == {
        key: rows["8601"].get(key, 0) + rows["8602"].get(key, 0)
        for key in {*rows["8601"], *rows["8602"]}
    }


def test_a_volunteer_registered_without_a_date_counts_from_the_day_their_history_starts(
    client, world
):
    """The start, the registered and the end then add up (the end counted them already)."""
    undated = volunteer("860101", date(2025, 3, 10))
    Volunteer.objects.filter(pk=undated.pk).update(registration_date=None)
    march = counts(page(client, "province_officer", "month=2568-03").context["f"].total)
    assert march["registered"] == 2  # new (15 March) and the undated one
    assert march["start"] + march["registered"] == march["end"]
    april = counts(page(client, "province_officer", "month=2568-04").context["f"].total)
    assert "registered" not in april


def test_a_month_and_days_count_the_same_volunteers(client, world):
    october = page(client, "province_officer", "month=2567-10").context["f"]
    assert counts(october.total)["resigned"] == 1  # first_day, on 1 October 2024
    days = page(client, "province_officer", "since=2/10/2024&until=30/09/68").context["f"]
    assert "resigned" not in counts(days.total)  # from the day after
    assert counts(days.total)["back"] == 2


def test_the_headline_adds_up_with_returns_and_every_leaving(client, world):
    """start + registered + came back - left (resigned, removed or died) = end."""
    response = page(client, "province_officer", "since=2/10/2024&until=30/09/68")
    total = response.context["f"].total
    found = counts(total)
    assert found.get("back") == 2 and found.get("rejoined") == 1  # one was only inactive
    assert found.get("start", 0) + found.get("registered", 0) + found.get(
        "rejoined", 0
    ) - total.left == found.get("end", 0)
    assert 'data-testid="stat-rejoined"' in response.content.decode()


def test_a_district_coordinator_gets_their_subdistricts(client, world):
    f = page(client, "district_coordinator_a").context["f"]
    assert f.base.code == "8601"
    assert [row.area.code for row in f.rows] == ["860101", "860102"]
    assert counts(f.rows[0])["start"] == 2 and counts(f.rows[1])["registered"] == 1
    assert f.total.counts["end"] == 3


def test_a_subdistrict_is_one_line(client, world):
    f = page(client, "province_officer", f"area=860101&{FY2568}").context["f"]
    assert f.rows == [] and f.total.label.endswith("ท่าตะเภา")
    assert counts(f.total) == {
        "start": 2,
        "resigned": 1,
        "back": 1,
        "end": 1,
        "active": 1,
        "sex_M": 1,
        "age_30_44": 1,
    }


def test_the_ministry_gets_a_line_per_province(client, world):
    f = page(client, "auditor").context["f"]
    assert f.base is None
    lines = {row.area.code: row.counts["start"] for row in f.rows}
    assert lines == {"84": 1, "86": 5}
    assert f.total.counts["start"] == 6


@pytest.mark.parametrize(
    "persona,query,status",
    [
        ("province_officer", "area=8602", 200),
        ("district_coordinator_a", "area=860102", 200),
        ("auditor", "area=84", 200),
        ("district_coordinator_a", "area=8602", 404),  # the neighbour's district
        ("district_coordinator_a", "area=86", 404),  # wider than their scope
        ("province_officer", "area=84", 404),
        ("province_officer", "area=99", 404),
        ("province_officer", "area=86010101", 404),  # a village: volunteers serve subdistricts
        ("province_officer", "area=86'--", 404),
        ("volunteer_a", "", 403),  # their own households, not the area's figures
    ],
)
def test_scope(client, world, persona, query, status):
    page(client, persona, query, status)


def test_anonymous_is_sent_to_sign_in(client, world):
    response = client.get(reverse("volunteers:figures"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_volunteers_outside_the_scope_are_never_counted(client, world):
    f = page(client, "district_coordinator_b").context["f"]
    assert f.base.code == "8602" and f.total.counts["start"] == 2
    assert f.total.counts["resigned"] == 0  # the resignation in สุราษฎร์ธานี


@pytest.mark.parametrize(
    "query", ["since=30/09/2568&until=1/10/2567", "month=2099-01", "fy=abc", "since=31/02/2568"]
)
def test_a_period_typed_wrong_shows_its_reason_and_no_figures(client, world, query):
    response = page(client, "province_officer", query, status=400)
    assert response.context["f"] is None
    assert response.context["form"].errors


def test_this_month_is_counted_up_to_today(client, world):
    response = page(client, "province_officer", "")
    f = response.context["f"]
    assert f.period == month_period(month_of(f.end)) and f.end <= f.period.last


def test_every_figure_links_to_a_list_of_as_many_volunteers(client, world):
    f = page(client, "province_officer").context["f"]
    list_url = reverse("volunteers:list")
    for row in [*f.rows, f.total]:
        for cell in row.moves + row.profile:
            listed = client.get(f"{list_url}?{cell.query}")
            assert listed.status_code == 200
            assert listed.context["page"].paginator.count == cell.n, (row.label, cell.key)


def test_the_list_says_what_a_figures_link_keeps(client, world):
    login(client, "province_officer")
    url = reverse("volunteers:list")
    response = client.get(url, {"status": "all", "changed": "resigned", "since": "2024-10-01",
                                "until": "2025-09-30"})  # fmt: skip
    assert [v.pk for v in response.context["page"]] == [world["first_day"].pk]
    assert response.context["history_said"]
    assert response.context["export_query"] is None  # an export cannot keep it
    assert "changed=" not in response.context["without_history_query"]
    # A hand-typed link: the condition read wrong is left out, and said so.
    response = client.get(url, {"on": "31/02/2568", "age": "old"})
    assert len(response.context["history_errors"]) == 2


def test_query_count_does_not_grow_with_areas_or_volunteers(
    client, world, area_tree, django_assert_max_num_queries
):
    login(client, "province_officer")
    url = f"{reverse('volunteers:figures')}?{FY2568}"
    with django_assert_max_num_queries(30) as small:
        assert client.get(url).status_code == 200
    for n in range(3, 9):
        district = Area.objects.create(
            code=f"860{n}", level=Level.DISTRICT, name_th=f"อำเภอ{n}", parent_id="86"
        )
        for m in (1, 2):
            sub = Area.objects.create(
                code=f"{district.code}0{m}", level=Level.SUBDISTRICT, name_th=f"ตำบล{n}{m}",
                parent=district,
            )  # fmt: skip
            volunteer(sub.code, date(2020, 1, 1), ("resigned", date(2025, 2, 1)))
            volunteer(sub.code, date(2025, 2, 1), sex="F")
    with django_assert_max_num_queries(len(small.captured_queries)):
        f = client.get(url).context["f"]
    assert len(f.rows) == 8 and f.total.counts["resigned"] == 1 + 12


# --- The download ----------------------------------------------------------------------------


def download(client, user: str, fmt: str, query: str = FY2568):
    login(client, user)
    return client.get(f"{reverse('spreadsheets:volunteer_figures', args=[fmt])}?{query}")


def test_the_tables_download_as_csv_and_the_download_is_logged(client, world):
    response = download(client, "province_officer", "csv")
    assert response.status_code == 200
    assert "carenet-volunteer-figures-86-fy2568.csv" in response["Content-Disposition"]
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert len(rows) == 1 + 2 + 1  # the header, two districts, the total
    assert rows[0][3].endswith("30/09/2567")  # in the network on the day before
    assert [row[2] for row in rows[1:]] == ["8601", "8602", "86"]
    assert rows[-1][3] == "5"
    event = AuditEvent.objects.get(action="spreadsheets.export_volunteer_figures")
    assert event.area_code == "86" and event.details["format"] == "csv"
    assert event.details["rows"] == 3 and "2568" in event.details["filters"]


def test_the_tables_download_as_xlsx(client, world):
    response = download(client, "district_coordinator_a", "xlsx", "month=2025-03")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert [row[2] for row in rows[1:]] == ["860101", "860102", "8601"]


@pytest.mark.parametrize(
    "persona,query,status",
    [
        ("district_coordinator_a", "area=8602", 404),
        ("volunteer_a", "", 403),
        ("province_officer", "month=2099-01", 400),  # the page, with the reason
    ],
)
def test_the_download_keeps_the_scope(client, world, persona, query, status):
    assert download(client, persona, "csv", query).status_code == status
    assert not AuditEvent.objects.filter(action="spreadsheets.export_volunteer_figures").exists()


def test_the_download_sends_anonymous_users_to_sign_in(client, world):
    response = client.get(reverse("spreadsheets:volunteer_figures", args=["csv"]))
    assert response.status_code == 302


# --- Where it is reached from ----------------------------------------------------------------


def test_the_list_and_the_area_page_link_to_the_figures(client, world):
    login(client, "district_coordinator_a")
    listed = client.get(reverse("volunteers:list"), {"area": "860101"})
    assert listed.context["figures_query"] == "area=860101"
    area = client.get(reverse("reports:area", args=["8601"]))
    assert f"{reverse('volunteers:figures')}?area=8601" in area.content.decode()


def test_a_volunteer_is_not_offered_the_figures(client, world):
    login(client, "volunteer_a")
    assert client.get(reverse("volunteers:list")).context["figures_query"] is None


def test_the_figures_of_a_past_year_do_not_depend_on_today(world, personas):
    """Counted with another today, a year that is over gives the same figures."""
    for today in (date(2025, 10, 1), date(2026, 11, 30)):
        f = figures.volunteer_figures(
            user=personas["province_officer"],
            period=fiscal_year_period(2568),
            base=Area.objects.get(code="8602"),
            today=today,
        )
        assert counts(f.total) == counts(f.rows[0])
        assert f.total.counts["removed"] == 1 and f.total.counts["deceased"] == 0


def test_changes_recorded_after_a_period_ended_are_said(client, world):
    """A report sent when the year closed no longer matches: the page says why. Loading a
    register (registrations dated the day each volunteer joined) does not count."""
    long_ago = timezone.make_aware(datetime(2025, 9, 1, 9))
    VolunteerStatusChange.objects.update(created_at=long_ago)
    assert page(client, "province_officer").context["f"].recorded_late == 0
    VolunteerStatusChange.objects.filter(volunteer=world["first_day"], from_status="active").update(
        created_at=timezone.now()
    )
    VolunteerStatusChange.objects.filter(volunteer=world["new"]).update(created_at=timezone.now())
    response = page(client, "province_officer")
    assert response.context["f"].recorded_late == 1
    assert 'data-testid="recorded-late"' in response.text
    assert page(client, "district_coordinator_b").context["f"].recorded_late == 0  # not theirs
