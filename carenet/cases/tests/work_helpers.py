"""Helpers for the tests of working a case (lists, action lists, the case page)."""

from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from carenet.cases.models import Case, CaseStatus
from carenet.cases.tests.factories import CaseFactory

S = CaseStatus
NOW = timezone.make_aware(datetime(2026, 3, 2, 10, 0))


def case_in(area: str = "86010101", **kwargs: Any) -> Case:
    """A case about a new person in a household of `area` (a village code)."""
    return CaseFactory.create(person__household__area_id=area, **kwargs)


def waiting(
    status: str, *, filed_by: Any, hours_ago: float = 1, area: str = "86010101", **kw: Any
) -> Case:
    """A case submitted `hours_ago` and waiting at `status` since then."""
    at = kw.pop("now", NOW) - timedelta(hours=hours_ago)
    return case_in(
        area, status=status, filed_by=filed_by, submitted_at=at, status_changed_at=at, **kw
    )
