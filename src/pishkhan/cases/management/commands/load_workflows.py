"""Load every workflow definition file (and the official holidays) into the database.

Unchanged files are no-ops; a changed file becomes the service's next version.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from pishkhan.cases.holidays import load_holidays
from pishkhan.cases.workflow import definition_files, load_definition


class Command(BaseCommand):
    help = "Load the workflow definitions in cases/definitions (validated, versioned)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="*", help="definition files (default: all)")
        parser.add_argument(
            "--no-holidays", action="store_true", help="do not load cases/data/holidays.json"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        paths = [Path(p) for p in options["paths"]] or definition_files()
        failed = [path for path in paths if not self.load(path)]
        if not options["no_holidays"]:
            self.stdout.write(f"holidays: {load_holidays()} written")
        if failed:
            raise CommandError(
                f"{len(failed)} definition(s) refused: {', '.join(map(str, failed))}"
            )

    def load(self, path: Path) -> bool:
        try:
            result = load_definition(path)
        except ValidationError as exc:
            self.stderr.write(f"{path.name}: refused")
            for message in exc.messages:
                self.stderr.write(f"  - {message}")
            return False
        definition = result.definition
        verb = "loaded as" if result.created else "unchanged,"
        self.stdout.write(f"{path.name}: {verb} version {definition.version}")
        return True
