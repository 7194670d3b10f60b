"""An event's target group, as criteria, and the volunteers they produce.

The criteria are kept on the event as JSON so that the list can be produced again (and compared
with who was invited) after volunteers join, leave or get trained. For example:

* every active volunteer at subdistrict level in the province:
  {"area": "86", "committee": "subdistrict"}
* the volunteers of a district with fewer than 3 years of service:
  {"area": "8601", "max_years": 3}
* those of a province not yet trained in child protection:
  {"area": "86", "lacks": "child_protection"}
* those of a district not trained at all in fiscal year 2568 (no session attended, no
  competency granted), as the coverage report's "create an event for this group" asks:
  {"area": "8601", "untrained_fy": 2568}

Beside the criteria, the same JSON keeps the organiser's hand edits to the list: "excluded" holds
the ids of volunteers removed by hand, so that producing the list again does not bring them back
(see services.invitations_build). TargetCriteria ignores that key.

"At subdistrict level" means holding a seat on a subdistrict centre's committee (อพม. ระดับตำบล),
in a term that covers the event's first day.
"""

from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from carenet.areas.models import Level, within
from carenet.core.collation import thai_order
from carenet.core.people import years_before
from carenet.core.thaidate import fiscal_year_bounds
from carenet.training.models import Attendance, CompetencyGrant
from carenet.volunteers.models import CommitteeMembership, Volunteer, VolunteerStatus

COMMITTEE_LEVELS = {
    "province": Level.PROVINCE,
    "district": Level.DISTRICT,
    "subdistrict": Level.SUBDISTRICT,
}
COMMITTEE_CHOICES = [
    ("", _("any volunteer")),
    ("subdistrict", _("subdistrict level (subdistrict centre committee)")),
    ("district", _("district level (district centre committee)")),
    ("province", _("province level (provincial centre committee)")),
    ("any", _("any centre committee")),
]


@dataclass(frozen=True)
class TargetCriteria:
    area: str
    committee: str = ""  # "", "subdistrict", "district", "province" or "any"
    min_years: int | None = None  # years of service since the registration date
    max_years: int | None = None  # fewer than this many years
    lacks: str = ""  # a competency code the volunteer does not hold yet
    untrained_fy: int | None = None  # no training attended nor competency granted in this BE FY

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "TargetCriteria":
        known = {k: data[k] for k in cls.__dataclass_fields__ if k in data}
        return cls(**known)

    def to_json(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v not in ("", None)}


def target_volunteers(criteria: TargetCriteria, on: date) -> QuerySet[Volunteer]:
    """The active volunteers matching the criteria on the given day (the event's first day)."""
    found = Volunteer.objects.filter(within(criteria.area, "area"), status=VolunteerStatus.ACTIVE)
    if criteria.committee:
        seats = CommitteeMembership.objects.filter(
            volunteer=OuterRef("pk"), term_start__lte=on
        ).filter(Q(term_end__isnull=True) | Q(term_end__gte=on))
        if criteria.committee in COMMITTEE_LEVELS:
            seats = seats.filter(centre__area__level=COMMITTEE_LEVELS[criteria.committee])
        found = found.filter(Exists(seats))
    if criteria.min_years is not None:
        found = found.filter(registration_date__lte=years_before(on, criteria.min_years))
    if criteria.max_years is not None:
        found = found.filter(registration_date__gt=years_before(on, criteria.max_years))
    if criteria.lacks:
        valid = CompetencyGrant.objects.filter(
            volunteer=OuterRef("pk"), competency_id=criteria.lacks
        ).filter(Q(expires_on__isnull=True) | Q(expires_on__gte=on))
        found = found.exclude(Exists(valid))
    if criteria.untrained_fy is not None:
        found = found.exclude(trained_in(criteria.untrained_fy))
    return found.order_by("area_id", *thai_order("first_name", "last_name"))


def trained_in(fiscal_year: int) -> Q:
    """Volunteers "trained" in a BE fiscal year: they attended at least one session of an event
    of that year, or were granted a competency during it. Used by the criteria and by the
    coverage report, so that both count the same people."""
    first, last = fiscal_year_bounds(fiscal_year)
    attended = Attendance.objects.filter(
        invitation__volunteer=OuterRef("pk"), session__event__fiscal_year=fiscal_year
    )
    granted = CompetencyGrant.objects.filter(
        volunteer=OuterRef("pk"), granted_on__gte=first, granted_on__lte=last
    )
    return Q(Exists(attended)) | Q(Exists(granted))
