"""``manage.py import_settlement FILE``: import a bank's daily settlement file (CSV of
bill id, payment id, amount, reference, date). The same file twice changes nothing;
every line not applied is listed, and the command exits non-zero when there are any."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from pishkhan.payments.actions import do_import_settlement
from pishkhan.payments.errors import PaymentError


class Command(BaseCommand):
    help = "Import a bank's settlement file; mismatches are reported, never applied."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, file: Path, **options: Any) -> None:
        try:
            content = file.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error}") from None
        try:
            result = do_import_settlement(None, name=file.name, content=content)
        except PaymentError as error:
            raise CommandError(error.message) from None
        s = result.settlement
        if not result.fresh:
            self.stdout.write(
                f"{file.name} was imported before ({s.imported_at}); nothing changed."
            )
            return
        self.stdout.write(
            f"{file.name}: {s.lines} lines, {s.applied} applied, {s.already} already recorded, "
            f"{s.mismatched} mismatched."
        )
        for line in result.mismatches:
            self.stderr.write(
                f"line {line.number}: {line.outcome} ({line.bill_id}, {line.pay_id}, "
                f"{line.amount}, {line.reference}): {line.message}"
            )
        if s.mismatched:
            raise CommandError(f"{s.mismatched} lines were not applied; see above.")
