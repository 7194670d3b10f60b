"""Intake: new requests, drafts and requests sent back, and the request's files."""

from django.urls import URLPattern, URLResolver, path

from carenet.cases import views_intake

urlpatterns: list[URLPattern | URLResolver] = [
    path("new/<id:household_pk>/", views_intake.case_new, name="new"),
    path(
        "new/concern/<id:concern_pk>/",
        views_intake.case_new_from_concern,
        name="new_from_concern",
    ),
    path("<id:pk>/edit/", views_intake.case_edit, name="edit"),
    path("<id:pk>/signature/", views_intake.signature, name="signature"),
    path("documents/<id:pk>/", views_intake.document, name="document"),
]
