"""The learning pages (tests, evaluation, report, completion, certificates, batches and the
public verify page), included by urls.py under the "training" namespace."""

from django.urls import URLPattern, URLResolver, path

import carenet.training.views_learning as views

urlpatterns: list[URLPattern | URLResolver] = [
    path("<id:pk>/quiz/<str:kind>/", views.quiz_edit, name="quiz_edit"),
    path("quizzes/<id:pk>/", views.quiz_take, name="quiz_take"),
    path("<id:pk>/evaluation/", views.evaluation, name="evaluation"),
    path("<id:pk>/report/", views.report, name="report"),
    path("<id:pk>/complete/", views.complete, name="complete"),
    path("certificates/<id:pk>/", views.certificate, name="certificate"),
    path("<id:pk>/certificates/", views.batch_new, name="batch_new"),
    path("batches/<id:pk>/", views.batch, name="batch"),
    path("batches/<id:pk>/progress/", views.batch_progress, name="batch_progress"),
    path("batches/<id:pk>/download/", views.batch_download, name="batch_download"),
    path("verify/", views.verify, name="verify"),
    path("verify/<str:code>/", views.verify, name="verify"),
]
