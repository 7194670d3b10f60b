from django.urls import path

from carenet.households import views

app_name = "households"
urlpatterns = [
    path("", views.household_list, name="list"),
    path("priority-list/", views.priority_list, name="priority_list"),
    path("new/", views.household_create, name="create"),
    path("<id:pk>/", views.household_detail, name="detail"),
    path("<id:pk>/edit/", views.household_edit, name="edit"),
    path("<id:pk>/status/", views.household_status, name="status"),
    path("<id:pk>/evacuation/", views.household_evacuate, name="evacuate"),
    path("<id:pk>/back-home/", views.household_back_home, name="back_home"),
    path("<id:pk>/volunteers/", views.household_assign, name="assign"),
    path("<id:pk>/people/new/", views.person_add, name="person_add"),
    path("people/<id:pk>/", views.person_detail, name="person"),
    path("people/<id:pk>/edit/", views.person_edit, name="person_edit"),
    path("people/<id:pk>/status/", views.person_status, name="person_status"),
    path("people/<id:pk>/move/", views.person_move, name="person_move"),
    path("people/<id:pk>/citizen-id/", views.person_citizen_id, name="person_citizen_id"),
    path("people/<id:pk>/consents/new/", views.consent_add, name="consent_add"),
    path("consents/<id:pk>/withdraw/", views.consent_withdraw, name="consent_withdraw"),
    path("merge/", views.merge, name="merge"),
    path("hand-over/<id:volunteer_pk>/", views.hand_over, name="hand_over"),
]
