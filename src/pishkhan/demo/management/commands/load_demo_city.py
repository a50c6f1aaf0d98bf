"""Load the deterministic demo city of Isfahan; running it again changes nothing."""

from __future__ import annotations

import argparse
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import connection

from pishkhan.demo.cases import DEFAULT_CASES
from pishkhan.demo.city import DEFAULT_PARCELS, format_report, load_demo_city


def count(raw: str) -> int:
    value = int(raw)
    if value < 0:
        raise argparse.ArgumentTypeError("must be zero or more")
    return value


class Command(BaseCommand):
    help = (
        "Load the demo city (15 districts, 35 offices, their staff, parcels, citizens and "
        "demo cases), the reference service catalog, the workflow definitions and the "
        "official holidays; idempotent. Prints the demo cases and the demo accounts."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--parcels",
            type=count,
            default=DEFAULT_PARCELS,
            help=f"how many parcels the city has (default {DEFAULT_PARCELS})",
        )
        parser.add_argument(
            "--cases",
            type=count,
            default=DEFAULT_CASES,
            help=(
                f"how many demo cases a first load creates (default {DEFAULT_CASES}); "
                "once demo cases exist, none are added"
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        result = load_demo_city(parcels=options["parcels"], cases=options["cases"])
        # Fresh tables have no planner statistics until autovacuum gets to them (never,
        # where it is off); without them PostgreSQL may scan all parcels for a few cases.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        if options["verbosity"] > 0:
            self.stdout.write(format_report(result, time.monotonic() - started))
