"""Search across the office: one box that finds any case in the caller's staff scope,
open or closed, at whatever step, by what people read off a paper or say at the counter.

What the box takes (Persian, Arabic or ASCII digits alike):
- a tracking code, whole or its last digits (at least ``MIN_SUFFIX`` of them);
- a national ID (ten digits) — the form posts, so it never enters a URL;
- a registration plate: ``main/sub`` (``۱۲۳/۴``), or the main number alone;
- the applicant's name: every word typed must appear in the first or the last name
  (ی/ي and ک/ك are one letter: names are stored normalised, and so is the query).

The scope is the staff scope of cases/access.py: office staff their offices' cases,
district staff their districts', city roles every case (read-only). A citizen's own
cases are not searched here. A page costs a fixed number of queries: the states (labels),
the count and the page's rows with their relations joined.

Indexes: digits may mean several things, so the search is the union of one condition
per meaning (search_alternatives), each served by its own index, then the scope: the
last digits of a tracking code (the whole code included) through the reversed code
(``case_tracking_code_reversed``, PostgreSQL; SQLite scans), a national ID through the
citizens' unique index and ``case_applicant_opened``, a plate through ``parcel_plate``
(plate_main, plate_sub) and the cases' parcel index, a letter number through
``case_letter_number``. One OR across the joins instead made PostgreSQL scan every case
of the scope (1–2.6 s at 1M cases). Names are matched inside the scope (the citizens
first, then their cases); for the city roles they scan, which is acceptable for a
handful of supervisors.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.db.models.functions import Reverse

from pishkhan.accounts.access import Principal
from pishkhan.cases.access import CITY_ROLES, cases_visible_to
from pishkhan.cases.cartable import CASE_ROW_FIELDS
from pishkhan.cases.filters import Paging, detail_url_maker
from pishkhan.cases.models import Case
from pishkhan.cases.sla import StateMap
from pishkhan.core.digits import normalize_persian_text, to_ascii_digits
from pishkhan.core.forms import PersianFormMixin
from pishkhan.core.national_id import national_id_error
from pishkhan.offices.roles import OFFICE_ROLES, Role

MIN_SUFFIX = 3
QUERY_MAX_LENGTH = 80
NAME_WORDS_MAX = 4
PLATE = re.compile(r"(\d+)\s*/\s*(\d+)")
ORDER = ("-opened_at", "-pk")
RELATIONS = ("service_type", "office", "district", "parcel", "applicant")
SEARCH_ROLES: tuple[str, ...] = (*sorted(OFFICE_ROLES), Role.DISTRICT_STAFF, *CITY_ROLES)


def staff_scope(principal: Principal) -> Q | None:
    """The cases a person sees as staff (None: every case); never their own requests."""
    if principal.has_role(*CITY_ROLES):
        return None
    return Q(office_id__in=sorted(principal.office_ids(*OFFICE_ROLES))) | Q(
        district_id__in=sorted(principal.district_ids(Role.DISTRICT_STAFF))
    )


def search_condition(raw: str) -> Q:
    """What the typed text matches; raises ValidationError with the Persian reason.

    A text that could be several things (digits: a tracking code's last digits, a
    plate, a national ID, a letter number) is the union of one condition each, every one
    served by its own index (see the module's docstring), rather than one OR across the
    joins, which no index serves."""
    alternatives = search_alternatives(raw)
    if len(alternatives) == 1:
        return alternatives[0]
    arms = [Case.objects.filter(q).order_by().values("pk") for q in alternatives]
    return Q(pk__in=arms[0].union(*arms[1:], all=True))


def search_alternatives(raw: str) -> list[Q]:
    """The conditions the typed text may mean, any of which finds a case."""
    text = normalize_persian_text(to_ascii_digits(raw or ""))
    if not text:
        raise ValidationError("کد رهگیری، کد ملی، پلاک یا نام متقاضی را بنویسید.")
    plate = PLATE.fullmatch(text)
    if plate:
        main, sub = (int(part) for part in plate.groups())
        # a letter number is written like a plate (۱۴۰۵/۴۵۲۱): the notary's or bank's
        # letter the case answers (the declared "letter_number" field)
        return [
            Q(parcel__plate_main=main, parcel__plate_sub=sub),
            Q(data__letter_number=text.replace(" ", "")),
        ]
    digits = text.replace(" ", "").replace("-", "")
    if digits.isdigit():
        alternatives = [Q(parcel__plate_main=int(digits))]
        if len(digits) >= MIN_SUFFIX:
            alternatives.append(tracking_code_ends_with(digits))
        if len(digits) == 10 and national_id_error(digits) is None:
            alternatives.append(Q(applicant__national_id=digits))
        return [*alternatives, Q(data__letter_number=digits)]
    if any(ch.isdigit() for ch in text):
        raise ValidationError(
            "کد رهگیری، کد ملی و پلاک فقط رقم‌اند (پلاک به شکل ۱۲۳/۴)؛ نام را بدون رقم بنویسید."
        )
    words = text.split()
    if len(words) > NAME_WORDS_MAX:
        raise ValidationError("نام را حداکثر در چهار کلمه بنویسید.")
    condition = Q()
    for word in words:
        condition &= Q(applicant__first_name__icontains=word) | Q(
            applicant__last_name__icontains=word
        )
    return [condition]


def tracking_code_ends_with(digits: str) -> Q:
    """Tracking codes ending in `digits`, as the reversed code starting with them: on
    PostgreSQL the expression index ``case_tracking_code_reversed`` (migration 0007)
    serves it, so the last digits are one index range whatever the scope."""
    return Q(
        pk__in=Case.objects.annotate(reversed_code=Reverse("tracking_code"))
        .filter(reversed_code__startswith=digits[::-1])
        .order_by()
        .values("pk")
    )


class CaseSearchForm(PersianFormMixin, forms.Form):
    q = forms.CharField(
        label="جست‌وجوی پرونده",
        max_length=QUERY_MAX_LENGTH,
        help_text=(
            "کد رهگیری (یا چند رقم آخر آن)، کد ملی، پلاک ثبتی (۱۲۳/۴)، شماره نامه یا نام متقاضی"
        ),
        error_messages={"required": "کد رهگیری، کد ملی، پلاک یا نام متقاضی را بنویسید."},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs.update(autocomplete="off", type="search")

    def clean_q(self) -> Q:
        return search_condition(self.cleaned_data.get("q") or "")


@dataclass(frozen=True)
class SearchRow:
    case: Case
    state_label: str
    detail_url: str


@dataclass
class SearchPage:
    form: CaseSearchForm
    rows: list[SearchRow]
    paging: Paging
    searched: bool


def search_page(user: Any, principal: Principal, data: Any, page: Any) -> SearchPage:
    """The cases matching the posted search, newest first, one page of them."""
    form = CaseSearchForm(data)
    if data is None or not form.is_valid():
        return SearchPage(form, [], Paging.of(1, 0), searched=False)
    found = cases_visible_to(user, principal)
    scope = staff_scope(principal)
    if scope is not None:
        found = found.filter(scope)
    found = found.filter(form.cleaned_data["q"])
    states = StateMap.load()
    paging = Paging.of(page, found.count())
    cases = (
        found.select_related(*RELATIONS)
        .only(*CASE_ROW_FIELDS)
        .order_by(*ORDER)[paging.offset : paging.offset + paging.size]
    )
    detail = detail_url_maker()
    rows = [
        SearchRow(case, states.label(case.definition_id, case.state), detail(case.pk))
        for case in cases
    ]
    return SearchPage(form, rows, paging, searched=True)
