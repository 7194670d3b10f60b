"""Who sees which case. Every page, list, count and export of cases goes through here.

* Scope: a case carries its area, so `cases_visible` is accounts.access's range filter. A
  volunteer's scope narrows to their own cases: those they filed, those assigned to them,
  and those about households assigned to them.
* Sensitive cases (violence, abuse, trafficking) show in full only to the people assigned to
  them (filer included) and to holders of VIEW_SENSITIVE (provincial officers and national
  admins) in scope. Anyone else in scope sees that a restricted case exists, never whose, and
  may open it only with break-glass access: a reason, logged, for BREAK_GLASS_MINUTES.
* Lists and exports below the province show restricted cases without names (`shows_details`).
"""

import re
from datetime import timedelta
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from pythainlp.corpus import thai_words
from pythainlp.tokenize import word_tokenize

from carenet.accounts import access
from carenet.accounts.access import Perm
from carenet.areas.models import within
from carenet.cases.models import BreakGlassAccess, Case, Referral
from carenet.core.services import audit_record
from carenet.households.models import Household
from carenet.households.selectors import household_own_q

BREAK_GLASS_MINUTES = 60


def own_q(user: Any, prefix: str = "") -> Q:
    """The user's own cases (for a volunteer's narrowed scope)."""
    pk = getattr(user, "pk", None)
    return (
        Q(**{f"{prefix}filed_by": pk})
        | Q(**{f"{prefix}assigned": pk})
        | Q(
            **{
                f"{prefix}household__in": Household.objects.filter(household_own_q(user)).values(
                    "pk"
                )
            }
        )
    )


def cases_visible(user: Any, perm: Perm = Perm.VIEW_CASES) -> QuerySet[Case]:
    """Cases in the user's scope (sensitive ones included: show them with `shows_details`)."""
    found = access.visible_to(user, Case.objects.all(), perm=perm, own=own_q(user))
    if not access.can(user, Perm.REVIEW_CASES):  # volunteers: "assigned" joins may repeat
        found = found.distinct()
    return found


def referrals_visible(user: Any, perm: Perm = Perm.VIEW_CASES) -> QuerySet[Referral]:
    return access.visible_to(
        user,
        Referral.objects.all(),
        perm=perm,
        own=Q(case__in=cases_visible(user, perm).values("pk")),
    )


def _is_assigned(user: Any, case: Case) -> bool:
    if case.filed_by_id == user.pk:
        return True
    return case.assigned.filter(pk=user.pk).exists()


def has_break_glass(user: Any, case: Case) -> bool:
    return BreakGlassAccess.objects.filter(
        user=user, case=case, expires_at__gt=timezone.now()
    ).exists()


def shows_details(user: Any, case: Case) -> bool:
    """Whether the user may read this case's details (names, addresses, notes)."""
    if reads_without_break_glass(user, case):
        return True
    return getattr(user, "is_authenticated", False) and has_break_glass(user, case)


def reads_without_break_glass(user: Any, case: Case) -> bool:
    """shows_details, leaving out a break-glass opening: what lasts beyond its hour (giving
    the case to a volunteer opens it to them for good) is not done on its strength."""
    if not case.sensitive:
        return True
    if not getattr(user, "is_authenticated", False):
        return False
    return access.can(user, Perm.VIEW_SENSITIVE, case.area_id) or _is_assigned(user, case)


def restricted_q(user: Any) -> Q:
    """Cases the user sees only as "restricted" in lists (no break-glass in lists)."""
    if not getattr(user, "is_authenticated", False):
        return Q()
    sees = Q(sensitive=False) | Q(filed_by=user.pk) | Q(assigned=user.pk)
    codes = access.scope_codes(user, Perm.VIEW_SENSITIVE)
    for code in codes:
        sees |= within(code, "area") if code else Q(pk__isnull=False)
    return ~sees


def details_flag(user: Any, case: str = "pk") -> Any:
    """An annotation: True when the row's details may be shown in a list. `case` names the
    row's case: the row itself ("pk"), or the key of a task, referral or assistance."""
    return ~Exists(Case.objects.filter(restricted_q(user), pk=OuterRef(case)))


def case_get(*, user: Any, pk: Any, perm: Perm = Perm.VIEW_CASES) -> Case:
    """One case in scope; missing and out of scope give the same 404."""
    return access.get_visible_or_404(
        user,
        Case.objects.select_related("category", "household", "person", "area", "filed_by"),
        perm=perm,
        own=own_q(user),
        pk=pk,
    )


# Who works on cases: break-glass is for them, in an emergency, not for whoever may read lists
# (an auditor reads its log instead).
CASE_WORK = (Perm.FILE_CASES, Perm.REVIEW_CASES, Perm.MANAGE_CASES)


def may_break_glass(user: Any, case: Case) -> bool:
    return any(access.can(user, perm, case.area_id) for perm in CASE_WORK)


def reads_as_reason(text: str) -> bool:
    """At least ten letters and three different words: ten dots, "aaaaaaaaaa" or
    "abcdefghij" opened a trafficking case. Thai runs its words together, so they are found
    with pythainlp's dictionary; a Latin word needs a vowel. It cannot tell a true reason,
    but the province reads each one in the break-glass log."""
    letters = [character for character in text if character.isalpha()]
    return len(letters) >= 10 and len(_words(text)) >= REASON_WORDS


REASON_WORDS = 3
_LATIN_WORD = re.compile(r"[a-z]*[aeiouy][a-z]*")
# Words that say nothing of why: politeness, fillers and "test" ("ทดสอบระบบครับ" is no reason).
_NOT_A_REASON = frozenset((
    "ครับ", "คะ", "ค่ะ", "ค่า", "คับ", "ขอ", "นะ", "จ้ะ", "จ้า", "จ๊ะ", "ทดสอบ", "ลอง", "เทส",
    "test", "testing", "try", "the", "a", "an", "to", "of", "for", "please", "ok", "okay",
))  # fmt: skip


def _words(text: str) -> set[str]:
    thai = thai_words()
    tokens = word_tokenize(text.lower(), engine="newmm", keep_whitespace=False)
    found = {t for t in tokens if t in thai or (len(t) > 1 and _LATIN_WORD.fullmatch(t))}
    return found - _NOT_A_REASON


@transaction.atomic
def break_glass_open(*, actor: Any, case: Case, reason: str) -> BreakGlassAccess:
    """Grants the user short access to a sensitive case they are not assigned to, logged."""
    if not may_break_glass(actor, case):
        raise PermissionDenied
    reason = reason.strip()
    if not reads_as_reason(reason):
        raise ValueError(
            _(
                "Explain in a sentence why you need to open this case, for example “the "
                "person phoned asking for help at once”."
            )
        )
    if not cases_visible(actor).filter(pk=case.pk).exists():
        raise Http404
    now = timezone.now()
    grant = BreakGlassAccess.objects.create(
        case=case,
        area_id=case.area_id,
        user=actor,
        reason=reason,
        granted_at=now,
        expires_at=now + timedelta(minutes=BREAK_GLASS_MINUTES),
    )
    audit_record(
        actor=actor,
        action="case.break_glass",
        target=case,
        area_code=case.area_id,
        details={"reason": reason, "minutes": BREAK_GLASS_MINUTES},
    )
    return grant
