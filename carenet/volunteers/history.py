"""The volunteers' status history read for a day or a period: who was in the network on a
day, who changed status between two days, how old they were.

Every status change is a VolunteerStatusChange with its effective date (a date, in Bangkok:
no time of day). A volunteer's status on a day is that of their latest change effective on or
before it. Two rules keep the history's own quirks out of the figures:

* A change taken back as recorded by mistake (services.volunteer_undo_status) is followed by
  the entry that takes it back, from the same date. For the status on a day, the later entry
  wins, so the mistake never showed. As a change, neither counts: the volunteer wrongly marked
  deceased did not die and come back (`standing_changes`).
* A volunteer registered without a date has their registration entry dated the day it was
  typed, and may have changes from old paper records dated before it. A day's status is the
  latest change other than the registration, and the registration only when there is none.

Volunteers serve a subdistrict; figures by area count them where they serve now.
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import Case, Exists, F, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from carenet.core.people import years_before
from carenet.core.text import said_in_both
from carenet.volunteers.models import (
    IN_NETWORK,
    NETWORK,
    TAKEN_BACK,
    Volunteer,
    VolunteerStatus,
    VolunteerStatusChange,
)

# The kinds of change a period counts, each by the status moved to. Registrations are counted
# by their registration date, which the history's first entry is dated with.
REGISTERED = "registered"
LEFT = "left"  # resigned, removed or died: out of the network
LEAVING = (VolunteerStatus.RESIGNED, VolunteerStatus.REMOVED, VolunteerStatus.DECEASED)
BACK_TO_ACTIVE = VolunteerStatus.ACTIVE
CHANGE_KINDS = {
    REGISTERED: _("registered"),
    VolunteerStatus.INACTIVE: _("became inactive"),
    BACK_TO_ACTIVE: _("became active again"),
    VolunteerStatus.RESIGNED: _("resigned"),
    VolunteerStatus.REMOVED: _("were removed"),
    VolunteerStatus.DECEASED: _("died"),
    LEFT: _("left the network (resigned, were removed or died)"),
}


@dataclass(frozen=True)
class AgeBand:
    key: str
    label: object  # a lazy text
    low: int | None  # years, counted
    high: int | None  # years, not counted


# Age on the day counted. UNKNOWN_AGE: no birth date recorded.
AGE_BANDS = (
    AgeBand("u30", _("under 30"), None, 30),
    AgeBand("30-44", _("30–44"), 30, 45),
    AgeBand("45-59", _("45–59"), 45, 60),
    AgeBand("60+", _("60 and over"), 60, None),
)
UNKNOWN_AGE = "unknown"
AGE_KEYS = (*(band.key for band in AGE_BANDS), UNKNOWN_AGE)
AGE_LABELS = {
    **{band.key: band.label for band in AGE_BANDS},
    UNKNOWN_AGE: _("birth date not recorded"),
}


def age_band_q(key: str, day: date) -> Q:
    """The volunteers whose age on `day` falls in the band `key` (UNKNOWN_AGE: no birth date)."""
    if key == UNKNOWN_AGE:
        return Q(birth_date__isnull=True)
    band = next(band for band in AGE_BANDS if band.key == key)
    found = Q(birth_date__isnull=False)
    if band.low is not None:  # at least `low` years old: born on or before that day
        found &= Q(birth_date__lte=years_before(day, band.low))
    if band.high is not None:  # younger than `high`
        found &= Q(birth_date__gt=years_before(day, band.high))
    return found


def age_band(day: date) -> Case:
    """The age band key of each volunteer on `day`, as an expression."""
    whens = [When(age_band_q(band.key, day), then=Value(band.key)) for band in AGE_BANDS]
    return Case(*whens, default=Value(UNKNOWN_AGE))


def _taking_back() -> Q:
    """The entries that took a change back (their reason starts as services wrote it, in the
    language of whoever acted)."""
    found = Q(pk__in=[])
    for said in said_in_both(TAKEN_BACK):
        prefix = said.split("%(reason)s")[0]
        if prefix:
            found |= Q(reason__startswith=prefix)
    return found


def standing_changes() -> QuerySet[VolunteerStatusChange]:
    """The status changes that stand: not a change taken back as a mistake, nor the entry that
    took it back (the next entry, from the same date, back to the status before)."""
    taking_back = _taking_back()
    undone = VolunteerStatusChange.objects.filter(
        taking_back,
        volunteer_id=OuterRef("volunteer_id"),
        pk__gt=OuterRef("pk"),
        effective_date=OuterRef("effective_date"),
        from_status=OuterRef("to_status"),
        to_status=OuterRef("from_status"),
    )
    return VolunteerStatusChange.objects.exclude(taking_back).exclude(Exists(undone))


def status_on(day: date, of: str = "") -> Coalesce:
    """Each volunteer's status on `day` (after that day's changes), as an expression: "" for
    one not registered yet. A volunteer without any history (none is written without one)
    has their status now from their registration date on. `of` reaches the volunteer
    through a relation ("volunteer__") from another model's rows."""
    history = VolunteerStatusChange.objects.filter(volunteer_id=OuterRef(f"{of}pk"))
    latest = history.filter(effective_date__lte=day).order_by(
        Case(When(from_status="", then=1), default=0), "-effective_date", "-id"
    )
    without_history = Case(
        When(Exists(history), then=Value("")),
        When(**{f"{of}registration_date__gt": day}, then=Value("")),
        default=F(f"{of}status"),
    )
    return Coalesce(Subquery(latest.values("to_status")[:1]), without_history)


def changed_q(kind: str, first: date, last: date) -> Q:
    """The volunteers with a change of `kind` (CHANGE_KINDS) effective from `first` to `last`,
    both days counted; registered: by their registration date, or, for a volunteer
    registered without one, by the day their history starts, as `status_on` counts them in."""
    if kind == REGISTERED:
        started = VolunteerStatusChange.objects.filter(
            volunteer_id=OuterRef("pk"),
            from_status="",
            effective_date__gte=first,
            effective_date__lte=last,
        )
        dated = Q(registration_date__gte=first, registration_date__lte=last)
        return dated | Q(Q(registration_date__isnull=True) & Exists(started))
    changes = standing_changes().filter(
        volunteer_id=OuterRef("pk"),
        to_status__in=LEAVING if kind == LEFT else (kind,),
        effective_date__gte=first,
        effective_date__lte=last,
    )
    return Q(Exists(changes.exclude(from_status="")))


def statuses(status: str) -> tuple[str, ...]:
    """The statuses a status filter keeps: one, or the network's (NETWORK)."""
    return tuple(IN_NETWORK) if status == NETWORK else (status,)


@dataclass(frozen=True)
class HistoryFilter:
    """What the volunteer list keeps by the history, for the links of the figures page: the
    status on a day (`on`, instead of now), a change of a kind in a period, and sex and age
    band (on `on`, or today)."""

    on: date | None = None
    changed: str = ""  # a key of CHANGE_KINDS
    since: date | None = None
    until: date | None = None
    sex: str = ""
    age: str = ""  # a key of AGE_KEYS

    def __bool__(self) -> bool:
        return bool(self.on or self.changed or self.sex or self.age)

    def params(self) -> dict[str, str]:
        """The query string's part that asks for this filter again (ISO dates)."""
        found = {
            "on": self.on.isoformat() if self.on else "",
            "changed": self.changed,
            "since": self.since.isoformat() if self.since and self.changed else "",
            "until": self.until.isoformat() if self.until and self.changed else "",
            "sex": self.sex,
            "age": self.age,
        }
        return {name: value for name, value in found.items() if value}


NO_HISTORY = HistoryFilter()


def with_history(
    queryset: QuerySet[Volunteer], status: str, found: HistoryFilter, today: date
) -> QuerySet[Volunteer]:
    """The volunteers of a status (one, NETWORK or "" for all), now or on `found.on`, narrowed
    by the rest of `found`."""
    if found.on is not None and status:
        queryset = queryset.annotate(status_then=status_on(found.on))
        queryset = queryset.filter(status_then__in=statuses(status))
    elif status:
        queryset = queryset.filter(status__in=statuses(status))
    if found.changed in CHANGE_KINDS and found.since and found.until:
        queryset = queryset.filter(changed_q(found.changed, found.since, found.until))
    if found.sex:
        queryset = queryset.filter(sex=found.sex)
    if found.age in AGE_KEYS:
        queryset = queryset.filter(age_band_q(found.age, found.on or today))
    return queryset
