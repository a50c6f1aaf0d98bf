"""Load the deterministic demo city of Isfahan; running it again changes nothing."""

from __future__ import annotations

import argparse
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from pishkhan.core.demo import DEFAULT_PARCELS, format_report, load_demo_city


def count(raw: str) -> int:
    value = int(raw)
    if value < 0:
        raise argparse.ArgumentTypeError("must be zero or more")
    return value


class Command(BaseCommand):
    help = (
        "Load the demo city (15 districts, 35 offices, their staff, parcels and citizens) "
        "and the reference service catalog; idempotent. Prints the demo accounts."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--parcels",
            type=count,
            default=DEFAULT_PARCELS,
            help=f"how many parcels the city has (default {DEFAULT_PARCELS})",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        result = load_demo_city(parcels=options["parcels"])
        if options["verbosity"] > 0:
            self.stdout.write(format_report(result, time.monotonic() - started))
