from django import forms
from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "carenet.core"
    label = "core"

    def ready(self) -> None:
        from carenet.core import checks, converters, lookups  # noqa: F401  (a system check; the safe __in)
        from carenet.core.collation import register_sqlite_collation

        converters.register()  # <id:pk> in the addresses
        connection_created.connect(register_sqlite_collation, dispatch_uid="carenet-thai-collation")
        # A list or a set of choices left empty is chosen from, not typed in: Django says
        # "This field is required." for both, which reads as "fill in this box" in Thai.
        forms.ChoiceField.default_error_messages = {
            **forms.ChoiceField.default_error_messages,
            "required": _("Choose one."),
        }
