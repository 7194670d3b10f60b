from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from carenet.core.forms import ThaiDateField
from carenet.privacy.models import Outcome, RequestKind


class RequestForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What the person asks for"),
        choices=RequestKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose what the person asked for.")},
    )
    received_on = ThaiDateField(label=_("Received on"), initial=timezone.localdate)
    details = forms.CharField(
        label=_("What the person asked, in their words"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
    )


class DecideForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=Outcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the outcome.")},
    )
    decided_on = ThaiDateField(label=_("Decided on"), initial=timezone.localdate)
    reason = forms.CharField(
        label=_("What was done, the legal reason for refusing, or who withdrew the request"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=4000,
    )
