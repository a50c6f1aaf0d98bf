"""manage.py make_signing_cert: a self-signed DEMO certificate for signing documents.

Writes the key and certificate to PISHKHAN_SIGNING_DEMO_DIR (var/signing), or to --out.
For the demo and a developer's machine only: a real city signs with a key and a
certificate from its certificate authority (PISHKHAN_SIGNING_KEY / _CERT).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from pishkhan.documents.signing import DEMO_CERT, DEMO_COMMON_NAME, DEMO_KEY, make_self_signed


class Command(BaseCommand):
    help = "Make a self-signed DEMO signing key and certificate (not for real documents)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", help="folder (default: PISHKHAN_SIGNING_DEMO_DIR)")
        parser.add_argument("--force", action="store_true", help="replace an existing pair")

    def handle(self, *args: Any, **options: Any) -> None:
        folder = Path(options["out"] or settings.PISHKHAN_SIGNING_DEMO_DIR)
        key, cert = folder / DEMO_KEY, folder / DEMO_CERT
        if (key.exists() or cert.exists()) and not options["force"]:
            raise CommandError(f"{folder} already has a demo pair; --force replaces it.")
        make_self_signed(key, cert, DEMO_COMMON_NAME)
        self.stdout.write(f"DEMO signing key: {key}\nDEMO signing certificate: {cert}")
