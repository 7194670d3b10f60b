"""Telling a user that someone is registered outside their scope.

The registry must say so: a citizen ID is registered once, and a coordinator about to
register someone again has to be stopped. Yet each such answer tells something about a person
the user may not see: that they are on the welfare registry. So, on the forms:

* each answer is written to the audit log, with who asked;
* a user gets at most ELSEWHERE_PER_DAY of them a day. Past that, the forms stop checking
  against records outside the user's areas and refuse every registration with a citizen ID
  until the next day, whether or not it is registered. Refusing only the registered ones
  would answer the question all the same.

An import reports such rows in bulk, as its checks must; the count goes into the import job's
audit record (`ImportResult.registered_elsewhere`), for the auditor to see.
"""

from typing import Any

from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext as _

from carenet.core.services import audit_record

ELSEWHERE_PER_DAY = 30
AUDIT_ACTION = "registry.told_registered_elsewhere"


def _key(user: Any) -> str:
    return f"carenet:elsewhere:{user.pk}:{timezone.localdate().isoformat()}"


def elsewhere_allowed(user: Any) -> bool:
    """Whether the forms may still tell `user` today of records outside their scope."""
    told: int = cache.get(_key(user), 0)
    return told < ELSEWHERE_PER_DAY


def used_up_reason() -> str:
    return _(
        "Today you have been told of many people registered outside your areas, so this "
        "citizen ID is not checked against them, and nobody with a citizen ID can be "
        "registered from your account until tomorrow. Ask your coordination centre or the "
        "provincial office to register this person."
    )


def elsewhere_told(user: Any, *, by: str, area_code: str = "") -> None:
    """Records that `user` was told of a record outside their scope (found `by` citizen ID,
    or by name and birth date)."""
    key = _key(user)
    cache.add(key, 0, timeout=2 * 24 * 3600)
    try:
        cache.incr(key)
    except ValueError:  # expired in between
        cache.set(key, 1, timeout=2 * 24 * 3600)
    audit_record(actor=user, action=AUDIT_ACTION, area_code=area_code, details={"by": by})
