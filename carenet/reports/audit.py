"""The audit log as the province and the auditors read it: who did what, to which record, when.

Services write one AuditEvent per change (core.services.audit_record), with the record's area,
so the log scopes like every other page. Actions are names such as "household.status"; the
labels below say them in words, and audit_lines.said turns an event's details into one line.
The filters narrow by group or action (or a kind of action across groups: every export, every
read of a citizen ID), by who (a username in any case, or a name) and by dates; a filter typed
wrong lists nothing, so that a reader never takes the whole log for a filtered one.
"""

from dataclasses import dataclass
from datetime import date
from typing import Any

from django import forms
from django.core.paginator import Page
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from carenet.accounts import access
from carenet.accounts.access import Perm
from carenet.accounts.models import User
from carenet.core import thaidate
from carenet.core.forms import DateRangeForm, days_q
from carenet.core.models import AuditEvent
from carenet.core.paging import Paginator
from carenet.reports.audit_lines import CONSENT, names_for, page_of, said, where, who

__all__ = ["said"]  # what a line says lives in audit_lines; read from here too

PER_PAGE = 50

# What each group of actions is about: the filter's choices.
GROUPS = {
    "household": _("households"),
    "person": _("people"),
    "consent": _("consents"),
    "pdpa": _("data subject requests"),
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
    "audit": _("the audit log"),
}

ACTIONS = {
    "household.register": _("registered the household"),
    "household.update": _("edited the household"),
    "household.import": _("changed the household by importing a file"),
    "household.status": _("changed the household's status"),
    "household.evacuate": _("recorded the household as evacuated"),
    "household.back_home": _("recorded the household as back home"),
    "household.assign": _("assigned a volunteer"),
    "household.unassign": _("removed a volunteer"),
    "household.handover": _("handed the household to another volunteer"),
    "household.head_change": _("changed the head of household"),
    "household.view": _("opened the household page (its members' health and disability)"),
    "household.priority_list": _("opened a priority list (members' health, phones and GPS)"),
    "person.add": _("added a member"),
    "person.update": _("edited the person"),
    "person.import": _("changed the person by importing a file"),
    "person.status": _("changed the person's status"),
    "person.move": _("moved the person to another household"),
    "person.keys_changed": _("sealed every stored citizen ID again with a new key"),
    "person.merge": _("merged two records of the person"),
    "person.view": _("opened the person's record"),
    "person.citizen_id.read": _("read the full citizen ID"),
    "person.document_no.read": _("read the full document no."),
    "person.correct": _("corrected the identity of a person who withdrew consent"),
    "pdpa.request_record": _("recorded a data subject request"),
    "pdpa.request_decide": _("decided a data subject request"),
    "pdpa.copy_view": _("opened the copy of everything held about the person"),
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
    "visit.view": _("opened a home visit's notes"),
    "case.view": _("opened a request for help"),
    "spreadsheets.export_households": _("exported households"),
    "spreadsheets.export_volunteers": _("exported volunteers"),
    "spreadsheets.export_volunteer_figures": _("downloaded the volunteer figures"),
    "spreadsheets.export_registry": _("downloaded the registry in figures"),
    "spreadsheets.export_uncovered_villages": _("downloaded the villages with no volunteer"),
    "spreadsheets.export_training_coverage": _("downloaded a list of volunteers by training"),
    "spreadsheets.import_households": _("imported households"),
    "spreadsheets.import_volunteers": _("imported volunteers"),
    "spreadsheets.import_job": _("checked or imported a file"),
    "registry.told_registered_elsewhere": _("was told someone is registered outside their areas"),
    "assignment.grant": _("gave a role"),
    "assignment.revoke": _("took back a role"),
    "user.create": _("created a login"),
    "user.password_change": _("changed their password"),
    "user.password_set": _("set a new password for a login"),
    "user.switch_off": _("switched a login off"),
    "user.switch_on": _("switched a login on again"),
    "user.rename": _("edited a login's name"),
    "user.link_volunteer": _("linked a login made already to a volunteer record"),
    "user.sign_in": _("signed in"),
    "user.sign_out": _("signed out"),
    "user.sign_in_failed": _("a sign-in was refused"),
    "areas.load": _("loaded the country's areas"),
    "areas.import_villages": _("imported villages"),
    "centre.create": _("opened a coordination centre"),
    "centre.update": _("changed a coordination centre's phone"),
    "visit.record": _("recorded a home visit"),
    "visit.acknowledge": _("acknowledged a home visit"),
    "visit.withdraw": _("withdrew a home visit recorded by mistake"),
    "assessment.record": _("recorded a quality-of-life assessment"),
    "concern.raise": _("raised a concern"),
    "concern.handle": _("handled a concern"),
    "case.create": _("started a request for help"),
    "case.update": _("edited a request for help"),
    "case.file": _("sent a request for help"),
    "case.submit": _("sent a request for help to review"),
    "case.resubmit": _("sent a fixed request for help back to review"),
    "case.check": _("checked a request for help and sent it on"),
    "case.send_back": _("sent a request for help back to be fixed"),
    "case.accept": _("accepted a request for help"),
    "case.decline": _("declined a request for help"),
    "case.close": _("closed a case"),
    "case.view_sensitive": _("opened a sensitive case (violence, abuse, trafficking)"),
    "case.reopen": _("reopened a case"),
    "case.acknowledge": _("acknowledged a request for help"),
    "case.follow_up_add": _("added a follow-up to a case"),
    "case.task_add": _("added a task to a case"),
    "case.task_done": _("finished a case's task"),
    "case.volunteer_assign": _("gave a case to a volunteer"),
    "case.volunteer_remove": _("took a volunteer off a case"),
    "case.limits_set": _("set the province's time limits for cases"),
    "case.export": _("exported the case list"),
    "referral.send": _("referred a case to an agency"),
    "referral.move": _("moved a referral on"),
    "referral.letter": _("printed a referral letter"),
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
    "training.checkin_undo": _("took back a check-in at a training"),
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
    "training.event_cancel": _("cancelled the training event"),
    "training.certificate_revoke": _("revoked a certificate of the training event"),
    "audit.export": _("exported the audit log"),
}

# Kinds of action across groups, for the action filter: what an auditor looks for first.
_CITIZEN_ID_READS = frozenset(a for a in ACTIONS if "citizen_id" in a)
_SIGN_INS = frozenset({"user.sign_in", "user.sign_out", "user.sign_in_failed"})
KINDS: dict[str, tuple[Any, frozenset[str]]] = {
    "exports": (
        _("every export of a file"),
        frozenset(a for a in ACTIONS if "export" in a),
    ),
    "citizen_ids": (_("every read of a full citizen ID"), _CITIZEN_ID_READS),
    "reads": (
        _("every opening of personal data (records, sensitive notes, citizen IDs)"),
        _CITIZEN_ID_READS
        | {"person.view", "household.view", "household.priority_list", "pdpa.copy_view"}
        | {"visit.view_sensitive", "case.break_glass", "case.view_sensitive"}
        | {"visit.view", "case.view"}
        | {"referral.letter"},
    ),
    "imports": (
        _("every import of a file, and the records it changed"),
        frozenset(a for a in ACTIONS if "import" in a),
    ),
    "statuses": (
        _("every change of status"),
        frozenset(a for a in ACTIONS if a.endswith((".status", ".status_undone"))),
    ),
    "access": (
        _("every change of logins and roles"),
        frozenset(
            a for a in ACTIONS if a.startswith(("user.", "assignment.")) and a not in _SIGN_INS
        ),
    ),
    "sign_ins": (_("every sign-in, sign-out and refused sign-in"), _SIGN_INS),
}


@dataclass
class AuditFilters:
    group: str = ""
    action: str = ""  # an action, or a kind of action (KINDS)
    record: str = ""  # "households.person:12": one record's history
    who: str = ""  # a username (any case) or a name
    since: date | None = None
    until: date | None = None


def in_scope(user: Any, filters: AuditFilters) -> QuerySet[AuditEvent]:
    """The events of the user's audit scope that the filters keep, newest first."""
    queryset = access.visible_to(
        user, AuditEvent.objects.all(), field="area_code", perm=Perm.VIEW_AUDIT
    )
    return _filtered(queryset, filters).order_by("-created_at", "-id")


def events(*, user: Any, filters: AuditFilters, page: Any = 1) -> Page:
    """One page of the events in the user's audit scope, newest first: two queries, and one
    for each kind of record the page names (audit_lines.names_for)."""
    queryset = in_scope(user, filters).select_related("actor")
    result = Paginator(queryset, PER_PAGE).get_page(page)
    result.object_list = lines(list(result.object_list))
    return result


@dataclass
class Line:
    event: AuditEvent
    label: Any
    said: str
    url: str  # the record's page, when it has one
    link: str  # the words of the link
    where: str  # the area's name
    who: str  # the user, the server command, or the system


def lines(found: list[AuditEvent]) -> list[Line]:
    names = names_for(found)
    return [
        Line(e, label(e.action), said(e, names), *page_of(e, names), where(e, names), who(e))
        for e in found
    ]


def _filtered(queryset: QuerySet[AuditEvent], filters: AuditFilters) -> QuerySet[AuditEvent]:
    if filters.group in GROUPS:
        queryset = queryset.filter(action__startswith=f"{filters.group}.")
    if filters.action in KINDS:
        queryset = queryset.filter(action__in=KINDS[filters.action][1])
    elif filters.action:
        queryset = queryset.filter(action=filters.action)
    if filters.record:
        queryset = queryset.filter(_record_q(filters.record))
    if filters.who:
        users = users_called(filters.who)
        # A refused sign-in has no actor (nobody signed in): it is filed under the login tried.
        tried = [str(pk) for pk in users.values_list("pk", flat=True)[:_TRIED_LOGINS]]
        queryset = queryset.filter(
            Q(actor__in=users)
            | Q(action="user.sign_in_failed", target_type=USER_TYPE, target_id__in=tried)
        )
    return queryset.filter(days_q("created_at", filters.since, filters.until))


def _record_q(record: str) -> Q:
    """One record's history; a person's takes in their consents and withdrawals too (filed
    under the consent, with the person in their details)."""
    target_type, _sep, target_id = record.partition(":")
    found = Q(target_type=target_type, target_id=target_id)
    if target_type == "households.person" and target_id.isdigit():
        found |= Q(target_type=CONSENT, details__person=int(target_id))
    return found


USER_TYPE = "accounts.user"
_TRIED_LOGINS = 500  # a name matching more logins than this is too vague to follow


def users_called(who: str) -> QuerySet[User]:
    """The logins `who` names: the username in any case, or every word of it in the first or
    last name ("สมศรี", "สมศรี ใจดี")."""
    by_name = Q()
    for word in who.split():
        by_name &= Q(first_name__icontains=word) | Q(last_name__icontains=word)
    return User.objects.filter(Q(username__iexact=who) | by_name)


def label(action: str) -> Any:
    return ACTIONS.get(action, action)


def record_q(target: Any) -> str:
    """The `record` filter value of one record's history."""
    return f"{target._meta.label_lower}:{target.pk}"


def can_read(user: Any, area_code: str) -> bool:
    return access.can(user, Perm.VIEW_AUDIT, area_code)


def action_choices() -> list[tuple[Any, Any]]:
    """The action filter's choices: the kinds first, then each group's actions."""
    groups: dict[str, list[tuple[str, Any]]] = {group: [] for group in GROUPS}
    for action, words in ACTIONS.items():
        groups[action.split(".")[0]].append((action, words))
    return [
        ("", _("every action")),
        (_("Kinds of action"), [(kind, words) for kind, (words, _a) in KINDS.items()]),
        *((GROUPS[group], choices) for group, choices in groups.items() if choices),
    ]


class AuditFilterForm(DateRangeForm):
    field_order = ("group", "action", "who", "since", "until", "record")
    group = forms.ChoiceField(label=_("About"), required=False)
    action = forms.ChoiceField(label=_("Action"), required=False)
    who = forms.CharField(
        label=_("Done by"),
        required=False,
        max_length=150,
        help_text=_("A username, or a first or last name."),
    )
    record = forms.CharField(required=False, max_length=80, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["group"].choices = [("", _("everything")), *GROUPS.items()]  # type: ignore[attr-defined]
        self.fields["action"].choices = action_choices()  # type: ignore[attr-defined]

    def clean_who(self) -> str:
        who = " ".join(self.cleaned_data["who"].split())
        if who and not users_called(who).exists():
            raise forms.ValidationError(
                _("No login has the username or name “%(who)s”. Check the spelling."),
                params={"who": who},
            )
        return who

    def filters(self) -> AuditFilters | None:
        """What the fields ask for; None while a field is typed wrong (nothing is listed)."""
        if not self.is_valid():
            return None
        data = self.cleaned_data
        return AuditFilters(
            group=data.get("group") or "",
            action=data.get("action") or "",
            record=(data.get("record") or "").strip(),
            who=data.get("who") or "",
            since=data.get("since"),
            until=data.get("until"),
        )

    def described(self) -> str:
        """The filters in words ("Who: chumphon, From: 1 พ.ย. 2569"), for the audit row of an
        export of the log."""
        if not self.is_valid():
            return ""
        parts = []
        for name, field in self.fields.items():
            value = self.cleaned_data.get(name)
            if not value:
                continue
            shown = thaidate.format_short(value) if isinstance(value, date) else value
            if isinstance(field, forms.ChoiceField):
                shown = _chosen(field.choices, value)
            parts.append(f"{field.label or name}: {shown}")
        return ", ".join(parts)


def _chosen(choices: Any, value: str) -> str:
    """The words of a choice, in a list that may hold groups of choices."""
    for key, words in choices:
        if isinstance(words, list | tuple):
            found = _chosen(words, value)
            if found != value:
                return found
        elif key == value:
            return str(words)
    return value
