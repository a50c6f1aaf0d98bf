"""``manage.py verify_audit_chain``: recompute every hash of the audit chain in seq order
and check every signed checkpoint; exits non-zero and names the first broken link."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from pishkhan.audit.chain import verify
from pishkhan.audit.models import utc_text


class Command(BaseCommand):
    help = "Verify the audit chain (hashes, order, gaps) and its signed checkpoints."

    def handle(self, *args: Any, **options: Any) -> None:
        report = verify()
        latest = report.latest_checkpoint
        summary = (
            f"{report.records} rows, head {report.head_seq}, {report.checkpoints} checkpoints"
            + (
                f", the latest of {utc_text(latest.at)} at row {latest.head_seq}"
                if latest
                else ", none signed yet (manage.py audit_checkpoint)"
            )
        )
        if not report.intact:
            found = "\n".join(str(problem) for problem in report.problems)
            raise CommandError(
                f"The audit chain is broken ({summary}); زنجیره حسابرسی دست‌کاری شده است:\n{found}"
            )
        self.stdout.write(f"The audit chain is intact: {summary}. زنجیره حسابرسی سالم است.")
