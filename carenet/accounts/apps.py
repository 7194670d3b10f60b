from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "carenet.accounts"
    label = "accounts"
