"""The priority list: what a rescue or relief team takes into a flooded area.

One line per active household of the chosen area that has any of the chosen groups (every
household when none is chosen), most urgent first, with its address (and the shelter it stays
at, when evacuated), GPS point, the phones of
its members, who needs help and the volunteers who look after it. It takes the household
list's filters (households.forms.HouseholdFilterForm) and, unlike that list, several groups at
once ("any of"). It is read on paper, so it is never paged: it stops at RESCUE_CAP lines and
asks to narrow the area instead. The members' health flags are on it, so each print is logged.
"""

from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import BooleanField, ExpressionWrapper, Prefetch, Q
from django.http import QueryDict

from carenet.core.collation import thai_order
from carenet.core.people import age_on, months_on
from carenet.core.services import audit_areas, audit_record_each
from carenet.households import vulnerability
from carenet.households.forms import HouseholdFilterForm
from carenet.households.models import (
    Household,
    HouseholdStatus,
    Person,
    PersonStatus,
    restricted_q,
)
from carenet.households.selectors import (
    Badge,
    HouseholdFilters,
    badges,
    household_queryset,
    shown_groups,
    with_evacuation,
)
from carenet.volunteers.models import Volunteer

RESCUE_CAP = 2000
# Who a boat team must carry out or look after first, whatever groups were asked for.
NEEDS_HELP = ("bedridden_alone", "bedridden", "elderly_alone", "disability", "pregnant", "child")


@dataclass
class RescueFilters:
    households: HouseholdFilters
    groups: list[str]  # any of these; none means every household


def rescue_filters(*, user: Any, data: QueryDict, area_choices: list[tuple[str, str]]) -> Any:
    """The list's filters and the form that read them: the household list's, with every
    group= value kept (the household list keeps only the last). Unknown groups are dropped."""
    form = HouseholdFilterForm(data, area_choices=area_choices)
    chosen = form.filters(user=user)
    known = {code for code, _label in form.fields["group"].choices if code}  # type: ignore[attr-defined]
    groups = list(dict.fromkeys(g for g in data.getlist("group") if g in known))
    # The list is of households still lived in; a search is for finding one household.
    households = replace(chosen, search="", group="", status=HouseholdStatus.ACTIVE)
    return form, RescueFilters(households=households, groups=groups)


@dataclass
class MemberNeed:
    person: Person
    age: int | None
    months: int | None
    groups: list[Badge]


@dataclass
class RescueRow:
    household: Household
    level: str
    head_name: str
    phones: list[Person]  # members with a phone, the head first
    needs: list[MemberNeed]  # members who need help, in the household's order
    household_groups: list[Badge]  # groups of the household as a whole (see _row)
    volunteers: list[Volunteer]
    restricted: bool = False  # a member withdrew consent: the page says what the list is for
    evacuated_to: str = ""  # the shelter it stays at now: where the team finds them
    evacuated_since: date | None = None


@dataclass
class RescueList:
    rows: list[RescueRow]
    count: int  # every matching household, even past the cap

    @property
    def restricted(self) -> bool:
        return any(row.restricted for row in self.rows)

    @property
    def capped(self) -> bool:
        return self.count > len(self.rows)


def _any_group_q(groups: list[str]) -> Q:
    found = Q()
    for group in groups:  # the same exact-element match as the household list's filter
        found |= Q(vulnerability__icontains=f'"{group}"')
    return found


def rescue_list(*, user: Any, filters: RescueFilters, today: date) -> RescueList:
    """At most RESCUE_CAP lines, in four queries whatever their number (five past the cap)."""
    # People who withdrew consent stay on a rescue list (their life or health is what it is
    # for), marked, as the page says; the household export leaves them out.
    members = (
        Person.objects.filter(status=PersonStatus.ACTIVE)
        .annotate(restricted=ExpressionWrapper(restricted_q(), output_field=BooleanField()))
        .order_by("pk")
    )
    volunteers = Volunteer.objects.order_by(*thai_order("first_name"))
    queryset = (
        with_evacuation(household_queryset(user=user, filters=filters.households))
        .filter(_any_group_q(filters.groups))
        .select_related("area__parent", "head")
        .prefetch_related(
            Prefetch("members", queryset=members, to_attr="active_members"),
            Prefetch("volunteers", queryset=volunteers),
        )
    )
    found = list(queryset[: RESCUE_CAP + 1])
    count = len(found) if len(found) <= RESCUE_CAP else queryset.count()
    rows = [_row(h, filters.groups, today) for h in found[:RESCUE_CAP]]
    return RescueList(rows=rows, count=count)


def _row(household: Any, asked: list[str], today: date) -> RescueRow:
    members: list[Person] = household.active_members
    wanted = set(NEEDS_HELP) | set(asked)
    needs = []
    per_person: set[str] = set()
    for person in members:
        groups = [g for g in vulnerability.person_groups(person, today) if g in wanted]
        per_person.update(groups)
        if groups:
            age = age_on(person.birth_date, today)
            months = months_on(person.birth_date, today) if age == 0 else None
            needs.append(MemberNeed(person, age, months, badges(shown_groups(groups))))
    # Groups of no one member ("no working-age adult") are said of the household; children
    # with no adult are, whatever was asked.
    said = dict.fromkeys(("children_alone", *asked))
    whole = [g for g in said if g in household.vulnerability and g not in per_person]
    head = household.head
    phones = sorted((p for p in members if p.phone), key=lambda p: p.pk != household.head_id)
    return RescueRow(
        household=household,
        level=vulnerability.priority_level(household.priority_score),
        head_name=head.full_name if head else (members[0].full_name if members else ""),
        phones=phones,
        needs=needs,
        household_groups=badges(whole),
        volunteers=list(household.volunteers.all()),
        restricted=any(getattr(p, "restricted", False) for p in members),  # annotated
        evacuated_to=household.evacuated_to or "",
        evacuated_since=household.evacuated_since,
    )


@transaction.atomic
def rescue_list_log(*, actor: Any, filters: RescueFilters, result: RescueList) -> None:
    """A printed list of people's health flags and phones: logged, as an export is."""
    codes = [row.household.area_id for row in result.rows] or [filters.households.area]
    audit_record_each(
        areas=audit_areas(codes),
        actor=actor,
        action="household.priority_list",
        details={
            "area": filters.households.area,
            "groups": filters.groups,
            "level": filters.households.level,
            "unserved": filters.households.unserved,
            "evacuated": filters.households.evacuated,
            "at_home": filters.households.at_home,
            "households": len(result.rows),
            "matching": result.count,
        },
    )
