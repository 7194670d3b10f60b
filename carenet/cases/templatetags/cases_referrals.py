"""Template tags of the case page's referral and assistance sections (_referrals.html,
_assistance.html): each fetches its rows in one bounded query and says which buttons show."""

from typing import Any

from django import template
from django.utils import timezone

from carenet.accounts.access import Perm
from carenet.cases import assistance, referrals
from carenet.cases.access import shows_details
from carenet.cases.forms_referrals import ReferralMoveForm
from carenet.cases.models import AssistanceStatus, Case
from carenet.cases.workflow import REFERRAL_MOVES, Move, consent_refusal, may_act

register = template.Library()


@register.simple_tag
def case_referrals(case: Case, user: Any) -> dict[str, Any]:
    if not shows_details(user, case):
        return {"shown": False}
    today = timezone.localdate()
    rows = list(case.referrals.select_related("agency", "agency__area").order_by("-sent_at", "-pk"))
    can_move = may_act(user, Move("", Perm.MANAGE_CASES), case.area_id)
    return {
        "shown": True,
        "rows": [
            {
                "referral": r,
                "overdue": referrals.is_overdue(r, today),
                "open": any(source == r.status for source, _to in REFERRAL_MOVES),
            }
            for r in rows
        ],
        "can_move": can_move,
        "can_refer": referrals.may_refer(user, case),
        # A letter discloses the person's details: none after they withdrew consent.
        "letters": not consent_refusal(case),
        "move_form": ReferralMoveForm(),
    }


@register.simple_tag
def case_assistance(case: Case, user: Any) -> dict[str, Any]:
    if not shows_details(user, case):
        return {"shown": False}
    items = list(
        case.assistance.select_related("assistance_type", "person").order_by("-approved_at", "-pk")
    )
    withdrawn = bool(consent_refusal(case))
    return {
        "shown": True,
        "items": items,
        "totals": assistance.totals(items),
        "can_approve": case.status == "accepted"
        and not withdrawn
        and assistance.may_approve(user, case),
        "can_give": not withdrawn and assistance.may_give(user, case),
        # An approval not paid can be cancelled even after a withdrawal of consent: it
        # would stay approved, counted against the person's yearly limit, for ever.
        "can_cancel": assistance.may_approve(user, case),
        "approved": AssistanceStatus.APPROVED,
    }
