from django.urls import path

from carenet.privacy import views

app_name = "privacy"

urlpatterns = [
    # The app's own address, typed or cut back from a longer one, leads to its list.
    path("", views.home, name="home"),
    path("requests/", views.open_requests, name="open"),
    path("requests/decided/", views.decided_requests, name="decided"),
    path("people/<id:pk>/requests/", views.person_requests, name="person"),
    path("requests/<id:pk>/decide/", views.request_decide, name="decide"),
    path("people/<id:pk>/copy/", views.person_copy, name="copy"),
]
