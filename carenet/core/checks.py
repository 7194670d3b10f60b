"""The citizen-ID key must read the IDs already stored.

A wrong CARENET_CITIZEN_ID_KEY (a typo in .env, a lost .env, a backup restored without its
key) starts a site whose pages of people fail and whose imports, finding nobody by ID,
register everyone a second time. One stored ID, read at start, tells.
"""

from typing import Any

from django.apps import apps
from django.core.checks import Error, register
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError

from carenet.core import citizen_id
from carenet.core.models import HasCitizenID

WRONG_KEY = (
    "CARENET_CITIZEN_ID_KEY does not read the citizen IDs stored in this database: it is not "
    "the key they were saved with. Set the key this database was made with (kept with its "
    "backups); with another key, people's pages fail and imports register everyone again."
)


def _a_stored_citizen_id() -> str:
    for model in apps.get_models():
        if issubclass(model, HasCitizenID):
            try:
                found = (
                    model._default_manager.exclude(citizen_id_encrypted="")
                    .values_list("citizen_id_encrypted", flat=True)
                    .first()
                )
            except DatabaseError:
                return ""  # not migrated yet: nothing stored
            if found:
                return str(found)
    return ""


def key_reads_the_data() -> bool:
    token = _a_stored_citizen_id()
    if not token:
        return True
    try:
        citizen_id.decrypt(token)
    except ImproperlyConfigured:
        raise
    except Exception:  # InvalidTag, or a token no key of this shape reads
        return False
    return True


@register()
def citizen_id_key(app_configs: Any, **kwargs: Any) -> list[Error]:
    """Run before management commands (an import with a wrong key would register everyone
    again); the web process refuses to start through refuse_a_wrong_citizen_id_key."""
    if key_reads_the_data():
        return []
    return [Error(WRONG_KEY, id="carenet.E001")]


def refuse_a_wrong_citizen_id_key() -> None:
    if not key_reads_the_data():
        raise ImproperlyConfigured(WRONG_KEY)
