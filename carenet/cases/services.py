"""Writes on a case once it is filed: its plan (tasks), follow-ups, closing and reopening, and
the time limits a province sets for the review chain.

Status changes never happen here directly: closing and reopening go through
`workflow.case_move`, which checks the move and records it. Everything else writes its own
audit row in the same transaction.

Once the affected person has withdrawn consent (workflow.consent_refusal), no task,
follow-up or volunteer is added; tasks can still be marked done and volunteers taken off.

Who may work a case (add tasks and follow-ups): somebody holding MANAGE_CASES at the case's
area, or a person attached to it (the filer, the assigned people, the volunteer who raised
it). A task's own person may mark it done.
"""

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Value
from django.utils import timezone
from django.utils.translation import gettext as _

from carenet.accounts import access
from carenet.accounts.access import Perm
from carenet.accounts.models import User
from carenet.areas.models import Area, Level, within
from carenet.cases import workflow
from carenet.cases.access import reads_without_break_glass, shows_details
from carenet.cases.models import (
    Case,
    CaseEvent,
    CaseFollowUp,
    CaseStatus,
    CaseTask,
    CaseTimeLimits,
)
from carenet.core import thaidate
from carenet.core.collation import thai_order
from carenet.core.people import full_name
from carenet.core.services import audit_read, audit_record
from carenet.training import learning
from carenet.training.models import CompetencyGrant
from carenet.visits.models import Visit
from carenet.volunteers.models import Volunteer, VolunteerStatus

S = CaseStatus
MAX_HOURS = 24 * 14
MAX_DAYS = 90
LIMIT_FIELDS = (
    "acknowledge_urgent_hours",
    "subdistrict_review_days",
    "district_review_days",
    "province_review_days",
    "referral_answer_days",
    "urgent_step_days",
)


# --- Reads ------------------------------------------------------------------------------------


def case_log_view(*, actor: Any, case: Case) -> None:
    """Opening a case's page shows the person's name, phone, problem and help: the read is
    logged (once in a while for the same case), naming the person so that their PDPA copy and
    the auditor can tell who read about them. A sensitive case (violence, abuse, trafficking)
    is logged as such."""
    audit_read(
        actor=actor,
        action="case.view_sensitive" if case.sensitive else "case.view",
        target=case,
        area_code=case.area_id,
        person=case.person_id,
    )


# --- Time limits ------------------------------------------------------------------------------


def limits_for(area_code: str) -> CaseTimeLimits:
    """The time limits of the province holding `area_code`: its row, or the defaults (unsaved)."""
    province = area_code[:2]
    found = CaseTimeLimits.objects.filter(area_id=province).first()
    return found or CaseTimeLimits(area_id=province)


@transaction.atomic
def time_limits_set(*, actor: Any, province: Area, **values: int) -> CaseTimeLimits:
    """Sets a province's time limits (a provincial officer of that province, or wider)."""
    if not access.can(actor, Perm.DECIDE_CASES, province.code):
        raise PermissionDenied
    if province.level != Level.PROVINCE:
        raise ValidationError(_("Time limits are set for a whole province."))
    unknown = set(values) - set(LIMIT_FIELDS)
    if unknown or set(values) != set(LIMIT_FIELDS):
        raise ValidationError(_("Please fill in every time limit."))
    if not 1 <= values["acknowledge_urgent_hours"] <= MAX_HOURS:
        raise ValidationError(
            _("Hours to acknowledge must be between 1 and %(max)d.") % {"max": MAX_HOURS}
        )
    if any(not 1 <= values[f] <= MAX_DAYS for f in LIMIT_FIELDS[1:]):
        raise ValidationError(_("Days must be between 1 and %(max)d.") % {"max": MAX_DAYS})
    limits, _created = CaseTimeLimits.objects.update_or_create(
        area=province, defaults={**values, "updated_by": actor}
    )
    audit_record(
        actor=actor,
        action="case.limits_set",
        target=limits,
        area_code=province.code,
        details=dict(values),
    )
    return limits


# --- Who may work a case ----------------------------------------------------------------------


def is_attached(user: Any, case: Case) -> bool:
    """The filer, an assigned person, or the volunteer who raised the case."""
    pk = getattr(user, "pk", None)
    if pk is None:
        return False
    if case.filed_by_id == pk:
        return True
    if case.volunteer is not None and case.volunteer.user_id == pk:
        return True
    return case.assigned.filter(pk=pk).exists()


def can_work(user: Any, case: Case) -> bool:
    """Whether the user may add tasks and follow-ups to the case."""
    if case.status == S.DRAFT or not shows_details(user, case):
        return False
    return access.can(user, Perm.MANAGE_CASES, case.area_id) or is_attached(user, case)


def task_people(case: Case) -> QuerySet[User]:
    """The users a task can be given to: those whose assignment covers the case's area, and
    those working inside the case's district (its volunteers and centres)."""
    codes = [*Area(code=case.area_id).ancestor_codes(), case.area_id]
    return (
        User.objects.filter(is_active=True)
        .filter(
            Q(assignments__area_id__in=codes) | Q(within(case.area_id[:4], "assignments__area"))
        )
        .distinct()
        .order_by(*thai_order("first_name", "last_name"), "username")
    )


def _refuse_if_withdrawn(case: Case) -> None:
    """New tasks, follow-ups and volunteers add data about the person or show it to one more
    person: refused, like the review steps, once the person withdrew consent."""
    if refusal := workflow.consent_refusal(case):
        raise ValidationError(refusal, code="consent_withdrawn")


# --- Tasks ------------------------------------------------------------------------------------


@transaction.atomic
def task_add(
    *,
    actor: Any,
    case: Case,
    what: str,
    due_on: date,
    who: Any = None,
    who_text: str = "",
) -> CaseTask:
    """Adds one step to the case plan: what, by whom (a user in scope, or free text), by when."""
    if not can_work(actor, case):
        raise PermissionDenied
    _refuse_if_withdrawn(case)
    if case.status in (S.CLOSED, S.DECLINED):
        raise ValidationError(_("This case has ended: reopen it to plan more steps."))
    what, who_text = what.strip(), who_text.strip()
    if not what:
        raise ValidationError(_("Please say what needs to be done."))
    if due_on < timezone.localdate():
        raise ValidationError(
            _("The date is already past (%(day)s). A step of the plan is due today or later.")
            % {"day": thaidate.format_long(due_on)}
        )
    if who is None and not who_text:
        raise ValidationError(_("Please say who will do it."))
    if who is not None and not task_people(case).filter(pk=who.pk).exists():
        raise ValidationError(_("This person does not work in the case's area."))
    task = CaseTask.objects.create(
        case=case,
        what=what,
        who=who,
        who_text="" if who is not None else who_text,
        due_on=due_on,
        created_by=actor,
    )
    audit_record(
        actor=actor,
        action="case.task_add",
        target=task,
        area_code=case.area_id,
        details={"case": case.pk, "due_on": due_on.isoformat()},
    )
    return task


def can_finish_task(user: Any, task: CaseTask) -> bool:
    return task.done_on is None and (
        task.who_id == getattr(user, "pk", None) or can_work(user, task.case)
    )


@transaction.atomic
def task_done(*, actor: Any, task: CaseTask, on: date | None = None) -> CaseTask:
    """Marks a task done (its own person, or anyone who may work the case)."""
    task = CaseTask.objects.select_for_update().select_related("case").get(pk=task.pk)
    if not shows_details(actor, task.case) or not can_finish_task(actor, task):
        if task.done_on is not None:
            return task
        raise PermissionDenied
    task.done_on = on or timezone.localdate()
    task.save(update_fields=["done_on"])
    audit_record(
        actor=actor,
        action="case.task_done",
        target=task,
        area_code=task.case.area_id,
        details={"case": task.case_id},
    )
    return task


# --- Follow-ups -------------------------------------------------------------------------------


@transaction.atomic
def follow_up_add(
    *, actor: Any, case: Case, on: date, note: str, visit: Visit | None = None
) -> CaseFollowUp:
    """Records a follow-up contact, optionally linked to a visit of the case's household."""
    if not can_work(actor, case):
        raise PermissionDenied
    _refuse_if_withdrawn(case)
    note = note.strip()
    if not note:
        raise ValidationError(_("Please write what was found."))
    if on > timezone.localdate():
        raise ValidationError(_("A follow-up cannot be in the future."))
    if visit is not None and visit.household_id != case.household_id:
        raise ValidationError(_("This visit is not of the case's household."))
    follow_up = CaseFollowUp.objects.create(case=case, on=on, note=note, visit=visit, by=actor)
    audit_record(
        actor=actor,
        action="case.follow_up_add",
        target=follow_up,
        area_code=case.area_id,
        details={"case": case.pk, "visit": visit.pk if visit else None},
    )
    return follow_up


# --- Closing and reopening --------------------------------------------------------------------


def case_close(*, actor: Any, case: Case, outcome: str, note: str) -> CaseEvent:
    """Closes a case being worked, with its outcome and a note on how it ended."""
    return workflow.case_move(case=case, to=S.CLOSED, actor=actor, outcome=outcome, reason=note)


def case_reopen(*, actor: Any, case: Case, reason: str) -> CaseEvent:
    """Reopens a closed case (worked again) or a declined one (back to the decision)."""
    target = {S.CLOSED: S.ACCEPTED, S.DECLINED: S.PROVINCE_REVIEW}.get(CaseStatus(case.status))
    if target is None:
        raise workflow.WorkflowError(_("Only a closed or declined case can be reopened."))
    return workflow.case_move(case=case, to=target, actor=actor, reason=reason)


# --- Volunteers on a case ----------------------------------------------------------------------


class AssignmentRefused(ValidationError):
    """The volunteer may not work this case; `holders` are those nearby who may."""

    competency_missing = True

    def __init__(self, message: str, holders: list[Volunteer]) -> None:
        super().__init__(message)
        self.holders = holders


def volunteers_to_assign(case: Case, on: date | None = None) -> QuerySet[Volunteer]:
    """Active volunteers of the case's district: those who hold the competency the case's
    category asks for first (`trained`), then those of its subdistrict (`here`), then by
    subdistrict and name. The page lists a district's first few hundred of them."""
    competency = case.category.required_competency
    holding = (
        CompetencyGrant.objects.filter(volunteer=OuterRef("pk"), competency=competency).filter(
            learning.valid_on(on or timezone.localdate())
        )
        if competency is not None
        else None
    )
    return (
        Volunteer.objects.filter(within(case.area_id[:4], "area"), status=VolunteerStatus.ACTIVE)
        .exclude(pk__in=case.case_volunteers.values("pk"))
        .annotate(
            trained=Exists(holding) if holding is not None else Value(False),
            here=Q(area_id=case.area_id[:6]),
        )
        .select_related("area")
        .order_by(
            F("trained").desc(), F("here").desc(), "area_id", *thai_order("first_name", "last_name")
        )
    )


def assignment_refusal(case: Case, volunteer: Volunteer, on: date) -> AssignmentRefused | None:
    """Why this volunteer cannot be given the case, or None when they can."""
    competency = case.category.required_competency
    if competency is None or learning.volunteer_holds(volunteer, competency.code, on):
        return None
    message = _(
        "%(name)s cannot be given this case: “%(category)s” cases need the competency "
        "“%(competency)s”, which %(name)s does not hold (or it has expired)."
    ) % {
        "name": full_name(volunteer.title, volunteer.first_name, volunteer.last_name),
        "category": case.category.name_th,
        "competency": competency.name_th,
    }
    return AssignmentRefused(message, learning.holders_near(case.area_id, competency.code, on))


def can_assign(user: Any, case: Case) -> bool:
    """Giving a case to volunteers is the centre's or the province's call (MANAGE_CASES at the
    area), never the filer's: on a sensitive case it opens the case to the volunteer, for
    good, so a break-glass opening (an hour) is not enough."""
    return access.can(user, Perm.MANAGE_CASES, case.area_id) and reads_without_break_glass(
        user, case
    )


@transaction.atomic
def case_volunteer_assign(*, actor: Any, case: Case, volunteer: Volunteer) -> None:
    """Gives the case to a volunteer of its province who holds what its category requires."""
    if not can_assign(actor, case) or case.status in (S.DRAFT, S.CLOSED, S.DECLINED):
        raise PermissionDenied
    if volunteer.status != VolunteerStatus.ACTIVE or not volunteer.area_id.startswith(
        case.area_id[:2]
    ):
        raise ValidationError(_("Choose an active volunteer of this province."))
    _refuse_if_withdrawn(case)
    refusal = assignment_refusal(case, volunteer, timezone.localdate())
    if refusal is not None:
        raise refusal
    case.case_volunteers.add(volunteer)
    if volunteer.user_id is not None:
        case.assigned.add(volunteer.user_id)  # so they can open it, sensitive or not
    audit_record(
        actor=actor,
        action="case.volunteer_assign",
        target=case,
        area_code=case.area_id,
        details={"volunteer": volunteer.pk},
    )


@transaction.atomic
def case_volunteer_remove(*, actor: Any, case: Case, volunteer: Volunteer) -> None:
    if not can_assign(actor, case):
        raise PermissionDenied
    case.case_volunteers.remove(volunteer)
    if volunteer.user_id is not None and volunteer.user_id != case.filed_by_id:
        case.assigned.remove(volunteer.user_id)
    audit_record(
        actor=actor,
        action="case.volunteer_remove",
        target=case,
        area_code=case.area_id,
        details={"volunteer": volunteer.pk},
    )
