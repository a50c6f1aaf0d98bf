"""Start-up checks: production does not sign with the demo certificate."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Warning, register


@register("documents", deploy=True)
def signing_key_configured(**kwargs: Any) -> list[Warning]:
    if settings.PISHKHAN_SIGNING_KEY and settings.PISHKHAN_SIGNING_CERT:
        return []
    return [
        Warning(
            "Issued documents are signed with the self-signed DEMO certificate.",
            hint="Set PISHKHAN_SIGNING_KEY and PISHKHAN_SIGNING_CERT to the city's key and "
            "certificate (docs/documents.md).",
            id="pishkhan.documents.W001",
        )
    ]
