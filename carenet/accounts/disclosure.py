"""Telling a user that someone is registered outside their scope.

The registry must say so: a citizen ID is registered once, and a coordinator about to
register someone again has to be stopped. Yet each such answer tells something about a person
the user may not see: that they are on the welfare registry. So, on the forms:

* each answer is written to the audit log, with who asked;
* a user gets at most ELSEWHERE_PER_DAY of them a day (a provincial office PROVINCE_PER_DAY,
  `per_day`). Past that, the forms stop checking
  against records outside the user's areas and refuse every registration with a citizen ID
  until the next day, whether or not it is registered. Refusing only the registered ones
  would answer the question all the same.

An import follows the same rule row by row (`Allowance`): it tells while the user's answers
last, then refuses every row with a citizen ID not registered in the user's areas. What it told
is added to the day's count and logged once, with the number (also in the import job's audit
record, `ImportResult.registered_elsewhere`).
"""

from typing import Any

from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext as _

from carenet.accounts import access
from carenet.accounts.models import Role
from carenet.core.services import audit_record

ELSEWHERE_PER_DAY = 30
# A provincial office loads and keeps a province's registry, whose people come and go across
# provincial lines: more answers, still a bound.
PROVINCE_PER_DAY = 300
AUDIT_ACTION = "registry.told_registered_elsewhere"


def per_day(user: Any) -> int:
    """How many answers about people outside their areas `user` may have in a day."""
    if access.main_role(user) in (Role.PROVINCIAL_OFFICER, Role.NATIONAL_ADMIN):
        return PROVINCE_PER_DAY
    return ELSEWHERE_PER_DAY


def _key(user: Any) -> str:
    return f"carenet:elsewhere:{user.pk}:{timezone.localdate().isoformat()}"


def _told_today(user: Any) -> int:
    told: int = cache.get(_key(user), 0)
    return told


def elsewhere_allowed(user: Any) -> bool:
    """Whether the forms may still tell `user` today of records outside their scope."""
    return _told_today(user) < per_day(user)


class Allowance:
    """What is left of a user's answers today, for an import that tells many at once. No
    user (a command run without --as) is the system: no limit."""

    def __init__(self, user: Any) -> None:
        self.user = user
        self.left = per_day(user) - _told_today(user) if user is not None else None
        self.told = 0

    @property
    def used_up(self) -> bool:
        return self.left is not None and self.told >= self.left

    def tell(self) -> bool:
        """Whether one more row may be told of a record outside the user's scope."""
        if self.used_up:
            return False
        self.told += 1
        return True

    def record(self) -> None:
        """Adds what was told to the day's count, and logs it once."""
        if self.user is None or not self.told:
            return
        _count(self.user, self.told)
        audit_record(
            actor=self.user, action=AUDIT_ACTION, details={"by": "import", "count": self.told}
        )


def used_up_reason() -> str:
    return _(
        "Today you have been told of many people registered outside your areas, so this "
        "citizen ID is not checked against them, and nobody with a citizen ID can be "
        "registered from your account until tomorrow. Ask your coordination centre or the "
        "provincial office to register this person."
    )


def elsewhere_told(user: Any, *, by: str, area_code: str = "", record: Any = None) -> None:
    """Records that `user` was told of a record outside their scope (found `by` citizen ID,
    or by name and birth date): the audit row names the record, so that an auditor can tell
    whose registration was disclosed."""
    _count(user, 1)
    audit_record(
        actor=user, action=AUDIT_ACTION, target=record, area_code=area_code, details={"by": by}
    )


def _count(user: Any, told: int) -> None:
    key = _key(user)
    cache.add(key, 0, timeout=2 * 24 * 3600)
    try:
        cache.incr(key, told)
    except ValueError:  # expired in between
        cache.set(key, told, timeout=2 * 24 * 3600)
