"""Bench: "my claims" page and API with 20,000 claims and 100,000 lines.

Usage (PostgreSQL recommended; make test's servers or your own):
    DATABASE_URL=postgres://... python bench/claims_list.py [--claims 20000] [--lines-per-claim 5] [--requests 50]

Prints p50/p95 latency (ms) and SQL query counts for the list page and the API; the last line is one JSON object.
"""

import argparse
import datetime
import json
import random
import time

import _django

_django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from approvals.transitions import ClaimStatus  # noqa: E402
from expenses.defaults import ensure_default_data  # noqa: E402
from expenses.models import Claim, ClaimLine, ExpenseCategory  # noqa: E402
from people.models import User  # noqa: E402

BENCH_USER = "bench-employee"


def seed(claims: int, lines_per_claim: int) -> User:
    ensure_default_data()
    user, _ = User.objects.get_or_create(username=BENCH_USER, defaults={"name": "ベンチ 太郎"})
    user.set_password("bench")
    user.save()
    have = Claim.objects.filter(applicant=user).count()
    if have >= claims:
        return user
    categories = list(ExpenseCategory.objects.filter(kind__in=["general", "transit", "taxi"]))
    rng = random.Random(42)
    today = timezone.localdate()
    statuses = [ClaimStatus.DRAFT, ClaimStatus.SUBMITTED, ClaimStatus.APPROVED, ClaimStatus.RETURNED]
    batch = 2000
    for start in range(have, claims, batch):
        size = min(batch, claims - start)
        new_claims = [
            Claim(number=f"BENCH-{start + i:07d}", applicant=user, title=f"ベンチ申請 {start + i}",
                  status=rng.choice(statuses))
            for i in range(size)
        ]
        Claim.objects.bulk_create(new_claims)
        lines = []
        for claim in new_claims:
            total = 0
            for position in range(1, lines_per_claim + 1):
                amount = rng.randint(100, 30000)
                total += amount
                lines.append(ClaimLine(claim=claim, position=position, category=rng.choice(categories),
                                       expense_date=today - datetime.timedelta(days=rng.randint(0, 365)),
                                       amount=amount, tax_category="standard", tax_rate=10,
                                       tax_amount=amount * 10 // 110, vendor="ベンチ商店"))
            claim.total_amount, claim.line_count = total, lines_per_claim
        ClaimLine.objects.bulk_create(lines, batch_size=5000)
        Claim.objects.bulk_update(new_claims, ["total_amount", "line_count"], batch_size=2000)
    return user


def measure(client: Client, url: str, requests: int) -> dict:
    timings, queries = [], set()
    client.get(url)  # warm up
    for page in range(1, requests + 1):
        target = f"{url}?page={page}"
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            response = client.get(target)
            timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (target, response.status_code)
        queries.add(len(ctx))
    return {
        "p50_ms": round(_django.percentile(timings, 0.5), 1),
        "p95_ms": round(_django.percentile(timings, 0.95), 1),
        "queries": sorted(queries),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--claims", type=int, default=20_000)
    parser.add_argument("--lines-per-claim", type=int, default=5)
    parser.add_argument("--requests", type=int, default=50)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    user = seed(args.claims, args.lines_per_claim)
    seed_seconds = time.perf_counter() - started
    client = Client()
    client.force_login(user)
    page = measure(client, "/claims/", args.requests)
    api = measure(client, "/api/v1/claims/", args.requests)
    result = {
        "bench": "claims_list",
        "database": connection.vendor,
        "claims": Claim.objects.filter(applicant=user).count(),
        "lines": ClaimLine.objects.filter(claim__applicant=user).count(),
        "seed_seconds": round(seed_seconds, 1),
        "page": page,
        "api": api,
    }
    print(f"list page: p50 {page['p50_ms']} ms, p95 {page['p95_ms']} ms, queries {page['queries']}")
    print(f"list API:  p50 {api['p50_ms']} ms, p95 {api['p95_ms']} ms, queries {api['queries']}")
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
