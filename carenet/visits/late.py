"""A visit that outlives the volunteer's access to its household.

While a volunteer records a visit, the centre may take her off the household, hand it over to
another volunteer, or mark it moved away or closed. The visit still happened while she was
assigned, so it is not lost: it is recorded, with the change noted on it (Visit.recorded_after,
the change's audit row), and she is told what changed, by whom and when. The area's
coordinators see it like any visit, and the note with it.

Whether she was recording before the change is shown by the form's signed start (put in the
form when the page is drawn for someone who may record: it names her and the household and
cannot be made by hand) or by her draft, which is saved only while she may record. Without
that proof, or without a change in the audit log that explains why she may not record, the
household is the same 404 as a missing one: an outsider learns nothing.

What she sees afterwards is only what her access allows: the page that tells her shows the
address she was recording at and the change, not the household's people.
"""

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.core import signing
from django.db.models import Q

from carenet.accounts.access import Perm
from carenet.core.models import AuditEvent
from carenet.households import selectors as household_selectors
from carenet.households.models import Household, HouseholdStatus, Person, PersonStatus
from carenet.households.services import person_is_restricted
from carenet.visits.models import Visit, VisitDraft
from carenet.volunteers.models import Volunteer
from carenet.volunteers.selectors import volunteer_of

SALT = "carenet.visits.form-opened"
OPENED_FIELD = "opened"
# A visit may be entered up to a year late (services.OLDEST_VISIT); so may its form.
OPENED_MAX_AGE = 366 * 24 * 3600
TOKEN_MAX_LENGTH = 300

UNASSIGNED = "unassigned"
HANDED_OVER = "handed_over"
ASSIGNMENT_ACTIONS = {"household.unassign": UNASSIGNED, "household.handover": HANDED_OVER}
STATUS_ACTION = household_selectors.HOUSEHOLD_STATUS_ACTION


# --- The form's signed start ---------------------------------------------------------------


def form_opened_token(*, user: Any, household: Household, at: datetime | None = None) -> str:
    """What the form carries to show that `user` could record `household` at `at` (now)."""
    when = (at or datetime.now(tz=UTC)).timestamp()
    return signing.dumps({"u": user.pk, "h": household.pk, "t": when}, salt=SALT)


def form_opened_at(token: Any, *, user: Any, household: Household) -> datetime | None:
    """When the form was drawn for this user and household; None for anything else."""
    if isinstance(token, list):
        token = token[-1] if token else ""
    if not isinstance(token, str) or not token or len(token) > TOKEN_MAX_LENGTH:
        return None
    try:
        data = signing.loads(token, salt=SALT, max_age=OPENED_MAX_AGE)
    except (signing.BadSignature, ValueError):
        return None
    if not isinstance(data, dict) or (data.get("u"), data.get("h")) != (user.pk, household.pk):
        return None
    when = data.get("t")
    return datetime.fromtimestamp(when, tz=UTC) if isinstance(when, int | float) else None


def recording_started_at(*, user: Any, household: Household, token: Any) -> datetime | None:
    """The earliest moment the user is known to have been recording this household: the
    form's signed start, or their draft (saved only while they may record, or, after, with
    the start it proved written into it)."""
    times = [form_opened_at(token, user=user, household=household)]
    draft = VisitDraft.objects.filter(user_id=user.pk, household=household).first()
    if draft is not None:
        opened = draft.data.get(OPENED_FIELD)
        times += [form_opened_at(opened, user=user, household=household), draft.updated_at]
    found = [t for t in times if t is not None]
    return min(found) if found else None


# --- What changed --------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """One change that stopped the user recording: what, when, by whom (and to whom)."""

    kind: str  # unassigned, handed_over, moved, closed
    when: datetime
    by: str
    event_id: int
    taker: str = ""  # the volunteer who took the household over
    members: tuple[int, ...] = ()  # the people who moved away with the household


def change_of(event: AuditEvent) -> Change:
    """An audit row of households.services as a Change."""
    by = event.actor.display_name if event.actor else ""
    details = event.details or {}
    if event.action == STATUS_ACTION:
        members = tuple(m for m in details.get("members", []) if isinstance(m, int))
        return Change(str(details.get("to", "")), event.created_at, by, event.pk, members=members)
    taker = ""
    to = details.get("to")
    if event.action == "household.handover" and isinstance(to, int):
        found = Volunteer.objects.filter(pk=to).first()
        taker = found.full_name if found else ""
    return Change(ASSIGNMENT_ACTIONS[event.action], event.created_at, by, event.pk, taker=taker)


def _latest(household: Household, query: Q) -> AuditEvent | None:
    return (
        AuditEvent.objects.filter(
            query, target_type=household._meta.label_lower, target_id=str(household.pk)
        )
        .select_related("actor")
        .order_by("-created_at", "-id")
        .first()
    )


def blocking_changes(*, user: Any, household: Household, may_record: bool) -> list[Change] | None:
    """Why the user may not record this household now: the household moved or closed, they
    were taken off it or it was handed over ([] when nothing stops them). None when something
    stops them that the audit log does not explain."""
    changes = []
    if household.status != HouseholdStatus.ACTIVE:
        event = _latest(household, Q(action=STATUS_ACTION, details__to=household.status))
        if event is None:
            return None
        changes.append(change_of(event))
    if not may_record:
        volunteer = volunteer_of(user)
        if volunteer is None:
            return None
        event = _latest(
            household,
            Q(action="household.unassign", details__volunteer=volunteer.pk)
            | Q(action="household.handover", details__from=volunteer.pk),
        )
        if event is None:
            return None
        changes.append(change_of(event))
    return sorted(changes, key=lambda c: c.when)


def changes_since(
    *, user: Any, household: Household, started_at: datetime | None, may_record: bool
) -> list[Change] | None:
    """The changes that stop the user recording, when every one came after `started_at`
    (the visit began before them); None otherwise."""
    if started_at is None:
        return None
    changes = blocking_changes(user=user, household=household, may_record=may_record)
    if not changes or any(c.when <= started_at for c in changes):
        return None
    return changes


# --- The late recording --------------------------------------------------------------------


@dataclass
class LateRecording:
    household: Household
    changes: list[Change]
    started_at: datetime
    # Whether the user may still open the household (still assigned to one that moved away).
    still_sees: bool
    members: list[Person] = field(default_factory=list)

    @property
    def latest(self) -> Change:
        return self.changes[-1]


def late_recording(
    *, user: Any, pk: Any, token: Any, client_uuid: Any = None
) -> LateRecording | None:
    """The household the user was recording when something stopped them (see the module's
    docstring); None for one they may record as usual, and for one they never had. One visit
    gets through after a change, the one in progress (sent again with its own `client_uuid`,
    it is found as stored): more sent with the same form's start would add to a household
    the volunteer no longer has."""
    try:
        household = Household.objects.select_related("area", "head").filter(pk=int(pk)).first()
    except (TypeError, ValueError):
        return None
    if household is None:
        return None
    visible = household_selectors.households_visible(user, Perm.RECORD_VISITS)
    may_record = visible.filter(pk=household.pk).exists()
    if may_record and household.status == HouseholdStatus.ACTIVE:
        return None
    started_at = recording_started_at(user=user, household=household, token=token)
    changes = changes_since(
        user=user, household=household, started_at=started_at, may_record=may_record
    )
    if changes is None or started_at is None:
        return None
    if _sent_since(user, household, changes[-1], client_uuid):
        return None
    return LateRecording(
        household, changes, started_at, may_record, members_then(household, changes)
    )


def _sent_since(user: Any, household: Household, change: Change, client_uuid: Any) -> bool:
    sent = Visit.objects.filter(
        household=household, recorded_by_id=user.pk, recorded_after_id=change.event_id
    )
    try:
        resent = uuid.UUID(str(client_uuid)) if client_uuid else None
    except ValueError:
        resent = None
    return (sent.exclude(client_uuid=resent) if resent else sent).exists()


def members_then(household: Household, changes: list[Change]) -> list[Person]:
    """The people a visit begun before the changes could record as seen: those living there
    then (those who moved away with the household too), whose consent still stands."""
    moved_with = {m for c in changes for m in c.members}
    people = (
        household.members.filter(Q(status=PersonStatus.ACTIVE) | Q(pk__in=moved_with))
        .exclude(status__in=[PersonStatus.DECEASED, PersonStatus.MERGED])
        .prefetch_related("consents")
        .order_by("pk")
    )
    return [p for p in people if not person_is_restricted(p)]


def left_drafts(*, user: Any) -> list[VisitDraft]:
    """The user's drafts for households they may no longer record: to send, not to hide."""
    drafts = VisitDraft.objects.filter(user_id=user.pk).select_related("household__area")
    visible = household_selectors.households_visible(user, Perm.RECORD_VISITS)
    mine = set(
        visible.filter(
            pk__in=drafts.values("household_id"), status=HouseholdStatus.ACTIVE
        ).values_list("pk", flat=True)
    )
    return [d for d in drafts.order_by("-updated_at") if d.household_id not in mine]
