"""Writes of areas: loading the official list from geothai, and adding villages."""

from dataclasses import dataclass

import geothai
from django.db import transaction

from carenet.areas.models import Area, Level
from carenet.core.services import audit_record


@dataclass
class LoadResult:
    created: int = 0
    renamed: int = 0
    unchanged: int = 0


def _official_areas() -> list[Area]:
    """Every province, district and subdistrict in geothai, parents before children."""
    rows: list[Area] = []
    for province in geothai.provinces():
        rows.append(
            Area(
                code=province.code,
                level=Level.PROVINCE,
                name_th=province.name_th,
                name_en=province.name_en,
            )
        )
        for district in geothai.districts(province.code):
            rows.append(
                Area(
                    code=district.code,
                    level=Level.DISTRICT,
                    name_th=district.name_th,
                    name_en=district.name_en,
                    parent_id=province.code,
                )
            )
            for sub in geothai.subdistricts(district.code):
                rows.append(
                    Area(
                        code=sub.code,
                        level=Level.SUBDISTRICT,
                        name_th=sub.name_th,
                        name_en=sub.name_en,
                        parent_id=district.code,
                    )
                )
    return rows


@transaction.atomic
def areas_load_from_geothai(
    *, actor: object = None, province_codes: list[str] | None = None
) -> LoadResult:
    """Adds the official areas that are missing and renames those geothai now names otherwise.

    Nothing is deleted: an area that a later geothai release drops may still be referred to by
    records, so it stays. Running this twice changes nothing the second time.
    """
    official = _official_areas()
    if province_codes:
        official = [a for a in official if a.code[:2] in province_codes]
    existing = {
        code: (name_th, name_en)
        for code, name_th, name_en in Area.objects.exclude(level=Level.VILLAGE).values_list(
            "code", "name_th", "name_en"
        )
    }
    result = LoadResult()
    to_create: list[Area] = []
    to_rename: list[Area] = []
    for area in official:
        names = existing.get(area.code)
        if names is None:
            to_create.append(area)
        elif names != (area.name_th, area.name_en):
            to_rename.append(area)
        else:
            result.unchanged += 1
    Area.objects.bulk_create(to_create, batch_size=1000)
    Area.objects.bulk_update(to_rename, ["name_th", "name_en"], batch_size=1000)
    result.created, result.renamed = len(to_create), len(to_rename)
    if to_create or to_rename:
        audit_record(
            actor=actor,
            action="areas.load",
            details={
                "geothai": geothai.DATA_VERSION,
                "created": result.created,
                "renamed": result.renamed,
            },
        )
    return result
