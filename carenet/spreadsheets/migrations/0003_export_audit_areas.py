"""Exports logged before their rows named an area: an export of "all my areas" was written with
area_code "", so only the country's log showed it. Each gets the area it covered, as exports
are logged now (exporting._log): its area, or its scope's; several areas of one province give
the province (their rows per area were not counted then)."""

from django.db import migrations

ACTIONS = ["spreadsheets.export_households", "spreadsheets.export_volunteers"]


def covered(details: dict) -> str:
    if details.get("area"):
        return details["area"]
    scope = [code for code in details.get("scope") or [] if code]
    if len(scope) != len(details.get("scope") or []) or not scope:
        return ""  # the whole country
    provinces = {code[:2] for code in scope}
    if len(provinces) > 1:
        return ""
    return scope[0] if len(scope) == 1 else provinces.pop()


def name_areas(apps, schema_editor):
    AuditEvent = apps.get_model("core", "AuditEvent")
    unnamed = AuditEvent.objects.filter(action__in=ACTIONS, area_code="")
    for pk, details in list(unnamed.values_list("pk", "details")):
        if code := covered(details or {}):
            AuditEvent.objects.filter(pk=pk).update(area_code=code)


class Migration(migrations.Migration):
    dependencies = [
        ("spreadsheets", "0002_export_jobs"),
        ("core", "0001_initial"),
    ]

    operations = [migrations.RunPython(name_areas, migrations.RunPython.noop)]
