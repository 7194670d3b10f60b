"""Check-in pages: badges, the volunteer's own QR code, the scanner with its searchable list,
and the attendance figures (see checkin.py for how check-in works).

Scanning and ticking need MANAGE_TRAINING over the event's area: a district coordinator checks
people in at their district's events only; another district's session is a 404. A badge and the
full-screen QR open for their owner (the volunteer whose user account it is) and for the event's
managers. The attendance page and its CSV are scoped like the invitation lists.
"""

from itertools import islice
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from carenet.accounts import access
from carenet.accounts.access import Perm
from carenet.training import checkin, selectors
from carenet.training.models import CheckInMethod, Invitation, Session

BADGES_PER_SHEET = 8
BADGES_PER_PAGE = 50 * BADGES_PER_SHEET  # fifty A4 sheets per print run


def _offset(value: Any) -> int:
    try:
        return max(0, min(int(str(value)), 1_000_000))
    except (TypeError, ValueError):
        return 0


# --- badges and the volunteer's own QR ---------------------------------------------------------


@access.signed_in
@require_GET
def badge(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = checkin.badge_invitation_get(user=request.user, pk=pk)
    return render(
        request,
        "training/badge.html",
        {"invitation": invitation, "event": invitation.event, "qr": checkin.qr_svg(invitation)},
    )


@access.requires(Perm.MANAGE_TRAINING)
@require_GET
def badges(request: HttpRequest, pk: int) -> HttpResponse:
    event = selectors.event_get(user=request.user, pk=pk, manage=True)
    start = _offset(request.GET.get("from"))
    rows = list(checkin.badge_invitations(event=event)[start : start + BADGES_PER_PAGE + 1])
    more = len(rows) > BADGES_PER_PAGE
    cards = [(inv, checkin.qr_svg(inv)) for inv in rows[:BADGES_PER_PAGE]]
    it = iter(cards)
    sheets = list(iter(lambda: list(islice(it, BADGES_PER_SHEET)), []))
    return render(
        request,
        "training/badges.html",
        {
            "event": event,
            "sheets": sheets,
            "count": len(cards),
            "start": start,
            "next_from": start + BADGES_PER_PAGE if more else None,
            "prev_from": max(0, start - BADGES_PER_PAGE) if start else None,
        },
    )


@access.signed_in
@require_GET
def my_qr(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = checkin.badge_invitation_get(user=request.user, pk=pk)
    return render(
        request,
        "training/my_qr.html",
        {
            "invitation": invitation,
            "event": invitation.event,
            "qr": checkin.qr_svg(invitation),
            "own": invitation.volunteer.user_id == request.user.pk,
        },
    )


# --- the scanner and the list ------------------------------------------------------------------


def _rows(request: HttpRequest, session: Any) -> dict[str, Any]:
    search = request.GET.get("q", "").strip()[:100]
    start = _offset(request.GET.get("from"))
    found = checkin.invitee_list(session=session, search=search)
    rows = list(found[start : start + checkin.LIST_PAGE + 1])
    more = len(rows) > checkin.LIST_PAGE
    return {
        "session": session,
        "rows": rows[: checkin.LIST_PAGE],
        "search": search,
        "next_from": start + checkin.LIST_PAGE if more else None,
    }


@access.requires(Perm.MANAGE_TRAINING)
@require_GET
def checkin_page(request: HttpRequest, pk: int) -> HttpResponse:
    session = checkin.session_get(user=request.user, pk=pk)
    context = _rows(request, session)
    if request.headers.get("HX-Request"):
        return render(request, "training/checkin_rows.html", context)
    context.update(
        event=session.event,
        counts=checkin.session_counts(session=session),
        sessions=list(session.event.sessions.all()),
    )
    return render(request, "training/checkin.html", context)


def _message(result: checkin.CheckIn) -> str:
    if result.status == "undone":
        return result.reason
    if result.status == "new":
        text = "✓ " + result.name
        if result.declined:
            text += " " + _("(had declined; checked in now)")
        return text
    if result.status == "already":
        return _("%(name)s: already checked in at %(time)s") % {
            "name": result.name,
            "time": result.time_text,
        }
    return result.reason


@access.requires(Perm.MANAGE_TRAINING)
@require_POST
def checkin_scan(request: HttpRequest, pk: int) -> HttpResponse:
    """A decoded (or typed) code: JSON for the scanner's script, a message without script."""
    session = checkin.session_get(user=request.user, pk=pk)
    result = checkin.attendance_record(
        actor=request.user,
        session=session,
        token=request.POST.get("code", ""),
        method=CheckInMethod.QR,
    )
    counts = checkin.session_counts(session=session)
    if "application/json" not in request.headers.get("Accept", ""):
        level = {"new": messages.SUCCESS, "already": messages.WARNING}.get(
            result.status, messages.ERROR
        )
        messages.add_message(request, level, _message(result))
        return redirect("training:checkin", pk=session.pk)
    return JsonResponse(
        {
            "status": result.status,
            "message": _message(result),
            "name": result.name,
            "time": result.time_text,
            "declined": result.declined,
            "invitation": result.invitation_id,
            "counts": {
                "checked_in": counts.checked_in,
                "invited": counts.invited,
                "confirmed": counts.confirmed,
            },
        }
    )


def _row_of(request: HttpRequest, pk: int) -> tuple[Session, Invitation | None]:
    """The session, and the invitation a row of its list posts (None: not of this event)."""
    session = checkin.session_get(user=request.user, pk=pk)
    return session, checkin.invitation_for_tick(session=session, pk=request.POST.get("invitation"))


def _row_answer(
    request: HttpRequest, session: Session, row: Invitation, result: checkin.CheckIn | None
) -> HttpResponse:
    """The row again with the new counts (htmx), or the scanner page with a message."""
    if not request.headers.get("HX-Request"):
        if result is not None:
            add = messages.error if result.status == "refused" else messages.success
            add(request, _message(result))
        return redirect("training:checkin", pk=session.pk)
    return render(
        request,
        "training/checkin_tick.html",
        {
            "session": session,
            "row": row,
            "result": result,
            "counts": checkin.session_counts(session=session),
        },
    )


@access.requires(Perm.MANAGE_TRAINING)
@require_POST
def checkin_tick(request: HttpRequest, pk: int) -> HttpResponse:
    """A name ticked on the list: answers with the row, checked, and the new counts."""
    session, invitation = _row_of(request, pk)
    if invitation is None:
        return HttpResponse(_("Not invited to this event."), status=404)
    result = checkin.attendance_record(
        actor=request.user, session=session, invitation=invitation, method=CheckInMethod.LIST
    )
    if result.time is not None:
        invitation.checked_in_at = result.time  # type: ignore[attr-defined]
    return _row_answer(request, session, invitation, result)


@access.requires(Perm.MANAGE_TRAINING)
@require_POST
def checkin_untick(request: HttpRequest, pk: int) -> HttpResponse:
    """A check-in taken back (the wrong name ticked): answers with the row, unchecked."""
    session, invitation = _row_of(request, pk)
    if invitation is None:
        return HttpResponse(_("Not invited to this event."), status=404)
    refusal = checkin.attendance_undo(actor=request.user, session=session, invitation=invitation)
    if refusal:
        result = checkin.CheckIn("refused", reason=refusal)
    else:
        name = invitation.volunteer.full_name
        result = checkin.CheckIn(
            "undone", name, reason=_("Check-in taken back: %(name)s") % {"name": name}
        )
    row = checkin.invitation_for_tick(session=session, pk=invitation.pk) or invitation
    return _row_answer(request, session, row, result)


# --- attendance --------------------------------------------------------------------------------


@access.requires(Perm.VIEW_TRAINING)
@require_GET
def attendance(request: HttpRequest, pk: int) -> HttpResponse:
    event = selectors.event_get(user=request.user, pk=pk)
    return render(
        request,
        "training/attendance.html",
        {
            "event": event,
            "summary": checkin.attendance_summary(user=request.user, event=event),
            "can_manage": selectors.can_manage(request.user, event),
            "can_export": access.can(request.user, Perm.EXPORT_DATA),
        },
    )


@access.requires(Perm.EXPORT_DATA)
@require_GET
def attendance_csv(request: HttpRequest, pk: int) -> StreamingHttpResponse:
    event = selectors.event_get(user=request.user, pk=pk)
    checkin.attendance_export_audit(actor=request.user, event=event)
    response = StreamingHttpResponse(
        checkin.attendance_csv(user=request.user, event=event),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="attendance-{event.pk}.csv"'
    return response
