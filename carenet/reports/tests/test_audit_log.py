"""The audit log as the province and the auditor check a month: whole-scope exports in the
province's log, lines that say what happened, the filters, and the log as a file."""

import codecs
import csv
import io
from datetime import date

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from openpyxl import load_workbook

from carenet.accounts.context_processors import EXPORT_ONLY
from carenet.accounts.models import Role
from carenet.accounts.services import user_create
from carenet.accounts.tests.factories import AreaAssignmentFactory, UserFactory
from carenet.core import thaidate
from carenet.core.models import AuditEvent
from carenet.core.services import audit_record
from carenet.households.tests.factories import HouseholdFactory, PersonFactory
from carenet.reports import audit_export
from carenet.reports.audit import KINDS
from carenet.spreadsheets import exporting
from carenet.volunteers import services as volunteer_services
from carenet.volunteers.tests.factories import CommitteeMembershipFactory, VolunteerFactory
from conftest import login

pytestmark = pytest.mark.django_db

URL = reverse("reports:audit")
CSV_URL = reverse("reports:audit_download", args=["csv"])
XLSX_URL = reverse("reports:audit_download", args=["xlsx"])


def actions(response) -> list[str]:
    return [line.event.action for line in response.context["page"].object_list]


def read_csv(response) -> list[list[str]]:
    data = b"".join(response.streaming_content)
    assert data.startswith(codecs.BOM_UTF8)
    return list(csv.reader(io.StringIO(data[len(codecs.BOM_UTF8) :].decode("utf-8"))))


@pytest.fixture
def exports(personas):
    """Both district coordinators export "all my areas"; someone in Surat Thani edits."""
    for persona, village in (
        ("district_coordinator_a", "86010101"),
        ("district_coordinator_b", "86020101"),
    ):
        PersonFactory.create(household=HouseholdFactory.create(area_id=village))
        exporting.export_prepare(user=personas[persona], dataset="households", fmt="csv")
    elsewhere = PersonFactory.create(household=HouseholdFactory.create(area_id="840101"))
    audit_record(
        actor=personas["national_admin"],
        action="person.update",
        target=elsewhere,
        area_code="840101",
        details={"fields": ["phone"]},
    )


@pytest.fixture
def district_auditor(personas, area_tree):
    """Someone who reads the log of เมืองชุมพร district only."""
    user = UserFactory(username="district_auditor")
    AreaAssignmentFactory(user=user, role=Role.AUDITOR, area=area_tree["8601"])
    return user


# --- Scope ---------------------------------------------------------------------------------


def test_the_province_reads_the_exports_of_all_my_areas_made_inside_it(client, exports):
    login(client, "province_officer")
    response = client.get(URL)
    assert sorted(line.event.area_code for line in response.context["page"].object_list) == [
        "8601",
        "8602",
    ]
    assert "person.update" not in actions(response)  # Surat Thani's


def test_a_district_reader_does_not_see_the_neighbouring_districts_exports(
    client, exports, district_auditor
):
    client.force_login(district_auditor)
    lines = client.get(URL).context["page"].object_list
    assert [line.event.actor.username for line in lines] == ["district_coordinator_a"]


@pytest.mark.parametrize("url", [URL, CSV_URL])
@pytest.mark.parametrize("persona", ["district_coordinator_a", "volunteer_a"])
def test_those_without_audit_rights_are_refused(client, exports, url, persona):
    login(client, persona)
    before = AuditEvent.objects.count()
    assert client.get(url).status_code == 403
    assert AuditEvent.objects.count() == before


@pytest.mark.parametrize("url", [URL, CSV_URL])
def test_anonymous_is_sent_to_sign_in(client, exports, url):
    response = client.get(url)
    assert response.status_code == 302 and "/login/" in response["Location"]


# --- What a line says ----------------------------------------------------------------------


def test_an_export_line_says_its_format_rows_and_area(client, exports):
    login(client, "province_officer")
    lines = client.get(URL).context["page"].object_list
    said = {line.event.area_code: line.said for line in lines}
    # "CSV · 1 แถว · อ.เมืองชุมพร (ทุกพื้นที่ที่รับผิดชอบ)": no area was chosen.
    assert said["8601"].startswith("CSV · 1 ") and " · อ.เมืองชุมพร (" in said["8601"]


def test_a_committee_line_names_the_seat_the_person_and_the_centre(client, personas):
    seat = CommitteeMembershipFactory(term_start=date(2024, 1, 1))
    volunteer_services.committee_seat_end(
        actor=personas["province_officer"], seat=seat, term_end=date(2025, 1, 31)
    )
    login(client, "province_officer")
    (line,) = client.get(URL).context["page"].object_list
    assert seat.volunteer.full_name in line.said and seat.centre.name in line.said
    assert "กรรมการ" in line.said and "31 ม.ค. 2568" in line.said
    assert line.url == reverse("reports:centre", args=[seat.centre_id])


def test_a_new_login_line_names_the_account(client, personas):
    volunteer = VolunteerFactory()
    volunteer_services.volunteer_link_user(
        actor=personas["district_coordinator_a"],
        volunteer=volunteer,
        username="malee",
        password="ชุมพร-long-pass-2568",
    )
    login(client, "province_officer")
    lines = client.get(URL, {"action": "user.create"}).context["page"].object_list
    (line,) = lines
    assert line.said.endswith(f"malee · {volunteer.first_name} {volunteer.last_name}")


# --- Filters -------------------------------------------------------------------------------


def test_the_action_filter_takes_a_kind_or_one_action(client, exports):
    login(client, "auditor")
    assert set(actions(client.get(URL, {"action": "exports"}))) == {
        "spreadsheets.export_households"
    }
    assert actions(client.get(URL, {"action": "person.update"})) == ["person.update"]
    assert actions(client.get(URL, {"action": "citizen_ids"})) == []
    response = client.get(URL, {"action": "no.such"})
    assert response.status_code == 400 and response.context["page"] is None


@pytest.mark.parametrize("who", ["District_Coordinator_A", "สมศรี", "สมศรี ใจดี", "ใจดี"])
def test_who_is_a_username_in_any_case_or_a_name(client, exports, personas, who):
    personas["district_coordinator_a"].first_name = "สมศรี"
    personas["district_coordinator_a"].last_name = "ใจดี"
    personas["district_coordinator_a"].save()
    login(client, "auditor")
    lines = client.get(URL, {"who": who}).context["page"].object_list
    assert {line.event.actor.username for line in lines} == {"district_coordinator_a"}


def test_who_names_nobody_says_so_and_lists_nothing(client, exports):
    login(client, "auditor")
    response = client.get(URL, {"who": "nobody"})
    assert response.status_code == 400 and response.context["page"] is None
    assert "nobody" in response.context["form"].errors["who"][0]


def test_a_reversed_date_range_is_refused(client, exports):
    login(client, "auditor")
    response = client.get(URL, {"since": "01/12/2569", "until": "01/11/2569"})
    assert response.status_code == 400 and response.context["page"] is None
    assert "2569" in response.context["form"].errors["until"][0]  # names the start


def test_a_two_digit_year_says_how_it_was_read(client, exports):
    login(client, "auditor")
    response = client.get(URL, {"since": "01/11/69"})
    assert response.status_code == 200
    (note,) = response.context["form"].read_as()
    assert "01/11/69 " in note and "2569" in note
    assert client.get(URL, {"since": "01/11/2569"}).context["form"].read_as() == []


# --- The log as a file ---------------------------------------------------------------------


def test_the_csv_holds_the_pages_events_in_its_words(client, exports, personas):
    audit_record(
        actor=personas["province_officer"],
        action="case.break_glass",
        area_code="86010101",
        details={"reason": '=HYPERLINK("http://x")'},
    )
    login(client, "province_officer")
    response = client.get(CSV_URL)
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    rows = read_csv(response)
    assert rows[0] == audit_export.headers()
    assert [row[-1] for row in rows[1:]] == [
        "case.break_glass",
        "spreadsheets.export_households",
        "spreadsheets.export_households",
    ]
    assert rows[1][1] == "province_officer"
    assert rows[1][4] == '\'=HYPERLINK("http://x")'  # kept as text, never a formula
    assert rows[2][4].startswith("CSV · 1 ")


def test_the_file_keeps_the_filters_and_the_scope(client, exports):
    login(client, "province_officer")
    rows = read_csv(client.get(CSV_URL, {"who": "district_coordinator_b"}))
    assert [row[1] for row in rows[1:]] == ["district_coordinator_b"]
    login(client, "auditor")
    rows = read_csv(client.get(CSV_URL, {"action": "person.update"}))
    assert [row[-1] for row in rows[1:]] == ["person.update"]


def test_exporting_the_log_is_audited_at_the_readers_scope(client, exports):
    login(client, "province_officer")
    read_csv(client.get(CSV_URL, {"action": "exports"}))
    event = AuditEvent.objects.get(action="audit.export")
    assert event.area_code == "86"
    assert event.details["format"] == "csv" and event.details["rows"] == 2
    assert str(KINDS["exports"][0]) in event.details["filters"]
    lines = client.get(URL, {"action": "audit.export"}).context["page"].object_list
    assert lines[0].said.startswith("CSV · 2 ")


def test_the_xlsx_holds_the_same_rows(client, exports):
    login(client, "province_officer")
    response = client.get(XLSX_URL)
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == audit_export.headers() and len(rows) == 3
    # When: a date and time a spreadsheet sorts and filters, shown in the Buddhist Era.
    events = AuditEvent.objects.filter(action="spreadsheets.export_households").order_by("-pk")
    moments = [timezone.localtime(e.created_at).replace(tzinfo=None) for e in events]
    assert [row[0] for row in rows[1:]] == [m.replace(microsecond=0) for m in moments]
    assert {cell.number_format for cell in sheet["A"][1:]} == {exporting.DATETIME_FORMAT}


def test_the_csv_writes_when_as_the_page_shows_it(client, exports):
    login(client, "province_officer")
    rows = read_csv(client.get(CSV_URL))
    latest = AuditEvent.objects.filter(action="spreadsheets.export_households").latest("pk")
    with translation.override("th"):
        assert rows[1][0] == thaidate.format_datetime(latest.created_at)


def test_a_log_too_long_for_excel_is_asked_for_as_csv(client, exports, monkeypatch):
    monkeypatch.setattr(audit_export, "XLSX_MAX_ROWS", 1)
    login(client, "province_officer")
    response = client.get(XLSX_URL, follow=True)
    assert "CSV" in str(next(iter(response.context["messages"])))
    assert not AuditEvent.objects.filter(action="audit.export").exists()


def test_a_long_log_is_read_a_chunk_at_a_time_in_order(client, personas, monkeypatch):
    monkeypatch.setattr(audit_export, "CHUNK", 2)
    for number in range(5):
        AuditEvent.objects.create(
            actor=personas["province_officer"],
            action="household.update",
            area_code="86010101",
            target_type="households.household",
            target_id=str(number),
        )
    login(client, "province_officer")
    rows = read_csv(client.get(CSV_URL))
    assert [row[8] for row in rows[1:]] == ["4", "3", "2", "1", "0"]  # not its own row


@pytest.mark.parametrize(
    ("params", "status"), [({"since": "31/02/2569"}, 400), ({"who": "nobody"}, 400)]
)
def test_a_file_with_wrong_filters_is_refused_with_the_reason(client, exports, params, status):
    login(client, "auditor")
    response = client.get(CSV_URL, params)
    assert response.status_code == status and response.context["page"] is None
    assert not AuditEvent.objects.filter(action="audit.export").exists()


def test_an_unknown_format_is_missing(client, exports):
    login(client, "auditor")
    assert client.get(reverse("reports:audit_download", args=["pdf"])).status_code == 404


# --- The auditor's export page, and the query count ----------------------------------------


def test_an_auditor_who_only_exports_is_not_offered_imports(client, exports):
    both = gettext("Import & export")
    login(client, "auditor")
    response = client.get(reverse("spreadsheets:home"))
    body = response.content.decode()
    assert both not in body and f"<h1>{EXPORT_ONLY}</h1>" in body
    assert str(EXPORT_ONLY) in [str(item["label"]) for item in response.context["nav_items"]]
    login(client, "province_officer")
    assert both in client.get(URL).content.decode()


@pytest.mark.parametrize("size", [2, 20])
def test_the_log_keeps_its_query_count_whatever_it_names(
    client, personas, django_assert_max_num_queries, size
):
    for number in range(size):
        seat = CommitteeMembershipFactory(volunteer=VolunteerFactory())
        audit_record(
            actor=personas["province_officer"],
            action="committee.seat_end",
            target=seat,
            area_code="8601",
            details={"term_end": "2025-01-31"},
        )
        user_create(actor=personas["province_officer"], username=f"u{number}", password="x" * 12)
        audit_record(
            actor=personas["district_coordinator_a"],
            action="spreadsheets.export_households",
            area_code="8601",
            details={"format": "csv", "rows": 3, "area": "", "scope": ["8601"]},
        )
    login(client, "auditor")
    with django_assert_max_num_queries(13):
        assert client.get(URL).status_code == 200


# --- Who: a user, a command at the server, or the system -------------------------------------


def in_thai(msgid: str) -> str:
    with translation.override("th"):
        return translation.gettext(msgid)


def test_a_command_at_the_server_is_named_with_the_account_that_ran_it(
    client, personas, area_tree, monkeypatch
):
    """grant_access and import_villages have no signed-in user; an import --as one was still
    typed by someone at the server. "The system" is left for rows nobody ran."""
    monkeypatch.setattr("getpass.getuser", lambda: "root")
    call_command("switch_off_user", "district_coordinator_b")
    call_command("export_households", "--as", "district_coordinator_a", "--output", "/dev/null")
    audit_record(actor=None, action="user.sign_in_failed", area_code="86")
    login(client, "province_officer")
    page = client.get(URL)
    whos = {line.event.action: line.who for line in page.context["page"].object_list}
    command = in_thai("server command (%(account)s)") % {"account": "root"}
    coordinator = personas["district_coordinator_a"]
    assert whos == {
        "user.switch_off": command,
        "spreadsheets.export_households": (
            f"{coordinator.display_name} (district_coordinator_a) · {command}"
        ),
        "user.sign_in_failed": in_thai("the system"),
    }
    assert command in page.text
    rows = read_csv(client.get(CSV_URL))
    named = {row[-1]: (row[1], row[2]) for row in rows[1:]}
    assert named["user.switch_off"] == ("", command)
    assert named["spreadsheets.export_households"] == (
        "district_coordinator_a",
        f"{coordinator.display_name} · {command}",
    )


def test_a_citizen_id_typed_as_done_by_leaves_the_address(client, exports):
    """ "Done by" is a login or a name: an ID typed there would stay in the address and the
    browser's history."""
    login(client, "province_officer")
    typed = "3-1012-00123-45-3"
    moved = client.get(URL, {"who": typed, "since": "01/11/2569"})
    assert moved.status_code == 302
    assert "since=" in moved["Location"] and "who" not in moved["Location"]
    page = client.get(moved["Location"])
    assert page.status_code == 200 and typed not in page.text
    assert "ไม่ใช่เลขประจำตัวประชาชน" in page.text
    assert client.get(URL, {"who": "chumphon"}).status_code in (200, 400)  # a login stays
