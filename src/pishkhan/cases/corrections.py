"""What may be corrected on a case, field by field: a small registry `do_correct_case`
reads (cases/actions.py).

Each correctable field says what it is now, checks and normalises a new value (raising
`InvalidInput` with a Persian message; the rules of the field, e.g. a parcel of the same
district), which case columns the value writes, and how a person reads a value. The
event of a correction stores, per field, ``before`` and ``after`` (JSON) and their
readable texts, so the timeline never looks anything up again.

More fields plug in with ``@correctable``; nothing else changes. The declared
application fields of ``Case.data`` (the notary's letter number and date …) are one of
them, ``data``: its value is the mapping of field code to value, checked by
`fields.clean_values` — the function registration checks them with — and its event
texts name only the fields that changed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from pishkhan.cases.engine import clean_documents
from pishkhan.cases.errors import InvalidFieldValues, InvalidInput
from pishkhan.cases.fields import FIELDS_MAX, clean_values, declared_fields, format_value
from pishkhan.cases.models import Case
from pishkhan.core.digits import to_persian_digits
from pishkhan.geo.models import Parcel

NOTHING = "—"


class CorrectableField:
    """One field of a case a correction may change."""

    name = ""
    label = ""

    def current(self, case: Case) -> Any:
        """The value now, as JSON."""
        raise NotImplementedError

    def clean(self, case: Case, raw: Any) -> Any:
        """The new value as JSON, or InvalidInput."""
        raise NotImplementedError

    def columns(self, case: Case, value: Any) -> dict[str, Any]:
        """The case columns the value writes."""
        raise NotImplementedError

    def text(self, case: Case, value: Any) -> str:
        """A value as a person reads it."""
        raise NotImplementedError

    def describe(self, case: Case, before: Any, after: Any) -> tuple[str, str]:
        """The event's texts of a change (old, new)."""
        return self.text(case, before), self.text(case, after)


REGISTRY: dict[str, CorrectableField] = {}


def correctable(cls: type[CorrectableField]) -> type[CorrectableField]:
    REGISTRY[cls.name] = cls()
    return cls


def label_of(name: str) -> str:
    field = REGISTRY.get(name)
    return field.label if field else name


@correctable
class ParcelField(CorrectableField):
    """The parcel, found by the counter again (a wrong plate typed at registration).

    A parcel of another district is refused: the district decides whose staff see and
    answer the case, so moving it there is not a correction; cancel and register the
    case again in the right district."""

    name = "parcel"
    label = "ملک"

    def current(self, case: Case) -> Any:
        return case.parcel_id

    def clean(self, case: Case, raw: Any) -> Any:
        if raw is None:
            if case.service_type.requires_parcel:
                raise InvalidInput("برای این خدمت، ملک را مشخص کنید.")
            return None
        pk = raw.pk if isinstance(raw, Parcel) else raw
        if isinstance(pk, bool) or not isinstance(pk, int | str) or not str(pk).isdigit():
            raise InvalidInput("ملک فرستاده‌شده معتبر نیست.")
        parcel = Parcel.objects.filter(pk=int(pk)).only("pk", "district_id").first()
        if parcel is None:
            raise InvalidInput("ملک فرستاده‌شده پیدا نشد.")
        if parcel.district_id != case.district_id:
            raise InvalidInput(
                "این ملک در منطقه دیگری است؛ پرونده را نمی‌توان به منطقه دیگر برد. "
                "پرونده را لغو کنید و در منطقه درست ثبت کنید."
            )
        return parcel.pk

    def columns(self, case: Case, value: Any) -> dict[str, Any]:
        return {"parcel_id": value}

    def text(self, case: Case, value: Any) -> str:
        if value is None:
            return NOTHING
        parcel = Parcel.objects.filter(pk=value).first()
        if parcel is None:
            return NOTHING
        return to_persian_digits(
            f"بخش {parcel.registration_section}، پلاک {parcel.plate_label} "
            f"(کد نوسازی {parcel.renewal_code})"
        )


@correctable
class DocumentsField(CorrectableField):
    """The ticked documents of the checklist (a document ticked by mistake, or one a
    send-back un-ticked and the counter has now checked again)."""

    name = "documents_checked"
    label = "مدارک بررسی‌شده"

    def current(self, case: Case) -> Any:
        return sorted(set(case.documents_checked))

    def clean(self, case: Case, raw: Any) -> Any:
        return clean_documents(case.definition, raw)

    def columns(self, case: Case, value: Any) -> dict[str, Any]:
        return {"documents_checked": value}

    def text(self, case: Case, value: Any) -> str:
        titles = [case.definition.documents.get(code, code) for code in value or []]
        return "، ".join(titles) or NOTHING


@correctable
class DataField(CorrectableField):
    """The declared application fields (``Case.data``: a notary's letter number and date,
    a bank's branch …). The change maps field codes to what was typed (those not given
    keep their value; an empty optional field is cleared); the whole is checked by
    `fields.clean_values`, as at registration, with the registration's day for bounds
    such as a letter date that may not be in the future."""

    name = "data"
    label = "مشخصات درخواست"

    def current(self, case: Case) -> Any:
        return dict(case.data) if isinstance(case.data, dict) else {}

    def clean(self, case: Case, raw: Any) -> Any:
        specs = declared_fields(case.definition)
        if not isinstance(raw, Mapping) or len(raw) > FIELDS_MAX:
            raise InvalidInput("مشخصات درخواست فرستاده‌شده معتبر نیست.")
        if not specs:
            raise InvalidInput("این خدمت مشخصات درخواستی ندارد که اصلاح شود.")
        merged = {**self.current(case), **raw}
        try:
            return clean_values(specs, merged, today=timezone.localdate(case.opened_at))
        except ValidationError as error:
            raise InvalidFieldValues(error.message_dict) from None

    def columns(self, case: Case, value: Any) -> dict[str, Any]:
        return {"data": value}

    def text(self, case: Case, value: Any) -> str:
        return self._text(case, value, None)

    def describe(self, case: Case, before: Any, after: Any) -> tuple[str, str]:
        changed = {c for c in {*before, *after} if before.get(c) != after.get(c)}
        return self._text(case, before, changed), self._text(case, after, changed)

    def _text(self, case: Case, value: Any, codes: set[str] | None) -> str:
        """'شماره نامه: ۱۴۰۲/۴۵۲۱؛ تاریخ نامه: —' for the fields in `codes` (all: None)."""
        values = value if isinstance(value, dict) else {}
        parts = [
            f"{s.label}: {format_value(s, values.get(s.code)) or NOTHING}"
            for s in declared_fields(case.definition)
            if codes is None or s.code in codes
        ]
        return "؛ ".join(parts) or NOTHING


@dataclass(frozen=True)
class Planned:
    """The corrections that change something: the event payload and the columns."""

    payload: dict[str, dict[str, Any]]
    columns: dict[str, Any]


def plan_corrections(case: Case, changes: Mapping[str, Any]) -> Planned:
    """Check every field asked; keep those whose value changes."""
    if not isinstance(changes, Mapping) or not changes:
        raise InvalidInput("چیزی برای اصلاح فرستاده نشده است.")
    unknown = [name for name in changes if name not in REGISTRY]
    if unknown:
        raise InvalidInput("موردی فرستاده شده که در پرونده اصلاح‌پذیر نیست.")
    payload: dict[str, dict[str, Any]] = {}
    columns: dict[str, Any] = {}
    for name, raw in changes.items():
        field = REGISTRY[name]
        before, after = field.current(case), field.clean(case, raw)
        if before == after:
            continue
        before_text, after_text = field.describe(case, before, after)
        payload[name] = {
            "before": before,
            "after": after,
            "before_text": before_text,
            "after_text": after_text,
        }
        columns.update(field.columns(case, after))
    return Planned(payload, columns)


def correction_lines(payload: Any, label: Callable[[str], str] = label_of) -> tuple[str, ...]:
    """'ملک: بخش ۵، پلاک … ← بخش ۵، پلاک …' per corrected field (old ← new)."""
    changes = payload.get("changes") if isinstance(payload, dict) else None
    if not isinstance(changes, dict):
        return ()
    lines = []
    for name, change in changes.items():
        if isinstance(change, dict):
            before, after = change.get("before_text", ""), change.get("after_text", "")
            lines.append(f"{label(str(name))}: {before} ← {after}")
    return tuple(lines)
