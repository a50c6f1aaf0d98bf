"""The supervisors' and administrators' overview: open and overdue cases per office."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count

from pishkhan.cases.models import Case
from pishkhan.cases.sla import StateMap, overdue_q
from pishkhan.core import clock


@dataclass(frozen=True)
class OverviewRow:
    office_id: int
    office_name: str
    office_code: str
    total: int
    overdue: int
    states: list[tuple[str, int]]


def overview(now: dt.datetime | None = None) -> tuple[list[OverviewRow], int, int]:
    """Open cases per office and state across the city, in one aggregate query (plus the
    state labels); returns the rows and the city totals (open, overdue)."""
    now = now or clock.now()
    states = StateMap.load()
    grouped = (
        Case.objects.open()
        .order_by()
        .values("office_id", "office__name", "office__code", "state")
        .annotate(n=Count("pk"), late=Count("pk", filter=overdue_q(now)))
    )
    offices: dict[int, dict[str, Any]] = {}
    for row in grouped:
        entry = offices.setdefault(
            row["office_id"],
            {
                "name": row["office__name"],
                "code": row["office__code"],
                "total": 0,
                "late": 0,
                "states": [],
            },
        )
        entry["total"] += row["n"]
        entry["late"] += row["late"]
        entry["states"].append((states.label_by_code(row["state"]), row["n"]))
    rows = [
        OverviewRow(
            pk,
            e["name"],
            e["code"],
            e["total"],
            e["late"],
            sorted(e["states"], key=lambda s: -s[1]),
        )
        for pk, e in sorted(offices.items(), key=lambda item: item[1]["name"])
    ]
    return rows, sum(r.total for r in rows), sum(r.overdue for r in rows)
