"""The default approval route, shared by the data migration and by tests that flushed the tables."""

DEFAULT_POLICY_NAME = "標準ルート"


def seed_default_policy(ApprovalPolicy, ApprovalRule, ExpenseCategory, Group) -> None:
    """Idempotent: creates the default policy only when no policy exists (admins' edits are kept).

    manager → department head if ≥ ¥50,000 or 交際費 → director (parent department head) if ≥ ¥300,000
    → 経理確認 (any member of the accounting group).
    """
    if ApprovalPolicy.objects.exists():
        return
    accounting, _ = Group.objects.get_or_create(name="accounting")
    entertainment = ExpenseCategory.objects.filter(code="ENTERTAIN").first()
    policy = ApprovalPolicy.objects.create(name=DEFAULT_POLICY_NAME, priority=1000)
    ApprovalRule.objects.bulk_create([
        ApprovalRule(policy=policy, order=10, name="上長承認", approver_kind="manager"),
        ApprovalRule(policy=policy, order=20, name="部門長承認", approver_kind="department_head", match="any",
                     min_amount=50_000, category=entertainment),
        ApprovalRule(policy=policy, order=30, name="本部長承認", approver_kind="director", min_amount=300_000),
        ApprovalRule(policy=policy, order=90, name="経理確認", approver_kind="group", approver_group=accounting,
                     is_accounting_check=True),
    ])


def ensure_default_policy() -> None:
    from django.contrib.auth.models import Group

    from approvals.models import ApprovalPolicy, ApprovalRule
    from expenses.models import ExpenseCategory

    seed_default_policy(ApprovalPolicy, ApprovalRule, ExpenseCategory, Group)
