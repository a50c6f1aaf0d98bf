"""The maker-checker stamps of stored definition versions become effects."""

from django.db import migrations, models

STAMP_EFFECTS = {"prepared_by": ["stamp_preparer"], "approved_by": ["stamp_approver"]}


def stamps_to_effects(apps, schema_editor):
    WorkflowAction = apps.get_model("cases", "WorkflowAction")
    for stamp, effects in STAMP_EFFECTS.items():
        WorkflowAction.objects.filter(stamp=stamp).update(effects=effects)


def effects_to_stamps(apps, schema_editor):
    WorkflowAction = apps.get_model("cases", "WorkflowAction")
    for stamp, effects in STAMP_EFFECTS.items():
        WorkflowAction.objects.filter(effects=effects).update(stamp=stamp)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0002_drop_duplicate_fk_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="workflowaction",
            name="effects",
            field=models.JSONField(
                blank=True,
                default=list,
                help_text="نام پیامدهای ثبت\u200cشده که پس از این اقدام در همان تراکنش اجرا می\u200cشوند.",
                verbose_name="پیامدها",
            ),
        ),
        migrations.RunPython(stamps_to_effects, effects_to_stamps),
        migrations.RemoveField(model_name="workflowaction", name="stamp"),
    ]
