# Indexes for the search box (cases/search.py): the letter number the case answers, and,
# on PostgreSQL, the tracking code reversed, so that "its last digits" is a prefix match
# served by an index whatever the caller's scope (SQLite scans the scope instead).

import django.db.models.fields.json
from django.db import migrations, models

REVERSED_CODE = (
    "CREATE INDEX IF NOT EXISTS case_tracking_code_reversed "
    "ON cases_case ((reverse(tracking_code)) text_pattern_ops)"
)


def create_reversed_code_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(REVERSED_CODE)


def drop_reversed_code_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS case_tracking_code_reversed")


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0008_case_attachments"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                django.db.models.fields.json.KeyTransform("letter_number", "data"),
                name="case_letter_number",
            ),
        ),
        migrations.RunPython(create_reversed_code_index, drop_reversed_code_index),
    ]
