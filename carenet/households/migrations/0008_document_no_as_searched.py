"""Document numbers stored before they were kept in one form: "0-0001-23456-78-9" or
"mc 123 4567" become "0000123456789" and "MC1234567", as the forms and imports now store them
(cleaning.document_key), so that search and the duplicate check find them. A number is only
written differently, never dropped or changed in its letters and digits; a pink card with a
wrong check digit stays as it was typed, for someone to correct."""

from django.db import migrations

from carenet.households.cleaning import document_key


def rewrite(apps, schema_editor):
    Person = apps.get_model("households", "Person")
    changed = []
    for person in Person.objects.exclude(document_no="").only("pk", "document_no").iterator():
        key = document_key(person.document_no)
        if key and key != person.document_no:
            person.document_no = key
            changed.append(person)
    Person.objects.bulk_update(changed, ["document_no"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [("households", "0007_person_document_index")]

    operations = [migrations.RunPython(rewrite, migrations.RunPython.noop, elidable=True)]
