from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "carenet.cases"
    label = "cases"
    verbose_name = "cases"
