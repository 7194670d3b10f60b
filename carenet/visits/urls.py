"""Field-work pages. Every view declares its access (see carenet/accounts/access.py)."""

from django.urls import include, path

from carenet.visits import views, views_planning

app_name = "visits"

urlpatterns = [
    # The volunteer's day.
    path("mine/", views.my_households, name="my_households"),
    path("households/<id:pk>/record/", views.visit_record, name="record"),
    path("households/<id:pk>/draft/", views.draft_save, name="draft_save"),
    path("households/<id:pk>/draft/discard/", views.draft_discard, name="draft_discard"),
    path("households/<id:pk>/draft/send/", views.draft_send, name="draft_send"),
    path("households/<id:pk>/timeline/", views.timeline, name="timeline"),
    # One visit.
    path("<id:pk>/", views.visit_detail, name="detail"),
    path("<id:pk>/saved/", views.visit_saved, name="saved"),
    path("<id:pk>/acknowledge/", views.acknowledge, name="acknowledge"),
    path("<id:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("photos/<id:pk>/", views.photo, name="photo"),
    # The centre's concerns.
    path("concerns/", views.concerns, name="concerns"),
    path("concerns/<id:pk>/", views.concern_handle, name="concern_handle"),
    # Cadence and targets of an area.
    path("plan/<str:code>/", views_planning.plan, name="plan"),
    # Assessments, the centre's follow-up and volunteer activity (views_followup.py).
    path("", include("carenet.visits.urls_followup")),
]
