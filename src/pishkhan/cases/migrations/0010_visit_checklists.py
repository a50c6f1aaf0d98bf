# Inspection checklists as data: a definition version declares its checklists and the
# inspector's state names one; a visit report stores its answers (JSON) and the code of
# the checklist it answers; a visit photo names the photo item it answers. The fixed
# columns of the report stay (nullable) until 0011 has moved them into the answers and
# 0012 drops them; nullable so that going back can re-create them before refilling.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0009_search_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="workflowdefinition",
            name="checklists",
            field=models.JSONField(
                blank=True,
                default=dict,
                help_text="آنچه کارشناس در بازدید بررسی می‌کند؛ نگاه کنید به cases/checklists.py.",
                verbose_name="چک‌لیست‌های بازدید",
            ),
        ),
        migrations.AddField(
            model_name="workflowstate",
            name="checklist",
            field=models.CharField(blank=True, max_length=40, verbose_name="چک‌لیست بازدید"),
        ),
        migrations.AddField(
            model_name="visitreport",
            name="checklist",
            field=models.CharField(
                blank=True,
                help_text="کد چک‌لیست در نسخه گردش کار پرونده که این گزارش به آن پاسخ داده است.",
                max_length=40,
                verbose_name="چک‌لیست",
            ),
        ),
        migrations.AddField(
            model_name="visitreport",
            name="answers",
            field=models.JSONField(
                blank=True,
                default=dict,
                help_text="کد بند ← مقدار نرمال‌شده؛ نگاه کنید به cases/checklists.py.",
                verbose_name="پاسخ‌های چک‌لیست",
            ),
        ),
        migrations.AddField(
            model_name="caseattachment",
            name="checklist_item",
            field=models.CharField(
                blank=True,
                help_text="بند عکس چک‌لیست بازدید که این عکس به آن پاسخ می‌دهد.",
                max_length=40,
                verbose_name="بند چک‌لیست",
            ),
        ),
        migrations.AlterField(
            model_name="visitreport",
            name="observed_land_use",
            field=models.CharField(
                blank=True, max_length=20, null=True, verbose_name="کاربری مشاهده‌شده"
            ),
        ),
        migrations.AlterField(
            model_name="visitreport",
            name="built_area",
            field=models.DecimalField(
                blank=True,
                decimal_places=2,
                max_digits=10,
                null=True,
                verbose_name="مساحت ساخته‌شده (مترمربع)",
            ),
        ),
        migrations.AlterField(
            model_name="visitreport",
            name="floors",
            field=models.PositiveSmallIntegerField(
                blank=True, null=True, verbose_name="تعداد طبقات"
            ),
        ),
    ]
