"""Reads about data subject requests, and the copy of everything held about one person.

The copy answers an access request (PDPA s.30). Decisions it makes, and why:

* Visits: those that recorded the person among the members seen, with their dates and
  volunteers. A visit's notes are about the household, so they are shown only when the
  person was the only member seen and the household had no one else; otherwise they would
  give out other people's data (s.30 para 2: rights of others). Notes of a sensitive visit
  are shown only to those who may read sensitive records.
* Cases: those about the person (number, category, status, date), not their details.
* Who read or exported the record: the audit rows about the person (openings, citizen ID
  reads, corrections, requests), the openings of their household's page, and the exports of
  an area that covers theirs, which may have held them: exports are logged by area and row
  count, not by person, and leave out people who withdrew consent.
"""

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from carenet.accounts import access
from carenet.accounts.access import Perm
from carenet.cases.models import Assistance, Case, Referral
from carenet.core.models import AuditEvent
from carenet.households.models import Consent, Person
from carenet.households.selectors import (
    MemberRow,
    member_row,
    person_own_q,
    today,
)
from carenet.privacy.models import RequestKind, SubjectRequest
from carenet.visits.models import Visit

# How many of the latest audit rows the copy lists.
READS_SHOWN = 200

# The audit actions the copy lists, with what each says (the audit log's own words).
READS = {
    "person.view": _("opened the person's record"),
    "person.citizen_id.read": _("read the full citizen ID"),
    "person.document_no.read": _("read the full document no."),
    "person.update": _("edited the person"),
    "person.correct": _("corrected the identity of a person who withdrew consent"),
    "person.import": _("changed the person by importing a file"),
    "household.view": _("opened the household page (its members' health and disability)"),
    "case.view": _("opened a request for help about the person"),
    "case.view_sensitive": _("opened a request for help about the person"),
    "visit.view": _("opened the notes of a home visit to the household"),
    "visit.view_sensitive": _("opened the notes of a home visit to the household"),
    "pdpa.copy_view": _("opened the copy of everything held about the person"),
    "pdpa.request_record": _("recorded a data subject request"),
    "pdpa.request_decide": _("decided a data subject request"),
    "spreadsheets.export_households": _("exported households"),
}
EXPORTS = ("spreadsheets.export_households",)


# A request is answered where the person lives now: one who moved to another district takes
# their open request with them (its own area is where they lived when it came).
FOLLOWS_PERSON = "person__area"


def _own_q(user: Any) -> Q:
    return Q(person__in=Person.objects.filter(person_own_q(user)).values("pk"))


def requests_visible(user: Any) -> QuerySet[SubjectRequest]:
    """Requests about the people the user may see (a volunteer: those of their households)."""
    queryset = SubjectRequest.objects.all()
    return access.visible_to(
        user, queryset, field=FOLLOWS_PERSON, perm=Perm.VIEW_HOUSEHOLDS, own=_own_q(user)
    )


def request_list_open(*, user: Any) -> QuerySet[SubjectRequest]:
    """The open requests in the user's scope, oldest first."""
    return (
        requests_visible(user)
        .filter(outcome="")
        .select_related("person__household__area", "recorded_by")
        .order_by("received_on", "id")
    )


def _decided(user: Any, since: date | None, until: date | None) -> QuerySet[SubjectRequest]:
    """The decided requests in scope, decided from `since` to `until` (either optional)."""
    found = requests_visible(user).exclude(outcome="")
    if since is not None:
        found = found.filter(decided_on__gte=since)
    if until is not None:
        found = found.filter(decided_on__lte=until)
    return found


def request_list_decided(
    *, user: Any, kind: str = "", since: date | None = None, until: date | None = None
) -> QuerySet[SubjectRequest]:
    """The decided requests in the user's scope, the latest decision first (of one kind,
    when `kind` is one; decided in a period, when one is given): the office's register of
    what it answered and how."""
    found = _decided(user, since, until)
    if kind in RequestKind.values:
        found = found.filter(kind=kind)
    return found.select_related("person__household__area", "recorded_by", "decided_by").order_by(
        "-decided_on", "-id"
    )


def decided_counts(
    *, user: Any, since: date | None = None, until: date | None = None
) -> dict[tuple[str, str], int]:
    """How many decided requests of each kind had each outcome, in the user's scope (and the
    period): the year's report to the Personal Data Protection Committee."""
    rows = _decided(user, since, until).values_list("kind", "outcome")
    return {(kind, outcome): n for kind, outcome, n in rows.annotate(n=Count("pk")).order_by()}


def requests_of(*, person: Person) -> QuerySet[SubjectRequest]:
    return person.subject_requests.select_related("recorded_by", "decided_by").order_by(
        "-received_on", "-id"
    )


def request_get(*, user: Any, pk: Any) -> SubjectRequest:
    queryset = SubjectRequest.objects.select_related("person__household", "recorded_by")
    return access.get_visible_or_404(
        user, queryset, field=FOLLOWS_PERSON, perm=Perm.DECIDE_CASES, own=_own_q(user), pk=pk
    )


def person_for_copy(*, user: Any, pk: Any) -> Person:
    """The person, for someone who may answer their requests (DECIDE_CASES in scope)."""
    consents = Consent.objects.select_related("recorded_by", "withdrawn_by").order_by(
        "given_on", "pk"
    )
    queryset = Person.objects.select_related("household__area__parent", "area").prefetch_related(
        Prefetch("consents", queryset=consents)
    )
    return access.get_visible_or_404(user, queryset, perm=Perm.DECIDE_CASES, pk=pk)


@dataclass
class VisitLine:
    visit: Visit
    volunteers: list[str]
    notes: str  # "" when withheld
    withheld: bool
    sensitive: bool  # about violence or abuse: printed only when the officer ticks it


@dataclass
class PersonCopy:
    person: Person
    row: MemberRow
    consents: list[Consent]
    visits: list[VisitLine]
    cases: list[Case]
    help_elsewhere: list[Assistance]
    requests: list[SubjectRequest]
    reads: list["ReadLine"]


@dataclass
class ReadLine:
    event: AuditEvent
    what: str


def person_copy(*, user: Any, person: Person) -> PersonCopy:
    """Everything Carenet holds about the person (fetched by person_for_copy), in a fixed
    number of queries."""
    return PersonCopy(
        person=person,
        row=member_row(person, today()),
        consents=list(person.consents.all()),
        visits=_visits(user, person),
        cases=_cases(person),
        help_elsewhere=_help_elsewhere(person),
        requests=list(requests_of(person=person)),
        reads=_reads(person),
    )


def _cases(person: Person) -> list[Case]:
    """The person's requests with what was done: the agencies their data went to (a
    disclosure the person may ask about, PDPA s.30) and the help given to them. Help a case
    gave another member of the household is that member's data, not this person's."""
    referrals = Referral.objects.select_related("agency").order_by("sent_at", "pk")
    assistance = (
        Assistance.objects.filter(person=person)
        .select_related("assistance_type")
        .order_by("approved_at")
    )
    return list(
        Case.objects.filter(person=person)
        .select_related("category")
        .prefetch_related(
            Prefetch("referrals", queryset=referrals),
            Prefetch("assistance", queryset=assistance),
        )
        .order_by("created_at")
    )


def _help_elsewhere(person: Person) -> list[Assistance]:
    """Help given to the person on a request about someone else (a member of their household):
    theirs to know of, without that request's details."""
    return list(
        Assistance.objects.filter(person=person)
        .exclude(case__person=person)
        .select_related("assistance_type")
        .order_by("approved_at", "pk")
    )


def _visits(user: Any, person: Person) -> list[VisitLine]:
    # Counted apart from the filter: counted over the filter's own join, every visit saw one.
    met = Visit.objects.filter(members_seen=person).values("pk")
    visits = (
        Visit.objects.filter(pk__in=met)
        .annotate(seen=Count("members_seen", distinct=True))
        .prefetch_related("volunteers")
        .order_by("visited_at", "pk")
    )
    alone = person.household.member_count <= 1
    sensitive_ok = access.can(user, Perm.VIEW_SENSITIVE, person.area_id)
    lines = []
    for visit in visits:
        shown = alone and visit.seen == 1 and (sensitive_ok or not visit.sensitive)
        notes = "\n".join(t for t in (visit.observations, visit.needs) if t) if shown else ""
        names = [v.full_name for v in visit.volunteers.all()]
        lines.append(
            VisitLine(
                visit=visit,
                volunteers=names,
                notes=notes,
                withheld=not shown,
                sensitive=visit.sensitive,
            )
        )
    return lines


def _covering(code: str) -> list[str]:
    """The area codes that cover `code`, the country's ("") included."""
    return ["", *(code[:n] for n in (2, 4, 6, 8) if n <= len(code))]


def _reads(person: Person) -> list[ReadLine]:
    about = Q(target_type="households.person", target_id=str(person.pk))
    household = Q(
        target_type="households.household",
        target_id=str(person.household_id),
        action="household.view",
    )
    cases = Q(action__in=("case.view", "case.view_sensitive"), details__person=person.pk)
    visits = Q(
        action__in=("visit.view", "visit.view_sensitive"), details__household=person.household_id
    )
    exports = Q(action__in=EXPORTS, area_code__in=_covering(person.area_id)) & Q(
        created_at__gte=person.created_at  # an export before the person was registered
    )
    events = (
        AuditEvent.objects.filter(
            about | household | cases | visits | exports, action__in=list(READS)
        )
        .select_related("actor")
        .order_by("-created_at", "-pk")[:READS_SHOWN]
    )
    return [ReadLine(event=event, what=str(READS[event.action])) for event in events]
