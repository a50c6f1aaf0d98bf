"""Forms for what the case page and the follow-up list post to the do_* actions.

Every posted value is parsed and bounded here before an action sees it: a NUL byte
(which PostgreSQL refuses in text and JSON), an oversized text or a version that is not
a number is a Persian message the view answers with 400, and nothing is written. The
forms only parse; the workflow rules (a reason an action requires, documents a state
requires, an empty note) stay with the actions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms import BoundField

from pishkhan.cases.actions import ASSIGN_REASON_MAX_LENGTH, FOLLOW_UP_NOTE_MAX_LENGTH
from pishkhan.cases.fields import FORM_PREFIX, FieldSpec, input_value, posted_fields
from pishkhan.cases.forms import DigitsIntegerField, ascii_text
from pishkhan.cases.models import Case
from pishkhan.core.digits import to_persian_digits
from pishkhan.geo.models import Parcel

NUL_MESSAGE = "متن فرستاده‌شده نویسه‌ای نامجاز دارد؛ آن را پاک کنید و دوباره بفرستید."
MISSING_VERSION = "نسخه پرونده در فرم نیست؛ صفحه را دوباره بارگذاری کنید."
ACTION_CODE_MAX_LENGTH = 40
REASON_MAX_LENGTH = 2000
DOCUMENT_CODE_MAX_LENGTH = 60
DOCUMENTS_MAX_COUNT = 50
NEXT_MAX_LENGTH = 2000
RENEWAL_CODE_MAX_LENGTH = 40


def text_field(max_length: int, too_long: str, **messages: str) -> forms.CharField:
    """A posted text: at most `max_length` characters and no NUL byte."""
    return forms.CharField(
        max_length=max_length,
        required="required" in messages,
        error_messages={
            "max_length": too_long,
            "null_characters_not_allowed": NUL_MESSAGE,
            **messages,
        },
    )


class ShortTextListField(forms.Field):
    """Every value posted under one name (checkboxes), each a short text."""

    widget = forms.MultipleHiddenInput

    def __init__(self, *, item: forms.CharField, max_items: int, too_many: str, **kwargs: Any):
        super().__init__(**kwargs)
        self.item = item
        self.max_items = max_items
        self.too_many = too_many

    def to_python(self, value: Any) -> list[str]:
        if value in self.empty_values:
            return []
        values = list(value) if isinstance(value, list | tuple) else [value]
        if len(values) > self.max_items:
            raise ValidationError(self.too_many, code="too_many")
        return [self.item.clean(v) for v in values]


class PostedForm(forms.Form):
    def first_error(self) -> str:
        """The first problem, in field order: the one sentence a refusal shows."""
        for errors in self.errors.values():
            for error in errors:
                return str(error)
        return ""


class ActionForm(PostedForm):
    """An action on the case page: `do_perform_action(user, case, action, version,
    reason=reason, payload={"documents_checked": documents_checked})`."""

    version = DigitsIntegerField(
        widget=forms.HiddenInput(),
        error_messages={"required": MISSING_VERSION, "invalid": MISSING_VERSION},
    )
    action = text_field(
        ACTION_CODE_MAX_LENGTH,
        "این اقدام شناخته نیست؛ صفحه را دوباره بارگذاری کنید.",
        required="اقدامی انتخاب نشده است؛ صفحه را دوباره بارگذاری کنید.",
    )
    reason = text_field(
        REASON_MAX_LENGTH, f"علت حداکثر {to_persian_digits(REASON_MAX_LENGTH)} نویسه است."
    )
    documents_checked = ShortTextListField(
        item=text_field(DOCUMENT_CODE_MAX_LENGTH, "کد مدرک فرستاده‌شده شناخته نیست."),
        max_items=DOCUMENTS_MAX_COUNT,
        too_many="مدارک فرستاده‌شده بیش از اندازه است.",
        required=False,
    )
    owner_declaration = forms.BooleanField(required=False)
    # a destructive action's "I am sure" (the action refuses one without it)
    confirmed = forms.BooleanField(required=False)

    documents_unchecked = ShortTextListField(
        item=text_field(DOCUMENT_CODE_MAX_LENGTH, "کد مدرک فرستاده‌شده شناخته نیست."),
        max_items=DOCUMENTS_MAX_COUNT,
        too_many="مدارک فرستاده‌شده بیش از اندازه است.",
        required=False,
    )


class CorrectionForm(PostedForm):
    """A correction on the case page: `do_correct_case(user, case, version, reason=reason,
    changes=form.changes())`. The documents are the whole checklist as it should be;
    the parcel, found by its renewal code, only when one is typed; the declared fields
    of the case's definition (`specs`, ``field_<code>``) as they should be, checked by
    the action."""

    version = DigitsIntegerField(
        widget=forms.HiddenInput(),
        error_messages={"required": MISSING_VERSION, "invalid": MISSING_VERSION},
    )
    reason = text_field(
        REASON_MAX_LENGTH, f"علت حداکثر {to_persian_digits(REASON_MAX_LENGTH)} نویسه است."
    )
    renewal_code = text_field(RENEWAL_CODE_MAX_LENGTH, "کد نوسازی بیش از اندازه بلند است.")
    documents_checked = ShortTextListField(
        item=text_field(DOCUMENT_CODE_MAX_LENGTH, "کد مدرک فرستاده‌شده شناخته نیست."),
        max_items=DOCUMENTS_MAX_COUNT,
        too_many="مدارک فرستاده‌شده بیش از اندازه است.",
        required=False,
    )

    def __init__(
        self, *args: Any, specs: Sequence[FieldSpec] = (), case: Case | None = None, **kwargs: Any
    ) -> None:
        if case is not None and not args and "initial" not in kwargs:
            data = case.data if isinstance(case.data, dict) else {}
            kwargs["initial"] = {
                "version": case.version,
                **{f"{FORM_PREFIX}{s.code}": input_value(s, data.get(s.code)) for s in specs},
            }
        super().__init__(*args, **kwargs)
        self.specs = tuple(specs)
        self.fields.update(posted_fields(self.specs))

    @property
    def declared(self) -> DeclaredInputs:
        """The declared fields' inputs alone (what cases/_case_form_fields.html draws)."""
        return DeclaredInputs([self[f"{FORM_PREFIX}{s.code}"] for s in self.specs])

    def show_field_errors(self, errors: dict[str, list[str]]) -> None:
        """The action's refusals of declared fields, next to their inputs."""
        known = {s.code for s in self.specs}
        for code, messages in errors.items():
            self.add_error(f"{FORM_PREFIX}{code}" if code in known else None, messages)

    def clean_renewal_code(self) -> Parcel | None:
        code = ascii_text(self.cleaned_data.get("renewal_code"))
        if not code:
            return None
        parcel = Parcel.objects.filter(renewal_code=code).first()
        if parcel is None:
            raise ValidationError("ملکی با این کد نوسازی پیدا نشد.", code="no_parcel")
        return parcel

    def changes(self) -> dict[str, Any]:
        data = self.cleaned_data
        changes: dict[str, Any] = {"documents_checked": data["documents_checked"]}
        if data.get("renewal_code") is not None:
            changes["parcel"] = data["renewal_code"]
        names = {s.code: f"{FORM_PREFIX}{s.code}" for s in self.specs}
        # the declared fields as the page's inputs say (a post without any of them, e.g.
        # from a page drawn before they were there, keeps the values as they are)
        if any(name in self.data for name in names.values()):
            changes["data"] = {code: data.get(name) for code, name in names.items()}
        return changes


@dataclass(frozen=True)
class DeclaredInputs:
    """Some bound fields of a form, drawn like a form of their own."""

    inputs: list[BoundField]

    def hidden_fields(self) -> list[BoundField]:
        return []

    def visible_fields(self) -> list[BoundField]:
        return self.inputs

    def __bool__(self) -> bool:
        return bool(self.inputs)


class FollowUpNoteForm(PostedForm):
    """A follow-up note: `do_add_follow_up_note(user, case, text)`, then back to `next`
    (checked against the host by the view)."""

    text = text_field(
        FOLLOW_UP_NOTE_MAX_LENGTH,
        f"یادداشت پیگیری حداکثر {to_persian_digits(FOLLOW_UP_NOTE_MAX_LENGTH)} نویسه است.",
    )
    next = text_field(NEXT_MAX_LENGTH, "نشانی بازگشت بیش از اندازه بلند است.")


class ReassignForm(PostedForm):
    """Claiming or releasing a case from a list: `do_claim_case(user, case, version)` /
    `do_release_case(…)`, then back to `next` (checked against the host by the view)."""

    version = DigitsIntegerField(
        widget=forms.HiddenInput(),
        error_messages={"required": MISSING_VERSION, "invalid": MISSING_VERSION},
    )
    next = text_field(NEXT_MAX_LENGTH, "نشانی بازگشت بیش از اندازه بلند است.")


class AssignForm(PostedForm):
    """The office manager hands a case to a colleague: `do_assign_case(user, case,
    version, assignee, reason)`, then back to `next` (checked against the host)."""

    version = DigitsIntegerField(
        widget=forms.HiddenInput(),
        error_messages={"required": MISSING_VERSION, "invalid": MISSING_VERSION},
    )
    assignee = DigitsIntegerField(
        error_messages={
            "required": "همکاری را برای واگذاری انتخاب کنید.",
            "invalid": "همکار انتخاب‌شده شناخته نیست؛ صفحه را دوباره بارگذاری کنید.",
        },
    )
    reason = text_field(
        ASSIGN_REASON_MAX_LENGTH,
        f"علت واگذاری حداکثر {to_persian_digits(ASSIGN_REASON_MAX_LENGTH)} نویسه است.",
        required="علت واگذاری را بنویسید.",
    )
    next = text_field(NEXT_MAX_LENGTH, "نشانی بازگشت بیش از اندازه بلند است.")
