import re
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from carenet.accounts.access import NATIONAL, Perm, can, scope_codes
from carenet.accounts.models import Role
from carenet.accounts.selectors import UserFilters
from carenet.areas.models import Area
from carenet.areas.selectors import area_examples, area_typed

THAI_LETTER = re.compile(r"[\u0e01-\u0e4f]")


class SignInForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _(
            "The username or password is not correct. Check them and try again "
            "(after several wrong tries the account is locked for a while)."
        ),
        "thai_keyboard": _(
            "The password you typed has Thai letters. If your password is in English letters, "
            "switch the keyboard to English and type it again."
        ),
        "inactive": _(
            "This account has been switched off (a volunteer's is, when they leave the "
            "network). Contact your coordination centre."
        ),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update(
            {"autocapitalize": "none", "autocomplete": "username"}
        )
        self.fields["password"].widget = forms.PasswordInput(
            attrs={"autocomplete": "current-password"}
        )
        self.fields["username"].label = _("Username")
        self.fields["password"].label = _("Password")

    def clean_username(self) -> str:
        """The username as registered, whatever the case typed: a phone's keyboard starts
        with a capital. Usernames are unique whatever their case (services.user_create), so
        this names one account, and the lockout counts every spelling against it."""
        typed = self.cleaned_data["username"]
        users = get_user_model()._default_manager
        if len(typed) > (users.model._meta.get_field("username").max_length or 150):
            # No account has it. Refused here, before the lookup (a page of text is too
            # complex for SQLite's LIKE) and before the lockout records it (PostgreSQL's
            # column is 255 letters): both failed as a 500.
            raise ValidationError(self.error_messages["invalid_login"], code="invalid_login")
        if users.filter(username=typed).exists():
            return typed
        found = list(users.filter(username__iexact=typed).values_list("username", flat=True)[:2])
        return found[0] if len(found) == 1 else typed

    def clean(self) -> dict[str, Any]:
        try:
            return super().clean()
        except ValidationError:
            # Django turns away a switched-off account as if the password were wrong: one who
            # knows their password is told the truth instead of trying until locked out.
            if self._switched_off():
                raise ValidationError(self.error_messages["inactive"], code="inactive") from None
            if THAI_LETTER.search(self.cleaned_data.get("password") or ""):
                raise ValidationError(
                    [self.error_messages["invalid_login"], self.error_messages["thai_keyboard"]],
                ) from None
            raise

    def _switched_off(self) -> bool:
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if not (username and password):
            return False
        user = get_user_model()._default_manager.filter(username=username).first()
        return user is not None and not user.is_active and user.check_password(password)


# --- the users page ---------------------------------------------------------------------------


class UserFilterForm(forms.Form):
    STATES = [
        ("", _("every account")),
        ("active", _("switched on")),
        ("off", _("switched off")),
        ("locked", _("locked out now")),
    ]
    q = forms.CharField(label=_("Username or name"), required=False, max_length=100)
    role = forms.ChoiceField(label=_("Role"), required=False)
    area = forms.CharField(
        label=_("Area code"),
        required=False,
        max_length=8,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "placeholder": _("e.g. 8601")}),
    )
    state = forms.ChoiceField(label=_("Account"), required=False, choices=STATES)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [  # type: ignore[attr-defined]
            ("", capfirst(_("every role"))),
            *((value, capfirst(label)) for value, label in Role.choices),
        ]

    def clean_area(self) -> str:
        code = self.cleaned_data["area"].strip()
        if code and not (code.isascii() and code.isdigit() and len(code) in (2, 4, 6, 8)):
            raise ValidationError(_("An area code has 2, 4, 6 or 8 digits (86, 8601, ...)."))
        return code

    def filters(self) -> UserFilters:
        """What the valid fields ask for; a field typed wrong filters nothing (and says so)."""
        self.is_valid()
        data = {n: self.cleaned_data.get(n) for n in self.fields if n not in self.errors}
        return UserFilters(
            search=data.get("q") or "",
            role=data.get("role") or "",
            area_code=data.get("area") or "",
            state=data.get("state") or "",
        )


class NameForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)


class RoleForm(forms.Form):
    """A role at an area. The roles offered are those the manager may give; the area is a
    DOPA code or a name, blank for the whole country. The help's examples come from the
    manager's own area, so that a province's officer reads their own codes."""

    role = forms.ChoiceField(label=_("Role"))
    area = forms.CharField(
        label=_("Area"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def __init__(self, *args: Any, roles: list[Role], manager: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.manager = manager
        self.fields["role"].choices = [(r.value, capfirst(r.label)) for r in roles]  # type: ignore[attr-defined]
        self.fields["area"].help_text = area_help(manager)

    def clean_area(self) -> Area | None:
        typed = self.cleaned_data["area"].strip()
        if not typed:
            return None
        return area_typed(typed, prefer=lambda code: can(self.manager, Perm.MANAGE_USERS, code))


def area_help(manager: Any) -> str:
    codes = scope_codes(manager, Perm.MANAGE_USERS)
    if NATIONAL in codes or not codes:
        return gettext(
            "The area's DOPA code (2 digits for a province, 4 for a district, 6 for a "
            "subdistrict) or its name, with or without จ., อ. or ต. Blank: the whole country "
            "(national roles only)."
        )
    examples = ", ".join(f"{area.code} {area.label}" for area in area_examples(codes[0]))
    return gettext("The area's DOPA code or its name, e.g. %(examples)s.") % {"examples": examples}


class StaffCreateForm(RoleForm):
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none"}),
    )
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 10 characters, not only digits, and not like the name or username."),
    )
    password2 = forms.CharField(
        label=_("The same password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    field_order = ["username", "first_name", "last_name", "password1", "password2", "role", "area"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        one, two = cleaned.get("password1"), cleaned.get("password2")
        if one and two and one != two:
            self.add_error("password2", _("The two passwords differ. Type them again."))
        return cleaned
