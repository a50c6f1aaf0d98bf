# The visit report's fixed columns, moved into its answers by 0011, go.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0011_visit_answers_from_columns"),
    ]

    operations = [
        migrations.RemoveField(model_name="visitreport", name="observed_land_use"),
        migrations.RemoveField(model_name="visitreport", name="built_area"),
        migrations.RemoveField(model_name="visitreport", name="floors"),
        migrations.RemoveField(model_name="visitreport", name="violations_observed"),
        migrations.RemoveField(model_name="visitreport", name="photo_refs"),
        migrations.RemoveField(model_name="visitreport", name="notes"),
    ]
