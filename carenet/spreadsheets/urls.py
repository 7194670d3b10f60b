from django.urls import path, re_path

from carenet.spreadsheets import views

app_name = "spreadsheets"
urlpatterns = [
    path("", views.home, name="home"),
    re_path(
        r"^export/(?P<dataset>households|volunteers)\.(?P<fmt>csv|xlsx)$",
        views.export,
        name="export",
    ),
    path("export/<id:pk>/", views.export_job, name="export_job"),
    path("export/<id:pk>/progress/", views.export_job_progress, name="export_job_progress"),
    path("export/<id:pk>/file", views.export_job_file, name="export_job_file"),
    re_path(
        r"^template/(?P<dataset>households|volunteers)\.xlsx$", views.template, name="template"
    ),
    re_path(
        r"^figures/volunteers\.(?P<fmt>csv|xlsx)$",
        views.volunteer_figures,
        name="volunteer_figures",
    ),
    path("import/", views.upload, name="upload"),
    path("import/<id:pk>/", views.job_detail, name="job"),
    path("import/<id:pk>/progress/", views.job_progress, name="job_progress"),
    path("import/<id:pk>/report.csv", views.job_report, name="job_report"),
    path("import/<id:pk>/confirm/", views.job_confirm, name="job_confirm"),
]
