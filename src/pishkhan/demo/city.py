"""The demo city: Isfahan's 15 districts, 35 offices and their staff, parcels, citizens
and demo cases, built by one builder per app (:mod:`pishkhan.demo.geo`, ``offices``,
``accounts``, ``catalog``, ``cases``); this module runs them in order and reports.

Deterministic: every kind of data is drawn from its own seeded random stream, and nothing
drawn depends on what the database holds, so a run always plans the same city (and the
first N parcels are the same whatever N is). Idempotent: every row is looked up by a
natural key (district number, office code, username, national ID, renewal code, contract
number) and created only when it is missing; nothing is deleted, and nothing existing is
changed except an office without a manager, which gets its demo manager. (The reference
catalog, loaded first, brings changed reference fields back to the reference.)

Every demo row is marked `is_demo=True`; the reference catalog and the tariffs are not
demo rows. Every demo account shares DEMO_PASSWORD.

A builder for another app (billing, documents …) is a module beside the others, called
from :func:`load_demo_city` where the data it needs exists, with its counts in
:func:`city_summary`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from django.db import transaction

from pishkhan.demo import accounts, catalog, geo, offices
from pishkhan.demo import billing as demo_billing
from pishkhan.demo import cases as demo_cases
from pishkhan.demo import excavation as demo_excavation
from pishkhan.demo import payments as demo_payments
from pishkhan.demo import permits as demo_permits
from pishkhan.demo.common import SEED, stream

DEFAULT_PARCELS = 3000


@dataclass
class LoadResult:
    created: Counter[str]

    @property
    def changed(self) -> bool:
        return any(self.created.values())


def load_demo_city(
    parcels: int = DEFAULT_PARCELS,
    citizens: int = accounts.DEFAULT_CITIZENS,
    seed: int = SEED,
    cases: int = 0,
) -> LoadResult:
    """Load (or complete) the demo city in one transaction; see the module docstring.

    The workflow definitions and official holidays are loaded after the reference catalog.
    `cases` demo cases are added once (see pishkhan.demo.cases); the command asks for
    DEFAULT_CASES, callers in code for none unless they say so."""
    tally: Counter[str] = Counter()
    password = accounts.PasswordHash()
    with transaction.atomic():
        catalog.load_catalog(tally)
        demo_cases.load_workflows(tally)
        services = catalog.reference_services()
        catalog.ensure_tariffs(services, tally)
        districts = geo.ensure_districts(tally)
        office_plans = offices.plan_offices(stream(seed, "offices"))
        stored_offices = offices.ensure_offices(office_plans, districts, tally)
        staff_plans = offices.StaffPlanner(stream(seed, "staff"), office_plans).plan()
        users = accounts.ensure_users([plan.account for plan in staff_plans], password, tally)
        members = offices.ensure_staff(staff_plans, users, stored_offices, districts, tally)
        tally["office managers set"] += offices.ensure_office_managers(
            office_plans, stored_offices, members
        )
        offices.ensure_office_contracts(office_plans, stored_offices, services, tally)
        drafts = geo.ParcelMaker(stream(seed, "parcels"), districts).make(parcels)
        geo.ensure_parcels(drafts, tally)
        citizen_plans = accounts.plan_citizens(stream(seed, "citizens"), citizens)
        accounts.ensure_citizens(citizen_plans, password, tally)
        tally.update(demo_cases.load_demo_cases(cases, seed))
        if cases:
            demo_permits.load_demo_permits(tally)
        demo_billing.load_demo_billing(tally)
        demo_excavation.load_demo_excavation(tally, with_cases=cases > 0)
        demo_payments.load_demo_payments(tally)
    return LoadResult(+tally)


# --- the report -------------------------------------------------------------------------


def city_summary() -> list[tuple[str, int]]:
    """Counts of the demo city as stored (demo rows only, plus the reference catalog)."""
    return [
        *geo.district_summary(),
        *offices.office_summary(),
        *accounts.citizen_summary(),
        *geo.parcel_summary(),
        *catalog.catalog_summary(),
        *demo_billing.billing_summary(),
        *demo_excavation.excavation_summary(),
        *demo_payments.payments_summary(),
    ]


def format_report(result: LoadResult, seconds: float) -> str:
    """What the command prints: what changed, the city's counts and the demo accounts."""
    if result.changed:
        made = ", ".join(f"{count} {label}" for label, count in result.created.items())
        lines = [f"Demo city loaded in {seconds:.1f} s. Created or updated: {made}."]
    else:
        lines = [f"The demo city is already loaded; nothing changed ({seconds:.1f} s)."]
    lines += ["", "Demo city:"]
    lines += [f"  {label:<34}{count:>6}" for label, count in city_summary()]
    lines += demo_cases.cases_report()
    lines += ["", f"Demo accounts (password for every demo account: {accounts.DEMO_PASSWORD})"]
    lines += accounts.accounts_table(accounts.demo_accounts())
    lines += [
        "",
        "Every office's staff follow the same pattern where the office has the role:",
        "  manager-<code>, tm-<code>, inspector-<code>, followup-<code>, planner-<code>",
        f"  (offices {offices.FIRST_OFFICE_CODE}–{offices.LAST_OFFICE_CODE});"
        " district staff: district-<n>, district-<n>-2; supervisors: supervisor-2, supervisor-3.",
        "Citizens with an account sign in with their national ID as the username.",
    ]
    return "\n".join(lines)
