from django.urls import path

from carenet.households import views

app_name = "households"
urlpatterns = [
    path("", views.household_list, name="list"),
    path("priority-list/", views.priority_list, name="priority_list"),
    path("new/", views.household_create, name="create"),
    path("<int:pk>/", views.household_detail, name="detail"),
    path("<int:pk>/edit/", views.household_edit, name="edit"),
    path("<int:pk>/status/", views.household_status, name="status"),
    path("<int:pk>/evacuation/", views.household_evacuate, name="evacuate"),
    path("<int:pk>/back-home/", views.household_back_home, name="back_home"),
    path("<int:pk>/volunteers/", views.household_assign, name="assign"),
    path("<int:pk>/people/new/", views.person_add, name="person_add"),
    path("people/<int:pk>/", views.person_detail, name="person"),
    path("people/<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("people/<int:pk>/status/", views.person_status, name="person_status"),
    path("people/<int:pk>/move/", views.person_move, name="person_move"),
    path("people/<int:pk>/citizen-id/", views.person_citizen_id, name="person_citizen_id"),
    path("people/<int:pk>/consents/new/", views.consent_add, name="consent_add"),
    path("consents/<int:pk>/withdraw/", views.consent_withdraw, name="consent_withdraw"),
    path("merge/", views.merge, name="merge"),
    path("hand-over/<int:volunteer_pk>/", views.hand_over, name="hand_over"),
]
