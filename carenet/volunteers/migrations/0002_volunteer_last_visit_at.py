"""Volunteer.last_visit_at: the latest visit a volunteer made or came along on, filled from the
visits already stored (visits.services.visit_record keeps it from now on)."""

from typing import Any

from django.db import migrations, models
from django.db.models import Exists, Max, OuterRef, Subquery


def backfill(apps: Any, schema_editor: Any) -> None:
    Volunteer = apps.get_model("volunteers", "Volunteer")
    Visit = apps.get_model("visits", "Visit")
    # A visit counts for every volunteer linked to it, as followup.inactive_volunteers did.
    through = Visit._meta.get_field("volunteers").remote_field.through
    theirs = through.objects.using(schema_editor.connection.alias).filter(
        volunteer_id=OuterRef("pk")
    )
    latest = theirs.order_by().values("volunteer_id").annotate(at=Max("visit__visited_at"))
    Volunteer.objects.using(schema_editor.connection.alias).filter(Exists(theirs)).update(
        last_visit_at=Subquery(latest.values("at"))
    )


class Migration(migrations.Migration):
    dependencies = [
        ("volunteers", "0001_initial"),
        ("visits", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="volunteer",
            name="last_visit_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name="volunteer",
            index=models.Index(
                fields=["status", "area", "last_visit_at"], name="volunteer_status_visit_idx"
            ),
        ),
    ]
