"""Receipt history rows are append-only in PostgreSQL (電帳法 R7.4)."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION seisan_reject_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit rows in % are append-only', TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS expenses_receiptevent_append_only ON expenses_receiptevent;
CREATE TRIGGER expenses_receiptevent_append_only BEFORE UPDATE OR DELETE ON expenses_receiptevent
    FOR EACH ROW EXECUTE FUNCTION seisan_reject_change();
"""
DROP = "DROP TRIGGER IF EXISTS expenses_receiptevent_append_only ON expenses_receiptevent;"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("expenses", "0005_receipts")]
    operations = [migrations.RunPython(forwards, backwards)]
