"""A PostgreSQL database a benchmark creates and drops: ``with scratch_database(url):``
creates the database `url` names (refusing one that exists, so nobody's data is
reused), and drops it when the block ends, even after a failure. ``None``: nothing
(the benchmark runs on the database it is given)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit


@contextmanager
def scratch_database(url: str | None) -> Iterator[None]:
    if not url:
        yield
        return
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not name.startswith("pishkhan_bench"):
        raise SystemExit(f"--create makes only databases named pishkhan_bench…, not {name!r}")
    admin = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield
    finally:
        from django.db import connections

        connections.close_all()
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
