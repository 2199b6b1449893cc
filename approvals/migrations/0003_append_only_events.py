"""ClaimEvent rows are the audit trail: PostgreSQL refuses to UPDATE or DELETE them."""

from django.db import migrations

from core.migration_ops import append_only


class Migration(migrations.Migration):
    dependencies = [("approvals", "0002_initial")]
    operations = [append_only("approvals_claimevent")]
