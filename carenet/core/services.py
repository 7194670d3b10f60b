"""Writes shared by every app: the audit trail."""

from typing import Any

from django.db import models

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
