"""Writes about data subject requests: recording one, deciding it, and opening a copy.

Who may do what (accounts.access holds the role table):

* Record (pass on) a request: whoever may change the person's record, MANAGE_HOUSEHOLDS in
  scope: a volunteer for the households assigned to them, a coordinator, a provincial
  officer. The person usually asks the volunteer they know.
* Decide it, and open the copy that answers an access request: DECIDE_CASES, the provincial
  officers' and national admins' permission to decide on people's affairs, the same that lets
  them go on with a person's data after a withdrawal (households.services
  .may_override_withdrawal).

Every step writes an audit row whose target is the person, so that the person's history in
the audit log shows it, with the request's number and kind in its details.

Records are never deleted or anonymised here: the registry keeps people's records to carry out
the Ministry's duty under the social welfare law, so an erasure request is refused with that
legal reason, or answered in part by restricting the record. An accepted objection restricts
it too (`restricts`), in the same transaction as the decision, as a withdrawal of consent
does: the record is kept but no longer visited, changed or exported.
"""

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from carenet.accounts import access
from carenet.accounts.access import Perm
from carenet.core.services import audit_record
from carenet.core.text import visible
from carenet.households import services as household_services
from carenet.households.cleaning import Errors
from carenet.households.models import Person, PersonStatus
from carenet.households.selectors import people_visible
from carenet.privacy.models import Outcome, RequestKind, SubjectRequest, due_date
from carenet.privacy.selectors import PersonCopy

# The day the data subject's rights of the PDPA came into force.
PDPA_IN_FORCE = date(2022, 6, 1)


def may_decide(user: Any, person: Person) -> bool:
    return access.can(user, Perm.DECIDE_CASES, person.area_id)


def may_record(user: Any, person: Person) -> bool:
    return people_visible(user, Perm.MANAGE_HOUSEHOLDS).filter(pk=person.pk).exists()


@transaction.atomic
def request_record(
    *, actor: Any, person: Person, kind: str, received_on: date | None, details: str = ""
) -> SubjectRequest:
    if not may_record(actor, person):
        raise PermissionDenied(_("This record is outside what you may change."))
    if person.status == PersonStatus.MERGED:
        raise ValidationError(_("This record was merged into another one."))
    errors = Errors()
    if kind not in RequestKind.values:
        errors.add("kind", _("Choose what the person asked for."), code="required")
    if received_on is None:
        errors.add("received_on", _("Enter the date."), code="required")
    elif received_on > timezone.localdate():
        errors.add("received_on", _("The date cannot be in the future."), code="date_future")
    elif received_on < PDPA_IN_FORCE:
        errors.add(
            "received_on",
            _("The PDPA's rights began on 1 June 2565 BE (2022): check the year."),
            code="date_past",
        )
    errors.raise_any()
    assert received_on is not None
    request = SubjectRequest.objects.create(
        person=person,
        area_id=person.area_id,
        kind=kind,
        received_on=received_on,
        due_on=due_date(received_on),
        details=visible(details),
        recorded_by=actor,
    )
    _audit(actor, request, "pdpa.request_record", due_on=request.due_on.isoformat())
    return request


@transaction.atomic
def request_decide(
    *, actor: Any, request: SubjectRequest, outcome: str, decided_on: date | None, reason: str
) -> SubjectRequest:
    request = SubjectRequest.objects.select_for_update().select_related("person").get(pk=request.pk)
    if not may_decide(actor, request.person):
        raise PermissionDenied(_("Only a provincial officer decides a data subject request."))
    if not request.is_open:
        raise ValidationError(_("This request was already decided."))
    errors = Errors()
    if outcome not in Outcome.values:
        errors.add("outcome", _("Choose the outcome."), code="required")
    if decided_on is None:
        errors.add("decided_on", _("Enter the date."), code="required")
    elif decided_on > timezone.localdate():
        errors.add("decided_on", _("The date cannot be in the future."), code="date_future")
    elif decided_on < request.received_on:
        errors.add(
            "decided_on",
            _("The decision cannot come before the request was received."),
            code="date_order",
        )
    if outcome in (Outcome.REFUSED, Outcome.PARTLY) and not visible(reason):
        errors.add(
            "reason",
            _("Write the legal reason for refusing, and what was not done."),
            code="required",
        )
    elif outcome == Outcome.WITHDRAWN and not visible(reason):
        errors.add(
            "reason",
            _("Write who withdrew the request and when, or what was recorded by mistake."),
            code="required",
        )
    if request.kind == RequestKind.ERASURE and outcome == Outcome.DONE:
        errors.add(
            "outcome",
            _(
                "Carenet does not delete people's records. Choose “partly done” to restrict "
                "the record (it is kept, but no longer visited, changed or exported), or refuse "
                "with the legal reason."
            ),
            code="erasure_done",
        )
    errors.raise_any()
    assert decided_on is not None
    request.outcome, request.reason = outcome, visible(reason)
    request.decided_on, request.decided_by = decided_on, actor
    request.save(update_fields=["outcome", "reason", "decided_on", "decided_by"])
    _audit(actor, request, "pdpa.request_decide", outcome=outcome, reason=request.reason)
    if restricts(request.kind, outcome):
        why = _("Data subject request no. %(number)s: %(kind)s, %(outcome)s") % {
            "number": request.pk,
            "kind": request.get_kind_display(),
            "outcome": request.get_outcome_display(),
        }
        household_services.person_restrict(
            actor=actor, person=request.person, on=decided_on, reason=why
        )
    return request


def restricts(kind: str, outcome: str) -> bool:
    """An objection accepted, or an erasure answered by restricting the record (Carenet never
    deletes one): the record is restricted as a withdrawal of consent restricts it."""
    return (kind, outcome) in {
        (RequestKind.OBJECTION, Outcome.DONE),
        (RequestKind.ERASURE, Outcome.PARTLY),
    }


def copy_log_view(*, actor: Any, person: Person) -> None:
    """The copy shows everything held about the person: opening it is logged like a record."""
    audit_record(actor=actor, action="pdpa.copy_view", target=person, area_code=person.area_id)


def copy_log_sensitive(*, actor: Any, copy: PersonCopy) -> None:
    """A sensitive visit's notes read in the copy are logged as on the visit's own page."""
    for line in copy.visits:
        if line.sensitive and line.notes:
            audit_record(
                actor=actor,
                action="visit.view_sensitive",
                target=line.visit,
                area_code=line.visit.area_id,
            )


def _audit(actor: Any, request: SubjectRequest, action: str, **details: Any) -> None:
    audit_record(
        actor=actor,
        action=action,
        target=request.person,
        area_code=request.person.area_id,
        details={"request": request.pk, "kind": request.kind, **details},
    )
