"""Template helpers of intake: links into it from other apps' pages (the household, concerns),
the household's open requests on its page, and the request's parts on the case page."""

from dataclasses import dataclass, field
from typing import Any

from django import template

from carenet.accounts import access
from carenet.accounts.access import Perm
from carenet.areas.models import Area
from carenet.cases import intake
from carenet.cases.access import shows_details
from carenet.cases.action_list import filer_waiting
from carenet.cases.models import Case, CaseDocument, RequesterType
from carenet.cases.workflow import COMMENTABLE_FIELDS
from carenet.visits.models import ProblemArea, ProblemItem

register = template.Library()
ORDER = {name: index for index, name in enumerate(COMMENTABLE_FIELDS)}  # the form's order


@register.filter
def may_file_cases(user: Any, area_code: str) -> bool:
    """Whether the user may file a request for help in this area (the page's own scope
    already narrows a volunteer to the households assigned to them)."""
    return access.can(user, Perm.FILE_CASES, str(area_code or ""))


@register.simple_tag
def requests_waiting(user: Any) -> list[tuple[str, int, str]]:
    """`{% requests_waiting user as waiting %}`: what of a volunteer's own requests for help
    waits for them (action_list.filer_waiting), for their home page: a request sent back to
    them was seen only under "my work"."""
    return filer_waiting(user) if access.can(user, Perm.FILE_CASES) else []


@register.simple_tag
def household_open_requests(household: Any, user: Any) -> intake.OpenRequests | None:
    """`{% household_open_requests h user as open %}`: the household's open requests for its
    page (one query), or None for a user who may not see cases there."""
    if not access.can(user, Perm.VIEW_CASES, household.area_id):
        return None
    return intake.open_requests(user, household)


@register.simple_tag
def person_open_requests(person: Any, user: Any) -> intake.OpenRequests | None:
    """`{% person_open_requests p user as open %}`: the person's open requests, for the status
    card of their page (None for a user who may not see cases there)."""
    if not access.can(user, Perm.VIEW_CASES, person.area_id):
        return None
    return intake.person_open_requests(user, person)


@dataclass
class RequestView:
    """What cases/_request.html shows of a request, in a fixed number of queries."""

    shows: bool
    problem_groups: list[tuple[ProblemArea, list[ProblemItem]]] = field(default_factory=list)
    requester_types: list[str] = field(default_factory=list)
    documents: list[CaseDocument] = field(default_factory=list)
    comments: list[tuple[str, str]] = field(default_factory=list)
    address_areas: list[Any] = field(default_factory=list)


@register.simple_tag
def request_view(case: Case, user: Any) -> RequestView:
    """`{% request_view case user as r %}`: the request's parts for the case page."""
    if not shows_details(user, case):
        return RequestView(shows=False)
    groups: dict[str, tuple[ProblemArea, list[ProblemItem]]] = {}
    for item in case.problems.select_related("area").order_by("area__order", "order"):
        groups.setdefault(item.area_id, (item.area, []))[1].append(item)
    labels = dict(RequesterType.choices)
    areas: list[Any] = []
    area: Any = (
        Area.objects.select_related("parent__parent__parent")
        .filter(pk=case.household.area_id)
        .first()
    )
    while area is not None:
        if area.level != "village":
            areas.append(area)
        area = area.parent
    return RequestView(
        shows=True,
        problem_groups=list(groups.values()),
        requester_types=[str(labels[t]) for t in case.requester_types or [] if t in labels],
        documents=list(case.documents.order_by("pk")),
        comments=[
            (str(COMMENTABLE_FIELDS.get(c.field, c.field)), c.comment)
            for c in sorted(
                case.field_comments.filter(resolved=False).order_by("pk"),
                key=lambda c: ORDER.get(c.field, len(ORDER)),
            )
        ],
        address_areas=areas,
    )
