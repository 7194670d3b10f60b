from django.apps import AppConfig


class VolunteersConfig(AppConfig):
    name = "carenet.volunteers"
    label = "volunteers"
