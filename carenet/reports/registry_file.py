"""The registry in figures (selectors.area_registry) as a CSV or XLSX file, for the report the
province sends on: one row per smaller area and a total row, every figure in its own column.

A file is read without the page's notes beside it, so its first column carries the day the
figures were counted, and a subdistrict whose villages are not loaded reads "not loaded" rather
than a count of villages that would mislead. The download is logged as every export is.
"""

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from carenet.areas.models import Area, Level
from carenet.core import thaidate
from carenet.core.services import audit_record
from carenet.core.tabular import CellType
from carenet.reports.selectors import Registry, RegistryRow

FORMATS = ("csv", "xlsx")
ACTION = "spreadsheets.export_registry"


@dataclass
class RegistryFile:
    headers: list[str]
    rows: list[list[Any]]
    cells: list[CellType]
    filename: str


def _columns(area: Area) -> list[tuple[str, Any]]:
    """(header, the row's figure) in the page's order; subdistricts only where the page shows
    them, for a province."""
    columns: list[tuple[str, Any]] = [
        (_("Active volunteers"), lambda r: r.volunteers),
        (_("Volunteers per 100 households"), lambda r: r.per_100_households),
        (_("Villages"), lambda r: r.villages),
        (_("Villages without an active volunteer"), lambda r: r.uncovered),
        (_("Subdistricts with no villages loaded"), lambda r: r.unloaded),
    ]
    if area.level == Level.PROVINCE:
        columns += [
            (_("Subdistricts"), lambda r: r.subdistricts),
            (_("Subdistricts without an active volunteer"), lambda r: r.unserved_subdistricts),
        ]
    columns += [
        (_("Households looked after"), lambda r: r.households),
        (_("Households with no serving volunteer"), lambda r: r.unserved),
        (_("People"), lambda r: r.people),
        (capfirst(pgettext("registry column", "children")), lambda r: r.children),
        (capfirst(pgettext("registry column", "elderly")), lambda r: r.elderly),
        (capfirst(pgettext("registry column", "with disability")), lambda r: r.disabled),
        (capfirst(pgettext("registry column", "bedridden")), lambda r: r.bedridden),
        (_("Disaster-affected households"), lambda r: r.affected_households),
        (_("Disaster-affected people"), lambda r: r.affected),
    ]
    return columns


def _row(counted_on: str, row: RegistryRow, label: str, columns: list[tuple[str, Any]]) -> list:
    code = row.area.code if row.area is not None else ""
    return [counted_on, label, code, *(figure(row) for _header, figure in columns)]


@transaction.atomic
def registry_file_prepare(
    *, user: Any, area: Area, registry: Registry, fmt: str, today: date
) -> RegistryFile:
    """The file's rows, after logging its download at the area it covers."""
    columns = _columns(area)
    counted_on = thaidate.format_numeric(today)
    rows = [_row(counted_on, row, row.area.label, columns) for row in registry.rows if row.area]
    total_label = _("Total") if registry.rows else area.label
    rows.append(_row(counted_on, registry.total, total_label, columns))
    audit_record(
        actor=user,
        action=ACTION,
        area_code=area.code,
        details={"format": fmt, "rows": len(rows), "area": area.code},
    )
    headers = [_("Counted on"), _("Area"), _("Area code"), *(h for h, _figure in columns)]
    cells = [CellType.TEXT, CellType.TEXT, CellType.TEXT, *(CellType.NUMBER for _c in columns)]
    filename = f"carenet-registry-{area.code}-{thaidate.file_stamp(today)}.{fmt}"
    return RegistryFile(headers, rows, cells, filename)


UNCOVERED_ACTION = "spreadsheets.export_uncovered_villages"


@transaction.atomic
def uncovered_file_prepare(
    *, user: Any, area: Area, villages: list[Area], fmt: str, today: date
) -> RegistryFile:
    """The villages no active volunteer covers, one row each with its subdistrict and
    district, after logging the download. No personal data: places only."""
    audit_record(
        actor=user,
        action=UNCOVERED_ACTION,
        area_code=area.code,
        details={"format": fmt, "rows": len(villages), "area": area.code},
    )
    headers = [_("Village code"), _("Village"), _("Subdistrict"), _("District")]
    rows: list[list[Any]] = []
    for village in villages:
        subdistrict = village.parent
        district = subdistrict.parent if subdistrict is not None else None
        rows.append(
            [
                village.code,
                village.label,
                subdistrict.label if subdistrict is not None else "",
                district.label if district is not None else "",
            ]
        )
    filename = f"carenet-uncovered-villages-{area.code}-{thaidate.file_stamp(today)}.{fmt}"
    return RegistryFile(headers, rows, [CellType.TEXT] * len(headers), filename)
