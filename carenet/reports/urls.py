from django.urls import path

from carenet.reports import views

app_name = "reports"
urlpatterns = [
    path("", views.home, name="home"),
    path("areas/", views.area_mine, name="areas"),
    path("areas/<str:code>/", views.area_detail, name="area"),
]
