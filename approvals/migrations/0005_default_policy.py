"""The default route (domain.md §14 pain point 5) and append-only protection for approver corrections."""

from django.db import migrations

from core.migration_ops import append_only


def forwards(apps, schema_editor):
    from approvals.defaults import seed_default_policy

    seed_default_policy(apps.get_model("approvals", "ApprovalPolicy"), apps.get_model("approvals", "ApprovalRule"),
                        apps.get_model("expenses", "ExpenseCategory"), apps.get_model("auth", "Group"))


class Migration(migrations.Migration):
    dependencies = [
        ("approvals", "0004_approval_workflow"),
        ("expenses", "0004_line_approval_corrections"),
        ("people", "0002_roles"),
    ]
    # Corrections may disappear with a line an employee deletes from a returned claim, so only UPDATE is refused.
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop),
                  append_only("approvals_linecorrection", events="UPDATE")]
