"""Forms of the plan review and the inquiry's answer. They parse (digits in any script,
one line a condition, NUL bytes refused) and show field errors; the rules of a plan
review and of an answer are the actions' (cases/responses.py)."""

from __future__ import annotations

from typing import Any

from django import forms

from pishkhan.cases.action_forms import NUL_MESSAGE, PostedForm
from pishkhan.cases.forms import DigitsDecimalField, DigitsIntegerField
from pishkhan.cases.models import ResponseResult
from pishkhan.cases.responses import (
    CONDITION_MAX_LENGTH,
    CONDITIONS_MAX,
    NOTES_MAX_LENGTH,
    RESTRICTION_MAX_LENGTH,
    ZONE_MAX_LENGTH,
    AnswerDraft,
)
from pishkhan.catalog.models import ResponseCondition
from pishkhan.core.digits import to_persian_digits
from pishkhan.geo.models import LandUse

REQUIRED = "این فیلد را پر کنید."
MISSING_VERSION = "نسخه پرونده در فرم نیست؛ صفحه را دوباره بارگذاری کنید."
LINES_MAX_LENGTH = CONDITIONS_MAX * (CONDITION_MAX_LENGTH + 2)


def lines_of(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def text(label: str, max_length: int, *, required: bool = False, **kwargs: Any) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=required,
        error_messages={
            "required": REQUIRED,
            "max_length": f"{label} حداکثر {to_persian_digits(max_length)} نویسه است.",
            "null_characters_not_allowed": NUL_MESSAGE,
        },
        **kwargs,
    )


def metres(label: str) -> DigitsDecimalField:
    return DigitsDecimalField(
        label=label,
        required=False,
        max_digits=6,
        decimal_places=2,
        error_messages={"invalid": f"{label} را به عدد بنویسید (مثلاً ۴٫۵)."},
    )


def land_uses(label: str, *, required: bool) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=label,
        required=required,
        choices=LandUse.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "دست‌کم یک کاربری مجاز را انتخاب کنید.",
            "invalid_choice": "کاربری انتخاب‌شده در فهرست نیست.",
        },
    )


class VersionedForm(PostedForm):
    version = DigitsIntegerField(
        widget=forms.HiddenInput(),
        error_messages={"required": MISSING_VERSION, "invalid": MISSING_VERSION},
    )


class PlanReviewForm(VersionedForm):
    zone = text("پهنه طرح تفصیلی", ZONE_MAX_LENGTH, required=True, help_text="مثلاً R112")
    sub_zone = text("زیرپهنه", ZONE_MAX_LENGTH)
    permitted_uses = land_uses("کاربری‌های مجاز پهنه", required=True)
    widening_m = metres("عرض گذربندی (متر)")
    setback_m = metres("عقب‌نشینی (متر)")
    restrictions = text(
        "محدودیت‌های طرح",
        RESTRICTION_MAX_LENGTH * 20,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="هر محدودیت در یک سطر؛ اگر محدودیتی نیست خالی بگذارید.",
    )
    opinion = text(
        "نظر کارشناس طرح تفصیلی",
        NOTES_MAX_LENGTH,
        required=True,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("zone", "sub_zone", "widening_m", "setback_m"):
            self.fields[name].widget.attrs["dir"] = "ltr"
        for name in ("widening_m", "setback_m"):
            self.fields[name].widget.attrs["inputmode"] = "decimal"

    def findings(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "zone": data["zone"],
            "sub_zone": data["sub_zone"],
            "permitted_uses": list(data["permitted_uses"]),
            "widening_m": data["widening_m"],
            "setback_m": data["setback_m"],
            "restrictions": lines_of(data["restrictions"]),
            "opinion": data["opinion"],
        }


class AnswerForm(VersionedForm):
    """The answer's draft; the conditions to choose from are the city's list for the
    case's service (the action checks the codes again)."""

    result = forms.ChoiceField(
        label="نتیجه",
        choices=ResponseResult.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "نتیجه پاسخ را انتخاب کنید.", "invalid_choice": REQUIRED},
    )
    condition_codes = forms.MultipleChoiceField(
        label="شرط‌ها از فهرست شهرداری",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "شرط انتخاب‌شده در فهرست این خدمت نیست."},
    )
    own_conditions = text(
        "شرط‌های دیگر",
        LINES_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="هر شرط در یک سطر.",
    )
    zone = text("پهنه طرح تفصیلی", ZONE_MAX_LENGTH)
    permitted_uses = land_uses("کاربری‌های مجاز", required=False)
    widening_m = metres("عرض گذربندی (متر)")
    setback_m = metres("عقب‌نشینی (متر)")
    violations = text(
        "تخلفات مشاهده‌شده در بازدید",
        LINES_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="هر تخلف در یک سطر.",
    )
    notes = text(
        "توضیحات و علت",
        NOTES_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="برای پاسخ «دارای مانع» علت لازم است.",
    )

    def __init__(
        self, *args: Any, conditions: list[ResponseCondition] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["condition_codes"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [(c.code, c.text) for c in conditions or []]
        for name in ("zone", "widening_m", "setback_m"):
            self.fields[name].widget.attrs["dir"] = "ltr"

    @classmethod
    def initial_of(cls, draft: AnswerDraft) -> dict[str, Any]:
        return {
            "result": draft.result,
            "condition_codes": draft.condition_codes,
            "own_conditions": "\n".join(draft.own_conditions),
            "zone": draft.zone,
            "permitted_uses": draft.permitted_uses,
            "widening_m": draft.widening_m,
            "setback_m": draft.setback_m,
            "violations": "\n".join(draft.violations),
            "notes": draft.notes,
        }

    def draft(self) -> AnswerDraft:
        data = self.cleaned_data
        return AnswerDraft(
            result=data["result"],
            condition_codes=list(data["condition_codes"]),
            own_conditions=lines_of(data["own_conditions"]),
            zone=data["zone"],
            permitted_uses=list(data["permitted_uses"]),
            widening_m=data["widening_m"],
            setback_m=data["setback_m"],
            violations=lines_of(data["violations"]),
            notes=data["notes"],
        )


def page_forms(page: Any, given: dict[str, Any]) -> dict[str, Any]:
    """The plan review and answer forms the case page shows to whoever may use them: the
    posted form again when it was refused, else one filled from the case."""
    from pishkhan.cases.responses import condition_choices, prefill

    case = page.case
    forms_: dict[str, Any] = {}
    if page.can_record_plan_review:
        latest = page.plan_reviews[0] if page.plan_reviews else None
        initial: dict[str, Any] = {"version": case.version}
        if latest is not None:
            initial.update(
                zone=latest.zone,
                sub_zone=latest.sub_zone,
                permitted_uses=latest.permitted_uses,
                widening_m=latest.widening_m,
                setback_m=latest.setback_m,
                restrictions="\n".join(latest.restrictions),
                opinion=latest.opinion,
            )
        elif case.parcel is not None:
            initial["zone"] = case.parcel.plan_zone
        forms_["plan_form"] = given.get("plan_form") or PlanReviewForm(initial=initial)
    if page.can_draft_response:
        conditions = condition_choices(case)
        forms_["answer_form"] = given.get("answer_form") or AnswerForm(
            initial={"version": case.version, **AnswerForm.initial_of(prefill(case))},
            conditions=conditions,
        )
    return forms_
