"""The check-in pages (badges, the volunteer's QR, the scanner, attendance), included by urls.py
under the "training" namespace."""

from django.urls import URLPattern, URLResolver, path

from carenet.training import views_checkin

urlpatterns: list[URLPattern | URLResolver] = [
    path("invitations/<id:pk>/badge/", views_checkin.badge, name="badge"),
    path("<id:pk>/badges/", views_checkin.badges, name="badges"),
    path("invitations/<id:pk>/qr/", views_checkin.my_qr, name="my_qr"),
    path("sessions/<id:pk>/checkin/", views_checkin.checkin_page, name="checkin"),
    path("sessions/<id:pk>/checkin/scan/", views_checkin.checkin_scan, name="checkin_scan"),
    path("sessions/<id:pk>/checkin/tick/", views_checkin.checkin_tick, name="checkin_tick"),
    path("sessions/<id:pk>/checkin/untick/", views_checkin.checkin_untick, name="checkin_untick"),
    path("<id:pk>/attendance/", views_checkin.attendance, name="attendance"),
    path("<id:pk>/attendance.csv", views_checkin.attendance_csv, name="attendance_csv"),
]
