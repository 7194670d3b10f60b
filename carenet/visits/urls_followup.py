"""Assessment, follow-up and activity pages. carenet/visits/urls.py (app_name "visits")
includes this list, so the names below are `visits:<name>`."""

from django.urls import path

from carenet.visits import views_followup as views

urlpatterns = [
    path("assessments/<id:pk>/", views.assessment_detail, name="assessment"),
    path("households/<id:pk>/assessments/", views.assessment_history, name="assessment_history"),
    path("overdue/", views.overdue, name="overdue"),
    path("summary/", views.summary, name="summary"),
    path("summary/download/<str:fmt>/", views.summary_download, name="summary_download"),
    path("volunteers/<id:pk>/activity/", views.activity, name="activity"),
]
