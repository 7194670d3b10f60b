"""Writes about households and the people in them.

Every service is keyword-only, runs in one transaction and writes its audit row in it. The
checks come in two kinds:

* *What the data must look like* lives in cleaning.py: pure functions with no database
  access, which the import reuses row by row.
* *Who may do it and whether it clashes with what is stored* (scope, the same citizen ID
  registered twice, a stale version, a withdrawn consent) is checked by the services.
  Scope failures raise PermissionDenied; clashes raise ValidationError; a stale edit raises
  ConflictError (core.services).

A household's priority score, vulnerability groups and member count are worked out from its
active members by vulnerability.py; `household_recompute` stores them and every service that
changes members calls it. They are never typed in.

PDPA: a person is registered only with a consent or the lawful basis used instead. When every
consent of a person has been withdrawn, the record is *restricted* (`person_is_restricted`):
it keeps what it holds, but only its status and the person's own identifying details
(IDENTIFYING: the right to correction, PDPA s.35) may change, later apps (visits) record nothing
new about that person, and exports leave it out (models.restricted_q). Recording a fresh
consent lifts the restriction. A lawful basis other than consent overrides what the person
asked for, so after a withdrawal only a provincial officer may record one
(`may_override_withdrawal`), with a written justification; a consent given again needs a note
of how and when. Both are kept on the consent and in the audit log.

Nothing is deleted here: households are moved or closed, people move, die or are merged into
the record that survives a duplicate merge.
"""

from collections.abc import Collection
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from carenet.accounts import access
from carenet.accounts.access import Perm
from carenet.areas.models import Area
from carenet.core import citizen_id, thaidate
from carenet.core.people import Sex, name_key
from carenet.core.services import ConflictError, audit_record, save_versioned
from carenet.core.text import visible
from carenet.households import signals, vulnerability
from carenet.households.cleaning import (
    ADDRESS_FIELDS,
    FLAGS,
    PERSON_FIELDS,
    WELFARE,
    ConsentData,
    Errors,
    PersonData,
    clean_gps,
    consent_clean,
    household_clean_address,
    household_move_refused,
    person_clean,
)
from carenet.households.models import (
    DEFAULT_PURPOSE,
    Consent,
    ConsentBasis,
    Evacuation,
    Household,
    HouseholdAssignment,
    HouseholdStatus,
    Person,
    PersonStatus,
    Relation,
    with_citizen_id,
)
from carenet.households.selectors import (
    HOUSEHOLD_STATUS_ACTION,
    household_own_q,
    household_status_events,
    manages_widely,
    open_evacuation,
    person_own_q,
)
from carenet.volunteers.models import Volunteer, VolunteerStatus
from carenet.volunteers.selectors import volunteer_of

# Status changes: which status may follow which (one table per workflow).
HOUSEHOLD_MOVES: dict[str, set[str]] = {
    HouseholdStatus.ACTIVE: {HouseholdStatus.MOVED, HouseholdStatus.CLOSED},
    HouseholdStatus.MOVED: {HouseholdStatus.ACTIVE, HouseholdStatus.CLOSED},
    HouseholdStatus.CLOSED: {HouseholdStatus.ACTIVE},
}
PERSON_MOVES: dict[str, set[str]] = {
    PersonStatus.ACTIVE: {PersonStatus.MOVED, PersonStatus.DECEASED},
    PersonStatus.MOVED: {PersonStatus.ACTIVE, PersonStatus.DECEASED},
    # A death recorded by mistake can be corrected; the audit log keeps both changes.
    PersonStatus.DECEASED: {PersonStatus.ACTIVE},
    PersonStatus.MERGED: set(),
}


# What a person who withdrew consent may still have corrected (PDPA s.35): who they are and
# how to reach them. The citizen ID is corrected with them (it is not a PERSON_FIELDS name).
IDENTIFYING = frozenset(
    {"title", "first_name", "last_name", "birth_date", "sex", "phone", "document_type",
     "document_no"}
)  # fmt: skip


# --- Scope ---------------------------------------------------------------------------------


def _require_household(actor: Any, household: Household) -> None:
    """The actor may change this household: in their scope and, for a volunteer, theirs."""
    queryset = Household.objects.filter(pk=household.pk)
    allowed = access.visible_to(
        actor, queryset, perm=Perm.MANAGE_HOUSEHOLDS, own=household_own_q(actor)
    )
    if not allowed.exists():
        raise PermissionDenied(_("This household is outside what you may change."))


def _require_people(actor: Any, people: list[Person], perm: Perm) -> None:
    queryset = Person.objects.filter(pk__in=[p.pk for p in people])
    allowed = access.visible_to(actor, queryset, perm=perm, own=person_own_q(actor))
    if allowed.count() != len({p.pk for p in people}):
        raise PermissionDenied(_("This record is outside what you may change."))


def _check_volunteer_serves(volunteer: Volunteer, area_code: str) -> None:
    if volunteer.status != VolunteerStatus.ACTIVE:
        raise ValidationError(
            {"volunteer": _("%(name)s is not an active volunteer.") % {"name": volunteer}}
        )
    if volunteer.area_id != area_code[:6]:
        raise ValidationError(
            {"volunteer": _("%(name)s does not serve this subdistrict.") % {"name": volunteer}}
        )


# --- Households ----------------------------------------------------------------------------


@transaction.atomic
def household_register(
    *,
    actor: Any,
    area: Area,
    house_no: str = "",
    moo: int | None = None,
    soi: str = "",
    road: str = "",
    latitude: Any = None,
    longitude: Any = None,
    ownership: str = "",
    condition: str = "",
    volunteer: Volunteer | None = None,
    first_member: PersonData | None = None,
    consent: ConsentData | None = None,
    mover: Person | None = None,
    mover_version: int | None = None,
) -> Household:
    """Registers a household, and its first member with their consent when given, or the
    registered `mover` who moved house, as its head (person_move).

    A volunteer who registers a household gets it assigned to them (so they can see it);
    a coordinator may name the `volunteer` to assign.
    """
    errors = Errors()  # every reason at once: the address's and the first member's
    address: dict[str, Any] = {}
    try:
        address = household_clean_address(
            area=area,
            house_no=house_no,
            moo=moo,
            soi=soi,
            road=road,
            latitude=latitude,
            longitude=longitude,
            ownership=ownership,
            condition=condition,
        )
    except ValidationError as error:
        errors.add_from("", error)
    if first_member is not None and consent is not None:
        birth_date = None
        try:
            birth_date = person_clean(first_member).birth_date
        except ValidationError as error:
            errors.add_from("", error)
        try:
            consent_clean(consent, birth_date=birth_date)
        except ValidationError as error:
            errors.add_from("", error)
    errors.raise_any()
    area = address["area"]
    if not access.can(actor, Perm.MANAGE_HOUSEHOLDS, area.code):
        raise ValidationError({"area": _("You cannot register households in this area.")})
    if mover is not None and first_member is not None:
        raise ValueError("a household's first member is new or moves in, not both")
    if (first_member is None) != (consent is None):
        raise ValidationError(_("A member is registered together with their consent."))
    assignees = [volunteer] if volunteer is not None else []
    if not manages_widely(actor, area.code):
        own = volunteer_of(actor)
        if own is None:
            raise ValidationError(
                _(
                    "Your account is not linked to a volunteer record, so the household could "
                    "not be assigned to you. Ask your coordination centre."
                )
            )
        if volunteer is not None and volunteer.pk != own.pk:
            raise PermissionDenied(_("Only the coordination centre assigns other volunteers."))
        assignees = [own]
    for assignee in assignees:
        _check_volunteer_serves(assignee, area.code)

    household = Household.objects.create(created_by=_user(actor), **address)
    audit_record(actor=actor, action="household.register", target=household, area_code=area.code)
    for assignee in assignees:
        HouseholdAssignment.objects.create(
            household=household, volunteer=assignee, assigned_by=_user(actor)
        )
        audit_record(
            actor=actor,
            action="household.assign",
            target=household,
            area_code=area.code,
            details={"volunteer": assignee.pk},
        )
    if first_member is not None and consent is not None:
        person_add(actor=actor, household=household, data=first_member, consent=consent)
        household.refresh_from_db()
    elif mover is not None:  # a stale version (the form sent twice) undoes the registration
        person_move(
            actor=actor,
            person=mover,
            household=household,
            relation=Relation.HEAD,
            version=mover_version,
        )
        household.refresh_from_db()
    return household


@transaction.atomic
def household_update(
    *,
    actor: Any,
    household: Household,
    version: int,
    house_no: str,
    moo: int | None,
    soi: str,
    road: str,
    latitude: Any,
    longitude: Any,
    ownership: str,
    condition: str,
    area: Area | None = None,
) -> Household:
    """Edits the address and housing. The village may change within the same subdistrict;
    a household that moves further away is marked moved and registered again there."""
    _require_household(actor, household)
    address = household_clean_address(
        area=area or household.area,
        house_no=house_no,
        moo=moo,
        soi=soi,
        road=road,
        latitude=latitude,
        longitude=longitude,
        ownership=ownership,
        condition=condition,
    )
    new_area: Area = address.pop("area")
    area_was = household.area_id
    refused = household_move_refused(household.area_id, new_area.code)
    if refused:
        raise ValidationError({"area": refused})
    changed = [name for name in ADDRESS_FIELDS if getattr(household, name) != address[name]]
    # Where it lived before a move of house, for its timeline: the record now shows the new one.
    was = {name: getattr(household, name) for name in ("house_no", "moo", "soi", "road")}
    moved = new_area.code != household.area_id or any(was[name] != address[name] for name in was)
    for name, value in address.items():
        setattr(household, name, value)
    fields = list(ADDRESS_FIELDS)
    if new_area.code != household.area_id:
        changed.append("area")
        household.area = new_area
        fields.append("area")
        Person.objects.filter(household=household).update(area=new_area)
        Consent.objects.filter(person__household=household).update(area=new_area)
        Evacuation.objects.filter(household=household).update(area=new_area)
    save_versioned(household, version, fields)
    audit_record(
        actor=actor,
        action="household.update",
        target=household,
        area_code=household.area_id,
        details={
            "fields": changed,
            **({"address_was": {**was, "area": area_was}} if moved else {}),
        },
    )
    return household


@transaction.atomic
def household_set_status(
    *,
    actor: Any,
    household: Household,
    status: str,
    reason: str,
    version: int | None = None,
) -> Household:
    """Active, moved or closed. A household is never deleted.

    Moved or closed, nobody lives there any more: its members still recorded as living there
    become "moved away" with it. Opened again, those same members live there again (those
    who had left before stay as they are). A stay at a shelter (Evacuation) ends with it.
    """
    _require_household(actor, household)
    if status not in HOUSEHOLD_MOVES.get(household.status, set()):
        raise ValidationError(
            {
                "status": _("A household that is %(now)s cannot become %(new)s.")
                % {"now": household.get_status_display(), "new": _status_label(status)}
            }
        )
    reason = visible(reason)
    if not reason:
        raise ValidationError({"reason": _("Say why the status changes.")})
    before = household.status
    household.status = status
    save_versioned(household, household.version if version is None else version, ["status"])
    members = household.members.all()
    if status == HouseholdStatus.ACTIVE:
        back = _members_moved_with(household)
        members.filter(pk__in=back, status=PersonStatus.MOVED).update(status=PersonStatus.ACTIVE)
        changed = back
    else:
        living = members.filter(status=PersonStatus.ACTIVE)
        changed = list(living.values_list("pk", flat=True))
        living.update(status=PersonStatus.MOVED)
    details: dict[str, Any] = {"from": before, "to": status, "reason": reason, "members": changed}
    if status != HouseholdStatus.ACTIVE:
        # Gone for good: a stay at a shelter ends with it, so none stays open on a closed record.
        ended = Evacuation.objects.filter(household=household, ended_on__isnull=True).update(
            ended_on=timezone.localdate(), ended_by=_user(actor)
        )
        if ended:
            details["evacuation_ended"] = True
    audit_record(
        actor=actor,
        action=HOUSEHOLD_STATUS_ACTION,
        target=household,
        area_code=household.area_id,
        details=details,
    )
    households_recompute(household_ids=[household.pk])
    return household


# --- Evacuations ---------------------------------------------------------------------------


def _check_day(day: date, field: str) -> None:
    if day > timezone.localdate():
        raise ValidationError({field: _("The date cannot be in the future.")})


@transaction.atomic
def evacuation_start(
    *,
    actor: Any,
    household: Household,
    place: str,
    since: date,
    latitude: Any = None,
    longitude: Any = None,
) -> Evacuation:
    """The household stays at a shelter (or elsewhere) for a while. It stays active, and so do
    its members: they stay in every list and figure, with where they are now beside them."""
    _require_household(actor, household)
    if household.status != HouseholdStatus.ACTIVE:
        raise ValidationError(
            _("A household that is %(now)s cannot be evacuated.")
            % {"now": household.get_status_display()}
        )
    place = visible(place)
    if not place:
        raise ValidationError({"place": _("Say where the household is staying.")})
    _check_day(since, "since")
    lat, lon = clean_gps(latitude, longitude)
    if open_stay := open_evacuation(household):
        raise ValidationError(_already_evacuated(open_stay))
    try:
        with transaction.atomic():
            evacuation = Evacuation.objects.create(
                household=household,
                area_id=household.area_id,
                place=place,
                since=since,
                latitude=lat,
                longitude=lon,
                recorded_by=_user(actor),
            )
    except IntegrityError:  # recorded at the same moment by someone else
        raise ValidationError(_already_evacuated(open_evacuation(household))) from None
    audit_record(
        actor=actor,
        action="household.evacuate",
        target=household,
        area_code=household.area_id,
        details={"place": place, "since": since.isoformat(), "gps": lat is not None},
    )
    return evacuation


@transaction.atomic
def evacuation_end(*, actor: Any, household: Household, ended_on: date) -> Evacuation:
    """Back home: the open evacuation ends on that day, and stays on record."""
    _require_household(actor, household)
    evacuation = (
        Evacuation.objects.select_for_update()
        .filter(household=household, ended_on__isnull=True)
        .first()
    )
    if evacuation is None:
        raise ValidationError(_("This household is not recorded as evacuated."))
    _check_day(ended_on, "ended_on")
    if ended_on < evacuation.since:
        raise ValidationError(
            {
                "ended_on": _("The household left home on %(since)s: it cannot be back before.")
                % {"since": thaidate.format_short(evacuation.since)}
            }
        )
    evacuation.ended_on, evacuation.ended_by = ended_on, _user(actor)
    evacuation.save(update_fields=["ended_on", "ended_by"])
    audit_record(
        actor=actor,
        action="household.back_home",
        target=household,
        area_code=household.area_id,
        details={"place": evacuation.place, "ended_on": ended_on.isoformat()},
    )
    return evacuation


def _members_moved_with(household: Household) -> list[int]:
    """The members the household's moves and closings since it was last active recorded as
    leaving with it (moved away, then closed: those of both)."""
    events = household_status_events(household)
    members: list[int] = []
    for event in events:
        if event.details.get("to") == HouseholdStatus.ACTIVE:
            break
        members += event.details.get("members", [])
    return members


@transaction.atomic
def household_assign_volunteer(
    *, actor: Any, household: Household, volunteer: Volunteer
) -> HouseholdAssignment:
    """The coordination centre assigns an active volunteer of the household's subdistrict."""
    _require_household(actor, household)
    if not manages_widely(actor, household.area_id):
        raise PermissionDenied(_("Only the coordination centre assigns volunteers."))
    if household.status != HouseholdStatus.ACTIVE:
        nobody_visits = _("A household that moved or closed gets no volunteer: nobody visits it.")
        raise ValidationError({"volunteer": nobody_visits})
    _check_volunteer_serves(volunteer, household.area_id)
    if HouseholdAssignment.objects.filter(household=household, volunteer=volunteer).exists():
        raise ValidationError(
            {"volunteer": _("%(name)s is already assigned here.") % {"name": volunteer}}
        )
    assignment = HouseholdAssignment.objects.create(
        household=household, volunteer=volunteer, assigned_by=_user(actor)
    )
    audit_record(
        actor=actor,
        action="household.assign",
        target=household,
        area_code=household.area_id,
        details={"volunteer": volunteer.pk},
    )
    return assignment


@transaction.atomic
def household_unassign_volunteer(*, actor: Any, household: Household, volunteer: Volunteer) -> None:
    _require_household(actor, household)
    if not manages_widely(actor, household.area_id):
        raise PermissionDenied(_("Only the coordination centre assigns volunteers."))
    deleted, _rows = HouseholdAssignment.objects.filter(
        household=household, volunteer=volunteer
    ).delete()
    if not deleted:
        raise ValidationError(
            {"volunteer": _("%(name)s is not assigned here.") % {"name": volunteer}}
        )
    audit_record(
        actor=actor,
        action="household.unassign",
        target=household,
        area_code=household.area_id,
        details={"volunteer": volunteer.pk},
    )


@transaction.atomic
def households_hand_over(
    *, actor: Any, giver: Volunteer, taker: Volunteer, households: list[Household]
) -> int:
    """Hands `households` that `giver` looks after over to `taker`, an active volunteer of the
    same subdistrict (a volunteer who leaves, moves or has too many). Says how many moved; a
    household `taker` already looked after just loses `giver`."""
    if taker.pk == giver.pk:
        raise ValidationError({"taker": _("Choose another volunteer to take the households.")})
    for household in households:
        if not manages_widely(actor, household.area_id):
            raise PermissionDenied(_("Only the coordination centre assigns volunteers."))
        _check_volunteer_serves(taker, household.area_id)
    given = HouseholdAssignment.objects.filter(
        volunteer=giver, household__in=households, household__status=HouseholdStatus.ACTIVE
    )
    moving = list(given.values_list("household_id", flat=True))
    if not moving:
        raise ValidationError({"households": _("None of these households is theirs to hand over.")})
    given.delete()
    kept = set(
        HouseholdAssignment.objects.filter(volunteer=taker, household_id__in=moving).values_list(
            "household_id", flat=True
        )
    )
    HouseholdAssignment.objects.bulk_create(
        HouseholdAssignment(household_id=pk, volunteer=taker, assigned_by=_user(actor))
        for pk in moving
        if pk not in kept
    )
    for household in households:
        if household.pk in moving:
            audit_record(
                actor=actor,
                action="household.handover",
                target=household,
                area_code=household.area_id,
                details={"from": giver.pk, "to": taker.pk},
            )
    return len(moving)


def household_recompute(*, household: Household, today: date | None = None) -> None:
    """Stores the priority score, groups and member count worked out from the active members.

    Not versioned: these fields are never edited by people, so recomputing must not make
    someone's open edit of the address stale.
    """
    households_recompute(household_ids=[household.pk], today=today)
    household.refresh_from_db(fields=["priority_score", "vulnerability", "member_count"])


def households_recompute(*, household_ids: list[int], today: date | None = None) -> int:
    """The same for many households in three queries (imports, and the nightly run: children
    grow up and people turn 60, so scores drift with the calendar). Writes only the
    households whose figures changed, and returns how many those were."""
    today = today or timezone.localdate()
    members: dict[int, list[Person]] = {pk: [] for pk in household_ids}
    people = Person.objects.filter(household_id__in=household_ids, status=PersonStatus.ACTIVE)
    for person in people.only("household_id", "birth_date", "sex", *FLAGS):
        members[person.household_id].append(person)
    stored = Household.objects.filter(pk__in=household_ids).values_list(
        "pk", "priority_score", "vulnerability", "member_count"
    )
    rows = []
    scores = {}
    for pk, score, groups, count in stored:
        scores[pk] = score
        summary = vulnerability.household_summary(members[pk], today)
        if (summary.score, summary.groups, len(members[pk])) != (score, groups, count):
            rows.append(
                Household(
                    pk=pk,
                    priority_score=summary.score,
                    vulnerability=summary.groups,
                    member_count=len(members[pk]),
                )
            )
    Household.objects.bulk_update(
        rows, ["priority_score", "vulnerability", "member_count"], batch_size=500
    )
    rescored = [row.pk for row in rows if row.priority_score != scores[row.pk]]
    if rescored:
        signals.priority_changed.send(sender=Household, household_ids=rescored)
    return len(rows)


def households_recompute_all(*, today: date | None = None, batch: int = 2000) -> int:
    """Every active household, a batch at a time (manage.py recompute_households, nightly)."""
    ids = list(
        Household.objects.filter(status=HouseholdStatus.ACTIVE)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    changed = 0
    for start in range(0, len(ids), batch):
        with transaction.atomic():
            changed += households_recompute(household_ids=ids[start : start + batch], today=today)
    return changed


# --- People --------------------------------------------------------------------------------


def person_is_restricted(person: Person) -> bool:
    """Consent withdrawn and none given since: keep the record, change only its status, and
    record nothing new about the person. Uses prefetched consents when there are some."""
    consents = list(person.consents.all())
    return any(not c.is_active for c in consents) and not any(c.is_active for c in consents)


def _citizen_id_taken(digits: str, *, except_pk: int | None = None) -> bool:
    taken = Person.objects.filter(with_citizen_id(citizen_id.lookup_hash(digits)))
    return taken.exclude(pk=except_pk or 0).exists()


def _citizen_id_taken_error() -> ValidationError:
    message = _(
        "This citizen ID is already registered for another person. Open that record instead "
        "of adding a new one; if it is in another area, ask your coordination centre."
    )
    return ValidationError({"citizen_id": ValidationError(message, code="citizen_id_taken")})


def _apply(person: Person, data: PersonData) -> None:
    for name in PERSON_FIELDS:
        setattr(person, name, getattr(data, name))
    person.disability = data.disability
    person.name_key = name_key(data.first_name, data.last_name)


def _set_head(household_id: int, head: Person | None) -> None:
    """Not versioned (the person's own change is), but dated: an old file imported again
    must see that the household changed (spreadsheets: ข้อมูล ณ)."""
    Household.objects.filter(pk=household_id).update(head=head, updated_at=timezone.now())


def _make_head(actor: Any, household: Household, person: Person) -> None:
    """`person` becomes the head. The former head stays a member, but their relation to the
    new head is not known: it is left blank for the coordinator to fill in (the page says so),
    and the handover is audited."""
    previous = household.head_id
    if previous and previous != person.pk:
        Person.objects.filter(pk=previous, relation=Relation.HEAD).update(
            relation="", updated_at=timezone.now()
        )
        audit_record(
            actor=actor,
            action="household.head_change",
            target=household,
            area_code=household.area_id,
            details={"from": previous, "to": person.pk},
        )
    _set_head(household.pk, person)
    household.head = person


def _refuse_twin_member(household: Household, data: PersonData) -> None:
    """The same form sent twice at one moment (two tabs, a retry on a weak signal, two users
    registering the same newcomer) must not add the person twice. The household is locked
    first, so the second send finds the first one's member: the same names and birth date."""
    Household.objects.select_for_update().filter(pk=household.pk).exists()
    twin = (
        household.members.exclude(status=PersonStatus.MERGED)
        .filter(first_name=data.first_name, last_name=data.last_name, birth_date=data.birth_date)
        .first()
    )
    if twin is not None and not (data.citizen_id and twin.citizen_id_hash):
        raise ValidationError(
            _(
                "%(name)s is already a member of this household (record no. %(no)s), perhaps "
                "added a moment ago from another tab or phone. Open that record instead."
            )
            % {"name": twin.full_name, "no": twin.pk}
        )


@transaction.atomic
def person_add(
    *, actor: Any, household: Household, data: PersonData, consent: ConsentData
) -> Person:
    """Adds a member with the consent (or lawful basis) under which they are registered.

    The same citizen ID can never be registered twice. Likely duplicates without one
    (similar name and birth date, same address) are for the form to show first; see
    selectors.person_find_duplicates.
    """
    _require_household(actor, household)
    if household.status != HouseholdStatus.ACTIVE:
        raise ValidationError(_("This household is not active; reopen it before adding members."))
    errors = Errors()
    try:
        data = person_clean(data)
    except ValidationError as error:
        errors.add_from("", error)
    try:
        consent = consent_clean(consent, birth_date=data.birth_date)
    except ValidationError as error:
        errors.add_from("", error)
    errors.raise_any()
    if data.citizen_id and _citizen_id_taken(data.citizen_id):
        raise _citizen_id_taken_error()
    _refuse_twin_member(household, data)

    person = Person(household=household, area_id=household.area_id, created_by=_user(actor))
    _apply(person, data)
    person.set_citizen_id(data.citizen_id or "")
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError:  # the same ID saved by someone else a moment ago
        raise _citizen_id_taken_error() from None
    audit_record(
        actor=actor,
        action="person.add",
        target=person,
        area_code=person.area_id,
        details={"household": household.pk},
    )
    _consent_create(actor=actor, person=person, data=consent)
    if person.relation == Relation.HEAD:
        _make_head(actor, household, person)
    household_recompute(household=household)
    return person


@transaction.atomic
def person_update(*, actor: Any, person: Person, version: int, data: PersonData) -> Person:
    """Edits a member. A restricted record (consent withdrawn) may have only its identifying
    details corrected (IDENTIFYING, audited as person.correct); its status changes through
    person_set_status. A merged record does not change at all."""
    _require_people(actor, [person], Perm.MANAGE_HOUSEHOLDS)
    if person.status == PersonStatus.MERGED:
        raise ValidationError(_("This record was merged into another one and cannot be edited."))
    restricted = person_is_restricted(person)
    data = person_clean(data, has_stored_id=bool(person.citizen_id_hash))
    before = {name: getattr(person, name) for name in [*PERSON_FIELDS, "disability"]}
    if restricted:
        _refuse_beyond_correction(before, data)
    was_head = person.relation == Relation.HEAD
    fields = [*PERSON_FIELDS, "disability", "name_key"]
    changed = [name for name, value in before.items() if getattr(data, name) != value]
    if data.citizen_id is not None and data.citizen_id != person.read_citizen_id():
        if data.citizen_id and _citizen_id_taken(data.citizen_id, except_pk=person.pk):
            raise _citizen_id_taken_error()
        person.set_citizen_id(data.citizen_id)
        fields += ["citizen_id_encrypted", "citizen_id_hash"]
        changed.append("citizen_id")
    _apply(person, data)
    try:
        with transaction.atomic():
            save_versioned(person, version, fields)
    except IntegrityError:
        raise _citizen_id_taken_error() from None
    household = person.household
    if person.relation == Relation.HEAD and not was_head:
        _make_head(actor, household, person)
    elif was_head and person.relation != Relation.HEAD and household.head_id == person.pk:
        _set_head(household.pk, None)
        household.head = None
    audit_record(
        actor=actor,
        action="person.correct" if restricted else "person.update",
        target=person,
        area_code=person.area_id,
        details={"fields": changed},
    )
    household_recompute(household=household)
    return person


def _refuse_beyond_correction(before: dict[str, Any], data: PersonData) -> None:
    """A restricted person keeps the right to have their own identifying details corrected
    (PDPA s.35); anything else stays as it was when consent was withdrawn."""
    locked = [name for name, value in before.items() if name not in IDENTIFYING]
    if any(getattr(data, name) != before[name] for name in locked):
        raise ValidationError(
            _(
                "Consent was withdrawn: only the person's own details (names, title, birth "
                "date, sex, phone, citizen ID or document) can be corrected; the rest stays "
                "as it is."
            )
        )


@transaction.atomic
def person_set_status(
    *,
    actor: Any,
    person: Person,
    status: str,
    reason: str = "",
    version: int | None = None,
    on: date | None = None,
) -> Person:
    """Lives here, moved away or deceased (`on`: the day it happened, kept in the history).
    Allowed on restricted records too."""
    _require_people(actor, [person], Perm.MANAGE_HOUSEHOLDS)
    if on is not None and person.birth_date is not None and on < person.birth_date:
        raise ValidationError({"happened_on": _("The date is before the person's birth.")})
    if status not in PERSON_MOVES.get(person.status, set()):
        raise ValidationError(
            {
                "status": _("A person who is %(now)s cannot become %(new)s.")
                % {"now": person.get_status_display(), "new": _status_label(status, person=True)}
            }
        )
    before = person.status
    person.status = status
    save_versioned(person, person.version if version is None else version, ["status"])
    household = person.household
    if status != PersonStatus.ACTIVE and household.head_id == person.pk:
        _set_head(household.pk, None)
        household.head = None
    elif (
        status == PersonStatus.ACTIVE and person.relation == Relation.HEAD and not household.head_id
    ):
        _make_head(actor, household, person)  # back, with nobody made head meanwhile
    audit_record(
        actor=actor,
        action="person.status",
        target=person,
        area_code=person.area_id,
        details={
            "household": person.household_id,  # where it happened: the person may move on
            "from": before,
            "to": status,
            "reason": visible(reason),
            **({"on": on.isoformat()} if on is not None else {}),
        },
    )
    household_recompute(household=household)
    return person


@transaction.atomic
def person_move(
    *, actor: Any, person: Person, household: Household, relation: str, version: int | None = None
) -> Person:
    """`person` now lives in `household`, another active household the actor may change.

    Someone who moved house stays one record, with their citizen ID, consents, visits and
    cases. They come back as living there (from "moved away" too). The household they leave
    loses them as its head, and is closed once nobody lives in it any more.
    """
    _require_people(actor, [person], Perm.MANAGE_HOUSEHOLDS)
    _require_household(actor, household)
    if person.status in (PersonStatus.MERGED, PersonStatus.DECEASED):
        raise ValidationError(
            _("A person who is %(now)s does not move.") % {"now": person.get_status_display()}
        )
    if person_is_restricted(person):
        raise ValidationError(
            _("Consent was withdrawn: this record can no longer be edited, only its status.")
        )
    if household.status != HouseholdStatus.ACTIVE:
        raise ValidationError(_("This household is not active; reopen it before adding members."))
    if household.pk == person.household_id and person.status == PersonStatus.ACTIVE:
        raise ValidationError(_("%(name)s already lives in this household.") % {"name": person})
    if relation not in Relation.values:
        raise ValidationError({"relation": _("Choose the relation to the head.")})
    left = Household.objects.select_for_update().get(pk=person.household_id)
    person.household, person.area_id = household, household.area_id
    person.status, person.relation = PersonStatus.ACTIVE, relation
    save_versioned(
        person,
        person.version if version is None else version,
        ["household", "area", "status", "relation"],
    )
    Consent.objects.filter(person=person).update(area_id=household.area_id)
    if left.head_id == person.pk and left.pk != household.pk:
        _set_head(left.pk, None)
    if relation == Relation.HEAD:
        _make_head(actor, household, person)
    audit_record(
        actor=actor,
        action="person.move",
        target=person,
        area_code=household.area_id,
        details={"from": left.pk, "from_area": left.area_id, "to": household.pk},
    )
    _close_if_emptied(
        actor, left.pk, household.pk, _("Its last member moved to another household.")
    )
    households_recompute(household_ids=sorted({left.pk, household.pk}))
    return person


def person_log_view(*, actor: Any, person: Person) -> None:
    """Opening a person's record shows health and disability details: the read is logged."""
    audit_record(actor=actor, action="person.view", target=person, area_code=person.area_id)


def household_log_view(*, actor: Any, household: Household) -> None:
    """The household page lists its members' disability, bedridden and illness flags: the
    read is logged, as a person's page is."""
    audit_record(
        actor=actor, action="household.view", target=household, area_code=household.area_id
    )


@transaction.atomic
def person_reveal_citizen_id(*, actor: Any, person: Person) -> str:
    """The full citizen ID, formatted, for someone who asked to see it; the read is logged.
    Without one, the number of the person's other document (a pink card, a passport), which
    identifies them as well, the same way. Only for those who work with the person's record
    (MANAGE_HOUSEHOLDS): the read-only auditor checks who read an ID, not the ID itself."""
    _require_people(actor, [person], Perm.MANAGE_HOUSEHOLDS)
    digits = person.read_citizen_id()
    if not digits and not person.document_no:
        return ""
    action = "person.citizen_id.read" if digits else "person.document_no.read"
    audit_record(actor=actor, action=action, target=person, area_code=person.area_id)
    return citizen_id.formatted(digits) if digits else person.document_no


# --- Consent -------------------------------------------------------------------------------


def may_override_withdrawal(user: Any, person: Person) -> bool:
    """Whether the user may record a lawful basis other than consent for a person who withdrew.

    DECIDE_CASES: the role table gives it to provincial officers and national admins only (not
    to coordinators, volunteers or the read-only auditor). Going on with a person's data against
    their withdrawal is a decision of the province, like deciding a case, and it is what lets a
    stopped case go forward again (cases.workflow.consent_refusal)."""
    return access.can(user, Perm.DECIDE_CASES, person.area_id)


def last_withdrawal(person: Person) -> Consent | None:
    """The person's latest withdrawn consent (or objection), for forms to show."""
    return (
        person.consents.filter(withdrawn_on__isnull=False).order_by("-withdrawn_on", "-pk").first()
    )


def _consent_create(
    *,
    actor: Any,
    person: Person,
    data: ConsentData,
    details: dict[str, Any] | None = None,
    note: str = "",
) -> Consent:
    consent = Consent.objects.create(
        person=person,
        area_id=person.area_id,
        basis=data.basis,
        purpose=data.purpose,
        given_on=data.given_on,
        given_by=data.given_by,
        recorded_by=_user(actor),
        note=note,
    )
    audit_record(
        actor=actor,
        action="consent.record",
        target=consent,
        area_code=person.area_id,
        details={"person": person.pk, "basis": data.basis, **(details or {})},
    )
    return consent


@transaction.atomic
def consent_record(
    *, actor: Any, person: Person, data: ConsentData, justification: str = "", note: str = ""
) -> Consent:
    """A new consent (or lawful basis). After a withdrawal, it lifts the restriction: a
    consent the person gives again needs a note of how and when they gave it
    (`_reconsent_details`), a lawful basis a provincial officer and a written justification
    (`_override_details`). Either is kept on the consent and in its audit row."""
    _require_people(actor, [person], Perm.MANAGE_HOUSEHOLDS)
    if person.status == PersonStatus.MERGED:
        raise ValidationError(_("This record was merged into another one."))
    data = consent_clean(data, birth_date=person.birth_date)
    if data.basis in (ConsentBasis.CONSENT, ConsentBasis.GUARDIAN):
        details = _reconsent_details(person, data, note)
    else:
        details = _override_details(actor, person, justification)
    kept = (details or {}).get("justification") or (details or {}).get("note") or ""
    return _consent_create(actor=actor, person=person, data=data, details=details, note=kept)


def _reconsent_details(person: Person, data: ConsentData, note: str) -> dict[str, Any] | None:
    """For a consent given again after a withdrawal: refuses it without a note of how and
    when it was given, or dated before the withdrawal, and returns what the audit row adds.

    Anyone who may record a consent may record this one: a person may consent again to the
    volunteer who visits them (PDPA s.19 asks for their consent, not for an office to take
    it). What stops a withdrawal being undone at will is the written note, kept on the
    consent, shown on the person's page and in the audit log."""
    withdrawal = last_withdrawal(person) if person_is_restricted(person) else None
    if withdrawal is None or withdrawal.withdrawn_on is None:
        return None
    errors = Errors()
    if data.given_on < withdrawal.withdrawn_on:
        errors.add(
            "given_on",
            _("Consent given again cannot be dated before the withdrawal (%(date)s).")
            % {"date": thaidate.format_short(withdrawal.withdrawn_on)},
            code="date_order",
        )
    if not visible(note):
        errors.add(
            "note",
            _(
                "Write how and when the person gave consent again: for example, a form signed "
                "on which date, in front of whom, and where it is kept."
            ),
            code="required",
        )
    errors.raise_any()
    return {"after_withdrawal": withdrawal.withdrawn_on.isoformat(), "note": visible(note)}


def _override_details(actor: Any, person: Person, justification: str) -> dict[str, Any] | None:
    """For a lawful basis after a withdrawal: refuses it to anyone but a provincial officer
    or without a justification, and returns what the audit row adds."""
    withdrawal = last_withdrawal(person) if person_is_restricted(person) else None
    if withdrawal is None or withdrawal.withdrawn_on is None:
        return None
    errors = Errors()
    if not may_override_withdrawal(actor, person):
        errors.add(
            "basis",
            _(
                "The person withdrew consent on %(date)s. Only a provincial officer may record a "
                "lawful basis instead; you may record a new consent if the person gives it again."
            )
            % {"date": thaidate.format_short(withdrawal.withdrawn_on)},
            code="override_refused",
        )
    if not visible(justification):
        errors.add(
            "justification",
            _("Write why the person's data must be used despite the withdrawal."),
            code="required",
        )
    errors.raise_any()
    return {
        "after_withdrawal": withdrawal.withdrawn_on.isoformat(),
        "justification": visible(justification),
    }


@transaction.atomic
def consent_withdraw(*, actor: Any, consent: Consent, withdrawn_on: date, reason: str) -> Consent:
    """Records the person's withdrawal, on this consent and on every other they had given by
    then (a merge can leave a person with two): the record is then restricted."""
    consent = Consent.objects.select_for_update().select_related("person").get(pk=consent.pk)
    _require_people(actor, [consent.person], Perm.MANAGE_HOUSEHOLDS)
    if not consent.is_active:
        raise ValidationError(_("This consent was already withdrawn."))
    errors = Errors()
    if withdrawn_on is None:
        errors.add("withdrawn_on", _("Enter the date."), code="required")
    elif withdrawn_on > timezone.localdate():
        errors.add("withdrawn_on", _("The date cannot be in the future."), code="date_future")
    elif withdrawn_on < consent.given_on:
        errors.add(
            "withdrawn_on",
            _("The withdrawal cannot come before the consent was given."),
            code="date_order",
        )
    if not visible(reason):
        errors.add(
            "reason", _("Write the reason the person gave, or “not given”."), code="required"
        )
    errors.raise_any()
    others = Consent.objects.select_for_update().filter(
        person_id=consent.person_id, withdrawn_on__isnull=True, given_on__lte=withdrawn_on
    )
    for given in [consent, *others.exclude(pk=consent.pk)]:
        given.withdrawn_on = withdrawn_on
        given.withdrawal_reason = visible(reason)
        given.withdrawn_by = _user(actor)
        given.save(update_fields=["withdrawn_on", "withdrawal_reason", "withdrawn_by"])
        audit_record(
            actor=actor,
            action="consent.withdraw",
            target=given,
            area_code=given.area_id,
            details={"person": given.person_id},
        )
    return consent


def _already_evacuated(stay: Evacuation | None) -> str:
    """Said to whoever records an evacuation someone else has recorded meanwhile."""
    if stay is None:
        return _("This household is already recorded as evacuated.")
    return _(
        "This household is already recorded as evacuated, to %(place)s since %(since)s, by "
        "%(who)s. If it has moved to another shelter, record it back home, then the new stay."
    ) % {
        "place": stay.place,
        "since": thaidate.format_short(stay.since),
        "who": stay.recorded_by.display_name if stay.recorded_by else "-",
    }


@transaction.atomic
def person_restrict(*, actor: Any, person: Person, on: date, reason: str) -> bool:
    """Restricts a person's record as their withdrawal would: for an objection or erasure
    request the province accepted. Every consent or basis in force on `on` is withdrawn; a
    person with none recorded gets an objection to the public task, the basis the registry
    holds them on without one. False when nothing was in force that day (already restricted,
    or a consent given again since)."""
    in_force = person.consents.filter(withdrawn_on__isnull=True, given_on__lte=on)
    consent = in_force.order_by("given_on", "pk").first()
    if consent is None:
        if person.consents.exists():
            return False
        consent = Consent.objects.create(
            person=person,
            area_id=person.area_id,
            basis=ConsentBasis.PUBLIC_TASK,
            purpose=_(DEFAULT_PURPOSE),
            given_on=on,
            recorded_by=_user(actor),
        )
    consent_withdraw(actor=actor, consent=consent, withdrawn_on=on, reason=reason)
    return True


# --- Duplicates ----------------------------------------------------------------------------

MERGE_FILLS = ["title", "last_name", "birth_date", "relation", "phone", "document_type",
               "document_no", "disability_type", "disability_card_no"]  # fmt: skip
# The values a coordinator may take from the other record where both hold one and they differ.
# Not the relation: it is to the head of the record's own household.
MERGE_CHOICES = ["title", "first_name", "last_name", "birth_date", "sex", "phone",
                 "disability_type", "disability_card_no"]  # fmt: skip


def merge_differences(first: Person, second: Person) -> list[str]:
    """The MERGE_CHOICES in which both records hold a value and the values differ."""
    unset = ("", None, Sex.UNSPECIFIED)
    return [
        name
        for name in MERGE_CHOICES
        if getattr(first, name) not in unset
        and getattr(second, name) not in unset
        and getattr(first, name) != getattr(second, name)
    ]


@transaction.atomic
def merge_refused(first: Person, second: Person) -> str:
    """Why two records can never be merged, or "": one was merged already, or they carry
    different citizen IDs (their keyed hashes differ exactly when the IDs do). The merge page
    says it before the form is filled in; person_merge refuses the same."""
    for person in (first, second):
        if person.status == PersonStatus.MERGED:
            return _(
                "Record no. %(no)s (%(name)s) was already merged into record no. %(into)s."
            ) % {"no": person.pk, "name": person, "into": person.merged_into_id}
    hashes = {first.citizen_id_hash, second.citizen_id_hash} - {""}
    if len(hashes) == 2:
        return _("These records carry different citizen IDs, so they are not the same person.")
    return ""


def person_merge(
    *,
    actor: Any,
    survivor: Person,
    duplicate: Person,
    survivor_version: int | None = None,
    duplicate_version: int | None = None,
    take: Collection[str] = (),
) -> Person:
    """Merges `duplicate` into `survivor`: nothing is deleted.

    The survivor keeps its values and takes the duplicate's where its own are empty, and for
    the fields named in `take` (of MERGE_CHOICES) where both differ; recorded flags and welfare
    add up (either record saying "bedridden" is kept). The duplicate's
    consents move to the survivor (`_move_consents`). The duplicate becomes `merged`, points
    at the survivor and gives up its citizen-ID hash, so the ID stays unique.
    """
    people = Person.objects.select_for_update().filter(pk__in=[survivor.pk, duplicate.pk])
    locked = {p.pk: p for p in people}
    if survivor.pk == duplicate.pk:
        raise ValidationError(_("Choose two different records."))
    _require_people(actor, [survivor, duplicate], Perm.MERGE_PEOPLE)
    if not (
        access.can(actor, Perm.MERGE_PEOPLE, survivor.area_id)
        and access.can(actor, Perm.MERGE_PEOPLE, duplicate.area_id)
    ):
        raise PermissionDenied(_("Only a coordinator of both areas can merge these records."))
    survivor, duplicate = locked[survivor.pk], locked[duplicate.pk]
    # Before the versions: merged already, a form sent again says so, not that someone else
    # changed a record.
    refused = merge_refused(survivor, duplicate)
    if refused:
        raise ValidationError(refused)
    for person, expected in ((survivor, survivor_version), (duplicate, duplicate_version)):
        if expected is not None and person.version != expected:
            raise ConflictError(
                _(
                    "One of these records was changed while you were looking (by someone else, "
                    "or in another tab). Check again."
                )
            )
    restricted = [p for p in (survivor, duplicate) if person_is_restricted(p)]
    if len(restricted) == 1:
        raise ValidationError(
            _(
                "%(name)s withdrew their consent, and the other record did not. If they are "
                "the same person, record the withdrawal on the other record too (or a new "
                "consent on this one, if they gave it again), then merge."
            )
            % {"name": restricted[0]}
        )
    survivor_id, duplicate_id = survivor.read_citizen_id(), duplicate.read_citizen_id()

    fills = MERGE_FILLS
    if survivor_id or duplicate_id:  # another document stands in for a missing citizen ID
        fills = [n for n in MERGE_FILLS if n not in ("document_type", "document_no")]
    filled = [n for n in fills if not getattr(survivor, n) and getattr(duplicate, n)]
    for name in filled:
        setattr(survivor, name, getattr(duplicate, name))
    if survivor.sex == Sex.UNSPECIFIED and duplicate.sex != Sex.UNSPECIFIED:
        survivor.sex = duplicate.sex
        filled.append("sex")
    if set(take) - set(MERGE_CHOICES):
        raise ValidationError(
            _(
                "Only the names, title, birth date, sex, phone and disability details can be "
                "taken from the other record."
            )
        )
    taken = [n for n in MERGE_CHOICES if n in take and n in merge_differences(survivor, duplicate)]
    for name in taken:
        setattr(survivor, name, getattr(duplicate, name))
    for name in (*FLAGS, *WELFARE):
        if getattr(duplicate, name) and not getattr(survivor, name):
            setattr(survivor, name, True)
            filled.append(name)
    survivor.name_key = name_key(survivor.first_name, survivor.last_name)

    # The duplicate gives up its hash first: the unique constraint holds at every step.
    duplicate.status = PersonStatus.MERGED
    duplicate.merged_into = survivor
    duplicate.citizen_id_hash = ""
    if not survivor_id and duplicate_id:
        duplicate.citizen_id_encrypted = ""
    save_versioned(
        duplicate, duplicate.version, ["status", "merged_into", "citizen_id_hash",
                                       "citizen_id_encrypted"]
    )  # fmt: skip
    fields = [*MERGE_FILLS, "first_name", "sex", *FLAGS, *WELFARE, "name_key"]
    if not survivor_id and duplicate_id:
        survivor.set_citizen_id(duplicate_id)
        fields += ["citizen_id_encrypted", "citizen_id_hash"]
        filled.append("citizen_id")
    save_versioned(survivor, survivor.version, fields)

    moved = _move_consents(duplicate, survivor)
    pointed = _point_at_survivor(duplicate, survivor)
    if Household.objects.filter(pk=duplicate.household_id, head=duplicate).exists():
        head = survivor if survivor.household_id == duplicate.household_id else None
        _set_head(duplicate.household_id, head)
    audit_record(
        actor=actor,
        action="person.merge",
        target=survivor,
        area_code=survivor.area_id,
        details={
            "survivor": survivor.pk,
            "duplicate": duplicate.pk,
            "duplicate_area": duplicate.area_id,
            "filled": filled,
            "taken": taken,
            "consents_moved": moved,
            "records_moved": pointed,
        },
    )
    _close_if_emptied(
        actor,
        duplicate.household_id,
        survivor.household_id,
        _("Its last member was merged into a record in another household."),
    )
    households_recompute(household_ids=sorted({survivor.household_id, duplicate.household_id}))
    return survivor


def _move_consents(duplicate: Person, survivor: Person) -> int:
    """The duplicate's consents go to the survivor, but for those the survivor holds already
    (the same basis, purpose and date: one consent recorded twice), which stay with the merged
    record: the page would show the consent twice."""
    held = set(
        Consent.objects.filter(person=survivor).values_list(
            "basis", "purpose", "given_on", "withdrawn_on"
        )
    )
    moving = [
        consent.pk
        for consent in Consent.objects.filter(person=duplicate)
        if (consent.basis, consent.purpose, consent.given_on, consent.withdrawn_on) not in held
    ]
    return Consent.objects.filter(pk__in=moving).update(person=survivor, area=survivor.area)


def _point_at_survivor(duplicate: Person, survivor: Person) -> dict[str, int]:
    """Every other record that names the duplicate (visits that saw them, cases, help given,
    records merged into it earlier) names the survivor instead, whatever app it belongs to.
    A visit that saw both keeps the survivor once."""
    moved: dict[str, int] = {}
    for model, field in _keys_to_people():
        rows = model._base_manager.filter(**{field: duplicate})
        if model._meta.auto_created:  # a many-to-many table: one row per (visit, person)
            other = next(f.name for f in model._meta.fields if f.is_relation and f.name != field)
            both = model._base_manager.filter(**{field: survivor}).values(other)
            rows.filter(**{f"{other}__in": both}).delete()
        count = rows.update(**{field: survivor})
        if count:
            moved[model._meta.label_lower] = count
    return moved


def _keys_to_people() -> list[tuple[Any, str]]:
    """(model, field) of every foreign key to Person, a many-to-many table's included, but
    the household's head and the consents, which a merge treats on their own."""
    keys = []
    for relation in Person._meta.get_fields(include_hidden=True):
        if relation.auto_created and not relation.concrete and relation.one_to_many:
            model: Any = relation.related_model
            if model not in (Household, Consent):
                keys.append((model, relation.field.name))  # type: ignore[union-attr]
    return keys


def _close_if_emptied(
    actor: Any, household_id: int, survivor_household_id: int, reason: str
) -> None:
    """Closes the household a merge or a move took the last member living there from: an
    empty active household would stay in lists, coverage and visit schedules."""
    if household_id == survivor_household_id:
        return
    household = Household.objects.select_for_update().get(pk=household_id)
    lived_in = Person.objects.filter(household=household, status=PersonStatus.ACTIVE).exists()
    if household.status == HouseholdStatus.ACTIVE and not lived_in:
        household_set_status(
            actor=actor,
            household=household,
            status=HouseholdStatus.CLOSED,
            reason=reason,
        )


# --- Helpers -------------------------------------------------------------------------------


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def _status_label(status: str, *, person: bool = False) -> str:
    choices = PersonStatus if person else HouseholdStatus
    return str(dict(choices.choices).get(status, status))
