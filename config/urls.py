"""Carenet's URL map. Every view it reaches declares its access (see carenet/accounts/access.py)."""

from django.http import HttpRequest, HttpResponseRedirect
from django.templatetags.static import static
from django.urls import include, path

from carenet.accounts import access
from carenet.accounts.views import set_language


@access.public
def favicon(request: HttpRequest) -> HttpResponseRedirect:
    """Browsers ask for /favicon.ico whatever the page's <link rel="icon"> says. The icon's
    address is looked up per request: in production it carries its content's hash, which
    the manifest gives only once collectstatic has run."""
    return HttpResponseRedirect(static("img/carenet.svg"))


urlpatterns = [
    path("", include("carenet.reports.urls")),
    path("accounts/", include("carenet.accounts.urls")),
    path("volunteers/", include("carenet.volunteers.urls")),
    path("households/", include("carenet.households.urls")),
    path("visits/", include("carenet.visits.urls")),
    path("cases/", include("carenet.cases.urls")),
    path("training/", include("carenet.training.urls")),
    path("privacy/", include("carenet.privacy.urls")),
    path("spreadsheets/", include("carenet.spreadsheets.urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("favicon.ico", favicon),
]

handler400 = "carenet.core.views.bad_request"
handler403 = "carenet.core.views.permission_denied"
handler404 = "carenet.core.views.page_not_found"
handler500 = "carenet.core.views.server_error"
