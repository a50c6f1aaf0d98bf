"""Check the invariants of a cases dataset (bench/cases_dataset.py); every count must be 0.

Usage:  DATABASE_URL=… .venv/bin/python bench/check_cases.py [--sample 2000]

SQL checks run on PostgreSQL and SQLite alike; the Python checks use the project's own
tracking-code and working-calendar functions. Exit status 1 when anything is off.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from cases_dataset import configure  # noqa: E402 - after the path fix

# (what must hold, a query counting the rows where it does not)
SQL_CHECKS: tuple[tuple[str, str], ...] = (
    (
        "an open case's acting role is its state's role in its pinned definition",
        """SELECT count(*) FROM cases_case c
           LEFT JOIN cases_workflowstate s
             ON s.definition_id = c.definition_id AND s.code = c.state
           WHERE c.closed_at IS NULL
             AND (s.id IS NULL OR s.is_terminal OR s.acting_role <> c.acting_role)""",
    ),
    (
        "a closed case is in a terminal state, without role, assignee, due time or pause",
        """SELECT count(*) FROM cases_case c
           JOIN cases_workflowstate s ON s.definition_id = c.definition_id AND s.code = c.state
           WHERE c.closed_at IS NOT NULL
             AND (NOT s.is_terminal OR c.acting_role <> '' OR c.assignee_id IS NOT NULL
                  OR c.due_at IS NOT NULL OR c.sla_paused_at IS NOT NULL
                  OR c.state_entered_at <> c.closed_at OR c.closed_at < c.opened_at)""",
    ),
    (
        "an open case has a due time where its state has an SLA, a pause where it pauses",
        """SELECT count(*) FROM cases_case c
           JOIN cases_workflowstate s ON s.definition_id = c.definition_id AND s.code = c.state
           WHERE c.closed_at IS NULL
             AND ((c.sla_paused_at IS NOT NULL) <> s.pauses_sla
                  OR (s.sla_hours IS NOT NULL AND c.due_at IS NULL)
                  OR (c.sla_paused_at IS NOT NULL AND c.paused_from_state = ''))""",
    ),
    (
        "tracking codes are unique",
        "SELECT count(*) - count(DISTINCT tracking_code) FROM cases_case",
    ),
    (
        "the tracking counter of each year is at or past its highest code",
        """SELECT count(*) FROM (
             SELECT substr(tracking_code, 1, 2) AS yy,
                    max(CAST(substr(tracking_code, 3, length(tracking_code) - 3) AS integer))
                      AS top
             FROM cases_case GROUP BY substr(tracking_code, 1, 2)) x
           LEFT JOIN cases_trackingsequence t ON t.year % 100 = CAST(x.yy AS integer)
           WHERE t.last IS NULL OR t.last < x.top""",
    ),
    (
        "the district is the parcel's, else the office's",
        """SELECT count(*) FROM cases_case c
           JOIN offices_office o ON o.id = c.office_id
           LEFT JOIN geo_parcel p ON p.id = c.parcel_id
           WHERE c.district_id <> COALESCE(p.district_id, o.district_id)""",
    ),
    (
        "an assignee holds the acting role at the case's office (district staff: district)",
        """SELECT count(*) FROM cases_case c
           WHERE c.assignee_id IS NOT NULL AND NOT EXISTS (
             SELECT 1 FROM offices_roleassignment r
             JOIN offices_staffmember m ON m.id = r.staff_id
             WHERE m.user_id = c.assignee_id AND r.role = c.acting_role
               AND (r.office_id = c.office_id
                    OR (r.role = 'district_staff' AND r.district_id = c.district_id)))""",
    ),
    (
        "open cases are only at active offices",
        """SELECT count(*) FROM cases_case c JOIN offices_office o ON o.id = c.office_id
           WHERE c.closed_at IS NULL AND o.status <> 'active'""",
    ),
    (
        "no response issued without an approver, none approved by its preparer",
        """SELECT count(*) FROM cases_case
           WHERE (state = 'response_issued' AND approved_by_id IS NULL)
              OR prepared_by_id = approved_by_id""",
    ),
    (
        "the events run 1…version",
        """SELECT count(*) FROM cases_case c
           LEFT JOIN (SELECT case_id, count(*) AS n, min(seq) AS lo, max(seq) AS hi
                      FROM cases_caseevent GROUP BY case_id) e ON e.case_id = c.id
           WHERE e.n IS NULL OR e.n <> c.version OR e.lo <> 1 OR e.hi <> c.version""",
    ),
    (
        "the first event opens the case into its definition's initial state",
        """SELECT count(*) FROM cases_caseevent e
           JOIN cases_case c ON c.id = e.case_id
           JOIN cases_workflowstate s ON s.definition_id = c.definition_id AND s.is_initial
           WHERE e.seq = 1
             AND (e.action <> 'open' OR e.from_state <> '' OR e.to_state <> s.code
                  OR e.created_at <> c.opened_at)""",
    ),
    (
        "the last event ends in the case's state",
        """SELECT count(*) FROM cases_case c
           JOIN cases_caseevent e ON e.case_id = c.id AND e.seq = c.version
           WHERE e.to_state <> c.state""",
    ),
    (
        "an open case's trail is continuous and in time order",
        """SELECT count(*) FROM cases_caseevent e
           JOIN cases_caseevent p ON p.case_id = e.case_id AND p.seq = e.seq - 1
           JOIN cases_case c ON c.id = e.case_id
           WHERE c.closed_at IS NULL
             AND (e.from_state <> p.to_state OR e.created_at < p.created_at)""",
    ),
    (
        "every transition event is an action of the pinned definition",
        """SELECT count(*) FROM cases_caseevent e
           JOIN cases_case c ON c.id = e.case_id
           WHERE e.action NOT IN ('open', 'claim', 'release', 'record_visit_report',
                                  'follow_up_note')
             AND NOT EXISTS (
               SELECT 1 FROM cases_workflowaction a
               JOIN cases_workflowstate f ON f.id = a.from_state_id
               JOIN cases_workflowstate t ON t.id = a.to_state_id
               WHERE a.definition_id = c.definition_id AND a.code = e.action
                 AND f.code = e.from_state AND t.code = e.to_state)""",
    ),
    (
        "an open case's visit-report events each have their report",
        """SELECT count(*) FROM cases_caseevent e
           JOIN cases_case c ON c.id = e.case_id
           WHERE c.closed_at IS NULL AND e.action = 'record_visit_report'
             AND NOT EXISTS (SELECT 1 FROM cases_visitreport v
                             WHERE v.case_id = e.case_id AND v.recorded_at = e.created_at
                               AND v.parcel_id = c.parcel_id
                               AND v.visited_at <= v.recorded_at)""",
    ),
)


def python_checks(sample: int) -> list[tuple[str, int]]:
    """Tracking codes (Damm digit, Jalali year, opening order) and a sample of open
    cases' deadlines recomputed with cases.calendar."""
    from pishkhan.cases.calendar import add_working_hours
    from pishkhan.cases.models import Case, CaseEvent, WorkflowState
    from pishkhan.cases.tracking import is_valid_tracking_code
    from pishkhan.core.jalali import jalali_year

    bad_codes = wrong_year = out_of_order = 0
    previous: tuple[str, object] | None = None
    rows = Case.objects.order_by("tracking_code").values_list("tracking_code", "opened_at")
    for code, opened_at in rows.iterator(chunk_size=20_000):
        bad_codes += not is_valid_tracking_code(code)
        wrong_year += int(code[:2]) != jalali_year(opened_at) % 100
        if previous and previous[0][:2] == code[:2] and opened_at < previous[1]:  # type: ignore[operator]
            out_of_order += 1
        previous = (code, opened_at)

    sla = {
        (s.definition_id, s.code): s.sla_hours
        for s in WorkflowState.objects.filter(sla_hours__isnull=False)
    }
    open_ids = list(
        Case.objects.filter(closed_at__isnull=True, sla_paused_at__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    wrong_due = 0
    chosen = random.Random(1).sample(open_ids, min(sample, len(open_ids)))
    for case in Case.objects.filter(pk__in=chosen).select_related("definition"):
        hours = sla.get((case.definition_id, case.state))
        trail = list(CaseEvent.objects.filter(case=case).order_by("seq"))
        resumed = any(e.to_state in ("awaiting_documents", "awaiting_applicant") for e in trail)
        if hours and not resumed:
            wrong_due += case.due_at != add_working_hours(case.state_entered_at, hours)
            overall = case.definition.sla_hours
            if overall:
                wrong_due += case.overall_due_at != add_working_hours(case.opened_at, overall)
    return [
        ("tracking codes carry a valid Damm check digit", bad_codes),
        ("a tracking code's year is the Jalali year the case opened in", wrong_year),
        ("a year's tracking numbers follow the opening order", out_of_order),
        (f"open cases' due times match cases.calendar (sample of {sample})", wrong_due),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=int, default=2000)
    args = parser.parse_args()
    configure()
    from django.db import connection

    failed = 0
    with connection.cursor() as cursor:
        for label, sql in SQL_CHECKS:
            started = time.perf_counter()
            cursor.execute(sql)
            bad = cursor.fetchone()[0]
            failed += bool(bad)
            print(f"{bad:>8}  {label}  ({time.perf_counter() - started:.1f} s)")
    started = time.perf_counter()
    for label, bad in python_checks(args.sample):
        failed += bool(bad)
        print(f"{bad:>8}  {label}")
    print(f"python checks: {time.perf_counter() - started:.1f} s")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
