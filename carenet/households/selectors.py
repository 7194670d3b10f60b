"""Reads about households and people, always scoped to the user.

The area scope comes from accounts.access; this module narrows it for volunteers, who see
only the households assigned to them (and the people in those households). Every list and
page goes through `households_visible` / `people_visible`, so counts, search, duplicates and
the merge page obey the very same scope, and a record outside it is a 404 like a missing one.

Lists issue a constant number of queries whatever the page size: the members and volunteers
of a page are fetched with one prefetch each.
"""

import math
import re
import statistics
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from functools import partial
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.core.paginator import Page
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from carenet.accounts import access, disclosure
from carenet.accounts.access import Perm
from carenet.areas.models import Area, Level, within
from carenet.core import citizen_id
from carenet.core.collation import thai_order
from carenet.core.models import AuditEvent
from carenet.core.paging import Paginator
from carenet.core.people import (
    age_on,
    months_on,
    name_key,
    name_matches,
    name_q,
    sounds_like,
    sounds_like_q,
    without_title,
)
from carenet.households import checks, cleaning, vulnerability
from carenet.households.models import (
    Consent,
    Evacuation,
    Household,
    HouseholdAssignment,
    HouseholdStatus,
    Person,
    PersonStatus,
    restricted_q,
    serving_q,
    volunteer_serves,
    with_citizen_id,
    with_document_no,
)
from carenet.volunteers.models import Volunteer, VolunteerStatus

PER_PAGE = 25
MAX_PER_PAGE = 100
# Above this many areas, a select list is no use on a phone; forms take a code instead.
MAX_AREA_CHOICES = 1500
MAX_FILTER_AREAS = 400
PRIORITY_LEVELS = ("high", "medium", "low")
WELFARE_FIELDS = ("welfare_card", "elderly_allowance", "disability_allowance", "newborn_grant")


def today() -> date:
    return timezone.localdate()


# --- Scope ---------------------------------------------------------------------------------


def _assigned_household_ids(user: Any) -> QuerySet[Any, Any]:
    if not getattr(user, "is_authenticated", False):
        return HouseholdAssignment.objects.none().values("household_id")
    return HouseholdAssignment.objects.filter(volunteer__user_id=user.pk).values("household_id")


def household_own_q(user: Any) -> Q:
    """A volunteer's own households: those assigned to them."""
    return Q(pk__in=_assigned_household_ids(user))


def person_own_q(user: Any) -> Q:
    return Q(household_id__in=_assigned_household_ids(user))


def manages_widely(user: Any, area_code: str) -> bool:
    """Whether the user manages every household of the area, not only those assigned to them
    (the coordination centre's work: assigning volunteers, registering for others)."""
    return any(
        g.covers(area_code)
        and Perm.MANAGE_HOUSEHOLDS in access.ROLE_PERMISSIONS[g.role]
        and g.role not in access.OWN_RECORDS_ONLY
        for g in access.grants(user)
    )


def can_manage_household(user: Any, household: Household) -> bool:
    return households_visible(user, Perm.MANAGE_HOUSEHOLDS).filter(pk=household.pk).exists()


def households_visible(user: Any, perm: Perm = Perm.VIEW_HOUSEHOLDS) -> QuerySet[Household]:
    return access.visible_to(user, Household.objects.all(), perm=perm, own=household_own_q(user))


def people_visible(user: Any, perm: Perm = Perm.VIEW_HOUSEHOLDS) -> QuerySet[Person]:
    return access.visible_to(user, Person.objects.all(), perm=perm, own=person_own_q(user))


# --- Presentation rows ---------------------------------------------------------------------


@dataclass(frozen=True)
class Badge:
    code: str
    label: str
    heavy: bool  # weighs much in the priority score: shown in a warmer colour


HEAVY_FROM = 4
LIST_BADGES = 4
# A combination says its parts already: "bedridden, living alone" needs no "bedridden" beside it.
IMPLIED = {
    "bedridden_alone": {"bedridden", "lives_alone"},
    "elderly_alone": {"elderly", "lives_alone"},
    "children_alone": {"child", "no_working_adult"},
}


def shown_groups(groups: list[str]) -> list[str]:
    implied = set().union(*(IMPLIED.get(g, set()) for g in groups))
    return [g for g in groups if g not in implied]


def badges(groups: list[str]) -> list[Badge]:
    return [
        Badge(
            g,
            str(vulnerability.GROUP_LABELS.get(g, g)),
            vulnerability.WEIGHTS.get(g, 0) >= HEAVY_FROM,
        )
        for g in groups
    ]


def field_label(model: Any, name: str) -> str:
    return str(getattr(model._meta.get_field(name), "verbose_name", name))


def welfare_labels(person: Person) -> list[str]:
    return [field_label(Person, n) for n in WELFARE_FIELDS if getattr(person, n)]


def masked_citizen_id(person: Person) -> str:
    """x-xxxx-xxxxx-12-1, worked out here so the plain ID never reaches a template."""
    return citizen_id.masked(person.read_citizen_id()) if person.citizen_id_encrypted else ""


def masked_document_no(person: Person) -> str:
    """A pink card masked as a citizen ID is; any other document no. shows its last three."""
    number = person.document_no
    if len(number) == 13 and number.isdigit():
        return citizen_id.masked(number)
    return "x" * (len(number) - 3) + number[-3:] if len(number) > 4 else "x" * len(number)


@dataclass
class MemberRow:
    person: Person
    groups: list[Badge]
    welfare: list[str]
    masked_id: str
    consent: str  # "active", "withdrawn" or "none"
    age: int | None
    months: int | None = None  # under one year: the age in months ("5 เดือน", not "0 ปี")
    basis: Consent | None = None  # the active consent or lawful basis, newest first


def member_row(person: Person, today: date) -> MemberRow:
    consents = list(person.consents.all())
    active = [c for c in consents if c.is_active]
    consent = "active" if active else "withdrawn" if consents else "none"
    age = age_on(person.birth_date, today)
    return MemberRow(
        person=person,
        groups=badges(shown_groups(vulnerability.person_groups(person, today))),
        welfare=welfare_labels(person),
        masked_id=masked_citizen_id(person),
        consent=consent,
        age=age,
        months=months_on(person.birth_date, today) if age == 0 else None,
        basis=active[0] if active else None,
    )


@dataclass
class HouseholdRow:
    household: Household
    level: str
    groups: list[Badge]  # the weightiest few
    more_groups: int  # how many more are not shown in the list
    head_name: str
    volunteers: list[Volunteer]
    serving: set[int]  # those of them who still serve it (households.models.volunteer_serves)
    evacuated_to: str = ""  # the shelter it stays at now (with_evacuation)
    evacuated_since: date | None = None
    found: list[str] = field(default_factory=list)  # members a name search found, not the head


def household_row(household: Any, found: Callable[[Person], bool] | None = None) -> HouseholdRow:
    groups = shown_groups(household.vulnerability)
    members = household.active_members
    volunteers = list(household.volunteers.all())
    return HouseholdRow(
        household=household,
        level=vulnerability.priority_level(household.priority_score),
        groups=badges(groups[:LIST_BADGES]),
        more_groups=max(0, len(groups) - LIST_BADGES),
        head_name=household.head.full_name if household.head else _first_name_of(members),
        volunteers=volunteers,
        serving={v.pk for v in volunteers if volunteer_serves(v, household.area_id)},
        evacuated_to=getattr(household, "evacuated_to", None) or "",
        evacuated_since=getattr(household, "evacuated_since", None),
        found=[
            _found_name(m)
            for m in getattr(household, "searched_members", members)
            if found and m.pk != household.head_id and found(m)
        ],
    )


# --- Households ----------------------------------------------------------------------------


@dataclass(frozen=True)
class HouseholdFilters:
    search: str = ""
    area: str = ""  # a code at any level
    status: str = HouseholdStatus.ACTIVE  # "" for every status
    group: str = ""
    level: str = ""  # high, medium or low
    unserved: bool = False  # only households no active volunteer of their subdistrict serves
    evacuated: bool = False  # only households staying at a shelter now (models.Evacuation)
    at_home: bool = False  # only households not staying at a shelter now


def _search_q(text: str) -> Q:
    """House no., or every word found in a member's first or last name; a citizen ID, the
    number of another document (a pink card, a passport) or a member's phone number too."""
    text = " ".join(text.split())
    if not text:
        return Q()
    if phone := _phone_typed(text):
        holders = Person.objects.exclude(status=PersonStatus.MERGED).filter(phone=phone)
        return Q(pk__in=holders.values("household_id"))
    if citizen_id.is_valid(text):  # a pink card starting with 6 or 7 may be in either field
        digits = citizen_id.normalize(text)
        by_id = with_citizen_id(citizen_id.lookup_hash(digits)) | with_document_no(digits)
        return Q(pk__in=Person.objects.filter(by_id).values("household_id"))
    people = Person.objects.exclude(status=PersonStatus.MERGED).filter(name_q(text))
    found = _address_q(text.translate(citizen_id.THAI_DIGITS)) | Q(
        pk__in=people.values("household_id")
    )
    if _looks_like_document_no(text):
        holders = Person.objects.exclude(status=PersonStatus.MERGED).filter(
            with_document_no(cleaning.document_key(text))
        )
        found |= Q(pk__in=holders.values("household_id"))
    return found


def _phone_typed(text: str) -> str:
    """The digits of a Thai phone number typed any way (089-111-2222, +66 89 111 2222), as
    phones are stored; "" when the text is not one."""
    try:
        return cleaning.clean_phone(text)
    except ValidationError:
        return ""


def _looks_like_document_no(text: str) -> bool:
    """One word with at least five digits: a passport or card number, not a name or house no."""
    key = cleaning.document_key(text)
    # a card or passport number typed in groups
    grouped = key.isdigit() or citizen_id.LOOKS_LIKE_PASSPORT.fullmatch(text.strip())
    one_word = " " not in text or bool(grouped)
    return one_word and sum(c.isdigit() for c in key) >= 5


def _village_q(text: str) -> Q:
    """Households of a village named in the text, at the house no. typed before its name
    when there is one ("12 บ้านบางกลาง")."""
    words = text.translate(citizen_id.THAI_DIGITS).split()
    house = words[0] if words and any(c.isdigit() for c in words[0]) else ""
    name = " ".join(words[1:] if house else words)
    if len(name) < 3:
        return Q(pk__in=[])
    found = _named_village_q(name)
    return found & Q(house_no__iexact=house) if house else found


# "82/7", "บ้านเลขที่ 82/7", "82/7 หมู่ 3", "82/7 ม.3": a house no., and the หมู่ if typed;
# then the village's name, as a household's page heads it ("บ้านเลขที่ 88 หมู่ 3 บ้านปากลำพู").
_ADDRESS_SEARCH = re.compile(
    r"^(?:(?:บ้าน)?เลขที่\s*)?(\S+?)\s*(?:(?:หมู่(?:ที่)?|ม\.?)\s*(\d{1,2}))?(?:\s+(\S.*))?$"
)
# "หมู่ 1 บ้านบ่อกลาง": a village as the pages write it, with no house no.
_VILLAGE_SEARCH = re.compile(r"^(?:หมู่(?:ที่)?|ม\.?)\s*(\d{1,2})(?:\s+(\S.*))?$")
# "… ต.ท่าตะเภา", "… ตำบลท่าตะเภา อ.เมืองชุมพร": the subdistrict a caller ends an address with
# (the district and province after it say nothing more here).
_SUBDISTRICT_AT_END = re.compile(
    r"(?:^|\s)(?:ต\.|ตำบล)\s*(\S+)(?:\s+(?:อ\.|อำเภอ)\s*\S+)?(?:\s+(?:จ\.|จังหวัด)\s*\S+)?\s*$"
)


def _address_q(text: str) -> Q:
    """A house no. ("34" finds 34 and its sub-numbers 34/1, 34/2, not 340), with its หมู่ and
    village when typed; or a village's name alone ("บ่อกลาง", "บ้านบ่อกลาง"); either ended
    by the subdistrict ("117 หมู่ 1 ต.ท่าตะเภา"), or the subdistrict alone."""
    text = " ".join(text.replace(",", " ").split())  # "117 ม.1, ต.ท่าตะเภา"
    if at_end := _SUBDISTRICT_AT_END.search(text):
        place = _subdistrict_named_q(at_end[1])
        rest = text[: at_end.start()].strip()
        return place & _address_q(rest) if rest else place
    text = re.sub(r"\s*/\s*", "/", text)  # "33 / 5" as 33/5
    text = re.sub(r"^บ้าน\s+(?=\D)", "บ้าน", text)  # "บ้าน นาใต้" as บ้านนาใต้
    if village_typed := _VILLAGE_SEARCH.match(text):
        moo, village = village_typed.groups()
        return Q(moo=int(moo)) & (_named_village_q(village) if village else Q())
    found = _ADDRESS_SEARCH.match(text)
    if found is None:
        return _house_no_q(text)
    house_no, moo, village = found.groups()
    found_q = _house_no_q(house_no) & (Q(moo=int(moo)) if moo else Q())
    if village:  # "34/1 บ้านบ่อกลาง", "34/1 บ่อกลาง", "34/1 ท่าตะเภา" (its subdistrict)
        return found_q & (_named_village_q(village) | _subdistrict_named_q(village))
    if len(text.removeprefix("บ้าน")) >= 3 and not any(c.isdigit() for c in text):
        found_q |= _named_village_q(text) | _subdistrict_named_q(text)
    return found_q


def _subdistrict_named_q(name: str) -> Q:
    """Households of the subdistrict of this name (in its villages, or in it directly)."""
    return Q(area__parent__name_th=name) | Q(area__level=Level.SUBDISTRICT, area__name_th=name)


def _named_village_q(name: str) -> Q:
    """Households in a village whose name holds `name` (with or without its บ้าน)."""
    return Q(area__level=Level.VILLAGE, area__name_th__icontains=name.removeprefix("บ้าน").strip())


def _house_no_q(house_no: str) -> Q:
    return Q(house_no__iexact=house_no) | Q(house_no__istartswith=f"{house_no}/")


def _priority_q(level: str) -> Q:
    if level == "high":
        return Q(priority_score__gte=vulnerability.HIGH_PRIORITY_FROM)
    if level == "medium":
        return Q(
            priority_score__gte=vulnerability.MEDIUM_PRIORITY_FROM,
            priority_score__lt=vulnerability.HIGH_PRIORITY_FROM,
        )
    if level == "low":
        return Q(priority_score__lt=vulnerability.MEDIUM_PRIORITY_FROM)
    return Q()


def household_queryset(*, user: Any, filters: HouseholdFilters) -> QuerySet[Household]:
    queryset = households_visible(user).filter(_search_q(filters.search))
    if filters.area:
        queryset = queryset.filter(within(filters.area, "area"))
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.group:
        # The groups are stored as a JSON list of codes; a quoted code matches one element
        # exactly ("bedridden" does not match "bedridden_alone") on SQLite and PostgreSQL.
        queryset = queryset.filter(vulnerability__icontains=f'"{filters.group}"')
    if filters.level:
        queryset = queryset.filter(_priority_q(filters.level))
    if filters.evacuated:
        queryset = queryset.filter(Exists(_open_evacuations()))
    if filters.at_home:
        queryset = queryset.exclude(Exists(_open_evacuations()))
    if filters.unserved:
        serving = HouseholdAssignment.objects.filter(
            serving_q(OuterRef("area_id")), household_id=OuterRef("pk")
        )
        queryset = queryset.filter(~Exists(serving))
    return queryset.order_by("-priority_score", "area_id", "house_no", "pk")


def _open_evacuations() -> QuerySet[Evacuation]:
    return Evacuation.objects.filter(household_id=OuterRef("pk"), ended_on__isnull=True)


def open_evacuation(household: Household) -> Evacuation | None:
    """The household's stay at a shelter now (an evacuation not ended), with who recorded it."""
    return (
        Evacuation.objects.filter(household=household, ended_on__isnull=True)
        .select_related("recorded_by")
        .first()
    )


def evacuated_now(household: Household) -> bool:
    """Whether the household stays at a shelter now."""
    return Evacuation.objects.filter(household=household, ended_on__isnull=True).exists()


def with_evacuation(queryset: QuerySet[Household]) -> QuerySet[Household]:
    """Adds `evacuated_to` and `evacuated_since`: the shelter a household stays at now and
    since when (None for one at home), read in the same query as the households."""
    open_now = _open_evacuations()
    return queryset.annotate(
        evacuated_to=Subquery(open_now.values("place")[:1]),
        evacuated_since=Subquery(open_now.values("since")[:1]),
    )


def household_list(
    *, user: Any, filters: HouseholdFilters, page: Any = 1, per_page: int = PER_PAGE
) -> Page:
    """One page of HouseholdRow, most urgent first, in a constant number of queries."""
    found = partial(name_matches, filters.search) if filters.search.strip() else None
    return _page_of(household_queryset(user=user, filters=filters), page, per_page, found)


def household_list_sounding_like(
    *, user: Any, filters: HouseholdFilters, page: Any = 1, per_page: int = PER_PAGE
) -> Page | None:
    """The households whose members' names sound like every word searched (name_key), for a
    name search that found nothing spelt that way: one finger leaves off a mark or a silent
    letter ("จินจุฑา" for จินต์จุฑา, "เกียติ" for เกียรติ). None when the search is no name."""
    sounding = sounds_like_q(filters.search)
    if sounding is None:
        return None
    people = Person.objects.exclude(status=PersonStatus.MERGED).filter(sounding)
    queryset = household_queryset(user=user, filters=replace(filters, search="")).filter(
        pk__in=people.values("household_id")
    )
    return _page_of(queryset, page, per_page, partial(sounds_like, filters.search))


def _page_of(
    households: QuerySet[Household],
    page: Any,
    per_page: int,
    found: Callable[[Person], bool] | None = None,
) -> Page:
    per_page = max(1, min(per_page, MAX_PER_PAGE))
    active_members = Person.objects.filter(status=PersonStatus.ACTIVE).order_by("pk")
    queryset = (
        with_evacuation(households)
        .select_related("area__parent", "head")
        .prefetch_related(
            Prefetch("members", queryset=active_members, to_attr="active_members"),
            Prefetch("volunteers", queryset=Volunteer.objects.order_by(*thai_order("first_name"))),
        )
    )
    if found is not None:
        # A search finds a household through a member who moved out or died too: say so.
        searched = Person.objects.exclude(status=PersonStatus.MERGED).order_by("pk")
        queryset = queryset.prefetch_related(
            Prefetch("members", queryset=searched, to_attr="searched_members")
        )
    result = Paginator(queryset, per_page).get_page(page)
    result.object_list = cast(Any, [household_row(h, found) for h in result.object_list])
    return result


def _found_name(person: Person) -> str:
    """A member a search found, with their status when they no longer live there."""
    if person.status == PersonStatus.ACTIVE:
        return person.full_name
    return f"{person.full_name} ({person.get_status_display()})"


def _first_name_of(members: list[Person]) -> str:
    return members[0].full_name if members else ""


MOVE_TARGETS = 20


def move_targets(*, user: Any, person: Person, search: str) -> list[Household]:
    """Active households the user may change, found by house no. (with its หมู่), a
    member's name, or the village ("บ้านบางกลาง", "12 บ้านบางกลาง"): where `person` may move.
    The first MOVE_TARGETS, by address."""
    if not " ".join(search.split()):
        return []
    here = person.household_id if person.status == PersonStatus.ACTIVE else 0
    found = (
        households_visible(user, Perm.MANAGE_HOUSEHOLDS)
        .filter(_search_q(search) | _village_q(search), status=HouseholdStatus.ACTIVE)
        .exclude(pk=here)
        .select_related("area__parent", "head")
        .order_by("area_id", "moo", "house_no", "pk")
    )
    return list(found[:MOVE_TARGETS])


AT_ADDRESS_SHOWN = 5


def at_address(*, user: Any, area: Area, house_no: str, moo: int | None) -> list[Household]:
    """Active households the user can see at this house no. of this village: registering
    another there is most often the same family registered twice."""
    typed, moo = cleaning.house_no_as_stored(house_no, moo)
    if not typed:
        return []
    village = f"{area.code}{moo:02d}" if area.level == Level.SUBDISTRICT and moo else area.code
    found = households_visible(user).filter(
        area_id__in={area.code, village}, house_no__iexact=typed, status=HouseholdStatus.ACTIVE
    )
    return list(found.select_related("head", "area").order_by("pk")[:AT_ADDRESS_SHOWN])


def household_get(*, user: Any, pk: Any, perm: Perm = Perm.VIEW_HOUSEHOLDS) -> Household:
    """One household in scope; 404 for missing and not-yours alike."""
    queryset = Household.objects.select_related("area__parent__parent__parent", "head")
    return access.get_visible_or_404(user, queryset, perm=perm, own=household_own_q(user), pk=pk)


@dataclass
class HouseholdDetail:
    household: Household
    level: str
    groups: list[Badge]
    summary_groups: list[Badge]
    members: list[MemberRow]
    former_members: list[MemberRow]
    assignments: list[HouseholdAssignment]
    address_areas: list[Area]
    looked_after: bool  # by a volunteer still serving (models.volunteer_serves)
    to_check: list[str]  # checks.to_check: worth a second look, not errors
    # Assigned volunteers who now serve another subdistrict (their pks).
    moved_away: set[int] = field(default_factory=set)
    status_changes: list["StatusChange"] = field(default_factory=list)
    evacuation: Evacuation | None = None  # where it stays now, if away from home
    past_evacuations: list[Evacuation] = field(default_factory=list)


EVACUATIONS_SHOWN = 20


def household_detail(*, household: Household, today: date | None = None) -> HouseholdDetail:
    today = today or timezone.localdate()
    people = (
        household.members.exclude(status=PersonStatus.MERGED)
        .prefetch_related(Prefetch("consents", queryset=Consent.objects.order_by("-given_on")))
        .order_by("pk")
    )
    rows = [member_row(p, today) for p in people]
    members = [r for r in rows if r.person.status == PersonStatus.ACTIVE]
    area = household.area
    chain = [area]
    while chain[-1].parent is not None:
        chain.append(chain[-1].parent)
    assignments = list(household.assignments.select_related("volunteer").order_by("assigned_at"))
    open_first = (F("ended_on").desc(nulls_first=True), "-since", "-id")
    evacuations = list(
        household.evacuations.select_related("recorded_by").order_by(*open_first)[
            :EVACUATIONS_SHOWN
        ]
    )
    return HouseholdDetail(
        household=household,
        level=vulnerability.priority_level(household.priority_score),
        groups=badges(household.vulnerability),
        summary_groups=badges(shown_groups(household.vulnerability)),
        members=members,
        former_members=[r for r in rows if r.person.status != PersonStatus.ACTIVE],
        assignments=assignments,
        address_areas=chain,
        moved_away={a.volunteer_id for a in assignments if a.volunteer.area_id != area.code[:6]},
        looked_after=any(volunteer_serves(a.volunteer, area.code) for a in assignments),
        to_check=checks.to_check(members, headless=household.head_id is None),
        status_changes=household_status_changes(household=household),
        evacuation=next((e for e in evacuations if e.ended_on is None), None),
        past_evacuations=[e for e in evacuations if e.ended_on is not None],
    )


@dataclass(frozen=True)
class StatusChange:
    """A change of a household's or a person's status, as its audit record keeps it."""

    when: datetime
    status: str  # the label of the status it took
    reason: str
    by: str
    on: date | None = None  # the day it happened, when told apart from the day recorded


@dataclass(frozen=True)
class EmptyHousehold:
    """An active household nobody lives in any more (the last member died or moved away):
    it stays in the lists and due for visits until someone closes it or marks it moved. The
    page offers both, with the status and reason that fit (never changed by itself)."""

    suggested: str  # HouseholdStatus: closed after a death, moved after a move
    reason: str

    @property
    def choices(self) -> list[tuple[str, str]]:
        """The two statuses offered, the suggested one first, with their buttons' words."""
        both = [
            (HouseholdStatus.CLOSED, _("Close the household")),
            (HouseholdStatus.MOVED, _("Mark it moved away")),
        ]
        return sorted(both, key=lambda choice: choice[0] != self.suggested)


def household_emptied(household: Household, last: Person | None = None) -> EmptyHousehold | None:
    """The offer to close an active household with no member living there, or None. `last`:
    the member whose death or move emptied it, named in the reason."""
    if household.status != HouseholdStatus.ACTIVE or household.member_count:
        return None
    names = {"name": last.full_name} if last is not None else {}
    if last is not None and last.status == PersonStatus.DECEASED:
        return EmptyHousehold(
            HouseholdStatus.CLOSED, _("The last member living here, %(name)s, died.") % names
        )
    if last is not None and last.status == PersonStatus.MOVED:
        return EmptyHousehold(
            HouseholdStatus.MOVED, _("The last member living here, %(name)s, moved away.") % names
        )
    return EmptyHousehold(HouseholdStatus.CLOSED, _("No one lives here any more."))


HOUSEHOLD_STATUS_ACTION = "household.status"


def household_status_events(household: Household) -> QuerySet[AuditEvent]:
    """The audit records of the household's status changes (services.household_set_status
    writes them), newest first."""
    return AuditEvent.objects.filter(
        action=HOUSEHOLD_STATUS_ACTION,
        target_type=household._meta.label_lower,
        target_id=str(household.pk),
    ).order_by("-created_at", "-id")


def household_status_changes(*, household: Household) -> list[StatusChange]:
    """The household's status changes, newest first, with their reasons."""
    events = household_status_events(household).select_related("actor")
    labels = dict(HouseholdStatus.choices)
    return [
        StatusChange(
            when=event.created_at,
            status=str(labels.get(event.details.get("to", ""), event.details.get("to", ""))),
            reason=str(event.details.get("reason", "")),
            by=event.actor.get_full_name() or event.actor.username if event.actor else "",
        )
        for event in events[:50]
    ]


PERSON_HISTORY_ACTIONS = ("person.status", "person.move", "person.merge")


def person_history(*, person: Person) -> list[StatusChange]:
    """What happened to the person's record, newest first: status changes (with the reason
    given), moves between households, records merged into it. One query."""
    events = (
        AuditEvent.objects.filter(
            action__in=PERSON_HISTORY_ACTIONS,
            target_type=person._meta.label_lower,
            target_id=str(person.pk),
        )
        .select_related("actor")
        .order_by("-created_at", "-id")[:50]
    )
    labels = dict(PersonStatus.choices)
    changes = []
    for event in events:
        details = event.details
        if event.action == "person.status":
            what = str(labels.get(details.get("to", ""), details.get("to", "")))
            reason = str(details.get("reason", ""))
        elif event.action == "person.move":
            what = _("moved to another household")
            reason = _("from household no. %(from)s to no. %(to)s") % {
                "from": details.get("from"),
                "to": details.get("to"),
            }
        else:
            what = _("another record merged into this one")
            reason = _("record no. %(no)s") % {"no": details.get("duplicate")}
            if details.get("taken"):
                taken = ", ".join(field_label(Person, name) for name in details["taken"])
                reason += " · " + _("its values kept: %(fields)s") % {"fields": taken}
        by = event.actor.get_full_name() or event.actor.username if event.actor else ""
        on = date.fromisoformat(details["on"]) if details.get("on") else None
        changes.append(
            StatusChange(when=event.created_at, status=what, reason=reason, by=by, on=on)
        )
    return changes


# A household's GPS point this far from the middle of its subdistrict's other points is
# probably wrong: taken at the office, or with a digit mistyped. Subdistricts are rarely
# more than 20 km across.
GPS_FAR_KM = 20
GPS_NEIGHBOURS_MIN = 5  # fewer points say nothing about where the subdistrict is
GPS_NEIGHBOURS_READ = 500


def gps_far_from_neighbours(*, household: Household) -> int | None:
    """How many km the household's point lies from the median point of the other active
    households of its subdistrict, when that is more than GPS_FAR_KM; None otherwise."""
    if household.latitude is None or household.longitude is None:
        return None
    points: list[tuple[Any, Any]] = list(
        Household.objects.filter(
            within(household.area_id[:6], "area"),
            status=HouseholdStatus.ACTIVE,
            latitude__isnull=False,
            longitude__isnull=False,
        )
        .exclude(pk=household.pk)
        .order_by("-pk")
        .values_list("latitude", "longitude")[:GPS_NEIGHBOURS_READ]
    )
    if len(points) < GPS_NEIGHBOURS_MIN:
        return None
    middle = (
        statistics.median(float(p[0]) for p in points),
        statistics.median(float(p[1]) for p in points),
    )
    km = km_between((household.latitude, household.longitude), middle)
    return round(km) if km > GPS_FAR_KM else None


def subdistrict_of(area: Area) -> Area:
    """A household's subdistrict: its area, or the area above its village."""
    return area.parent if area.level == Level.VILLAGE and area.parent is not None else area


def km_between(a: tuple[Any, Any], b: tuple[Any, Any]) -> float:
    """The great-circle distance (haversine), plenty for telling 2 km from 50."""
    lat1, lon1, lat2, lon2 = (math.radians(float(v)) for v in (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371 * math.asin(math.sqrt(h))


@dataclass(frozen=True)
class HandOver:
    """A volunteer and the active households of theirs the user may hand over."""

    giver: Volunteer
    households: list[Household]


def hand_over_get(*, user: Any, pk: int) -> HandOver:
    """A volunteer whose households the user may hand over: one the user's coordination centre
    manages, or one still assigned to households it manages (a volunteer who moved away).
    Anyone else's is a 404. The households come by village and house no."""
    giver = Volunteer.objects.select_related("area").filter(pk=pk).first()
    if giver is None:
        raise Http404
    theirs = (
        households_visible(user, Perm.MANAGE_HOUSEHOLDS)
        .filter(assignments__volunteer=giver, status=HouseholdStatus.ACTIVE)
        .select_related("area", "head")
        .order_by("area_id", "house_no", "pk")
    )
    households = sorted(
        (h for h in theirs if manages_widely(user, h.area_id)),
        key=lambda h: (h.area_id, house_order(h.house_no), h.pk),
    )
    if not households and not manages_widely(user, giver.area_id):
        raise Http404
    return HandOver(giver, households)


def house_order(house_no: str) -> tuple[tuple[int, str], ...]:
    """A house no. as a walk down the village reads it: 37 before 103, 37/2 after 37."""
    return tuple(
        (int(part), "") if part.isdigit() else (-1, part)
        for part in re.findall(r"\d+|\D+", house_no.translate(citizen_id.THAI_DIGITS))
    )


def volunteers_not_covering(*, household: Household) -> list[Volunteer]:
    """The household's active volunteers who cover villages, none of them the household's
    (one moved to another village). A volunteer with no villages listed covers the whole
    subdistrict; a household not at a village is covered by anyone."""
    if household.area.level != Level.VILLAGE:
        return []
    volunteers = (
        household.volunteers.filter(status=VolunteerStatus.ACTIVE)
        .annotate(
            covering=Count("villages"),
            covers_it=Count("villages", filter=Q(villages__code=household.area_id)),
        )
        .filter(covering__gt=0, covers_it=0)
        .order_by("pk")
    )
    return list(volunteers)


def hand_over_takers(*, volunteer: Volunteer, households: list[Household]) -> QuerySet[Volunteer]:
    """Who may take the households: the other active volunteers of their subdistricts (the
    giver's own, unless the giver moved away from them), those who cover the most of the
    households' villages first (`covers` of `of_villages`), then the least busy."""
    subdistricts = {h.area_id[:6] for h in households}
    villages = {h.area_id for h in households}
    covered = (
        Volunteer.villages.through.objects.filter(volunteer=OuterRef("pk"), area_id__in=villages)
        .values("volunteer")
        .annotate(n=Count("pk"))
        .values("n")  # type: ignore[misc]  # the plugin does not see the annotation
    )
    return (
        Volunteer.objects.filter(area_id__in=subdistricts, status=VolunteerStatus.ACTIVE)
        .exclude(pk=volunteer.pk)
        .annotate(
            looks_after=_looks_after(),
            covers=Coalesce(Subquery(covered), 0),
            of_villages=Value(len(villages)),
        )
        .select_related("area")
        .order_by("-covers", "looks_after", "area_id", *thai_order("first_name", "last_name"))
    )


def _looks_after() -> Count:
    return Count("assignments", filter=Q(assignments__household__status=HouseholdStatus.ACTIVE))


def volunteers_to_assign(*, household: Household) -> QuerySet[Volunteer]:
    """Active volunteers serving the household's subdistrict, not yet assigned to it: those who
    cover its village first, the least busy first (each with the households it looks after)."""
    covers = Volunteer.villages.through.objects.filter(
        volunteer=OuterRef("pk"), area_id=household.area_id
    )
    return (
        Volunteer.objects.filter(area_id=household.area_id[:6], status=VolunteerStatus.ACTIVE)
        .exclude(assignments__household=household)
        .annotate(looks_after=_looks_after(), covers_village=Exists(covers))
        .order_by("-covers_village", "looks_after", *thai_order("first_name", "last_name"))
    )


# --- People --------------------------------------------------------------------------------


def person_get(*, user: Any, pk: Any, perm: Perm = Perm.VIEW_HOUSEHOLDS) -> Person:
    """One person in scope; 404 for missing and not-yours alike."""
    queryset = Person.objects.select_related(
        "household__area", "area", "merged_into", "created_by"
    ).prefetch_related(Prefetch("consents", queryset=Consent.objects.select_related(
        "recorded_by", "withdrawn_by").order_by("-given_on", "-pk")))  # fmt: skip
    return access.get_visible_or_404(user, queryset, perm=perm, own=person_own_q(user), pk=pk)


def consent_get(*, user: Any, pk: Any, perm: Perm = Perm.MANAGE_HOUSEHOLDS) -> Consent:
    queryset = Consent.objects.select_related("person__household", "person__area")
    return access.get_visible_or_404(
        user, queryset, perm=perm, own=Q(person__household_id__in=_assigned_household_ids(user)),
        pk=pk,
    )  # fmt: skip


@dataclass
class Candidate:
    person: Person
    reasons: list[str]
    masked_id: str = ""
    same_id: bool = False


@dataclass
class DuplicateCheck:
    candidates: list[Candidate] = field(default_factory=list)
    # The ID belongs to someone the user cannot see: they are told, but not who or where.
    citizen_id_elsewhere: bool = False
    # Someone of the same name and birth date, whom the user cannot see: told the same way.
    name_elsewhere: bool = False
    # Someone the user cannot see who holds the same document no. (or card no.): told so too.
    document_elsewhere: bool = False
    # Records of the same citizen ID that the user may move to another household (views).
    movable: set[int] = field(default_factory=set)
    # Those of them who withdrew consent: their record is kept as it is, not moved (views).
    restricted: set[int] = field(default_factory=set)
    # The user's answers of the day about records outside their scope are used up
    # (accounts.disclosure), and a citizen ID was typed: it cannot be checked, so the person
    # cannot be registered today.
    unchecked_id: bool = False

    def __bool__(self) -> bool:
        return (
            bool(self.candidates)
            or self.citizen_id_elsewhere
            or self.name_elsewhere
            or self.document_elsewhere
            or self.unchecked_id
        )

    @property
    def blocks(self) -> bool:
        """The same citizen ID: it is not another person, whatever the user says."""
        return (
            self.citizen_id_elsewhere
            or self.unchecked_id
            or any(c.same_id for c in self.candidates)
        )


def person_find_duplicates(
    *,
    user: Any,
    first_name: str,
    last_name: str = "",
    birth_date: date | None = None,
    citizen_id_digits: str = "",
    area_code: str = "",
    house_no: str = "",
    document_no: str = "",
    exclude_pk: int | None = None,
    typed: bool = True,
) -> DuplicateCheck:
    """Likely records of the same person, with the reasons, among those the user can see.

    `typed`: the name and ID were typed into a form, not read from a stored record; what is
    told of records outside the user's scope is then counted and logged (accounts.disclosure).

    * the same citizen ID;
    * a name that sounds the same and the same birth date (the first name alone counts:
      women often change their last name when they marry);
    * without a birth date, a whole name that sounds the same in the same subdistrict;
    * the same house no. in the same village, with a first name that sounds the same;
    * the same number of another document (a passport, a pink card): for people without a
      citizen ID, whose names are spelt many ways, the one steady key. A pink card starting
      with 6 or 7 is accepted as a citizen ID too, so a 13-digit number is matched whichever
      of the two fields holds it.

    Two different citizen IDs are two people (twins share a name and a birth date): a record
    with another citizen ID than the one given is never a candidate.
    """
    keys = name_key(first_name, last_name)
    first_key = keys.split("-")[0]
    sounds_like = Q(pk__in=[])
    for key in _first_name_keys(first_name):
        sounds_like |= Q(name_key__startswith=f"{key}-")
    conditions = Q(pk__in=[])
    id_hash = citizen_id.lookup_hash(citizen_id_digits) if citizen_id_digits else ""
    if id_hash:
        conditions |= with_citizen_id(id_hash)
    if first_key and birth_date is not None:
        conditions |= sounds_like & Q(birth_date=birth_date)
    if first_key and birth_date is None and area_code and last_name:
        conditions |= Q(name_key=keys) & within(area_code[:6], "area_id")
    if first_key and area_code and house_no:
        conditions |= sounds_like & Q(
            area_id=area_code,
            household__house_no__iexact=house_no.strip().translate(citizen_id.THAI_DIGITS),
        )
    document_no = cleaning.document_key(document_no)
    numbers = {citizen_id_digits, document_no} - {""}
    doc_hash = citizen_id.lookup_hash(document_no) if citizen_id.is_valid(document_no) else ""
    same_number = _same_number_q(numbers, doc_hash)
    conditions |= same_number
    candidates = (
        people_visible(user)
        .filter(conditions)
        .exclude(status=PersonStatus.MERGED)
        .exclude(pk=exclude_pk or 0)
        .exclude(_another_citizen_id_q(id_hash))
        .select_related("household__area")
        .order_by("pk")[:20]
    )
    result = DuplicateCheck()
    for person in candidates:
        reasons = []
        same_id = bool(id_hash) and person.citizen_id_hash == id_hash
        if same_id:
            reasons.append(_("same citizen ID"))
        if _holds_number(person, numbers, doc_hash):
            reasons.append(_("same document no."))
        if birth_date is not None and person.birth_date == birth_date:
            same_name = (person.first_name, person.last_name) == (
                " ".join(first_name.split()),
                " ".join(last_name.split()),
            )
            if same_name:
                reasons.append(_("same name and birth date"))
            else:
                reasons.append(_("similar name, same birth date"))
        elif birth_date is None and person.name_key == keys:
            reasons.append(_("similar name, same subdistrict"))
        typed_house = house_no.strip().translate(citizen_id.THAI_DIGITS).lower()
        same_house = person.household.house_no.lower() == typed_house
        if area_code and house_no and person.area_id == area_code and same_house:
            reasons.append(_("same address"))
        result.candidates.append(Candidate(person, reasons, masked_citizen_id(person), same_id))
    found_id = bool(id_hash) and any(c.same_id for c in result.candidates)
    if typed and not disclosure.elsewhere_allowed(user):
        result.unchecked_id = bool(id_hash) and not found_id
        return result
    disclosed: Person | None = None
    if id_hash and not found_id:
        taken = Person.objects.filter(with_citizen_id(id_hash)).exclude(pk=exclude_pk or 0)
        disclosed = taken.only("pk").first()
        result.citizen_id_elsewhere = disclosed is not None
    seen = [c.person.pk for c in result.candidates]
    others = (
        Person.objects.exclude(status=PersonStatus.MERGED)
        .exclude(pk__in=[*seen, exclude_pk or 0])
        .exclude(_another_citizen_id_q(id_hash))
        .only("pk")
    )
    by = "citizen_id"
    if numbers and disclosed is None:
        disclosed, by = others.filter(same_number).first(), "document_no"
        result.document_elsewhere = disclosed is not None
    if first_key and birth_date is not None and disclosed is None:
        disclosed, by = (
            others.filter(name_key=keys, birth_date=birth_date).first(),
            "name_and_birth_date",
        )
        result.name_elsewhere = disclosed is not None
    if typed and disclosed is not None:
        disclosure.elsewhere_told(user, by=by, area_code=area_code, record=disclosed)
    return result


def _same_number_q(numbers: set[str], doc_hash: str) -> Q:
    """People holding one of these 13-digit or document numbers as their other document, or
    the typed document no. as their citizen ID (`doc_hash`)."""
    found = Q(pk__in=[])
    for number in numbers:
        found |= with_document_no(number)
    if doc_hash:
        found |= with_citizen_id(doc_hash)
    return found


def _holds_number(person: Person, numbers: set[str], doc_hash: str) -> bool:
    if cleaning.document_key(person.document_no) in numbers:
        return True
    return bool(doc_hash) and person.citizen_id_hash == doc_hash


def _another_citizen_id_q(id_hash: str) -> Q:
    """People with a citizen ID other than `id_hash`: not the same person (none without it)."""
    if not id_hash:
        return Q(pk__in=[])
    return ~Q(citizen_id_hash="") & ~Q(citizen_id_hash=id_hash)


def citizen_id_elsewhere(*, user: Any, digits: str, exclude_pk: int | None = None) -> Person | None:
    """Someone the user cannot see who holds this citizen ID, if anyone does."""
    holders = Person.objects.filter(with_citizen_id(citizen_id.lookup_hash(digits)))
    holders = holders.exclude(pk=exclude_pk or 0)
    return holders.exclude(pk__in=people_visible(user).values("pk")).only("pk").first()


def _first_name_keys(first_name: str) -> set[str]:
    """Sound-alike keys of a first name as typed, and as meant when it carries a title
    ("นางสาวณัฐธิดา", "น.ส.ณัฐธิดา"), the whole name ("ณัฐธิดา ศรีสุขทอง") or a stray space
    ("ณัฐ ธิดา")."""
    untitled = without_title(" ".join(first_name.split()))
    forms = {first_name, untitled, untitled.split(" ")[0], untitled.replace(" ", "")}
    # The silencing mark left out at the end (ศักดิ for ศักดิ์, รินท for รินทร์), the mark a
    # phone keyboard most often misses, or typed where the record lacks it.
    forms |= {form[:-1] if form.endswith(_SILENT) else form + _SILENT for form in forms if form}
    return {key for form in forms if (key := name_key(form, "").split("-")[0])}


_SILENT = "\u0e4c"  # ์ (thanthakhat)


def person_duplicates_of(*, user: Any, person: Person) -> DuplicateCheck:
    """Other records that may be this person (shown to those who can merge them)."""
    return person_find_duplicates(
        user=user,
        first_name=person.first_name,
        last_name=person.last_name,
        birth_date=person.birth_date,
        citizen_id_digits=person.read_citizen_id(),
        area_code=person.area_id,
        house_no=person.household.house_no,
        document_no=person.document_no,
        exclude_pk=person.pk,
        typed=False,
    )


def merge_pair(*, user: Any, survivor_pk: Any, duplicate_pk: Any) -> tuple[Person, Person]:
    """The two records of a merge, both within the user's merge scope (else 404)."""
    first = person_get(user=user, pk=survivor_pk, perm=Perm.MERGE_PEOPLE)
    second = person_get(user=user, pk=duplicate_pk, perm=Perm.MERGE_PEOPLE)
    return first, second


# --- Areas for forms -----------------------------------------------------------------------


def register_area_choices(*, user: Any) -> list[tuple[str, list[tuple[str, str]]]] | None:
    """Villages (and subdistricts, for a village not listed) where the user may register
    households, grouped by subdistrict; None when there are too many for a list."""
    queryset = access.visible_to(
        user,
        Area.objects.filter(level__in=[Level.SUBDISTRICT, Level.VILLAGE]),
        field="code",
        perm=Perm.MANAGE_HOUSEHOLDS,
    )
    areas = list(queryset.select_related("parent").order_by("code")[: MAX_AREA_CHOICES + 1])
    if len(areas) > MAX_AREA_CHOICES:
        return None
    groups: dict[str, list[tuple[str, str]]] = {}
    labels: dict[str, str] = {}
    for area in areas:
        subdistrict = area.code[:6]
        if area.level == Level.SUBDISTRICT:
            labels[subdistrict] = area.label
            groups.setdefault(subdistrict, []).insert(
                0, (area.code, _("%(area)s, village not listed") % {"area": area.label})
            )
        else:
            groups.setdefault(subdistrict, []).append((area.code, area.label))
            if area.parent is not None:
                labels.setdefault(subdistrict, area.parent.label)
    return [(labels.get(code, code), options) for code, options in groups.items()]


def subdistrict_area_choices(*, household: Household) -> list[tuple[str, list[tuple[str, str]]]]:
    """Where a household may move by an edit: its own subdistrict and the villages in it."""
    code = household.area_id[:6]
    areas = Area.objects.filter(within(code)).select_related("parent").order_by("code")
    options = [
        (
            a.code,
            _("%(area)s, village not listed") % {"area": a.label} if a.code == code else a.label,
        )
        for a in areas
    ]
    label = next((a.label for a in areas if a.code == code), code)
    return [(label, options)]


def filter_area_choices(*, user: Any) -> list[tuple[str, str]]:
    """Areas to filter the list by: districts, subdistricts and villages in scope, as many
    levels as fit in a list a phone can scroll."""
    choices: list[tuple[str, str]] = []
    for level in (Level.PROVINCE, Level.DISTRICT, Level.SUBDISTRICT, Level.VILLAGE):
        queryset = access.visible_to(
            user, Area.objects.filter(level=level), field="code", perm=Perm.VIEW_HOUSEHOLDS
        )
        areas = list(queryset.select_related("parent").order_by("code")[: MAX_FILTER_AREAS + 1])
        if len(choices) + len(areas) > MAX_FILTER_AREAS:
            break
        choices.extend((a.code, _area_option(a)) for a in areas)
    choices.sort()
    return choices


def _area_option(area: Area) -> str:
    depth = {Level.PROVINCE: 0, Level.DISTRICT: 1, Level.SUBDISTRICT: 2, Level.VILLAGE: 3}
    return "\u00a0\u00a0" * depth[Level(area.level)] + area.label


def area_in_scope(*, user: Any, code: str, perm: Perm = Perm.VIEW_HOUSEHOLDS) -> Area | None:
    if not code.isdigit() or len(code) not in (2, 4, 6, 8):
        return None
    queryset = access.visible_to(user, Area.objects.filter(code=code), field="code", perm=perm)
    return queryset.first()


def withdrawn_q() -> Q:
    """Households whose living members all withdrew consent (PDPA): a visit there could only
    record something about them, so none is recorded or scheduled. A household where some
    members still consent is visited as usual, about those members."""
    living = Person.objects.filter(household=OuterRef("pk"), status=PersonStatus.ACTIVE)
    return Q(Exists(living)) & ~Q(Exists(living.exclude(restricted_q())))


def household_withdrawn(household: Household) -> bool:
    return Household.objects.filter(withdrawn_q(), pk=household.pk).exists()
