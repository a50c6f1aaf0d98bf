"""Cartable pages and engine actions on a cases dataset: numbers, not pass/fail.

Usage (on a database you can throw away that holds bench/cases_dataset.py's cases, made
with the same --now; THE ACTION PART CHANGES THE DATABASE):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pishkhan_bench \\
        .venv/bin/python bench/cartable.py --now 2026-11-28T12:00:00+03:30

1. Pages: for each busy demo account, every tab of its cartable (the follow-up list for a
   follow-up officer) and two filtered requests (one service; a Jalali date range), then
   the case page of the first case in its cartable. Each page is requested --requests
   times after three warm-ups through Django's in-process test client (DEBUG off), and
   one more time to count its SQL queries.
2. Actions, last: --actions real engine actions through the do_* functions (claim,
   release, visit report, the forward transition out of each state), round robin over a
   pool of open cases, each one transaction with its event row. Reports actions per
   second and the time per action.

The clock (django.utils.timezone.now, read by pishkhan.core.clock.now) is frozen at --now
for the whole run, so the SLA tabs show what the dataset meant them to show. Prints
Markdown tables ready to paste into docs/performance.md; --json FILE writes the numbers.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from unittest import mock
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT / "src") not in sys.path:
    sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from run import percentile  # noqa: E402 - after the path fix

DEFAULT_NOW = "2026-11-28T12:00:00+03:30"  # the default end of bench/cases_dataset.py runs
# Busy accounts of the demo city: the offices with the most capacity (so the most cases
# in any dataset), the planner of nine offices, the two busiest districts.
DEFAULT_ACCOUNTS = (
    "tm-1113",
    "inspector-1108",
    "planner-1101",
    "followup-1113",
    "district-3",
    "district-1",
)
WARMUP = 3
CASE_PAGES_PER_ACCOUNT = 1
# The forward transition out of a state, in order of preference (cases_dataset's main
# path). Cancellations, rejections and send-backs are left out so that a case walks on.
FORWARD_ACTIONS = (
    "refer_to_inspector",
    "supply_documents",
    "submit_visit_report",
    "complete_plan_review",
    "prepare_response",
    "approve_response",
    "send_for_document_check",
    "confirm_documents",
    "supply_more_documents",
    "prepare_extension",
    "approve_extension",
    "confirm_rejection",
)


def configure(allow_sqlite: bool) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pishkhan.settings_test")
    os.environ["DEBUG"] = "0"  # the numbers are the production configuration's
    url = os.environ.get("DATABASE_URL", "")
    if not allow_sqlite and (not url or url.startswith("sqlite")):
        raise SystemExit(
            "Set DATABASE_URL to a PostgreSQL database you can throw away (the actions\n"
            "change it), loaded by bench/cases_dataset.py, e.g.\n"
            "  DATABASE_URL=postgres://postgres@127.0.0.1:5432/pishkhan_bench\n"
            "SQLite (including the default file when DATABASE_URL is unset) only with "
            "--allow-sqlite."
        )
    import django

    django.setup()


@contextmanager
def frozen_clock(now: dt.datetime) -> Iterator[None]:
    """pishkhan.core.clock.now() and everything else that reads timezone.now() see `now`."""
    utc = now.astimezone(dt.UTC)
    with mock.patch("django.utils.timezone.now", return_value=utc):
        yield


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def summary_ms(samples: list[float]) -> tuple[float, float]:
    return statistics.median(samples), percentile(samples, 0.95)


# --- pages ----------------------------------------------------------------------------


@dataclass
class PageResult:
    account: str
    page: str
    url: str
    cases: int | None  # cases in the tab; for a case page, its events
    median_ms: float = 0.0
    p95_ms: float = 0.0
    cpu_median_ms: float = 0.0  # this process's CPU time (Python: client and server)
    cpu_p95_ms: float = 0.0
    queries: int = 0
    note: str = ""
    data: dict[str, str] | None = None  # a POST's form data (the search); None: a GET


def timed_get(
    client: Any, url: str, rounds: int, data: dict[str, str] | None = None
) -> tuple[list[float], list[float], int]:
    """Times GET `url` (POST `data` to it when given), `rounds` times after the warm-ups:
    wall-clock and CPU milliseconds of each request, and the SQL queries of one more."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def get() -> None:
        response = client.get(url) if data is None else client.post(url, data)
        if response.status_code != 200:
            raise SystemExit(f"{url}: HTTP {response.status_code}; the benchmark is broken")

    for _ in range(WARMUP):
        get()
    samples, cpu = [], []
    for _ in range(rounds):
        start, start_cpu = time.perf_counter(), time.process_time()
        get()
        samples.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    with CaptureQueriesContext(connection) as queries:
        get()
    return samples, cpu, len(queries)


def filters(now: dt.datetime) -> list[tuple[str, dict[str, str]]]:
    """The filtered requests: the commonest service, and the last 30 days (Jalali)."""
    from django.utils import timezone

    from pishkhan.catalog.models import ServiceType
    from pishkhan.core.jalali import to_jalali

    service = ServiceType.objects.filter(code="inquiry_notary").values_list("pk", flat=True).first()
    today = timezone.localtime(now).date()
    start, end = to_jalali(today - dt.timedelta(days=30)), to_jalali(today)
    result = [
        (
            f"filter: {to_jalali_text(start)}–{to_jalali_text(end)}",
            {"date_from": to_jalali_text(start), "date_to": to_jalali_text(end)},
        )
    ]
    if service:
        result.insert(0, ("filter: service inquiry_notary", {"service": str(service)}))
    return result


def to_jalali_text(value: Any) -> str:
    return f"{value.year:04d}/{value.month:02d}/{value.day:02d}"


def search_pages(username: str, user: Any, principal: Any) -> list[PageResult]:
    """What a worker types into the search box, about the newest case of their scope (an
    applicant at the counter asks about a recent case): its tracking code (in Persian
    digits, as read off a receipt), its last five digits, the applicant's national ID and
    name, and the parcel's plate."""
    from django.urls import reverse

    from pishkhan.cases import search
    from pishkhan.cases.models import Case
    from pishkhan.core.digits import to_persian_digits

    scope = search.staff_scope(principal)
    found = Case.objects.all() if scope is None else Case.objects.filter(scope)
    case = found.select_related("applicant", "parcel").order_by(*search.ORDER).first()
    if case is None:
        return []
    url = reverse("cases:search")
    applicant = case.applicant
    terms = [
        ("tracking code", to_persian_digits(case.tracking_code)),
        ("last 5 digits", case.tracking_code[-5:]),
        ("national ID", applicant.national_id),
        ("name", f"{applicant.first_name} {applicant.last_name}"),
    ]
    if case.parcel is not None:
        terms.append(("plate", f"{case.parcel.plate_main}/{case.parcel.plate_sub}"))
    results = []
    for label, text in terms:
        page = search.search_page(user, principal, {"q": text}, None)
        results.append(
            PageResult(username, f"search · {label}", url, page.paging.total, data={"q": text})
        )
    return results


def account_pages(
    username: str, now: dt.datetime
) -> tuple[list[PageResult], list[PageResult], Any]:
    """The pages to time for one account (its tabs and filters, then case pages)."""
    from django.urls import reverse

    from pishkhan.accounts.access import load_principal
    from pishkhan.accounts.models import User
    from pishkhan.cases import cartable as queries
    from pishkhan.cases import follow_up
    from pishkhan.offices.roles import Role

    user = User.objects.get(username=username)
    principal = load_principal(user)
    held = set(principal.roles())
    own = [r for r in queries.CARTABLE_ROLES if r in held]
    pages: list[PageResult] = []
    top: list[Any] = []
    if not own and Role.FOLLOW_UP_OFFICER in held:
        base = reverse("cases:follow_up")
        for tab in queries.FOLLOW_UP_TABS:
            page = follow_up.follow_up_page(user, principal, tab, {"tab": tab}, None)
            url = f"{base}?{urlencode({'tab': tab})}"
            pages.append(PageResult(username, f"follow-up · {tab}", url, page.counts[tab]))
            if tab == "all":
                top = [row.case for row in page.rows[:CASE_PAGES_PER_ACCOUNT]]
        for label, extra in filters(now):
            params = {"tab": "all", **extra}
            page = follow_up.follow_up_page(user, principal, "all", params, None)
            url = f"{base}?{urlencode(params)}"
            pages.append(PageResult(username, f"follow-up · {label}", url, page.counts["all"]))
    elif own:
        role = own[0]
        base = reverse("cases:cartable")
        for tab in queries.CARTABLE_TABS:
            params = {"role": role, "tab": tab}
            page = queries.cartable_page(user, principal, role, tab, params, None)
            url = f"{base}?{urlencode(params)}"
            pages.append(PageResult(username, f"{role} · {tab}", url, page.counts[tab]))
            if tab == "all":
                top = [row.case for row in page.rows[:CASE_PAGES_PER_ACCOUNT]]
        for label, extra in filters(now):
            params = {"role": role, "tab": "all", **extra}
            page = queries.cartable_page(user, principal, role, "all", params, None)
            url = f"{base}?{urlencode(params)}"
            pages.append(PageResult(username, f"{role} · {label}", url, page.counts["all"]))
    else:
        raise SystemExit(f"{username} has no cartable and no follow-up list")
    pages += search_pages(username, user, principal)
    case_pages = [
        PageResult(
            username,
            f"case page · {case.service_type.code} {case.state}",
            reverse("cases:detail", args=[case.pk]),
            case.version,  # one event per version
            note=case.tracking_code,
        )
        for case in top
    ]
    return pages, case_pages, user


def bench_pages(
    accounts: list[str], now: dt.datetime, rounds: int
) -> tuple[list[PageResult], list[PageResult]]:
    from django.test import Client

    pages: list[PageResult] = []
    cases: list[PageResult] = []
    for username in accounts:
        mine, case_pages, user = account_pages(username, now)
        client = Client()
        client.force_login(user)
        for result in [*mine, *case_pages]:
            samples, cpu, result.queries = timed_get(client, result.url, rounds, result.data)
            result.median_ms, result.p95_ms = summary_ms(samples)
            result.cpu_median_ms, result.cpu_p95_ms = summary_ms(cpu)
            progress(
                f"  {username:<16}{result.page:<48}{result.median_ms:>8.1f} ms"
                f"{result.cpu_median_ms:>8.1f} ms CPU"
            )
        pages += mine
        cases += case_pages
    return pages, cases


# --- actions --------------------------------------------------------------------------


@dataclass
class ActionStats:
    samples: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    queries: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    refused: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    skipped: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    closed: int = 0
    cases_touched: int = 0

    @property
    def all_samples(self) -> list[float]:
        return [s for samples in self.samples.values() for s in samples]


class QueryCounter:
    """connection.execute_wrapper that counts statements (cheaper than capturing them)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(
        self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        self.count += 1
        return execute(sql, params, many, context)


class Holders:
    """Who holds each role where, today (the engine checks it again on every action)."""

    def __init__(self, today: dt.date) -> None:
        from pishkhan.offices.models import RoleAssignment
        from pishkhan.offices.roles import ROLE_SCOPE, Scope

        self.by_place: dict[tuple[str, int], list[Any]] = defaultdict(list)
        rows = (
            RoleAssignment.objects.filter(starts_on__lte=today, staff__user__is_active=True)
            .exclude(ends_on__lt=today)
            .select_related("staff__user")
            .order_by("staff__user__username")
        )
        for grant in rows:
            place = (
                grant.district_id if ROLE_SCOPE[grant.role] == Scope.DISTRICT else grant.office_id
            )
            if place is not None and grant.staff.user not in self.by_place[(grant.role, place)]:
                self.by_place[(grant.role, place)].append(grant.staff.user)
        self.scope = ROLE_SCOPE
        self.district_scope = Scope.DISTRICT

    def of(self, role: str, case: Any) -> list[Any]:
        if role not in self.scope:
            return []
        place = case.district_id if self.scope[role] == self.district_scope else case.office_id
        return self.by_place.get((role, place), [])


@dataclass
class Step:
    kind: str
    user: Any
    run: Callable[[], Any]


class ActionPlanner:
    """The next legitimate action on a case: in each staff state claim, release, claim
    again, then the forward transition by the claimant (an inspector records a visit
    report first); a case waiting on the applicant gets its documents from the office."""

    def __init__(self, holders: Holders, now: dt.datetime) -> None:
        self.holders = holders
        self.now = now
        self.phase: dict[int, tuple[str, int]] = {}  # case -> (state, steps taken there)
        self.forward_cache: dict[tuple[int, str], Any] = {}

    def forward(self, case: Any) -> Any:
        from pishkhan.cases.models import WorkflowAction

        key = (case.definition_id, case.state)
        if key not in self.forward_cache:
            actions = {
                a.code: a
                for a in WorkflowAction.objects.select_related("to_state").filter(
                    definition_id=case.definition_id,
                    from_state__code=case.state,
                    code__in=FORWARD_ACTIONS,
                )
            }
            self.forward_cache[key] = next(
                (actions[code] for code in FORWARD_ACTIONS if code in actions), None
            )
        return self.forward_cache[key]

    def step(self, case: Any) -> Step | str:
        """The next step, or why there is none (the case leaves the pool)."""
        from pishkhan.cases import actions as do
        from pishkhan.cases.models import APPLICANT, VisitReport
        from pishkhan.geo.models import LandUse
        from pishkhan.offices.roles import Role

        state, taken = self.phase.get(case.pk, (case.state, 0))
        if state != case.state:
            taken = 0
        self.phase[case.pk] = (case.state, taken + 1)
        action = self.forward(case)
        if action is None:
            return f"no forward action out of {case.state}"
        role = next((r for r in action.roles if r != APPLICANT and self.holders.of(r, case)), None)
        if role is None:
            return f"nobody holds {'/'.join(action.roles)} where the case is"
        eligible = [
            u
            for u in self.holders.of(role, case)
            if not (action.code == "approve_response" and u.pk == case.prepared_by_id)
        ]
        if not eligible:
            return f"no second {role} for {action.code}"
        acting = case.acting_role != APPLICANT
        assignee = next(
            (u for u in self.holders.of(case.acting_role, case) if u.pk == case.assignee_id), None
        )
        version = case.version

        if acting and case.assignee_id is not None and (taken == 1 or assignee not in eligible):
            if assignee is None:
                return "claimed by someone who no longer holds the role"
            return Step("release", assignee, lambda: do.do_release_case(assignee, case.pk, version))
        if acting and case.assignee_id is None and taken in (0, 2):
            user = eligible[0]
            return Step("claim", user, lambda: do.do_claim_case(user, case.pk, version))
        actor = assignee if acting and assignee is not None else eligible[0]
        if (
            case.acting_role == Role.INSPECTOR
            and not VisitReport.objects.filter(
                case_id=case.pk, recorded_at__gte=case.state_entered_at
            ).exists()
        ):
            visited = self.now - dt.timedelta(hours=2)
            return Step(
                "record_visit_report",
                actor,
                lambda: do.do_record_visit_report(
                    actor,
                    case.pk,
                    version,
                    visited_at=visited,
                    answers={
                        "observed_land_use": LandUse.RESIDENTIAL,
                        "built_area": "180",
                        "floors": 3,
                        "notes": "bench/cartable.py",
                    },
                ),
            )
        payload = {"documents_checked": list(action.to_state.documents_required)}
        return Step(
            action.code,
            actor,
            lambda: do.do_perform_action(actor, case.pk, action.code, version, payload=payload),
        )


def open_case_queue() -> list[int]:
    """Open cases, interleaved over (service, state) so the pool mixes every kind of step."""
    from pishkhan.cases.models import OPEN, Case

    groups: dict[tuple[int, str], list[int]] = defaultdict(list)
    for pk, service, state in (
        Case.objects.filter(OPEN).order_by("pk").values_list("pk", "service_type_id", "state")
    ):
        groups[(service, state)].append(pk)
    queue: list[int] = []
    lists = [groups[key] for key in sorted(groups)]
    for i in range(max((len(g) for g in lists), default=0)):
        queue += [g[i] for g in lists if i < len(g)]
    return queue


def bench_actions(total: int, now: dt.datetime) -> tuple[ActionStats, float]:
    from django.db import connection
    from django.utils import timezone

    from pishkhan.cases.errors import WorkflowError
    from pishkhan.cases.models import Case

    holders = Holders(timezone.localtime(now).date())
    planner = ActionPlanner(holders, now)
    stats = ActionStats()
    queue = open_case_queue()
    pool_size = max(10, total // 10)
    pool, queue = queue[:pool_size], queue[pool_size:]
    stats.cases_touched = len(pool)
    counter = QueryCounter()

    def replace(pk: int) -> None:
        """The case leaves the pool; the next open case takes its place."""
        pool.remove(pk)
        if queue:
            pool.append(queue.pop(0))
            stats.cases_touched += 1

    done = 0
    began = time.perf_counter()
    with connection.execute_wrapper(counter):
        while done < total and pool:
            for pk in list(pool):
                if done >= total:
                    break
                case = Case.objects.get(pk=pk)
                step = "closed" if case.closed_at is not None else planner.step(case)
                if not isinstance(step, Step):
                    stats.skipped[step] += 1
                    replace(pk)
                    continue
                before = counter.count
                start = time.perf_counter()
                try:
                    result = step.run()
                except WorkflowError as error:
                    stats.refused[f"{step.kind}: {error.message}"] += 1
                    replace(pk)
                    continue
                stats.samples[step.kind].append((time.perf_counter() - start) * 1000)
                stats.queries[step.kind].append(counter.count - before)
                done += 1
                if getattr(result, "closed_at", None) is not None:
                    stats.closed += 1
    return stats, time.perf_counter() - began


# --- report ---------------------------------------------------------------------------


def dataset_facts() -> dict[str, Any]:
    from django.db import connection

    from pishkhan.cases.models import OPEN, Case, CaseEvent

    return {
        "database": connection.vendor,
        "cases": Case.objects.count(),
        "open_cases": Case.objects.filter(OPEN).count(),
        "events": CaseEvent.objects.count(),
    }


def print_pages(pages: list[PageResult], cases: list[PageResult], rounds: int) -> None:
    print(f"\n### Pages ({rounds} requests each after {WARMUP} warm-ups, in-process client)\n")
    print("Wall-clock and CPU (this process: client and server Python) milliseconds.\n")
    print("| account | page | cases | median ms | p95 ms | CPU median | CPU p95 | queries |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for r in pages:
        print(
            f"| `{r.account}` | {r.page} | {r.cases:,} | {r.median_ms:.1f} | {r.p95_ms:.1f} "
            f"| {r.cpu_median_ms:.1f} | {r.cpu_p95_ms:.1f} | {r.queries} |"
        )
    print(
        "\n| account | case page | events | median ms | p95 ms | CPU median | CPU p95 | queries |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for r in cases:
        print(
            f"| `{r.account}` | {r.note} ({r.page.removeprefix('case page · ')}) | {r.cases} "
            f"| {r.median_ms:.1f} | {r.p95_ms:.1f} | {r.cpu_median_ms:.1f} | {r.cpu_p95_ms:.1f} "
            f"| {r.queries} |"
        )
    every = [*pages, *cases]
    if every:
        worst = max(every, key=lambda r: r.median_ms)
        print(
            f"\nSlowest median: {worst.median_ms:.1f} ms ({worst.account}, {worst.page}); "
            f"highest p95: {max(r.p95_ms for r in every):.1f} ms; "
            f"highest CPU median: {max(r.cpu_median_ms for r in every):.1f} ms."
        )


def action_report(stats: ActionStats, wall: float) -> dict[str, Any]:
    every = stats.all_samples
    kinds = {
        kind: {
            "n": len(samples),
            "median_ms": round(statistics.median(samples), 2),
            "p95_ms": round(percentile(samples, 0.95), 2),
            "queries": round(statistics.median(stats.queries[kind]), 1),
        }
        for kind, samples in sorted(stats.samples.items(), key=lambda kv: -len(kv[1]))
    }
    busy = sum(every) / 1000
    return {
        "actions": len(every),
        "seconds_in_actions": round(busy, 3),
        "wall_seconds": round(wall, 3),
        "actions_per_second": round(len(every) / busy, 1) if busy else 0.0,
        "median_ms": round(statistics.median(every), 2) if every else 0.0,
        "p95_ms": round(percentile(every, 0.95), 2) if every else 0.0,
        "cases_touched": stats.cases_touched,
        "cases_closed": stats.closed,
        "by_kind": kinds,
        "refused": dict(stats.refused),
        "left_pool": dict(stats.skipped),
    }


def print_actions(report: dict[str, Any]) -> None:
    print(
        f"\n### Actions ({report['actions']} through the do_* functions, one transaction "
        f"and one event each, over {report['cases_touched']} open cases, "
        f"{report['cases_closed']} closed by them)\n"
    )
    print("| action | n | median ms | p95 ms | queries |")
    print("|---|---:|---:|---:|---:|")
    for kind, row in report["by_kind"].items():
        print(
            f"| `{kind}` | {row['n']} | {row['median_ms']:.1f} | {row['p95_ms']:.1f} "
            f"| {row['queries']:g} |"
        )
    print(
        f"| **all** | {report['actions']} | {report['median_ms']:.1f} | {report['p95_ms']:.1f} | |"
    )
    print(
        f"\n{report['actions_per_second']:.1f} actions/s in the action calls "
        f"({report['seconds_in_actions']:.2f} s; {report['wall_seconds']:.2f} s wall with "
        f"choosing the next step)."
    )
    for what, count in report["refused"].items():
        print(f"- refused {count}×: {what}")
    for what, count in report["left_pool"].items():
        print(f"- left the pool {count}×: {what}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--now",
        type=dt.datetime.fromisoformat,
        default=dt.datetime.fromisoformat(DEFAULT_NOW),
        help=f"the engine's frozen clock, as given to cases_dataset.py (default {DEFAULT_NOW})",
    )
    parser.add_argument("--requests", type=int, default=30, help="timed requests per page")
    parser.add_argument(
        "--actions", type=int, default=300, help="engine actions to perform (0: none)"
    )
    parser.add_argument(
        "--accounts",
        type=lambda raw: [a.strip() for a in raw.split(",") if a.strip()],
        default=list(DEFAULT_ACCOUNTS),
        help="comma-separated usernames (default: %(default)s)",
    )
    parser.add_argument("--json", type=Path, help="also write the numbers to this file")
    parser.add_argument(
        "--allow-sqlite", action="store_true", help="run on SQLite (default: refuse)"
    )
    args = parser.parse_args()
    if args.now.tzinfo is None:
        raise SystemExit("--now needs an offset, e.g. 2026-11-28T12:00:00+03:30")
    configure(args.allow_sqlite)

    from django.conf import settings

    if settings.DEBUG:
        raise SystemExit("DEBUG is on; the numbers would not be the server's")
    facts = dataset_facts()
    if not facts["open_cases"]:
        raise SystemExit("No open cases: load the dataset first (bench/cases_dataset.py).")
    print(
        f"machine: {platform.node()} {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, database: {facts['database']}; "
        f"{facts['cases']:,} cases ({facts['open_cases']:,} open), {facts['events']:,} events; "
        f"clock frozen at {args.now.isoformat()}"
    )
    if args.actions:
        print(
            f"NOTE: this run CHANGES THE DATABASE: after the pages it commits {args.actions} "
            "engine actions (claims, releases, visit reports, transitions) on open cases."
        )
    with frozen_clock(args.now):
        progress("pages:")
        pages, cases = bench_pages(args.accounts, args.now, args.requests)
        report: dict[str, Any] = {}
        wall = 0.0
        if args.actions:
            progress(f"actions: {args.actions} (changing the database)")
            stats, wall = bench_actions(args.actions, args.now)
            report = action_report(stats, wall)
    print_pages(pages, cases, args.requests)
    if report:
        print_actions(report)
    if args.json:
        result = {
            "machine": {
                "node": platform.node(),
                "cores": os.cpu_count(),
                "python": platform.python_version(),
            },
            "dataset": facts,
            "now": args.now.isoformat(),
            "requests": args.requests,
            "pages": [asdict(p) for p in pages],
            "case_pages": [asdict(p) for p in cases],
            "actions": report,
        }
        args.json.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
