"""Things in a household's records that are worth a second look, shown on its page.

None of them stops a save or an import: government lists carry such rows (a house register
lists people who live elsewhere; a title is not updated on the fifteenth birthday), and
refusing them would keep whole files out. The household page lists them instead, for whoever
knows the family to put right; the person forms ask about them before saving (the user
confirms), so that a slip is caught while the family is still at hand.
"""

from collections.abc import Sequence
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

ADULT_TITLES = {"นาย", "นาง", "นางสาว"}
CHILD_TITLES = {"เด็กชาย", "เด็กหญิง"}
ADULT_TITLE_FROM = 15  # the Name Act: เด็กชาย and เด็กหญิง below fifteen
ELDERLY_ALLOWANCE_FROM = 60
NEWBORN_GRANT_UNDER = 6
# A child can head a household (orphans, a grandchild caring alone), but rarely this young.
HEAD_FROM = 15


def to_check(members: Sequence[Any], *, headless: bool = False) -> list[str]:
    """What to check, one sentence each, for the active members (households.selectors
    MemberRow: a person and their age); `headless` when the household has no head (its
    head moved, died or was merged into another record)."""
    notes: list[str] = []
    if headless and members:
        notes.append(
            _(
                "No member is the head of the household: edit the member who heads it now and "
                "set their relation to head of household, then check the others' relations."
            )
        )
    for row in members:
        person = row.person
        notes.extend(member_notes(person, row.age, others=len(members) - 1, name=person.full_name))
    return notes


def member_notes(person: Any, age: int | None, *, others: int, name: str) -> list[str]:
    """What to check in one member's record (a Person, or the PersonData of a form before it
    is saved) called `name`, with `others` active members besides them."""
    notes: list[str] = []
    if person.lives_alone and others:
        notes.append(
            ngettext(
                "%(name)s is recorded as living alone, but %(n)d other is registered here.",
                "%(name)s is recorded as living alone, but %(n)d others are registered here.",
                others,
            )
            % {"name": name, "n": others}
        )
    if age is not None:
        notes.extend(_age_notes(person, name, age))
    if person.disability_allowance and not person.disability:
        notes.append(
            _("%(name)s receives the disability allowance, but no disability is recorded.")
            % {"name": name}
        )
    return notes


def _age_notes(person: Any, name: str, age: int) -> list[str]:
    return [note for _field, note in age_notes(person, name, age)]


def age_notes(person: Any, name: str, age: int) -> list[tuple[str, str]]:
    """What a member's age makes unlikely in their record, each with the field it is about
    ("title", "elderly_allowance", "newborn_grant" or "relation"). An import warns of them."""
    notes = []
    values = {"name": name, "age": age, "title": person.title}
    if person.title in ADULT_TITLES and age < ADULT_TITLE_FROM:
        notes.append(
            ("title", _("%(name)s is %(age)d: below 15 the title is เด็กชาย or เด็กหญิง.") % values)
        )
    if person.title in CHILD_TITLES and age >= ADULT_TITLE_FROM:
        notes.append(
            (
                "title",
                _("%(name)s is %(age)d: from 15 the title is นาย, นาง or นางสาว, not %(title)s.")
                % values,
            )
        )
    if person.elderly_allowance and age < ELDERLY_ALLOWANCE_FROM:
        notes.append(
            (
                "elderly_allowance",
                _("%(name)s receives the elderly allowance, but is %(age)d.") % values,
            )
        )
    if person.newborn_grant and age >= NEWBORN_GRANT_UNDER:
        notes.append(
            ("newborn_grant", _("%(name)s receives the newborn grant, but is %(age)d.") % values)
        )
    if person.relation == "head" and age < HEAD_FROM:
        notes.append(
            (
                "relation",
                _("%(name)s is %(age)d and recorded as the head of household: check who heads it.")
                % values,
            )
        )
    return notes
