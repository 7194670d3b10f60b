"""load_areas: the whole country from geothai, idempotent, renames without duplicates."""

import geothai
import pytest
from django.core.management import call_command

from carenet.areas.models import Area, Level
from carenet.areas.services import areas_load_from_geothai
from carenet.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def level_counts() -> dict[str, int]:
    return {level: Area.objects.filter(level=level).count() for level in Level}


def test_loads_every_province_district_and_subdistrict(capsys):
    call_command("load_areas")
    assert level_counts() == {"province": 77, "district": 928, "subdistrict": 7436, "village": 0}
    chumphon = Area.objects.get(code="86")
    assert (chumphon.name_th, chumphon.name_en) == ("ชุมพร", "Chumphon")
    tha_taphao = Area.objects.get(code="860101")
    assert tha_taphao.name_th == "ท่าตะเภา"
    assert tha_taphao.parent_id == "8601"
    assert tha_taphao.parent.parent_id == "86"
    assert "7436" not in capsys.readouterr().err


def test_running_twice_changes_nothing():
    first = areas_load_from_geothai()
    events = AuditEvent.objects.count()
    second = areas_load_from_geothai()
    assert first.created == 8441
    assert (second.created, second.renamed, second.unchanged) == (0, 0, 8441)
    assert Area.objects.count() == 8441
    assert AuditEvent.objects.count() == events


def test_a_renamed_area_is_updated_in_place():
    areas_load_from_geothai(province_codes=["86"])
    Area.objects.filter(code="860101").update(name_th="ชื่อเก่า", name_en="Old name")
    result = areas_load_from_geothai(province_codes=["86"])
    assert (result.created, result.renamed) == (0, 1)
    assert Area.objects.get(code="860101").name_th == "ท่าตะเภา"
    assert Area.objects.filter(code__startswith="86").count() == 1 + 8 + 70


def test_areas_that_geothai_drops_are_kept(area_tree):
    Area.objects.create(code="869999", level=Level.SUBDISTRICT, name_th="ตำบลเก่า", parent_id="8601")
    areas_load_from_geothai(province_codes=["86"])
    assert Area.objects.filter(code="869999").exists()


def test_villages_are_kept_when_reloading(area_tree):
    areas_load_from_geothai(province_codes=["86"])
    assert Area.objects.filter(level=Level.VILLAGE, code__startswith="86").count() == 4


def test_chumphon_matches_geothai():
    areas_load_from_geothai(province_codes=["86"])
    assert Area.objects.filter(level=Level.DISTRICT, code__startswith="86").count() == len(
        geothai.districts("86")
    )
    assert Area.objects.filter(level=Level.SUBDISTRICT, code__startswith="86").count() == 70


def test_labels_are_written_the_way_thai_forms_write_them():
    areas_load_from_geothai(province_codes=["10", "86"])
    labels = {
        code: Area.objects.get(code=code).label for code in ("1001", "100101", "8601", "860101")
    }
    assert labels == {
        "1001": "เขตพระนคร",  # geothai's name already says เขต
        "100101": "แขวงพระบรมมหาราชวัง",
        "8601": "อ.เมืองชุมพร",
        "860101": "ต.ท่าตะเภา",
    }
