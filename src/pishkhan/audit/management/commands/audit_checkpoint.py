"""``manage.py audit_checkpoint``: sign the audit chain's head now (the worker does it
daily); refuses when the rows since the last checkpoint do not verify."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from pishkhan.audit.chain import ChainBrokenError, write_checkpoint


class Command(BaseCommand):
    help = "Write a signed checkpoint of the audit chain's head."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            checkpoint = write_checkpoint()
        except ChainBrokenError as exc:
            raise CommandError(
                f"No checkpoint written: {exc} زنجیره حسابرسی سالم نیست؛ نقطه امضاشده ثبت نشد."
            ) from None
        self.stdout.write(
            f"Checkpoint written: head row {checkpoint.head_seq}, hash {checkpoint.head_hash}, "
            f"key {checkpoint.key_id}."
        )
