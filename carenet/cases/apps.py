from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "carenet.cases"
    label = "cases"
    verbose_name = "cases"

    def ready(self) -> None:
        # The household timeline (visits) shows cases, referrals and assistance.
        from carenet.cases import timeline

        timeline.register()
