"""Which export holds an entry moves to ExportItem, so that journal entries become fully immutable and an
export claims its entries with a narrow INSERT instead of rewriting every entry row."""

import django.db.models.deletion
from django.db import migrations, models

from core.migration_ops import append_only

COPY_STAMPS = """
INSERT INTO accounting_exportitem (entry_id, batch_id)
SELECT id, export_batch_id FROM accounting_journalentry WHERE export_batch_id IS NOT NULL
"""
COPY_STAMPS_BACK = """
UPDATE accounting_journalentry SET export_batch_id =
    (SELECT batch_id FROM accounting_exportitem i WHERE i.entry_id = accounting_journalentry.id)
"""
OLD_TRIGGER = """
DROP TRIGGER IF EXISTS accounting_journalentry_immutable ON accounting_journalentry;
DROP FUNCTION IF EXISTS seisan_journal_entry_immutable();
"""


def copy_stamps(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(OLD_TRIGGER, params=None)  # the old trigger let only the stamp change
    schema_editor.execute(COPY_STAMPS, params=None)


def copy_stamps_back(apps, schema_editor):
    schema_editor.execute(COPY_STAMPS_BACK, params=None)


def batch_index(apps, schema_editor):
    # BRIN in PostgreSQL: batch ids follow insertion order, and a claim of 500,000 rows barely touches it.
    using = "USING brin " if schema_editor.connection.vendor == "postgresql" else ""
    schema_editor.execute(f"CREATE INDEX export_item_batch ON accounting_exportitem {using}(batch_id)", params=None)


def drop_batch_index(apps, schema_editor):
    schema_editor.execute("DROP INDEX IF EXISTS export_item_batch", params=None)


class Migration(migrations.Migration):

    dependencies = [
        ("accounting", "0005_restore_entry_batch_index"),
    ]

    operations = [
        migrations.CreateModel(
            name="ExportItem",
            fields=[
                ("entry", models.OneToOneField(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING,
                                               primary_key=True, related_name="export_item", serialize=False,
                                               to="accounting.journalentry", verbose_name="仕訳")),
                ("batch", models.ForeignKey(db_constraint=False, db_index=False,
                                            on_delete=django.db.models.deletion.DO_NOTHING, related_name="items",
                                            to="accounting.exportbatch", verbose_name="エクスポート")),
            ],
            options={
                "verbose_name": "エクスポート済みの仕訳",
                "verbose_name_plural": "エクスポート済みの仕訳",
            },
        ),
        migrations.RunPython(batch_index, drop_batch_index),
        migrations.RunPython(copy_stamps, copy_stamps_back),
        migrations.RemoveIndex(model_name="journalentry", name="entry_date_id"),
        migrations.RemoveIndex(model_name="journalentry", name="entry_batch_id"),
        migrations.RemoveField(model_name="journalentry", name="export_batch"),
        migrations.AddIndex(
            model_name="journalentry",
            index=models.Index(fields=["entry_date", "id"], name="entry_date_id"),
        ),
        append_only("accounting_journalentry"),
    ]
