"""What one line of the audit log says beyond its action: what an export held (format, rows,
area), the file an import read, the seat a committee change was about, the login a change of
access or a sign-in was for, the person and basis a consent was about.

The names a page of events needs (areas, logins, committee seats, volunteers) are read for the
whole page at once (`names_for`), one query per kind of record named, however long the page.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Model
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from carenet.accounts.models import Role, User
from carenet.areas.models import Area
from carenet.core import thaidate
from carenet.core.models import AuditEvent
from carenet.households.models import (
    Consent,
    ConsentBasis,
    Household,
    HouseholdStatus,
    Person,
    PersonStatus,
)
from carenet.privacy.models import Outcome, RequestKind
from carenet.spreadsheets.forms import ExportForm
from carenet.spreadsheets.models import ImportKind
from carenet.volunteers.models import CommitteeMembership, Position, Volunteer, VolunteerStatus

PERSON = "households.person"
SEAT = "volunteers.committeemembership"
USER = "accounts.user"
CONSENT = "households.consent"


@dataclass
class Names:
    """The records a page of events names, by key."""

    areas: dict[str, Area] = field(default_factory=dict)
    users: dict[int, User] = field(default_factory=dict)
    seats: dict[int, CommitteeMembership] = field(default_factory=dict)
    volunteers: dict[int, Volunteer] = field(default_factory=dict)
    consents: dict[int, Consent] = field(default_factory=dict)
    people: dict[int, Person] = field(default_factory=dict)


def names_for(events: Iterable[AuditEvent]) -> Names:
    """The names these events need, in at most five queries."""
    codes: set[str] = set()
    users: set[int] = set()
    consents: set[int] = set()
    seats: set[int] = set()
    volunteers: set[int] = set()
    people: set[int] = set()
    for event in events:
        details = event.details or {}
        codes |= {event.area_code, *_codes(details)}
        if (subject := _person_of(event)) is not None:
            people.add(subject)
        if event.target_type == USER and event.target_id.isdigit():
            users.add(int(event.target_id))
        if event.target_type == SEAT and event.target_id.isdigit():
            seats.add(int(event.target_id))
        if event.target_type == CONSENT and event.target_id.isdigit():
            consents.add(int(event.target_id))
        if event.action.startswith("committee.") and isinstance(details.get("volunteer"), int):
            volunteers.add(details["volunteer"])
    names = Names()
    if codes - {""}:
        found = Area.objects.filter(code__in=codes - {""})
        names.areas = {area.code: area for area in found}
    if users:
        names.users = User.objects.only("username", "first_name", "last_name").in_bulk(users)
    if seats:
        found_seats = CommitteeMembership.objects.select_related("centre", "volunteer")
        names.seats = found_seats.in_bulk(seats)
        volunteers -= {seat.volunteer_id for seat in names.seats.values()}
        names.volunteers = {seat.volunteer_id: seat.volunteer for seat in names.seats.values()}
    if volunteers:
        fields = ("title", "first_name", "last_name")
        names.volunteers |= Volunteer.objects.only(*fields).in_bulk(volunteers)
    if consents:
        names.consents = Consent.objects.select_related("person").in_bulk(consents)
    if people:
        names.people = Person.objects.only("title", "first_name", "last_name").in_bulk(people)
    return names


def _person_of(event: AuditEvent) -> int | None:
    """The person a read or a change was about: the row's own record, or the person its
    details name (a request for help opened). The auditor reads whose record it was without
    opening it, which would log a reading of their own."""
    if event.target_type == PERSON and event.target_id.isdigit():
        return int(event.target_id)
    subject = (event.details or {}).get("person")
    return subject if isinstance(subject, int) else None


def _codes(details: dict[str, Any]) -> set[str]:
    """The area codes an event's details name (an export's area and scope, an import's
    areas)."""
    found = {details.get("area")}
    for key in ("scope", "areas"):
        if isinstance(details.get(key), list):
            found |= set(details[key])
    return {code for code in found if isinstance(code, str)}


# --- What a line says ------------------------------------------------------------------------

# Exports of a page's list, whose details say the format, rows, area and filters.
FILE_EXPORTS = ("audit.export", "case.export")


def who(event: AuditEvent, *, username: bool = True) -> str:
    """Who did it: the user (and their username), a command run at the server and the
    operating-system account that ran it (both, for a command run --as a user), or "the
    system" for what nobody ran (a row logged before commands were named)."""
    actor = event.actor
    named = "" if actor is None else actor.display_name
    parts = [
        f"{named} ({actor.username})" if actor is not None and username else named,
        _("server command (%(account)s)") % {"account": event.run_by} if event.run_by else "",
    ]
    return " · ".join(part for part in parts if part) or _("the system")


def said(event: AuditEvent, names: Names | None = None) -> str:
    """The details worth a line, as one text."""
    names = names or Names()
    group = event.action.split(".")[0]
    if event.action.startswith("spreadsheets.export_") or event.action in FILE_EXPORTS:
        parts = _export(event, names)
    elif event.action.startswith(("spreadsheets.import_", "areas.import_")):
        parts = _import(event, names)
    elif group == "committee":
        parts = _seat(event, names)
    elif group in ("user", "assignment"):
        parts = _login(event, names)
    elif group == "consent":
        parts = _consent(event, names)
    elif event.action == "household.priority_list":
        parts = _printed_list(event, names)
    else:
        parts = _record(event)
    subject = _person_of(event)
    person = names.people.get(subject) if subject is not None else None
    if person is not None and person.full_name not in parts:  # a consent's line names them
        parts.insert(0, person.full_name)
    return " · ".join(part for part in parts if part)


def _export(event: AuditEvent, names: Names) -> list[str]:
    details = event.details or {}
    parts = [str(details.get("format", "")).upper(), _rows(details.get("rows"))]
    status = details.get("status")
    if status:
        statuses = dict(ExportForm.base_fields["status"].choices)  # type: ignore[attr-defined]
        parts.append(_("volunteers: %(status)s") % {"status": statuses.get(status, status)})
    place = where(event, names)
    if "area" in details and not details["area"]:
        place = _("%(areas)s (all their areas)") % {"areas": place}
    parts.append(place)
    if details.get("rows_in_all") is not None:
        parts.append(
            _("one export of %(rows)s over %(areas)s")
            % {
                "rows": _rows(details["rows_in_all"]),
                "areas": _area_names(details.get("areas") or [], names),
            }
        )
    if details.get("filters"):
        parts.append(_("filters: %(filters)s") % {"filters": details["filters"]})
    return parts


def _import(event: AuditEvent, names: Names) -> list[str]:
    details = event.details or {}
    kinds = dict(ImportKind.choices)
    parts = [
        str(kinds.get(str(details.get("kind")), "")) if details.get("kind") else "",
        _("check only, nothing saved") if details.get("dry_run") else "",
        str(details.get("file") or ""),
        _rows(details.get("rows")),
    ]
    if details.get("errors"):
        count = details["errors"]
        parts.append(
            ngettext("%(count)s error", "%(count)s errors", count) % {"count": intcomma(count)}
        )
    parts.append(where(event, names))
    if len(details.get("areas") or []) > 1:
        parts.append(_("one file over %(areas)s") % {"areas": _area_names(details["areas"], names)})
    return parts


def _seat(event: AuditEvent, names: Names) -> list[str]:
    details = event.details or {}
    seat = names.seats.get(int(event.target_id)) if event.target_id.isdigit() else None
    position = seat.position if seat is not None else details.get("position", "")
    volunteer = seat.volunteer if seat is not None else None
    if volunteer is None and isinstance(details.get("volunteer"), int):
        volunteer = names.volunteers.get(details["volunteer"])
    parts = [
        str(dict(Position.choices).get(position, position)),
        volunteer.full_name if volunteer is not None else "",
        seat.centre.name if seat is not None else where(event, names),
    ]
    if details.get("term_end"):
        day = date.fromisoformat(details["term_end"])
        parts.append(_("term ends %(date)s") % {"date": thaidate.format_short(day)})
    return parts


def _login(event: AuditEvent, names: Names) -> list[str]:
    details = event.details or {}
    user = names.users.get(int(event.target_id)) if event.target_id.isdigit() else None
    username = user.username if user is not None else details.get("username", "")
    parts = [_("account %(username)s") % {"username": username} if username else ""]
    if user is not None and user.get_full_name():
        parts.append(user.get_full_name())
    if details.get("role"):
        parts.append(str(dict(Role.choices).get(details["role"], details["role"])))
        parts.append(_area_names([details.get("area") or ""], names))
    if event.action == "user.sign_in_failed" and user is None:
        parts.append(_("no such login"))
    if details.get("why") in _REFUSED_BECAUSE:
        parts.append(str(_REFUSED_BECAUSE[details["why"]]))
    if details.get("idle"):
        parts.append(_("the computer was left unused"))
    return parts


# Why a sign-in was refused, for a login that exists (accounts.services.sign_in_failed_log).
_REFUSED_BECAUSE = {
    "password": gettext_lazy("wrong password"),
    "switched_off": gettext_lazy("the account is switched off (the password was right)"),
    "password_switched_off": gettext_lazy("wrong password, on an account switched off"),
}


def _consent(event: AuditEvent, names: Names) -> list[str]:
    """The person, the basis, for a withdrawal its date and the reason given, and for a
    consent after a withdrawal the note of how it was given again or the justification."""
    consent = names.consents.get(int(event.target_id)) if event.target_id.isdigit() else None
    basis = consent.basis if consent is not None else (event.details or {}).get("basis", "")
    parts = [
        consent.person.full_name if consent is not None else "",
        str(dict(ConsentBasis.choices).get(basis, basis)),
    ]
    if event.action == "consent.withdraw" and consent is not None and consent.withdrawn_on:
        parts.append(thaidate.format_short(consent.withdrawn_on))
        parts.append(consent.withdrawal_reason)
    details = event.details or {}
    if details.get("justification"):
        parts.append(
            _("why, despite the withdrawal: %(text)s") % {"text": details["justification"]}
        )
    if details.get("note"):
        parts.append(_("given again: %(text)s") % {"text": details["note"]})
    return parts


# The records whose status changes and edited fields an event names, by its action's group.
_RECORDS: dict[str, tuple[type[Model], Any]] = {
    "household": (Household, HouseholdStatus),
    "person": (Person, PersonStatus),
    "volunteer": (Volunteer, VolunteerStatus),
}


def _record(event: AuditEvent) -> list[str]:
    """A status from and to, the fields changed, the reason, the file of an import."""
    details = event.details or {}
    model, statuses = _RECORDS.get(event.action.split(".")[0], (None, None))
    parts = []
    if event.action.endswith(".status") and statuses is not None:
        statuses_named = dict(statuses.choices)
        before, after = details.get("from"), details.get("to")
        parts.append(f"{statuses_named.get(before, before)} → {statuses_named.get(after, after)}")
        if details.get("effective"):
            day = date.fromisoformat(details["effective"])
            parts.append(_("in force from %(date)s") % {"date": thaidate.format_short(day)})
    if details.get("fields") and model is not None:
        parts.append(", ".join(_field_name(model, f) for f in details["fields"]))
    if event.action.startswith("pdpa.request_"):  # what was asked, and how it was decided
        parts += _subject_request(details)
    if details.get("reason"):
        parts.append(str(details["reason"]))
    if details.get("file") and event.action.endswith(".import"):
        parts.append(str(details["file"]))
    if details.get("number_was"):  # a draft renumbered into the fiscal year it was sent
        parts.append(_("numbered %(number)s as a draft") % {"number": details["number_was"]})
    return parts


def _subject_request(details: dict[str, Any]) -> list[str]:
    kinds, outcomes = dict(RequestKind.choices), dict(Outcome.choices)
    kind, outcome = details.get("kind"), details.get("outcome")
    return [
        str(kinds.get(kind, "")) if kind else "",
        str(outcomes.get(outcome, "")) if outcome else "",
    ]


def _printed_list(event: AuditEvent, names: Names) -> list[str]:
    """A priority list holds people's health flags and phones, as an export does: how many
    households it showed, of how many, of which area."""
    details = event.details or {}
    shown, matching = details.get("households"), details.get("matching")
    if not isinstance(shown, int):
        return []
    held = ngettext("%(count)s household", "%(count)s households", shown) % {
        "count": intcomma(shown)
    }
    if isinstance(matching, int) and matching > shown:
        held = _("%(shown)s of %(matching)s") % {"shown": held, "matching": intcomma(matching)}
    area = details.get("area")
    return [held, _area_names([area], names) if isinstance(area, str) and area else ""]


def _rows(count: Any) -> str:
    if not isinstance(count, int):
        return ""
    return ngettext("%(count)s row", "%(count)s rows", count) % {"count": intcomma(count)}


def where(event: AuditEvent, names: Names) -> str:
    """The area the event happened in; for one logged before events named their area, the
    scope its details name."""
    if event.area_code:
        return _area_names([event.area_code], names)
    scope = (event.details or {}).get("scope")
    if isinstance(scope, list) and scope and all(scope):
        return _area_names(scope, names)
    return _("the whole country")


def _area_names(codes: list[str], names: Names) -> str:
    return ", ".join(
        str(names.areas.get(code, code)) if code else _("the whole country") for code in codes
    )


# Edited values a service names that are no model field of their own.
_OTHER_FIELDS = {"citizen_id": gettext_lazy("Citizen ID")}


def _field_name(model: type[Model], name: str) -> str:
    if name in _OTHER_FIELDS:
        return str(_OTHER_FIELDS[name])
    try:
        found = model._meta.get_field(name)
    except FieldDoesNotExist:
        return name
    return str(getattr(found, "verbose_name", name))


# --- Where a line links ----------------------------------------------------------------------

# The page of each kind of record an event names.
_PAGES = {
    "households.household": "households:detail",
    "households.person": "households:person",
    "volunteers.volunteer": "volunteers:detail",
    "volunteers.centre": "reports:centre",
    "cases.case": "cases:detail",
    "visits.visit": "visits:detail",
    "training.trainingevent": "training:event",
}


def page_of(event: AuditEvent, names: Names | None = None) -> tuple[str, str]:
    """The record's page and the link's words, or ("", "")."""
    if event.target_type == CONSENT and names is not None and event.target_id.isdigit():
        consent = names.consents.get(int(event.target_id))
        if consent is not None:
            return reverse("households:person", args=[consent.person_id]), _("the person")
    if event.target_type == SEAT and names is not None and event.target_id.isdigit():
        seat = names.seats.get(int(event.target_id))
        if seat is not None:
            return reverse("reports:centre", args=[seat.centre_id]), _("the centre")
    name = _PAGES.get(event.target_type)
    if name is None or not event.target_id.isdigit():
        return "", ""
    return reverse(name, args=[int(event.target_id)]), _("the record")
