"""Writes shared by every app: the audit trail and versioned saves."""

from typing import Any

from django.db import models
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from carenet.core.models import AuditEvent


def audit_record(
    *,
    actor: Any,
    action: str,
    target: models.Model | None = None,
    area_code: str = "",
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Adds one row to the audit log. Call it inside the service's own transaction."""
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        area_code=area_code,
        details=details or {},
    )


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
