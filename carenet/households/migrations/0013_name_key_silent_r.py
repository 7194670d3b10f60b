"""Sound-alike keys of names with a ร that is written but not said (ศรี, ทราย, เพชร): the key is
now that of the name as said (core.people.as_said), so that สมสี finds สมศรี. The keys of people
and volunteers with ร in their names are written again; no name changes."""

from django.db import migrations
from django.db.models import Q

from carenet.core.people import name_key

BATCH = 2000


def rekey(apps, schema_editor):
    for label in ("households.Person", "volunteers.Volunteer"):
        model = apps.get_model(label)
        with_r = Q(first_name__contains="ร") | Q(last_name__contains="ร")
        rows = model.objects.filter(with_r).only("pk", "first_name", "last_name", "name_key")
        changed = []
        for row in rows.iterator(chunk_size=BATCH):
            key = name_key(row.first_name, row.last_name)
            if key != row.name_key:
                row.name_key = key
                changed.append(row)
            if len(changed) >= BATCH:
                model.objects.bulk_update(changed, ["name_key"])
                changed = []
        model.objects.bulk_update(changed, ["name_key"], batch_size=BATCH)


class Migration(migrations.Migration):
    dependencies = [
        ("households", "0012_consent_note"),
        ("volunteers", "0003_status_change_seats_ended"),
    ]

    operations = [migrations.RunPython(rekey, migrations.RunPython.noop, elidable=True)]
