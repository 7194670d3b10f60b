"""Periods of the cases pages: the case list's period in words (its count line, the audit row of
an export), and the links to the periods an officer reports on (this month, last month, the
fiscal year so far), on the case list and the referrals list."""

from collections.abc import Callable
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

from django.utils.translation import gettext as _

from carenet.areas.models import Area
from carenet.cases.models import CaseCategory, CaseStatus, Urgency
from carenet.cases.selectors import CaseFilters
from carenet.core import citizen_id, thaidate


def said(filters: CaseFilters) -> str:
    """ "submitted from 1 พ.ย. 2569 to 30 พ.ย. 2569"; "" without a period."""
    return dates_said(filters.period, filters.since, filters.until)


def dates_said(period: str, since: date | None, until: date | None) -> str:
    """A period of cases submitted, cases closed or referrals sent, in words."""
    if not (since or until):
        return ""
    words = {
        ("submitted", True, True): _("submitted from %(since)s to %(until)s"),
        ("submitted", True, False): _("submitted on or after %(since)s"),
        ("submitted", False, True): _("submitted on or before %(until)s"),
        ("decided", True, True): _("accepted or declined from %(since)s to %(until)s"),
        ("decided", True, False): _("accepted or declined on or after %(since)s"),
        ("decided", False, True): _("accepted or declined on or before %(until)s"),
        ("closed", True, True): _("closed from %(since)s to %(until)s"),
        ("closed", True, False): _("closed on or after %(since)s"),
        ("closed", False, True): _("closed on or before %(until)s"),
        ("sent", True, True): _("sent from %(since)s to %(until)s"),
        ("sent", True, False): _("sent on or after %(since)s"),
        ("sent", False, True): _("sent on or before %(until)s"),
    }[(period, bool(since), bool(until))]
    return words % {"since": thaidate.format_short(since), "until": thaidate.format_short(until)}


def described(filters: CaseFilters) -> str:
    """The filters in words ("Status: closed, Area: อ.เมืองชุมพร, closed from ..."), for the
    audit row of an export. A citizen ID or phone searched for is masked: the audit log is
    read by people who may not read them."""
    parts = []

    def add(label: str, value: str) -> None:
        parts.append(f"{label}: {value}")

    if filters.status:
        add(_("Status"), str(CaseStatus(filters.status).label))
    if filters.category:
        category = CaseCategory.objects.filter(code=filters.category).first()
        add(_("Category"), category.name_th if category else filters.category)
    if filters.area:
        area = Area.objects.filter(code=filters.area).first()
        add(_("Area"), area.label if area else filters.area)
    if filters.urgency:
        add(_("Urgency"), str(Urgency(filters.urgency).label))
    if filters.overdue:
        parts.append(_("Overdue only"))
    if filters.q:
        add(_("Searched for"), citizen_id.mask_searched(filters.q))
    if filters.dated:
        parts.append(said(filters))
    return ", ".join(parts)


def links(
    today: date, query_for: Callable[[date, date], str], current: tuple[Any, Any]
) -> list[dict[str, Any]]:
    """This month, last month and the fiscal year so far: each one's words and query string
    (`query_for` keeps the page's other filters), and whether it is the period shown."""
    first = today.replace(day=1)
    last_month_end = first - timedelta(days=1)
    year = thaidate.fiscal_year(today)
    spans = [
        (_("this month"), first, today),
        (_("last month"), last_month_end.replace(day=1), last_month_end),
        (
            _("fiscal year %(year)s so far") % {"year": year},
            thaidate.fiscal_year_bounds(year)[0],
            today,
        ),
    ]
    return [
        {"label": label, "query": query_for(since, until), "active": current == (since, until)}
        for label, since, until in spans
    ]


def case_links(filters: CaseFilters, today: date) -> list[dict[str, Any]]:
    """The period links of the case list, with its other filters."""

    def query_for(since: date, until: date) -> str:
        return replace(filters, since=since, until=until).as_query()

    return links(today, query_for, (filters.since, filters.until))
