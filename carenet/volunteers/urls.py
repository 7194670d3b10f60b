from django.urls import path

from carenet.volunteers import views, views_figures

app_name = "volunteers"
urlpatterns = [
    path("", views.volunteer_list, name="list"),
    path("new/", views.volunteer_create, name="create"),
    path("me/", views.volunteer_me, name="me"),
    path("villages/", views.village_choices, name="villages"),
    path("figures/", views_figures.volunteer_figures, name="figures"),
    path("<id:pk>/", views.volunteer_detail, name="detail"),
    path("<id:pk>/edit/", views.volunteer_edit, name="edit"),
    path("<id:pk>/status/", views.volunteer_status, name="status"),
    path("<id:pk>/status/undo/", views.volunteer_status_undo, name="status_undo"),
    path("<id:pk>/citizen-id/", views.volunteer_citizen_id, name="citizen_id"),
    path("<id:pk>/account/", views.volunteer_account, name="account"),
    path("<id:pk>/password/", views.volunteer_password, name="password"),
    path("centres/", views.centre_list, name="centre_list"),
    path("centres/new/", views.centre_create, name="centre_create"),
    path("centres/<id:pk>/phone/", views.centre_phone, name="centre_phone"),
    path("centres/<id:pk>/seats/new/", views.seat_add, name="seat_add"),
    path("seats/<id:pk>/end/", views.seat_end, name="seat_end"),
]
