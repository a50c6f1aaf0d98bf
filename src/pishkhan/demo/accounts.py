"""The demo city's accounts and citizens (pishkhan.accounts): every account with the
published demo password, the citizens (a few of whom sign in with their national ID), and
the table of demo accounts the command prints."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.auth.hashers import check_password, make_password

from pishkhan.accounts.models import Citizen, User
from pishkhan.demo.common import THOROUGH_EVERY, People, validate_rows
from pishkhan.offices.models import RoleAssignment
from pishkhan.offices.roles import Role

DEMO_PASSWORD = "pishkhan-demo-1405"  # noqa: S105 - published on purpose: demo accounts only
DEFAULT_CITIZENS = 200
CITIZEN_ACCOUNTS = 10  # citizens who sign in with their national ID, besides `citizen`

# The stable accounts the README shows.
DEMO_USERNAMES = (
    "admin",
    "supervisor",
    "manager-1101",
    "tm-1101",
    "inspector-1101",
    "followup-1101",
    "planner-1101",
    "district-1",
    "district-3",
    "citizen",
)

ROLE_EN: dict[str, str] = {
    Role.OFFICE_MANAGER: "office manager",
    Role.TECHNICAL_MANAGER: "technical manager",
    Role.INSPECTOR: "inspector",
    Role.FOLLOW_UP_OFFICER: "follow-up officer",
    Role.PLAN_REVIEWER: "detailed-plan reviewer",
    Role.DISTRICT_STAFF: "district staff",
    Role.SUPERVISOR: "supervisor",
    Role.ADMINISTRATOR: "administrator",
}


# --- the plan ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CitizenPlan:
    national_id: str
    first_name: str
    last_name: str
    mobile: str
    username: str | None


def plan_citizens(rng: random.Random, count: int) -> list[CitizenPlan]:
    """`count` citizens: the first signs in as `citizen`, the next few with their ID."""
    people = People(rng)
    plans = []
    for k in range(count):
        first, last = people.name()
        national_id = people.national_id()
        if k == 0:
            username: str | None = "citizen"
        else:
            username = national_id if k <= CITIZEN_ACCOUNTS else None
        plans.append(CitizenPlan(national_id, first, last, people.mobile(), username))
    return plans


# --- writing ----------------------------------------------------------------------------


class PasswordHash:
    """The demo password hashed once per run (Argon2 takes ~0.1 s a hash) and only if needed.

    Every demo account gets the same encoded hash: the password is published anyway, and
    150 separate hashes would make loading take 15 seconds.
    """

    def __init__(self) -> None:
        self._encoded: str | None = None

    def __call__(self) -> str:
        if self._encoded is None:
            self._encoded = make_password(DEMO_PASSWORD)
        return self._encoded


@dataclass(frozen=True)
class AccountPlan:
    username: str
    first_name: str
    last_name: str
    is_staff: bool = False
    is_superuser: bool = False


def ensure_users(
    accounts: Sequence[AccountPlan], password: PasswordHash, tally: Counter[str]
) -> dict[str, User]:
    """The accounts by username; the missing ones are created with the demo password."""
    usernames = [a.username for a in accounts]
    users = {u.username: u for u in User.objects.filter(username__in=usernames)}
    fresh = [
        User(
            username=a.username,
            first_name=a.first_name,
            last_name=a.last_name,
            is_staff=a.is_staff,
            is_superuser=a.is_superuser,
            password=password(),
        )
        for a in accounts
        if a.username not in users
    ]
    validate_rows(fresh, relations=(), every=THOROUGH_EVERY)
    User.objects.bulk_create(fresh)
    tally["users"] += len(fresh)
    return users | {u.username: u for u in fresh}


def ensure_citizens(
    plans: Sequence[CitizenPlan], password: PasswordHash, tally: Counter[str]
) -> None:
    """The missing citizens; a few with an account (never one a person already has)."""
    ids = [p.national_id for p in plans]
    known = set(Citizen.objects.filter(national_id__in=ids).values_list("national_id", flat=True))
    missing = [p for p in plans if p.national_id not in known]
    accounts = [AccountPlan(p.username, p.first_name, p.last_name) for p in missing if p.username]
    users = ensure_users(accounts, password, tally)
    linked = set(
        Citizen.objects.filter(user__in=list(users.values())).values_list("user", flat=True)
    )
    fresh = []
    for plan in missing:
        user = users.get(plan.username or "")
        fresh.append(
            Citizen(
                national_id=plan.national_id,
                first_name=plan.first_name,
                last_name=plan.last_name,
                mobile=plan.mobile,
                user=user if user is not None and user.pk not in linked else None,
                is_demo=True,
            )
        )
    validate_rows(fresh, relations=("user",), every=THOROUGH_EVERY)
    Citizen.objects.bulk_create(fresh)
    tally["citizens"] += len(fresh)


# --- the report -------------------------------------------------------------------------


def citizen_summary() -> list[tuple[str, int]]:
    return [
        ("citizens", Citizen.objects.filter(is_demo=True).count()),
        ("  with an account", Citizen.objects.filter(is_demo=True, user__isnull=False).count()),
    ]


@dataclass(frozen=True)
class AccountRow:
    username: str
    role: str
    scope: str
    password_works: bool


def _scope(assignments: Sequence[RoleAssignment]) -> str:
    offices = [a.office.code for a in assignments if a.office]
    districts = [str(a.district.number) for a in assignments if a.district]
    if offices:
        return ("office " if len(offices) == 1 else "offices ") + ", ".join(sorted(offices))
    if districts:
        return ("district " if len(districts) == 1 else "districts ") + ", ".join(districts)
    return "whole city"


def _account_row(user: User, works: bool) -> AccountRow:
    assignments = list(
        RoleAssignment.objects.filter(staff__user=user).select_related("office", "district")
    )
    if not assignments:
        is_citizen = Citizen.objects.filter(user=user).exists()
        role, scope = ("citizen", "own requests") if is_citizen else ("(no role)", "-")
        return AccountRow(user.username, role, scope, works)
    role = " + ".join(sorted({ROLE_EN[Role(a.role)] for a in assignments}))
    if user.is_superuser:
        role += " (superuser)"
    return AccountRow(user.username, role, _scope(assignments), works)


def demo_accounts() -> list[AccountRow]:
    """The README's accounts as stored, and whether the demo password opens each one."""
    users = {u.username: u for u in User.objects.filter(username__in=DEMO_USERNAMES)}
    verified: dict[str, bool] = {}  # one check per distinct hash: the demo accounts share one
    rows = []
    for username in DEMO_USERNAMES:
        user = users.get(username)
        if user is None:
            continue
        if user.password not in verified:
            verified[user.password] = check_password(DEMO_PASSWORD, user.password)
        rows.append(_account_row(user, verified[user.password] and user.is_active))
    return rows


def accounts_table(rows: Sequence[AccountRow]) -> list[str]:
    """The demo accounts as a text table; a warning on any the password does not open."""
    header = ("username", "role", "scope")
    cells = [header, *((r.username, r.role, r.scope) for r in rows)]
    widths = [max(len(c[i]) for c in cells) for i in range(2)]
    lines = [f"  {c[0]:<{widths[0]}}  {c[1]:<{widths[1]}}  {c[2]}" for c in cells]
    lines.insert(1, "  " + "-" * (sum(widths) + 4 + max(len(c[2]) for c in cells)))
    for row, k in zip(rows, range(2, len(rows) + 2), strict=True):
        if not row.password_works:
            lines[k] += "   (!) the demo password does not open this account"
    return lines
