"""Writes about training events: the event itself, its sessions, its invitation list, the
volunteers' answers, and the province's annual awards.

Every function takes the acting user as `actor` and checks, through accounts.access, that the
actor holds MANAGE_TRAINING over the event's area (the organising centre's area): a district
coordinator manages only their district's events. The whole request is validated before anything
is written; a refused request raises ValidationError keyed by the form field it concerns (or
PermissionDenied when the actor may not act at all), and writes nothing. Each write adds its audit
row in the same transaction. `actor=None` is the system (demo, commands): no scope check.

The invitation list. The organiser's criteria produce a list of volunteers
(criteria.target_volunteers); `invitations_build` turns it into Invitation rows that are not sent
yet (invited_at is null). The organiser may then add volunteers by hand (added_by_hand) and remove
some. A removal deletes the row and keeps the volunteer's id in the event's criteria JSON under
"excluded", so building the list again (after the criteria change, or volunteers join) neither
brings a removed volunteer back nor drops a hand-added one. Rows already sent are never dropped
by a rebuild: a volunteer who was told they are invited stays invited. Building and sending cost
a fixed number of queries whatever the list's length (bulk_create, one UPDATE).

Awards: a centre nominates a volunteer of its area; "the province" decides, i.e. someone who
holds MANAGE_TRAINING over the volunteer's whole province (a provincial officer, the national
admin). The moves are the table AWARD_MOVES.
"""

import copy
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, NamedTuple

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from carenet.accounts import access
from carenet.accounts.access import Perm
from carenet.areas.models import Area, Level
from carenet.core import thaidate
from carenet.core.services import audit_record, save_versioned
from carenet.core.text import visible
from carenet.core.thaidate import fiscal_year
from carenet.training.criteria import COMMITTEE_CHOICES, TargetCriteria, target_volunteers
from carenet.training.models import (
    Award,
    AwardStatus,
    Certificate,
    Competency,
    CompetencyGrant,
    EventKind,
    EventStatus,
    Invitation,
    InvitationStatus,
    Session,
    TrainingEvent,
)
from carenet.volunteers.history import LEAVING
from carenet.volunteers.models import Centre, Volunteer, VolunteerStatus

AWARD_MOVES: dict[str, set[str]] = {
    AwardStatus.NOMINATED: {AwardStatus.SHORTLISTED, AwardStatus.NOT_SELECTED},
    AwardStatus.SHORTLISTED: {AwardStatus.AWARDED, AwardStatus.NOT_SELECTED},
    AwardStatus.AWARDED: set(),
    AwardStatus.NOT_SELECTED: set(),
}
EXCLUDED = "excluded"  # the key of the hand-removed volunteers' ids in event.criteria


def _require(actor: Any, area_code: str) -> None:
    if actor is not None and not access.can(actor, Perm.MANAGE_TRAINING, area_code):
        raise PermissionDenied


def _require_event(actor: Any, event: TrainingEvent) -> None:
    _require(actor, event.area_id)


# --- events ----------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class EventData:
    """What the organiser types about an event (the event form, parsed)."""

    centre: Centre
    title: str
    kind: str
    starts_on: date
    ends_on: date
    venue: str
    venue_area: str = ""  # a subdistrict code, or blank
    budget: Decimal | None = None
    description: str = ""
    competencies: list[Competency] = field(default_factory=list)
    attendance_rule: int = 80
    signer_name: str = ""
    signer_position: str = ""
    criteria: TargetCriteria | None = None  # None: the centre's whole area


EVENT_FIELDS = [
    "title",
    "kind",
    "centre",
    "area",
    "fiscal_year",
    "budget",
    "venue",
    "venue_area",
    "starts_on",
    "ends_on",
    "description",
    "attendance_rule",
    "signer_name",
    "signer_position",
    "criteria",
]

# Dates a person may mean for an event; a wrong year (2500 for 2568) is refused.
LONGEST_EVENT_DAYS = 366
EVENT_YEARS_BACK = 5
TWIN_WINDOW = timedelta(minutes=10)
AWARD_YEARS_BACK = 10  # awards of earlier years recorded for the register's history

# What a certificate prints of its event, or what decided who got one: fixed once issued, so
# that a certificate printed earlier still matches its verification page.
CERTIFICATE_FIELDS = {
    "title",
    "kind",
    "centre",
    "venue",
    "venue_area",
    "starts_on",
    "ends_on",
    "attendance_rule",
    "signer_name",
    "signer_position",
}


def _clean_event(actor: Any, data: EventData, *, excluded: list[int]) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}

    def refuse(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    centre = data.centre
    if actor is not None and not access.can(actor, Perm.MANAGE_TRAINING, centre.area_id):
        refuse("centre", _("You can organise events only for a centre of your own area."))
    title = " ".join(data.title.split())
    if not title:
        refuse("title", _("Give the event a title."))
    if data.kind not in EventKind.values:
        refuse("kind", _("Choose the kind of event."))
    today = timezone.localdate()
    if data.ends_on < data.starts_on:
        refuse("ends_on", _("The last day cannot be before the first day."))
    elif (data.ends_on - data.starts_on).days > LONGEST_EVENT_DAYS:
        refuse("ends_on", _("An event lasts at most a year: check the last day's year."))
    if data.starts_on < date(today.year - EVENT_YEARS_BACK, 1, 1):
        refuse(
            "starts_on",
            _("Check the year: an event is recorded at most %(years)d years back.")
            % {"years": EVENT_YEARS_BACK},
        )

    if data.budget is not None and data.budget < 0:
        refuse("budget", _("The budget cannot be negative."))
    if not 0 <= data.attendance_rule <= 100:
        refuse("attendance_rule", _("The attendance needed is a percentage from 0 to 100."))
    venue_area = None
    if data.venue_area:
        venue_area = Area.objects.filter(code=data.venue_area, level=Level.SUBDISTRICT).first()
        if venue_area is None:
            refuse("venue_area", _("Choose the subdistrict (ตำบล) where the venue is."))
    criteria = data.criteria or TargetCriteria(area=centre.area_id)
    criteria_json: dict[str, Any] = criteria.to_json()
    if not criteria.area.startswith(centre.area_id) or len(criteria.area) > 6:
        refuse("target_area", _("The target area must lie within the organising centre's area."))
    if criteria.committee not in {code for code, _label in COMMITTEE_CHOICES}:
        refuse("committee", _("Choose a committee level from the list."))
    if (
        criteria.min_years is not None
        and criteria.max_years is not None
        and criteria.max_years <= criteria.min_years
    ):
        refuse("max_years", _("“Fewer than” must be more than the minimum years of service."))
    if criteria.lacks and not Competency.objects.filter(code=criteria.lacks).exists():
        refuse("lacks", _("Choose a competency from the list."))
    if errors:
        raise ValidationError(errors)
    if excluded:
        criteria_json[EXCLUDED] = sorted(set(excluded))
    return {
        "title": title,
        "kind": data.kind,
        "centre": centre,
        "area": centre.area,
        "fiscal_year": fiscal_year(data.starts_on),
        "budget": data.budget,
        "venue": " ".join(data.venue.split()),
        "venue_area": venue_area,
        "starts_on": data.starts_on,
        "ends_on": data.ends_on,
        "description": data.description.strip(),
        "attendance_rule": data.attendance_rule,
        "signer_name": data.signer_name.strip(),
        "signer_position": data.signer_position.strip(),
        "criteria": criteria_json,
    }


@transaction.atomic
def event_create(*, actor: Any, data: EventData) -> TrainingEvent:
    """Creates the event and builds its (unsent) invitation list from the criteria. The same
    event sent again by the same person within TWIN_WINDOW (a double tap) is the first one."""
    values = _clean_event(actor, data, excluded=[])
    twin = TrainingEvent.objects.filter(
        created_by=actor,
        created_at__gte=timezone.now() - TWIN_WINDOW,
        centre=values["centre"],
        title=values["title"],
        starts_on=values["starts_on"],
        ends_on=values["ends_on"],
    ).first()
    if twin is not None:
        return twin
    event = TrainingEvent.objects.create(created_by=actor, **values)
    event.competencies.set(data.competencies)
    audit_record(actor=actor, action="training.event_create", target=event, area_code=event.area_id)
    invitations_build(actor=actor, event=event)
    return event


@transaction.atomic
def event_update(
    *, actor: Any, event: TrainingEvent, data: EventData, version: int
) -> TrainingEvent:
    """Saves an edit made on `version`; a stale one raises ConflictError. Changed criteria
    rebuild the unsent part of the list (hand edits kept)."""
    _require_event(actor, event)
    values = _clean_event(actor, data, excluded=event.criteria.get(EXCLUDED, []))
    if values["starts_on"] != event.starts_on or values["ends_on"] != event.ends_on:
        # Sessions are stored as aware datetimes; compare by their Bangkok day.
        days = {
            timezone.localtime(moment).date()
            for s in event.sessions.all()
            for moment in (s.starts_at, s.ends_at)
        }
        if any(day < values["starts_on"] or day > values["ends_on"] for day in days):
            raise ValidationError(
                {"starts_on": _("Some sessions fall outside these days: move them first.")}
            )
    # Work on a copy (with its own cache of related rows), so that the caller's instance stays
    # as it was if the save is refused.
    draft = copy.copy(event)
    draft._state = copy.copy(event._state)
    draft._state.fields_cache = dict(event._state.fields_cache)
    changed = [name for name, value in values.items() if getattr(draft, name) != value]
    printed = [name for name in changed if name in CERTIFICATE_FIELDS]
    if printed and event.certificates.filter(revoked=False).exists():
        raise ValidationError(
            {
                name: _(
                    "Certificates of this event have been issued with this on them, or it "
                    "decided who got one: it can no longer change, so that a printed "
                    "certificate still matches its verification page."
                )
                for name in printed
            }
        )
    for name, value in values.items():
        setattr(draft, name, value)
    save_versioned(draft, version, EVENT_FIELDS)
    for name in [*EVENT_FIELDS, "version"]:
        setattr(event, name, getattr(draft, name))
    if set(event.competencies.all()) != set(data.competencies):
        if _certified(event):
            raise ValidationError({"competencies": _certified_reason()})
        event.competencies.set(data.competencies)
        changed.append("competencies")
    audit_record(
        actor=actor,
        action="training.event_update",
        target=event,
        area_code=event.area_id,
        details={"fields": changed},
    )
    if "criteria" in changed or "starts_on" in changed:
        # What the new criteria did to the list not sent yet, for the page to say.
        event.list_rebuilt = invitations_build(actor=actor, event=event)  # type: ignore[attr-defined]
    return event


@transaction.atomic
def event_cancel(*, actor: Any, event: TrainingEvent, reason: str) -> TrainingEvent:
    """Calls the event off. It stays, with its list and any attendance (never deleted); the
    volunteers it invited see it cancelled, with the reason, instead of a live invitation.
    An event whose certificates are issued is over, not cancelled."""
    _require_event(actor, event)
    if event.status == EventStatus.CANCELLED:
        raise ValidationError(_("This event is cancelled already."))
    if event.status == EventStatus.DONE or _certified(event):
        raise ValidationError(
            _("This event is over and its certificates are issued: it cannot be cancelled.")
        )
    reason = " ".join(reason.split())
    if not reason:
        raise ValidationError({"reason": _("Say why the event is cancelled.")})
    before = event.status
    event.status, event.cancel_reason = EventStatus.CANCELLED, reason
    event.save(update_fields=["status", "cancel_reason", "updated_at"])
    audit_record(
        actor=actor,
        action="training.event_cancel",
        target=event,
        area_code=event.area_id,
        details={"from": before, "reason": reason},
    )
    return event


def may_revoke(user: Any, certificate: Certificate) -> bool:
    """The provincial office of the event's province (or the ministry) revokes a
    certificate issued by mistake: a centre asks it, as the check-in page says."""
    return access.can(user, Perm.MANAGE_TRAINING, certificate.event.area_id[:2])


@transaction.atomic
def certificate_revoke(*, actor: Any, certificate: Certificate, reason: str) -> Certificate:
    """Revokes a certificate issued by mistake (someone ticked who was not there): its
    verification page then reads "not found", the check-in can be taken back, and the
    competencies it granted to the volunteer with this event are withdrawn."""
    if actor is not None and not may_revoke(actor, certificate):
        raise PermissionDenied
    if certificate.revoked:
        raise ValidationError(_("This certificate is revoked already."))
    reason = " ".join(reason.split())
    if not reason:
        raise ValidationError({"reason": _("Say why the certificate is revoked.")})
    certificate.revoked, certificate.revoke_reason = True, reason
    certificate.save(update_fields=["revoked", "revoke_reason"])
    _total, removed = CompetencyGrant.objects.filter(
        volunteer_id=certificate.volunteer_id, event_id=certificate.event_id
    ).delete()
    audit_record(
        actor=actor,
        action="training.certificate_revoke",
        target=certificate.event,
        area_code=certificate.area_id,
        details={
            "code": certificate.code,
            "volunteer": certificate.volunteer_id,
            "reason": reason,
            "competencies_withdrawn": removed.get(CompetencyGrant._meta.label, 0),
        },
    )
    return certificate


def _refuse_if_cancelled(event: TrainingEvent) -> None:
    if event.status == EventStatus.CANCELLED:
        raise ValidationError(_("This event is cancelled: it is kept as it was."))


def _certified(event: TrainingEvent) -> bool:
    return event.certificates.filter(revoked=False).exists()


def _certified_reason() -> str:
    """Sessions and competencies decided who got a certificate and what it granted."""
    return _(
        "Certificates of this training have been issued: its sessions and competencies "
        "decided who got one and what it grants, so they can no longer change."
    )


# --- sessions ------------------------------------------------------------------------------


def _clean_session(
    event: TrainingEvent,
    *,
    title: str,
    starts_at: datetime,
    ends_at: datetime,
    session: Session | None = None,
) -> str:
    errors: dict[str, str] = {}
    title = " ".join(title.split())
    if not title:
        errors["title"] = _("Give the session a title.")
    first = timezone.localtime(starts_at).date()
    last = timezone.localtime(ends_at).date()
    if not (event.starts_on <= first <= event.ends_on and event.starts_on <= last <= event.ends_on):
        errors["day"] = _("The session must be on one of the event's days.")
    elif ends_at <= starts_at:
        errors["ends"] = _("The session must end after it starts.")
    else:
        # Attendance counts sessions: two at the same time would count one morning twice.
        overlapping = event.sessions.filter(starts_at__lt=ends_at, ends_at__gt=starts_at)
        if session is not None:
            overlapping = overlapping.exclude(pk=session.pk)
        other = overlapping.first()
        if other is not None:
            errors["starts"] = _(
                "This overlaps the session “%(title)s” (%(when)s). Sessions of an event are "
                "at different times."
            ) % {
                "title": other.title,
                "when": thaidate.format_datetime(timezone.localtime(other.starts_at)),
            }
    if errors:
        raise ValidationError(errors)
    return title


@transaction.atomic
def session_add(
    *,
    actor: Any,
    event: TrainingEvent,
    title: str,
    starts_at: datetime,
    ends_at: datetime,
    agenda: str = "",
    speakers: str = "",
) -> Session:
    _require_event(actor, event)
    _refuse_if_cancelled(event)
    if _certified(event):
        raise ValidationError(_certified_reason())
    title = _clean_session(event, title=title, starts_at=starts_at, ends_at=ends_at)
    session = Session.objects.create(
        event=event,
        title=title,
        starts_at=starts_at,
        ends_at=ends_at,
        agenda=agenda.strip(),
        speakers=" ".join(speakers.split()),
    )
    audit_record(
        actor=actor, action="training.session_add", target=session, area_code=event.area_id
    )
    return session


@transaction.atomic
def session_update(
    *,
    actor: Any,
    session: Session,
    title: str,
    starts_at: datetime,
    ends_at: datetime,
    agenda: str = "",
    speakers: str = "",
) -> Session:
    event = session.event
    _require_event(actor, event)
    _refuse_if_cancelled(event)
    moved = (starts_at, ends_at) != (session.starts_at, session.ends_at)
    if moved and _certified(event):
        # Its day decided who was out of the network then, and the certificates' date.
        raise ValidationError(_certified_reason())
    session.title = _clean_session(
        event, title=title, starts_at=starts_at, ends_at=ends_at, session=session
    )
    session.starts_at, session.ends_at = starts_at, ends_at
    session.agenda, session.speakers = agenda.strip(), " ".join(speakers.split())
    session.save(update_fields=["title", "starts_at", "ends_at", "agenda", "speakers"])
    audit_record(
        actor=actor, action="training.session_update", target=session, area_code=event.area_id
    )
    return session


@transaction.atomic
def session_delete(*, actor: Any, session: Session) -> None:
    event = session.event
    _require_event(actor, event)
    _refuse_if_cancelled(event)
    if session.attendance.exists():
        raise ValidationError(_("People have checked in to this session: it cannot be deleted."))
    if _certified(event):
        raise ValidationError(_certified_reason())
    audit_record(
        actor=actor,
        action="training.session_delete",
        target=session,
        area_code=event.area_id,
        details={"title": session.title},
    )
    session.delete()


# --- the invitation list ---------------------------------------------------------------------


def event_criteria(event: TrainingEvent) -> TargetCriteria:
    return TargetCriteria.from_json(event.criteria or {"area": event.area_id})


@transaction.atomic
def invitations_build(*, actor: Any, event: TrainingEvent) -> dict[str, int]:
    """Produces the list from the criteria: adds the volunteers they match (not yet sent), and
    drops unsent rows they no longer match, unless added by hand. Removed volunteers stay out."""
    _require_event(actor, event)
    _refuse_if_cancelled(event)
    excluded = set(event.criteria.get(EXCLUDED, []))
    wanted = dict(
        target_volunteers(event_criteria(event), event.starts_on).values_list("pk", "area_id")
    )
    existing = dict(Invitation.objects.filter(event=event).values_list("volunteer_id", "pk"))
    stale = Invitation.objects.filter(
        event=event, invited_at__isnull=True, added_by_hand=False
    ).exclude(volunteer_id__in=[pk for pk in wanted if pk not in excluded])
    dropped, _detail = stale.delete()
    new = [
        Invitation(event=event, volunteer_id=pk, area_id=area)
        for pk, area in wanted.items()
        if pk not in existing and pk not in excluded
    ]
    Invitation.objects.bulk_create(new, batch_size=500)
    audit_record(
        actor=actor,
        action="training.invitations_build",
        target=event,
        area_code=event.area_id,
        details={"added": len(new), "dropped": dropped},
    )
    return {"added": len(new), "dropped": dropped}


def _set_excluded(event: TrainingEvent, ids: set[int]) -> None:
    criteria = dict(event.criteria)
    if ids:
        criteria[EXCLUDED] = sorted(ids)
    else:
        criteria.pop(EXCLUDED, None)
    event.criteria = criteria
    event.save(update_fields=["criteria", "updated_at"])


@transaction.atomic
def invitation_add(*, actor: Any, event: TrainingEvent, volunteer: Volunteer) -> Invitation:
    """Adds an active volunteer of the organiser's area by hand (or puts a removed one back)."""
    _require_event(actor, event)
    if volunteer.status != VolunteerStatus.ACTIVE or not volunteer.area_id.startswith(
        event.area_id
    ):
        raise ValidationError(
            {"volunteer": _("Only active volunteers of the organiser's area can be invited.")}
        )
    excluded = set(event.criteria.get(EXCLUDED, []))
    if volunteer.pk in excluded:
        _set_excluded(event, excluded - {volunteer.pk})
    matched = target_volunteers(event_criteria(event), event.starts_on).filter(pk=volunteer.pk)
    invitation, created = Invitation.objects.get_or_create(
        event=event,
        volunteer=volunteer,
        defaults={"area_id": volunteer.area_id, "added_by_hand": not matched.exists()},
    )
    if created:
        audit_record(
            actor=actor,
            action="training.invitation_add",
            target=invitation,
            area_code=volunteer.area_id,
        )
    return invitation


@transaction.atomic
def invitation_remove(*, actor: Any, invitation: Invitation) -> None:
    """Takes a volunteer off the list and keeps them off when the list is built again."""
    event = invitation.event
    _require_event(actor, event)
    if invitation.attendance.exists() or hasattr(invitation, "certificate"):
        raise ValidationError(_("This volunteer has attended: they cannot be taken off the list."))
    if not invitation.added_by_hand:
        _set_excluded(event, set(event.criteria.get(EXCLUDED, [])) | {invitation.volunteer_id})
    audit_record(
        actor=actor,
        action="training.invitation_remove",
        target=invitation,
        area_code=invitation.area_id,
        details={"volunteer": invitation.volunteer_id, "was_sent": bool(invitation.invited_at)},
    )
    invitation.delete()


class Sent(NamedTuple):
    sent: int
    left_out: int  # unsent invitations of volunteers who had left: taken off the list


@transaction.atomic
def invitations_send(*, actor: Any, event: TrainingEvent) -> Sent:
    """Sends every invitation not sent yet (in-app: they appear on the volunteers' "my
    trainings" page). Volunteers who resigned, were removed or died since the list was made
    are taken off it rather than invited."""
    _require_event(actor, event)
    if event.status in (EventStatus.DONE, EventStatus.CANCELLED):
        raise ValidationError(_("This event is over or cancelled: no invitations can be sent."))
    now = timezone.now()
    unsent = Invitation.objects.filter(event=event, invited_at__isnull=True)
    _total, deleted = unsent.filter(volunteer__status__in=LEAVING).delete()
    left_out = deleted.get(Invitation._meta.label, 0)
    sent = unsent.update(invited_at=now)
    if event.status == EventStatus.PLANNED and sent:
        event.status = EventStatus.INVITED
        event.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=actor,
        action="training.invitations_send",
        target=event,
        area_code=event.area_id,
        details={"sent": sent, **({"left_out": left_out} if left_out else {})},
    )
    return Sent(sent, left_out)


@transaction.atomic
def invitation_respond(*, actor: Any, invitation: Invitation, attend: bool) -> Invitation:
    """The invited volunteer says whether they will come. Only their own invitation, once sent,
    and before the event is over."""
    volunteer = invitation.volunteer
    if actor is not None and (volunteer.user_id is None or volunteer.user_id != actor.pk):
        raise PermissionDenied
    event = invitation.event
    if invitation.invited_at is None:
        raise ValidationError(_("This invitation has not been sent yet."))
    _refuse_if_cancelled(event)
    if event.status == EventStatus.DONE or event.ends_on < timezone.localdate():
        raise ValidationError(_("This event is over: the answer can no longer change."))
    invitation.status = InvitationStatus.CONFIRMED if attend else InvitationStatus.DECLINED
    invitation.responded_at = timezone.now()
    invitation.save(update_fields=["status", "responded_at"])
    audit_record(
        actor=actor,
        action="training.invitation_respond",
        target=invitation,
        area_code=invitation.area_id,
        details={"status": invitation.status},
    )
    return invitation


# --- awards ------------------------------------------------------------------------------------


def can_decide_awards(user: Any, area_code: str) -> bool:
    """ "The province" decides: MANAGE_TRAINING over the whole province of the area."""
    return access.can(user, Perm.MANAGE_TRAINING, area_code[:2])


@transaction.atomic
def award_nominate(
    *, actor: Any, volunteer: Volunteer, fiscal_year: int, reason: str, title: str = ""
) -> Award:
    _require(actor, volunteer.area_id)
    errors: dict[str, str] = {}
    title = " ".join(title.split()) or "อพม. ดีเด่น"
    reason = visible(reason)
    if not reason:
        errors["reason"] = _("Say why this volunteer deserves the award.")
    now = thaidate.fiscal_year(timezone.localdate())
    if not now - AWARD_YEARS_BACK <= fiscal_year <= now + 1:
        errors["fiscal_year"] = _(
            "Write the fiscal year in Buddhist Era, from %(first)d to %(last)d."
        ) % {"first": now - AWARD_YEARS_BACK, "last": now + 1}
    if volunteer.status != VolunteerStatus.ACTIVE:
        errors["volunteer"] = _("Only an active volunteer can be nominated.")
    if Award.objects.filter(volunteer=volunteer, fiscal_year=fiscal_year, title=title).exists():
        errors["volunteer"] = _("This volunteer is already nominated for this award this year.")
    if errors:
        raise ValidationError(errors)
    award = Award.objects.create(
        volunteer=volunteer,
        area_id=volunteer.area_id,
        fiscal_year=fiscal_year,
        title=title,
        reason=reason,
        nominated_by=actor,
    )
    audit_record(
        actor=actor, action="training.award_nominate", target=award, area_code=award.area_id
    )
    return award


@transaction.atomic
def award_move(*, actor: Any, award: Award, to_status: str) -> Award:
    if actor is not None and not can_decide_awards(actor, award.area_id):
        raise PermissionDenied
    if to_status not in AWARD_MOVES.get(award.status, set()):
        raise ValidationError(
            {"to_status": _("A nomination cannot move from this status to that one.")}
        )
    before = award.status
    award.status = to_status
    award.decided_by = actor
    award.save(update_fields=["status", "decided_by", "updated_at"])
    audit_record(
        actor=actor,
        action="training.award_move",
        target=award,
        area_code=award.area_id,
        details={"from": before, "to": to_status},
    )
    return award
