"""Admin for workflow definitions and official holidays, in Persian.

A stored definition version is never edited in place. Its change page shows the version's
states and actions and the whole document as JSON; saving an edited document validates it
like a file (`load_definition`) and publishes it as the service's next version, so cases
already open keep the version they started on. Only the active version can be edited;
older versions are history. A new service's first definition is pasted on the add page.
"""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html, format_html_join

from pishkhan.cases.checklists import checklists_from_stored
from pishkhan.cases.fields import TYPE_LABELS
from pishkhan.cases.holidays import HolidayChange, can_withdraw, declare_holiday, withdraw_holiday
from pishkhan.cases.models import Case, Holiday, WorkflowDefinition, WorkflowState
from pishkhan.cases.timeline import role_label
from pishkhan.cases.workflow import (
    ADMIN_SOURCE,
    catalog_problems,
    definition_to_dict,
    load_definition,
    parse_definition,
)
from pishkhan.catalog.models import ServiceType
from pishkhan.core.admin_helpers import (
    PersianSearchMixin,
    acting_user,
    adopt,
    count_of,
    jalali_date,
    jalali_datetime,
    persian_number,
)
from pishkhan.core.digits import to_persian_digits
from pishkhan.core.forms import JalaliDatesMixin
from pishkhan.core.jalali import format_jalali_date, jalali_year_bounds, to_jalali

DOCUMENT_HELP = (
    "کل تعریف به صورت JSON (راهنما: docs/workflow.md). با ذخیره، تعریف مانند فایل بررسی "
    "می‌شود و اگر تغییری داشته باشد نسخه بعدی این خدمت می‌شود؛ پرونده‌های باز روی نسخه‌ای "
    "که با آن شروع شده‌اند می‌مانند."
)


def role_names(codes: list[str]) -> str:
    return "، ".join(role_label(code) for code in codes)


def pretty(document: dict[str, Any]) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2)


class DefinitionDocumentForm(forms.ModelForm):
    """One field: the definition document. The model fields are shown read only."""

    document = forms.CharField(
        label="تعریف (JSON)",
        help_text=DOCUMENT_HELP,
        widget=forms.Textarea(attrs={"rows": 30, "cols": 110, "dir": "ltr", "spellcheck": "false"}),
    )

    class Meta:
        model = WorkflowDefinition
        fields: tuple[str, ...] = ()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["document"] = pretty(definition_to_dict(self.instance))

    def clean_document(self) -> dict[str, Any]:
        raw = self.cleaned_data["document"]
        try:
            data = json.loads(raw)
        except ValueError as exc:
            raise ValidationError(
                f"متن JSON درست نیست (سطر {to_persian_digits(exc.lineno)}، ستون "  # type: ignore[attr-defined]
                f"{to_persian_digits(exc.colno)}): {exc.msg}.",  # type: ignore[attr-defined]
                code="json",
            ) from None
        spec = parse_definition(data)  # every problem of the graph, as one error list
        service = ServiceType.objects.filter(code=spec.service).first()
        if service is None:
            raise ValidationError(
                f"خدمت «{spec.service}» در فهرست خدمات نیست.", code="unknown_service"
            )
        if self.instance.pk and service.pk != self.instance.service_type_id:
            raise ValidationError(
                "خدمت یک تعریف را نمی‌توان عوض کرد؛ تعریف خدمت دیگر را از «افزودن» وارد کنید.",
                code="service_changed",
            )
        problems = catalog_problems(spec, service)  # the catalog's facts, checked alike
        if problems:
            raise ValidationError(problems)
        return data


def table(headers: tuple[str, ...], rows: list[tuple[Any, ...]]) -> str:
    """A small read-only table for a change page (values are escaped)."""
    head = format_html_join("", "<th>{}</th>", ((h,) for h in headers))
    body = format_html_join(
        "",
        "<tr>{}</tr>",
        ((format_html_join("", "<td>{}</td>", ((cell,) for cell in row)),) for row in rows),
    )
    return format_html(
        '<table class="workflow-table"><thead><tr>{}</tr></thead><tbody>{}</tbody></table>',
        head,
        body,
    )


def yes(flag: bool) -> str:
    return "✓" if flag else ""


@admin.register(WorkflowDefinition)
class WorkflowDefinitionAdmin(PersianSearchMixin, admin.ModelAdmin):
    form = DefinitionDocumentForm
    list_display = (
        "service_type",
        persian_number("version", "نسخه"),
        "title",
        "is_active",
        "state_count",
        "source",
        jalali_datetime("created_at", "زمان ایجاد"),
    )
    list_display_links = ("service_type",)
    list_select_related = ("service_type",)
    list_filter = ("is_active", "service_type")
    search_fields = ("title", "service_type__name", "service_type__code")
    readonly_fields = (  # type: ignore[assignment]
        "service_type", "version", "title", "is_active", "open_role_labels", "sla_hours",
        "source", "checksum", jalali_datetime("created_at", "زمان ایجاد"), "open_cases",
        "states_table", "actions_table", "checklists_table",
    )  # fmt: skip

    def get_queryset(self, request: HttpRequest) -> QuerySet[WorkflowDefinition]:
        states = count_of(WorkflowState, "definition")
        return super().get_queryset(request).annotate(n_states=states)

    def get_fields(self, request: HttpRequest, obj: WorkflowDefinition | None = None) -> Any:
        if obj is None:
            return ("document",)
        if self._editable(request, obj):
            return (*self.readonly_fields, "document")
        return self.readonly_fields

    def get_readonly_fields(
        self, request: HttpRequest, obj: WorkflowDefinition | None = None
    ) -> Any:
        return () if obj is None else self.readonly_fields

    def _editable(self, request: HttpRequest, obj: WorkflowDefinition) -> bool:
        return obj.is_active and super().has_change_permission(request, obj)

    def has_change_permission(
        self, request: HttpRequest, obj: WorkflowDefinition | None = None
    ) -> bool:
        # An old version is history: it can be viewed but not edited.
        if obj is not None and not obj.is_active:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(
        self, request: HttpRequest, obj: WorkflowDefinition | None = None
    ) -> bool:
        return False  # cases point at their version; a version is never removed

    @admin.display(description="وضعیت‌ها", ordering="n_states")
    def state_count(self, obj: Any) -> str:
        return to_persian_digits(obj.n_states)

    @admin.display(description="منبع")
    def source(self, obj: WorkflowDefinition) -> str:
        if obj.loaded_from.startswith(ADMIN_SOURCE):
            return f"ویرایش در مدیریت سامانه ({obj.loaded_from.removeprefix(ADMIN_SOURCE)})"
        return obj.loaded_from.rsplit("/", 1)[-1] or "—"

    @admin.display(description="نقش‌های مجاز برای ثبت")
    def open_role_labels(self, obj: WorkflowDefinition) -> str:
        return role_names(obj.open_roles)

    @admin.display(description="پرونده‌های باز روی این نسخه")
    def open_cases(self, obj: WorkflowDefinition) -> str:
        return to_persian_digits(
            Case.objects.filter(definition=obj, closed_at__isnull=True).count()
        )

    @admin.display(description="وضعیت‌ها")
    def states_table(self, obj: WorkflowDefinition) -> str:
        headers = ("کد", "عنوان", "نقش اقدام‌کننده", "مهلت (ساعت کاری)", "مدارک لازم",
                   "آغازین", "پایانی", "توقف مهلت", "چک‌لیست بازدید")  # fmt: skip
        rows = [
            (
                s.code,
                s.label,
                role_label(s.acting_role),
                to_persian_digits(s.sla_hours) if s.sla_hours is not None else "",
                "، ".join(obj.documents.get(code, code) for code in s.documents_required),
                yes(s.is_initial),
                yes(s.is_terminal),
                yes(s.pauses_sla),
                s.checklist,
            )
            for s in obj.states.all()
        ]
        return table(headers, rows)

    @admin.display(description="چک‌لیست‌های بازدید")
    def checklists_table(self, obj: WorkflowDefinition) -> str:
        """Each checklist's items as the inspector answers them (cases/checklists.py)."""
        headers = ("چک‌لیست", "کد بند", "عنوان بند", "نوع", "الزامی", "کران‌ها")
        rows = [
            (
                f"{checklist.label} ({code})",
                item.code,
                item.label,
                TYPE_LABELS.get(item.type, item.type),
                yes(item.required),
                " – ".join(to_persian_digits(b) for b in (item.min, item.max) if b is not None),
            )
            for code, checklist in checklists_from_stored(obj.checklists).items()
            for item in checklist.items
        ]
        return table(headers, rows) if rows else "—"

    @admin.display(description="اقدام‌ها")
    def actions_table(self, obj: WorkflowDefinition) -> str:
        headers = (
            "کد",
            "عنوان",
            "از",
            "به",
            "نقش‌های مجاز",
            "شرط‌ها",
            "ذکر علت",
            "بازگشت‌ناپذیر",
            "پیامدها",
        )
        actions = obj.actions.select_related("from_state", "to_state")
        rows = [
            (
                a.code,
                a.label,
                a.from_state.label,
                a.to_state.label,
                role_names(a.roles),
                "، ".join(a.guards),
                yes(a.reason_required),
                yes(a.is_destructive),
                "، ".join(a.effects),
            )
            for a in actions
        ]
        return table(headers, rows)

    def save_model(
        self, request: HttpRequest, obj: WorkflowDefinition, form: Any, change: bool
    ) -> None:
        user = acting_user(request)
        result = load_definition(
            form.cleaned_data["document"], edited_by=user.username if user else "admin"
        )
        adopt(obj, result.definition)
        version = to_persian_digits(result.definition.version)
        if result.created:
            self.message_user(
                request,
                f"نسخه {version} ساخته و فعال شد؛ پرونده‌های باز روی نسخه قبلی خود می‌مانند.",
                messages.SUCCESS,
            )
        else:
            self.message_user(
                request, f"تعریف تغییری نداشت؛ نسخه {version} همچنان فعال است.", messages.INFO
            )

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        pass  # load_definition wrote the version with its states and actions


class JalaliYearFilter(admin.SimpleListFilter):
    title = "سال"
    parameter_name = "year"

    def lookups(
        self, request: HttpRequest, model_admin: admin.ModelAdmin[Any]
    ) -> list[tuple[str, str]]:
        years = {to_jalali(day).year for day in Holiday.objects.values_list("date", flat=True)}
        return [(str(y), to_persian_digits(y)) for y in sorted(years, reverse=True)]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Holiday]) -> QuerySet[Holiday]:
        value = self.value()
        if not value or not value.isdigit():
            return queryset
        try:
            first, last = jalali_year_bounds(int(value))
        except ValueError:
            return queryset.none()
        return queryset.filter(date__gte=first, date__lte=last)


HOLIDAY_DAY = jalali_date("date", "تاریخ", style="full")


@admin.register(Holiday)
class HolidayAdmin(JalaliDatesMixin, PersianSearchMixin, admin.ModelAdmin):
    """Official holidays. The fixed solar ones come from cases/data/holidays.json; the lunar
    ones move every year and are entered here (or in that file) before the year starts.

    Adding a holiday declares it (`declare_holiday`): the open cases whose due times lie
    beyond it move so that each keeps the working time it had left. A holiday's date is
    fixed once saved (its title may be corrected, which moves nothing); a holiday whose day
    has not come may be deleted, which moves those due times back."""

    list_display = (HOLIDAY_DAY, "title")
    list_filter = (JalaliYearFilter,)
    search_fields = ("title",)
    ordering = ("-date",)
    fields = ("date", "title")

    def get_fields(self, request: HttpRequest, obj: Holiday | None = None) -> Any:
        return self.fields if obj is None else (HOLIDAY_DAY, "title")

    def get_readonly_fields(self, request: HttpRequest, obj: Holiday | None = None) -> Any:
        return () if obj is None else (HOLIDAY_DAY,)

    def has_delete_permission(self, request: HttpRequest, obj: Holiday | None = None) -> bool:
        # One at a time from its page, and only before its day: a closure that has
        # happened stays in the calendar.
        return obj is not None and can_withdraw(obj) and super().has_delete_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: Holiday, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)  # the title only
            return
        declared = declare_holiday(acting_user(request), obj.date, obj.title)
        adopt(obj, declared.holiday)
        self.message_user(request, holiday_message(declared, "اعلام"), messages.SUCCESS)

    def delete_model(self, request: HttpRequest, obj: Holiday) -> None:
        withdrawn = withdraw_holiday(acting_user(request), obj)
        self.message_user(request, holiday_message(withdrawn, "لغو"), messages.SUCCESS)


def holiday_message(change: HolidayChange, verb: str) -> str:
    """'تعطیل پنجشنبه ۸ آبان ۱۴۰۴ اعلام شد؛ مهلت‌های ۳ پرونده باز جابه‌جا شد.'"""
    day = format_jalali_date(change.holiday.date, "full")
    if change.moved:
        moved = f"مهلت‌های {to_persian_digits(change.moved)} پرونده باز جابه‌جا شد"
    else:
        moved = "مهلت هیچ پرونده بازی جابه‌جا نشد"
    return f"تعطیل {day} {verb} شد؛ {moved}."
