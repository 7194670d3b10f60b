"""Writes shared by every app: the audit trail and versioned saves."""

from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.db import models
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from carenet.core.models import OS_ACCOUNT, AuditEvent
from carenet.core.terminal import run_by


def audit_record(
    *,
    actor: Any,
    action: str,
    target: models.Model | None = None,
    area_code: str = "",
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Adds one row to the audit log. Call it inside the service's own transaction. A row
    written by a command at the server names the account that ran it (core.terminal)."""
    details = details or {}
    if account := run_by():
        details = {**details, OS_ACCOUNT: account}
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        area_code=area_code,
        details=details,
    )


# Opening the same record again within this long is one reading, logged once: each button on
# its page reloads it.
READ_LOGGED_FOR = timedelta(minutes=10)


def audit_read(
    *, actor: Any, action: str, target: models.Model, area_code: str, **details: Any
) -> None:
    """Logs that the actor read a record, once in READ_LOGGED_FOR for the same record."""
    logged = AuditEvent.objects.filter(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        created_at__gte=timezone.now() - READ_LOGGED_FOR,
    )
    if not logged.exists():
        audit_record(
            actor=actor, action=action, target=target, area_code=area_code, details=details
        )


# The lengths of area codes, widest first: province, district, subdistrict, village.
_AREA_LENGTHS = (2, 4, 6, 8)


def audit_areas(codes: Iterable[str | None]) -> list[str]:
    """Where an event touching records of these areas is logged: their narrowest common area
    when they lie in one province, else each of their provinces (one row each, so that every
    province reads it in its log). [""] (the country) when no area is known."""
    known = {code for code in codes if code}
    provinces = sorted({code[:2] for code in known})
    if len(provinces) != 1:
        return provinces or [""]
    first, last = min(known), max(known)  # what these two share, all the codes share
    return [next(first[:n] for n in reversed(_AREA_LENGTHS) if last.startswith(first[:n]))]


def audit_record_each(
    *, areas: list[str], actor: Any, action: str, details: dict[str, Any], **kwargs: Any
) -> list[AuditEvent]:
    """One audit row per area of `areas` (see audit_areas); with several, each row names them
    all, so that a reader knows it is one event seen from each."""
    shared = {"areas": areas} if len(areas) > 1 else {}
    return [
        audit_record(
            actor=actor, action=action, area_code=code, details={**details, **shared}, **kwargs
        )
        for code in areas
    ]


class ConflictError(Exception):
    """Someone else saved the record after this edit began; the edit was not applied."""


def save_versioned(instance: Any, expected_version: int, fields: list[str]) -> None:
    """Saves `fields` only if the stored version is still `expected_version`, then bumps it.

    Records that several people edit carry a version. A stale edit raises ConflictError
    instead of silently overwriting the other person's change.
    """
    model = type(instance)
    values = {name: getattr(instance, name) for name in fields}
    if "updated_at" in {f.name for f in model._meta.get_fields()}:
        values["updated_at"] = timezone.now()
    updated = model.objects.filter(pk=instance.pk, version=expected_version).update(
        version=F("version") + 1, **values
    )
    if updated != 1:
        raise ConflictError(
            _(
                "This record was changed while you were editing (by someone else, or in another "
                "tab). Reload it and try again."
            )
        )
    instance.version = expected_version + 1
