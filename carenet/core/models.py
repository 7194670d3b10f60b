"""Shared models: the audit log, and the fields every record with a citizen ID carries."""

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from carenet.core import citizen_id

# The details key naming the operating-system account that ran a command at the server.
OS_ACCOUNT = "os_account"


class AuditEvent(models.Model):
    """Who did what, to which record, and when. Written by services in the same transaction."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("who"),
    )
    action = models.CharField(_("action"), max_length=64)
    target_type = models.CharField(_("record type"), max_length=64, blank=True)
    target_id = models.CharField(_("record"), max_length=64, blank=True)
    # The area of the record, so that audit views scope like everything else.
    area_code = models.CharField(_("area"), max_length=8, blank=True, db_index=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id"], name="audit_target_idx")]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.target_type}:{self.target_id}"

    @property
    def run_by(self) -> str:
        """The operating-system account that ran the command at the server which wrote this
        row ("" for a page's row, or one logged before commands were named)."""
        return str((self.details or {}).get(OS_ACCOUNT) or "")


class HasCitizenID(models.Model):
    """A citizen ID kept encrypted, with a keyed hash to find it. See carenet.core.citizen_id."""

    citizen_id_encrypted = models.TextField(blank=True, editable=False)
    citizen_id_hash = models.CharField(max_length=64, blank=True, editable=False, db_index=True)

    class Meta:
        abstract = True

    def set_citizen_id(self, digits: str) -> None:
        """Stores an already-normalized ID (see citizen_id.normalize), or clears it."""
        if digits:
            self.citizen_id_encrypted = citizen_id.encrypt(digits)
            self.citizen_id_hash = citizen_id.lookup_hash(digits)
        else:
            self.citizen_id_encrypted = ""
            self.citizen_id_hash = ""

    def read_citizen_id(self) -> str:
        return citizen_id.decrypt(self.citizen_id_encrypted) if self.citizen_id_encrypted else ""


class BilingualName:
    """Reference data named in both languages (`name_th`, `name_en`): `name` is the one in the
    page's language (models return it from __str__). Text stored from it keeps `name_th`."""

    name_th: str
    name_en: str

    @property
    def name(self) -> str:
        english = (get_language() or "th").startswith("en")
        return self.name_en if english and self.name_en else self.name_th
