"""An index on person document_no, for the few people without a citizen ID: the likely-duplicate
check looks their passport or pink-card no. up (selectors.person_find_duplicates)."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("areas", "0001_initial"),
        ("households", "0006_citizen_id_hash_bytewise"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="person",
            index=models.Index(
                condition=models.Q(("document_no", ""), _negated=True),
                fields=["document_no"],
                name="person_document_idx",
            ),
        ),
    ]
