"""Seed the default travel policy (日当・宿泊手当, R9.2) and the 航空券 category (R3.4)."""

from django.db import migrations

from expenses.services.trips import seed_transit_defaults


def seed(apps, schema_editor):
    seed_transit_defaults(apps.get_model("expenses", "TravelAllowanceRate"), apps.get_model("expenses", "ExpenseCategory"))


class Migration(migrations.Migration):
    dependencies = [("expenses", "0007_transit")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
