"""Seed the default master data (expenses/defaults.py)."""

from django.db import migrations

from expenses.defaults import seed_default_data


def seed(apps, schema_editor):
    seed_default_data(
        apps.get_model("expenses", "TaxRate"),
        apps.get_model("expenses", "DatedLimit"),
        apps.get_model("expenses", "ExpenseCategory"),
    )


class Migration(migrations.Migration):
    dependencies = [("expenses", "0002_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
