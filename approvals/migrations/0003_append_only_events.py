"""ClaimEvent rows are the audit trail: PostgreSQL refuses to UPDATE or DELETE them."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION seisan_reject_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit rows in % are append-only', TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS approvals_claimevent_append_only ON approvals_claimevent;
CREATE TRIGGER approvals_claimevent_append_only BEFORE UPDATE OR DELETE ON approvals_claimevent
    FOR EACH ROW EXECUTE FUNCTION seisan_reject_change();
"""
DROP = "DROP TRIGGER IF EXISTS approvals_claimevent_append_only ON approvals_claimevent;"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("approvals", "0002_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
