from django.apps import AppConfig
from django.db.backends.signals import connection_created


class CoreConfig(AppConfig):
    name = "carenet.core"
    label = "core"

    def ready(self) -> None:
        from carenet.core.collation import register_sqlite_collation

        connection_created.connect(register_sqlite_collation, dispatch_uid="carenet-thai-collation")
