"""Inspection checklists: what an inspector checks on a visit, declared as data.

A definition declares its checklists (``"checklists": {"<code>": {"label", "items"}}``)
and the state in which the inspector records a visit names one (``"checklist":
"<code>"``); see docs/workflow.md. Items are declared fields (`fields.py`) with three
more types: ``lines`` (short texts, one per line), ``multichoice`` and ``photo`` (files
attached to the item, at least ``min`` of them). This module reads a declaration, checks
a visit's answers against it (`clean_answers`, called by `do_record_visit_report`) and
shows stored answers (`answer_rows`). A report is read with the checklist of its case's
pinned version (`report_checklist`).

Two item codes mean something to the platform, whatever the service:
``observed_land_use`` (a choice of `geo.LandUse` codes: the plan review compares it with
the zone) and ``violations_observed`` (lines or several choices: any answer there is a
violation — the instant response refuses such a visit, the answer prefills it as an
objection, the parcel file warns).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError

from pishkhan.cases.fields import (
    CHECKLIST_TEXT_MAX_LENGTH,
    CHECKLIST_TYPES,
    CODE,
    PHOTO,
    Declaration,
    DisplayRow,
    FieldSpec,
    check_keys,
    clean_values,
    format_value,
    parse_fields,
    problem,
)
from pishkhan.cases.fields import (
    KEYS as FIELD_KEYS,
)
from pishkhan.core.digits import to_persian_digits
from pishkhan.geo.models import LandUse

CHECKLISTS_MAX = 10
KEYS = frozenset({"label", "items"})
ITEM_KEYS = FIELD_KEYS - {"searchable"}  # a search by value looks in a case's own fields
LAND_USE = "observed_land_use"
VIOLATIONS = "violations_observed"


@dataclass(frozen=True)
class ChecklistSpec:
    code: str
    label: str
    items: tuple[FieldSpec, ...]

    def as_dict(self) -> dict[str, Any]:
        items = [{k: v for k, v in i.as_dict().items() if k in ITEM_KEYS} for i in self.items]
        return {"label": self.label, "items": items}

    @property
    def answer_items(self) -> tuple[FieldSpec, ...]:
        """The items answered by a value (every item but the photos)."""
        return tuple(i for i in self.items if i.type != PHOTO)

    @property
    def photo_items(self) -> tuple[FieldSpec, ...]:
        return tuple(i for i in self.items if i.type == PHOTO)

    def item(self, code: str) -> FieldSpec | None:
        return next((i for i in self.items if i.code == code), None)


def declaration(code: str) -> Declaration:
    return Declaration(
        key="items",
        kinds=CHECKLIST_TYPES,
        text_max=CHECKLIST_TEXT_MAX_LENGTH,
        owner=f"چک‌لیست «{code}»: ",
        keys=ITEM_KEYS,
    )


# --- the declaration ------------------------------------------------------------------


def parse_checklists(raw: Any) -> tuple[dict[str, ChecklistSpec], list[ValidationError]]:
    """The checklists of a definition document and every problem with them."""
    if raw is None:
        return {}, []
    if not isinstance(raw, dict) or len(raw) > CHECKLISTS_MAX:
        return {}, [
            problem(
                "«checklists» باید نگاشت کد به چک‌لیست باشد، حداکثر ۱۰ چک‌لیست (object).",
                "format",
            )
        ]
    found: list[ValidationError] = []
    specs: dict[str, ChecklistSpec] = {}
    for code, body in raw.items():
        spec = _parse_checklist(code, body, found)
        if spec is not None:
            specs[code] = spec
    return specs, found


def _parse_checklist(code: Any, body: Any, found: list[ValidationError]) -> ChecklistSpec | None:
    if not isinstance(code, str) or not CODE.match(code):
        found.append(problem(f"کد چک‌لیست «{code}» نامعتبر است (bad checklist code).", "bad_code"))
        return None
    where = f"چک‌لیست «{code}»"
    if not isinstance(body, dict):
        found.append(problem(f"{where} باید یک شیء JSON باشد (checklist object).", "format"))
        return None
    start = len(found)
    check_keys(body, KEYS, where, found)
    label = body.get("label")
    if not isinstance(label, str) or not label.strip() or len(label) > 300:
        found.append(problem(f"{where}: «label» باید متن غیرخالی باشد.", "format"))
    raw_items = body.get("items")
    if not isinstance(raw_items, list) or not raw_items:
        found.append(problem(f"{where}: «items» باید فهرستی غیرخالی باشد (items).", "format"))
        raw_items = []
    items, problems = parse_fields(raw_items, declaration(code))
    found.extend(problems)
    found.extend(_reserved_problems(where, items))
    if len(found) > start:
        return None
    return ChecklistSpec(code=code, label=str(label).strip(), items=items)


def _reserved_problems(where: str, items: tuple[FieldSpec, ...]) -> list[ValidationError]:
    found: list[ValidationError] = []
    for item in items:
        if item.code == LAND_USE and (
            item.type != "choice" or not {c for c, _ in item.choices} <= set(LandUse.values)
        ):
            found.append(
                problem(
                    f"{where}: «{LAND_USE}» باید گزینه‌ای از کدهای کاربری (geo.LandUse) باشد "
                    "(reserved item).",
                    "checklist_reserved",
                )
            )
        if item.code == VIOLATIONS and item.type not in ("lines", "multichoice"):
            found.append(
                problem(
                    f"{where}: «{VIOLATIONS}» باید از نوع lines یا multichoice باشد "
                    "(reserved item).",
                    "checklist_reserved",
                )
            )
    return found


def checklists_from_stored(stored: Any) -> dict[str, ChecklistSpec]:
    """The checklists of a stored version (validated when it was loaded)."""
    specs, problems = parse_checklists(stored or None)
    if problems:  # only a hand-edited row could get here
        raise ValidationError(problems)
    return specs


def definition_checklist(definition: Any, code: str) -> ChecklistSpec | None:
    """The checklist `code` of a definition version (None for a report without one)."""
    if not code:
        return None
    return checklists_from_stored(getattr(definition, "checklists", None)).get(code)


def report_checklist(report: Any) -> ChecklistSpec | None:
    """The declaration a visit report is read with: its case's own (pinned) version."""
    return definition_checklist(report.case.definition, report.checklist)


# --- a visit's answers ----------------------------------------------------------------


def clean_answers(
    checklist: ChecklistSpec | None, posted: Any, photos: Mapping[str, int]
) -> dict[str, Any]:
    """The normalised answers of `posted` (item code -> value) to this checklist, given
    how many photos come with each photo item; ValidationError with a Persian message
    per item code (``__all__`` for unknown codes)."""
    errors: dict[str, list[str]] = {}
    answers: dict[str, Any] = {}
    items = checklist.answer_items if checklist else ()
    photo_items = checklist.photo_items if checklist else ()
    if isinstance(posted, Mapping):  # a photo item answered with a value is forged
        for item in photo_items:
            if item.code in posted:
                errors[item.code] = [f"عکس‌های «{item.label}» را بارگذاری کنید."]
        posted = {k: v for k, v in posted.items() if k not in errors}
    try:
        answers = clean_values(items, posted)
    except ValidationError as error:
        errors.update(error.message_dict)
    known = {i.code for i in photo_items}
    if any(code not in known for code, count in photos.items() if count):
        errors.setdefault("__all__", []).append("عکسی برای بندی فرستاده شده که این چک‌لیست ندارد.")
    for item in photo_items:
        count = photos.get(item.code, 0)
        if count < item.photos_min:
            need = to_persian_digits(item.photos_min)
            errors[item.code] = [f"برای «{item.label}» دست‌کم {need} عکس بارگذاری کنید."]
        elif item.max is not None and count > item.max:
            most = to_persian_digits(item.max)
            errors[item.code] = [f"برای «{item.label}» حداکثر {most} عکس پذیرفته می‌شود."]
    if errors:
        raise ValidationError(errors)
    return answers


def violations_of(answers: Any, checklist: ChecklistSpec | None = None) -> list[str]:
    """The violations a visit found (labels of chosen ones when the declaration is
    known): any is a reason for a new visit."""
    value = (answers or {}).get(VIOLATIONS) if isinstance(answers, dict) else None
    if not isinstance(value, list):
        return []
    item = checklist.item(VIOLATIONS) if checklist else None
    if item is not None and item.type == "multichoice":
        return [item.choice_label(str(v)) for v in value]
    return [str(v) for v in value]


def land_use_of(answers: Any) -> str:
    """The land use the inspector saw ('' when the checklist does not ask)."""
    value = answers.get(LAND_USE) if isinstance(answers, dict) else None
    return value if isinstance(value, str) else ""


@dataclass(frozen=True)
class AnswerRow(DisplayRow):
    kind: str = ""
    values: tuple[str, ...] = ()  # a list's lines (violations …), shown one per line


def answer_rows(
    checklist: ChecklistSpec | None, answers: Any, photos: Mapping[str, int] | None = None
) -> list[AnswerRow]:
    """The answered items in declaration order; a photo item says how many photos it
    has (attached files plus references kept from before photos were files)."""
    values = answers if isinstance(answers, dict) else {}
    rows: list[AnswerRow] = []
    for item in checklist.items if checklist else ():
        value = values.get(item.code)
        if item.type == PHOTO:
            count = len(value if isinstance(value, list) else []) + (photos or {}).get(item.code, 0)
            text = f"{to_persian_digits(count)} عکس"
            rows.append(AnswerRow(item.code, item.label, text, kind=PHOTO))
            continue
        text = format_value(item, value)
        listed = tuple(
            item.choice_label(str(v)) if item.type == "multichoice" else to_persian_digits(v)
            for v in (value if isinstance(value, list) else [])
        )
        if text or item.code == VIOLATIONS:
            rows.append(AnswerRow(item.code, item.label, text, kind=item.type, values=listed))
    return rows


def findings(checklist: ChecklistSpec | None, answers: Any) -> list[list[str]]:
    """[label, text] of what an answer letter reports from the visit: every answered
    item but the photos, the violations (the letter lists them itself) and long notes."""
    return [
        [row.label, row.text]
        for row in answer_rows(checklist, answers)
        if row.text and row.kind != PHOTO and row.code != VIOLATIONS and not _long(checklist, row)
    ]


def _long(checklist: ChecklistSpec | None, row: AnswerRow) -> bool:
    item = checklist.item(row.code) if checklist else None
    return item is not None and item.multiline


def summary(checklist: ChecklistSpec | None, answers: Any) -> list[str]:
    """One line per answered item ("label: value") for the parcel file and timelines."""
    return [
        f"{row.label}: {row.text}"
        for row in answer_rows(checklist, answers)
        if row.text and row.kind != PHOTO
    ]
