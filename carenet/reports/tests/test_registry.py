"""The registry in figures on the area and home pages: what is counted, per smaller area and
in all, only inside the user's scope, and never for a volunteer."""

import csv
import io
from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from carenet.areas.models import Area, Level
from carenet.core.models import AuditEvent
from carenet.households.models import HouseholdStatus, PersonStatus
from carenet.households.tests.factories import (
    HouseholdFactory,
    PersonFactory,
    VolunteerFactory,
    assign,
)
from carenet.reports import selectors
from carenet.volunteers.models import VolunteerStatus
from conftest import login

pytestmark = pytest.mark.django_db


@pytest.fixture
def registry(personas):
    """In ต.ท่าตะเภา: one active volunteer covering หมู่ 1 and one who resigned; a served
    household in หมู่ 1 (an elder, a bedridden child, one who died), an unserved one in หมู่ 2
    (a person with disability), a moved one; in ท่าแซะ one served household of one person."""
    today = timezone.localdate()
    serving = VolunteerFactory.create(area_id="860101")
    serving.villages.add("86010101")
    VolunteerFactory.create(area_id="860101", status=VolunteerStatus.RESIGNED).villages.add(
        "86010102"
    )
    served = HouseholdFactory.create(area_id="86010101")
    assign(served, serving)
    PersonFactory.create(household=served, birth_date=date(1950, 5, 1))
    PersonFactory.create(
        household=served, birth_date=today.replace(year=today.year - 5), bedridden=True
    )
    PersonFactory.create(household=served, status=PersonStatus.DECEASED)
    unserved = HouseholdFactory.create(area_id="86010102")
    PersonFactory.create(household=unserved, disability=True)
    moved = HouseholdFactory.create(area_id="86010101", status=HouseholdStatus.MOVED)
    PersonFactory.create(household=moved)
    tha_sae = VolunteerFactory.create(area_id="860201")
    elsewhere = HouseholdFactory.create(area_id="86020101")
    assign(elsewhere, tha_sae)
    PersonFactory.create(household=elsewhere)


def _figures(row):
    names = ["volunteers", "villages", "uncovered", "households", "unserved", "people"]
    names += ["children", "elderly", "disabled", "bedridden"]
    return {name: getattr(row, name) for name in names}


def test_a_province_counts_each_district_and_the_whole(client, registry):
    login(client, "province_officer")
    page = client.get(reverse("reports:area", args=["86"]))
    assert page.status_code == 200
    counted = page.context["registry"]
    mueang, tha_sae = counted.rows
    assert mueang.area.code == "8601"
    assert _figures(mueang) == {
        "volunteers": 1,  # the one who resigned is not counted
        "villages": 3,
        "uncovered": 2,  # หมู่ 2 (its volunteer resigned) and ต.ปากน้ำ's village
        "households": 2,  # the moved one is not
        "unserved": 1,
        "people": 3,  # the deceased and the moved household's member are not
        "children": 1,
        "elderly": 1,
        "disabled": 1,
        "bedridden": 1,
    }
    assert (tha_sae.volunteers, tha_sae.households, tha_sae.uncovered) == (1, 1, 1)
    assert _figures(counted.total)["households"] == 3
    assert counted.total.volunteers == 2 and counted.total.villages == 4
    assert 'data-testid="registry-rows"' in page.text
    assert f"{reverse('households:list')}?area=8601&amp;unserved=on" in page.text


def test_inside_a_subdistrict_each_village_counts_who_covers_it(client, registry):
    login(client, "district_coordinator_a")
    counted = client.get(reverse("reports:area", args=["860101"])).context["registry"]
    first, second = counted.rows
    assert (first.area.code, first.volunteers, first.uncovered) == ("86010101", 1, 0)
    assert (second.volunteers, second.uncovered, second.unserved) == (0, 1, 1)
    assert counted.total.volunteers == 1 and counted.total.uncovered == 1


def test_a_village_page_counts_the_village(client, registry):
    login(client, "district_coordinator_a")
    counted = client.get(reverse("reports:area", args=["86010101"])).context["registry"]
    assert counted.rows == []
    assert (counted.total.volunteers, counted.total.households, counted.total.people) == (1, 1, 2)


def test_the_home_page_opens_on_the_area_of_work(client, registry):
    login(client, "district_coordinator_a")
    home = client.get("/")
    assert home.context["registry"].total.households == 2
    assert 'data-testid="registry"' in home.text
    login(client, "national_admin")  # many provinces: the home page lists them, no figures
    assert client.get("/").context["registry"] is None


def test_figures_stay_inside_the_scope(client, registry):
    login(client, "district_coordinator_b")
    counted = client.get(reverse("reports:area", args=["8602"])).context["registry"]
    assert (counted.total.households, counted.total.people, counted.total.volunteers) == (1, 1, 1)
    assert client.get(reverse("reports:area", args=["86"])).status_code == 404


def test_a_volunteer_gets_no_figures(client, registry):
    login(client, "volunteer_a")
    page = client.get(reverse("reports:area", args=["860101"]))
    assert page.status_code == 200
    assert page.context["registry"] is None
    assert 'data-testid="registry"' not in page.text


def test_anonymous_users_get_no_figures(client, registry):
    response = client.get(reverse("reports:area", args=["86"]))
    assert response.status_code == 302


def test_the_figures_take_the_same_queries_for_a_larger_area(
    registry, personas, django_assert_num_queries
):
    province = Area.objects.get(code="86")
    user = personas["province_officer"]
    today = timezone.localdate()
    selectors.area_registry(user=user, area=province, today=today)  # the user's grants, once
    with django_assert_num_queries(6):
        selectors.area_registry(user=user, area=province, today=today)
    for _ in range(3):
        PersonFactory.create(household=HouseholdFactory.create(area_id="86020101"))
    Area.objects.bulk_create(  # subdistricts whose villages are not loaded
        Area(code=f"8602{n:02d}", level=Level.SUBDISTRICT, name_th=f"ตำบล{n}", parent_id="8602")
        for n in range(10, 40)
    )
    with django_assert_num_queries(6):
        registry = selectors.area_registry(user=user, area=province, today=today)
    assert registry.total.unloaded == 30 and len(registry.unloaded) == selectors.NAMES_SHOWN
    subdistrict = Area.objects.get(code="860101")
    # Its villages, those covered, its households, its people, its own volunteers.
    with django_assert_num_queries(5):
        selectors.area_registry(user=user, area=subdistrict, today=today)


def test_a_printed_page_says_who_printed_it_and_when(client, registry):
    login(client, "province_officer")
    page = client.get(reverse("reports:area", args=["86"])).text
    assert 'data-testid="print-stamp"' in page and "พิมพ์จาก Carenet โดย" in page
    stamp = page.split('data-testid="print-stamp"')[1].split("</p>")[0]
    assert str(timezone.localdate().year + 543) in stamp


def _affected(household, **fields):
    from carenet.households.services import household_recompute

    person = PersonFactory.create(household=household, disaster_affected=True, **fields)
    household_recompute(household=household)
    return person


def test_disaster_affected_households_and_people_match_the_list_filter(client, registry):
    first = HouseholdFactory.create(area_id="86010101")
    _affected(first)
    _affected(first)
    _affected(HouseholdFactory.create(area_id="86010201"))
    gone = HouseholdFactory.create(area_id="86010101", status=HouseholdStatus.MOVED)
    _affected(gone)
    login(client, "district_coordinator_a")
    page = client.get(reverse("reports:area", args=["8601"]))
    counted = page.context["registry"]
    by_code = {row.area.code: row for row in counted.rows}
    assert (by_code["860101"].affected_households, by_code["860101"].affected) == (1, 2)
    assert (by_code["860102"].affected_households, by_code["860102"].affected) == (1, 1)
    assert (counted.total.affected_households, counted.total.affected) == (2, 3)
    assert 'data-testid="registry-affected"' in page.text
    assert 'data-testid="priority-list-link"' in page.text
    for code, row in [("860101", by_code["860101"]), ("8601", counted.total)]:
        listed = client.get(
            reverse("households:list"), {"area": code, "group": "disaster_affected"}
        )
        assert listed.context["page"].paginator.count == row.affected_households


def test_the_home_page_shows_disaster_affected_figures(client, registry):
    _affected(HouseholdFactory.create(area_id="86010101"))
    login(client, "district_coordinator_a")
    page = client.get(reverse("reports:home"))
    assert page.context["registry"].total.affected == 1
    assert "group=disaster_affected" in page.text


# Subdistricts whose villages are not loaded (import_villages comes district by district) ----


def test_a_subdistrict_without_villages_is_counted_apart_not_as_covered(client, registry):
    Area.objects.filter(parent_id="860102").delete()  # ปากน้ำ's village list comes later
    login(client, "province_officer")
    page = client.get(reverse("reports:area", args=["86"]))
    counted = page.context["registry"]
    mueang, tha_sae = counted.rows
    assert (mueang.subdistricts, mueang.unloaded, mueang.unserved_subdistricts) == (2, 1, 1)
    assert (tha_sae.subdistricts, tha_sae.unloaded, tha_sae.unserved_subdistricts) == (1, 0, 0)
    total = counted.total
    assert (total.subdistricts, total.unloaded, total.unserved_subdistricts) == (3, 1, 1)
    assert (total.villages, total.uncovered) == (3, 2)
    assert [a.code for a in counted.unloaded] == ["860102"]
    notice = page.text.split('data-testid="registry-unloaded"')[1].split("</div>")[0]
    assert "ต.ปากน้ำ" in notice and "import_villages" in notice
    assert 'data-testid="registry-unserved-subdistricts"' in page.text
    assert f"{reverse('reports:quality', args=['86'])}#unserved" in page.text
    assert 'data-testid="not-loaded"' in page.text  # เมืองชุมพร's row


def test_a_district_marks_its_subdistrict_without_villages(client, registry):
    Area.objects.filter(parent_id="860102").delete()
    login(client, "district_coordinator_a")
    page = client.get(reverse("reports:area", args=["8601"]))
    rows = {row.area.code: row for row in page.context["registry"].rows}
    assert (rows["860102"].unloaded, rows["860101"].unloaded) == (1, 0)
    row = page.text.split('data-area="860102"')[1].split("</tr>")[0]
    assert 'data-testid="not-loaded"' in row
    login(client, "district_coordinator_b")  # another district sees none of it
    other = client.get(reverse("reports:area", args=["8602"]))
    assert other.context["registry"].total.unloaded == 0
    assert 'data-testid="registry-unloaded"' not in other.text


def test_a_subdistrict_without_villages_counts_its_volunteers(client, registry):
    Area.objects.filter(parent_id="860102").delete()
    VolunteerFactory.create(area_id="860102")
    login(client, "district_coordinator_a")
    page = client.get(reverse("reports:area", args=["860102"]))
    counted = page.context["registry"]
    assert counted.total.volunteers == 1 and counted.total.unserved_subdistricts == 0
    assert counted.total.unloaded == 1 and [a.code for a in counted.unloaded] == ["860102"]
    assert 'data-testid="registry-unloaded"' in page.text
    # No "0 of 0 villages have no volunteer": the figure is not known yet.
    uncovered = page.text.split('data-testid="registry-uncovered">')[1].split("</div>")[0]
    assert uncovered.startswith("—") and "ยังไม่ทราบ" in uncovered


def test_the_home_page_warns_of_subdistricts_without_villages(client, registry):
    """The Ranong case: a province whose village list is only partly imported."""
    Area.objects.filter(parent_id="860102").delete()
    Area.objects.create(code="860103", level=Level.SUBDISTRICT, name_th="บางหมาก", parent_id="8601")
    login(client, "province_officer")
    home = client.get(reverse("reports:home"))
    total = home.context["registry"].total
    assert (total.unloaded, total.subdistricts) == (2, 4)
    assert 'data-testid="registry-unloaded"' in home.text
    login(client, "volunteer_a")  # a volunteer's home is their households: no figures
    assert client.get(reverse("reports:area", args=["860101"])).context["registry"] is None


# --- The download ----------------------------------------------------------------------------


def _download(client, user, code, fmt):
    login(client, user)
    return client.get(reverse("reports:registry_download", args=[code, fmt]))


def test_the_table_downloads_as_csv_with_the_page_figures_and_is_logged(client, registry):
    response = _download(client, "province_officer", "86", "csv")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="carenet-registry-86-')
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    header, *rows = list(csv.reader(io.StringIO(text)))
    column = {name: i for i, name in enumerate(header)}
    assert header[:3] == ["นับ ณ วันที่", "พื้นที่", "รหัสพื้นที่"]
    assert [row[2] for row in rows] == ["8601", "8602", "86"]
    mueang, total = rows[0], rows[-1]
    assert mueang[column["ครัวเรือนที่ดูแล"]] == "2"
    assert mueang[column["หมู่บ้านที่ไม่มี อพม. ที่ปฏิบัติงาน"]] == "2"
    assert total[1] == "รวม" and total[column["ครัวเรือนที่ดูแล"]] == "3"
    assert "ตำบลที่ไม่มี อพม. ที่ปฏิบัติงาน" in header  # a province counts its subdistricts
    event = AuditEvent.objects.get(action="spreadsheets.export_registry")
    assert event.area_code == "86" and event.details == {"format": "csv", "rows": 3, "area": "86"}


def test_the_table_downloads_as_a_workbook_of_numbers(client, registry):
    response = _download(client, "district_coordinator_a", "860101", "xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    header, *rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert "ตำบลที่ไม่มี อพม. ที่ปฏิบัติงาน" not in header  # only a province's table has it
    by_code = {row[2]: row for row in rows}
    village = by_code["86010101"]
    assert village[header.index("อพม. ที่ปฏิบัติงาน")] == 1  # a number, not text
    assert by_code["860101"][1] == "รวม"


def test_a_village_downloads_one_line(client, registry):
    response = _download(client, "district_coordinator_a", "86010101", "csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert len(rows) == 2 and rows[1][2] == "86010101"


@pytest.mark.parametrize(
    "persona,code,status",
    [
        ("district_coordinator_b", "86", 404),  # outside the scope
        ("district_coordinator_b", "8601", 404),
        ("volunteer_a", "860101", 403),
        (None, "86", 302),  # anonymous: sign in first
    ],
)
def test_the_download_keeps_the_scope(client, registry, persona, code, status):
    assert _download(client, persona, code, "csv").status_code == status
    assert not AuditEvent.objects.filter(action="spreadsheets.export_registry").exists()


def test_the_area_page_offers_the_download(client, registry):
    login(client, "district_coordinator_a")
    page = client.get(reverse("reports:area", args=["8601"]))
    assert reverse("reports:registry_download", args=["8601", "xlsx"]) in page.text


# --- The villages with no volunteer, as a file -------------------------------------------------


def test_every_village_with_no_volunteer_downloads_and_is_logged(client, registry):
    login(client, "province_officer")
    page = client.get(reverse("reports:quality", args=["86"]))
    assert reverse("reports:uncovered_download", args=["86", "xlsx"]) in page.text
    response = client.get(reverse("reports:uncovered_download", args=["86", "csv"]))
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    header, *rows = list(csv.reader(io.StringIO(text)))
    assert header[0] == "รหัสหมู่บ้าน" and len(rows) == page.context["q"].uncovered.count
    assert all(row[0].startswith("86") and len(row[0]) == 8 for row in rows)
    event = AuditEvent.objects.get(action="spreadsheets.export_uncovered_villages")
    assert event.details["rows"] == len(rows)


@pytest.mark.parametrize(
    "persona,code,status",
    [("district_coordinator_b", "8601", 404), ("volunteer_a", "860101", 403), (None, "86", 302)],
)
def test_the_villages_file_keeps_the_scope(client, registry, persona, code, status):
    login(client, persona)
    response = client.get(reverse("reports:uncovered_download", args=[code, "csv"]))
    assert response.status_code == status
    assert not AuditEvent.objects.filter(action="spreadsheets.export_uncovered_villages").exists()
