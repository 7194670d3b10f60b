"""The volunteer figures page's tables as one CSV or XLSX file (volunteers.figures).

One row per area of the page and a total row, every figure of both tables in a column. A file
is read without the page's notes beside it, so its headers carry the days each figure counts
and its first column the period. It is written by the exports' own small-table writers
(exporting.csv_table, exporting.xlsx_table), and logged as every export is: who, the area or
their scope, the format, the rows and the period.
"""

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from carenet.accounts import access
from carenet.core import thaidate
from carenet.core.services import audit_areas, audit_record_each
from carenet.volunteers.figures import FIGURES_PERM, MOVES, PROFILE, FigureRow, VolunteerFigures

FORMATS = ("csv", "xlsx")
ACTION = "spreadsheets.export_volunteer_figures"


@dataclass
class FiguresFile:
    fmt: str
    headers: list[str]
    rows: list[list[Any]]
    filename: str


def _headers(figures: VolunteerFigures) -> list[str]:
    dated = {
        "start": _("In the network on %(date)s")
        % {"date": thaidate.format_numeric(figures.period.day_before)},
        "end": _("In the network on %(date)s") % {"date": thaidate.format_numeric(figures.end)},
        "active": _("Active on %(date)s") % {"date": thaidate.format_numeric(figures.end)},
    }
    columns = [dated.get(key, str(label)) for key, label in (*MOVES, *PROFILE)]
    return [_("Period"), _("Area"), _("Area code"), *columns]


def _period_text(figures: VolunteerFigures) -> str:
    """ "พฤศจิกายน 2569 (01/11/2569–30/11/2569)": the days counted."""
    days = f"{thaidate.format_numeric(figures.period.first)}–{thaidate.format_numeric(figures.end)}"
    return f"{figures.period.label} ({days})"


def _row(period: str, row: FigureRow, label: str) -> list[Any]:
    code = row.area.code if row.area is not None else ""
    return [period, label, code, *(row.counts[key] for key, _label in (*MOVES, *PROFILE))]


def _filename(figures: VolunteerFigures, fmt: str) -> str:
    period = figures.period
    if period.month is not None:
        which = f"{period.first.year + thaidate.BE_OFFSET}-{period.first.month:02d}"
    elif period.fiscal_year is not None:
        which = f"fy{period.fiscal_year}"
    else:
        which = f"{thaidate.file_stamp(period.first)}-{thaidate.file_stamp(period.last)}"
    area = f"-{figures.base.code}" if figures.base is not None else ""
    return f"carenet-volunteer-figures{area}-{which}.{fmt}"


@transaction.atomic
def figures_file_prepare(*, user: Any, figures: VolunteerFigures, fmt: str) -> FiguresFile:
    """The file's rows, after logging its download at the area it covers (or at the user's
    scope when no one area was chosen)."""
    period = _period_text(figures)
    rows = [_row(period, row, row.label) for row in figures.rows]
    total_label = _("Total") if figures.rows else figures.total.label
    rows.append(_row(period, figures.total, total_label))
    scope = access.scope_codes(user, FIGURES_PERM)
    base = figures.base
    audit_record_each(
        areas=[base.code] if base is not None else audit_areas(scope),
        actor=user,
        action=ACTION,
        details={
            "format": fmt,
            "rows": len(rows),
            "area": base.code if base is not None else "",
            "scope": scope,
            "filters": period,
        },
    )
    return FiguresFile(fmt, _headers(figures), rows, _filename(figures, fmt))
