"""Reads for the overview pages: areas in the user's scope, what lies inside them, and how
well each coordination centre's area is covered by volunteers."""

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Substr
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from carenet.accounts import access
from carenet.accounts.access import Perm
from carenet.accounts.models import AreaAssignment
from carenet.areas.models import CODE_LENGTH, Area, Level, within
from carenet.cases.action_list import action_list
from carenet.core.people import years_before
from carenet.households.models import (
    DocumentType,
    Household,
    HouseholdAssignment,
    HouseholdStatus,
    PersonStatus,
    serving_q,
)
from carenet.households.selectors import households_visible, people_visible
from carenet.households.vulnerability import CHILD_UNDER, ELDERLY_FROM
from carenet.privacy.selectors import request_list_open
from carenet.visits.selectors import CONCERN_PERM, concern_counts
from carenet.volunteers.models import Centre, Volunteer, VolunteerStatus
from carenet.volunteers.selectors import subdistricts_checked, with_looks_after


@dataclass
class Waiting:
    title: Any
    count: int
    url: str


# Parts of the action list that are work in hand, not work waiting: not on the home page.
NOT_WAITING = ("working",)


def waiting_for(*, user: Any) -> list[Waiting]:
    """What waits for the user, each part with its count and page: the home page puts it
    first, so that a coordinator on a phone sees the day's work before any figure."""
    found = []
    if access.can(user, Perm.FILE_CASES):
        actions = reverse("cases:actions")
        found += [
            Waiting(s.title, s.count, f"{actions}#{s.key}")
            for s in action_list(user=user).sections
            if s.count and s.key not in NOT_WAITING
        ]
    if access.can(user, CONCERN_PERM):
        open_concerns = concern_counts(user=user)["to_handle"]
        if open_concerns:
            found.append(Waiting(_("Concerns not acknowledged"), open_concerns,
                                 reverse("visits:concerns")))  # fmt: skip
    if access.can(user, Perm.DECIDE_CASES):
        requests = request_list_open(user=user)
        if count := requests.count():
            late = requests.filter(due_on__lt=timezone.localdate()).count()
            title = _("Data subject requests (PDPA) to decide")
            if late:
                title = _("Data subject requests (PDPA) to decide, %(late)s past due") % {
                    "late": late
                }
            found.append(Waiting(title, count, reverse("privacy:open")))
    return found


@dataclass
class FirstStep:
    done: bool
    title: str
    url: str  # where to do it ("" when the user may not)


def first_steps(*, user: Any, area: Area) -> list[FirstStep]:
    """The order of work of a new area's go-live, each step done or not, for those who run it
    (MANAGE_VOLUNTEERS there): empty once every step is done, so the home page shows it only
    while the area is being set up. Giving the coordinators their roles is a step only for
    those who may (MANAGE_USERS: the province). A few existence queries."""
    if not access.can(user, Perm.MANAGE_VOLUNTEERS, area.code):
        return []
    inside = within(area.code, "area")
    villages = Area.objects.filter(parent=OuterRef("code"), level=Level.VILLAGE)
    no_villages = Area.objects.filter(within(area.code), level=Level.SUBDISTRICT).exclude(
        Exists(villages)
    )
    steps = [
        FirstStep(
            not no_villages.exists(),
            _("Load the villages of every subdistrict (manage.py import_villages)"),
            "",
        ),
        FirstStep(
            Centre.objects.filter(inside).exists(),
            _("Open the coordination centres"),
            reverse("volunteers:centre_list"),
        ),
    ]
    if access.can(user, Perm.MANAGE_USERS, area.code):
        below = AreaAssignment.objects.filter(inside).exclude(area_id=area.code)
        steps.append(
            FirstStep(
                below.exists(),
                _("Give the district coordinators their roles"),
                reverse("accounts:users"),
            )
        )
    steps += [
        FirstStep(
            Volunteer.objects.filter(inside).exists(),
            _("Register the volunteers (import the province's list, or one by one)"),
            reverse("spreadsheets:home"),
        ),
        FirstStep(
            Household.objects.filter(inside).exists(),
            _("Register the vulnerable households"),
            reverse("spreadsheets:home"),
        ),
    ]
    return [] if all(step.done for step in steps) else steps


def area_get(*, user: Any, code: str) -> Area:
    """One area inside the user's scope; 404 when missing or outside it."""
    queryset = Area.objects.select_related("parent__parent__parent")
    return access.get_visible_or_404(user, queryset, field="code", code=code)


def area_roots(*, user: Any) -> QuerySet[Area]:
    """The top areas of the user's scope: their assignments' areas, or every province."""
    codes = access.scope_codes(user)
    if access.NATIONAL in codes:
        return Area.objects.filter(level=Level.PROVINCE)
    return Area.objects.filter(code__in=codes)


def area_children(*, area: Area) -> QuerySet[Area]:
    return area.children.annotate(child_count=Count("children")).order_by("code")


def area_counts(*, user: Any, code: str | None = None) -> dict[str, int]:
    """How many areas of each level lie in the user's scope (inside `code`, when given)."""
    queryset = access.visible_to(user, Area.objects.all(), field="code")
    if code:
        queryset = queryset.filter(within(code)).exclude(code=code)
    rows = queryset.values("level").annotate(n=Count("code")).order_by()
    counts = {level.value: 0 for level in Level}
    counts.update({row["level"]: row["n"] for row in rows})
    return counts


def area_ancestors(*, area: Area) -> list[Area]:
    chain = []
    parent = area.parent
    while parent is not None:
        chain.append(parent)
        parent = parent.parent
    return list(reversed(chain))


def grant_list(*, user: Any) -> list[dict[str, Any]]:
    """The user's assignments with their areas, for the home page."""
    grants = access.grants(user)
    areas = Area.objects.in_bulk([g.area_code for g in grants if g.area_code])
    return [
        {"role": g.role, "area": areas.get(g.area_code)}
        for g in sorted(grants, key=lambda g: (access.ROLE_RANK.index(g.role), g.area_code))
    ]


# --- Coordination centres: how well their area is covered -------------------------------


@dataclass
class SubdistrictCoverage:
    area: Area
    villages: list[Area] = field(default_factory=list)  # each with .active_volunteers
    active_volunteers: int = 0
    households: int = 0

    @property
    def uncovered(self) -> list[Area]:
        return [v for v in self.villages if not v.active_volunteers]  # type: ignore[attr-defined]

    @property
    def per_100_households(self) -> float | None:
        return per_100(self.active_volunteers, self.households)


@dataclass
class Coverage:
    subdistricts: list[SubdistrictCoverage]
    villages: int
    uncovered: list[Area]
    active_volunteers: int
    households: int

    @property
    def unloaded(self) -> list[Area]:
        """Subdistricts with no villages loaded: not covered, though no village says so."""
        return [row.area for row in self.subdistricts if not row.villages]

    @property
    def unserved(self) -> list[Area]:
        """Subdistricts no active volunteer serves."""
        return [row.area for row in self.subdistricts if not row.active_volunteers]

    @property
    def all_covered(self) -> bool:
        """Every village has an active volunteer, and every subdistrict has its villages."""
        return bool(self.villages) and not self.uncovered and not self.unloaded

    @property
    def per_village(self) -> float | None:
        # Only the volunteers of subdistricts whose villages are loaded: the others have none.
        # Rounded where it is shown: rounding here first made 61 / 11 = 5.545 show as 5.6.
        serving = sum(row.active_volunteers for row in self.subdistricts if row.villages)
        return serving / self.villages if self.villages else None

    @property
    def per_100_households(self) -> float | None:
        return per_100(self.active_volunteers, self.households)


def per_100(volunteers: int, households: int) -> float | None:
    return round(volunteers * 100 / households, 1) if households else None


def centre_coverage(*, centre: Centre) -> Coverage:
    """How well the centre's area is covered, in four queries whatever its size.

    A village is covered when at least one active volunteer covers it; a subdistrict whose
    villages are not loaded is not covered (`unloaded`). Households are those registered as
    active in the area (moved and closed ones no longer need a volunteer).
    """
    code = centre.area_id
    active = Q(volunteers__status=VolunteerStatus.ACTIVE)
    villages = list(
        Area.objects.filter(within(code), level=Level.VILLAGE)
        .annotate(active_volunteers=Count("volunteers", filter=active))
        .order_by("code")
    )
    subdistricts = {
        a.code: SubdistrictCoverage(area=a)
        for a in Area.objects.filter(within(code), level=Level.SUBDISTRICT)
        .select_related("parent")
        .order_by("code")
    }
    if len(code) == 6 and code not in subdistricts:  # a subdistrict centre
        subdistricts[code] = SubdistrictCoverage(area=centre.area)
    for village in villages:
        if village.parent_id in subdistricts:
            subdistricts[village.parent_id].villages.append(village)
    volunteer_rows = (
        Volunteer.objects.filter(within(code, "area"), status=VolunteerStatus.ACTIVE)
        .values("area_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in volunteer_rows:
        if row["area_id"] in subdistricts:
            subdistricts[row["area_id"]].active_volunteers = row["n"]
    by_area = _active_households(code)
    for area_code, n in by_area.items():
        if area_code[:6] in subdistricts:
            subdistricts[area_code[:6]].households += n
    for village in villages:  # households of a village: those registered at it
        village.households = by_area.get(village.code, 0)  # type: ignore[attr-defined]
        village.per_100_households = per_100(  # type: ignore[attr-defined]
            village.active_volunteers,
            village.households,  # type: ignore[attr-defined]
        )
    rows = list(subdistricts.values())
    return Coverage(
        subdistricts=rows,
        villages=len(villages),
        uncovered=[v for v in villages if not v.active_volunteers],
        active_volunteers=sum(r.active_volunteers for r in rows),
        households=sum(r.households for r in rows),
    )


def _active_households(code: str) -> dict[str, int]:
    """Active households inside `code`, per area they are registered at (a village, or a
    subdistrict whose villages are not loaded), in one grouped query."""
    rows = (
        Household.objects.filter(within(code, "area"), status="active")
        .values("area_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {row["area_id"]: row["n"] for row in rows}


# --- The registry of an area, in figures ----------------------------------------------------


@dataclass
class RegistryRow:
    """One line of an area's registry figures: a smaller area inside it, or the whole."""

    area: Area | None = None  # None on the total line
    volunteers: int = 0  # active
    villages: int = 0
    uncovered: int = 0  # villages no active volunteer covers
    subdistricts: int = 0
    unloaded: int = 0  # subdistricts with no villages loaded: not covered either
    unserved_subdistricts: int = 0  # subdistricts no active volunteer serves
    households: int = 0  # active
    unserved: int = 0  # active households no active volunteer of their subdistrict serves
    people: int = 0  # living in active households
    children: int = 0
    elderly: int = 0
    disabled: int = 0
    bedridden: int = 0
    affected_households: int = 0  # with a disaster-affected member, as the list filter counts
    affected: int = 0  # disaster-affected people

    @property
    def per_100_households(self) -> float | None:
        return per_100(self.volunteers, self.households)

    def add(self, other: "RegistryRow") -> None:
        for name in self.__dataclass_fields__:
            if name != "area":
                setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class Registry:
    rows: list[RegistryRow]  # one per smaller area; none for a village
    total: RegistryRow
    unloaded: list[Area] = field(default_factory=list)  # the first NAMES_SHOWN of total.unloaded


NAMES_SHOWN = 12  # subdistricts named in the registry's notice; the data-check page lists them all


LEVEL_BELOW = {
    Level.PROVINCE: Level.DISTRICT,
    Level.DISTRICT: Level.SUBDISTRICT,
    Level.SUBDISTRICT: Level.VILLAGE,
}


def area_registry(*, user: Any, area: Area, today: date) -> Registry:
    """Volunteers, coverage, households and people of `area`, per smaller area and in all, in
    a constant handful of grouped queries whatever its size, counting only what the user may see."""
    code = area.code
    below = LEVEL_BELOW.get(Level(area.level))
    children = {a.code: RegistryRow(area=a) for a in area.children.order_by("code")}
    total = RegistryRow(area=area)
    rows = children or {code: total}
    length = CODE_LENGTH[below] if below and children else len(code)

    def row_of(area_code: str) -> RegistryRow | None:
        return rows.get(area_code[:length])

    # Volunteers serve a subdistrict: inside one, a village counts those who cover it.
    by_village = area.level in (Level.SUBDISTRICT, Level.VILLAGE)
    _count_villages(code, row_of, volunteers=by_village)
    if not by_village:
        _count_volunteers(user, code, length, row_of)
    _count_households(user, code, length, row_of)
    _count_people(user, code, length, row_of, today)
    unloaded = [] if by_village else _count_subdistricts(code, row_of)
    for row in children.values():
        total.add(row)
    if area.level == Level.SUBDISTRICT:  # its own volunteers, each counted once, villages or not
        total.volunteers = 0
        _count_volunteers(user, code, len(code), lambda _code: total)
        total.subdistricts, total.unloaded = 1, int(not children)
        total.unserved_subdistricts = int(not total.volunteers)
        unloaded = [] if children else [area]
    return Registry(rows=list(children.values()), total=total, unloaded=unloaded[:NAMES_SHOWN])


def _count_subdistricts(code: str, row_of: Any) -> list[Area]:
    """Counts the subdistricts, those without villages and those without an active volunteer;
    returns those without villages."""
    found = (
        subdistricts_checked(within(code))
        .only("code", "level", "name_th", "name_en")
        .order_by("code")
    )
    unloaded = []
    for subdistrict in found:
        if row := row_of(subdistrict.code):
            row.subdistricts += 1
            row.unloaded += not subdistrict.has_villages  # type: ignore[attr-defined]
            row.unserved_subdistricts += not subdistrict.has_volunteer  # type: ignore[attr-defined]
        if not subdistrict.has_villages:  # type: ignore[attr-defined]
            unloaded.append(subdistrict)
    return unloaded


def _villages_covered(code: str) -> QuerySet[Any]:
    """The villages inside `code`, each with `n`: the active volunteers who cover it."""
    covering = Count("volunteers", filter=Q(volunteers__status=VolunteerStatus.ACTIVE))
    return Area.objects.filter(within(code), level=Level.VILLAGE).annotate(n=covering)


def _count_villages(code: str, row_of: Any, *, volunteers: bool) -> None:
    found = _villages_covered(code).values_list("code", "n")
    for village_code, n in found:
        if row := row_of(village_code):
            row.villages += 1
            row.uncovered += not n
            row.volunteers += n if volunteers else 0


def _count_volunteers(user: Any, code: str, length: int, row_of: Any) -> None:
    visible = access.visible_to(user, Volunteer.objects.all(), perm=Perm.VIEW_VOLUNTEERS)
    found = (
        visible.filter(within(code, "area"), status=VolunteerStatus.ACTIVE)
        .annotate(part=Substr("area_id", 1, length))
        .values("part")
        .annotate(n=Count("id"))
        .order_by()
    )
    for line in found:
        if row := row_of(line["part"]):
            row.volunteers += line["n"]


# The households' groups are a JSON list of codes; the quoted code matches the element exactly,
# as the household list's group filter does (households.selectors.household_queryset).
AFFECTED = '"disaster_affected"'


def _serving() -> QuerySet[HouseholdAssignment]:
    """A household's assignments to a volunteer who serves it (households.models.serving_q),
    for an Exists() in a query of households."""
    return HouseholdAssignment.objects.filter(
        serving_q(OuterRef("area_id")), household_id=OuterRef("pk")
    )


def _count_households(user: Any, code: str, length: int, row_of: Any) -> None:
    serving = _serving()
    found = (
        households_visible(user)
        .filter(within(code, "area"), status=HouseholdStatus.ACTIVE)
        .annotate(part=Substr("area_id", 1, length), served=Exists(serving))
        .values("part")
        .annotate(
            n=Count("id"),
            unserved=Count("id", filter=Q(served=False)),
            affected=Count("id", filter=Q(vulnerability__icontains=AFFECTED)),
        )
        .order_by()
    )
    for line in found:
        if row := row_of(line["part"]):
            row.households += line["n"]
            row.unserved += line["unserved"]
            row.affected_households += line["affected"]


def _count_people(user: Any, code: str, length: int, row_of: Any, today: date) -> None:
    adult_born_by = years_before(today, CHILD_UNDER)
    elderly_born_by = years_before(today, ELDERLY_FROM)
    found = (
        people_visible(user)
        .filter(
            within(code, "area"),
            status=PersonStatus.ACTIVE,
            household__status=HouseholdStatus.ACTIVE,
        )
        .annotate(part=Substr("area_id", 1, length))
        .values("part")
        .annotate(
            n=Count("id"),
            children=Count("id", filter=Q(birth_date__gt=adult_born_by)),
            elderly=Count("id", filter=Q(birth_date__lte=elderly_born_by)),
            disabled=Count("id", filter=Q(disability=True)),
            bedridden=Count("id", filter=Q(bedridden=True)),
            affected=Count("id", filter=Q(disaster_affected=True)),
        )
        .order_by()
    )
    for line in found:
        if row := row_of(line["part"]):
            row.people += line["n"]
            row.children += line["children"]
            row.elderly += line["elderly"]
            row.disabled += line["disabled"]
            row.bedridden += line["bedridden"]
            row.affected += line["affected"]


# --- Data to check, in an area ---------------------------------------------------------------

QUALITY_SHOWN = 25
OLDEST_LIKELY = 110  # older than this, a birth date is most likely mistyped


@dataclass
class QualityList:
    """Records of one kind to check: the first QUALITY_SHOWN, and how many in all."""

    items: list[Any]
    count: int


@dataclass
class DataQuality:
    headless: QualityList  # active households with no head of household
    too_old: QualityList  # people in active households born more than OLDEST_LIKELY years ago
    twins: QualityList  # pairs of records with the same name key and birth date
    id_unknown: QualityList  # Thai citizens whose ID was not known yet when registered
    without_gps: int  # active households with no GPS point
    idle_volunteers: int  # active volunteers who look after no household
    unserved_households: int  # active households no active volunteer of theirs serves
    unloaded: QualityList  # subdistricts with no villages loaded
    unserved: QualityList  # subdistricts no active volunteer serves
    uncovered: QualityList  # villages no active volunteer covers


def _first(queryset: QuerySet[Any]) -> QualityList:
    items = list(queryset[: QUALITY_SHOWN + 1])
    count = len(items) if len(items) <= QUALITY_SHOWN else queryset.count()
    return QualityList(items[:QUALITY_SHOWN], count)


def data_quality(*, user: Any, area: Area, today: date) -> DataQuality:
    """What a province or centre should check in its register, inside `area` and the user's
    scope: each kind in a query or two, whatever the area's size."""
    code = area.code
    households = households_visible(user).filter(within(code, "area"), status="active")
    people = people_visible(user).filter(
        within(code, "area"), status=PersonStatus.ACTIVE, household__status="active"
    )
    headless = (
        households.filter(head__isnull=True)
        .select_related("area__parent")
        .order_by("area_id", "pk")
    )
    too_old = (
        people.filter(birth_date__lt=years_before(today, OLDEST_LIKELY))
        .select_related("household__area")
        .order_by("birth_date", "pk")
    )
    id_unknown = (
        people.filter(document_type=DocumentType.ID_UNKNOWN, citizen_id_hash="")
        .select_related("household__area")
        .order_by("pk")
    )
    unloaded, unserved = _subdistrict_gaps(code)
    return DataQuality(
        headless=_first(headless),
        too_old=_first(too_old),
        twins=_twins(people),
        id_unknown=_first(id_unknown),
        without_gps=households.filter(latitude__isnull=True).count(),
        idle_volunteers=_idle_volunteers(user, code),
        unserved_households=households.exclude(Exists(_serving())).count(),
        unloaded=unloaded,
        unserved=unserved,
        uncovered=_first(_uncovered_villages(code)),
    )


def uncovered_villages(*, area: Area) -> QuerySet[Area]:
    """Every village inside the area that no active volunteer covers (the check page lists the
    first of them), for the file the centre works through."""
    return _uncovered_villages(area.code)


def _uncovered_villages(code: str) -> QuerySet[Area]:
    """The villages inside `code` that no active volunteer covers, as the registry counts
    them (_count_villages), with their subdistrict and district."""
    return _villages_covered(code).filter(n=0).select_related("parent__parent").order_by("code")


def _subdistrict_gaps(code: str) -> tuple[QualityList, QualityList]:
    """The subdistricts with no villages loaded, and those no active volunteer serves, in one
    query: a province has a few hundred subdistricts at most."""
    found = list(
        subdistricts_checked(within(code), gaps_only=True).select_related("parent").order_by("code")
    )
    unloaded = [a for a in found if not a.has_villages]  # type: ignore[attr-defined]
    unserved = [a for a in found if not a.has_volunteer]  # type: ignore[attr-defined]
    return (
        QualityList(unloaded[:QUALITY_SHOWN], len(unloaded)),
        QualityList(unserved[:QUALITY_SHOWN], len(unserved)),
    )


def _twins(people: QuerySet[Any]) -> QualityList:
    """Pairs of living records with the same sound-alike name and birth date: most are one
    person registered twice (the merge page decides). Not records that all have a citizen ID:
    two different IDs are two people (twins), and the same ID cannot be stored twice."""
    keys = (
        people.exclude(name_key="")
        .filter(birth_date__isnull=False)
        .values("name_key", "birth_date")
        .annotate(n=Count("id"), without_id=Count("id", filter=Q(citizen_id_hash="")))
        .filter(n__gt=1, without_id__gt=0)
        .order_by("name_key", "birth_date")
    )
    count = keys.count()
    wanted = list(keys[:QUALITY_SHOWN])
    if not wanted:
        return QualityList([], 0)
    match = Q()
    for key in wanted:
        match |= Q(name_key=key["name_key"], birth_date=key["birth_date"])
    found: dict[tuple[str, date], list[Any]] = {}
    for person in people.filter(match).select_related("household__area").order_by("pk"):
        found.setdefault((person.name_key, person.birth_date), []).append(person)
    # One of a pair without an ID: with one each, they would be two people.
    pairs = [sorted(group, key=lambda p: p.citizen_id_hash != "")[:2] for group in found.values()]
    return QualityList([pair for pair in pairs if len(pair) > 1], count)


def _idle_volunteers(user: Any, code: str) -> int:
    visible = access.visible_to(user, Volunteer.objects.all(), perm=Perm.VIEW_VOLUNTEERS)
    active = visible.filter(within(code, "area"), status=VolunteerStatus.ACTIVE)
    return with_looks_after(active).filter(Q(looks_after=0)).count()
