"""PDPA data subject requests: what a person asked of the registry about their own data, and how the
office answered.

A request belongs to one person and keeps the area they lived in when it came; it is scoped by where
the person lives now, so that one who moves takes an open request with them. It is received on a day
and due 30 days later (PDPA s.30 para 3, the time limit the office applies to every kind); it stays
open until someone who may decide records its outcome (done, partly done, or refused with the legal
reason). Nothing here is deleted: a decision is recorded once and kept, as the audit log keeps every
step.
"""

from datetime import date, timedelta

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from carenet.areas.models import Area
from carenet.households.models import Person

DUE_DAYS = 30


class RequestKind(models.TextChoices):
    ACCESS = "access", _("access: a copy of the data")
    CORRECTION = "correction", _("correction")
    ERASURE = "erasure", _("erasure")
    OBJECTION = "objection", _("objection or restriction")


class Outcome(models.TextChoices):
    DONE = "done", _("done")
    PARTLY = "partly", _("partly done")
    REFUSED = "refused", _("refused")
    # Withdrawn by the person, or recorded by mistake: kept, with who withdrew it or what was
    # mistaken, and not counted as refused.
    WITHDRAWN = "withdrawn", _("withdrawn or recorded by mistake")


class SubjectRequest(models.Model):
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="subject_requests")
    # The person's area when the request came (scoping reads the person's, see the docstring).
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", db_index=False)
    kind = models.CharField(_("request"), max_length=12, choices=RequestKind.choices)
    received_on = models.DateField(_("received on"))
    due_on = models.DateField(_("due on"), editable=False)
    details = models.TextField(_("what the person asked"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices, blank=True)
    reason = models.TextField(_("what was done, or the legal reason"), blank=True)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["received_on", "id"]
        indexes = [models.Index(fields=["area", "outcome"], name="subject_request_area_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.received_on}"

    @property
    def is_open(self) -> bool:
        return not self.outcome

    def is_late(self, today: date) -> bool:
        return self.is_open and today > self.due_on


def due_date(received_on: date) -> date:
    return received_on + timedelta(days=DUE_DAYS)
