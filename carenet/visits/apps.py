from django.apps import AppConfig


class VisitsConfig(AppConfig):
    name = "carenet.visits"
    label = "visits"
