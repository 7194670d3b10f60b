from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "carenet.reports"
    label = "reports"
