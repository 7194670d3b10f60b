from django.apps import AppConfig


class SpreadsheetsConfig(AppConfig):
    name = "carenet.spreadsheets"
    label = "spreadsheets"
