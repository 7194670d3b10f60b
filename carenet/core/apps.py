from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "carenet.core"
    label = "core"
