"""Journal rows are immutable in PostgreSQL; seed the chart, vendor mappings and deduction schedules."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION seisan_journal_line_immutable() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'journal lines are immutable (%): post a reversal instead', TG_OP;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS accounting_journalline_immutable ON accounting_journalline;
CREATE TRIGGER accounting_journalline_immutable BEFORE UPDATE OR DELETE ON accounting_journalline
    FOR EACH ROW EXECUTE FUNCTION seisan_journal_line_immutable();

-- Entries: only the export stamp may change (an export claims them, a cancelled export releases them).
CREATE OR REPLACE FUNCTION seisan_journal_entry_immutable() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' OR (to_jsonb(NEW) - 'export_batch_id') <> (to_jsonb(OLD) - 'export_batch_id') THEN
        RAISE EXCEPTION 'journal entries are immutable (%): post a reversal instead', TG_OP;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS accounting_journalentry_immutable ON accounting_journalentry;
CREATE TRIGGER accounting_journalentry_immutable BEFORE UPDATE OR DELETE ON accounting_journalentry
    FOR EACH ROW EXECUTE FUNCTION seisan_journal_entry_immutable();
"""
DROP = """
DROP TRIGGER IF EXISTS accounting_journalline_immutable ON accounting_journalline;
DROP TRIGGER IF EXISTS accounting_journalentry_immutable ON accounting_journalentry;
"""


def triggers_forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def triggers_backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


def seed(apps, schema_editor):
    from accounting.defaults import seed_accounting_data

    seed_accounting_data(apps.get_model("accounting", "Account"), apps.get_model("accounting", "TaxCategoryMapping"),
                         apps.get_model("accounting", "DeductionScheduleRow"))


class Migration(migrations.Migration):
    dependencies = [("accounting", "0001_initial"), ("expenses", "0003_default_data")]
    operations = [
        migrations.RunPython(triggers_forwards, triggers_backwards),
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
