"""The citizen-ID key must read the IDs already stored.

A wrong CARENET_CITIZEN_ID_KEY (a typo in .env, a lost .env, a backup restored without its
key) starts a site whose pages of people fail and whose imports, finding nobody by ID,
register everyone a second time. One stored ID, read at start, tells; when the database
is not up yet, the first connection tells.
"""

import logging
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register
from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection
from django.db.backends.signals import connection_created

from carenet.core import citizen_id
from carenet.core.models import HasCitizenID

logger = logging.getLogger(__name__)
DISPATCH_UID = "carenet-citizen-id-key"
UNCHECKED = (
    "The database could not be reached, so CARENET_CITIZEN_ID_KEY could not be checked against "
    "the citizen IDs stored. The web process checks it at its first connection; start it after "
    "the database (systemd: After=postgresql.service)."
)
WRONG_KEY = (
    "CARENET_CITIZEN_ID_KEY does not read the citizen IDs stored in this database: it is not "
    "the key they were saved with. Set the key this database was made with (kept with its "
    "backups); with another key, people's pages fail and imports register everyone again."
)


class DatabaseUnreachable(Exception):
    """The database could not be reached, so the key could not be checked."""


def _a_stored_citizen_id() -> str:
    try:
        connection.ensure_connection()
    except DatabaseError as error:
        raise DatabaseUnreachable from error
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
    """Whether the key reads a stored citizen ID (True when none is stored yet). Raises
    DatabaseUnreachable when the database cannot be reached."""
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
def citizen_id_key(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    """Run before management commands (an import with a wrong key would register everyone
    again); the web process refuses to start through refuse_a_wrong_citizen_id_key."""
    try:
        if key_reads_the_data():
            return []
    except DatabaseUnreachable:
        return [Warning(UNCHECKED, id="carenet.W001")]
    return [Error(WRONG_KEY, id="carenet.E001")]


def refuse_a_wrong_citizen_id_key() -> None:
    """At the web process's start. With the database not up yet (the server started before
    PostgreSQL), the check waits for the first connection made, and every connection is
    refused while the key is wrong: a page fails rather than show or import with it."""
    try:
        if not key_reads_the_data():
            raise ImproperlyConfigured(WRONG_KEY)
    except DatabaseUnreachable:
        logger.warning(UNCHECKED)
        connection_created.connect(_check_when_connected, dispatch_uid=DISPATCH_UID)


def _check_when_connected(sender: Any, connection: Any, **kwargs: Any) -> None:
    if connection.alias != DEFAULT_DB_ALIAS:
        return
    if not key_reads_the_data():
        logger.error(WRONG_KEY)
        raise ImproperlyConfigured(WRONG_KEY)
    connection_created.disconnect(dispatch_uid=DISPATCH_UID)


@register(Tags.security, deploy=True)
def development_keys(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    """`check --deploy` on a site left in development (CARENET_ENV unset): its keys would be
    the development ones, published in config/settings.py, sealing real citizen IDs."""
    problems = [
        name
        for name, value, development in (
            ("CARENET_CITIZEN_ID_KEY", settings.CITIZEN_ID_KEY, settings.DEV_CITIZEN_ID_KEY),
            ("DJANGO_SECRET_KEY", settings.SECRET_KEY, settings.DEV_SECRET_KEY),
        )
        if value == development
    ]
    if not problems:
        return []
    message = (
        f"{', '.join(problems)}: the development key, which anyone can read in "
        "config/settings.py. Set CARENET_ENV=production and new keys (README.md, Production)."
    )
    return [Error(message, id="carenet.E002")]
