"""Bench: the approval queue at 200,000 claims, for an approver with 1,000 pending steps, and bulk approval.

Usage (PostgreSQL):
    DATABASE_URL=postgres://... python bench/approval_queue.py [--claims 200000] [--pending 1000] [--requests 40]

Seeds with bulk_create (not services): departments, employees, claims with one line each and their route
steps (most claims decided, some pending for other approvers, `--pending` for the bench approver). Measures
p50/p95 latency (ms) and SQL query counts (must be one value: constant) for the queue page and the queue
API over all pages, then the seconds for a bulk approval of 100 claims. The last line is one JSON object.
Re-runnable: the seed is kept and the approver's queue is topped up to `--pending` before measuring.
"""

import argparse
import datetime
import json
import random
import time

import _django

_django.setup()

from django.contrib.auth.models import Group  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from approvals.defaults import ensure_default_policy  # noqa: E402
from approvals.models import ApprovalStep, StepStatus  # noqa: E402
from approvals.services import check_bulk_approve  # noqa: E402
from approvals.transitions import ClaimStatus  # noqa: E402
from expenses.defaults import ensure_default_data  # noqa: E402
from expenses.models import Claim, ClaimLine, ExpenseCategory  # noqa: E402
from people.models import Department, User  # noqa: E402

PREFIX = "BQ"
APPROVER = "bench-approver"
BATCH = 5000


def _people() -> tuple[User, list[User], list[User], list[Department], Group]:
    ensure_default_data()
    ensure_default_policy()
    accounting = Group.objects.get(name="accounting")
    approver_group = Group.objects.get(name="approver")
    departments = []
    for i in range(20):
        dept, _ = Department.objects.get_or_create(code=f"BQ-D{i:02d}", defaults={"name": f"ベンチ部門{i:02d}"})
        departments.append(dept)
    approver, created = User.objects.get_or_create(username=APPROVER, defaults={"name": "ベンチ 承認者"})
    if created:
        approver.set_password("bench")
        approver.save()
        approver.groups.add(approver_group)
    others = list(User.objects.filter(username__startswith="bq-approver-").order_by("id"))
    if not others:
        others = User.objects.bulk_create([User(username=f"bq-approver-{i:03d}", name=f"承認者{i:03d}")
                                           for i in range(99)])
    employees = list(User.objects.filter(username__startswith="bq-emp-").order_by("id"))
    if not employees:
        employees = User.objects.bulk_create([
            User(username=f"bq-emp-{i:04d}", name=f"社員{i:04d}", department=departments[i % 20],
                 manager=approver if i < 50 else others[i % 99]) for i in range(2000)])
    return approver, others, employees, departments, accounting


def _claims(start: int, size: int, rng, *, employees, approver, others, categories, accounting, own_pending: int):
    """One batch: claims, one line each, and round-1 steps (manager + 経理確認)."""
    now = timezone.now()
    today = timezone.localdate()
    claims = []
    for i in range(size):
        index = start + i
        mine = index - start < own_pending
        applicant = employees[rng.randrange(50)] if mine else employees[50 + rng.randrange(1950)]
        if mine:
            status = ClaimStatus.SUBMITTED
        else:
            status = rng.choices([ClaimStatus.APPROVED, ClaimStatus.SUBMITTED, ClaimStatus.RETURNED,
                                  ClaimStatus.DRAFT], weights=[80, 8, 4, 8])[0]
        amount = rng.randint(300, 80_000)
        claims.append(Claim(number=f"{PREFIX}-{index:07d}", applicant=applicant, department_id=applicant.department_id,
                            title=f"ベンチ申請 {index}", status=status, total_amount=amount, line_count=1,
                            taxable_10_amount=amount, tax_10_amount=amount * 10 // 110,
                            submitted_at=None if status == ClaimStatus.DRAFT else now - datetime.timedelta(
                                days=rng.randint(0, 30))))
    Claim.objects.bulk_create(claims, batch_size=BATCH)
    lines, steps = [], []
    for claim in claims:
        category = rng.choice(categories)
        lines.append(ClaimLine(claim=claim, position=1, category=category,
                               expense_date=today - datetime.timedelta(days=rng.randint(0, 60)),
                               amount=claim.total_amount, tax_category="standard", tax_rate=10,
                               tax_amount=claim.total_amount * 10 // 110, vendor="ベンチ商店",
                               no_receipt_reason="紛失" if rng.random() < 0.1 else "",
                               attendee_count=rng.randint(1, 6) if category.attendees_required else None))
        if claim.status == ClaimStatus.DRAFT:
            continue
        manager = claim.applicant.manager
        activated = claim.submitted_at
        first = ApprovalStep(claim=claim, round=1, order=1, name="上長承認", approver_kind="manager", approver=manager,
                             activated_at=activated)
        last = ApprovalStep(claim=claim, round=1, order=2, name="経理確認", approver_kind="group",
                            approver_group=accounting, is_accounting_check=True)
        if claim.status == ClaimStatus.SUBMITTED:
            first.status, last.status = StepStatus.PENDING, StepStatus.WAITING
        elif claim.status == ClaimStatus.RETURNED:
            first.status, first.acted_by, first.acted_at, first.comment = (StepStatus.RETURNED, manager, activated,
                                                                           "修正してください")
            last.status = StepStatus.CANCELLED
        else:
            first.status, first.acted_by, first.acted_at = StepStatus.APPROVED, manager, activated
            last.status, last.activated_at = StepStatus.APPROVED, activated
        steps.extend([first, last])
    ClaimLine.objects.bulk_create(lines, batch_size=BATCH)
    ApprovalStep.objects.bulk_create(steps, batch_size=BATCH)


def seed(total: int, pending: int) -> User:
    approver, others, employees, _departments, accounting = _people()
    employees = list(User.objects.filter(username__startswith="bq-emp-").select_related("manager").order_by("id"))
    categories = list(ExpenseCategory.objects.filter(code__in=["TRANSIT", "TAXI", "SUPPLIES", "MEETING", "ENTERTAIN",
                                                               "BOOKS"]))
    rng = random.Random(42)
    have = Claim.objects.filter(number__startswith=f"{PREFIX}-").count()
    while have < total:
        size = min(BATCH, total - have)
        own = max(0, min(size, pending - ApprovalStep.objects.filter(approver=approver, status="pending").count()))
        with transaction.atomic():
            _claims(have, size, rng, employees=employees, approver=approver, others=others, categories=categories,
                    accounting=accounting, own_pending=own)
        have += size
    missing = pending - ApprovalStep.objects.filter(approver=approver, status=StepStatus.PENDING).count()
    if missing > 0:  # top up after a previous run's bulk approval
        with transaction.atomic():
            _claims(have, missing, rng, employees=employees, approver=approver, others=others,
                    categories=categories, accounting=accounting, own_pending=missing)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return approver


def measure(client: Client, url: str, requests: int, pages: int) -> dict:
    timings, queries = [], set()
    client.get(url)  # warm up
    for i in range(requests):
        target = f"{url}{'&' if '?' in url else '?'}page={i % pages + 1}"
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            response = client.get(target)
            timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (target, response.status_code)
        queries.add(len(ctx))
    return {"p50_ms": round(_django.percentile(timings, 0.5), 1),
            "p95_ms": round(_django.percentile(timings, 0.95), 1), "queries": sorted(queries)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--claims", type=int, default=200_000)
    parser.add_argument("--pending", type=int, default=1_000)
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--bulk", type=int, default=100)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    approver = seed(args.claims, args.pending)
    seed_seconds = time.perf_counter() - started
    pending = ApprovalStep.objects.filter(approver=approver, status=StepStatus.PENDING).count()
    client = Client()
    client.force_login(approver)
    pages = max(1, -(-pending // 25))
    page = measure(client, "/approvals/", args.requests, pages)
    api = measure(client, "/api/v1/approvals/queue/", args.requests, pages)
    filtered = measure(client, "/approvals/?warning=any&sort=-amount", min(args.requests, 10), 1)
    step_ids = list(ApprovalStep.objects.filter(approver=approver, status=StepStatus.PENDING)
                    .order_by("activated_at", "id").values_list("id", flat=True)[:args.bulk])
    started = time.perf_counter()
    results = check_bulk_approve(step_ids, acting_user=approver, comment="ベンチ一括承認")
    bulk_seconds = time.perf_counter() - started
    result = {
        "bench": "approval_queue",
        "database": connection.vendor,
        "claims": Claim.objects.filter(number__startswith=f"{PREFIX}-").count(),
        "steps": ApprovalStep.objects.count(),
        "pending_for_approver": pending,
        "seed_seconds": round(seed_seconds, 1),
        "page": page,
        "api": api,
        "page_filtered_warnings": filtered,
        "bulk_approve": {"claims": len(step_ids), "ok": sum(r["ok"] for r in results),
                         "seconds": round(bulk_seconds, 2)},
    }
    print(f"queue page: p50 {page['p50_ms']} ms, p95 {page['p95_ms']} ms, queries {page['queries']}")
    print(f"queue API:  p50 {api['p50_ms']} ms, p95 {api['p95_ms']} ms, queries {api['queries']}")
    print(f"bulk approve {len(step_ids)}: {bulk_seconds:.2f} s")
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
