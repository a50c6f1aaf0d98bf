"""Forms of the case pages: in-person registration and the inspector's visit report.

Every field accepts Persian and Arabic-Indic digits. Forms only parse and show field
errors; every rule is decided again, and every write made, by the do_* actions
(registration is one action, ``do_register_case``)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from pishkhan.accounts.access import Principal
from pishkhan.accounts.models import Citizen
from pishkhan.cases.actions import (
    DUPLICATE_REASON_MAX_LENGTH,
    SERVICE_CHANGE_REASON_MAX_LENGTH,
    NewApplicant,
)
from pishkhan.cases.checklists import ChecklistSpec, clean_answers
from pishkhan.cases.fields import (
    FORM_PREFIX,
    PHOTO,
    FieldSpec,
    declared_fields,
    form_fields,
    posted_fields,
)
from pishkhan.cases.models import WorkflowDefinition, WorkflowState
from pishkhan.cases.parcel_lookup import ParcelQuery
from pishkhan.catalog.models import ServiceType, Tariff
from pishkhan.core.digits import (
    matches_words,
    normalize_persian_text,
    to_ascii_digits,
    to_persian_digits,
)
from pishkhan.core.forms import DATEPICKER_ATTRS
from pishkhan.core.jalali import parse_jalali_date
from pishkhan.core.national_id import national_id_error, normalize_national_id
from pishkhan.core.phone import normalize_mobile, validate_mobile
from pishkhan.core.postal import normalize_postal_code, validate_postal_code
from pishkhan.geo.models import Parcel
from pishkhan.offices.models import ContractStatus, Office, OfficeContract
from pishkhan.offices.roles import Role

REQUIRED = "این فیلد را پر کنید."
TIME_INPUT = re.compile(r"(\d{1,2})\s*:\s*(\d{2})")
SCAN_PREFIX = "scan-"
SCAN_ACCEPT = "application/pdf,image/jpeg,image/png,.pdf,.jpg,.jpeg,.png"
PHOTO_ACCEPT = "image/jpeg,image/png,.jpg,.jpeg,.png"
FILE_MESSAGES = {
    "required": "پرونده‌ای برای بارگذاری انتخاب نشده است.",
    "empty": "پرونده خالی است.",
    "invalid": "پرونده فرستاده نشد؛ دوباره انتخاب و بارگذاری کنید.",
    "missing": "پرونده فرستاده نشد؛ دوباره انتخاب و بارگذاری کنید.",
}


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files under one name (a document's pages, a visit's photos). The field
    only collects them: the file store decides what each one is."""

    def __init__(self, *, accept: str, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": accept}))
        kwargs.setdefault("error_messages", FILE_MESSAGES)
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        one = super().clean
        if isinstance(data, list | tuple):
            return [one(item, initial) for item in data if item]
        return [one(data, initial)] if data else []


def too_long(what: str, limit: int) -> dict[str, str]:
    """Django's own length message shows Latin digits; ours Persian ones."""
    return {"max_length": f"{what} حداکثر {to_persian_digits(limit)} نویسه است."}


def ascii_text(value: Any) -> str:
    return to_ascii_digits(str(value or "")).strip()


class DigitsIntegerField(forms.IntegerField):
    """A whole number typed in any digits (a number input would refuse Persian ones)."""

    widget = forms.TextInput

    def to_python(self, value: Any) -> int | None:
        return super().to_python(ascii_text(value).replace(",", "").replace("٬", ""))


class DigitsDecimalField(forms.DecimalField):
    widget = forms.TextInput

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        text = ascii_text(value).replace(",", "").replace("٬", "").replace("٫", ".")
        return super().to_python(text)


# --- registration ---------------------------------------------------------------------


@dataclass(frozen=True)
class Offering:
    """A service the technical manager may register here: its active definition."""

    service: ServiceType
    initial: WorkflowState  # the definition's initial state, its definition joined
    office_ids: frozenset[int]

    @property
    def definition(self) -> WorkflowDefinition:
        return self.initial.definition

    def required_documents(self) -> list[str]:
        return list(self.initial.documents_required)


def registration_offices(principal: Principal) -> list[Office]:
    ids = principal.office_ids(Role.TECHNICAL_MANAGER)
    return list(Office.objects.filter(id__in=ids).order_by("name"))


def offerings(offices: list[Office]) -> dict[str, Offering]:
    """The services with an active workflow a technical manager may open, that an active
    contract of one of these offices covers today. Three queries."""
    contracts = (
        OfficeContract.objects.in_force(timezone.localdate())
        .filter(office__in=offices, status=ContractStatus.ACTIVE)
        .values_list("office_id", "services")
    )
    scope: dict[int, set[int]] = {}
    for office_id, service_id in contracts:
        if service_id is not None:
            scope.setdefault(service_id, set()).add(office_id)
    initial_states = (
        WorkflowState.objects.filter(
            is_initial=True,
            definition__is_active=True,
            definition__service_type_id__in=scope,
            definition__service_type__is_active=True,
        )
        .select_related("definition__service_type__parent")
        .order_by("definition__service_type__sort_order", "definition__service_type__name")
    )
    return {
        s.definition.service_type.code: Offering(
            s.definition.service_type, s, frozenset(scope[s.definition.service_type_id])
        )
        for s in initial_states
        if Role.TECHNICAL_MANAGER in s.definition.open_roles
    }


SERVICE_QUERY_MAX_LENGTH = 100


class ServiceSearchForm(forms.Form):
    """Words of a service's name or description, as typed at the counter."""

    q = forms.CharField(
        label="جست‌وجوی خدمت",
        required=False,
        max_length=SERVICE_QUERY_MAX_LENGTH,
        help_text="بخشی از نام خدمت، مثلاً «پایان کار» یا «تمدید»",
        error_messages={
            "max_length": "عبارت جست‌وجو حداکثر ۱۰۰ نویسه است.",
            "null_characters_not_allowed": "عبارت جست‌وجو نویسهٔ نامعتبر دارد.",
        },
    )


@dataclass(frozen=True)
class ServiceCard:
    """What the technical manager sees of a service before starting: its documents and
    the fee of the tariff in force today."""

    offering: Offering
    documents: list[tuple[str, bool]]  # (title, required)
    tariff: Tariff | None


def service_cards(offered: dict[str, Offering], query: str) -> list[ServiceCard]:
    """The offered services whose name, group, description or code has every word of
    `query` (all of them for an empty query), with today's tariffs: one query."""
    chosen = [
        o
        for o in offered.values()
        if matches_words(
            query,
            " ".join(
                [
                    o.service.name,
                    o.service.get_category_display(),
                    o.service.parent.name if o.service.parent else "",
                    o.service.description,
                    o.service.code.replace("_", " "),
                ]
            ),
        )
    ]
    tariffs = {
        t.service_type_id: t
        for t in Tariff.objects.in_force(timezone.localdate()).filter(
            service_type_id__in=[o.service.pk for o in chosen]
        )
    }
    return [
        ServiceCard(
            o,
            [
                (title, code in o.initial.documents_required)
                for code, title in o.definition.documents.items()
            ],
            tariffs.get(o.service.pk),
        )
        for o in chosen
    ]


class RegistrationForm(forms.Form):
    """The case, the applicant (found by national ID, or registered here), the parcel (by
    renewal code, registration plate or postal code: every one given must name the same
    parcel), the service's declared fields (cases/fields.py), after the document
    checklist; and why, if the parcel already has an open case of the service."""

    office = forms.ChoiceField(label="دفتر", error_messages={"required": REQUIRED})
    national_id = forms.CharField(
        label="کد ملی متقاضی", max_length=20, error_messages={"required": REQUIRED}
    )
    first_name = forms.CharField(label="نام", max_length=60, required=False)
    last_name = forms.CharField(label="نام خانوادگی", max_length=80, required=False)
    mobile = forms.CharField(label="تلفن همراه", max_length=20, required=False)
    renewal_code = forms.CharField(label="کد نوسازی", max_length=40, required=False)
    registration_section = DigitsIntegerField(label="بخش ثبتی", required=False, min_value=1)
    plate_main = DigitsIntegerField(label="پلاک اصلی", required=False, min_value=1)
    plate_sub = DigitsIntegerField(label="پلاک فرعی", required=False, min_value=0)
    postal_code = forms.CharField(
        label="کد پستی", max_length=20, required=False, error_messages=too_long("کد پستی", 20)
    )
    documents = forms.MultipleChoiceField(
        label="مدارک بررسی‌شده", required=False, widget=forms.CheckboxSelectMultiple
    )
    duplicate_reason = forms.CharField(
        label="علت ثبت پرونده دیگر برای همین ملک",
        max_length=DUPLICATE_REASON_MAX_LENGTH,
        error_messages=too_long("علت", DUPLICATE_REASON_MAX_LENGTH),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="فقط وقتی لازم است که این ملک پرونده باز دیگری از همین خدمت دارد.",
    )

    def __init__(
        self, *args: Any, offering: Offering, offices: list[Office], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.offering = offering
        self.required_documents = offering.required_documents()
        allowed = [o for o in offices if o.pk in offering.office_ids]
        self.offices = allowed
        office = self.fields["office"]
        documents = self.fields["documents"]
        assert isinstance(office, forms.ChoiceField)
        assert isinstance(documents, forms.MultipleChoiceField)
        office.choices = [(str(o.pk), o.name) for o in allowed]
        office.error_messages["invalid_choice"] = "این خدمت در قرارداد این دفتر نیست."
        if len(allowed) == 1:
            office.initial = str(allowed[0].pk)
            office.widget = forms.HiddenInput()
        documents.choices = [
            (code, f"{title} (الزامی)" if code in self.required_documents else title)
            for code, title in offering.definition.documents.items()
        ]
        self.declared: tuple[FieldSpec, ...] = declared_fields(offering.definition)
        self.fields.update(form_fields(self.declared))
        for code, title in offering.definition.documents.items():
            self.fields[f"{SCAN_PREFIX}{code}"] = MultipleFileField(
                label=f"اسکن {title}", required=False, accept=SCAN_ACCEPT
            )
        self.citizen: Citizen | None = None
        self.parcel: Parcel | None = None
        self.duplicate_warning = ""
        for name in ("national_id", "mobile", "renewal_code", "postal_code"):
            self.fields[name].widget.attrs.update({"inputmode": "numeric", "dir": "ltr"})

    @property
    def declared_inputs(self) -> list[forms.BoundField]:
        return [self[f"{FORM_PREFIX}{spec.code}"] for spec in self.declared]

    @property
    def document_rows(self) -> list[tuple[Any, forms.BoundField]]:
        """Each document's checkbox beside the input for its scans."""
        boxes = list(self["documents"])
        codes = list(self.offering.definition.documents)
        return [(box, self[f"{SCAN_PREFIX}{code}"]) for box, code in zip(boxes, codes, strict=True)]

    @property
    def asks_duplicate_reason(self) -> bool:
        return bool(self.duplicate_warning or self["duplicate_reason"].value())

    def clean_national_id(self) -> str:
        raw = self.cleaned_data["national_id"]
        error = national_id_error(raw)
        if error:
            raise ValidationError(error, code="invalid_national_id")
        return normalize_national_id(raw)

    def clean_documents(self) -> list[str]:
        checked: list[str] = self.cleaned_data["documents"]
        missing = [c for c in self.required_documents if c not in checked]
        if missing:
            titles = "، ".join(self.offering.definition.documents.get(c, c) for c in missing)
            raise ValidationError(f"مدارک الزامی بررسی نشده است: {titles}", code="documents")
        return checked

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "national_id" in data:
            self.citizen = Citizen.objects.filter(national_id=data["national_id"]).first()
            if self.citizen is None:
                self._check_new_applicant(data)
        self.parcel = self._find_parcel(data)
        return data

    def _check_new_applicant(self, data: dict[str, Any]) -> None:
        for name in ("first_name", "last_name", "mobile"):
            if not normalize_persian_text(data.get(name) or ""):
                self.add_error(name, "متقاضی با این کد ملی ثبت نشده است؛ این فیلد را پر کنید.")
        if data.get("mobile"):
            try:
                validate_mobile(normalize_mobile(data["mobile"]))
            except ValidationError as error:
                self.add_error("mobile", error)

    def _find_parcel(self, data: dict[str, Any]) -> Parcel | None:
        """The parcel every identifier given names; never one of two that disagree."""
        found = [hit for hit in self._parcels_named(data) if hit is not None]
        if len({parcel.pk for _, parcel in found}) > 1:
            named = "، ".join(f"{what}: پلاک {parcel.plate_label}" for what, parcel in found)
            self.add_error(
                None,
                f"شناسه‌های واردشده به املاک متفاوتی اشاره می‌کنند ({named})؛ "
                "شناسه نادرست را اصلاح یا پاک کنید.",
            )
            return None
        if found:
            return found[0][1]
        asked = ("renewal_code", "registration_section", "plate_main", "postal_code")
        if self.offering.service.requires_parcel and not any(self.has_error(n) for n in asked):
            self.add_error(
                "renewal_code", "ملک را با کد نوسازی، بخش و پلاک ثبتی یا کد پستی مشخص کنید."
            )
        return None

    def _parcels_named(self, data: dict[str, Any]) -> list[tuple[str, Parcel] | None]:
        """(what, parcel) for each identifier typed; a field error for one not found."""
        hits: list[tuple[str, Parcel] | None] = []
        code = ascii_text(data.get("renewal_code"))
        if code:
            parcel = Parcel.objects.filter(renewal_code=code).first()
            if parcel is None:
                self.add_error("renewal_code", "ملکی با این کد نوسازی پیدا نشد.")
            hits.append(("کد نوسازی", parcel) if parcel else None)
        section, main = data.get("registration_section"), data.get("plate_main")
        if main and not section:
            self.add_error("registration_section", "بخش ثبتی پلاک را هم وارد کنید.")
        elif section and main:
            parcel = Parcel.objects.filter(
                registration_section=section, plate_main=main, plate_sub=data.get("plate_sub") or 0
            ).first()
            if parcel is None:
                self.add_error("plate_main", "ملکی با این پلاک ثبتی پیدا نشد.")
            hits.append(("پلاک ثبتی", parcel) if parcel else None)
        postal = normalize_postal_code(data.get("postal_code") or "")
        if postal:
            hits.append(self._by_postal_code(postal))
        return hits

    def _by_postal_code(self, postal: str) -> tuple[str, Parcel] | None:
        try:
            validate_postal_code(postal)
        except ValidationError as error:
            self.add_error("postal_code", error)
            return None
        parcel = Parcel.objects.filter(postal_code=postal).first()
        if parcel is None:
            self.add_error("postal_code", "ملکی با این کد پستی پیدا نشد.")
            return None
        return ("کد پستی", parcel)

    def chosen_office(self) -> Office:
        return next(o for o in self.offices if o.pk == int(self.cleaned_data["office"]))

    def intent(self) -> dict[str, Any]:
        """The keyword arguments of do_register_case for what was typed."""
        data = self.cleaned_data
        applicant: Citizen | NewApplicant = self.citizen or NewApplicant(
            data["national_id"], data["first_name"], data["last_name"], data["mobile"]
        )
        return {
            "service_type": self.offering.service,
            "office": self.chosen_office(),
            "applicant": applicant,
            "parcel": self.parcel,
            "documents_checked": list(data["documents"]),
            "data": self.application_data(),
            "duplicate_reason": data.get("duplicate_reason") or "",
            "scans": {
                code: data[f"{SCAN_PREFIX}{code}"]
                for code in self.offering.definition.documents
                if data.get(f"{SCAN_PREFIX}{code}")
            },
        }

    def application_data(self) -> dict[str, Any]:
        """The declared fields' values as the form read them (the action reads again)."""
        values = {s.code: self.cleaned_data.get(f"{FORM_PREFIX}{s.code}") for s in self.declared}
        return {code: value for code, value in values.items() if value is not None}

    def show_field_errors(self, errors: dict[str, list[str]]) -> None:
        """The action's refusals of declared fields, next to their inputs."""
        known = {s.code for s in self.declared}
        for code, messages in errors.items():
            self.add_error(f"{FORM_PREFIX}{code}" if code in known else None, messages)


# --- finding a parcel -----------------------------------------------------------------

PLATE_INPUT = re.compile(r"^(\d{1,9})(?:\s*/\s*(\d{1,9}))?$")
SERVICE_CODE = re.compile(r"^[a-z][a-z0-9_]{1,39}$")
ADDRESS_WORDS_MAX = 5


COORDINATE_MESSAGES = {
    "invalid": "مختصات را با رقم و ممیز وارد کنید، مثلاً ۳۲٫۶۵۴۶.",
    "min_value": "مختصات بیرون از بازهٔ مجاز است.",
    "max_value": "مختصات بیرون از بازهٔ مجاز است.",
    "max_digits": "مختصات بیش از اندازه رقم دارد.",
    "max_decimal_places": "مختصات حداکثر شش رقم اعشار دارد.",
    "max_whole_digits": "مختصات بیرون از بازهٔ مجاز است.",
}


class ParcelLookupForm(forms.Form):
    """The parcel search of the registration page (GET): any of the four, at least one."""

    plate = forms.CharField(
        label="پلاک ثبتی (اصلی/فرعی)",
        max_length=30,
        error_messages=too_long("پلاک", 30),
        required=False,
        help_text="مثلاً ۱۲۳ یا ۱۲۳/۴؛ بخشی از پلاک اصلی هم کافی است.",
    )
    postal_code = forms.CharField(
        label="کد پستی", max_length=20, required=False, error_messages=too_long("کد پستی", 20)
    )
    renewal_code = forms.CharField(
        label="کد نوسازی",
        max_length=40,
        required=False,
        error_messages=too_long("کد نوسازی", 40),
    )
    address = forms.CharField(
        label="نشانی", max_length=120, required=False, error_messages=too_long("نشانی", 120)
    )
    lat = DigitsDecimalField(
        label="عرض جغرافیایی",
        required=False,
        max_digits=9,
        decimal_places=6,
        min_value=-90,
        max_value=90,
        error_messages=COORDINATE_MESSAGES,
    )
    lng = DigitsDecimalField(
        label="طول جغرافیایی",
        required=False,
        max_digits=9,
        decimal_places=6,
        min_value=-180,
        max_value=180,
        error_messages=COORDINATE_MESSAGES,
    )
    service = forms.CharField(max_length=40, required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # its own ids: the registration form beside it has a renewal and postal code too
        kwargs.setdefault("auto_id", "lookup_%s")
        super().__init__(*args, **kwargs)
        for name in ("plate", "postal_code", "renewal_code"):
            self.fields[name].widget.attrs.update({"inputmode": "numeric", "dir": "ltr"})
        for name in ("lat", "lng"):
            self.fields[name].widget = forms.TextInput(
                attrs={"inputmode": "decimal", "dir": "ltr", "maxlength": "12"}
            )

    def clean_plate(self) -> tuple[str, int | None] | None:
        raw = ascii_text(self.cleaned_data["plate"])
        if not raw:
            return None
        match = PLATE_INPUT.match(raw)
        if not match:
            raise ValidationError("پلاک را به شکل اصلی یا اصلی/فرعی با رقم وارد کنید.")
        return str(int(match[1])), int(match[2]) if match[2] is not None else None

    def clean_postal_code(self) -> str:
        raw = ascii_text(self.cleaned_data["postal_code"]).replace("-", "").replace(" ", "")
        if raw and not raw.isdigit():
            raise ValidationError("کد پستی فقط رقم است.")
        return raw

    def clean_renewal_code(self) -> str:
        raw = ascii_text(self.cleaned_data["renewal_code"]).replace(" ", "")
        if raw and not re.fullmatch(r"[\d-]+", raw):
            raise ValidationError("کد نوسازی فقط رقم و خط تیره است.")
        return raw

    def clean_address(self) -> tuple[str, ...]:
        words = [w for w in normalize_persian_text(self.cleaned_data["address"]).split() if w]
        if any(len(w) < 2 for w in words) or len(words) > ADDRESS_WORDS_MAX:
            raise ValidationError("تا پنج واژه نشانی، هر کدام دست‌کم دو حرف، وارد کنید.")
        return tuple(words)

    def clean_service(self) -> str:
        code = self.cleaned_data["service"]
        return code if SERVICE_CODE.match(code or "") else ""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        asked = ("plate", "postal_code", "renewal_code", "address")
        near = [data.get("lat"), data.get("lng")]
        if not self.errors and (near[0] is None) != (near[1] is None):
            raise ValidationError("برای جست‌وجو روی نقشه، هر دو مختصات نقطه لازم است.")
        if not self.errors and not any(data.get(name) for name in asked) and near[0] is None:
            raise ValidationError(
                "پلاک، کد پستی، کد نوسازی یا نشانی ملک را وارد کنید، یا نقطه‌ای روی نقشه برگزینید."
            )
        return data

    def query(self) -> ParcelQuery:
        data = self.cleaned_data
        main, sub = data["plate"] or ("", None)
        return ParcelQuery(
            plate_main=main,
            plate_sub=sub,
            postal_code=data["postal_code"],
            renewal_code=data["renewal_code"],
            words=data["address"],
            near=(data["lat"], data["lng"]) if data.get("lat") is not None else None,
        )


def registration_prefill(query: Any) -> dict[str, str]:
    """The parcel a lookup chose, carried to the registration form by its renewal code
    (never a person's data); anything that is not a renewal code is dropped."""
    code = ascii_text(query.get("renewal_code", ""))[:24]
    return {"renewal_code": code} if re.fullmatch(r"\d{1,2}(-\d{1,4}){4}", code) else {}


# --- visit report ---------------------------------------------------------------------


class VisitReportForm(forms.Form):
    """The inspector's visit report: when, then the items of the checklist the case's
    step names, drawn from its declaration (``field_<code>``; a photo item is a file
    input taking several photos). The form only reads what was posted (bounded, no NUL
    byte); `do_record_visit_report` checks the answers against the declaration."""

    version = DigitsIntegerField(widget=forms.HiddenInput())
    visited_on = forms.CharField(
        label="تاریخ بازدید",
        max_length=12,
        help_text="سال/ماه/روز شمسی، مثلاً ۱۴۰۵/۰۹/۰۷",
        error_messages={"required": REQUIRED},
    )
    visited_time = forms.CharField(
        label="ساعت بازدید",
        max_length=5,
        help_text="ساعت:دقیقه، مثلاً ۱۰:۳۰",
        error_messages={"required": REQUIRED},
    )

    def __init__(self, *args: Any, checklist: ChecklistSpec | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.checklist = checklist
        for name in ("visited_on", "visited_time"):
            self.fields[name].widget.attrs.update({"inputmode": "numeric", "dir": "ltr"})
        self.fields["visited_on"].widget.attrs.update({**DATEPICKER_ATTRS, "autocomplete": "off"})
        items = checklist.items if checklist else ()
        answered = posted_fields(i for i in items if i.type != PHOTO)
        for spec in items:
            name = f"{FORM_PREFIX}{spec.code}"
            if spec.type == PHOTO:
                self.fields[name] = photo_input(spec)
            else:
                self.fields[name] = answered[name]

    def item_fields(self) -> list[tuple[FieldSpec, Any]]:
        """(item, bound field) in declaration order, for the template."""
        items = self.checklist.items if self.checklist else ()
        return [(spec, self[f"{FORM_PREFIX}{spec.code}"]) for spec in items]

    def clean_visited_on(self) -> dt.date:
        return parse_jalali_date(self.cleaned_data["visited_on"])

    def clean_visited_time(self) -> dt.time:
        raw = ascii_text(self.cleaned_data["visited_time"])
        match = TIME_INPUT.fullmatch(raw)
        try:
            return dt.time(int(match[1]), int(match[2])) if match else dt.time(99)
        except ValueError:
            raise ValidationError("ساعت را به شکل ساعت:دقیقه وارد کنید.", code="time") from None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        day, moment = data.get("visited_on"), data.get("visited_time")
        if isinstance(day, dt.date) and isinstance(moment, dt.time):
            visited_at = timezone.make_aware(dt.datetime.combine(day, moment))
            if visited_at > timezone.now():
                self.add_error("visited_on", "زمان بازدید نمی‌تواند در آینده باشد.")
            data["visited_at"] = visited_at
        if not self.errors:
            return data
        # the time is wrong: say at once what the action would say of the answers too
        fields = self.report_fields(data)
        counts = {code: len(files) for code, files in fields["photos"].items()}
        try:
            clean_answers(self.checklist, fields["answers"], counts)
        except ValidationError as error:
            self.add_action_errors(error.message_dict)
        return data

    def report_fields(self, data: dict[str, Any] | None = None) -> dict[str, Any]:
        data = self.cleaned_data if data is None else data
        items = self.checklist.items if self.checklist else ()
        return {
            "visited_at": data.get("visited_at"),
            "answers": {
                s.code: data.get(f"{FORM_PREFIX}{s.code}") for s in items if s.type != PHOTO
            },
            "photos": {
                s.code: data.get(f"{FORM_PREFIX}{s.code}") or [] for s in items if s.type == PHOTO
            },
        }

    def add_action_errors(self, errors: dict[str, list[str]]) -> None:
        """`do_record_visit_report`'s refusals, each on its input."""
        for key, problems in errors.items():
            name = "visited_on" if key == "visited_at" else f"{FORM_PREFIX}{key}"
            field = name if name in self.fields else None
            if field is None or field not in self.errors:
                self.add_error(field, problems)


def photo_input(spec: FieldSpec) -> MultipleFileField:
    """A photo item's input: several photos, taken with the phone's camera."""
    need = spec.photos_min
    hint = spec.help or "عکس (JPEG یا PNG)"
    if need:
        hint = f"{hint} — دست‌کم {to_persian_digits(need)} عکس."
    field = MultipleFileField(label=spec.label, required=False, accept=PHOTO_ACCEPT, help_text=hint)
    if need:
        field.widget.attrs["aria-required"] = "true"
    return field


class ServiceChangeForm(forms.Form):
    """A case registered under the wrong service, moved to `offering`'s: the new
    service's checklist and declared fields (prefilled from the case where they match)
    and why."""

    version = forms.IntegerField(widget=forms.HiddenInput, error_messages={"required": REQUIRED})
    documents = forms.MultipleChoiceField(
        label="مدارک بررسی‌شده", required=False, widget=forms.CheckboxSelectMultiple
    )
    reason = forms.CharField(
        label="علت تغییر خدمت",
        max_length=SERVICE_CHANGE_REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={
            "required": "علت تغییر خدمت را بنویسید.",
            **too_long("علت", SERVICE_CHANGE_REASON_MAX_LENGTH),
        },
    )
    duplicate_reason = forms.CharField(
        label="علت ثبت پرونده دیگر برای همین ملک",
        max_length=DUPLICATE_REASON_MAX_LENGTH,
        error_messages=too_long("علت", DUPLICATE_REASON_MAX_LENGTH),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="فقط وقتی لازم است که این ملک پرونده باز دیگری از خدمت تازه دارد.",
    )

    def __init__(self, *args: Any, offering: Offering, case: Any, **kwargs: Any) -> None:
        definition = offering.definition
        declared = declared_fields(definition)
        initial = {
            "version": case.version,
            "documents": [c for c in case.documents_checked if c in definition.documents],
            **{
                f"{FORM_PREFIX}{spec.code}": case.data[spec.code]
                for spec in declared
                if spec.code in (case.data or {})
            },
        }
        kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        self.offering = offering
        self.declared: tuple[FieldSpec, ...] = declared
        self.required_documents = offering.required_documents()
        documents = self.fields["documents"]
        assert isinstance(documents, forms.MultipleChoiceField)
        documents.choices = [
            (code, f"{title} (الزامی)" if code in self.required_documents else title)
            for code, title in definition.documents.items()
        ]
        self.fields.update(form_fields(declared))
        self.duplicate_warning = ""

    @property
    def declared_inputs(self) -> list[forms.BoundField]:
        return [self[f"{FORM_PREFIX}{spec.code}"] for spec in self.declared]

    @property
    def asks_duplicate_reason(self) -> bool:
        return bool(self.duplicate_warning or self["duplicate_reason"].value())

    def intent(self) -> dict[str, Any]:
        """The keyword arguments of do_change_service after the case and its version."""
        data = self.cleaned_data
        values = {s.code: data.get(f"{FORM_PREFIX}{s.code}") for s in self.declared}
        return {
            "service_type": self.offering.service,
            "reason": data["reason"],
            "documents_checked": list(data["documents"]),
            "data": {code: value for code, value in values.items() if value is not None},
            "duplicate_reason": data.get("duplicate_reason") or "",
        }

    def show_field_errors(self, errors: dict[str, list[str]]) -> None:
        known = {s.code for s in self.declared}
        for code, messages in errors.items():
            self.add_error(f"{FORM_PREFIX}{code}" if code in known else None, messages)


class ScanForm(forms.Form):
    """A scan of one document of the case page's checklist:
    `do_attach_document_scan(user, case, version, document, file)`."""

    version = DigitsIntegerField(
        widget=forms.HiddenInput(),
        error_messages={
            "required": "نسخه پرونده در فرم نیست؛ صفحه را دوباره بارگذاری کنید.",
            "invalid": "نسخه پرونده در فرم نیست؛ صفحه را دوباره بارگذاری کنید.",
        },
    )
    document = forms.CharField(
        max_length=60,
        error_messages={
            "required": "مدرکی انتخاب نشده است؛ صفحه را دوباره بارگذاری کنید.",
            "max_length": "این مدرک شناخته نیست.",
            "null_characters_not_allowed": "این مدرک شناخته نیست.",
        },
    )
    file = forms.FileField(label="اسکن مدرک", error_messages=FILE_MESSAGES)

    def first_error(self) -> str:
        return next((str(e) for errors in self.errors.values() for e in errors), "")


class PhotoForm(ScanForm):
    """One more photo for a visit report: `do_attach_visit_photo(user, case, version,
    report, file)`."""

    document = None  # type: ignore[assignment]
    report = DigitsIntegerField(
        widget=forms.HiddenInput(),
        error_messages={
            "required": "گزارش بازدید مشخص نیست؛ صفحه را دوباره بارگذاری کنید.",
            "invalid": "گزارش بازدید مشخص نیست؛ صفحه را دوباره بارگذاری کنید.",
        },
    )
    file = forms.FileField(label="عکس بازدید", error_messages=FILE_MESSAGES)
    # the photo item of the report's checklist (checked by the action against it)
    item = forms.CharField(required=False, max_length=40)
