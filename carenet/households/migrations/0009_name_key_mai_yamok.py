"""Sound-alike keys of names written with ไม้ยมก: a space before or after ๆ ("นานา ๆ") no
longer changes the key (core.people.name_key), so that "นานา ๆ" and "นานาๆ" are found as one
name by the duplicate check. The keys of people and volunteers with ๆ in their names are
written again; no name changes."""

from django.db import migrations
from django.db.models import Q

from carenet.core.people import name_key


def rekey(apps, schema_editor):
    for label in ("households.Person", "volunteers.Volunteer"):
        model = apps.get_model(label)
        with_mai_yamok = Q(first_name__contains="ๆ") | Q(last_name__contains="ๆ")
        changed = []
        for row in model.objects.filter(with_mai_yamok).only(
            "pk", "first_name", "last_name", "name_key"
        ):
            key = name_key(row.first_name, row.last_name)
            if key != row.name_key:
                row.name_key = key
                changed.append(row)
        model.objects.bulk_update(changed, ["name_key"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("households", "0008_document_no_as_searched"),
        ("volunteers", "0003_status_change_seats_ended"),
    ]

    operations = [migrations.RunPython(rekey, migrations.RunPython.noop, elidable=True)]
