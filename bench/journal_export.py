"""Bench: export 1,000,000 journal lines in each format; compare with PostgreSQL's own COPY.

Usage (PostgreSQL only; a throw-away database, e.g. `createdb seisan_bench6`):
    DATABASE_URL=postgres://.../seisan_bench6 python bench/journal_export.py [--lines 1000000]

Seeds the lines once with SQL (500,000 two-line entries), then for each format runs the real service
(`check_export_journal`: the batch, then the file build that streams the entries and claims them) in a child process,
so that each format's peak RSS is its own, and cancels the batch to release the entries for the next one.
A batch this large is formatted in parts by worker processes (accounting.export_parts, one per core): the
peak memory reported is the peak of the summed resident memory of the whole process tree, sampled from /proc.
The floor is `COPY (SELECT <same columns> ORDER BY entry, position) TO STDOUT` of the same rows.
This machine's speed drifts (a shared VM), so the floor is measured next to each run: before every export
the COPY runs twice (best kept) and the run's ratio is its seconds over that floor; each format reports the
best of --runs (default 2) runs. Each run starts after a VACUUM of the previous run's released claims.
Targets: each format within 3× of COPY, peak memory under 300 MB. The last line is one JSON object.
"""

import argparse
import datetime
import json
import os
import resource
import subprocess
import sys
import threading
import time

import _django

_django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

BENCH_USER = "bench-accounting"
FORMATS = ("yayoi", "freee", "moneyforward", "generic")
PERIOD = (datetime.date(2026, 10, 1), datetime.date(2026, 10, 31))


def seed(lines: int) -> None:
    from django.contrib.auth.models import Group

    from accounting.defaults import ensure_accounting_data
    from accounting.models import JournalEntry, JournalLine
    from expenses.defaults import ensure_default_data
    from expenses.models import Claim
    from people.models import User

    ensure_default_data()
    ensure_accounting_data()
    user, _ = User.objects.get_or_create(username=BENCH_USER, defaults={"name": "ベンチ 経理", "employee_code": "B1"})
    user.groups.add(Group.objects.get(name="accounting"))
    have = JournalLine.objects.count()
    if have >= lines:
        return
    claim, _ = Claim.objects.get_or_create(number="BENCH-EXPORT", defaults={"applicant": user, "title": "ベンチ"})
    entries = lines // 2
    start = JournalEntry.objects.filter(claim=claim).count()  # grow an earlier, smaller seed
    with transaction.atomic(), connection.cursor() as cursor:
        # one claim, revision n: the (claim, kind, revision) uniqueness stays satisfied
        cursor.execute("""
            INSERT INTO accounting_journalentry (kind, claim_id, revision, entry_date, description, debit_total,
                                                 credit_total, created_by_id, created_at)
            SELECT 'accrual', %s, g, date '2026-10-01' + (g %% 31), 'BENCH ' || g, 100 + (g %% 29900),
                   100 + (g %% 29900), %s, now()
            FROM generate_series(%s, %s) g""", [claim.pk, user.pk, start + 1, entries])
        cursor.execute("""
            INSERT INTO accounting_journalline (entry_id, position, side, account_code, account_name, sub_account,
                department, tax_code, amount, tax_amount, memo, special_case, special_case_note, counterparty,
                registration_number, claim_line_id, receipt_id)
            SELECT e.id, 1, 'debit', CASE WHEN e.id %% 3 = 0 THEN '7431' ELSE '7411' END,
                   CASE WHEN e.id %% 3 = 0 THEN '消耗品費' ELSE '旅費交通費' END, '', '営業1課',
                   CASE e.id %% 4 WHEN 0 THEN 'taxable/10/std/100' WHEN 1 THEN 'taxable/8/reduced/100'
                        WHEN 2 THEN 'taxable/10/std/80' ELSE 'taxable/10/std/50' END,
                   e.debit_total, e.debit_total * 10 / 110,
                   CASE WHEN e.id %% 5 = 0 THEN '=SUM(A1) 文具店 ' || e.id ELSE '電車・バス 東京→大阪 ' || e.id END,
                   CASE WHEN e.id %% 4 = 1 THEN 'public_transport' ELSE '' END,
                   CASE WHEN e.id %% 4 = 1 THEN '3万円未満の鉄道料金' ELSE '' END, 'ベンチ 経理',
                   CASE WHEN e.id %% 2 = 0 THEN 'T4011001098993' ELSE '' END, NULL::bigint, e.id
            FROM accounting_journalentry e WHERE e.claim_id = %s AND e.revision > %s
            UNION ALL
            SELECT e.id, 2, 'credit', 'accounts_payable', '未払金', 'B1 ベンチ 経理', '営業1課', 'out_of_scope',
                   e.credit_total, NULL, 'BENCH ' || e.id, '', '', 'ベンチ 経理', '', NULL::bigint, NULL::bigint
            FROM accounting_journalentry e WHERE e.claim_id = %s AND e.revision > %s""",
                       [claim.pk, start, claim.pk, start])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE accounting_journalentry; ANALYZE accounting_journalline;")


def release_interrupted_runs() -> None:
    """A killed earlier run may have left a batch holding the entries; cancel it (bench database only)."""
    from accounting.models import ExportBatch
    from accounting.services import check_cancel_export
    from people.models import User

    user = User.objects.get(username=BENCH_USER)
    for batch_id in ExportBatch.objects.exclude(status=ExportBatch.Status.CANCELLED).values_list("pk", flat=True):
        check_cancel_export(batch_id, acting_user=user)


COPY_SQL = """
COPY (SELECT l.entry_id, e.entry_date, c.number, l.side, l.account_code, l.account_name, l.sub_account,
             l.department, l.tax_code, l.amount, l.tax_amount, l.memo, l.special_case, l.special_case_note,
             l.counterparty, l.registration_number, l.claim_line_id, l.receipt_id
      FROM accounting_journalline l JOIN accounting_journalentry e ON e.id = l.entry_id
      JOIN expenses_claim c ON c.id = e.claim_id
      WHERE e.entry_date BETWEEN %s AND %s ORDER BY l.entry_id, l.position) TO STDOUT WITH (FORMAT csv)
"""


class TreeMemory:
    """Samples the resident memory of this process and all its descendants (workers, COPY readers) every
    0.1 s from /proc, and keeps the peak of the sum. ru_maxrss cannot give it: a forked child counts its
    parent's pages until it execs."""

    def __init__(self) -> None:
        self.peak_bytes = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._page = os.sysconf("SC_PAGE_SIZE")

    def __enter__(self) -> "TreeMemory":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(0.1):
            self.peak_bytes = max(self.peak_bytes, self._sample())

    def _sample(self) -> int:
        parents: dict[int, int] = {}
        for name in os.listdir("/proc"):
            if name.isdigit():
                try:
                    with open(f"/proc/{name}/stat") as stat:
                        parents[int(name)] = int(stat.read().rsplit(")", 1)[1].split()[1])
                except (OSError, IndexError, ValueError):
                    continue  # the process ended meanwhile
        tree, frontier = {os.getpid()}, [os.getpid()]
        while frontier:
            parent = frontier.pop()
            children = [pid for pid, ppid in parents.items() if ppid == parent]
            tree.update(children)
            frontier.extend(children)
        total = 0
        for pid in tree:
            try:
                with open(f"/proc/{pid}/statm") as statm:
                    total += int(statm.read().split()[1]) * self._page
            except (OSError, IndexError, ValueError):
                continue
        return total


class _Sink:
    def __init__(self) -> None:
        self.size = 0

    def write(self, data) -> int:
        self.size += len(data)
        return len(data)


def copy_floor() -> tuple[float, int]:
    sink = _Sink()
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SET jit = off")  # as in the export's own COPY readers (core.pg_copy_child)
        sql = cursor.mogrify(COPY_SQL, [PERIOD[0], PERIOD[1]])
        cursor.cursor.copy_expert(sql.decode() if isinstance(sql, bytes) else sql, sink)
    return time.perf_counter() - started, sink.size


def settle() -> None:
    """Each format starts from the same state: the previous run's cancelled claims (500,000 deleted rows)
    vacuumed now, not by autovacuum in the middle of the next measurement."""
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE) accounting_exportitem")


def child(fmt: str, output: str) -> None:
    """One export through the service, in its own process; prints its JSON result."""
    from accounting.export_parts import part_count
    from accounting.models import ExportBatch
    from accounting.selectors import require_accounting
    from accounting.services import check_cancel_export, do_build_export_file, do_export_journal, exports_dir
    from people.models import User

    user = User.objects.get(username=BENCH_USER)
    # what check_export_journal(run_async=False) does, timed in its two parts
    with TreeMemory() as memory:
        started = time.perf_counter()
        require_accounting(user)
        batch = do_export_journal(fmt=fmt, period_from=PERIOD[0], period_to=PERIOD[1], acting_user=user)
        prepared = time.perf_counter()
        batch = do_build_export_file(batch.pk)
        seconds = time.perf_counter() - started
    cpu = resource.getrusage(resource.RUSAGE_SELF)
    helpers = resource.getrusage(resource.RUSAGE_CHILDREN)  # export workers and their COPY readers
    assert batch.status == ExportBatch.Status.READY, batch.error
    parts = part_count(batch.entry_count)
    main_mb = cpu.ru_maxrss / 1024
    peak_mb = max(memory.peak_bytes / 2**20, main_mb)
    size = os.path.getsize(exports_dir() / batch.file_path)
    check_cancel_export(batch.pk, acting_user=user)  # release the entries for the next format
    os.remove(exports_dir() / batch.file_path)
    print(json.dumps({"format": fmt, "seconds": round(seconds, 2), "prepare_seconds": round(prepared - started, 2),
                      "python_cpu_seconds": round(cpu.ru_utime + cpu.ru_stime, 1),
                      "child_cpu_seconds": round(helpers.ru_utime + helpers.ru_stime, 1), "parts": parts,
                      "main_rss_mb": round(main_mb, 1), "peak_rss_mb": round(peak_mb, 1),
                      "lines": batch.line_count, "entries": batch.entry_count, "bytes": size}))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=2, help="runs per format; the fastest counts")
    parser.add_argument("--child", default="")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("bench/journal_export.py needs PostgreSQL (DATABASE_URL=postgres://...)")
    if args.child:
        child(args.child, "")
        return
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    seed(args.lines)
    print(f"seeded in {time.perf_counter() - started:.1f}s")
    release_interrupted_runs()
    results = {}
    for fmt in FORMATS:
        runs = []
        for _ in range(args.runs):
            settle()
            floor = min(copy_floor()[0] for _ in range(2))  # measured next to the run: the same machine speed
            out = subprocess.run([sys.executable, __file__, "--child", fmt], check=True, capture_output=True,
                                 text=True)
            run = json.loads(out.stdout.strip().splitlines()[-1])
            run["copy_seconds"] = round(floor, 2)
            run["ratio_to_copy"] = round(run["seconds"] / floor, 2)
            runs.append(run)
        result = min(runs, key=lambda r: r["ratio_to_copy"])
        result["all_ratios"] = [r["ratio_to_copy"] for r in runs]
        result["peak_rss_mb"] = max(r["peak_rss_mb"] for r in runs)
        results[fmt] = result
        print(f"{fmt:>13}: {result['seconds']:.2f}s vs COPY {result['copy_seconds']}s = {result['ratio_to_copy']}× "
              f"(runs: {result['all_ratios']}; batch {result['prepare_seconds']}s; {result['parts']} part(s); "
              f"CPU {result['python_cpu_seconds']}s here + {result['child_cpu_seconds']}s in workers and COPY "
              f"readers), peak {result['peak_rss_mb']} MB, {result['bytes']:,} bytes")
    summary = {
        "bench": "journal_export", "lines": args.lines, "runs_per_format": args.runs,
        "formats": {fmt: {k: r[k] for k in ("seconds", "copy_seconds", "ratio_to_copy", "all_ratios",
                                            "prepare_seconds", "parts",
                                            "python_cpu_seconds", "child_cpu_seconds", "peak_rss_mb", "bytes")}
                    for fmt, r in results.items()},
        "max_ratio_to_copy": max(r["ratio_to_copy"] for r in results.values()),
        "max_peak_rss_mb": max(r["peak_rss_mb"] for r in results.values()),
    }
    summary["within_targets"] = summary["max_ratio_to_copy"] <= 3 and summary["max_peak_rss_mb"] < 300
    print(json.dumps(summary, ensure_ascii=False))


if __name__ == "__main__":
    main()
