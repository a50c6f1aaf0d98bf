"""Changing audit rows behind the application's back, as someone with the database would:
raw SQL, and on PostgreSQL with triggers off for the statement's transaction
(``session_replication_role = replica``, which needs a superuser — as the tests' user is)."""

from __future__ import annotations

from typing import Any

from django.db import connection, transaction


def tamper(sql: str, params: list[Any] | None = None) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(sql, params or [])
