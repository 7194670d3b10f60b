"""Cases declined before the reason was kept on the case: it is copied from the decline's
event, where the filer's list of how their cases ended can read it."""

from django.db import migrations


def copy_reasons(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    CaseEvent = apps.get_model("cases", "CaseEvent")
    declined = Case.objects.filter(status="declined", outcome_note="")
    for case in declined.iterator():
        event = (
            CaseEvent.objects.filter(case=case, to_status="declined").order_by("-at", "-pk").first()
        )
        if event is not None and event.reason:
            Case.objects.filter(pk=case.pk).update(outcome_note=event.reason)


class Migration(migrations.Migration):
    dependencies = [("cases", "0008_urgent_step_days")]

    operations = [migrations.RunPython(copy_reasons, migrations.RunPython.noop)]
