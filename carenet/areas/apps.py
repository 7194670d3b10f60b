from django.apps import AppConfig


class AreasConfig(AppConfig):
    name = "carenet.areas"
    label = "areas"
