"""Sign in, sign out, one's own password and the language switch."""

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordChangeForm
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.i18n import set_language as django_set_language

from carenet.accounts import access, services
from carenet.accounts.forms import SignInForm

login = access.public(
    auth_views.LoginView.as_view(
        template_name="accounts/login.html",
        authentication_form=SignInForm,
        redirect_authenticated_user=True,
    )
)
logout = access.public(auth_views.LogoutView.as_view())
set_language = access.public(django_set_language)


class _PasswordChange(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("reports:home")

    def form_valid(self, form: PasswordChangeForm) -> HttpResponse:
        try:
            services.password_change(form=form)
        except ValidationError as refused:
            form.add_error(None, refused)
            return self.form_invalid(form)
        # Other sessions of the user end; this one stays signed in.
        update_session_auth_hash(self.request, form.user)
        messages.success(self.request, _("Your password has been changed."))
        return HttpResponseRedirect(self.get_success_url())


password_change = access.signed_in(_PasswordChange.as_view())
