"""What an officer counts at month end: cases submitted or closed in a period (the list's
period filter, its count and the closing dates), the list as a CSV or XLSX file (scope, the
names it may carry, formulas kept as text, its audit row), the referrals list with its counts
by status and agency, and the overdue figures of the action list agreeing with the case list."""

import codecs
import csv
import io
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from carenet.cases import export
from carenet.cases.action_list import action_list
from carenet.cases.models import Case, CaseCategory, CaseStatus, Referral, ReferralStatus
from carenet.cases.periods import described
from carenet.cases.selectors import CaseFilters
from carenet.cases.tests.factories import AgencyFactory, ReferralFactory
from carenet.cases.tests.work_helpers import case_in, waiting
from carenet.core import citizen_id
from carenet.core.models import AuditEvent
from carenet.households.tests.factories import ConsentFactory
from carenet.volunteers.tests.factories import valid_citizen_id

S = CaseStatus
pytestmark = pytest.mark.django_db

LIST = reverse("cases:list")
CSV_URL = reverse("cases:download", args=["csv"])
XLSX_URL = reverse("cases:download", args=["xlsx"])
REFERRALS = reverse("cases:referrals")
NOVEMBER = {"since": "1/11/2569", "until": "30/11/2569"}


def bangkok(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime(year, month, day, hour, minute))


@pytest.fixture(autouse=True)
def english(client: Any) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def month(personas: dict[str, Any], reference_data: None) -> dict[str, Any]:
    """Cases submitted and closed around November 2569 (2026), in both districts, at the
    edges of the month in Bangkok time."""
    volunteer_a, volunteer_b = personas["volunteer_a"], personas["volunteer_b"]

    def made(area: str, filer: Any, submitted: datetime, **kw: Any) -> Any:
        kw.setdefault("status", S.ACCEPTED)
        return case_in(
            area, filed_by=filer, submitted_at=submitted, status_changed_at=submitted, **kw
        )

    closed = {"status": S.CLOSED, "outcome": "solved"}
    return {
        # 31 Oct 23:50 in Bangkok is 31 Oct: not November's.
        "october": made("86010101", volunteer_a, bangkok(2026, 10, 31, 23, 50)),
        "first": made("86010101", volunteer_a, bangkok(2026, 11, 1, 0, 10)),
        "last": made(
            "86010201",
            volunteer_a,
            bangkok(2026, 11, 30, 23, 59),
            **closed,
            closed_at=bangkok(2026, 12, 1, 0, 5),
        ),
        "b": made(
            "86020101",
            volunteer_b,
            bangkok(2026, 11, 15, 9),
            **closed,
            closed_at=bangkok(2026, 11, 30, 22),
        ),
        "old_closed": made(
            "86010101",
            volunteer_a,
            bangkok(2026, 9, 1, 9),
            **closed,
            closed_at=bangkok(2026, 11, 1, 0, 1),
        ),
        # Closed in November, then reopened: no longer closed, not counted as closed.
        "reopened": made("86010101", volunteer_a, bangkok(2026, 8, 1, 9)),
    }


def listed(response: Any) -> set[int]:
    return {row.case.pk for row in response.context["page"].object_list}


def pks(month: dict[str, Any], *keys: str) -> set[int]:
    return {month[key].pk for key in keys}


# --- The list's period -------------------------------------------------------------------


@pytest.mark.parametrize(
    "dates",
    [
        NOVEMBER,
        {"since": "01/11/69 BE", "until": "30/11/2026"},
        {"since": "2026-11-01", "until": "30 Nov 2026"},
        {"since": "๑/๑๑/๒๕๖๙", "until": "30 พ.ย. 2569"},
    ],
)
def test_cases_submitted_in_a_month_first_and_last_day_in_bangkok(login_as, month, dates):
    response = login_as("province_officer").get(LIST, {"period": "submitted", **dates})
    assert response.status_code == 200
    assert listed(response) == pks(month, "first", "last", "b")
    assert response.context["page"].paginator.count == 3
    page = response.content.decode()
    assert "3 cases" in page and "submitted from 1 Nov 2569 BE to 30 Nov 2569 BE" in page


def test_cases_closed_in_a_month_with_their_closing_date(login_as, month):
    response = login_as("province_officer").get(LIST, {"period": "closed", **NOVEMBER})
    assert listed(response) == pks(month, "b", "old_closed")
    rows = response.context["page"].object_list
    assert [row.case.pk for row in rows] == [month["b"].pk, month["old_closed"].pk]  # by date
    page = response.content.decode()
    assert "closed 30 Nov 2569 BE" in page and "closed 1 Nov 2569 BE" in page
    assert 'data-testid="downloads"' in page
    # The district's own: the period keeps the other filters.
    response = login_as("district_coordinator_a").get(
        LIST, {"period": "closed", "area": "8601", **NOVEMBER}
    )
    assert listed(response) == pks(month, "old_closed")


def test_cases_decided_in_a_month_accepted_or_declined(login_as, month):
    """A declined request has no closing date: the quarter's "decided" count needs its own."""
    Case.objects.filter(pk=month["first"].pk).update(
        status=S.ACCEPTED, decided_at=bangkok(2026, 11, 3, 10)
    )
    Case.objects.filter(pk=month["october"].pk).update(
        status=S.DECLINED, decided_at=bangkok(2026, 11, 30, 23, 30)
    )
    Case.objects.filter(pk=month["b"].pk).update(decided_at=bangkok(2026, 10, 20, 9))
    response = login_as("province_officer").get(LIST, {"period": "decided", **NOVEMBER})
    assert listed(response) == pks(month, "first", "october")
    assert "accepted or declined from 1 Nov 2569 BE to 30 Nov 2569 BE" in response.text


def test_an_open_ended_period_and_a_shortcut_link(login_as, month):
    client = login_as("province_officer")
    assert listed(client.get(LIST, {"since": "1/12/2569", "period": "closed"})) == pks(
        month, "last"
    )
    assert listed(client.get(LIST, {"until": "31/10/2569"})) == pks(
        month, "october", "old_closed", "reopened"
    )
    links = client.get(LIST, {"status": "closed"}).context["period_links"]
    assert [link["active"] for link in links] == [False, False, False]
    assert all("status=closed" in link["query"] for link in links)


@pytest.mark.parametrize(
    ("dates", "field", "words"),
    [
        ({"since": "31/11/2569"}, "since", "no such date"),
        ({"since": "01/12/2569", "until": "01/11/2569"}, "until", "before the start date"),
    ],
)
def test_a_period_typed_wrong_lists_nothing_and_says_why(login_as, month, dates, field, words):
    client = login_as("province_officer")
    response = client.get(LIST, dates)
    assert response.status_code == 400 and response.context["page"] is None
    assert words in response.context["period_form"].errors[field][0]
    assert 'data-testid="filters-invalid"' in response.content.decode()
    response = client.get(CSV_URL, dates)
    assert response.status_code == 400
    assert not AuditEvent.objects.filter(action="case.export").exists()


def test_a_two_digit_year_says_how_it_was_read(login_as, month):
    client = login_as("province_officer")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "th"
    response = client.get(LIST, {"since": "01/11/69"})
    (note,) = response.context["period_form"].read_as()
    assert "01/11/69" in note and "2569" in note


def test_a_two_digit_year_is_asked_in_full_on_an_english_page(login_as, month):
    client = login_as("province_officer")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(LIST, {"since": "01/11/26"})
    assert response.status_code == 400
    assert "in full" in str(response.context["period_form"].errors["since"])


def test_the_closed_list_keeps_its_queries_whatever_its_length(login_as, personas, month):
    client = login_as("district_coordinator_a")
    query = {"period": "closed", **NOVEMBER}

    def more(n: int) -> None:
        for day in range(n):
            at = bangkok(2026, 11, 1 + day % 28, 10)
            case_in(
                ["86010101", "86010201"][day % 2],
                filed_by=personas["volunteer_a"],
                status=S.CLOSED,
                outcome="solved",
                submitted_at=at,
                closed_at=at,
                category=CaseCategory.objects.get(
                    code="domestic_violence" if day % 3 == 0 else "poverty"
                ),
            )

    more(3)
    with CaptureQueriesContext(connection) as few:
        assert client.get(LIST, query).status_code == 200
    more(20)
    with CaptureQueriesContext(connection) as many:
        assert client.get(LIST, query).status_code == 200
    assert len(many) == len(few) <= 30


# --- The list as a file --------------------------------------------------------------------


def read_csv(response: Any) -> list[list[str]]:
    data = b"".join(response.streaming_content)
    assert data.startswith(codecs.BOM_UTF8)
    return list(csv.reader(io.StringIO(data[len(codecs.BOM_UTF8) :].decode("utf-8"))))


def by_number(rows: list[list[str]]) -> dict[str, dict[str, str]]:
    return {row[0]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}


def test_the_csv_holds_what_the_list_finds_in_the_users_scope(login_as, month):
    client = login_as("province_officer")
    response = client.get(CSV_URL, {"period": "submitted", **NOVEMBER})
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    rows = read_csv(response)
    assert rows[0] == export.headers()
    found = by_number(rows)
    assert set(found) == {month[k].number for k in ("first", "last", "b")}
    last = found[month["last"].number]
    assert last["Submitted on"] == "30/11/2569" and last["Closed on"] == "01/12/2569"
    assert last["Status"] == "closed" and last["How the case ended"] == "solved"
    assert last["Subdistrict"] == "Pak Nam" and last["District"] == "Mueang Chumphon"
    assert last["Village"] == "Moo 1 บ้านปากน้ำ"
    assert last["Affected person"] == month["last"].person.full_name
    assert last["Urgency"] == "normal" and last["Category"]


def test_agencies_of_the_same_name_are_counted_apart(login_as, month, personas):
    """Every subdistrict has its own อบต. and รพ.สต., many with the same name."""
    officer = personas["province_officer"]
    for case in (month["first"], month["b"], month["b"]):
        ReferralFactory(
            case=case,
            agency=AgencyFactory(name="อบต.ปากน้ำ", area_id=case.area.parent_id),
            sent_by=officer,
            sent_at=bangkok(2026, 11, 5, 9),
        )
    response = login_as("province_officer").get(REFERRALS, NOVEMBER)
    rows = response.context["summary"].by_agency
    assert len(rows) == 3 and all(a.name == "อบต.ปากน้ำ" and a.count == 1 for a in rows)
    assert {a.area for a in rows} == {month["first"].area.parent, month["b"].area.parent}
    assert month["b"].area.parent.parent.label in response.content.decode()


@pytest.mark.parametrize(
    ("persona", "sees_a", "sees_b"),
    [
        ("district_coordinator_a", True, False),
        ("district_coordinator_b", False, True),
        ("province_officer", True, True),
        ("auditor", True, True),
    ],
)
def test_the_file_follows_the_scope(login_as, month, persona, sees_a, sees_b):
    rows = read_csv(login_as(persona).get(CSV_URL, {"period": "submitted", **NOVEMBER}))
    numbers = {row[0] for row in rows[1:]}
    assert (month["first"].number in numbers, month["b"].number in numbers) == (sees_a, sees_b)
    names = " ".join(" ".join(row) for row in rows)
    assert (month["b"].person.full_name in names) == sees_b


def test_a_volunteer_and_the_anonymous_get_no_file(client, login_as, month):
    response = client.get(CSV_URL)
    assert response.status_code == 302 and "login" in response["Location"]
    assert login_as("volunteer_a").get(CSV_URL).status_code == 403
    assert not AuditEvent.objects.filter(action="case.export").exists()


def test_a_restricted_case_and_a_withdrawn_consent_leave_names_out(login_as, personas, month):
    sensitive = case_in(
        "86010101",
        filed_by=personas["volunteer_a"],
        category=CaseCategory.objects.get(code="domestic_violence"),
        status=S.PROVINCE_REVIEW,
        submitted_at=bangkok(2026, 11, 10, 9),
        status_changed_at=bangkok(2026, 11, 10, 9),
    )
    ConsentFactory(
        person=month["first"].person, withdrawn_on=timezone.localdate(), withdrawal_reason="x"
    )
    rows = read_csv(
        login_as("district_coordinator_a").get(CSV_URL, {"period": "submitted", **NOVEMBER})
    )
    found = by_number(rows)
    hidden = found[sensitive.number]
    assert sensitive.person.full_name not in " ".join(hidden.values())
    assert hidden["Category"] == "" and hidden["Affected person"] == ""
    assert hidden["Status"] and hidden["Submitted on"] == "10/11/2569"
    assert "restricted" in hidden["Not shown"]
    withdrawn = found[month["first"].number]
    assert withdrawn["Affected person"] == "" and "consent" in withdrawn["Not shown"]
    # The province reads the restricted case's names, as on its page.
    rows = read_csv(login_as("province_officer").get(CSV_URL, {"period": "submitted", **NOVEMBER}))
    assert by_number(rows)[sensitive.number]["Affected person"] == sensitive.person.full_name


def test_no_citizen_id_and_no_formula_leave_in_the_file(login_as, month):
    person = month["first"].person
    digits = valid_citizen_id()
    person.title, person.first_name = "", '=HYPERLINK("http://x","y")'
    person.set_citizen_id(digits)
    person.save()
    client = login_as("province_officer")
    rows = read_csv(client.get(CSV_URL, {"period": "submitted", **NOVEMBER}))
    everything = " ".join(" ".join(row) for row in rows)
    assert digits not in everything and citizen_id.formatted(digits) not in everything
    name = by_number(rows)[month["first"].number]["Affected person"]
    assert name.startswith("'=HYPERLINK")
    response = client.get(XLSX_URL, {"period": "submitted", **NOVEMBER})
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).worksheets[0]
    header = [cell.value for cell in sheet[1]]
    column = header.index("Affected person")
    cells = [row[column] for row in sheet.iter_rows(min_row=2) if row[column].value]
    formula = next(cell for cell in cells if "HYPERLINK" in str(cell.value))
    assert formula.data_type == "s" and formula.value.startswith("=HYPERLINK")  # text, shown
    assert sheet.max_row == 4 and header == export.headers()
    # The days are dates and the amounts numbers in a workbook, so that they sort and add up.
    submitted = [row[header.index("Submitted on")] for row in sheet.iter_rows(min_row=2)]
    assert all(cell.is_date for cell in submitted)
    amounts = [row[header.index("Amount asked (baht)")].value for row in sheet.iter_rows(min_row=2)]
    assert all(a is None or isinstance(a, (int, float)) for a in amounts)


def test_the_download_is_audited_with_its_filters(login_as, month):
    client = login_as("district_coordinator_a")
    response = client.get(CSV_URL, {"period": "closed", "area": "8601", **NOVEMBER})
    # The file's name says the period it holds.
    assert "carenet-cases-closed-25691101-25691130-" in response["Content-Disposition"]
    read_csv(response)
    event = AuditEvent.objects.get(action="case.export")
    assert event.area_code == "8601"
    assert event.details["format"] == "csv" and event.details["rows"] == 1
    assert "closed from 1 Nov 2569 BE to 30 Nov 2569 BE" in event.details["filters"]
    assert "Mueang Chumphon" in event.details["filters"]
    # The province reads it in its log, in words.
    response = login_as("province_officer").get(reverse("reports:audit"), {"group": "case"})
    (line,) = [ln for ln in response.context["page"].object_list if ln.event == event]
    assert line.said.startswith("CSV · 1 ") and str(line.label) == "exported the case list"


def test_a_citizen_id_or_phone_searched_for_is_masked_in_the_audit_row():
    said = described(CaseFilters(q="1551034269651 089-111-2222"))
    assert "1551034269651" not in said and "089-111" not in said
    assert "x-xxxx-xxxxx-65-1" in said and "x222" in said
    assert "2570-000085" in described(CaseFilters(q="2570-000085"))  # a case number as typed


def test_too_long_for_excel_and_an_unknown_format(login_as, month, monkeypatch):
    monkeypatch.setattr(export, "XLSX_MAX_ROWS", 1)
    client = login_as("province_officer")
    response = client.get(XLSX_URL, follow=True)
    assert "CSV" in str(next(iter(response.context["messages"])))
    assert client.get(reverse("cases:download", args=["pdf"])).status_code == 404
    assert not AuditEvent.objects.filter(action="case.export").exists()


# --- The referrals list -------------------------------------------------------------------


@pytest.fixture
def referred(personas: dict[str, Any], month: dict[str, Any]) -> dict[str, Any]:
    officer = personas["province_officer"]
    hospital = AgencyFactory(name="โรงพยาบาลชุมพร", kind="health")
    school = AgencyFactory(name="โรงเรียนทดสอบ", kind="school")

    def sent(case: Any, agency: Any, at: datetime, status: str = ReferralStatus.SENT) -> Any:
        return ReferralFactory(
            case=case,
            agency=agency,
            sent_by=officer,
            sent_at=at,
            status=status,
            status_changed_at=at,
            answer_due=(at + timedelta(days=7)).date(),
            need="ขอรับการรักษา",
        )

    return {
        "a1": sent(month["first"], hospital, bangkok(2026, 11, 1, 0, 5)),
        "a2": sent(month["first"], school, bangkok(2026, 11, 20, 9), ReferralStatus.DONE),
        "a_october": sent(month["october"], hospital, bangkok(2026, 10, 31, 23, 55)),
        "b": sent(month["b"], hospital, bangkok(2026, 11, 16, 9), ReferralStatus.IN_PROGRESS),
    }


def counts(response: Any) -> tuple[dict[str, int], dict[str, int]]:
    summary = response.context["summary"]
    statuses = {value: n for value, _label, n in summary.by_status}
    return statuses, {a.name: a.count for a in summary.by_agency}


def test_referrals_sent_in_a_month_counted_by_status_and_agency(login_as, referred):
    response = login_as("province_officer").get(REFERRALS, NOVEMBER)
    assert response.status_code == 200
    summary = response.context["summary"]
    assert {r.pk for r in summary.page.object_list} == {referred[k].pk for k in ("a1", "a2", "b")}
    statuses, agencies = counts(response)
    assert statuses == {
        "sent": 1, "received": 0, "in_progress": 1, "done": 1, "declined": 0, "withdrawn": 0,
    }  # fmt: skip
    assert agencies == {"โรงพยาบาลชุมพร": 2, "โรงเรียนทดสอบ": 1}
    # One sent to the school by mistake and withdrawn: counted as withdrawn, for no agency.
    Referral.objects.filter(pk=referred["a2"].pk).update(status=ReferralStatus.WITHDRAWN)
    statuses, agencies = counts(login_as("province_officer").get(REFERRALS, NOVEMBER))
    assert (statuses["withdrawn"], statuses["done"]) == (1, 0)
    assert agencies == {"โรงพยาบาลชุมพร": 2}
    Referral.objects.filter(pk=referred["a2"].pk).update(status=ReferralStatus.DONE)
    page = response.content.decode()
    assert "3 referrals" in page and "sent from 1 Nov 2569 BE to 30 Nov 2569 BE" in page
    everything = login_as("province_officer").get(REFERRALS)
    assert everything.context["summary"].page.paginator.count == 4


@pytest.mark.parametrize(
    ("persona", "sees_a", "sees_b"),
    [
        ("volunteer_a", True, False),
        ("district_coordinator_a", True, False),
        ("district_coordinator_b", False, True),
        ("province_officer", True, True),
        ("auditor", True, True),
    ],
)
def test_the_referrals_list_follows_the_scope(login_as, referred, month, persona, sees_a, sees_b):
    response = login_as(persona).get(REFERRALS)
    shown = {r.pk for r in response.context["summary"].page.object_list}
    assert (referred["a1"].pk in shown, referred["b"].pk in shown) == (sees_a, sees_b)
    page = response.content.decode()
    assert (month["b"].person.full_name in page) == sees_b
    assert sum(n for _v, _l, n in response.context["summary"].by_status) == len(shown)


def test_the_referrals_list_is_for_signed_in_users(client, referred):
    response = client.get(REFERRALS)
    assert response.status_code == 302 and "login" in response["Location"]


def test_a_restricted_cases_referral_shows_no_person_nor_need(login_as, personas, referred):
    sensitive = case_in(
        "86010101",
        filed_by=personas["volunteer_a"],
        category=CaseCategory.objects.get(code="domestic_violence"),
        status=S.ACCEPTED,
    )
    shelter = AgencyFactory(area_id="86", name="บ้านพักเด็กและครอบครัวจังหวัดชุมพร")
    ReferralFactory(
        case=sensitive, agency=shelter, sent_by=personas["province_officer"], need="บ้านพักฉุกเฉิน"
    )
    page = login_as("district_coordinator_a").get(REFERRALS).content.decode()
    assert "A restricted case" in page
    assert sensitive.person.full_name not in page and "บ้านพักฉุกเฉิน" not in page
    # Nor which agency took it, in its row: the shelter would tell what the case is about.
    rows = page.split('data-testid="referrals"')[1]
    assert shelter.name not in rows
    page = login_as("province_officer").get(REFERRALS).content.decode()
    assert sensitive.person.full_name in page and "บ้านพักฉุกเฉิน" in page


def test_referral_filters_typed_wrong_list_nothing(login_as, referred):
    client = login_as("district_coordinator_a")
    response = client.get(REFERRALS, {"since": "32/11/2569"})
    assert response.status_code == 400 and response.context["summary"] is None
    response = client.get(REFERRALS, {"area": "8602"})  # the neighbour's district
    assert response.status_code == 400 and "area" in response.context["form"].errors
    response = client.get(REFERRALS, {"area": "860102", "status": "done"})
    assert response.status_code == 200
    assert counts(response)[1] == {}


def test_the_cases_pages_link_to_the_referrals(login_as, month):
    client = login_as("district_coordinator_a")
    for name in ("cases:list", "cases:actions"):
        assert f'href="{REFERRALS}"' in client.get(reverse(name)).content.decode()


# --- The action list's overdue figures ----------------------------------------------------


def test_the_officers_overdue_figures_add_up_to_the_case_lists(
    login_as, personas, reference_data, en
):
    volunteer = personas["volunteer_a"]
    now = timezone.now()
    late = {"hours_ago": 24 * 10, "now": now}
    waiting(S.PROVINCE_REVIEW, filed_by=volunteer, **late)  # the officer's own, overdue
    waiting(S.PROVINCE_REVIEW, filed_by=volunteer, now=now)  # the officer's own, in time
    waiting(S.DISTRICT_REVIEW, filed_by=volunteer, **late)
    waiting(S.SUBDISTRICT_REVIEW, filed_by=volunteer, area="86020101", **late)
    officer = personas["province_officer"]
    found = {s.key: s for s in action_list(user=officer, now=now).sections}
    assert found["decide"].count == 2 and found["overdue"].count == 2
    assert "1 of them is overdue" in str(found["decide"].hint)
    assert "In all, 3 cases in your area are overdue (1 of them waiting for you)" in str(
        found["overdue"].hint
    )
    client = login_as("province_officer")
    assert client.get(LIST, {"overdue": "1"}).context["page"].paginator.count == 3
    page = client.get(reverse("cases:actions")).content.decode()
    assert "Other overdue cases in your area" in page and f'href="{LIST}?overdue=1"' in page


def test_a_reviewer_is_told_of_the_overdue_cases_above_their_step(
    login_as, personas, reference_data, en
):
    volunteer = personas["volunteer_a"]
    now = timezone.now()
    late = {"hours_ago": 24 * 10, "now": now}
    waiting(S.DISTRICT_REVIEW, filed_by=volunteer, **late)  # the coordinator's own
    waiting(S.SUBDISTRICT_REVIEW, filed_by=volunteer, **late)  # the step below
    waiting(S.PROVINCE_REVIEW, filed_by=volunteer, **late)  # above: the province's
    found = {
        s.key: s for s in action_list(user=personas["district_coordinator_a"], now=now).sections
    }
    assert found["waiting"].count == 1 and found["below"].count == 1
    assert "1 of them is overdue" in str(found["waiting"].hint)
    assert "In all, 3 cases in your area are overdue (1 of them waiting for you)" in str(
        found["below"].hint
    )
    client = login_as("district_coordinator_a")
    assert client.get(LIST, {"overdue": "1"}).context["page"].paginator.count == 3
