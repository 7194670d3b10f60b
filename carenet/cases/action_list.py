"""My action list: what waits for the user, by role, each section short and overdue first.

A volunteer sees their drafts, what was sent back (and what to fix), and how their cases ended;
a reviewer sees what waits at their step (overdue first) and what is overdue at the step below;
a provincial officer sees what waits for a decision, unanswered referrals, assistance approved
but not yet given, and everything overdue in the province. The deadlines are selectors'.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.contrib.humanize.templatetags.humanize import intcomma
from django.db.models import (
    Count,
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
)
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from carenet.accounts import access
from carenet.accounts.access import ROLE_PERMISSIONS, Perm, grants
from carenet.areas.models import within
from carenet.cases.access import cases_visible, details_flag, referrals_visible
from carenet.cases.models import (
    Assistance,
    AssistanceStatus,
    Case,
    CaseTask,
    FieldComment,
    Referral,
    ReferralStatus,
)
from carenet.cases.referrals import RESULT_DAYS, days_late
from carenet.cases.selectors import (
    RECENT_OUTCOMES,
    REVIEW_STATUSES,
    SECTION_ROWS,
    STEPS_BELOW,
    LimitsTable,
    S,
    assistance_visible,
    case_rows,
    limits_table,
    listed,
    overdue_first,
    overdue_q,
    referral_overdue_q,
    task_overdue_q,
)
from carenet.cases.workflow import DISTRICT, PROVINCE, SUBDISTRICT
from carenet.households.models import Person, restricted_q

# --- My action list ---------------------------------------------------------------------------

# The filer's sections, by key, as their action list and their home page (filer_waiting) name them.
FILER_TITLES = {
    "returned": _("Sent back to you: fix and send again"),
    "drafts": _("My drafts"),
    "my_tasks": _("Requests with a task for you"),
}


@dataclass
class Section:
    key: str
    title: Any
    count: int
    rows: list[Any]
    kind: str = "case"  # which row template: case, task, referral, assistance
    hint: Any = ""
    optional: bool = False  # shown only when something is in it
    link: str = ""  # the case list with the same cases, when there is one

    @property
    def more(self) -> int:
        return max(0, self.count - len(self.rows))


@dataclass
class ActionList:
    role: str  # "volunteer", "reviewer" or "officer"
    sections: list[Section] = field(default_factory=list)

    @property
    def shown(self) -> list[Section]:
        return [s for s in self.sections if s.count or not s.optional]


@dataclass
class TaskRow:
    task: CaseTask
    shows: bool
    overdue: bool


@dataclass
class ReferralRow:
    referral: Referral
    shows: bool
    days_late: int


@dataclass
class AssistanceRow:
    assistance: Assistance
    shows: bool


def role_of(user: Any) -> str:
    if access.can(user, Perm.DECIDE_CASES):
        return "officer"
    if access.can(user, Perm.REVIEW_CASES):
        return "reviewer"
    return "volunteer"


def _my_steps(user: Any) -> list[tuple[str, str]]:
    """(review step, area code) pairs: the step each of the user's grants does itself."""
    found: list[tuple[str, str]] = []
    for g in grants(user):
        perms = ROLE_PERMISSIONS[g.role]
        width = len(g.area_code)
        if Perm.DECIDE_CASES in perms and width <= PROVINCE:
            found.append((S.PROVINCE_REVIEW, g.area_code))
        elif Perm.REVIEW_CASES in perms and width <= DISTRICT:
            found.append((S.DISTRICT_REVIEW, g.area_code))
        elif Perm.REVIEW_CASES in perms and width <= SUBDISTRICT:
            found.append((S.SUBDISTRICT_REVIEW, g.area_code))
    return found


def _waiting_q(user: Any) -> Q:
    q = Q(pk__in=[])
    for status, code in _my_steps(user):
        q |= Q(status=status) & within(code, "area")
    return q


def _below_q(user: Any) -> Q:
    q = Q(pk__in=[])
    for status, code in _my_steps(user):
        below = STEPS_BELOW[S(status)]
        if below:
            q |= Q(status__in=below) & within(code, "area")
    return q


def _case_section(
    user: Any,
    key: str,
    title: Any,
    queryset: QuerySet[Case],
    table: LimitsTable,
    now: datetime,
    *,
    order: tuple[Any, ...] = ("-status_changed_at", "-pk"),
    hint: Any = "",
    optional: bool = False,
    prefetch: tuple[Any, ...] = (),
) -> Section:
    count = queryset.count()
    rows: list[Any] = []
    if count:
        found = listed(user, queryset).prefetch_related(*prefetch).order_by(*order)
        rows = case_rows(found[:SECTION_ROWS], table, now)
    return Section(key, title, count, rows, hint=hint, optional=optional)


def _task_section(
    user: Any, key: str, title: Any, queryset: QuerySet[CaseTask], day: date, optional: bool
) -> Section:
    count = queryset.count()
    rows: list[Any] = []
    if count:
        found = (
            queryset.select_related("case__category", "case__area", "case__person", "who")
            .annotate(shows=details_flag(user, "case_id"))
            .order_by("due_on", "pk")[:SECTION_ROWS]
        )
        rows = [TaskRow(t, bool(t.shows), t.done_on is None and t.due_on < day) for t in found]
    return Section(key, title, count, rows, kind="task", optional=optional)


def _mine_q(user: Any) -> Q:
    return Q(filed_by=user.pk) | Q(volunteer__user=user.pk)


def _filer_sections(user: Any, table: LimitsTable, now: datetime, optional: bool) -> list[Section]:
    mine = cases_visible(user).filter(_mine_q(user))
    since = now - RECENT_OUTCOMES
    answered = Referral.objects.filter(
        case=OuterRef("pk"),
        status__in=(ReferralStatus.DONE, ReferralStatus.DECLINED),
        status_changed_at__gte=since,
    )
    open_comments = Prefetch(
        "field_comments", queryset=FieldComment.objects.filter(resolved=False), to_attr="to_fix"
    )
    answers = Prefetch(
        "referrals",
        queryset=Referral.objects.filter(
            status__in=(ReferralStatus.DONE, ReferralStatus.DECLINED)
        ).select_related("agency"),
        to_attr="answered",
    )
    sections = [
        _case_section(
            user,
            "returned",
            FILER_TITLES["returned"],
            mine.filter(status=S.RETURNED),
            table,
            now,
            prefetch=(open_comments,),
            optional=optional,
        ),
        _case_section(
            user,
            "drafts",
            FILER_TITLES["drafts"],
            mine.filter(status=S.DRAFT, filed_by=user.pk),
            table,
            now,
            order=("-updated_at", "-pk"),
            optional=optional,
        ),
        _case_section(
            user,
            "outcomes",
            _("How my cases ended"),
            mine.filter(
                Q(status__in=(S.CLOSED, S.DECLINED), status_changed_at__gte=since)
                | Q(Exists(answered))
            ),
            table,
            now,
            hint=_("Closed, declined or answered by an agency in the last 30 days."),
            prefetch=(answers,),
            optional=optional,
        ),
    ]
    if not optional:
        sections.append(
            _case_section(
                user,
                "in_progress",
                _("My cases in progress"),
                mine.filter(status__in=(*REVIEW_STATUSES, S.ACCEPTED)),
                table,
                now,
            )
        )
    return sections


def filer_waiting(user: Any) -> list[tuple[str, int, str]]:
    """What of their own requests waits for a filer, for their home page, in one query: those
    sent back to fix, their drafts, and their open tasks; each (title, count, link)."""
    mine = _mine_q(user)
    tasks = CaseTask.objects.filter(who=user.pk, done_on__isnull=True, case=OuterRef("pk"))
    # Not those stopped by the person's withdrawal or objection: nothing can be done there.
    stopped = Person.objects.filter(restricted_q()).values("pk")
    counts = (
        cases_visible(user)
        .exclude(person__in=stopped)
        .annotate(has_task=Exists(tasks))
        .aggregate(
            returned=Count("pk", filter=mine & Q(status=S.RETURNED)),
            drafts=Count("pk", filter=mine & Q(status=S.DRAFT, filed_by=user.pk)),
            my_tasks=Count("pk", filter=Q(has_task=True)),
        )
    )
    actions = reverse("cases:actions")
    return [(str(FILER_TITLES[key]), n, f"{actions}#{key}") for key, n in counts.items() if n]


def _my_tasks(user: Any, day: date) -> Section:
    tasks = CaseTask.objects.filter(who=user.pk, done_on__isnull=True).filter(
        case__in=cases_visible(user).values("pk")
    )
    return _task_section(user, "my_tasks", _("My tasks"), tasks, day, optional=False)


def action_list(*, user: Any, now: datetime | None = None) -> ActionList:
    """What waits for this user, by role; each section counted, its first rows listed."""
    now = now or timezone.now()
    day = timezone.localdate(now)
    table = limits_table()
    role = role_of(user)
    result = ActionList(role)
    if role == "volunteer":
        result.sections = [*_filer_sections(user, table, now, False), _my_tasks(user, day)]
        return result

    scope = cases_visible(user, Perm.REVIEW_CASES)
    late = overdue_first(now, table)
    overdue = scope.filter(overdue_q(now, table))
    waiting = _case_section(
        user,
        "decide" if role == "officer" else "waiting",
        _("Waiting for your decision") if role == "officer" else _("Waiting for your check"),
        scope.filter(_waiting_q(user)),
        table,
        now,
        # Overdue first, then urgent ones (due within a day or so), then the oldest.
        order=(late, "-urgent", "status_changed_at", "pk"),
    )
    if role == "officer":
        others = _case_section(
            user,
            "overdue",
            _("Other overdue cases in your area"),
            overdue.exclude(_waiting_q(user)),
            table,
            now,
            order=("status_changed_at", "pk"),
            hint=_("Urgent cases not acknowledged in time, and checks past their limit."),
        )
        working = _case_section(
            user,
            "working",
            _("Accepted cases being worked on"),
            scope.filter(status=S.ACCEPTED),
            table,
            now,
            order=("status_changed_at", "pk"),
            hint=_(
                "The longest accepted first. Close each once every agency has answered and "
                "the help is given."
            ),
            optional=True,
        )
        working.link = f"{reverse('cases:list')}?status={S.ACCEPTED}"
        result.sections += [
            waiting,
            _referrals_section(user, day),
            _assistance_section(user),
            working,
        ]
    else:
        others = _case_section(
            user,
            "below",
            _("Overdue at the level below"),
            scope.filter(_below_q(user) & overdue_q(now, table)),
            table,
            now,
            order=("status_changed_at", "pk"),
            hint=_("Nobody has checked these in time: check them yourself or ask why."),
        )
        result.sections.append(waiting)
    _say_overdue(waiting, others, overdue.count(), overdue.filter(_waiting_q(user)).count())
    result.sections.append(others)
    overdue_tasks = CaseTask.objects.filter(task_overdue_q(day)).filter(
        case__in=cases_visible(user, Perm.MANAGE_CASES).values("pk")
    )
    result.sections += [
        _my_tasks(user, day),
        _task_section(user, "late_tasks", _("Overdue tasks"), overdue_tasks, day, optional=True),
        *_filer_sections(user, table, now, True),
    ]
    return result


def _say_overdue(waiting: Section, others: Section, overdue: int, mine: int) -> None:
    """The overdue cases of the user's scope are split between their own step (`waiting`,
    overdue first) and `others`, and some wait at steps that are neither (above a reviewer,
    say): the hints give the split and the whole, which the case list's "overdue only"
    lists, so that no figure seems to contradict another."""
    if mine:
        waiting.hint = ngettext(
            "%(mine)s of them is overdue: it comes first.",
            "%(mine)s of them are overdue: they come first.",
            mine,
        ) % {"mine": intcomma(mine)}
    if overdue > others.count:
        others.hint = ngettext(
            "%(hint)s In all, %(all)s case in your area is overdue (%(mine)s of them waiting "
            "for you).",
            "%(hint)s In all, %(all)s cases in your area are overdue (%(mine)s of them waiting "
            "for you).",
            overdue,
        ) % {"hint": others.hint, "all": intcomma(overdue), "mine": intcomma(mine)}
        others.link = f"{reverse('cases:list')}?overdue=1"


def _referrals_section(user: Any, day: date) -> Section:
    found = referrals_visible(user, Perm.DECIDE_CASES).filter(referral_overdue_q(day))
    count = found.count()
    rows: list[Any] = []
    if count:
        listed = (
            found.select_related("case__category", "case__area", "case__person", "agency")
            .annotate(shows=details_flag(user, "case_id"))
            .order_by("answer_due", "pk")[:SECTION_ROWS]
        )
        rows = [ReferralRow(r, bool(r.shows), days_late(r, day)) for r in listed]
        rows.sort(key=lambda row: -row.days_late)  # the latest first, as each row says
    return Section(
        "referrals",
        _("Referrals overdue with the agency"),
        count,
        rows,
        kind="referral",
        hint=_(
            "No answer by the date due, or no result %(days)s days after the agency took them: "
            "ask the agency, then record its answer."
        )
        % {"days": RESULT_DAYS},
    )


def _assistance_section(user: Any) -> Section:
    found = assistance_visible(user, Perm.APPROVE_ASSISTANCE).filter(
        status=AssistanceStatus.APPROVED
    )
    count = found.count()
    rows: list[Any] = []
    if count:
        listed = (
            found.select_related("case__category", "case__area", "person", "assistance_type")
            .annotate(shows=details_flag(user, "case_id"))
            .order_by("approved_at", "pk")[:SECTION_ROWS]
        )
        rows = [AssistanceRow(a, bool(a.shows)) for a in listed]
    return Section(
        "assistance",
        _("Approved, not yet given"),
        count,
        rows,
        kind="assistance",
        hint=_("Assistance approved but not yet paid or handed over."),
    )
