"""VolunteerStatusChange.seats_ended: the committee seats a status change ended, kept so that
taking the change back (a volunteer marked deceased by mistake) can seat them again."""


from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("volunteers", "0002_volunteer_last_visit_at"),
    ]

    operations = [
        migrations.AddField(
            model_name="volunteerstatuschange",
            name="seats_ended",
            field=models.JSONField(blank=True, default=list, editable=False),
        ),
    ]
