"""The demo city's excavations (pishkhan.excavation): the restoration rates, and three
cases of office 1101 walked through the real actions: one at the inspection before the
work, one finished (restoration accepted, closed), and one whose permit ended without
the restoration, which the overdue job flags.

The rates are reference data like the tariffs (plausible for a demo, not the city's
resolution), each created only when its street type has none. The cases are demo data,
loaded once, with the demo's cases: if the office has an excavation case they count as
loaded.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

from django.utils import timezone

from pishkhan.accounts.models import Citizen, User
from pishkhan.cases.actions import (
    do_open_case,
    do_perform_action,
    do_record_visit_report,
    state_checklist,
)
from pishkhan.cases.models import Case, Channel
from pishkhan.catalog.models import ServiceType
from pishkhan.core import clock
from pishkhan.demo.common import jdate
from pishkhan.demo.visits import demo_answers
from pishkhan.excavation.actions import do_flag_overdue_restorations, do_publish_restoration_rate
from pishkhan.excavation.models import ExcavationPermit, RestorationRate
from pishkhan.excavation.route import parse_route, route_length
from pishkhan.geo.models import Parcel
from pishkhan.offices.models import Office

SERVICE = "inquiry_excavation"
COUNTER, INSPECTOR, HOME_OFFICE = "tm-1101", "inspector-1101", "1101"
RESOLUTION = "۱۴۰۳/۲۱۴ شورای شهر"
RATES_FROM = "1403/01/01"
# rials per m² of excavated strip, by street type
RATES = {
    "alley": 1_800_000,
    "local": 2_400_000,
    "arterial": 4_200_000,
    "highway": 6_000_000,
    "sidewalk": 1_500_000,
}
DOCUMENTS = [
    "utility_letter",
    "route_sketch",
    "ownership_document",
    "applicant_id_card",
    "restoration_undertaking",
]
# (street, street type, width, days from today to the start and the end, how far)
PLANS = (
    ("خیابان هشت‌بهشت، کوچه شهید رجایی", "alley", "0.6", 5, 25, "visit"),
    ("خیابان چهارباغ بالا", "arterial", "0.8", -60, -30, "closed"),
    ("خیابان سعادت‌آباد", "local", "0.5", -40, -10, "overdue"),
)


def ensure_rates(tally: Counter[str]) -> None:
    day = jdate(RATES_FROM)
    for street_type, rate in RATES.items():
        if not RestorationRate.objects.filter(street_type=street_type).exists():
            do_publish_restoration_rate(street_type, rate, day, RESOLUTION, day)
            tally["restoration rates"] += 1


def load_demo_excavation(tally: Counter[str], *, with_cases: bool = True) -> None:
    """Rates, then the three cases once when the demo has cases (see the module
    docstring)."""
    ensure_rates(tally)
    if not with_cases:
        return
    office = Office.objects.filter(code=HOME_OFFICE).select_related("district").first()
    service = ServiceType.objects.filter(code=SERVICE).first()
    if office is None or service is None:
        return
    if Case.objects.filter(office=office, service_type=service).exists():
        return
    number = office.district.number
    names = [COUNTER, INSPECTOR, f"district-{number}", f"district-{number}-2"]
    users = {u.username: u for u in User.objects.filter(username__in=names)}
    parcels = list(
        Parcel.objects.filter(is_demo=True, district=office.district).order_by("renewal_code")[
            : len(PLANS)
        ]
    )
    citizens = list(Citizen.objects.filter(is_demo=True).order_by("national_id")[: len(PLANS)])
    if len(users) < len(names) or len(parcels) < len(PLANS) or len(citizens) < len(PLANS):
        return
    tm, inspector = users[COUNTER], users[INSPECTOR]
    maker, checker = users[f"district-{number}"], users[f"district-{number}-2"]
    today = timezone.localdate(clock.now())
    for (street, kind, width, start, end, goal), parcel, citizen in zip(
        PLANS, parcels, citizens, strict=True
    ):
        lat, lng = float(parcel.lat), float(parcel.lng)
        bends = ((0, 0), (0.0004, 0.0006), (0.0009, 0.0007))
        route = ";".join(f"{lat + dy:.6f},{lng + dx:.6f}" for dy, dx in bends)
        length = round(route_length(parse_route(route)))
        data = {
            "requester_kind": "utility",
            "utility": "gas",
            "utility_letter_number": f"۱۴۰۳/{parcel.pk}",
            "street_name": street,
            "street_type": kind,
            "length_m": str(length),
            "width_m": width,
            "planned_start": (today + dt.timedelta(days=start)).isoformat(),
            "planned_end": (today + dt.timedelta(days=end)).isoformat(),
            "route": route,
        }
        case = do_open_case(
            tm, service, citizen, parcel, office, Channel.IN_PERSON, DOCUMENTS, data=data,
            duplicate_reason="حفاری دیگری روی همین ملک",
        )  # fmt: skip
        tally["demo excavation cases"] += 1
        case = _walk(case, goal, tm, inspector, maker, checker)
    tally["excavation permits flagged overdue"] += do_flag_overdue_restorations(clock.now())


def _act(user: User, case: Case, code: str, reason: str = "") -> Case:
    return do_perform_action(user, case.pk, code, case.version, reason=reason or None)


def _visit(inspector: User, case: Case) -> Case:
    length = str(case.data.get("length_m") or "0")
    known = {
        "route_matches": True,
        "surface": "asphalt",
        "measured_length": length,
        "safety_plan": True,
        "surface_quality": "good",
        "restored_length": length,
        "compaction_ok": True,
        "debris_cleared": True,
        "notes": "مسیر حفاری بازدید شد.",
    }
    answers, photos = demo_answers(state_checklist(case), known, [], case.parcel_id or 0)
    do_record_visit_report(
        inspector, case.pk, case.version, visited_at=clock.now() - dt.timedelta(hours=1),
        answers=answers, photos=photos,
    )  # fmt: skip
    return Case.objects.get(pk=case.pk)


def _walk(case: Case, goal: str, tm: User, inspector: User, maker: User, checker: User) -> Case:
    case = _act(tm, case, "send_for_document_check")
    case = _act(maker, case, "confirm_documents")
    if goal == "visit":
        return case
    case = _act(inspector, _visit(inspector, case), "submit_visit_report")
    case = _act(maker, case, "prepare_permit")
    case = _act(checker, case, "approve_permit")
    if goal == "overdue":
        return case
    case = _act(tm, case, "report_restoration")
    case = _act(inspector, _visit(inspector, case), "submit_restoration_report")
    return _act(maker, case, "close")


def excavation_summary() -> list[tuple[str, int]]:
    return [
        ("excavation permits", ExcavationPermit.objects.count()),
        ("restoration rates", RestorationRate.objects.count()),
    ]
