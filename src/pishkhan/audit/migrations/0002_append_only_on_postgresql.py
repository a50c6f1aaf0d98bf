"""PostgreSQL refuses UPDATE, DELETE and TRUNCATE on the audit tables (a no-op on SQLite,
where the models' own refusals are what stands; docs/audit.md).

TRUNCATE is let through only in a session that sets ``pishkhan.audit_allow_truncate`` to
``on``: the test settings do, because pytest-django empties the database between
transactional tests with one TRUNCATE of every table. The application never sets it.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

TABLES = ("audit_auditrecord", "audit_auditcheckpoint")

FUNCTION = """
CREATE OR REPLACE FUNCTION pishkhan_audit_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE'
       AND coalesce(current_setting('pishkhan.audit_allow_truncate', true), '') = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'audit rows are append-only: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation';
END
$$;
"""


def forwards(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION, params=None)  # its % are PL/pgSQL, not placeholders
    for table in TABLES:
        schema_editor.execute(
            f"CREATE TRIGGER {table}_no_change BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION pishkhan_audit_append_only()"
        )
        schema_editor.execute(
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION pishkhan_audit_append_only()"
        )


def backwards(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_change ON {table}")
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
    schema_editor.execute("DROP FUNCTION IF EXISTS pishkhan_audit_append_only()")


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_chain")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
