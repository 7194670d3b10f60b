"""The training pages (/training/). This map also includes the check-in and learning parts,
which their own modules (urls_checkin.py, urls_learning.py) list."""

from django.urls import URLPattern, URLResolver, path

from carenet.training import urls_checkin, urls_learning, views

app_name = "training"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.event_list, name="list"),
    path("new/", views.event_new, name="event_new"),
    path("<id:pk>/", views.event_detail, name="event"),
    path("<id:pk>/edit/", views.event_edit, name="event_edit"),
    path("<id:pk>/cancel/", views.event_cancel, name="event_cancel"),
    path("<id:pk>/sessions/", views.sessions, name="sessions"),
    path("sessions/<id:pk>/delete/", views.session_delete, name="session_delete"),
    path("<id:pk>/invitations/", views.invitations, name="invitations"),
    path("<id:pk>/invitations/build/", views.invitations_build, name="invitations_build"),
    path("<id:pk>/invitations/send/", views.invitations_send, name="invitations_send"),
    path("<id:pk>/invitations/add/", views.invitation_add, name="invitation_add"),
    path("invitations/<id:pk>/remove/", views.invitation_remove, name="invitation_remove"),
    path("my/", views.my_trainings, name="my"),
    path("invitations/<id:pk>/respond/", views.respond, name="respond"),
    path("volunteers/<id:pk>/", views.volunteer_record, name="volunteer"),
    path("certificates/<id:pk>/revoke/", views.certificate_revoke, name="certificate_revoke"),
    path("coverage/", views.coverage_pick, name="coverage_pick"),
    path("coverage/<str:code>/", views.coverage, name="coverage"),
    path("coverage/<str:code>/volunteers.csv", views.coverage_download, name="coverage_download"),
    path("awards/", views.awards, name="awards"),
    path("awards/new/", views.award_new, name="award_new"),
    path("awards/<id:pk>/move/", views.award_move, name="award_move"),
    *urls_checkin.urlpatterns,
    *urls_learning.urlpatterns,
]
