"""Delete stored upload files that no row names: what a crash between writing a file and
committing its transaction left behind (docs/files.md). Safe to run at any time: a file
younger than --older-than-minutes is left alone, its transaction may still be running."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from pishkhan.files.store import sweep_orphans


class Command(BaseCommand):
    help = "Delete stored upload files that no row names (left by a crash)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--older-than-minutes", type=int, default=60)
        parser.add_argument("--dry-run", action="store_true", help="list them, delete nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        minutes = max(int(options["older_than_minutes"]), 1)
        found = sweep_orphans(dt.timedelta(minutes=minutes), dry_run=options["dry_run"])
        verb = "would delete" if options["dry_run"] else "deleted"
        for name in found:
            self.stdout.write(f"{verb} {name}")
        self.stdout.write(f"{len(found)} orphan file(s) {verb}.")
