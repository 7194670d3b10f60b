"""The error summary at the top of a form sent back: every reason, each a link to its field."""

from django import forms
from django.template import Context, Template
from django.utils import translation

SUMMARY = Template("{% load thai %}{% error_summary form other note=note %}")


class Consent(forms.Form):
    basis = forms.ChoiceField(
        label="Basis", choices=[("consent", "consent"), ("law", "law")], widget=forms.RadioSelect
    )
    first_name = forms.CharField(label="First name")
    version = forms.IntegerField(widget=forms.HiddenInput)

    def clean(self):
        raise forms.ValidationError("Someone else saved this record meanwhile.")


class Address(forms.Form):
    house_no = forms.CharField(label="House no.")


def shown(*, form, other=None, note=""):
    with translation.override("en"):
        return SUMMARY.render(Context({"form": form, "other": other, "note": note}))


def test_nothing_is_shown_for_a_form_not_sent_or_sent_right():
    assert shown(form=Consent()).strip() == ""
    good = forms.Form(data={})
    assert good.is_valid() and shown(form=good).strip() == ""


def test_each_reason_links_to_its_field_and_the_box_can_take_the_focus():
    html = shown(form=Consent(data={"basis": "", "first_name": ""}), note="Kept in your draft.")
    assert 'tabindex="-1"' in html and "data-error-summary" in html and 'role="alert"' in html
    assert "<p>Someone else saved this record meanwhile.</p>" in html
    assert "Some answers need fixing. The reason is shown beside each one." in html
    assert "marked in red" not in html
    # A radio group's link goes to its first choice; a hidden field's reason has no link.
    assert '<a href="#id_basis_0">Basis: Choose one.</a>' in html
    assert '<a href="#id_first_name">First name: This field is required.</a>' in html
    assert "<li>Version: This field is required.</li>" in html
    assert "<p>Kept in your draft.</p>" in html


def test_the_reasons_of_several_forms_are_listed_together():
    person = Consent(data={"p-basis": "law", "p-first_name": "", "p-version": "1"}, prefix="p")
    html = shown(form=[person, Address(data={})], other=Address(data={"house_no": "12"}))
    assert 'href="#id_p-first_name"' in html and 'href="#id_house_no"' in html
    assert html.count("<li>") == 2
