"""On PostgreSQL, person citizen_id_hash compares byte by byte (COLLATE "C").

A hash is hex digits: byte order is the only order it has, and the database's default
collation compares each pair of values through the locale, at several times the cost. The
unique index over a million people builds in 0.5 s instead of 1.3 (bench/README.md), and every
person an import writes costs its index less. SQLite compares byte by byte already (BINARY).

Not in the model: Django's db_collation would name "C" on SQLite too, where no such collation
exists. A later AlterField of the column must keep the collation (see Person.citizen_id_hash).
"""

from django.db import migrations

COLUMN = 'ALTER TABLE households_person ALTER COLUMN citizen_id_hash TYPE varchar(64) COLLATE "{}"'


def bytewise(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(COLUMN.format("C"))


def as_before(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(COLUMN.format("default"))


class Migration(migrations.Migration):
    dependencies = [("households", "0005_lean_indexes_for_loads")]

    operations = [migrations.RunPython(bytewise, as_before)]
