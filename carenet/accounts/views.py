"""Sign in, sign out, one's own password, the language switch, and the users page where
national admins and provincial officers manage staff accounts."""

from typing import Any

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm, SetPasswordForm
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django.views.i18n import set_language as django_set_language

from carenet.accounts import access, selectors, services
from carenet.accounts.access import Perm
from carenet.accounts.forms import (
    NameForm,
    RoleForm,
    SignInForm,
    StaffCreateForm,
    UserFilterForm,
)
from carenet.accounts.middleware import start_idle_clock
from carenet.accounts.models import Role, User
from carenet.accounts.selectors import UserFilters
from carenet.core.forms import show_service_errors
from carenet.core.paging import Paginator


class _SignIn(auth_views.LoginView):
    """Django's sign-in, with each sign-in and refusal in the audit log."""

    template_name = "accounts/login.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if services.address_refused(get_client_ip_address(request)):
            minutes = settings.LOGIN_LOCKOUT_MINUTES
            return render(request, "accounts/address_locked.html", {"minutes": minutes}, status=429)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_valid(form)
        start_idle_clock(self.request)
        services.sign_in_log(user=form.get_user())
        return response

    def form_invalid(self, form: AuthenticationForm) -> HttpResponse:
        services.sign_in_failed_log(
            username=str(form.data.get("username", "")),
            # SignInForm says "switched off" only to one who typed the right password.
            password_right=any(e.code == "inactive" for e in form.non_field_errors().as_data()),
        )
        return super().form_invalid(form)


class _SignOut(auth_views.LogoutView):
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        signed_in = request.user.is_authenticated
        if request.user.is_authenticated:
            services.sign_out_log(user=request.user)
        response = super().post(request, *args, **kwargs)
        if signed_in:  # the sign-in page says so: on a shared phone, the next person knows
            messages.info(request, _("You are signed out."))
        return response


login = access.public(_SignIn.as_view())
logout = access.public(_SignOut.as_view())
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


@access.signed_in
@require_POST
def still_here(request: HttpRequest) -> HttpResponse:
    """Someone is using the open page (typing a long note, say) without sending anything:
    static/js/idle.js says so, and the idle clock starts again. A session already idle too
    long does not get here: the idle middleware signs it out first."""
    start_idle_clock(request)
    return HttpResponse(status=204)


# --- the users page: staff accounts, for those who manage them --------------------------------

USERS_PER_PAGE = 25


@access.requires(Perm.MANAGE_USERS)
@require_GET
def user_list(request: HttpRequest) -> HttpResponse:
    form = UserFilterForm(request.GET)
    filters = form.filters()
    users = selectors.user_list(user=request.user, filters=filters)
    page = Paginator(users, USERS_PER_PAGE).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "filtered": filters != UserFilters()}
    return render(request, "accounts/users/list.html", context)


@access.requires(Perm.MANAGE_USERS)
def user_create(request: HttpRequest) -> HttpResponse:
    roles = services.roles_given_by(request.user)
    form = StaffCreateForm(request.POST or None, roles=roles, manager=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.staff_create(
                actor=request.user,
                username=data["username"],
                password=data["password1"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                role=Role(data["role"]),
                area=data["area"],
            )
        except ValidationError as error:
            show_service_errors(error, form, aliases={"password": "password1"})
        else:
            messages.success(
                request,
                _(
                    "%(username)s can now sign in. Give them the password in person: at their "
                    "first sign-in they choose one of their own."
                )
                % {"username": user.username},
            )
            return redirect("accounts:user", pk=user.pk)
    status = 400 if form.is_bound else 200
    return render(request, "accounts/users/create.html", {"form": form}, status=status)


@access.requires(Perm.MANAGE_USERS)
@require_GET
def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _user_page(request, selectors.user_get(user=request.user, pk=pk))


def _user_page(
    request: HttpRequest, account: User, status: int = 200, **forms: Any
) -> HttpResponse:
    refused = services.manage_refused(request.user, account)
    context = {
        "account": account,
        "refused": refused,
        "is_me": account.pk == request.user.pk,
        "role_form": forms.get("role_form")
        or RoleForm(roles=services.roles_given_by(request.user), manager=request.user),
        "name_form": forms.get("name_form")
        or NameForm(initial={"first_name": account.first_name, "last_name": account.last_name}),
        "history_url": access.history_url(request.user, account, services.home_area(account)),
    }
    return render(request, "accounts/users/detail.html", context, status=status)


@access.requires(Perm.MANAGE_USERS)
@require_POST
def user_role_add(request: HttpRequest, pk: int) -> HttpResponse:
    account = selectors.user_get(user=request.user, pk=pk)
    form = RoleForm(request.POST, roles=services.roles_given_by(request.user), manager=request.user)
    if form.is_valid():
        role = Role(form.cleaned_data["role"])
        try:
            services.role_give(
                actor=request.user, user=account, role=role, area=form.cleaned_data["area"]
            )
        except ValidationError as error:
            show_service_errors(error, form)
        else:
            messages.success(request, _("The role was given."))
            return redirect("accounts:user", pk=account.pk)
    return _user_page(request, account, status=400, role_form=form)


@access.requires(Perm.MANAGE_USERS)
@require_POST
def user_role_remove(request: HttpRequest, pk: int, assignment: int) -> HttpResponse:
    account = selectors.user_get(user=request.user, pk=pk)
    held = next((a for a in account.roles_shown if a.pk == assignment), None)  # type: ignore[attr-defined]
    if held is None:
        raise Http404
    return _act(
        request,
        account,
        lambda: services.role_remove(actor=request.user, assignment=held),
        _("The role was removed."),
    )


@access.requires(Perm.MANAGE_USERS)
@require_POST
def user_switch(request: HttpRequest, pk: int) -> HttpResponse:
    account = selectors.user_get(user=request.user, pk=pk)
    on = request.POST.get("on") == "1"
    done = (
        _("The account is switched on again.")
        if on
        else _(
            "The account is switched off: its owner can no longer sign in, and was signed out "
            "wherever they were signed in."
        )
    )
    return _act(
        request,
        account,
        lambda: services.user_switch(actor=request.user, user=account, on=on),
        done,
    )


def _act(request: HttpRequest, account: User, change: Any, done: str) -> HttpResponse:
    """Runs one change to the account; its refusal, if any, is said at the top of its page."""
    try:
        change()
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, done)
    return redirect("accounts:user", pk=account.pk)


@access.requires(Perm.MANAGE_USERS)
@require_POST
def user_name(request: HttpRequest, pk: int) -> HttpResponse:
    account = selectors.user_get(user=request.user, pk=pk)
    form = NameForm(request.POST)
    if form.is_valid():
        try:
            services.user_rename(actor=request.user, user=account, **form.cleaned_data)
        except ValidationError as error:
            show_service_errors(error, form)
        else:
            messages.success(request, _("The name was saved."))
            return redirect("accounts:user", pk=account.pk)
    return _user_page(request, account, status=400, name_form=form)


@access.requires(Perm.MANAGE_USERS)
def user_password(request: HttpRequest, pk: int) -> HttpResponse:
    """A new password for a staff member who forgot theirs; it also lifts their lockout."""
    account = selectors.user_get(user=request.user, pk=pk)
    refused = services.manage_refused(request.user, account)
    if not refused and account.pk == request.user.pk:
        refused = _("Change your own password on the “Change my password” page.")
    form = None if refused else SetPasswordForm(account, request.POST or None)
    if form is not None and request.method == "POST" and form.is_valid():
        try:
            services.staff_password_set(
                actor=request.user, user=account, password=form.cleaned_data["new_password1"]
            )
        except ValidationError as error:
            show_service_errors(error, form, aliases={"password": "new_password2"})
        else:
            messages.success(
                request,
                _(
                    "%(username)s has a new password and is no longer locked out. Give it to "
                    "them in person; wherever they were signed in, they are signed out, and at "
                    "their next sign-in they choose one of their own."
                )
                % {"username": account.username},
            )
            return redirect("accounts:user", pk=account.pk)
    status = 403 if refused and request.method == "POST" else 400 if form and form.is_bound else 200
    context = {"account": account, "form": form, "refused": refused}
    return render(request, "accounts/users/password.html", context, status=status)
