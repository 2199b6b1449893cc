"""Export stamping updates every entry of a batch: drop indexes other indexes already cover, and make the
immutability trigger column-scoped so the stamp (export_batch_id only) runs no trigger at all."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

CREATE = """
CREATE OR REPLACE FUNCTION seisan_journal_entry_immutable() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'journal entries are immutable (%): post a reversal instead', TG_OP;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS accounting_journalentry_immutable ON accounting_journalentry;
-- Any UPDATE naming a column other than export_batch_id, and any DELETE, is refused.
CREATE TRIGGER accounting_journalentry_immutable
    BEFORE UPDATE OF id, kind, claim_id, revision, entry_date, description, debit_total, credit_total,
                     reverses_id, payment_batch_id, created_by_id, created_at
    OR DELETE ON accounting_journalentry
    FOR EACH ROW EXECUTE FUNCTION seisan_journal_entry_immutable();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("accounting", "0002_journal_append_only_and_seed"),
        ("expenses", "0006_receipt_events_append_only"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="journalentry",
            name="claim",
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT,
                                    related_name="journal_entries", to="expenses.claim", verbose_name="精算書"),
        ),
        migrations.AlterField(
            model_name="journalentry",
            name="created_by",
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name="+",
                                    to=settings.AUTH_USER_MODEL, verbose_name="作成者"),
        ),
        migrations.AlterField(
            model_name="journalentry",
            name="export_batch",
            field=models.ForeignKey(blank=True, db_index=False, null=True,
                                    on_delete=django.db.models.deletion.PROTECT, related_name="entries",
                                    to="accounting.exportbatch", verbose_name="エクスポート"),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
