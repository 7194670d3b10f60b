from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "carenet.privacy"
    label = "privacy"
