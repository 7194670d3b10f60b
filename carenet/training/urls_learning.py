"""The learning pages (tests, evaluation, report, completion, certificates, batches and the
public verify page), included by urls.py under the "training" namespace."""

from django.urls import URLPattern, URLResolver, path

import carenet.training.views_learning as views

urlpatterns: list[URLPattern | URLResolver] = [
    path("<int:pk>/quiz/<str:kind>/", views.quiz_edit, name="quiz_edit"),
    path("quizzes/<int:pk>/", views.quiz_take, name="quiz_take"),
    path("<int:pk>/evaluation/", views.evaluation, name="evaluation"),
    path("<int:pk>/report/", views.report, name="report"),
    path("<int:pk>/complete/", views.complete, name="complete"),
    path("certificates/<int:pk>/", views.certificate, name="certificate"),
    path("<int:pk>/certificates/", views.batch_new, name="batch_new"),
    path("batches/<int:pk>/", views.batch, name="batch"),
    path("batches/<int:pk>/progress/", views.batch_progress, name="batch_progress"),
    path("batches/<int:pk>/download/", views.batch_download, name="batch_download"),
    path("verify/", views.verify, name="verify"),
    path("verify/<str:code>/", views.verify, name="verify"),
]
