"""Intake: new requests, drafts and requests sent back, and the request's files."""

from django.urls import URLPattern, URLResolver, path

from carenet.cases import views_intake

urlpatterns: list[URLPattern | URLResolver] = [
    path("new/<int:household_pk>/", views_intake.case_new, name="new"),
    path(
        "new/concern/<int:concern_pk>/",
        views_intake.case_new_from_concern,
        name="new_from_concern",
    ),
    path("<int:pk>/edit/", views_intake.case_edit, name="edit"),
    path("<int:pk>/signature/", views_intake.signature, name="signature"),
    path("documents/<int:pk>/", views_intake.document, name="document"),
]
