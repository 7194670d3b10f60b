"""What the volunteer or the centre might do next for a household: the suggestion rules.

Every rule lives in this file, as one small function that reads a household's members and its
latest assessments and returns zero or more Suggestions. They are listed in RULES, in the order
they are shown. A rule never queries the database: `suggestions_for` receives objects already
loaded (the members prefetched, the assessments latest first), so a page of households costs the
same whatever the rules say. `household_suggestions` loads what they need in two queries.

The rules follow the welfare a household is entitled to and the signs that it needs more than
a visit. Each has its own test in tests/test_suggestions.py; a province that wants another rule
adds a function here and a line to RULES.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _

from carenet.core.people import age_on
from carenet.households.models import Household, Person, PersonStatus
from carenet.households.vulnerability import CHILD_UNDER, ELDERLY_FROM
from carenet.visits.assessments import DIMENSIONS, FAILING_BELOW, dimension_label
from carenet.visits.models import Assessment

HIGH, MEDIUM = "high", "medium"


@dataclass(frozen=True)
class Suggestion:
    code: str  # which rule; stable, for tests and later for tracking what was done
    text: str  # what to do
    reason: str  # why, in terms of this household
    severity: str  # HIGH or MEDIUM


@dataclass
class Facts:
    """What the rules read: the household, its people living there now, and its assessments."""

    household: Household
    members: list[Person]
    assessments: list[Assessment]  # latest first
    today: date

    def age(self, person: Person) -> int | None:
        return age_on(person.birth_date, self.today)


def elderly_allowance(facts: Facts) -> list[Suggestion]:
    """A person of 60 or more who receives no elderly allowance (เบี้ยยังชีพผู้สูงอายุ)."""
    found = []
    for person in facts.members:
        age = facts.age(person)
        if age is not None and age >= ELDERLY_FROM and not person.elderly_allowance:
            found.append(
                Suggestion(
                    "elderly_allowance",
                    _("Help %(name)s register for the elderly allowance at the local council.")
                    % {"name": person.full_name},
                    _("%(name)s is %(age)s and receives no elderly allowance.")
                    % {"name": person.full_name, "age": age},
                    MEDIUM,
                )
            )
    return found


def disability_card(facts: Facts) -> list[Suggestion]:
    """A person with a disability who has no disability card, or no disability allowance."""
    found = []
    for person in facts.members:
        if not person.disability:
            continue
        if not person.disability_card_no:
            found.append(
                Suggestion(
                    "disability_card",
                    _(
                        "Help %(name)s apply for a disability card, then for the disability "
                        "allowance."
                    )
                    % {"name": person.full_name},
                    _("%(name)s has a disability but no disability card.")
                    % {"name": person.full_name},
                    MEDIUM,
                )
            )
        elif not person.disability_allowance:
            found.append(
                Suggestion(
                    "disability_allowance",
                    _("Help %(name)s register for the disability allowance.")
                    % {"name": person.full_name},
                    _("%(name)s holds a disability card but receives no disability allowance.")
                    % {"name": person.full_name},
                    MEDIUM,
                )
            )
    return found


def welfare_card(facts: Facts) -> list[Suggestion]:
    """Income failing in the latest assessment, and no one in the household holds the state
    welfare card (บัตรสวัสดิการแห่งรัฐ)."""
    if not facts.assessments:
        return []
    income = facts.assessments[0].scores.get("income")
    if income is None or income >= FAILING_BELOW:
        return []
    if any(p.welfare_card for p in facts.members):
        return []
    return [
        Suggestion(
            "welfare_card",
            _("Help the household apply for the state welfare card."),
            _("Income scored %(score)s%% in the latest assessment and no one holds the card.")
            % {"score": income},
            MEDIUM,
        )
    ]


def newborn_grant(facts: Facts) -> list[Suggestion]:
    """A baby under one year old without the newborn grant (เงินอุดหนุนเพื่อการเลี้ยงดูเด็กแรกเกิด)."""
    found = []
    for person in facts.members:
        age = facts.age(person)
        if age is not None and age < 1 and not person.newborn_grant:
            found.append(
                Suggestion(
                    "newborn_grant",
                    _("Help the parents of %(name)s register for the newborn grant.")
                    % {"name": person.full_name},
                    _("%(name)s is under one year old and receives no newborn grant.")
                    % {"name": person.full_name},
                    MEDIUM,
                )
            )
    return found


def failing_twice(facts: Facts) -> list[Suggestion]:
    """A dimension failing in each of the two latest assessments: a visit is not enough."""
    if len(facts.assessments) < 2:
        return []
    latest, before = facts.assessments[0].scores, facts.assessments[1].scores
    failing = [
        dim
        for dim in DIMENSIONS
        if dim in latest
        and dim in before
        and latest[dim] < FAILING_BELOW
        and before[dim] < FAILING_BELOW
    ]
    if not failing:
        return []
    labels = ", ".join(dimension_label(d) for d in failing)
    return [
        Suggestion(
            "open_case",
            _("Raise a concern with the centre so that a case is opened."),
            _("Failing in the last two assessments: %(dimensions)s.") % {"dimensions": labels},
            HIGH,
        )
    ]


def bedridden_alone(facts: Facts) -> list[Suggestion]:
    """A bedridden person living alone, with no one to care for them."""
    return [
        Suggestion(
            "care_plan",
            _("Arrange a care plan for %(name)s: refer to the health centre and a carer.")
            % {"name": person.full_name},
            _("%(name)s is bedridden and lives alone.") % {"name": person.full_name},
            HIGH,
        )
        for person in facts.members
        if person.bedridden and person.lives_alone
    ]


def children_alone(facts: Facts) -> list[Suggestion]:
    """Children living with no adult: under the Child Protection Act someone must care for them."""
    ages = [facts.age(person) for person in facts.members]
    if not ages or any(age is None or age >= CHILD_UNDER for age in ages):
        return []
    return [
        Suggestion(
            "children_alone",
            _(
                "Tell the centre and the provincial office (พมจ.) today, so that the children "
                "have an adult to care for them."
            ),
            _("No one living in this household is 18 or over."),
            HIGH,
        )
    ]


RULES: list[Callable[[Facts], list[Suggestion]]] = [
    children_alone,
    bedridden_alone,
    failing_twice,
    elderly_allowance,
    disability_card,
    newborn_grant,
    welfare_card,
]


def suggestions_for(
    household: Household,
    assessments: Sequence[Assessment],
    *,
    members: Sequence[Person] | None = None,
    today: date | None = None,
) -> list[Suggestion]:
    """Every rule's suggestions, the weightiest first.

    `assessments` are the household's, latest first. `members` defaults to
    `household.members.all()`, which costs nothing when it was prefetched.
    """
    people = list(household.members.all()) if members is None else list(members)
    facts = Facts(
        household=household,
        members=[p for p in people if p.status == PersonStatus.ACTIVE],
        assessments=list(assessments),
        today=today or timezone.localdate(),
    )
    found = [suggestion for rule in RULES for suggestion in rule(facts)]
    return sorted(found, key=lambda s: s.severity != HIGH)


def household_suggestions(*, household: Household, today: date | None = None) -> list[Suggestion]:
    """The suggestions for one household, loading what the rules read (two queries).

    For the household page and the timeline; the caller has already checked the household is
    in the user's scope.
    """
    latest = list(
        Assessment.objects.filter(household=household).order_by("-assessed_on", "-pk")[:2]
    )
    members = Person.objects.filter(household=household, status=PersonStatus.ACTIVE).order_by("pk")
    return suggestions_for(household, latest, members=list(members), today=today)
