"""Reads about volunteers and centres, always scoped to the user who asks.

Volunteers are scoped by the subdistrict they serve. A volunteer's own grant is narrowed to
their own record (`own=Q(user=user)`), so an อพม. sees themselves and nobody else; the other
roles see every volunteer of their area. Centres are scoped by the centre's area, and are not
shown to volunteers at all: a centre page lists the volunteers of a whole district.

Each list runs a fixed number of queries whatever its length: the related rows a page shows are
joined or prefetched here, and counts come from grouped queries, never from a loop.
"""

import re
from collections.abc import Iterable
from contextlib import suppress
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import groupby
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Replace
from django.utils import timezone

from carenet.accounts import access
from carenet.accounts.access import Perm
from carenet.accounts.models import User
from carenet.areas.models import Area, Level, within
from carenet.core import citizen_id
from carenet.core.collation import thai_order
from carenet.core.people import clean_name, name_key, name_q, without_title
from carenet.core.text import INVISIBLE, THAI_DIGITS
from carenet.volunteers.history import NO_HISTORY, HistoryFilter, with_history
from carenet.volunteers.models import (
    IN_NETWORK,
    NETWORK,
    POSITION_ORDER,
    SINGLE_SEATS,
    Centre,
    CommitteeMembership,
    Position,
    Volunteer,
    VolunteerStatus,
    VolunteerStatusChange,
)
from carenet.volunteers.services import check_registration_no

PHONE_QUERY = re.compile(r"^[\d\s\-+().]+$")
AREA_CODE = re.compile(r"^\d{2}(?:\d{2}){0,3}$")
# A filter select with more options than this is unusable on a phone; wide scopes get
# provinces and districts only.
AREA_OPTION_LIMIT = 400


def _scoped(user: Any, perm: Perm = Perm.VIEW_VOLUNTEERS) -> QuerySet[Volunteer]:
    return access.visible_to(user, Volunteer.objects.all(), perm=perm, own=Q(user=user))


ORDERS = {
    "": ("area_id", *thai_order("first_name", "last_name"), "id"),
    "name": (*thai_order("first_name", "last_name"), "id"),
    "registered": (F("registration_date").desc(nulls_last=True), "-id"),
    "most_households": ("-looks_after", "area_id", *thai_order("first_name", "last_name"), "id"),
    "fewest_households": ("looks_after", "area_id", *thai_order("first_name", "last_name"), "id"),
}

# The workload filter: "none", "some" (one or more), or a number as text: that many or more.
NO_HOUSEHOLD, SOME_HOUSEHOLDS = "none", "some"


def looks_after() -> Coalesce:
    """How many active households a volunteer looks after, as an expression on Volunteer: one
    subquery per row, so that it adds no query to a page and joins nothing the list counts
    besides (villages). The assignments are read through the relation's own table, since
    households sit below this app."""
    assignments = Volunteer.households.through.objects.filter(
        volunteer=OuterRef("pk"), household__status="active"
    )
    counted = assignments.order_by().values("volunteer").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted), 0)


def with_looks_after(queryset: QuerySet[Volunteer]) -> QuerySet[Volunteer]:
    """The volunteers with `looks_after`, the active households each looks after."""
    return queryset.annotate(looks_after=looks_after())


def with_households(queryset: QuerySet[Volunteer], households: str) -> QuerySet[Volunteer]:
    """The volunteers (annotated by with_looks_after) who look after no household (NO_HOUSEHOLD),
    some (SOME_HOUSEHOLDS), or at least the number `households` says; all of them for ""."""
    if households == NO_HOUSEHOLD:
        return queryset.filter(Q(looks_after=0))
    if households == SOME_HOUSEHOLDS:
        return queryset.filter(Q(looks_after__gte=1))
    if households.isdigit():
        return queryset.filter(Q(looks_after__gte=int(households)))
    return queryset


def volunteer_list(
    *,
    user: Any,
    search: str = "",
    area_code: str = "",
    status: str = "",
    order: str = "",
    households: str = "",
    sounds_like: bool = False,
    history: HistoryFilter = NO_HISTORY,
) -> QuerySet[Volunteer]:
    """Volunteers in the user's scope, for the list page.

    `search` is a Thai name ("มาลี", "ศรีสุข", "มาลี ศรีสุข", "นางมาลี"), a phone number,
    compared by its digits only, a registration no. or a citizen ID. `area_code` is any area:
    a province, district or subdistrict keeps the volunteers serving inside it, a village
    those who cover that village. `status` is one status, NETWORK (active and inactive) or
    "" for all; `order` a key of ORDERS; `households` the workload filter (with_households).
    `sounds_like` finds a name by its sound-alike key instead (name_sounds_like_q), for when
    the name as typed finds no one. `history` reads the status on a day instead of now, and
    keeps a change in a period, a sex or an age band (the links of the figures page). Each
    volunteer comes with `village_count` and `looks_after`, the active households they look
    after.
    """
    queryset = in_area(_scoped(user), area_code)
    if history:
        queryset = with_history(queryset, status, history, timezone.localdate())
    else:
        queryset = with_status(queryset, status)
    search = query_text(search)
    if search:
        queryset = _search(queryset, search, sounds_like=sounds_like)
    queryset = with_households(with_looks_after(queryset), households)
    return (
        queryset.select_related("area__parent")
        .annotate(village_count=Count("villages", distinct=True))
        .order_by(*ORDERS.get(order, ORDERS[""]))
    )


def with_status(queryset: QuerySet[Volunteer], status: str) -> QuerySet[Volunteer]:
    """The volunteers of one status, of the network (NETWORK), or all for ""."""
    if status == NETWORK:
        return queryset.filter(status__in=IN_NETWORK)
    return queryset.filter(status=status) if status else queryset


def in_area(queryset: QuerySet[Volunteer], area_code: str) -> QuerySet[Volunteer]:
    """The volunteers serving inside a province, district or subdistrict, or covering a
    village; all of them for no area."""
    if not area_code:
        return queryset
    if len(area_code) == 8:  # a village
        covering = Volunteer.villages.through.objects.filter(area_id=area_code)
        return queryset.filter(pk__in=covering.values("volunteer_id"))
    return queryset.filter(within(area_code, "area"))


# A zero-width space is how Thai text copied from the web breaks words: a space in a query.
ZERO_WIDTH_SPACE = str.maketrans({"\u200b": " "})


def query_text(search: str) -> str:
    """A search as typed or pasted: invisible characters out, spaces collapsed."""
    return " ".join(search.translate(ZERO_WIDTH_SPACE).translate(INVISIBLE).split())


def is_name_search(search: str) -> bool:
    """Whether the list searches this text as a name (not a citizen ID, phone or reg. no.)."""
    search = query_text(search)
    return bool(search) and _search_kind(search) == "name"


def _search_kind(search: str) -> str:
    if citizen_id.is_valid(search):
        return "citizen_id"
    digits = re.sub(r"\D", "", search.translate(THAI_DIGITS))
    if PHONE_QUERY.match(search.translate(THAI_DIGITS)) and len(digits) >= 3:
        return "phone"
    return "registration_no" if "/" in search else "name"


def name_sounds_like_q(search: str) -> Q:
    """Volunteers whose name sounds like the one typed (core.people.name_key): one word as
    the first or the last name, two as first and last name in either order."""
    words = without_title(clean_name(search)).split()
    if len(words) == 1:
        return Q(name_key__startswith=name_key(words[0], "")) | Q(
            name_key__endswith=name_key("", words[0])
        )
    first, last = words[0], " ".join(words[1:])
    return Q(name_key=name_key(first, last)) | Q(name_key=name_key(last, first))


def _search(
    queryset: QuerySet[Volunteer], search: str, *, sounds_like: bool = False
) -> QuerySet[Volunteer]:
    kind = _search_kind(search)
    if kind == "citizen_id":
        return queryset.filter(citizen_id_hash=citizen_id.lookup_hash(citizen_id.normalize(search)))
    if kind == "phone":
        digits = re.sub(r"\D", "", search.translate(THAI_DIGITS))
        if digits.startswith("66") and len(digits) >= 10:
            digits = "0" + digits[2:]
        # Phones typed by others (imports) may keep their dashes and spaces: compare digits.
        bare = Replace(Replace("phone", Value("-"), Value("")), Value(" "), Value(""))
        return queryset.annotate(phone_digits=bare).filter(
            Q(phone_digits__contains=digits) | Q(registration_no__startswith=digits)
        )
    if kind == "registration_no":
        typed = search.replace(" ", "").translate(THAI_DIGITS)
        with suppress(ValidationError):  # "124/68" is stored as "124/2568"
            typed = check_registration_no(typed)
        return queryset.filter(registration_no=typed)
    return queryset.filter(name_sounds_like_q(search) if sounds_like else name_q(search))


def _with_page_details(queryset: QuerySet[Volunteer]) -> QuerySet[Volunteer]:
    """What a volunteer's page shows, in four queries."""
    return queryset.select_related(
        "area__parent__parent", "address_area__parent__parent", "user"
    ).prefetch_related(
        Prefetch("villages", queryset=Area.objects.order_by("code")),
        Prefetch(
            "status_changes",
            # Newest first, registration last: registered without a date, it is dated the day
            # it was typed, after changes that old records tell of.
            queryset=VolunteerStatusChange.objects.select_related("changed_by").order_by(
                Case(When(from_status="", then=1), default=0), "-effective_date", "-id"
            ),
        ),
        Prefetch(
            "committee_seats",
            queryset=CommitteeMembership.objects.select_related("centre").order_by("-term_start"),
        ),
    )


def volunteer_get(*, user: Any, pk: Any, perm: Perm = Perm.VIEW_VOLUNTEERS) -> Volunteer:
    """One volunteer with what their page shows; 404 when missing or not the user's to see."""
    queryset = _with_page_details(Volunteer.objects.all())
    return access.get_visible_or_404(user, queryset, perm=perm, own=Q(user=user), pk=pk)


def volunteer_for_edit(*, user: Any, pk: Any) -> Volunteer:
    """A volunteer the user may change; 404 otherwise (auditors and volunteers included)."""
    return volunteer_get(user=user, pk=pk, perm=Perm.MANAGE_VOLUNTEERS)


def login_named(username: str) -> User | None:
    """The account a coordinator typed the username of on a volunteer's page, to give the
    volunteer a login: Carenet offers to link one made already (services.link_refused says
    whether it may be). Case aside, as no two usernames may differ only by case."""
    typed = User.normalize_username(username.strip())
    if not typed:
        return None
    found = list(User.objects.filter(username__iexact=typed).prefetch_related("assignments"))
    return next((u for u in found if u.username == typed), found[0] if found else None)


def volunteer_of(user: Any) -> Volunteer | None:
    """The volunteer record linked to this account, if any (None for the anonymous and for
    accounts that are not a volunteer's), without what a page shows of it."""
    pk = getattr(user, "pk", None)
    return None if pk is None else Volunteer.objects.filter(user_id=pk).first()


def volunteer_me(*, user: Any) -> Volunteer | None:
    """The volunteer record linked to this account, if any: everyone may see their own."""
    if not user.is_authenticated:
        return None
    return _with_page_details(Volunteer.objects.filter(user=user)).first()


@dataclass(frozen=True)
class LikelySame:
    """Volunteers already registered who may be the one about to be registered."""

    candidates: list[Volunteer]  # those the user may see
    elsewhere: bool  # someone the user may not see matches too

    def __bool__(self) -> bool:
        return bool(self.candidates) or self.elsewhere


SHOWN_LIKELY = 10


def volunteer_likely_same(
    *, user: Any, first_name: str, last_name: str, birth_date: date | None, digits: str = ""
) -> LikelySame:
    """Volunteers with a name that sounds the same and the same birth date.

    A citizen ID mistyped at registration would otherwise let one person be registered twice;
    the unique ID cannot catch that. Names and areas of volunteers outside the user's scope
    stay hidden: the user learns only that there is one. The volunteer who holds `digits`, the
    citizen ID typed, is left out: registering them again is refused with its own reason.
    """
    key = name_key(first_name, last_name)
    if birth_date is None or not key.strip("-"):
        return LikelySame([], False)
    same = Volunteer.objects.filter(name_key=key, birth_date=birth_date)
    if digits:
        same = same.exclude(citizen_id_hash=citizen_id.lookup_hash(digits))
    visible = same.filter(pk__in=_scoped(user).values("pk"))
    candidates = list(visible.select_related("area").order_by("pk")[:SHOWN_LIKELY])
    elsewhere = same.exclude(pk__in=visible.values("pk")).exists()
    return LikelySame(candidates, elsewhere)


def volunteer_id_elsewhere(*, user: Any, digits: str) -> Volunteer | None:
    """A volunteer the user cannot see who holds this citizen ID, if any does."""
    if not citizen_id.is_valid(digits):
        return None
    hashed = citizen_id.lookup_hash(citizen_id.normalize(digits))
    holders = Volunteer.objects.filter(citizen_id_hash=hashed)
    return holders.exclude(pk__in=_scoped(user).values("pk")).only("pk").first()


def volunteer_holding_id(*, user: Any, digits: str) -> Volunteer | None:
    """The volunteer holding this citizen ID, if the user may open their record; None for a
    holder outside the user's scope, who stays unnamed (accounts.disclosure)."""
    if not citizen_id.is_valid(digits):
        return None
    hashed = citizen_id.lookup_hash(citizen_id.normalize(digits))
    return _scoped(user).filter(citizen_id_hash=hashed).select_related("area").first()


def volunteer_stats(*, user: Any, area_code: str = "") -> dict[str, int]:
    """How many volunteers of each status the user can see (inside `area_code` when given)."""
    queryset = _scoped(user)
    if area_code:
        queryset = queryset.filter(within(area_code, "area"))
    rows = queryset.values("status").annotate(n=Count("id")).order_by()
    counts = {status.value: 0 for status in VolunteerStatus}
    counts.update({row["status"]: row["n"] for row in rows})
    counts["total"] = sum(counts.values())
    return counts


def area_options(*, user: Any, perm: Perm = Perm.VIEW_VOLUNTEERS) -> list[Area]:
    """Areas to filter by: the user's scope from province down to subdistrict, in code order.

    When that is too long for a select (a national scope), only provinces and districts.
    """
    queryset = access.visible_to(user, Area.objects.all(), field="code", perm=perm)
    queryset = queryset.exclude(level=Level.VILLAGE).order_by("code")
    if queryset.count() > AREA_OPTION_LIMIT:
        queryset = queryset.exclude(level=Level.SUBDISTRICT)
    return list(queryset.only("code", "level", "name_th", "name_en", "moo"))


def area_options_extra(*, user: Any, code: str) -> Area | None:
    """An area to filter by that area_options left out, if the user may see it."""
    if not AREA_CODE.match(code):
        return None
    queryset = access.visible_to(
        user, Area.objects.filter(code=code), field="code", perm=Perm.VIEW_VOLUNTEERS
    )
    return queryset.first()


def village_filter_options(*, user: Any, subdistrict: str) -> list[Area]:
    """The villages of a subdistrict the user may see, to filter the list by."""
    if len(subdistrict) != 6:
        return []
    queryset = access.visible_to(
        user,
        Area.objects.filter(parent_id=subdistrict, level=Level.VILLAGE),
        field="code",
        perm=Perm.VIEW_VOLUNTEERS,
    )
    return list(queryset.order_by("code").only("code", "level", "name_th", "name_en", "moo"))


def subdistrict_options(*, user: Any) -> QuerySet[Area]:
    """Subdistricts where the user may register volunteers."""
    queryset = access.visible_to(
        user,
        Area.objects.filter(level=Level.SUBDISTRICT),
        field="code",
        perm=Perm.MANAGE_VOLUNTEERS,
    )
    return queryset.select_related("parent").order_by("code")


def village_options(*, user: Any, area_code: str) -> QuerySet[Area]:
    """The villages of a subdistrict the user manages (none for any other code)."""
    if not (
        area_code and len(area_code) == 6 and access.can(user, Perm.MANAGE_VOLUNTEERS, area_code)
    ):
        return Area.objects.none()
    return Area.objects.filter(parent_id=area_code, level=Level.VILLAGE).order_by("code")


# --- centres ----------------------------------------------------------------------------------


def subdistricts_checked(inside: Q, *, gaps_only: bool = False) -> QuerySet[Area]:
    """The subdistricts `inside` selects, each with `has_villages` (its villages are loaded)
    and `has_volunteer` (an active volunteer serves it); only those lacking either with
    `gaps_only`.

    Villages come from each province's own list (`manage.py import_villages`), often district
    by district: a subdistrict without them has no village to count as uncovered, yet it is
    not covered, so coverage figures name such subdistricts apart.
    """
    villages = Area.objects.filter(parent_id=OuterRef("code"), level=Level.VILLAGE)
    serving = Volunteer.objects.filter(area_id=OuterRef("code"), status=VolunteerStatus.ACTIVE)
    found = Area.objects.filter(inside, level=Level.SUBDISTRICT).annotate(
        has_villages=Exists(villages), has_volunteer=Exists(serving)
    )
    return found.filter(~Exists(villages) | ~Exists(serving)) if gaps_only else found


def _centres(user: Any, perm: Perm = Perm.VIEW_VOLUNTEERS) -> QuerySet[Centre]:
    # own=nothing: a volunteer's grant shows them no centre, since a centre lists everyone.
    return access.visible_to(
        user, Centre.objects.all(), perm=perm, own=Q(pk__in=[])
    ).select_related("area__parent")


def centre_list(*, user: Any) -> list[Centre]:
    """Centres in scope, each with `active_volunteers`, `committee_size`, `uncovered_villages`
    (villages no active volunteer covers), `unloaded_subdistricts` (subdistricts whose villages
    are not loaded), `unserved_subdistricts` (subdistricts no active volunteer serves) and
    `seat_state` (CommitteeState: the seats to fill and the terms about to end).

    Volunteers and villages are counted per subdistrict in grouped queries, then added up for
    every level above, and the seats of all the centres are read in one query, so the page
    costs the same for 9 centres or 900.
    """
    today = timezone.localdate()
    centres: list[Centre] = list(_centres(user))
    outermost = _outermost({c.area_id for c in centres})
    volunteers = _by_area_prefix(
        Volunteer.objects.filter(_inside(outermost, "area"), status=VolunteerStatus.ACTIVE)
        .values("area_id")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("area_id", "n")
    )
    uncovered = _by_area_prefix(
        (code, 1)
        for code in Area.objects.filter(_inside(outermost), level=Level.VILLAGE)
        .annotate(n=Count("volunteers", filter=Q(volunteers__status=VolunteerStatus.ACTIVE)))
        .filter(n=0)
        .values_list("code", flat=True)
    )
    gaps: list[Any] = list(subdistricts_checked(_inside(outermost), gaps_only=True).only("code"))
    unloaded = _by_area_prefix((a.code, 1) for a in gaps if not a.has_villages)
    unserved = _by_area_prefix((a.code, 1) for a in gaps if not a.has_volunteer)
    seats = _seats_by_centre([c.pk for c in centres], today)
    for centre in centres:
        centre.active_volunteers = volunteers.get(centre.area_id, 0)  # type: ignore[attr-defined]
        centre.uncovered_villages = uncovered.get(centre.area_id, 0)  # type: ignore[attr-defined]
        centre.unloaded_subdistricts = unloaded.get(centre.area_id, 0)  # type: ignore[attr-defined]
        centre.unserved_subdistricts = unserved.get(centre.area_id, 0)  # type: ignore[attr-defined]
        centre.seat_state = committee_state(seats.get(centre.pk, []), today)  # type: ignore[attr-defined]
        # Counted as the centre page counts them: one chair on a handover day.
        centre.committee_size = len(current_seats(seats.get(centre.pk, []), today))  # type: ignore[attr-defined]
    return centres


def _outermost(codes: set[str]) -> list[str]:
    """The codes no other of them contains: a province's centre covers its districts'. In
    code order, the codes inside one follow it."""
    kept: list[str] = []
    for code in sorted(codes):
        if not (kept and code.startswith(kept[-1])):
            kept.append(code)
    return kept


def _inside(codes: list[str], field: str = "code") -> Q:
    inside = Q(pk__in=[])
    for code in codes:
        inside |= within(code, field)
    return inside


def _by_area_prefix(rows: Iterable[tuple[str, int]]) -> dict[str, int]:
    """Counts per area code added up for the province, district and subdistrict above."""
    counts: dict[str, int] = {}
    for code, n in rows:
        for length in (2, 4, 6):
            counts[code[:length]] = counts.get(code[:length], 0) + n
    return counts


def _seats_by_centre(pks: list[int], today: date) -> dict[int, list[CommitteeMembership]]:
    """The centres' current and planned seats, and the past ones of SINGLE_SEATS (to say when
    a vacant one's term ended), in one query."""
    kept = Q(term_end__isnull=True) | Q(term_end__gte=today) | Q(position__in=SINGLE_SEATS)
    seats: dict[int, list[CommitteeMembership]] = {}
    found = CommitteeMembership.objects.filter(kept, centre_id__in=pks).select_related("volunteer")
    for seat in found.only(
        "centre_id", "volunteer_id", "position", "term_start", "term_end", "volunteer__status"
    ):
        seats.setdefault(seat.centre_id, []).append(seat)
    return seats


def centre_get(*, user: Any, pk: Any, perm: Perm = Perm.VIEW_VOLUNTEERS) -> Centre:
    """One centre in scope; 404 when missing or outside it."""
    queryset = Centre.objects.select_related("area__parent")
    return access.get_visible_or_404(user, queryset, perm=perm, own=Q(pk__in=[]), pk=pk)


def centres_visible(*, user: Any, pks: Iterable[int]) -> set[int]:
    """Which of these centres the user may open (to link to them only when they can)."""
    queryset = _centres(user).filter(pk__in=list(pks))
    return set(queryset.values_list("pk", flat=True))


def volunteers_visible(*, user: Any, pks: Iterable[int]) -> set[int]:
    """Which of these volunteers the user may open (to link to them only when they can)."""
    return set(_scoped(user).filter(pk__in=list(pks)).values_list("pk", flat=True))


@dataclass(frozen=True)
class MissingCentres:
    """Areas the user manages that have no centre yet, for the centre list to offer."""

    # Provinces and districts: each has a centre.
    required: list[Area]
    # Subdistricts, where a centre is optional, grouped by their district in code order.
    subdistricts: list[tuple[Area | None, list[Area]]]
    # More subdistricts than a select can usefully hold (a national scope): none are listed.
    too_many_subdistricts: bool = False

    def __bool__(self) -> bool:
        return bool(self.required or self.subdistricts or self.too_many_subdistricts)


def _managed_areas_without_centre(user: Any, levels: list[Level]) -> QuerySet[Area]:
    return access.visible_to(
        user,
        Area.objects.filter(level__in=levels, centre__isnull=True),
        field="code",
        perm=Perm.MANAGE_VOLUNTEERS,
    ).order_by("code")


def centre_missing_areas(*, user: Any) -> MissingCentres:
    """Provinces, districts and subdistricts the user manages that have no centre yet, in
    two queries whatever the scope."""
    required = list(_managed_areas_without_centre(user, [Level.PROVINCE, Level.DISTRICT])[:200])
    subdistricts = list(
        _managed_areas_without_centre(user, [Level.SUBDISTRICT]).select_related("parent")[
            : AREA_OPTION_LIMIT + 1
        ]
    )
    if len(subdistricts) > AREA_OPTION_LIMIT:
        return MissingCentres(required=required, subdistricts=[], too_many_subdistricts=True)
    grouped = [
        (district, list(areas))
        for district, areas in groupby(subdistricts, key=lambda area: area.parent)
    ]
    return MissingCentres(required=required, subdistricts=grouped)


def committee_list(
    *, centre: Centre
) -> tuple[list[CommitteeMembership], list[CommitteeMembership]]:
    """The centre's current seats (chair first) and its past ones (latest first)."""
    today = timezone.localdate()
    seats = list(
        CommitteeMembership.objects.filter(centre=centre).select_related(
            "volunteer__area", "centre"
        )
    )
    rank = {position.value: index for index, position in enumerate(POSITION_ORDER)}
    current = sorted(
        current_seats(seats, today),
        key=lambda s: (rank.get(s.position, 99), s.volunteer.first_name),
    )
    past = sorted((s for s in seats if s not in current), key=lambda s: s.term_start, reverse=True)
    return current, past


def vacant_seats(current: list[CommitteeMembership]) -> list[Position]:
    """The single seats (chair, secretary) nobody holds among a centre's `current` seats.

    A vice-chair is not one: a committee is short without a chair or a secretary
    (SINGLE_SEATS), while it may have no vice-chair, or several, as it has members."""
    held = {seat.position for seat in current}
    return [position for position in SINGLE_SEATS if position not in held]


# How far ahead a committee's page and the centre list warn of terms that end.
TERM_WARNING_DAYS = 90


def is_current(seat: CommitteeMembership, today: date) -> bool:
    return seat.term_start <= today and (seat.term_end is None or seat.term_end >= today)


def current_seats(seats: list[CommitteeMembership], today: date) -> list[CommitteeMembership]:
    """The seats of one centre held today. On a handover day, a chair or a secretary whose
    term ends today and whose successor starts today is the successor's: a centre shows one
    chair, not two (services._seat_taken lets a term start the day another ends)."""
    held = [seat for seat in seats if is_current(seat, today)]
    starting = {seat.position for seat in held if seat.term_start == today}
    return [
        seat
        for seat in held
        if not (
            seat.term_end == today
            and seat.position in SINGLE_SEATS
            and seat.position in starting
            and seat.term_start < today
        )
    ]


def seats_ending(
    current: list[CommitteeMembership], planned: list[CommitteeMembership], today: date
) -> list[CommitteeMembership]:
    """The `current` seats whose term ends within TERM_WARNING_DAYS, soonest first, but for
    those already followed by a `planned` one (the same volunteer again, or a successor to
    a single seat: chair, secretary) and those of a volunteer who has left the network
    (resigned, removed, died): their seat ended with that, and nobody is to appoint them
    again."""
    horizon = today + timedelta(days=TERM_WARNING_DAYS)
    followed = {seat.volunteer_id for seat in planned}
    filled_later = {seat.position for seat in planned if seat.position in SINGLE_SEATS}
    ending = [
        seat
        for seat in current
        if seat.term_end is not None
        and seat.term_end <= horizon
        and seat.volunteer_id not in followed
        and seat.position not in filled_later
        and seat.volunteer.status in IN_NETWORK
    ]
    return sorted(ending, key=lambda seat: (seat.term_end, seat.pk))


@dataclass(frozen=True)
class Vacancy:
    position: Position
    ended_on: date | None  # when the last holder's term ended; None if nobody ever held it


@dataclass(frozen=True)
class CommitteeState:
    """What the centre list says of a committee: the seats to fill and the terms ending."""

    vacant: list[Vacancy]
    ending: list[CommitteeMembership]


def committee_state(seats: list[CommitteeMembership], today: date) -> CommitteeState:
    """The state of a committee from its current and planned seats and its single seats'
    past ones (seats of one centre, as _seats_by_centre reads them)."""
    current = current_seats(seats, today)
    planned = [seat for seat in seats if seat.term_start > today]
    ended: dict[str, date] = {}
    for seat in seats:
        if seat.term_end is not None and seat.term_end < today:
            ended[seat.position] = max(seat.term_end, ended.get(seat.position, seat.term_end))
    vacant = [Vacancy(position, ended.get(position)) for position in vacant_seats(current)]
    return CommitteeState(vacant=vacant, ending=seats_ending(current, planned, today))


def seats_outside_area(*, volunteer: Volunteer) -> list[CommitteeMembership]:
    """The volunteer's current and planned seats on committees of centres whose area they no
    longer serve (a seat is for a volunteer of the centre's area: committee_seat_add)."""
    today = timezone.localdate()
    seats = CommitteeMembership.objects.filter(volunteer=volunteer).filter(
        Q(term_end__isnull=True) | Q(term_end__gte=today)
    )
    return [
        seat
        for seat in seats.select_related("centre", "volunteer").order_by("term_start", "id")
        if not seat.holder_serves_area
    ]


def centres_serving(volunteer: Volunteer) -> list[tuple[Centre, list[CommitteeMembership]]]:
    """The centres of the province, district and subdistrict a volunteer serves, widest first,
    each with its current committee: whom a volunteer turns to. A volunteer may not open a
    centre's page (it lists every volunteer), so their profile shows this instead."""
    codes = [volunteer.area_id[:length] for length in (2, 4, 6)]
    centres = Centre.objects.filter(area_id__in=codes).select_related("area").order_by("area_id")
    return [(centre, committee_list(centre=centre)[0]) for centre in centres]


def centres_above(*, user: Any) -> list[tuple[Centre, list[CommitteeMembership]]]:
    """The centres of the district and province above the user's areas, with their current
    committees: whom a subdistrict's coordinator works with. Their pages stay closed to the
    user, since they count and list the volunteers of a wider area than the user's (counts
    obey the scope); the committees are what the area's own volunteers see of them too
    (centres_serving)."""
    above = {
        code[:length]
        for code in access.scope_codes(user, Perm.VIEW_VOLUNTEERS)
        for length in (2, 4)
        if len(code) > length
    }
    if not above:
        return []
    centres = (
        Centre.objects.filter(area_id__in=above)
        .exclude(pk__in=_centres(user).values("pk"))
        .select_related("area")
        .order_by("area_id")
    )
    return [(centre, committee_list(centre=centre)[0]) for centre in centres]


def seat_get(*, user: Any, pk: Any) -> CommitteeMembership:
    """A committee seat of a centre the user manages; 404 otherwise."""
    return access.get_visible_or_404(
        user,
        CommitteeMembership.objects.select_related("centre__area", "volunteer"),
        field="centre__area",
        perm=Perm.MANAGE_VOLUNTEERS,
        own=Q(pk__in=[]),
        pk=pk,
    )


def seat_candidates(*, centre: Centre, search: str = "") -> QuerySet[Volunteer]:
    """Active volunteers who may take a seat on the centre's committee."""
    queryset = Volunteer.objects.filter(
        within(centre.area_id, "area"), status=VolunteerStatus.ACTIVE
    ).select_related("area")
    search = " ".join(search.split())
    if search:
        queryset = _search(queryset, search)
    return queryset.order_by(*thai_order("first_name", "last_name"), "id")
