"""Quality-of-life assessment (การประเมินคุณภาพชีวิต): record one, score it, read it back.

A volunteer answers each จปฐ. indicator of the current IndicatorSet for the household: met,
not met, or does not apply (no newborn in the house, say). A dimension's score is the share
of its applicable indicators that are met, as a whole percentage; a dimension with no
applicable indicator gets no score at all rather than a misleading 0 or 100. Scores are worked
out here from the answers and stored on the Assessment, never typed in.

The visit form embeds the answers as an optional fieldset (`AssessmentForm`, drawn by
`visits/_assessment_fields.html`) and calls `assessment_record` inside its own transaction.
A household's assessments, oldest first, become one small chart per dimension (charts.py) so
that a better or worse life is visible at a glance.

Which indicators exist is data (IndicatorSet, Indicator): a new จปฐ. cycle is a new set marked
`current`, and old assessments keep pointing at the set they were answered against.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from carenet.accounts import access
from carenet.accounts.access import Perm
from carenet.core.services import audit_record
from carenet.households.models import Household, HouseholdStatus
from carenet.households.selectors import households_visible, person_own_q
from carenet.visits import charts
from carenet.visits.models import (
    Answer,
    Assessment,
    Dimension,
    Indicator,
    IndicatorSet,
    Visit,
)

# Below this share of indicators met, a dimension counts as failing (the pass line on charts,
# and what suggestions.py reacts to).
FAILING_BELOW = 50
DIMENSIONS: list[str] = [d.value for d in Dimension]
HISTORY_LIMIT = 40  # assessments drawn on a household's chart


def dimension_label(code: str) -> str:
    return str(dict(Dimension.choices).get(code, code))


def indicator_text(indicator: Indicator) -> str:
    english = (get_language() or "th").startswith("en")
    return indicator.text_en if english and indicator.text_en else indicator.text_th


def current_indicator_set() -> IndicatorSet | None:
    """The set in use now, with its indicators in number order (two queries)."""
    return (
        IndicatorSet.objects.filter(current=True)
        .prefetch_related(Prefetch("indicators", queryset=Indicator.objects.order_by("number")))
        .order_by("-valid_from")
        .first()
    )


def score(indicators: Iterable[Indicator], answers: Mapping[int, bool | None]) -> dict[str, int]:
    """Per dimension, the percentage of applicable indicators met, rounded half up.

    A dimension whose indicators all do not apply is left out.
    """
    met: dict[str, int] = {}
    applicable: dict[str, int] = {}
    for indicator in indicators:
        answer = answers.get(indicator.number)
        if answer is None:
            continue
        applicable[indicator.dimension] = applicable.get(indicator.dimension, 0) + 1
        met[indicator.dimension] = met.get(indicator.dimension, 0) + (1 if answer else 0)
    # (200 m + n) // 2n is 100 m / n rounded half up, in whole numbers: 62.5 gives 63.
    return {
        dim: (200 * met[dim] + applicable[dim]) // (2 * applicable[dim])
        for dim in DIMENSIONS
        if applicable.get(dim)
    }


# --- Writing -------------------------------------------------------------------------------


def _answer_errors(indicators: Sequence[Indicator], answers: Mapping[Any, Any]) -> list[str]:
    numbers = {i.number for i in indicators}
    errors = []
    unknown = sorted(str(k) for k in answers if k not in numbers)
    if unknown:
        errors.append(
            _("These are not indicators of the current set: %(numbers)s.")
            % {"numbers": ", ".join(unknown)}
        )
    missing = sorted(n for n in numbers if n not in answers)
    if missing:
        errors.append(
            _("Answer every indicator (met, not met or does not apply). Missing: %(numbers)s.")
            % {"numbers": ", ".join(str(n) for n in missing)}
        )
    if any(v not in (True, False, None) for v in answers.values()):
        errors.append(_("An answer must be met, not met or does not apply."))
    if not errors and all(answers[n] is None for n in numbers):
        errors.append(_("Mark at least one indicator as met or not met."))
    return errors


@transaction.atomic
def assessment_record(
    *,
    actor: Any,
    household: Household,
    visit: Visit | None,
    answers: Mapping[int, bool | None],
    assessed_on: date,
) -> Assessment:
    """Stores an assessment of `household` against the current จปฐ. indicator set.

    `answers` maps every indicator number of the current set to True (met), False (not met)
    or None (does not apply). Raises ValidationError, keyed by what is wrong ("household",
    "visit", "assessed_on", "answers"), and writes nothing then.
    """
    indicator_set = current_indicator_set()
    if indicator_set is None:
        raise ValidationError({"answers": _("No จปฐ. indicator set is in use yet.")})
    indicators = list(indicator_set.indicators.all())
    errors: dict[str, list[str]] = {}
    if household.status != HouseholdStatus.ACTIVE:
        errors["household"] = [_("This household has moved or is closed.")]
    elif not households_visible(actor, Perm.MANAGE_HOUSEHOLDS).filter(pk=household.pk).exists():
        errors["household"] = [_("You may not assess this household.")]
    if visit is not None:
        if visit.household_id != household.pk:
            errors["visit"] = [_("The visit was made to another household.")]
        elif Assessment.objects.filter(visit=visit).exists():
            errors["visit"] = [_("This visit already has an assessment.")]
    if assessed_on > timezone.localdate():
        errors["assessed_on"] = [_("The assessment date cannot be in the future.")]
    if answer_errors := _answer_errors(indicators, answers):
        errors["answers"] = answer_errors
    if errors:
        raise ValidationError(errors)

    assessment = Assessment.objects.create(
        household=household,
        area_id=household.area_id,
        visit=visit,
        indicator_set=indicator_set,
        assessed_on=assessed_on,
        assessed_by=actor if getattr(actor, "is_authenticated", False) else None,
        scores=score(indicators, answers),
    )
    Answer.objects.bulk_create(
        Answer(assessment=assessment, indicator=i, met=answers[i.number]) for i in indicators
    )
    audit_record(
        actor=actor,
        action="assessment.record",
        target=assessment,
        area_code=household.area_id,
        details={"household": household.pk, "scores": assessment.scores},
    )
    return assessment


# --- The form part -------------------------------------------------------------------------

MET, NOT_MET, NOT_APPLICABLE = "yes", "no", "na"
ANSWER_CHOICES = [
    (MET, gettext_lazy("met")),
    (NOT_MET, gettext_lazy("not met")),
    (NOT_APPLICABLE, gettext_lazy("does not apply")),
]
ANSWER_VALUES = {MET: True, NOT_MET: False, NOT_APPLICABLE: None}


@dataclass
class FieldGroup:
    dimension: str
    label: str
    fields: list[forms.BoundField]


class AssessmentForm(forms.Form):
    """The optional assessment part of the visit form: one radio group per indicator.

    Left blank, it asks nothing (`answers()` is empty and no assessment is recorded). Once one
    indicator is answered, every indicator must be, so that scores compare over time.
    """

    prefix = "qa"

    def __init__(self, *args: Any, indicator_set: IndicatorSet | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.indicator_set = indicator_set
        self.indicators: list[Indicator] = (
            list(indicator_set.indicators.all()) if indicator_set is not None else []
        )
        for indicator in self.indicators:
            self.fields[self.field_name(indicator.number)] = forms.ChoiceField(
                label=f"{indicator.number}. {indicator_text(indicator)}",
                choices=ANSWER_CHOICES,
                widget=forms.RadioSelect,
                required=False,
            )

    @staticmethod
    def field_name(number: int) -> str:
        return f"i{number}"

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        chosen = {i.number: cleaned.get(self.field_name(i.number)) or "" for i in self.indicators}
        if not any(chosen.values()):
            return cleaned
        for number, value in chosen.items():
            if not value:
                self.add_error(
                    self.field_name(number),
                    _("Choose met, not met or does not apply."),
                )
        if all(v == NOT_APPLICABLE for v in chosen.values()):
            raise ValidationError(_("Mark at least one indicator as met or not met."))
        return cleaned

    @property
    def answered(self) -> bool:
        """Whether the assessment was begun: some indicator has an answer, submitted or
        restored from a draft."""
        if self.is_bound:
            return any(self.data.get(self.add_prefix(name)) for name in self.fields)
        return any(self.initial.get(name) for name in self.fields)

    def answers(self) -> dict[int, bool | None]:
        """Answers by indicator number once valid; empty when the part was left blank."""
        if not self.is_valid():
            raise ValueError("answers() of an invalid form")
        values = {
            i.number: self.cleaned_data.get(self.field_name(i.number)) for i in self.indicators
        }
        if not any(values.values()):
            return {}
        return {number: ANSWER_VALUES[str(value)] for number, value in values.items()}

    def groups(self) -> list[FieldGroup]:
        """The fields by dimension, in the ministry's order."""
        by_dimension: dict[str, list[forms.BoundField]] = {}
        for indicator in self.indicators:
            by_dimension.setdefault(indicator.dimension, []).append(
                self[self.field_name(indicator.number)]
            )
        return [
            FieldGroup(dim, dimension_label(dim), by_dimension[dim])
            for dim in DIMENSIONS
            if dim in by_dimension
        ]


def assessment_answers_from_post(
    post: Mapping[str, Any], indicator_set: IndicatorSet
) -> dict[int, bool | None]:
    """The answers in a submitted visit form; {} when the assessment was left blank.

    Raises ValidationError with the form's messages (by field name) when it is incomplete.
    """
    form = AssessmentForm(post, indicator_set=indicator_set)
    if not form.is_valid():
        raise ValidationError(
            {name: [str(message) for message in errors] for name, errors in form.errors.items()}
        )
    return form.answers()


# --- Reading -------------------------------------------------------------------------------


def assessments_visible(user: Any, perm: Perm = Perm.VIEW_HOUSEHOLDS) -> QuerySet[Assessment]:
    """Assessments of the households the user may see (a volunteer: those assigned to them)."""
    # person_own_q is "household_id in the user's assigned households", which fits here too.
    return access.visible_to(user, Assessment.objects.all(), perm=perm, own=person_own_q(user))


def assessment_get(*, user: Any, pk: Any) -> Assessment:
    """One assessment in scope; 404 for missing and not-yours alike."""
    queryset = Assessment.objects.select_related(
        "household__area__parent", "household__head", "indicator_set", "assessed_by", "visit"
    ).prefetch_related(
        Prefetch(
            "answers",
            queryset=Answer.objects.select_related("indicator").order_by("indicator__number"),
        )
    )
    return access.get_visible_or_404(
        user, queryset, perm=Perm.VIEW_HOUSEHOLDS, own=person_own_q(user), pk=pk
    )


def household_assessments(*, household: Household, limit: int = HISTORY_LIMIT) -> list[Assessment]:
    """The household's latest assessments, latest first (one query)."""
    return list(
        Assessment.objects.filter(household=household)
        .select_related("assessed_by")
        .order_by("-assessed_on", "-pk")[:limit]
    )


@dataclass
class AnswerRow:
    number: int
    text: str
    met: bool | None


@dataclass
class DimensionResult:
    dimension: str
    label: str
    score: int | None
    previous: int | None
    answers: list[AnswerRow]

    @property
    def failing(self) -> bool:
        return self.score is not None and self.score < FAILING_BELOW

    @property
    def change(self) -> int | None:
        if self.score is None or self.previous is None:
            return None
        return self.score - self.previous


def assessment_results(
    assessment: Assessment, previous: Assessment | None = None
) -> list[DimensionResult]:
    """Each dimension's score, the change since `previous`, and the answers behind it."""
    by_dimension: dict[str, list[AnswerRow]] = {d: [] for d in DIMENSIONS}
    for answer in assessment.answers.all():
        indicator = answer.indicator
        by_dimension.setdefault(indicator.dimension, []).append(
            AnswerRow(indicator.number, indicator_text(indicator), answer.met)
        )
    before = previous.scores if previous is not None else {}
    return [
        DimensionResult(
            dimension=dim,
            label=dimension_label(dim),
            score=assessment.scores.get(dim),
            previous=before.get(dim),
            answers=rows,
        )
        for dim, rows in by_dimension.items()
        if rows
    ]


@dataclass
class DimensionTrend:
    dimension: str
    label: str
    latest: int | None
    change: int | None  # since the assessment before the latest, when both have a score
    chart: charts.LineChart
    values: list[tuple[date, int | None]]

    @property
    def failing(self) -> bool:
        return self.latest is not None and self.latest < FAILING_BELOW


def dimension_trends(assessments: Sequence[Assessment]) -> list[DimensionTrend]:
    """One trend per dimension over the assessments given (any order), oldest to latest."""
    ordered = sorted(assessments, key=lambda a: (a.assessed_on, a.pk or 0))
    trends = []
    for dim in DIMENSIONS:
        values = [(a.assessed_on, a.scores.get(dim)) for a in ordered]
        scored = [v for _, v in values if v is not None]
        latest = values[-1][1] if values else None
        before = values[-2][1] if len(values) >= 2 else None
        change = latest - before if latest is not None and before is not None else None
        if not scored:
            continue
        trends.append(
            DimensionTrend(
                dimension=dim,
                label=dimension_label(dim),
                latest=latest,
                change=change,
                chart=charts.line_chart(values, threshold=FAILING_BELOW),
                values=values,
            )
        )
    return trends


@dataclass
class HistoryRow:
    assessment: Assessment
    scores: list[tuple[int | None, bool]]  # per dimension in DIMENSIONS order: score, failing


def history_rows(assessments: Sequence[Assessment]) -> list[HistoryRow]:
    """A table of the assessments given, one column per dimension."""
    rows = []
    for assessment in assessments:
        scores = [assessment.scores.get(dim) for dim in DIMENSIONS]
        rows.append(
            HistoryRow(assessment, [(v, v is not None and v < FAILING_BELOW) for v in scores])
        )
    return rows
