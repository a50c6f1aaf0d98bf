"""The WSGI application for bench/http_bench.py: pishkhan.wsgi with the clock frozen at
PISHKHAN_BENCH_NOW (an ISO datetime with offset), as bench/cartable.py freezes it, so
the cartables' near and overdue tabs hold what the dataset meant them to."""

from __future__ import annotations

import datetime as dt
import os
from unittest import mock

now = os.environ.get("PISHKHAN_BENCH_NOW")
if now:
    frozen = dt.datetime.fromisoformat(now).astimezone(dt.UTC)
    mock.patch("django.utils.timezone.now", return_value=frozen).start()

from pishkhan.wsgi import application  # noqa: E402 - after the clock

__all__ = ["application"]
