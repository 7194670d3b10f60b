"""The audit log as the province and the auditors read it: who did what, to which record, when.

Services write one AuditEvent per change (core.services.audit_record), with the record's area,
so the log scopes like every other page. Actions are names such as "household.status"; the
labels below say them in words, and `said` turns an event's details into one line.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django import forms
from django.core.exceptions import FieldDoesNotExist
from django.core.paginator import Page
from django.db.models import Model, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from carenet.accounts import access
from carenet.accounts.access import Perm
from carenet.core.forms import ThaiDateField
from carenet.core.models import AuditEvent
from carenet.core.paging import Paginator
from carenet.households.models import Household, HouseholdStatus, Person, PersonStatus
from carenet.volunteers.models import Volunteer, VolunteerStatus

PER_PAGE = 50

# What each group of actions is about: the filter's choices.
GROUPS = {
    "household": _("households"),
    "person": _("people"),
    "consent": _("consents"),
    "volunteer": _("volunteers"),
    "committee": _("committees"),
    "case": _("cases"),
    "referral": _("referrals"),
    "assistance": _("assistance"),
    "agency": _("agencies"),
    "followup": _("follow-up targets"),
    "visit": _("visits"),
    "assessment": _("assessments"),
    "concern": _("concerns"),
    "centre": _("coordination centres"),
    "areas": _("areas"),
    "training": _("training"),
    "spreadsheets": _("imports and exports"),
    "assignment": _("access"),
    "registry": _("answers about other areas"),
    "user": _("logins"),
}

ACTIONS = {
    "household.register": _("registered the household"),
    "household.update": _("edited the household"),
    "household.import": _("changed the household by importing a file"),
    "household.status": _("changed the household's status"),
    "household.assign": _("assigned a volunteer"),
    "household.unassign": _("removed a volunteer"),
    "household.handover": _("handed the household to another volunteer"),
    "household.head_change": _("changed the head of household"),
    "household.view": _("opened the household page (its members' health and disability)"),
    "person.add": _("added a member"),
    "person.update": _("edited the person"),
    "person.import": _("changed the person by importing a file"),
    "person.status": _("changed the person's status"),
    "person.move": _("moved the person to another household"),
    "person.merge": _("merged two records of the person"),
    "person.view": _("opened the person's record"),
    "person.citizen_id.read": _("read the full citizen ID"),
    "consent.record": _("recorded a consent"),
    "consent.withdraw": _("recorded a withdrawal of consent"),
    "volunteer.register": _("registered the volunteer"),
    "volunteer.update": _("edited the volunteer"),
    "volunteer.import": _("changed the volunteer by importing a file"),
    "volunteer.status": _("changed the volunteer's status"),
    "volunteer.status_undone": _("took back a status change recorded by mistake"),
    "volunteer.link_user": _("linked a login to the volunteer"),
    "volunteer.citizen_id_read": _("read the volunteer's full citizen ID"),
    "committee.seat_add": _("gave a committee seat"),
    "committee.seat_end": _("ended a committee term"),
    "committee.seat_cancel": _("cancelled a planned committee seat"),
    "committee.seat_restore": _("gave back a committee seat a mistaken status change ended"),
    "case.break_glass": _("opened a restricted case (break-glass)"),
    "visit.view_sensitive": _("read a visit's sensitive notes"),
    "spreadsheets.export_households": _("exported households"),
    "spreadsheets.export_volunteers": _("exported volunteers"),
    "spreadsheets.import_households": _("imported households"),
    "spreadsheets.import_volunteers": _("imported volunteers"),
    "spreadsheets.import_job": _("checked or imported a file"),
    "registry.told_registered_elsewhere": _("was told someone is registered outside their areas"),
    "assignment.grant": _("gave a role"),
    "assignment.revoke": _("took back a role"),
    "user.create": _("created a login"),
    "user.password_change": _("changed their password"),
    "user.password_set": _("set a new password for a volunteer's login"),
    "areas.load": _("loaded the country's areas"),
    "areas.import_villages": _("imported villages"),
    "centre.create": _("opened a coordination centre"),
    "centre.update": _("changed a coordination centre's phone"),
    "visit.record": _("recorded a home visit"),
    "visit.acknowledge": _("acknowledged a home visit"),
    "assessment.record": _("recorded a quality-of-life assessment"),
    "concern.raise": _("raised a concern"),
    "concern.handle": _("handled a concern"),
    "case.create": _("started a request for help"),
    "case.update": _("edited a request for help"),
    "case.file": _("sent a request for help"),
    "case.reopen": _("reopened a case"),
    "case.acknowledge": _("acknowledged a request for help"),
    "case.follow_up_add": _("added a follow-up to a case"),
    "case.task_add": _("added a task to a case"),
    "case.task_done": _("finished a case's task"),
    "case.volunteer_assign": _("gave a case to a volunteer"),
    "case.volunteer_remove": _("took a volunteer off a case"),
    "case.limits_set": _("set the province's time limits for cases"),
    "referral.send": _("referred a case to an agency"),
    "referral.move": _("moved a referral on"),
    "agency.create": _("added an agency"),
    "agency.update": _("edited an agency"),
    "assistance.approve": _("approved assistance"),
    "assistance.approve_override": _("approved assistance above the limit, with a reason"),
    "assistance.give": _("recorded assistance given"),
    "assistance.cancel": _("cancelled assistance"),
    "followup.policy_set": _("set how often households are visited"),
    "followup.target_set": _("set a follow-up target"),
    "training.event_create": _("created a training event"),
    "training.event_complete": _("closed a training event"),
    "training.certificate_batch": _("issued certificates"),
    "training.attendance_export": _("exported an attendance list"),
    "training.event_update": _("edited a training event"),
    "training.session_add": _("added a training session"),
    "training.session_update": _("edited a training session"),
    "training.session_delete": _("removed a training session"),
    "training.invitations_build": _("drew up a training's invitation list"),
    "training.invitations_send": _("sent a training's invitations"),
    "training.invitation_add": _("invited a volunteer to a training"),
    "training.invitation_remove": _("took a volunteer off a training's list"),
    "training.invitation_respond": _("answered a training invitation"),
    "training.checkin": _("checked in at a training"),
    "training.evaluation_submit": _("evaluated a training"),
    "training.quiz_create": _("made a test"),
    "training.quiz_copy": _("copied a test"),
    "training.quiz_open": _("opened a test"),
    "training.quiz_close": _("closed a test"),
    "training.quiz_submit": _("took a test"),
    "training.question_add": _("added a test question"),
    "training.question_delete": _("removed a test question"),
    "training.award_nominate": _("nominated a volunteer for an award"),
    "training.award_move": _("moved an award nomination on"),
}


@dataclass
class AuditFilters:
    group: str = ""
    record: str = ""  # "households.person:12": one record's history
    who: str = ""  # a username
    since: date | None = None
    until: date | None = None


def events(*, user: Any, filters: AuditFilters, page: Any = 1) -> Page:
    """One page of the events in the user's audit scope, newest first, in two queries."""
    queryset = access.visible_to(
        user, AuditEvent.objects.all(), field="area_code", perm=Perm.VIEW_AUDIT
    )
    queryset = _filtered(queryset, filters).select_related("actor").order_by("-created_at", "-id")
    result = Paginator(queryset, PER_PAGE).get_page(page)
    lines = [Line(e, label(e.action), said(e), _page_of(e)) for e in result.object_list]
    result.object_list = lines
    return result


def _filtered(queryset: QuerySet[AuditEvent], filters: AuditFilters) -> QuerySet[AuditEvent]:
    if filters.group in GROUPS:
        queryset = queryset.filter(action__startswith=f"{filters.group}.")
    if filters.record:
        target_type, _sep, target_id = filters.record.partition(":")
        queryset = queryset.filter(target_type=target_type, target_id=target_id)
    if filters.who:
        queryset = queryset.filter(actor__username=filters.who)
    if filters.since:
        queryset = queryset.filter(created_at__gte=_start_of(filters.since))
    if filters.until:
        queryset = queryset.filter(created_at__lt=_start_of(filters.until + timedelta(days=1)))
    return queryset


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


@dataclass
class Line:
    event: AuditEvent
    label: Any
    said: str
    url: str  # the record's page, when it has one


# The page of each kind of record an event names.
_PAGES = {
    "households.household": "households:detail",
    "households.person": "households:person",
    "volunteers.volunteer": "volunteers:detail",
    "cases.case": "cases:detail",
}


def _page_of(event: AuditEvent) -> str:
    name = _PAGES.get(event.target_type)
    if name is None or not event.target_id.isdigit():
        return ""
    return reverse(name, args=[int(event.target_id)])


def label(action: str) -> Any:
    return ACTIONS.get(action, action)


# The records whose status changes and edited fields an event names, by its action's group.
_RECORDS: dict[str, tuple[type[Model], Any]] = {
    "household": (Household, HouseholdStatus),
    "person": (Person, PersonStatus),
    "volunteer": (Volunteer, VolunteerStatus),
}


def said(event: AuditEvent) -> str:
    """The details worth a line: a status from and to, the fields changed, the reason."""
    details = event.details or {}
    model, statuses = _RECORDS.get(event.action.split(".")[0], (None, None))
    parts = []
    if event.action.endswith(".status") and statuses is not None:
        names = dict(statuses.choices)
        before, after = details.get("from"), details.get("to")
        parts.append(f"{names.get(before, before)} → {names.get(after, after)}")
    if details.get("fields") and model is not None:
        parts.append(", ".join(_field_name(model, f) for f in details["fields"]))
    if details.get("reason"):
        parts.append(str(details["reason"]))
    if details.get("file") and event.action.endswith(".import"):
        parts.append(str(details["file"]))
    return " · ".join(parts)


# Edited values a service names that are no model field of their own.
_OTHER_FIELDS = {"citizen_id": _("Citizen ID")}


def _field_name(model: type[Model], name: str) -> str:
    if name in _OTHER_FIELDS:
        return str(_OTHER_FIELDS[name])
    try:
        found = model._meta.get_field(name)
    except FieldDoesNotExist:
        return name
    return str(getattr(found, "verbose_name", name))


def record_q(target: Any) -> str:
    """The `record` filter value of one record's history."""
    return f"{target._meta.label_lower}:{target.pk}"


def can_read(user: Any, area_code: str) -> bool:
    return access.can(user, Perm.VIEW_AUDIT, area_code)


class AuditFilterForm(forms.Form):
    group = forms.ChoiceField(label=_("About"), required=False)
    who = forms.CharField(label=_("Username"), required=False, max_length=150)
    since = ThaiDateField(label=_("From"), required=False)
    until = ThaiDateField(label=_("To"), required=False)
    record = forms.CharField(required=False, max_length=80, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["group"].choices = [("", _("everything")), *GROUPS.items()]  # type: ignore[attr-defined]

    def filters(self) -> AuditFilters:
        """What the valid fields ask for; a field typed wrong filters nothing (and says so)."""
        self.is_valid()
        data = {
            name: self.cleaned_data.get(name) for name in self.fields if name not in self.errors
        }
        return AuditFilters(
            group=data.get("group") or "",
            record=(data.get("record") or "").strip(),
            who=(data.get("who") or "").strip(),
            since=data.get("since"),
            until=data.get("until"),
        )
