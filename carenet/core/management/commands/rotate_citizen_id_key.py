"""Re-seals every stored citizen ID with a new key, for a key that leaked (README.md, Keys).

The new key comes from the environment (CARENET_NEW_CITIZEN_ID_KEY), not from the command
line, which other users of the machine can read. Every ID is read with the current key and
written again, sealed and hashed with the new one, in one transaction: a failure leaves the
database as it was. Stop the web process first; it reads the IDs with the old key until it is
restarted with the new one.
"""

import os
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils.translation import gettext as _

from carenet.core import citizen_id
from carenet.core.models import HasCitizenID
from carenet.core.services import audit_record

NEW_KEY = "CARENET_NEW_CITIZEN_ID_KEY"


class Command(BaseCommand):
    help = (
        "Re-seals every stored citizen ID with the key in CARENET_NEW_CITIZEN_ID_KEY, reading "
        "it with CARENET_CITIZEN_ID_KEY; then put the new key in .env and restart."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", type=int, default=500, help="rows written at a time")

    def handle(self, *args: Any, **options: Any) -> None:
        new_key = os.environ.get(NEW_KEY, "").strip()
        if not new_key:
            raise CommandError(
                _("Set %(name)s to the new key (base64 of 32 random bytes).") % {"name": NEW_KEY}
            )
        try:
            new = citizen_id.derive_keys(new_key, NEW_KEY)
        except ImproperlyConfigured as error:
            raise CommandError(str(error)) from error
        if new_key == settings.CITIZEN_ID_KEY:
            raise CommandError(
                _("%(name)s is the key in use: nothing to change.") % {"name": NEW_KEY}
            )
        counts: dict[str, int] = {}
        with transaction.atomic():
            for model in _models_with_ids():
                counts[model._meta.label_lower] = _reseal(model, new, options["batch"])
            audit_record(actor=None, action="person.keys_changed", details={"rows": counts})
        for label, n in counts.items():
            self.stdout.write(
                _("%(table)s: %(count)s citizen IDs sealed with the new key")
                % {"table": label, "count": f"{n:,}"}
            )
        self.stdout.write(
            _("Now set CARENET_CITIZEN_ID_KEY to the new key in .env and restart Carenet.")
        )


def _models_with_ids() -> list[Any]:
    return [m for m in apps.get_models() if issubclass(m, HasCitizenID) and not m._meta.proxy]


def _reseal(model: Any, new: citizen_id.Keys, batch: int) -> int:
    rows = model._default_manager.exclude(citizen_id_encrypted="").only(
        "pk", "citizen_id_encrypted", "citizen_id_hash"
    )
    done = 0
    pending = []
    for row in rows.order_by("pk").iterator(chunk_size=batch):
        digits = citizen_id.decrypt(row.citizen_id_encrypted)
        row.citizen_id_encrypted = citizen_id.encrypt(digits, new)
        row.citizen_id_hash = citizen_id.lookup_hash(digits, new)
        pending.append(row)
        if len(pending) >= batch:
            done += _write(model, pending)
    return done + _write(model, pending)


def _write(model: Any, rows: list[Any]) -> int:
    model._default_manager.bulk_update(rows, ["citizen_id_encrypted", "citizen_id_hash"])
    n = len(rows)
    rows.clear()
    return n
