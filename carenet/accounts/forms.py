from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


class SignInForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _(
            "The username or password is not correct. Check them and try again "
            "(after several wrong tries the account is locked for a while)."
        ),
        "inactive": _(
            "This account has been switched off: a volunteer's, when their status is no longer "
            "active. Contact your coordination centre."
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

    def clean(self) -> dict[str, Any]:
        try:
            return super().clean()
        except ValidationError:
            # Django turns away a switched-off account as if the password were wrong: one who
            # knows their password is told the truth instead of trying until locked out.
            if self._switched_off():
                raise ValidationError(self.error_messages["inactive"], code="inactive") from None
            raise

    def _switched_off(self) -> bool:
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if not (username and password):
            return False
        user = get_user_model()._default_manager.filter(username=username).first()
        return user is not None and not user.is_active and user.check_password(password)
