"""The audit log as a CSV or XLSX file: the events the page lists (the same filters, the same
scope), one row each, newest first, in the words the page uses.

The events are read CHUNK at a time, each chunk by a query of its own that starts after the
last event of the one before (the log's order, newest first, is (created_at, id)), with the
names it needs (audit_lines.names_for): memory holds one chunk, and no cursor stays open from
one chunk to the next, however long the log. The file is written the way the registry's
exports are (spreadsheets.exporting: a BOM for Excel, formulas kept as text); in a workbook,
when each event happened is a date and time cell, shown in the Buddhist Era. An XLSX file is
whole before it is sent, so a log longer than XLSX_MAX_ROWS is asked for as CSV.

Exporting the log is itself audited: one row at the reader's audit scope, with the format,
the number of rows and the filters.
"""

from collections.abc import Iterator
from typing import Any

from django.contrib.humanize.templatetags.humanize import intcomma
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from carenet.accounts import access
from carenet.accounts.access import Perm
from carenet.core.models import AuditEvent
from carenet.core.services import audit_areas, audit_record_each
from carenet.reports import audit
from carenet.reports.audit_lines import who
from carenet.spreadsheets.exporting import ListExport

CHUNK = 2000
XLSX_MAX_ROWS = 50_000
FORMATS = ("csv", "xlsx")


def headers() -> list[str]:
    return [
        _("When"),
        _("Username"),
        _("Name"),
        _("Action"),
        _("Details"),
        _("Area"),
        _("Area code"),
        _("Record type"),
        _("Record number"),
        _("Action code"),
    ]


def count(*, user: Any, filters: audit.AuditFilters) -> int:
    return audit.in_scope(user, filters).count()


@transaction.atomic
def log_export_prepare(
    *, user: Any, filters: audit.AuditFilters, fmt: str, described: str, row_count: int
) -> ListExport:
    """Logs the export of the log (at the reader's audit scope) and returns it to write: the
    events logged before it, none written while the file is (its own row included)."""
    logged = audit_record_each(
        areas=audit_areas(access.scope_codes(user, Perm.VIEW_AUDIT)),
        actor=user,
        action="audit.export",
        details={"format": fmt, "rows": row_count, "filters": described},
    )
    queryset = audit.in_scope(user, filters).filter(pk__lt=min(e.pk for e in logged))
    queryset = queryset.select_related("actor")
    return ListExport("audit", fmt, headers(), _rows(queryset), row_count)


def _rows(queryset: QuerySet[AuditEvent]) -> Iterator[list[Any]]:
    for chunk in _chunks(queryset):
        for line in audit.lines(chunk):
            yield _cells(line)


def _chunks(queryset: QuerySet[AuditEvent]) -> Iterator[list[AuditEvent]]:
    """The events, newest first, CHUNK at a time, each chunk read after the last one's end."""
    after = Q()
    while chunk := list(queryset.filter(after)[:CHUNK]):
        yield chunk
        last = chunk[-1]
        after = Q(created_at__lt=last.created_at) | Q(created_at=last.created_at, id__lt=last.id)


def _cells(line: audit.Line) -> list[Any]:
    event = line.event
    actor = event.actor
    return [
        event.created_at,  # a CSV writes it as the page shows it, a workbook as a date and time
        actor.username if actor is not None else "",
        who(event, username=False),
        str(line.label),
        line.said,
        line.where,
        event.area_code,
        event.target_type,
        event.target_id,
        event.action,
    ]


def too_long_for_xlsx(row_count: int) -> str:
    return _(
        "The log you asked for holds %(rows)s events, more than an Excel file takes here "
        "(%(max)s). Download it as CSV, which Excel opens too, or narrow the filters."
    ) % {"rows": intcomma(row_count), "max": intcomma(XLSX_MAX_ROWS)}
