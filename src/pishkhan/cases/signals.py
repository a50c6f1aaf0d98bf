"""Signals sent after a case change has been committed (never inside the transaction).

Receivers (SMS, webhooks, aggregates) get ``case_id``, ``event_id`` and ``action``.
"""

from __future__ import annotations

from django.dispatch import Signal

case_changed = Signal()
