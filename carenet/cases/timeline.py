"""The cases' entries on the household timeline (visits owns the timeline, and may not import
cases): the household's cases, referrals and assistance, one query per kind, each scoped to
the user. A sensitive case the user may not read, and its referrals and assistance, are left
out: on one household's timeline even a restricted entry would say that someone in it was hurt.
CasesConfig.ready() registers these sources."""

from typing import Any

from django.db.models import Q

from carenet.cases.access import cases_visible, details_flag, referrals_visible
from carenet.cases.models import CaseStatus
from carenet.cases.selectors import assistance_visible
from carenet.households.models import Household
from carenet.visits.selectors import TIMELINE_LIMIT, TimelineEntry, register_timeline_source


def case_entries(user: Any, household: Household) -> list[TimelineEntry]:
    found = (
        cases_visible(user)
        .filter(household=household)
        .exclude(Q(status=CaseStatus.DRAFT) & ~Q(filed_by=user.pk))
        .select_related("category", "person")
        .filter(details_flag(user))
        .order_by("-created_at", "-pk")[:TIMELINE_LIMIT]
    )
    return [
        TimelineEntry(
            c.submitted_at or c.created_at,
            "case",
            c,
            template="cases/timeline/_case.html",
        )
        for c in found
    ]


def referral_entries(user: Any, household: Household) -> list[TimelineEntry]:
    found = (
        referrals_visible(user)
        .filter(case__household=household)
        .select_related("case", "agency")
        .filter(details_flag(user, "case_id"))
        .order_by("-sent_at", "-pk")[:TIMELINE_LIMIT]
    )
    return [
        TimelineEntry(
            r.sent_at,
            "referral",
            r,
            template="cases/timeline/_referral.html",
        )
        for r in found
    ]


def assistance_entries(user: Any, household: Household) -> list[TimelineEntry]:
    found = (
        assistance_visible(user)
        .filter(household=household)
        .select_related("case", "person", "assistance_type")
        .filter(details_flag(user, "case_id"))
        .order_by("-approved_at", "-pk")[:TIMELINE_LIMIT]
    )
    return [
        TimelineEntry(
            a.approved_at,
            "assistance",
            a,
            template="cases/timeline/_assistance.html",
        )
        for a in found
    ]


def register() -> None:
    for source in (case_entries, referral_entries, assistance_entries):
        register_timeline_source(source)
