"""Follow-up planning: the visit cadence of a province and the monthly targets of an area.

The cadence (FollowUpPolicy) says how many days after a visit the next one falls due, by the
risk found; it belongs to a province, so only someone whose scope covers the whole province sets
it. A new cadence moves the due dates of the province's households at once, from their last
visit. Targets (VisitTarget) belong to any
area; the monthly summary compares each volunteer and area with the nearest target above them.
"""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from carenet.accounts import access
from carenet.accounts.access import Perm
from carenet.areas.models import Area, Level, within
from carenet.core.services import audit_record
from carenet.households.models import Household
from carenet.visits import services
from carenet.visits.models import FollowUpPolicy, VisitTarget

MAX_DAYS = 365
# Far above what any province could reach in a month (a large one has about a million
# households), and far inside the column: a typo or a pasted number is refused, not stored.
MAX_HOUSEHOLDS = 1_000_000  # per month
MAX_VISITS = 200  # per volunteer per month


def _require(actor: Any, area: Area) -> None:
    if not access.can(actor, Perm.PLAN_FOLLOWUP, area.code):
        raise PermissionDenied


@transaction.atomic
def follow_up_policy_set(
    *, actor: Any, province: Area, urgent_days: int, watch_days: int, normal_days: int
) -> FollowUpPolicy:
    _require(actor, province)
    if province.level != Level.PROVINCE:
        raise ValidationError(_("The visit cadence is set for a whole province."))
    if not 1 <= urgent_days <= watch_days <= normal_days <= MAX_DAYS:
        raise ValidationError(
            _("Days must run from urgent to watch to normal, between 1 and %(max)d.")
            % {"max": MAX_DAYS}
        )
    policy, _created = FollowUpPolicy.objects.update_or_create(
        area=province,
        defaults={"urgent_days": urgent_days, "watch_days": watch_days, "normal_days": normal_days},
    )
    visited = Household.objects.filter(
        within(province.code, "area"), last_visit_at__isnull=False
    ).values_list("pk", flat=True)
    moved = services.follow_up_reschedule_many(household_ids=visited)
    audit_record(
        actor=actor,
        action="followup.policy_set",
        target=policy,
        area_code=province.code,
        details={
            "urgent": urgent_days,
            "watch": watch_days,
            "normal": normal_days,
            "households_moved": moved,
        },
    )
    return policy


@transaction.atomic
def visit_target_set(
    *, actor: Any, area: Area, households_per_month: int, visits_per_volunteer_per_month: int
) -> VisitTarget:
    _require(actor, area)
    errors = {
        name: _("Write a whole number from 0 to %(max)s.") % {"max": f"{high:,}"}
        for name, value, high in (
            ("households_per_month", households_per_month, MAX_HOUSEHOLDS),
            ("visits_per_volunteer_per_month", visits_per_volunteer_per_month, MAX_VISITS),
        )
        if not 0 <= value <= high
    }
    if errors:
        raise ValidationError(errors)
    target, _created = VisitTarget.objects.update_or_create(
        area=area,
        defaults={
            "households_per_month": households_per_month,
            "visits_per_volunteer_per_month": visits_per_volunteer_per_month,
        },
    )
    audit_record(
        actor=actor,
        action="followup.target_set",
        target=target,
        area_code=area.code,
        details={
            "households_per_month": households_per_month,
            "visits_per_volunteer_per_month": visits_per_volunteer_per_month,
        },
    )
    return target
