"""Declared application fields: what a service asks at registration beyond the applicant,
the parcel and the checklist (a notary's letter number, a bank's branch …).

A definition declares them as data (``"fields": [...]``, see docs/workflow.md); this
module is the one place that reads a declaration, checks a posted value against it and
shows a stored value. The loader refuses a bad declaration (`parse_fields`); the
registration action validates every posted value with `clean_values`, so a page, a
command and the API get the same answers; the form builds its inputs with `form_field`,
whose cleaning calls the same `clean_value`; the case page and the receipt show values
with `display_rows`.

An inspection checklist's items are declared fields too (`Declaration`, used by
cases/checklists.py): the same keys and code, with more types (`LIST_TYPES`, `PHOTO`)
and longer texts.

A text field may name a ``"check"`` another app registers (`field_check`): it reads the
field's value with all the other values cleaned (a drawn route against the declared
length) and returns the value to store, and shows it (`FieldCheck.display`). The loader
refuses a name nobody registered.

Stored values (``Case.data``) are normalised: ASCII digits, Persian letters for Arabic
look-alikes, dates as ISO strings (Gregorian), decimals as strings, integers as numbers.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from pishkhan.core.digits import normalize_persian_text, to_ascii_digits, to_persian_digits
from pishkhan.core.forms import DATEPICKER_ATTRS, JALALI_PLACEHOLDER
from pishkhan.core.jalali import JALALI_YEARS, format_jalali_date, parse_jalali_date
from pishkhan.core.money import group_digits

TYPES = ("text", "integer", "decimal", "date", "choice", "bool")
# the types an inspection checklist may use as well (cases/checklists.py): a list of short
# texts one per line, several choices, and photos (files, counted: never a posted value)
LIST_TYPES = ("lines", "multichoice")
PHOTO = "photo"
CHECKLIST_TYPES = (*TYPES, *LIST_TYPES, PHOTO)
TYPE_LABELS = {
    "text": "متن",
    "integer": "عدد صحیح",
    "decimal": "عدد",
    "date": "تاریخ",
    "choice": "گزینه",
    "bool": "بله/خیر",
    "lines": "فهرست سطرها",
    "multichoice": "چند گزینه",
    "photo": "عکس",
}
KEYS = frozenset(
    {"code", "label", "type", "required", "max_length", "min", "max", "unit", "choices"}
    | {"help", "searchable", "check"}
)
CODE = re.compile(r"^[a-z][a-z0-9_]{1,39}$")
TODAY = "today"  # a date bound: the day of the registration
TEXT_MAX_LENGTH = 1000  # the most a declaration may allow a text field
CHECKLIST_TEXT_MAX_LENGTH = 4000  # an inspector's notes may be longer
LINES_MAX = 50  # lines of a "lines" value
LINE_MAX_LENGTH = 300  # characters of one line (the most a "lines" item may allow)
PHOTOS_MAX = 20  # the most photos a "photo" item may ask for
TEXT_DEFAULT_LENGTH = 200
FIELDS_MAX = 40
INPUT_MAX_LENGTH = 2000  # any posted value longer than this is refused before reading
INTEGER_LIMIT = 10**15
DECIMAL_PLACES = 4
_DECIMAL_INPUT = re.compile(r"^[+-]?\d{1,15}(\.\d{1,4})?$")
_ISO_DATE = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})\s*$")
TRUE = frozenset({"on", "true", "1", "yes", "بله"})
FALSE = frozenset({"", "off", "false", "0", "no", "خیر"})


@dataclass(frozen=True)
class FieldSpec:
    code: str
    label: str
    type: str
    required: bool = False
    max_length: int | None = None
    min: Any = None  # a number (integer, decimal) or "today"/an ISO date (date)
    max: Any = None
    unit: str = ""
    choices: tuple[tuple[str, str], ...] = ()
    help: str = ""
    searchable: bool = False
    check: str = ""  # a registered FieldCheck (text fields only)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["choices"] = [list(pair) for pair in self.choices]
        if not self.check:  # the stored documents of fields without one stay as they were
            del data["check"]
        return data

    @property
    def length(self) -> int:
        if self.type == "lines":
            return self.max_length or LINE_MAX_LENGTH
        return self.max_length or TEXT_DEFAULT_LENGTH

    @property
    def multiline(self) -> bool:
        """A text longer than a line: drawn as a box, keeps its line breaks."""
        return self.type == "text" and self.length > LINE_MAX_LENGTH

    @property
    def photos_min(self) -> int:
        """The photos a "photo" item needs (``"min"``; ``"required"`` means one)."""
        return max(self.min or 0, 1 if self.required else 0)

    @property
    def input_limit(self) -> int:
        """The longest posted text read at all (longer is refused before reading)."""
        if self.type == "lines":
            return LINES_MAX * (self.length + 2)
        if self.type == "text":
            return max(INPUT_MAX_LENGTH, self.length + 200)
        return INPUT_MAX_LENGTH

    def choice_label(self, code: str) -> str:
        return dict(self.choices).get(code, code)


def problem(message: str, code: str) -> ValidationError:
    return ValidationError(message, code=code)


# --- checks other apps register -------------------------------------------------------


@dataclass(frozen=True)
class FieldCheck:
    """`clean(value, values)` returns the value to store or raises a ValidationError
    with a Persian message; `values` are the other fields, cleaned. `display(value)` is
    what a person reads."""

    clean: Callable[[str, Mapping[str, Any]], str]
    display: Callable[[str], str]
    # the input's extra attributes (a map editor's settings) and the script that reads
    # them, which the form's media carries to the page
    attrs: Callable[[], dict[str, str]] | None = None
    script: str = ""


class CheckedInput(forms.TextInput):
    """The input of a field with a check: its script comes with the form's media."""

    def __init__(self, script: str = "", attrs: dict[str, Any] | None = None) -> None:
        self.script = script
        super().__init__(attrs)

    @property
    def media(self) -> forms.Media:
        return forms.Media(js=[self.script] if self.script else [])


_CHECKS: dict[str, FieldCheck] = {}


def field_check(name: str, check: FieldCheck) -> FieldCheck:
    """Register `check` under `name`; a second, different registration is a bug."""
    if name in _CHECKS and _CHECKS[name] != check:
        raise ValueError(f"field check {name!r} is already registered")
    _CHECKS[name] = check
    return check


def registered_checks() -> frozenset[str]:
    return frozenset(_CHECKS)


# --- the declaration ------------------------------------------------------------------


@dataclass(frozen=True)
class Declaration:
    """What a list of declared fields may hold: registration's `fields` (the default) or
    an inspection checklist's `items` (more types, longer texts), and how its problems
    name where they are."""

    key: str = "fields"
    kinds: tuple[str, ...] = TYPES
    text_max: int = TEXT_MAX_LENGTH
    owner: str = ""  # prefixed to every problem, e.g. "چک‌لیست «x»: "
    keys: frozenset[str] = KEYS


FIELDS = Declaration()


def parse_fields(
    raw: Any, declaration: Declaration = FIELDS
) -> tuple[tuple[FieldSpec, ...], list[ValidationError]]:
    """The declared fields of a definition document and every problem with them."""
    if raw is None:
        return (), []
    owner = declaration.owner
    if not isinstance(raw, list) or len(raw) > FIELDS_MAX:
        return (), [
            problem(
                f"{owner}«{declaration.key}» باید فهرستی از حداکثر ۴۰ فیلد باشد (list).", "format"
            )
        ]
    found: list[ValidationError] = []
    specs: list[FieldSpec] = []
    seen: set[str] = set()
    for item in raw:
        spec = _parse_field(item, found, declaration)
        if spec is None:
            continue
        if spec.code in seen:
            found.append(
                problem(
                    f"{owner}فیلد «{spec.code}» دو بار تعریف شده است (duplicate field).",
                    "duplicate",
                )
            )
        seen.add(spec.code)
        specs.append(spec)
    return tuple(specs), found


def _parse_field(
    raw: Any, found: list[ValidationError], declaration: Declaration
) -> FieldSpec | None:
    owner = declaration.owner
    if not isinstance(raw, dict):
        found.append(problem(f"{owner}هر فیلد باید یک شیء JSON باشد (field object).", "format"))
        return None
    code = raw.get("code")
    if not isinstance(code, str) or not CODE.match(code):
        found.append(problem(f"{owner}کد فیلد «{code}» نامعتبر است (bad field code).", "bad_code"))
        return None
    where = f"{owner}فیلد «{code}»"
    start = len(found)
    check_keys(raw, declaration.keys, where, found)
    kind = raw.get("type")
    if kind not in declaration.kinds:
        kinds = ", ".join(declaration.kinds)
        found.append(
            problem(
                f"{where}: نوع «{kind}» شناخته نیست؛ یکی از {kinds} (unknown type).",
                "field_type",
            )
        )
        return None
    label = _words(raw, "label", where, found, required=True)
    spec = FieldSpec(
        code=code,
        label=label,
        type=kind,
        required=_flag(raw, "required", where, found),
        max_length=_max_length(raw.get("max_length"), kind, where, found, declaration.text_max),
        min=raw.get("min"),
        max=raw.get("max"),
        unit=_words(raw, "unit", where, found),
        choices=_choices(raw.get("choices"), kind, where, found),
        help=_words(raw, "help", where, found),
        searchable=_flag(raw, "searchable", where, found),
        check=_check_name(raw.get("check"), kind, where, found),
    )
    _check_bounds(spec, where, found)
    return spec if len(found) == start else None


def check_keys(
    raw: dict[Any, Any], keys: frozenset[str], where: str, found: list[ValidationError]
) -> None:
    """Refuse the keys a declaration does not know (a typo must not pass silently)."""
    unknown = sorted(str(k) for k in raw if k not in keys)
    if unknown:
        found.append(
            problem(f"{where}: کلید ناشناخته {', '.join(unknown)} (unknown key).", "format")
        )


def _words(
    raw: dict[str, Any], key: str, where: str, found: list[ValidationError], required: bool = False
) -> str:
    value = raw.get(key, "")
    if not isinstance(value, str) or (required and not value.strip()) or len(value) > 300:
        found.append(problem(f"{where}: «{key}» باید متن (تا ۳۰۰ نویسه) باشد.", "format"))
        return ""
    return value.strip()


def _flag(raw: dict[str, Any], key: str, where: str, found: list[ValidationError]) -> bool:
    value = raw.get(key, False)
    if not isinstance(value, bool):
        found.append(problem(f"{where}: «{key}» باید true یا false باشد.", "format"))
        return False
    return value


def _check_name(value: Any, kind: str, where: str, found: list[ValidationError]) -> str:
    if value is None or value == "":
        return ""
    if kind != "text" or not isinstance(value, str) or value not in _CHECKS:
        found.append(
            problem(f"{where}: بررسی «{value}» برای این فیلد شناخته نیست (unknown check).", "check")
        )
        return ""
    return value


def _max_length(
    value: Any, kind: str, where: str, found: list[ValidationError], text_max: int
) -> int | None:
    if value is None:
        return None
    if kind not in ("text", "lines"):
        found.append(
            problem(f"{where}: «max_length» فقط برای متن و سطرها است (bounds).", "field_bounds")
        )
        return None
    most = text_max if kind == "text" else LINE_MAX_LENGTH
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= most:
        found.append(
            problem(
                f"{where}: «max_length» باید عددی از ۱ تا {to_persian_digits(most)} باشد "
                "(bad max_length).",
                "field_bounds",
            )
        )
        return None
    return value


def _choices(
    value: Any, kind: str, where: str, found: list[ValidationError]
) -> tuple[tuple[str, str], ...]:
    if kind not in ("choice", "multichoice"):
        if value not in (None, []):  # the canonical document has [] for every type
            found.append(problem(f"{where}: «choices» فقط برای گزینه است.", "field_choices"))
        return ()
    pairs = value if isinstance(value, list) else []
    ok = all(
        isinstance(p, list)
        and len(p) == 2
        and all(isinstance(x, str) and x.strip() for x in p)
        and CODE.match(p[0])
        for p in pairs
    )
    codes = [p[0] for p in pairs] if ok else []
    if not pairs or not ok or len(set(codes)) != len(codes):
        found.append(
            problem(
                f"{where}: «choices» باید فهرستی از [کد، برچسب] با کدهای یکتا باشد (bad choices).",
                "field_choices",
            )
        )
        return ()
    return tuple((p[0], p[1].strip()) for p in pairs)


def _check_bounds(spec: FieldSpec, where: str, found: list[ValidationError]) -> None:
    if spec.min is None and spec.max is None:
        return
    low: Decimal | dt.date | str | None
    high: Decimal | dt.date | str | None
    if spec.type in ("integer", "decimal"):
        low, high = (_bound_number(b, spec.type) for b in (spec.min, spec.max))
    elif spec.type == "date":
        low, high = (_bound_date(b) for b in (spec.min, spec.max))
    elif spec.type == PHOTO:
        low, high = (_bound_photos(b) for b in (spec.min, spec.max))
        if (spec.min is not None and low is None) or (spec.max is not None and high is None):
            most = to_persian_digits(PHOTOS_MAX)
            found.append(
                problem(
                    f"{where}: «min»/«max» عکس باید عدد صحیحی از ۰ تا {most} باشد "
                    "(bad photo bounds).",
                    "field_bounds",
                )
            )
            return
    else:
        found.append(
            problem(f"{where}: «min»/«max» برای نوع {spec.type} معنی ندارد.", "field_bounds")
        )
        return
    bad = [b for b, read in ((spec.min, low), (spec.max, high)) if b is not None and read is None]
    if bad:
        found.append(problem(f"{where}: کران «{bad[0]}» نامعتبر است (bad bound).", "field_bounds"))
    elif low is not None and high is not None and _comparable(low) > _comparable(high):
        found.append(problem(f"{where}: «min» از «max» بزرگ‌تر است (min > max).", "field_bounds"))


def _bound_number(value: Any, kind: str) -> Decimal | None:
    if value is None or isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if kind == "integer" and not isinstance(value, int):
        return None
    return Decimal(str(value))


def _bound_photos(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= PHOTOS_MAX:
        return None
    return Decimal(value)


def _bound_date(value: Any) -> dt.date | str | None:
    if value == TODAY:
        return TODAY
    if isinstance(value, str) and _ISO_DATE.match(value):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def _comparable(bound: Decimal | dt.date | str) -> Any:
    return timezone.localdate() if bound == TODAY else bound


def specs_from_stored(stored: Any) -> tuple[FieldSpec, ...]:
    """The FieldSpecs of a stored version (its `fields` were validated when loaded)."""
    specs, problems = parse_fields(stored or [])
    if problems:  # only a hand-edited row could get here
        raise ValidationError(problems)
    return specs


def declared_fields(definition: Any) -> tuple[FieldSpec, ...]:
    """The fields a definition version declares (the case's pinned version for a case)."""
    return specs_from_stored(getattr(definition, "fields", None))


def searchable_fields(definition: Any) -> list[FieldSpec]:
    """The fields a search by value may look in (``"searchable": true``)."""
    return [f for f in declared_fields(definition) if f.searchable]


# --- posted values --------------------------------------------------------------------


def clean_values(
    specs: Sequence[FieldSpec], posted: Any, *, today: dt.date | None = None
) -> dict[str, Any]:
    """The normalised values of `posted` (a mapping of field code to value) for these
    fields; ValidationError with a Persian message per field code (``__all__`` for an
    unknown code or a malformed whole)."""
    if posted is None:
        posted = {}
    if not isinstance(posted, Mapping) or len(posted) > FIELDS_MAX:
        raise ValidationError({"__all__": ["مشخصات درخواست معتبر نیست."]})
    by_code = {s.code: s for s in specs}
    errors: dict[str, list[str]] = {}
    unknown = [k for k in posted if k not in by_code]
    if unknown:
        errors["__all__"] = ["مقداری برای فیلدی فرستاده شده است که این خدمت ندارد."]
    values: dict[str, Any] = {}
    for spec in specs:
        try:
            value = clean_value(spec, posted.get(spec.code), today=today)
        except ValidationError as error:
            errors[spec.code] = error.messages
            continue
        if value is not None:
            values[spec.code] = value
    if errors:
        raise ValidationError(errors)
    for spec in specs:
        if spec.check and spec.code in values:
            try:
                values[spec.code] = _CHECKS[spec.check].clean(values[spec.code], values)
            except ValidationError as error:
                errors[spec.code] = error.messages
    if errors:
        raise ValidationError(errors)
    return values


def clean_value(spec: FieldSpec, raw: Any, *, today: dt.date | None = None) -> Any:
    """One value, normalised; None when empty and not required."""
    _check_posted(spec, raw)
    if spec.type == PHOTO:  # photos are files, attached through the action, never values
        raise _invalid(spec, f"عکس‌های «{spec.label}» را بارگذاری کنید.")
    if spec.type == "bool":
        return _clean_bool(spec, raw)
    if spec.type in LIST_TYPES:
        return _clean_list(spec, raw)
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        if spec.required:
            raise ValidationError(f"«{spec.label}» را وارد کنید.", code="required")
        return None
    reader = {
        "text": _clean_text,
        "integer": _clean_integer,
        "decimal": _clean_decimal,
        "date": _clean_date,
        "choice": _clean_choice,
    }[spec.type]
    return reader(spec, raw, today or timezone.localdate())


def _check_posted(spec: FieldSpec, raw: Any) -> None:
    """Refuse, before reading, text that is too long or has a NUL byte (each line of a
    list too)."""
    items = raw if isinstance(raw, list | tuple) else [raw]
    if isinstance(raw, list | tuple) and len(raw) > LINES_MAX:
        raise _invalid(spec, f"«{spec.label}» بیش از {to_persian_digits(LINES_MAX)} سطر است.")
    for item in items:
        if isinstance(item, str):
            if len(item) > spec.input_limit:
                raise _invalid(spec, f"«{spec.label}» بیش از اندازه بلند است.")
            if "\x00" in item:
                raise _invalid(spec, f"«{spec.label}» نویسه نامعتبر دارد.")


def _invalid(spec: FieldSpec, message: str = "") -> ValidationError:
    kind = TYPE_LABELS[spec.type]
    return ValidationError(message or f"«{spec.label}» باید {kind} معتبر باشد.", code="invalid")


def _clean_bool(spec: FieldSpec, raw: Any) -> bool:
    if raw is None:
        value = False
    elif isinstance(raw, bool):
        value = raw
    elif isinstance(raw, str) and raw.strip().lower() in TRUE | FALSE:
        value = raw.strip().lower() in TRUE
    else:
        raise _invalid(spec)
    if spec.required and not value:
        raise ValidationError(f"«{spec.label}» باید تأیید شود.", code="required")
    return value


def _clean_list(spec: FieldSpec, raw: Any) -> list[str]:
    """Lines (one text per line: a textarea's value or a list) or several choice codes
    (a list); an empty list when nothing is given, unless required."""
    if raw is None:
        items: list[Any] = []
    elif isinstance(raw, str):
        items = raw.splitlines() if spec.type == "lines" else [raw]
    elif isinstance(raw, list | tuple):
        items = list(raw)
    else:
        raise _invalid(spec)
    if not all(isinstance(item, str) for item in items):
        raise _invalid(spec)
    texts = [item.strip() for item in items if item.strip()]
    if len(texts) > LINES_MAX:
        raise _invalid(spec, f"«{spec.label}» بیش از {to_persian_digits(LINES_MAX)} سطر است.")
    if spec.required and not texts:
        raise ValidationError(f"«{spec.label}» را وارد کنید.", code="required")
    if spec.type == "multichoice":
        if any(code not in dict(spec.choices) for code in texts):
            raise _invalid(spec, f"«{spec.label}» را از فهرست انتخاب کنید.")
        return list(dict.fromkeys(texts))
    values = [_clean_text(spec, text, timezone.localdate()) for text in texts]
    return values


def _clean_text(spec: FieldSpec, raw: Any, today: dt.date) -> str:
    if not isinstance(raw, str | int) or isinstance(raw, bool):
        raise _invalid(spec)
    text = normalize_persian_text(to_ascii_digits(str(raw)))
    if spec.multiline:  # a long text keeps its lines
        text = text.replace("\r\n", "\n").strip()
    if any(ord(ch) < 32 and not (spec.multiline and ch == "\n") for ch in text):
        raise _invalid(spec, f"«{spec.label}» نویسه نامعتبر دارد.")
    if len(text) > spec.length:
        limit = to_persian_digits(spec.length)
        raise _invalid(spec, f"«{spec.label}» حداکثر {limit} نویسه است.")
    return text


def _number_text(raw: Any) -> str:
    return to_ascii_digits(str(raw)).strip().replace(",", "").replace("٬", "").replace("٫", ".")


def _clean_integer(spec: FieldSpec, raw: Any, today: dt.date) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int | str):
        raise _invalid(spec)
    text = _number_text(raw)
    if not re.fullmatch(r"[+-]?\d{1,16}", text) or abs(int(text)) >= INTEGER_LIMIT:
        raise _invalid(spec)
    value = int(text)
    _check_range(spec, Decimal(value))
    return value


def _clean_decimal(spec: FieldSpec, raw: Any, today: dt.date) -> str:
    if isinstance(raw, bool) or not isinstance(raw, int | float | str | Decimal):
        raise _invalid(spec)
    text = _number_text(raw)
    if not _DECIMAL_INPUT.match(text):
        places = to_persian_digits(DECIMAL_PLACES)
        raise _invalid(spec, f"«{spec.label}» باید عدد (تا {places} رقم اعشار) باشد.")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise _invalid(spec) from None
    _check_range(spec, value)
    return format(value.normalize(), "f")


def _check_range(spec: FieldSpec, value: Decimal) -> None:
    low, high = (_bound_number(b, spec.type) for b in (spec.min, spec.max))
    unit = f" {spec.unit}" if spec.unit else ""
    if low is not None and value < low:
        shown = to_persian_digits(format(low.normalize(), "f"))
        raise _invalid(spec, f"«{spec.label}» نباید کمتر از {shown}{unit} باشد.")
    if high is not None and value > high:
        shown = to_persian_digits(format(high.normalize(), "f"))
        raise _invalid(spec, f"«{spec.label}» نباید بیشتر از {shown}{unit} باشد.")


def _clean_date(spec: FieldSpec, raw: Any, today: dt.date) -> str:
    if isinstance(raw, dt.datetime) or not isinstance(raw, str | dt.date):
        raise _invalid(spec)
    day = raw if isinstance(raw, dt.date) else _read_date(spec, raw)
    low, high = (_bound_date(b) for b in (spec.min, spec.max))
    low_day = today if low == TODAY else low
    high_day = today if high == TODAY else high
    if isinstance(high_day, dt.date) and day > high_day:
        if high == TODAY:
            raise _invalid(spec, f"«{spec.label}» نمی‌تواند در آینده باشد.")
        raise _invalid(spec, f"«{spec.label}» نباید پس از {format_jalali_date(high_day)} باشد.")
    if isinstance(low_day, dt.date) and day < low_day:
        raise _invalid(spec, f"«{spec.label}» نباید پیش از {format_jalali_date(low_day)} باشد.")
    return day.isoformat()


def _read_date(spec: FieldSpec, raw: str) -> dt.date:
    """A Jalali date as people type it (۱۴۰۵/۰۹/۱۱), or an ISO Gregorian date (what is
    stored, and what the API sends): the year tells them apart."""
    text = to_ascii_digits(raw)
    iso = _ISO_DATE.match(text)
    if iso and int(iso[1]) > JALALI_YEARS[1]:
        try:
            return dt.date.fromisoformat(text.strip())
        except ValueError:
            raise _invalid(spec, f"«{spec.label}»: این تاریخ وجود ندارد.") from None
    try:
        return parse_jalali_date(text)
    except ValidationError as error:
        raise _invalid(spec, f"«{spec.label}»: {error.messages[0]}") from None


def _clean_choice(spec: FieldSpec, raw: Any, today: dt.date) -> str:
    if not isinstance(raw, str) or raw.strip() not in dict(spec.choices):
        raise _invalid(spec, f"«{spec.label}» را از فهرست انتخاب کنید.")
    return raw.strip()


# --- showing values -------------------------------------------------------------------


def format_value(spec: FieldSpec, value: Any) -> str:
    """A stored value as a person reads it: Persian digits, Jalali dates, labels."""
    if value is None or value == "":
        return ""
    if spec.check and spec.check in _CHECKS:
        return _CHECKS[spec.check].display(str(value))
    unit = f" {spec.unit}" if spec.unit else ""
    if spec.type == "bool":
        return "بله" if value is True else "خیر"
    if spec.type == "integer" and isinstance(value, int):
        return group_digits(value) + unit
    if spec.type == "decimal":
        return to_persian_digits(str(value)).replace(".", "٫") + unit
    if spec.type == "date":
        try:
            return format_jalali_date(dt.date.fromisoformat(str(value)))
        except ValueError:
            return to_persian_digits(value)
    if spec.type == "choice":
        return spec.choice_label(str(value))
    if isinstance(value, list):
        if spec.type == PHOTO:  # references kept from before photos were files
            return f"{to_persian_digits(len(value))} عکس" if value else ""
        shown = [spec.choice_label(v) if spec.type == "multichoice" else v for v in value]
        return to_persian_digits("، ".join(str(v) for v in shown))
    return to_persian_digits(value)


@dataclass(frozen=True)
class DisplayRow:
    code: str
    label: str
    text: str


def display_rows(specs: Iterable[FieldSpec], data: Any) -> list[DisplayRow]:
    """The declared fields with a value, in declaration order."""
    values = data if isinstance(data, dict) else {}
    rows = [DisplayRow(s.code, s.label, format_value(s, values.get(s.code))) for s in specs]
    return [row for row in rows if row.text]


# --- form inputs ----------------------------------------------------------------------

FORM_PREFIX = "field_"


class DeclaredField(forms.Field):
    """A form input of a declared field; cleaning it is `clean_value`, so the page
    shows exactly what the action would answer."""

    def __init__(self, spec: FieldSpec, **kwargs: Any) -> None:
        self.spec = spec
        super().__init__(required=False, label=spec.label, help_text=spec.help, **kwargs)

    def clean(self, value: Any) -> Any:
        return clean_value(self.spec, value)


def form_field(spec: FieldSpec) -> forms.Field:
    widget: forms.Widget
    if spec.type == "choice":
        widget = forms.Select(choices=[("", "— انتخاب کنید —"), *spec.choices])
    elif spec.type == "multichoice":
        widget = forms.CheckboxSelectMultiple(choices=spec.choices)
    elif spec.check and spec.check in _CHECKS:  # its own input, however long its text
        check = _CHECKS[spec.check]
        attrs: dict[str, Any] = {"maxlength": spec.length}
        attrs.update(check.attrs() if check.attrs else {})
        widget = CheckedInput(check.script, attrs=attrs)
    elif spec.type == "lines" or spec.multiline:
        widget = forms.Textarea(attrs={"rows": 3, "maxlength": spec.input_limit})
    elif spec.type == "bool":
        widget = forms.CheckboxInput()
    else:
        attrs = {"maxlength": spec.length if spec.type == "text" else 40}
        if spec.type in ("integer", "decimal", "date"):
            attrs.update({"inputmode": "numeric", "dir": "ltr"})
        if spec.type == "date":
            attrs.update({"placeholder": JALALI_PLACEHOLDER, "autocomplete": "off"})
            attrs.update(DATEPICKER_ATTRS)
        widget = forms.TextInput(attrs=attrs)
    if spec.required:
        widget.attrs["aria-required"] = "true"
    field = DeclaredField(spec, widget=widget)
    if spec.unit and not spec.help:
        field.help_text = f"به {spec.unit}"
    return field


def form_fields(specs: Iterable[FieldSpec]) -> dict[str, forms.Field]:
    """The form inputs of the declared fields, named ``field_<code>``."""
    return {f"{FORM_PREFIX}{s.code}": form_field(s) for s in specs}


class PostedValue(forms.Field):
    """A declared field's input that only reads what was posted (bounded, no NUL), for
    a form whose action checks the values itself (a correction: `clean_values` with the
    registration's day)."""

    def __init__(self, spec: FieldSpec, **kwargs: Any) -> None:
        self.spec = spec
        kwargs.setdefault("help_text", spec.help)
        super().__init__(required=False, label=spec.label, **kwargs)

    def clean(self, value: Any) -> Any:
        _check_posted(self.spec, value)
        return value


def posted_fields(specs: Iterable[FieldSpec]) -> dict[str, forms.Field]:
    """The declared fields' inputs (as `form_fields` draws them) that only read."""
    fields: dict[str, forms.Field] = {}
    for spec in specs:
        drawn = form_field(spec)
        fields[f"{FORM_PREFIX}{spec.code}"] = PostedValue(
            spec, widget=drawn.widget, help_text=drawn.help_text
        )
    return fields


def input_value(spec: FieldSpec, value: Any) -> Any:
    """A stored value as its input shows it to be edited: a Jalali date and Persian
    digits, as a person types them (what `clean_value` reads back)."""
    if value is None or spec.type in ("bool", "choice"):
        return value
    if spec.type == "date":
        try:
            return format_jalali_date(dt.date.fromisoformat(str(value)))
        except ValueError:
            return to_persian_digits(value)
    return to_persian_digits(str(value))
