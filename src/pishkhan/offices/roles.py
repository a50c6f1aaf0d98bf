"""Staff roles, where each one acts (office, district or the whole city) and who may hold it."""

from __future__ import annotations

from django.db import models


class Role(models.TextChoices):
    OFFICE_MANAGER = "office_manager", "مدیر دفتر"
    TECHNICAL_MANAGER = "technical_manager", "مسئول فنی"
    INSPECTOR = "inspector", "کارشناس بازدید"
    FOLLOW_UP_OFFICER = "follow_up_officer", "مسئول پیگیری"
    PLAN_REVIEWER = "plan_reviewer", "کارشناس طرح تفصیلی"
    DISTRICT_STAFF = "district_staff", "کارشناس منطقه"
    SUPERVISOR = "supervisor", "ناظر دفاتر"
    ADMINISTRATOR = "administrator", "مدیر سامانه"


class Scope(models.TextChoices):
    OFFICE = "office", "دفتر"
    DISTRICT = "district", "منطقه"
    CITY = "city", "کل شهر"


ROLE_SCOPE: dict[str, Scope] = {
    Role.OFFICE_MANAGER: Scope.OFFICE,
    Role.TECHNICAL_MANAGER: Scope.OFFICE,
    Role.INSPECTOR: Scope.OFFICE,
    Role.FOLLOW_UP_OFFICER: Scope.OFFICE,
    Role.PLAN_REVIEWER: Scope.OFFICE,
    Role.DISTRICT_STAFF: Scope.DISTRICT,
    Role.SUPERVISOR: Scope.CITY,
    Role.ADMINISTRATOR: Scope.CITY,
}

# The engineering roles of the offices: bachelor's degree or higher in one of the fields.
ENGINEERING_ROLES = frozenset(
    {Role.TECHNICAL_MANAGER, Role.INSPECTOR, Role.FOLLOW_UP_OFFICER, Role.PLAN_REVIEWER}
)

OFFICE_ROLES = frozenset(r for r, s in ROLE_SCOPE.items() if s == Scope.OFFICE)


class DegreeLevel(models.IntegerChoices):
    NONE = 0, "بدون مدرک دانشگاهی"
    ASSOCIATE = 1, "کاردانی"
    BACHELOR = 2, "کارشناسی"
    MASTER = 3, "کارشناسی ارشد"
    DOCTORATE = 4, "دکتری"


class Field(models.TextChoices):
    ARCHITECTURE = "architecture", "معماری"
    URBAN_PLANNING = "urban_planning", "شهرسازی"
    CIVIL_ENGINEERING = "civil_engineering", "عمران"
    OTHER = "other", "سایر رشته‌ها"


ENGINEERING_FIELDS = frozenset({Field.ARCHITECTURE, Field.URBAN_PLANNING, Field.CIVIL_ENGINEERING})


def qualification_error(role: str, degree_level: int, field: str) -> str | None:
    """Why a person with this degree may not hold `role`, or None when they may."""
    if role not in ENGINEERING_ROLES:
        return None
    label = Role(role).label
    if degree_level < DegreeLevel.BACHELOR:
        return f"نقش «{label}» مدرک کارشناسی یا بالاتر لازم دارد."
    if field not in ENGINEERING_FIELDS:
        return f"نقش «{label}» مدرک در رشته معماری، شهرسازی یا عمران لازم دارد."
    return None
