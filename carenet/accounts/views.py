"""Sign in, sign out and the language switch."""

from django.contrib.auth import views as auth_views
from django.views.i18n import set_language as django_set_language

from carenet.accounts import access
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
