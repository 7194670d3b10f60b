from django.urls import path, re_path

from carenet.reports import views

app_name = "reports"
urlpatterns = [
    path("", views.home, name="home"),
    path("areas/", views.area_mine, name="areas"),
    path("audit/", views.audit_log, name="audit"),
    path("audit/download/<str:fmt>/", views.audit_download, name="audit_download"),
    path("areas/<str:code>/", views.area_detail, name="area"),
    path("areas/<str:code>/check/", views.area_quality, name="quality"),
    re_path(
        r"^areas/(?P<code>[0-9]+)/registry\.(?P<fmt>csv|xlsx)$",
        views.registry_download,
        name="registry_download",
    ),
    re_path(
        r"^areas/(?P<code>[0-9]+)/uncovered\.(?P<fmt>csv|xlsx)$",
        views.uncovered_download,
        name="uncovered_download",
    ),
    # The centre page sits with the volunteers URLs but lives here: it counts households too.
    path("volunteers/centres/<id:pk>/", views.centre_detail, name="centre"),
]
