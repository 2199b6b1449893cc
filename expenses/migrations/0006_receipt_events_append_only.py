"""Receipt history rows are append-only in PostgreSQL (電帳法 R7.4)."""

from django.db import migrations

from core.migration_ops import append_only


class Migration(migrations.Migration):
    dependencies = [("expenses", "0005_receipts")]
    operations = [append_only("expenses_receiptevent")]
