"""The default route (domain.md §14 pain point 5) and append-only protection for approver corrections."""

from django.db import migrations

TRIGGER = """
CREATE OR REPLACE FUNCTION seisan_reject_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit rows in % are append-only', TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS approvals_linecorrection_append_only ON approvals_linecorrection;
CREATE TRIGGER approvals_linecorrection_append_only BEFORE UPDATE ON approvals_linecorrection
    FOR EACH ROW EXECUTE FUNCTION seisan_reject_change();
"""
DROP = "DROP TRIGGER IF EXISTS approvals_linecorrection_append_only ON approvals_linecorrection;"


def forwards(apps, schema_editor):
    from approvals.defaults import seed_default_policy

    seed_default_policy(apps.get_model("approvals", "ApprovalPolicy"), apps.get_model("approvals", "ApprovalRule"),
                        apps.get_model("expenses", "ExpenseCategory"), apps.get_model("auth", "Group"))
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(TRIGGER, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("approvals", "0004_approval_workflow"),
        ("expenses", "0004_line_approval_corrections"),
        ("people", "0002_roles"),
    ]
    operations = [migrations.RunPython(forwards, backwards)]
