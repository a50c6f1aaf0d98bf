# Every visit report's fixed columns become the answers to the checklist they were:
# "site_visit", which this migration declares in each existing definition version that
# has an inspector's step (those versions recorded exactly these columns) and names on
# that step. Nothing is lost: the photo references go under the photo item, the notes
# under "notes". Going back puts the columns back from the answers and takes off what
# this migration declared.

from decimal import Decimal

from django.db import migrations

LEGACY = "site_visit"
LAND_USES = [
    ["residential", "مسکونی"],
    ["commercial", "تجاری"],
    ["administrative", "اداری"],
    ["mixed", "مختلط"],
    ["educational", "آموزشی"],
    ["healthcare", "درمانی"],
    ["religious", "مذهبی"],
    ["industrial", "صنعتی"],
    ["green_space", "فضای سبز"],
    ["vacant", "بایر"],
]


def item(code, label, kind, **more):
    spec = {
        "code": code,
        "label": label,
        "type": kind,
        "required": False,
        "max_length": None,
        "min": None,
        "max": None,
        "unit": "",
        "choices": [],
        "help": "",
    }
    spec.update(more)
    return spec


# What a report recorded before checklists were data (the same declaration as the
# inquiries' "site_visit" in definitions/_inquiry.json when this migration was written).
LEGACY_CHECKLIST = {
    "label": "بازدید ملک",
    "items": [
        item("observed_land_use", "کاربری مشاهده‌شده", "choice", required=True, choices=LAND_USES),
        item(
            "built_area",
            "مساحت ساخته‌شده",
            "decimal",
            required=True,
            min=0,
            max=99999999,
            unit="مترمربع",
        ),
        item("floors", "تعداد طبقات", "integer", required=True, min=0, max=200),
        item(
            "violations_observed",
            "تخلفات مشاهده‌شده",
            "lines",
            help="هر تخلف در یک سطر؛ اگر تخلفی نیست خالی بگذارید.",
        ),
        item(
            "photos",
            "عکس‌های بازدید",
            "photo",
            help="عکس‌های بازدید (JPEG یا PNG)؛ موقعیت جغرافیایی عکس نگه داشته و "
            "اطلاعات دیگر آن از پرونده پاک می‌شود.",
        ),
        item("notes", "توضیحات", "text", max_length=4000),
    ],
}


def number(value):
    return format(Decimal(value).normalize(), "f")


def columns_to_answers(apps, schema_editor):
    WorkflowDefinition = apps.get_model("cases", "WorkflowDefinition")
    WorkflowState = apps.get_model("cases", "WorkflowState")
    VisitReport = apps.get_model("cases", "VisitReport")
    visits = WorkflowState.objects.filter(acting_role="inspector", checklist="")
    for definition in WorkflowDefinition.objects.filter(
        pk__in=visits.values("definition_id")
    ).order_by("pk"):
        definition.checklists = {**(definition.checklists or {}), LEGACY: LEGACY_CHECKLIST}
        definition.save(update_fields=["checklists"])
    visits.update(checklist=LEGACY)
    for report in VisitReport.objects.filter(checklist="").order_by("pk").iterator():
        answers = {
            "observed_land_use": report.observed_land_use,
            "built_area": number(report.built_area),
            "floors": report.floors,
            "violations_observed": list(report.violations_observed or []),
        }
        if report.photo_refs:
            answers["photos"] = list(report.photo_refs)
        if report.notes:
            answers["notes"] = report.notes
        report.answers = answers
        report.checklist = LEGACY
        report.save(update_fields=["answers", "checklist"])


def answers_to_columns(apps, schema_editor):
    WorkflowDefinition = apps.get_model("cases", "WorkflowDefinition")
    WorkflowState = apps.get_model("cases", "WorkflowState")
    VisitReport = apps.get_model("cases", "VisitReport")
    for report in VisitReport.objects.order_by("pk").iterator():
        answers = report.answers or {}
        violations = answers.get("violations_observed") or []
        report.observed_land_use = str(answers.get("observed_land_use") or "")[:20]
        report.built_area = Decimal(str(answers.get("built_area") or 0))
        report.floors = int(answers.get("floors") or 0)
        report.violations_observed = [str(v) for v in violations]
        report.photo_refs = list(answers.get("photos") or [])
        report.notes = str(answers.get("notes") or "")
        report.save(
            update_fields=[
                "observed_land_use",
                "built_area",
                "floors",
                "violations_observed",
                "photo_refs",
                "notes",
            ]
        )
    VisitReport.objects.filter(checklist=LEGACY).update(checklist="", answers={})
    for definition in WorkflowDefinition.objects.order_by("pk"):
        if (definition.checklists or {}).get(LEGACY) == LEGACY_CHECKLIST:
            del definition.checklists[LEGACY]
            definition.save(update_fields=["checklists"])
            WorkflowState.objects.filter(definition=definition, checklist=LEGACY).update(
                checklist=""
            )


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0010_visit_checklists"),
    ]

    operations = [
        migrations.RunPython(columns_to_answers, answers_to_columns),
    ]
