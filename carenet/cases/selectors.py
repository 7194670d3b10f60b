"""Reads about cases, always scoped to the user: the case list (with its period: cases
submitted, or closed, from one day to another in Bangkok time), deadlines, the referrals list
with its counts, one case's page and the break-glass log.

Deadlines. A province sets its time limits (CaseTimeLimits; the defaults without a row):
* an urgent case not acknowledged within `acknowledge_urgent_hours` of being submitted is
  overdue;
* a case waiting in a review step longer than that step's days (since `status_changed_at`)
  is overdue; an urgent one, longer than `urgent_step_days` when that is shorter;
* a referral still unanswered (sent, never received) after its `answer_due` is overdue;
* a task past its `due_on` and not done is overdue.
The same rule is written twice, once as a filter (`overdue_q`, for lists and counts) and once
in Python (`overdue_reason`, for a case already loaded); tests hold them together. Limits of
every province are read in one query, so a list takes the same number of queries whatever
its length or spread.

Restricted rows. Sensitive cases that the user may not read show in lists as "a restricted
case", with no names and no category (`access.details_flag`); neither a name search nor the
category filter finds them, so a filter never tells what the row hides. (Status, urgency, area
and overdue show on the row, so filtering by them tells nothing more.)

"My action list" is in action_list.py.
"""

import re
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.core.paginator import Page
from django.db.models import Case as CaseWhen
from django.db.models import (
    Count,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
)
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from carenet.accounts import access
from carenet.accounts.access import Perm
from carenet.accounts.models import Role
from carenet.areas.models import Area, Level, within
from carenet.cases.access import (
    cases_visible,
    details_flag,
    referrals_visible,
    restricted_q,
)
from carenet.cases.models import (
    Agency,
    AgencyKind,
    Assistance,
    AssistanceStatus,
    BreakGlassAccess,
    Case,
    CaseEvent,
    CaseFollowUp,
    CaseStatus,
    CaseTask,
    CaseTimeLimits,
    ReferralStatus,
)
from carenet.cases.referrals import RESULT_DAYS, TAKEN_STATUSES
from carenet.cases.workflow import COMMENTABLE_FIELDS
from carenet.core import citizen_id, thaidate
from carenet.core.forms import days_q
from carenet.core.paging import Paginator
from carenet.core.people import NAME_WORDS, name_q
from carenet.core.text import THAI_DIGITS
from carenet.households.cleaning import clean_phone
from carenet.households.models import Person, with_citizen_id, with_document_no
from carenet.visits.models import Visit

S = CaseStatus
PER_PAGE = 25
SECTION_ROWS = 20
RECENT_OUTCOMES = timedelta(days=30)
REVIEW_STATUSES = (S.SUBDISTRICT_REVIEW, S.DISTRICT_REVIEW, S.PROVINCE_REVIEW)
STEP_LIMIT_FIELD = {
    S.SUBDISTRICT_REVIEW: "subdistrict_review_days",
    S.DISTRICT_REVIEW: "district_review_days",
    S.PROVINCE_REVIEW: "province_review_days",
}
STEPS_BELOW = {
    S.SUBDISTRICT_REVIEW: (),
    S.DISTRICT_REVIEW: (S.SUBDISTRICT_REVIEW,),
    S.PROVINCE_REVIEW: (S.SUBDISTRICT_REVIEW, S.DISTRICT_REVIEW),
}
UNANSWERED = (ReferralStatus.SENT,)  # the agency has not said it received the referral
OPEN_REFERRAL = (ReferralStatus.SENT, ReferralStatus.RECEIVED, ReferralStatus.IN_PROGRESS)


# --- Deadlines --------------------------------------------------------------------------------

LimitsTable = dict[str, CaseTimeLimits]


def limits_table() -> LimitsTable:
    """Every province's time limits, by province code (one query; about 77 rows at most)."""
    return {row.area_id: row for row in CaseTimeLimits.objects.all()}


def limits_in(table: LimitsTable, area_code: str) -> CaseTimeLimits:
    return table.get(area_code[:2]) or CaseTimeLimits(area_id=area_code[:2])


def _overdue_under(limits: CaseTimeLimits, now: datetime) -> Q:
    hours = timedelta(hours=limits.acknowledge_urgent_hours)
    q = Q(
        urgent=True,
        acknowledged_at__isnull=True,
        status__in=REVIEW_STATUSES,
        submitted_at__lt=now - hours,
    )
    for status in STEP_LIMIT_FIELD:
        for urgent in (False, True):
            days = step_days(limits, status, urgent=urgent)
            q |= Q(status=status, urgent=urgent, status_changed_at__lt=now - days)
    return q


def step_days(limits: CaseTimeLimits, status: str, *, urgent: bool) -> timedelta:
    """How long a case may wait at a review step: the step's days, or an urgent case's when
    those are shorter."""
    days = getattr(limits, STEP_LIMIT_FIELD[S(status)])
    return timedelta(days=min(days, limits.urgent_step_days) if urgent else days)


def overdue_q(now: datetime, table: LimitsTable | None = None) -> Q:
    """Cases overdue now, each judged by its own province's limits."""
    table = limits_table() if table is None else table
    result = Q(pk__in=[])
    elsewhere = Q()
    for code, limits in table.items():
        result |= within(code, "area") & _overdue_under(limits, now)
        elsewhere &= ~within(code, "area")
    return result | (elsewhere & _overdue_under(CaseTimeLimits(), now))


def overdue_reason(case: Case, limits: CaseTimeLimits, now: datetime) -> str:
    """Why the case is overdue ("acknowledge" or "step"), or "" when it is not."""
    if case.status not in REVIEW_STATUSES:
        return ""
    hours = timedelta(hours=limits.acknowledge_urgent_hours)
    if (
        case.urgent
        and case.acknowledged_at is None
        and case.submitted_at is not None
        and case.submitted_at < now - hours
    ):
        return "acknowledge"
    days = step_days(limits, case.status, urgent=case.urgent)
    if case.status_changed_at is not None and case.status_changed_at < now - days:
        return "step"
    return ""


def step_due(case: Case, limits: CaseTimeLimits) -> datetime | None:
    """When the case's current review step is due (the earlier of the two clocks)."""
    if case.status not in REVIEW_STATUSES or case.status_changed_at is None:
        return None
    due = case.status_changed_at + step_days(limits, case.status, urgent=case.urgent)
    if case.urgent and case.acknowledged_at is None and case.submitted_at is not None:
        due = min(due, case.submitted_at + timedelta(hours=limits.acknowledge_urgent_hours))
    return due


def task_overdue_q(day: date) -> Q:
    return Q(done_on__isnull=True, due_on__lt=day)


def referral_overdue_q(day: date) -> Q:
    """No answer after the answer date, or no result RESULT_DAYS after the agency took it."""
    taken_before = timezone.make_aware(
        datetime.combine(day - timedelta(days=RESULT_DAYS), time.min)
    )
    return Q(status__in=UNANSWERED, answer_due__lt=day) | Q(
        status__in=TAKEN_STATUSES, status_changed_at__lt=taken_before
    )


def overdue_first(now: datetime, table: LimitsTable) -> CaseWhen:
    return CaseWhen(
        When(overdue_q(now, table), then=Value(0)), default=Value(1), output_field=IntegerField()
    )


# --- Rows -------------------------------------------------------------------------------------


@dataclass
class CaseRow:
    case: Case
    shows: bool  # False: a restricted case, shown without names
    overdue: str  # "", "acknowledge" or "step"
    due: datetime | None = None


def case_rows(cases: Any, table: LimitsTable, now: datetime) -> list[CaseRow]:
    rows = []
    for case in cases:
        for comment in getattr(case, "to_fix", ()):
            comment.label = COMMENTABLE_FIELDS.get(comment.field, comment.field)
        limits = limits_in(table, case.area_id)
        rows.append(
            CaseRow(
                case=case,
                shows=bool(getattr(case, "shows", True)),
                overdue=overdue_reason(case, limits, now),
                due=step_due(case, limits),
            )
        )
    return rows


def listed(user: Any, queryset: QuerySet[Case]) -> QuerySet[Case]:
    return queryset.select_related("category", "area", "person").annotate(shows=details_flag(user))


# --- The case list ----------------------------------------------------------------------------


# A period filter reads one of these dates: when the case was submitted, decided (accepted
# or declined by the province: a declined one is never closed), or closed (a reopened case
# has no closing date until it is closed again).
PERIOD_FIELDS = {"submitted": "submitted_at", "decided": "decided_at", "closed": "closed_at"}


@dataclass
class CaseFilters:
    status: str = ""
    category: str = ""
    area: str = ""
    urgency: str = ""  # "urgent", "normal" or ""
    overdue: bool = False
    q: str = ""
    period: str = "submitted"  # which date `since` and `until` bound (PERIOD_FIELDS)
    since: date | None = None
    until: date | None = None

    @property
    def dated(self) -> bool:
        return bool(self.since or self.until)

    @classmethod
    def from_query(cls, data: Any) -> "CaseFilters":
        status = data.get("status", "")
        area = data.get("area", "").strip()
        urgency = data.get("urgency", "")
        return cls(
            status=status if status in S.values else "",
            category=data.get("category", "").strip()[:32],
            area=area if area.isdigit() and len(area) <= 8 else "",
            urgency=urgency if urgency in ("urgent", "normal") else "",
            overdue=data.get("overdue") in ("1", "on", "true"),
            q=data.get("q", "").strip()[:100],
        )

    def with_period(self, period: str, since: date | None, until: date | None) -> "CaseFilters":
        """These filters with a period (as the period form read it)."""
        period = period if period in PERIOD_FIELDS else "submitted"
        return replace(self, period=period, since=since, until=until)

    def as_query(self) -> str:
        from urllib.parse import urlencode

        values = {
            "status": self.status,
            "category": self.category,
            "area": self.area,
            "urgency": self.urgency,
            "overdue": "1" if self.overdue else "",
            "q": self.q,
            "period": self.period if self.dated else "",
            "since": thaidate.format_numeric(self.since),
            "until": thaidate.format_numeric(self.until),
        }
        return urlencode({k: v for k, v in values.items() if v})


def case_list(
    *, user: Any, filters: CaseFilters | None = None, page: Any = 1, now: datetime | None = None
) -> Page:
    """Cases in the user's scope, newest first, filtered; 25 a page, rows as CaseRow.

    Other people's drafts are left out: a draft is its filer's until submitted."""
    filters = filters or CaseFilters()
    now = now or timezone.now()
    table = limits_table()
    queryset = listed(user, case_queryset(user=user, filters=filters, now=now, table=table))
    result = Paginator(queryset, PER_PAGE).get_page(page)
    result.object_list = cast(Any, case_rows(result.object_list, table, now))
    return result


def restricted_left_out(*, user: Any, filters: CaseFilters, now: datetime | None = None) -> int:
    """With a kind of problem chosen: how many restricted cases the other filters find, which
    no kind's count holds (their kind is what they hide). Said under the list, so that the
    kinds' counts add up to the whole."""
    if not filters.category:
        return 0
    unfiltered = replace(filters, category="")
    now = now or timezone.now()
    found = case_queryset(user=user, filters=unfiltered, now=now, table=limits_table())
    return found.filter(restricted_q(user)).count()


def case_queryset(
    *, user: Any, filters: CaseFilters, now: datetime, table: LimitsTable
) -> QuerySet[Case]:
    """The cases the list shows with these filters, in its order: newest first, or by the
    period's date when one is asked for."""
    queryset = cases_visible(user).exclude(Q(status=S.DRAFT) & ~Q(filed_by=user.pk))
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.category:
        queryset = queryset.filter(_category_q(user, filters.category))
    if filters.area:
        queryset = queryset.filter(within(filters.area, "area"))
    if filters.urgency:
        queryset = queryset.filter(urgent=filters.urgency == "urgent")
    if filters.overdue:
        queryset = queryset.filter(overdue_q(now, table))
    if filters.q:
        queryset = queryset.filter(_search_q(user, filters.q))
    if not filters.dated:
        return queryset.order_by("-created_at", "-pk")
    field = PERIOD_FIELDS[filters.period]
    return queryset.filter(days_q(field, filters.since, filters.until)).order_by(f"-{field}", "-pk")


def _category_q(user: Any, category: str) -> Q:
    """Cases of the category, never a restricted one: its row hides the category, and a
    filter that found it would tell what it is about (domestic violence, trafficking)."""
    restricted = Case.objects.filter(restricted_q(user)).values("pk")
    return Q(category_id=category) & ~Q(pk__in=restricted)


def _search_q(user: Any, text: str) -> Q:
    """A case number however typed, or who the case is about or who asked for it: the
    person's name, citizen ID, other document or phone, the requester's name or phone (a
    caller gives one of these). A restricted case is found by its number only: its row
    shows no name, and a match by who it is about would tell."""
    text = " ".join(text.translate(THAI_DIGITS).split())
    by_number = Q(number__icontains=text)
    if number := _case_number(text):
        by_number |= Q(number=number)
    restricted = Case.objects.filter(restricted_q(user)).values("pk")
    return by_number | (_who_q(text) & ~Q(pk__in=restricted))


# "2570-85", "2570/000085", "2570 85", "2570000085": the fiscal year, then the running number.
_CASE_NUMBER = re.compile(r"^(25\d\d)\s*[-/. ]?\s*(\d{1,6})$")


def _case_number(text: str) -> str:
    match = _CASE_NUMBER.match(text)
    return f"{match[1]}-{int(match[2]):06d}" if match else ""


def _who_q(text: str) -> Q:
    if citizen_id.is_valid(text):
        digits = citizen_id.normalize(text)
        people = Person.objects.filter(
            with_citizen_id(citizen_id.lookup_hash(digits)) | with_document_no(digits)
        )
        return Q(person__in=people.values("pk"))
    try:
        phone = clean_phone(text)
    except ValidationError:
        phone = ""
    if phone and sum(ch.isdigit() for ch in text) >= 9:
        return Q(person__phone=phone) | Q(requester_phone=phone)
    found = name_q(text, "person__")
    words = text.split()[:NAME_WORDS]
    if words:
        requester = Q()
        for word in words:
            requester &= Q(requester_name__icontains=word)
        found |= requester
    return found


def assistance_visible(user: Any, perm: Perm = Perm.VIEW_CASES) -> QuerySet[Assistance]:
    return access.visible_to(
        user,
        Assistance.objects.all(),
        perm=perm,
        own=Q(case__in=cases_visible(user, perm).values("pk")),
    )


def filter_areas(user: Any) -> list[Area]:
    """Areas to filter by: provinces for a national scope, else districts and subdistricts."""
    codes = access.scope_codes(user, Perm.VIEW_CASES)
    if not codes or access.main_role(user) == Role.VOLUNTEER:
        return []
    if access.NATIONAL in codes:
        return list(Area.objects.filter(level=Level.PROVINCE))
    scope = Q(pk__in=[])
    for code in codes:
        scope |= within(code, "code")
    return list(Area.objects.filter(scope).exclude(level=Level.VILLAGE).order_by("code"))


def open_referral_agencies(case: Case) -> list[str]:
    """The agencies of the case's referrals still waiting for an answer or a result: the close
    form names them, since closing leaves them open."""
    open_ = case.referrals.filter(status__in=OPEN_REFERRAL).select_related("agency")
    return [referral.agency.name for referral in open_.order_by("sent_at", "pk")]


def unpaid_assistance(case: Case) -> list[str]:
    """The case's assistance approved and not yet paid or handed over, as "type, amount": the
    close form names it, since closing leaves it approved."""
    approved = case.assistance.filter(status=AssistanceStatus.APPROVED).select_related(
        "assistance_type"
    )
    english = get_language() == "en"
    said = []
    for item in approved.order_by("approved_at", "pk"):
        kind = item.assistance_type.name_en if english else item.assistance_type.name_th
        said.append(f"{kind} {item.amount:,.0f} {_('baht')}" if item.amount else kind)
    return said


# --- The referrals list -----------------------------------------------------------------------


@dataclass
class ReferralFilters:
    status: str = ""
    area: str = ""
    since: date | None = None  # sent from this day
    until: date | None = None  # to this one, included


@dataclass
class AgencyCount:
    name: str
    kind: Any
    area: Any  # None for a national agency
    count: int


@dataclass
class ReferralSummary:
    """One page of the referrals the filters find, and all of them counted by status and by
    agency (each count adds up to the page's total)."""

    page: Page
    by_status: list[tuple[str, Any, int]]
    by_agency: list[AgencyCount]


def referral_list(*, user: Any, filters: ReferralFilters, page: Any = 1) -> ReferralSummary:
    """Referrals of the cases in scope, newest first, sent in the period; six queries
    whatever their number. A restricted case's referral shows its agency and status, never
    the person or the need (`shows`)."""
    found = referrals_visible(user).filter(days_q("sent_at", filters.since, filters.until))
    if filters.status:
        found = found.filter(status=filters.status)
    if filters.area:
        found = found.filter(within(filters.area, "area"))
    rows = (
        found.select_related("case__person", "case__area", "agency")
        .annotate(shows=details_flag(user, "case_id"))
        .order_by("-sent_at", "-pk")
    )
    counted = dict(found.order_by().values_list("status").annotate(n=Count("pk")))
    # By agency, not by name: every subdistrict has its own อบต. and รพ.สต. of the same name.
    counted_agencies = (
        found.exclude(status=ReferralStatus.WITHDRAWN)  # sent by mistake: not that agency's
        .order_by()
        .values_list("agency_id")
        .annotate(n=Count("pk"))
        .order_by("-n", "agency__name", "agency_id")
    )
    named = Agency.objects.select_related("area__parent").in_bulk(
        [pk for pk, _n in counted_agencies]
    )
    kinds = dict(AgencyKind.choices)
    return ReferralSummary(
        page=Paginator(rows, PER_PAGE).get_page(page),
        by_status=[
            (value, label, counted.get(value, 0)) for value, label in ReferralStatus.choices
        ],
        by_agency=[
            AgencyCount(a.name, kinds.get(a.kind, a.kind), a.area, n)
            for a, n in ((named[pk], n) for pk, n in counted_agencies)
        ],
    )


# --- One case ---------------------------------------------------------------------------------


@dataclass
class ChainStep:
    key: str
    label: Any
    state: str  # done, current, skipped, pending, returned
    by: Any = None
    at: datetime | None = None


CHAIN_LABELS = {
    "filed": _("Filed"),
    S.SUBDISTRICT_REVIEW: _("Subdistrict check"),
    S.DISTRICT_REVIEW: _("District check"),
    S.PROVINCE_REVIEW: _("Provincial decision"),
    "closed": _("Closed"),
}
# The last step while the case is worked on: "closed" would read as done.
WORKED_ON = _("Being worked on")


def case_events(case: Case) -> list[CaseEvent]:
    events = list(case.events.select_related("by").prefetch_related("field_comments"))
    for event in events:
        for comment in event.field_comments.all():  # prefetched: the label stays on the object
            comment.label = COMMENTABLE_FIELDS.get(comment.field, comment.field)  # type: ignore[attr-defined]
    return events


def review_chain(case: Case, events: list[CaseEvent]) -> list[ChainStep]:
    """The steps of the review chain with who did each and when, for the progress bar."""
    order = ["filed", *REVIEW_STATUSES, "closed"]
    done: dict[str, CaseEvent] = {}
    for event in events:  # oldest first: a later pass overwrites an earlier one
        if event.from_status in (S.DRAFT, S.RETURNED) and event.to_status in REVIEW_STATUSES:
            done.setdefault("filed", event)
        elif event.from_status in REVIEW_STATUSES and event.to_status != S.RETURNED:
            done[event.from_status] = event
        elif event.to_status == S.CLOSED:
            done["closed"] = event
        if event.from_status == S.CLOSED:  # reopened: the closure no longer stands
            done.pop("closed", None)
    current = {
        S.DRAFT: "filed",
        S.RETURNED: case.returned_from or S.SUBDISTRICT_REVIEW,
        S.ACCEPTED: "closed",
    }.get(S(case.status), case.status)
    if case.status in (S.CLOSED, S.DECLINED):
        current = ""
    reached = order.index(current) if current in order else len(order)
    steps = []
    for index, key in enumerate(order):
        found = done.get(key)
        if key == current:
            state = "returned" if case.status == S.RETURNED else "current"
        elif found is not None:
            state = "done"
        elif index < reached and key != "closed":
            state = "skipped"
        else:
            state = "pending"
        if key == "closed" and case.status == S.DECLINED:
            state = "skipped"
        steps.append(
            ChainStep(
                key,
                WORKED_ON if key == "closed" and state == "current" else CHAIN_LABELS[key],
                state,
                by=found.by if found and state == "done" else None,
                at=found.at if found and state == "done" else None,
            )
        )
    return steps


def case_tasks(case: Case) -> list[CaseTask]:
    return list(case.tasks.select_related("who", "created_by"))


def case_follow_ups(case: Case) -> list[CaseFollowUp]:
    return list(case.follow_ups.select_related("visit", "by"))


def household_visits(case: Case, limit: int = 20) -> list[Visit]:
    """The household's latest visits, to link a follow-up to one."""
    return list(case.household.visits.order_by("-visited_at", "-pk")[:limit])


def open_comments(case: Case) -> list[tuple[Any, str]]:
    """The open field comments of a returned case: (field label, comment)."""
    return [
        (COMMENTABLE_FIELDS.get(c.field, c.field), c.comment)
        for c in case.field_comments.filter(resolved=False)
    ]


# --- The break-glass log ----------------------------------------------------------------------


def break_glass_log(*, user: Any, page: Any = 1) -> Page:
    """Break-glass openings in the user's audit scope, newest first."""
    queryset = access.visible_to(
        user,
        BreakGlassAccess.objects.select_related("case", "user", "area"),
        perm=Perm.VIEW_AUDIT,
    ).order_by("-granted_at", "-pk")
    return Paginator(queryset, PER_PAGE).get_page(page)
