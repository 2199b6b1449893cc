"""Migration helpers shared by the apps."""

from django.db import migrations

_FUNCTION = """
CREATE OR REPLACE FUNCTION seisan_reject_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit rows in % are append-only', TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;
"""


def append_only(table: str, *, events: str = "UPDATE OR DELETE") -> migrations.RunPython:
    """Audit tables refuse UPDATE and DELETE in PostgreSQL (SQLite, the embedded default, has no triggers
    of this kind; the application never updates these rows either)."""
    trigger = f"{table}_append_only"

    def forwards(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(
                _FUNCTION
                + f"DROP TRIGGER IF EXISTS {trigger} ON {table};"
                + f"CREATE TRIGGER {trigger} BEFORE {events} ON {table} "
                + "FOR EACH ROW EXECUTE FUNCTION seisan_reject_change();",
                params=None,
            )

    def backwards(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {trigger} ON {table};", params=None)

    return migrations.RunPython(forwards, backwards)
