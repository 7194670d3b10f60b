from django.apps import AppConfig


class VisitsConfig(AppConfig):
    name = "carenet.visits"
    label = "visits"

    def ready(self) -> None:
        from carenet.households.signals import priority_changed
        from carenet.visits.services import reschedule_on_priority

        # A household whose priority changes gets its next due date worked out again.
        priority_changed.connect(reschedule_on_priority, dispatch_uid="visits.reschedule")
