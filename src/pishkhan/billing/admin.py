"""The finance unit's admin: dues rules with a preview on a sample parcel (or vehicle)
before saving, the vehicle registry, the parcels' dues history, and bills, their events
and the ledger read only.

A rule is published through ``do_publish_rule`` (which closes the one before it); once
in force only its last day changes. The preview is a button of the rule's form: the form
is checked like a save, the dues the rule would bill are shown, and nothing is saved.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone

from pishkhan.billing import dues
from pishkhan.billing.actions import do_end_rule, do_publish_rule, do_register_vehicle
from pishkhan.billing.models import (
    Bill,
    BillEvent,
    BillLine,
    DuesRule,
    LedgerEntry,
    RenewalDuesAccount,
    RenewalDuesRule,
    TransferDuesRule,
    Vehicle,
    VehicleTollRule,
)
from pishkhan.billing.vehicle_ids import parse_plate
from pishkhan.core.admin_helpers import (
    PersianSearchMixin,
    adopt,
    demo_flag,
    jalali_date,
    jalali_datetime,
    persian_code,
    rials,
)
from pishkhan.core.digits import to_ascii_digits, to_persian_digits
from pishkhan.core.forms import JalaliDatesMixin
from pishkhan.core.jalali import JALALI_YEARS, jalali_year
from pishkhan.core.money import format_rials
from pishkhan.geo.models import Parcel

PREVIEW = "_preview"
PREVIEW_NOTICE = "این پیش‌نمایش است و چیزی ذخیره نشد؛ برای ذخیره، «ذخیره» را بزنید."
RULE_COMMON = ("valid_from", "valid_until", "resolution", "approved_on")


class PreviewForm(forms.ModelForm):
    """A rule's form with a sample to preview the rule on (not a field of the rule)."""

    sample = forms.CharField(
        label="کد نوسازی ملک نمونه برای پیش‌نمایش",
        required=False,
        max_length=24,
        help_text="مثلاً ۳-۱۲-۴۵-۰-۰؛ با دکمه «پیش‌نمایش» عوارض این ملک با این قاعده دیده می‌شود.",
    )
    sample_year = forms.IntegerField(
        label="سال نمونه",
        required=False,
        min_value=JALALI_YEARS[0],
        max_value=JALALI_YEARS[1],
    )
    preview: list[tuple[str, str]] | None = None

    def wants_preview(self) -> bool:
        return PREVIEW in self.data

    def sample_parcel(self) -> Parcel | None:
        code = to_ascii_digits(self.cleaned_data.get("sample") or "").strip()
        if not code:
            self.add_error("sample", "برای پیش‌نمایش، کد نوسازی ملک نمونه را بنویسید.")
            return None
        parcel = Parcel.objects.filter(renewal_code=code).first()
        if parcel is None:
            self.add_error("sample", "ملکی با این کد نوسازی پیدا نشد.")
        return parcel

    def year(self) -> int:
        return int(self.cleaned_data.get("sample_year") or jalali_year(timezone.localdate()))

    def lines(self, rule: Any) -> list[dues.Line]:
        raise NotImplementedError

    def _post_clean(self) -> None:
        super()._post_clean()  # type: ignore[misc]
        if not self.wants_preview() or self.errors:
            return
        try:
            lines = self.lines(self.instance)
        except ValidationError as error:
            self.add_error(None, error)
            return
        if self.errors:
            return
        self.preview = dues.describe(lines) or [("بدون عوارض", format_rials(0))]
        total = sum(line.amount for line in lines)
        self.preview.append(("جمع", format_rials(total)))
        self.add_error(None, PREVIEW_NOTICE)


class RenewalRuleForm(PreviewForm):
    class Meta:
        model = RenewalDuesRule
        fields = (
            "rate_bp", "value_basis", "valuation_percent", "early_discount_bp",
            "early_discount_until_month", *RULE_COMMON,
        )  # fmt: skip

    def lines(self, rule: Any) -> list[dues.Line]:
        parcel = self.sample_parcel()
        if parcel is None:
            return []
        year = self.year()
        return [dues.renewal_line(parcel, year, rule, timezone.localdate())]


class TransferRuleForm(PreviewForm):
    class Meta:
        model = TransferDuesRule
        fields = (
            "service_type", "basis", "rate_bp", "fixed_amount", "minimum_amount", *RULE_COMMON,
        )  # fmt: skip

    def lines(self, rule: Any) -> list[dues.Line]:
        parcel = self.sample_parcel()
        return [dues.transfer_line(parcel, rule)] if parcel else []


class TollRuleForm(PreviewForm):
    sample = forms.CharField(
        label="سال ساخت خودروی نمونه", required=False, max_length=4,
        help_text="سال ساخت شمسی؛ پیش‌نمایش عوارض سال نمونه و دیرکرد آن تا امسال را نشان می‌دهد.",
    )  # fmt: skip

    class Meta:
        model = VehicleTollRule
        fields = (
            "vehicle_class", "model_year_from", "model_year_to", "amount", "late_fee_bp",
            *RULE_COMMON,
        )  # fmt: skip

    def lines(self, rule: Any) -> list[dues.Line]:
        raw = to_ascii_digits(self.cleaned_data.get("sample") or "").strip()
        if not raw.isdigit() or not JALALI_YEARS[0] <= int(raw) <= JALALI_YEARS[1]:
            self.add_error("sample", "سال ساخت نمونه را چهار رقمی بنویسید (مثلاً ۱۳۹۸).")
            return []
        made = int(raw)
        if made < rule.model_year_from or (rule.model_year_to and made > rule.model_year_to):
            self.add_error("sample", "این سال ساخت در بازه این قاعده نیست.")
            return []
        return dues.toll_lines_for_year(rule, self.year(), jalali_year(timezone.localdate()))


class RuleAdmin(JalaliDatesMixin, PersianSearchMixin, admin.ModelAdmin):
    """Publish through do_publish_rule; once in force, only the last day changes."""

    change_form_template = "admin/billing/rule_change_form.html"
    search_fields = ("resolution",)

    def has_taken_effect(self, obj: DuesRule) -> bool:
        return obj.valid_from <= timezone.localdate()

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ()
        fields = [f for f in self.form._meta.fields or () if f != "valid_until"]
        return fields if self.has_taken_effect(obj) else ("valid_from",)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = list(self.form._meta.fields or ())
        if obj is None:
            fields.remove("valid_until")
        if obj is None or not self.has_taken_effect(obj):
            fields += ["sample", "sample_year"]
        return fields

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return (
            obj is not None
            and not self.has_taken_effect(obj)
            and super().has_delete_permission(request, obj)
        )

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if not change:
            adopt(obj, do_publish_rule(obj))
        elif self.has_taken_effect(obj):
            do_end_rule(obj, obj.valid_until)
        else:
            obj.full_clean()
            super().save_model(request, obj, form, change)


RULE_COLUMNS = (
    jalali_date("valid_from", "معتبر از"),
    jalali_date("valid_until", "معتبر تا"),
    "resolution",
)


@admin.register(RenewalDuesRule)
class RenewalDuesRuleAdmin(RuleAdmin):
    form = RenewalRuleForm
    list_display = ("__str__", "rate_label", "value_basis", "valuation_percent", *RULE_COLUMNS)
    list_filter = ("valid_from",)

    @admin.display(description="نرخ سالانه")
    def rate_label(self, obj: RenewalDuesRule) -> str:
        return f"{to_persian_digits(obj.rate_bp)} در ده‌هزار"


@admin.register(TransferDuesRule)
class TransferDuesRuleAdmin(RuleAdmin):
    form = TransferRuleForm
    list_display = (
        "service_type",
        "basis",
        "rate_bp",
        rials("minimum_amount", "حداقل"),
        *RULE_COLUMNS,
    )
    list_select_related = ("service_type",)
    list_filter = ("service_type", "basis")
    autocomplete_fields = ("service_type",)


@admin.register(VehicleTollRule)
class VehicleTollRuleAdmin(RuleAdmin):
    form = TollRuleForm
    list_display = ("vehicle_class", "model_year_from", "model_year_to", rials("amount", "عوارض"),
                    "late_fee_bp", *RULE_COLUMNS)  # fmt: skip
    list_filter = ("vehicle_class", "valid_from")


class VehicleForm(forms.ModelForm):
    plate = forms.CharField(label="پلاک", max_length=40, help_text="مثلاً ۱۲ ب ۳۴۵ ایران ۶۷")

    class Meta:
        model = Vehicle
        fields = ("vin", "vehicle_class", "model_year", "owner", "toll_paid_through")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and "plate" in self.fields:
            self.fields["plate"].initial = str(self.instance.plate)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if "plate" in self.fields and cleaned.get("plate"):
            try:
                plate = parse_plate(cleaned["plate"])
            except ValidationError as error:
                self.add_error("plate", error)
            else:
                self.instance.plate_two, self.instance.plate_letter = plate.two, plate.letter
                self.instance.plate_three, self.instance.plate_iran = plate.three, plate.iran
        return cleaned


@admin.register(Vehicle)
class VehicleAdmin(PersianSearchMixin, admin.ModelAdmin):
    """The registry: a new vehicle goes through do_register_vehicle (plate and VIN
    checked and normalised); the owner and the settled year may be corrected later."""

    form = VehicleForm
    list_display = ("plate_label", "vin", "vehicle_class", "model_year", "owner",
                    "toll_paid_through", demo_flag)  # fmt: skip
    list_select_related = ("owner",)
    list_filter = ("vehicle_class", "is_demo")
    search_fields = ("vin", "owner__national_id", "owner__last_name", "plate_three")
    autocomplete_fields = ("owner",)

    @admin.display(description="پلاک")
    def plate_label(self, obj: Vehicle) -> str:
        return str(obj.plate)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ("vin", "model_year") if obj else ()

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj:
            return ("vin", "vehicle_class", "model_year", "owner", "toll_paid_through")
        return ("plate", "vin", "vehicle_class", "model_year", "owner", "toll_paid_through")

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is not None:
            form.base_fields.pop("plate", None)
        return form

    def save_model(self, request: HttpRequest, obj: Vehicle, form: Any, change: bool) -> None:
        if change:
            obj.full_clean()
            super().save_model(request, obj, form, change)
            return
        adopt(
            obj,
            do_register_vehicle(
                plate=form.cleaned_data["plate"],
                vin=obj.vin,
                vehicle_class=obj.vehicle_class,
                model_year=obj.model_year,
                owner=obj.owner,
                toll_paid_through=obj.toll_paid_through,
            ),
        )


@admin.register(RenewalDuesAccount)
class RenewalDuesAccountAdmin(PersianSearchMixin, admin.ModelAdmin):
    list_display = (
        "parcel",
        persian_code("parcel__renewal_code", "کد نوسازی"),
        "paid_through_year",
    )
    list_select_related = ("parcel__district",)
    search_fields = ("parcel__renewal_code",)
    raw_id_fields = ("parcel",)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Bills, their lines and events and the ledger change only through the actions."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class BillLineInline(ReadOnlyInline):
    model = BillLine
    fields = readonly_fields = ("position", "title", "year", "amount", "basis")


class BillEventInline(ReadOnlyInline):
    model = BillEvent
    fields = readonly_fields = (
        "kind",
        "actor",
        "actor_role",
        "created_at",
        "before",
        "after",
        "reason",
    )


@admin.register(Bill)
class BillAdmin(PersianSearchMixin, ReadOnlyAdmin):
    list_display = (
        "bill_id_fa",
        "kind",
        "status",
        rials("total", "مبلغ"),
        jalali_datetime("issued_at", "زمان صدور"),
        jalali_date("due_on", "مهلت"),
        "office",
    )
    list_select_related = ("office",)
    list_filter = ("status", "kind", "office")
    search_fields = ("bill_id", "payment_id", "case__tracking_code", "parcel__renewal_code")
    inlines = (BillLineInline, BillEventInline)

    @admin.display(description="شناسه قبض", ordering="bill_id")
    def bill_id_fa(self, obj: Bill) -> str:
        return to_persian_digits(obj.bill_id)


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    list_display = ("kind", rials("amount", "مبلغ"), jalali_date("day", "روز"), "bill", "reference")
    list_select_related = ("bill",)
    list_filter = ("kind", "day")
