"""The page where a centre or province sets its visit targets and, for a province, its cadence."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from carenet.accounts import access
from carenet.accounts.access import Perm
from carenet.areas.models import Area, Level
from carenet.visits import planning
from carenet.visits.models import FollowUpPolicy, VisitTarget


class PolicyForm(forms.Form):
    urgent_days = forms.IntegerField(label=gettext_lazy("urgent: days"), min_value=1, max_value=365)
    watch_days = forms.IntegerField(label=gettext_lazy("watch: days"), min_value=1, max_value=365)
    normal_days = forms.IntegerField(label=gettext_lazy("normal: days"), min_value=1, max_value=365)


class TargetForm(forms.Form):
    households_per_month = forms.IntegerField(
        label=gettext_lazy("households reached per month"),
        min_value=0,
        max_value=planning.MAX_HOUSEHOLDS,
    )
    visits_per_volunteer_per_month = forms.IntegerField(
        label=gettext_lazy("visits per volunteer per month"),
        min_value=0,
        max_value=planning.MAX_VISITS,
    )


@access.requires(Perm.PLAN_FOLLOWUP)
def plan(request: HttpRequest, code: str) -> HttpResponse:
    area = access.get_visible_or_404(
        request.user, Area.objects.all(), field="code", perm=Perm.PLAN_FOLLOWUP, code=code
    )
    if area.level == Level.VILLAGE:
        raise Http404
    policy = FollowUpPolicy.objects.filter(area_id=area.code[:2]).first() or FollowUpPolicy()
    target = VisitTarget.objects.filter(area=area).first() or VisitTarget()
    may_set_policy = area.level == Level.PROVINCE
    policy_form = PolicyForm(initial=vars(policy), prefix="policy")
    target_form = TargetForm(initial=vars(target), prefix="target")
    if request.method == "POST":
        which = request.POST.get("form")
        try:
            if which == "policy" and may_set_policy:
                policy_form = PolicyForm(request.POST, prefix="policy")
                if policy_form.is_valid():
                    planning.follow_up_policy_set(
                        actor=request.user, province=area, **policy_form.cleaned_data
                    )
                    messages.success(request, _("The visit cadence is saved."))
                    return redirect("visits:plan", code=area.code)
            elif which == "target":
                target_form = TargetForm(request.POST, prefix="target")
                if target_form.is_valid():
                    planning.visit_target_set(
                        actor=request.user, area=area, **target_form.cleaned_data
                    )
                    messages.success(request, _("The targets are saved."))
                    return redirect("visits:plan", code=area.code)
        except ValidationError as error:
            (policy_form if which == "policy" else target_form).add_error(None, error)
        except PermissionDenied:
            raise Http404 from None
    return render(
        request,
        "visits/plan.html",
        {
            "area": area,
            "policy": policy,
            "policy_form": policy_form if may_set_policy else None,
            "target_form": target_form,
        },
    )
