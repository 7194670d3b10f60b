"""Check-in at the venue: QR codes, scanning, ticking names, and the attendance figures.

Each invitation carries a random `token`. The volunteer's phone (my_qr) and printed badge show it
as a QR code holding "CARENET-T:<token>" and nothing else: a code that is photographed or lost
tells nobody who it belongs to. The QR is drawn on the server as SVG (segno), so the phone needs
no script to show it and a printed badge stays sharp.

Staff scan codes per session with a phone camera in the browser; the decoded text is posted to
the server, which answers with one of three results (CheckIn.status):
* "new": checked in now (a volunteer who had declined but came is checked in too, and marked);
* "already": this person was checked in to this session earlier (the time is given), so scanning
  the same code twice is harmless;
* "refused": the code is empty, not a Carenet code, unknown, from another event, or from an
  invitation that was never sent, with the reason.
When the network or the camera is poor, staff tick names from a searchable list instead; a tick
takes the same path (`attendance_record` with the invitation instead of a token).

Speed: a venue checks in several hundred people an hour, so a scan is one indexed lookup (the
token is unique) that also reads whether this person already holds an attendance row for the
session, then, only for a first check-in, the insert and its audit row in one transaction. The
Attendance unique constraint (session, invitation) keeps two scanners racing on one person from
recording them twice: the loser's insert fails, and it answers "already" like a second scan.
Only the first check-in per person and session is audited; repeats write nothing.

The attendance figures (`attendance_summary`) cost a fixed number of grouped queries whatever
the size of the event: per session (checked in, of those invited, of those who confirmed), per
district of the volunteers' areas, overall, and how many sessions each person attended. They are
scoped like the invitation lists: a user sees the invitations whose area lies in their training
scope, so a district coordinator looking at the province's workshop sees their own volunteers.
"""

import codecs
import csv
import io
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

import segno
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Substr
from django.http import Http404
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from carenet.accounts import access
from carenet.accounts.access import Perm
from carenet.areas.models import Area
from carenet.core import thaidate
from carenet.core.collation import thai_order
from carenet.core.people import name_q
from carenet.core.services import audit_record
from carenet.core.tabular import neutralize_formula
from carenet.training.learning import passes
from carenet.training.models import (
    Attendance,
    Certificate,
    CheckInMethod,
    EventStatus,
    Invitation,
    InvitationStatus,
    Session,
    TrainingEvent,
)
from carenet.volunteers.history import LEAVING, status_on
from carenet.volunteers.models import Volunteer, VolunteerStatus

QR_PREFIX = "CARENET-T:"
# What new_token() makes (token_urlsafe(16): 22 characters); anything else is not ours.
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,32}$")
MAX_CODE = 200  # longer input is not a code at all; it is not even looked up
LIST_PAGE = 30
NOBODY = Q(pk__in=[])  # `own` for records a volunteer's grant never shows

Status = Literal["new", "already", "refused", "undone"]


# --- QR codes ----------------------------------------------------------------------------------


def qr_text(invitation: Invitation) -> str:
    return QR_PREFIX + invitation.token


def qr_svg(invitation: Invitation) -> SafeString:
    """The invitation's QR code as inline SVG that scales to its box (no width/height). It holds
    the token only: no title, no name (the page around it labels it)."""
    svg = segno.make(qr_text(invitation), error="m", micro=False).svg_inline(
        scale=1, border=4, dark="#000", light="#fff", omitsize=True
    )
    return mark_safe(svg)  # noqa: S308 - segno's own markup around a URL-safe token


def token_from_code(code: str) -> str | None:
    """The token in what a scanner decoded or a person typed; None when it is not one."""
    code = code.strip()
    if code[: len(QR_PREFIX)].upper() == QR_PREFIX:
        code = code[len(QR_PREFIX) :].strip()
    return code if _TOKEN.match(code) else None


# --- checking in -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckIn:
    """What the scanner shows: green (new), yellow (already), red (refused)."""

    status: Status
    name: str = ""
    time: datetime | None = None
    reason: str = ""
    declined: bool = False  # had answered "cannot attend", and came
    invitation_id: int | None = None

    @property
    def time_text(self) -> str:
        return timezone.localtime(self.time).strftime("%H:%M") if self.time else ""


def _refused(reason: str) -> CheckIn:
    return CheckIn(status="refused", reason=reason)


def _with_attendance(queryset: QuerySet[Invitation], session: Session) -> QuerySet[Invitation]:
    """Adds `checked_in_at`: when the invitation was checked in to the session (None: not yet),
    and `status_then`: the volunteer's status on the session's day (volunteer_gone)."""
    earlier = Attendance.objects.filter(session=session, invitation=OuterRef("pk"))
    return queryset.annotate(
        checked_in_at=Subquery(earlier.values("checked_in_at")[:1]),
        status_then=status_on(timezone.localdate(session.starts_at), of="volunteer__"),
    )


def attendance_record(
    *,
    actor: Any,
    session: Session,
    token: str | None = None,
    invitation: Invitation | None = None,
    method: str,
) -> CheckIn:
    """Checks a volunteer in to a session, from a scanned or typed code (`token`, the raw text)
    or from a ticked name (`invitation`). Never raises for bad input: it answers "refused".

    `session.event` should be loaded (select_related): its area decides who may check in.
    """
    event = session.event
    if actor is not None and not access.can(actor, Perm.MANAGE_TRAINING, event.area_id):
        raise PermissionDenied
    if method not in CheckInMethod.values:
        raise ValueError(method)
    if invitation is None:
        if not (token or "").strip():
            return _refused(_("No code was read. Try again, or find the name in the list."))
        found = token_from_code(token[:MAX_CODE]) if token else None
        if found is None:
            return _refused(_("This is not a Carenet training code."))
        invitation = (
            _with_attendance(Invitation.objects.filter(token=found), session)
            .select_related("volunteer")
            .only(
                "pk",
                "event",
                "status",
                "invited_at",
                "area",
                "volunteer__title",
                "volunteer__first_name",
                "volunteer__last_name",
                "volunteer__status",
            )
            .first()
        )
        if invitation is None:
            return _refused(_("Not invited to this event: the code is unknown."))
    elif not hasattr(invitation, "checked_in_at"):
        invitation.checked_in_at = (  # type: ignore[attr-defined]
            Attendance.objects.filter(session=session, invitation=invitation)
            .values_list("checked_in_at", flat=True)
            .first()
        )
    if invitation.event_id != event.pk:
        return _refused(_("Not invited to this event: this code is for another training event."))
    if invitation.invited_at is None:
        return _refused(_("Not invited to this event: the invitation was never sent."))
    name = invitation.volunteer.full_name
    declined = invitation.status == InvitationStatus.DECLINED
    earlier: datetime | None = invitation.checked_in_at  # type: ignore[attr-defined]
    if earlier is not None:
        return CheckIn("already", name, earlier, declined=declined, invitation_id=invitation.pk)
    if refusal := session_not_open(session) or volunteer_gone(invitation, session):
        return _refused(refusal)
    try:
        attendance = _insert(actor, session, invitation, method, declined)
    except IntegrityError:
        # Another scanner checked this person in a moment ago: the same as scanning twice.
        earlier = (
            Attendance.objects.filter(session=session, invitation=invitation)
            .values_list("checked_in_at", flat=True)
            .first()
        )
        return CheckIn("already", name, earlier, declined=declined, invitation_id=invitation.pk)
    return CheckIn(
        "new", name, attendance.checked_in_at, declined=declined, invitation_id=invitation.pk
    )


def session_not_open(session: Session) -> str:
    """Why nobody can be checked in to the session now, or "": a session of a later day (the
    wrong tab, picked on the day before), or of a cancelled event. A past session stays open,
    for a sign-in sheet entered afterwards."""
    if session.event.status == EventStatus.CANCELLED:
        return _("This event is cancelled: nobody can be checked in.")
    day = timezone.localdate(session.starts_at)
    if day > timezone.localdate():
        return _(
            "This session is on %(day)s: check-ins open on its day. Is another session "
            "the one under way?"
        ) % {"day": thaidate.format_short(day)}
    return ""


def volunteer_gone(invitation: Invitation, session: Session) -> str:
    """Why the invitation's volunteer cannot be checked in to the session, or "": on its day
    they had resigned, been removed or died (by their status history, changes taken back
    left out). Someone who left later attended it: a sign-in sheet entered afterwards still
    counts them, and someone back in the network since was out of it that day."""
    day = timezone.localdate(session.starts_at)
    then = getattr(invitation, "status_then", None)
    if then is None:
        then = (
            Volunteer.objects.filter(pk=invitation.volunteer_id)
            .annotate(then=status_on(day))
            .values_list("then", flat=True)
            .first()
        )
    if then not in LEAVING:
        return ""
    return _(
        "%(name)s was recorded as %(status)s on %(day)s, the session's day: they cannot be "
        "checked in to it. If the record is wrong, correct their status first."
    ) % {
        "name": invitation.volunteer.full_name,
        "status": VolunteerStatus(then).label,
        "day": thaidate.format_short(day),
    }


@transaction.atomic
def attendance_undo(*, actor: Any, session: Session, invitation: Invitation) -> str:
    """Takes back a check-in made by mistake (the wrong name ticked, the wrong session), with
    its audit row. Refused ("" when done) once a certificate rests on the invitation's
    attendance: a certificate handed out is not taken back by a tap."""
    event = session.event
    if not access.can(actor, Perm.MANAGE_TRAINING, event.area_id):
        raise PermissionDenied
    if event.status == EventStatus.CANCELLED:
        return _("This event is cancelled: its attendance stays as it was recorded.")
    if Certificate.objects.filter(invitation=invitation, revoked=False).exists():
        return _(
            "A certificate was issued on this attendance: the check-in stays. Ask the "
            "provincial office if the certificate must be withdrawn."
        )
    attendance = Attendance.objects.filter(session=session, invitation=invitation).first()
    if attendance is None:
        return ""
    audit_record(
        actor=actor,
        action="training.checkin_undo",
        target=attendance,
        area_code=invitation.area_id,
        details={"session": session.pk, "checked_in_at": attendance.checked_in_at.isoformat()},
    )
    attendance.delete()
    return ""


@transaction.atomic
def _insert(
    actor: Any, session: Session, invitation: Invitation, method: str, declined: bool
) -> Attendance:
    attendance = Attendance.objects.create(
        session=session,
        invitation=invitation,
        checked_in_at=timezone.now(),
        method=method,
        checked_in_by=actor,
    )
    details: dict[str, Any] = {"session": session.pk, "method": method}
    if declined:
        details["had_declined"] = True
    audit_record(
        actor=actor,
        action="training.checkin",
        target=attendance,
        area_code=invitation.area_id,
        details=details,
    )
    return attendance


# --- what the check-in page reads --------------------------------------------------------------


def session_get(*, user: Any, pk: Any) -> Session:
    """A session of an event the user manages (MANAGE_TRAINING over its area); 404 otherwise."""
    return access.get_visible_or_404(
        user,
        Session.objects.select_related("event"),
        field="event__area",
        perm=Perm.MANAGE_TRAINING,
        own=NOBODY,
        pk=pk,
    )


@dataclass(frozen=True)
class Counts:
    checked_in: int
    invited: int
    confirmed: int


def session_counts(*, session: Session) -> Counts:
    """Checked in to the session, and invitations sent (of which confirmed): one query."""
    row = Invitation.objects.filter(event_id=session.event_id, invited_at__isnull=False).aggregate(
        invited=Count("pk", distinct=True),
        confirmed=Count("pk", distinct=True, filter=Q(status=InvitationStatus.CONFIRMED)),
        checked_in=Count("attendance", filter=Q(attendance__session=session)),
    )
    return Counts(row["checked_in"], row["invited"], row["confirmed"])


def _search(queryset: QuerySet[Invitation], search: str) -> QuerySet[Invitation]:
    """Invitations whose volunteer's first or last name holds every word typed."""
    return queryset.filter(name_q(search, "volunteer__"))


def invitee_list(*, session: Session, search: str = "") -> QuerySet[Invitation]:
    """The sent invitations of the session's event, by name, each with `checked_in_at`."""
    queryset = _search(
        Invitation.objects.filter(event_id=session.event_id, invited_at__isnull=False),
        " ".join(search.split())[:100],
    )
    return (
        _with_attendance(queryset, session)
        .select_related("volunteer", "area")
        .order_by(*thai_order("volunteer__first_name", "volunteer__last_name"), "pk")
    )


def invitation_for_tick(*, session: Session, pk: Any) -> Invitation | None:
    """The sent invitation of the session's event with this id (None: not one)."""
    try:
        number = int(str(pk))
    except (TypeError, ValueError):
        return None
    return (
        _with_attendance(Invitation.objects.filter(pk=number), session)
        .select_related("volunteer", "area")
        .filter(event_id=session.event_id, invited_at__isnull=False)
        .first()
    )


# --- badges and the volunteer's own QR ---------------------------------------------------------


def badge_invitation_get(*, user: Any, pk: Any) -> Invitation:
    """A sent invitation that is the user's own (their volunteer record's) or that belongs to an
    event they manage; 404 for anyone else's."""
    try:
        invitation = Invitation.objects.select_related("event", "volunteer", "area__parent").get(
            pk=int(str(pk)), invited_at__isnull=False
        )
    except (Invitation.DoesNotExist, TypeError, ValueError):
        raise Http404 from None
    own = user.is_authenticated and invitation.volunteer.user_id == user.pk
    if not own and not access.can(user, Perm.MANAGE_TRAINING, invitation.event.area_id):
        raise Http404
    return invitation


def badge_invitations(*, event: TrainingEvent) -> QuerySet[Invitation]:
    """Everyone with a badge to print: sent invitations not declined, by area then name."""
    return (
        Invitation.objects.filter(event=event, invited_at__isnull=False)
        .exclude(status=InvitationStatus.DECLINED)
        .select_related("volunteer", "area__parent")
        .order_by("area_id", *thai_order("volunteer__first_name", "volunteer__last_name"), "pk")
    )


# --- attendance figures ------------------------------------------------------------------------


@dataclass
class Rate:
    """Checked in, of invited (sent) and of confirmed; `came_confirmed` counts the confirmed
    who came, so the share of the confirmed who came never passes 100 %."""

    checked_in: int = 0
    invited: int = 0
    confirmed: int = 0
    came_confirmed: int = 0
    came_declined: int = 0

    @property
    def of_invited(self) -> float | None:
        return self.checked_in / self.invited * 100 if self.invited else None

    @property
    def of_confirmed(self) -> float | None:
        return self.came_confirmed / self.confirmed * 100 if self.confirmed else None


@dataclass
class SessionRate:
    session: Session
    rate: Rate


@dataclass
class DistrictRate:
    area: Area | None
    code: str
    people: int  # invitations sent in the district
    attended: int  # (person, session) check-ins
    rate: Rate  # over all sessions: check-ins of (people × sessions)


@dataclass
class AttendanceSummary:
    event: TrainingEvent
    sessions: list[SessionRate]
    districts: list[DistrictRate]
    overall: Rate  # places: people × sessions
    people: int = 0  # invitations sent (in the user's scope)
    by_count: list[tuple[int, int]] = field(default_factory=list)  # (sessions attended, people)
    meeting_rule: int = 0  # people who attended enough sessions for the attendance rule


def _viewing(user: Any, field: str = "area") -> Q:
    return access.scope_q(user, field=field, perm=Perm.VIEW_TRAINING, own=NOBODY)


def attendance_summary(*, user: Any, event: TrainingEvent) -> AttendanceSummary:
    """The event's attendance as the user may see it; five queries whatever its size."""
    sessions = list(event.sessions.all())
    n_sessions = len(sessions)
    sent = Invitation.objects.filter(event=event, invited_at__isnull=False).filter(_viewing(user))
    invited_rows = (
        sent.values("status", district=Substr("area_id", 1, 4)).annotate(n=Count("pk")).order_by()
    )
    attended_rows = (
        Attendance.objects.filter(session__event=event, invitation__invited_at__isnull=False)
        .filter(_viewing(user, "invitation__area"))
        .values("session_id", "invitation__status", district=Substr("invitation__area_id", 1, 4))
        .annotate(n=Count("pk"))
        .order_by()
    )
    per_person = Counter(
        n
        for _id, n in Attendance.objects.filter(session__event=event)
        .filter(invitation__invited_at__isnull=False)
        .filter(_viewing(user, "invitation__area"))
        .values_list("invitation_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    invited = Counter[str]()  # people (sent invitations) per district
    confirmed = Counter[str]()
    for row in invited_rows:
        invited[row["district"]] += row["n"]
        if row["status"] == InvitationStatus.CONFIRMED:
            confirmed[row["district"]] += row["n"]
    people, people_confirmed = sum(invited.values()), sum(confirmed.values())
    # A session's places are the people invited; the event's (and a district's) places are
    # the people times the sessions.
    by_session = {s.pk: Rate(invited=people, confirmed=people_confirmed) for s in sessions}
    by_district = {
        code: Rate(invited=n * n_sessions, confirmed=confirmed[code] * n_sessions)
        for code, n in invited.items()
    }
    total = Rate(invited=people * n_sessions, confirmed=people_confirmed * n_sessions)
    for row in attended_rows:
        district = by_district.setdefault(row["district"], Rate())
        for rate in (by_session.get(row["session_id"]), district, total):
            if rate is None:
                continue
            rate.checked_in += row["n"]
            if row["invitation__status"] == InvitationStatus.CONFIRMED:
                rate.came_confirmed += row["n"]
            elif row["invitation__status"] == InvitationStatus.DECLINED:
                rate.came_declined += row["n"]
    areas = Area.objects.in_bulk(list(by_district))
    districts = [
        DistrictRate(areas.get(code), code, invited[code], rate.checked_in, rate)
        for code, rate in sorted(by_district.items())
    ]
    by_count = [(0, people - sum(per_person.values()))] if people else []
    by_count += sorted(per_person.items())
    needed = event.attendance_rule * n_sessions / 100
    meeting = sum(p for n, p in per_person.items() if n_sessions and n >= needed)
    return AttendanceSummary(
        event=event,
        sessions=[SessionRate(s, by_session[s.pk]) for s in sessions],
        districts=districts,
        overall=total,
        people=people,
        by_count=by_count,
        meeting_rule=meeting,
    )


# --- the attendance list as CSV ----------------------------------------------------------------

CSV_CHUNK = 1000


def attendance_csv(*, user: Any, event: TrainingEvent) -> Iterator[bytes]:
    """One row per sent invitation in the user's scope: name, area, answer, then the check-in
    time of each session, the sessions attended and whether the attendance rule is met. UTF-8
    with a byte-order mark so that Excel shows the Thai; every text cell is neutralised so a
    name cannot run as a formula. Queries grow with the number of chunks, not of rows. The
    words are those of the page's language, read now: the rows are written later, once the
    response streams, when the request's language is no longer active."""
    sessions = list(event.sessions.all())
    header = [
        pgettext("attendance file", "Name"),
        pgettext("attendance file", "Subdistrict"),
        pgettext("attendance file", "District"),
        pgettext("attendance file", "Answer"),
        *[f"{s.title} ({timezone.localtime(s.starts_at):%d/%m %H:%M})" for s in sessions],
        pgettext("attendance file", "Sessions attended"),
        pgettext("attendance file", "Attendance rule met"),
    ]
    statuses = {value: str(label) for value, label in InvitationStatus.choices}
    passed = pgettext("attendance file", "met")
    return _attendance_rows(user, event, sessions, header, statuses, passed)


def _attendance_rows(
    user: Any,
    event: TrainingEvent,
    sessions: list[Any],
    header: list[str],
    statuses: dict[str, str],
    passed: str,
) -> Iterator[bytes]:
    invitations = (
        Invitation.objects.filter(event=event, invited_at__isnull=False)
        .filter(_viewing(user))
        .select_related("volunteer", "area__parent")
        .prefetch_related("attendance")
        .order_by("area_id", *thai_order("volunteer__first_name", "volunteer__last_name"), "pk")
    )
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([neutralize_formula(str(h)) for h in header])
    yield codecs.BOM_UTF8 + _take(buffer)
    for number, invitation in enumerate(invitations.iterator(chunk_size=CSV_CHUNK), start=1):
        times = {a.session_id: a.checked_in_at for a in invitation.attendance.all()}
        area = invitation.area
        cells = [
            invitation.volunteer.full_name,
            area.label,
            area.parent.label if area.parent else "",
            statuses.get(invitation.status, invitation.status),
            *[_checked_in(times[s.pk], s) if s.pk in times else "" for s in sessions],
            str(len(times)),
            passed if passes(len(times), len(sessions), event.attendance_rule) else "",
        ]
        writer.writerow([neutralize_formula(c) for c in cells])
        if number % 200 == 0:
            yield _take(buffer)
    yield _take(buffer)


def _take(buffer: io.StringIO) -> bytes:
    data = buffer.getvalue().encode("utf-8")
    buffer.seek(0)
    buffer.truncate()
    return data


def attendance_export_audit(*, actor: Any, event: TrainingEvent) -> None:
    """Names leave Carenet in the file: note who took it."""
    audit_record(
        actor=actor,
        action="training.attendance_export",
        target=event,
        area_code=event.area_id,
    )


def _checked_in(moment: Any, session: Any) -> str:
    """The time of a check-in; with its day (Buddhist Era) when it was ticked on another day
    than the session's, afterwards from the paper list, say."""
    local = timezone.localtime(moment)
    if local.date() == timezone.localtime(session.starts_at).date():
        return f"{local:%H:%M}"
    return f"{thaidate.format_numeric(local.date())} {local:%H:%M}"
