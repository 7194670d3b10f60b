from django.apps import AppConfig


class HouseholdsConfig(AppConfig):
    name = "carenet.households"
    label = "households"
