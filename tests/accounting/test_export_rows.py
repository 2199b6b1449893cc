"""The fast export read (COPY on a second connection) gives exactly the rows of the plain cursor."""

import datetime

import pytest

from accounting.export_rows import iter_export_entries, iter_unexported_entries, parse_export_rows
from accounting.exporters import YayoiExporter
from accounting.exporters.default_mappings import GENERIC_MAPPING, YAYOI_MAPPING
from accounting.models import ExportItem, JournalLine
from accounting.services import do_build_export_file, do_export_journal, do_post_claim, open_export_file
from core.pg_copy import copy_lines, unescape

TODAY = datetime.date.today()


@pytest.mark.django_db(transaction=True)
def test_copy_path_equals_cursor_path_with_awkward_text(make_approved_claim, carol, settings, tmp_path):
    settings.SEISAN_EXPORTS_DIR = str(tmp_path)
    awkward = "タブ\tと改行\nと\\バックスラッシュ, \"引用\""
    claims = [make_approved_claim([("SUPPLIES", 1100 + i, {"vendor": awkward if i == 0 else f"文具店{i}"})],
                                  title=f"申請{i}") for i in range(3)]
    for claim in claims:
        do_post_claim(claim, acting_user=carol)
    period = (TODAY.replace(day=1), TODAY)

    fast = list(iter_unexported_entries(*period, mapping=GENERIC_MAPPING, fast=True))
    slow = list(iter_unexported_entries(*period, mapping=GENERIC_MAPPING, fast=False))
    assert fast == slow
    assert len(fast) == 3 and sum(len(e.lines) for e in fast) == JournalLine.objects.count()
    memos = {line.memo for entry in fast for line in entry.lines}
    assert any(awkward in memo for memo in memos)  # escapes undone: TAB, LF, backslash survive
    assert fast[0].lines[1].tax_amount is None and isinstance(fast[0].lines[0].tax_amount, int)

    # the build outside a transaction takes the fast path (COPY + claims in a thread) ...
    batch = do_build_export_file(do_export_journal(fmt="yayoi", period_from=period[0], period_to=period[1],
                                                   acting_user=carol).pk)
    assert (batch.status, batch.entry_count, batch.line_count) == ("ready", 3, 6)
    assert ExportItem.objects.filter(batch=batch).count() == 3
    with open_export_file(batch) as handle:
        data = handle.read()
    # ... and writes what the plain cursor over the batch's claimed entries gives
    expected, _ = YayoiExporter(YAYOI_MAPPING).export_bytes(iter_export_entries(batch.pk, mapping=YAYOI_MAPPING,
                                                                                fast=False))
    assert data == expected
    assert list(iter_export_entries(batch.pk, mapping=YAYOI_MAPPING, fast=True)) == list(
        iter_export_entries(batch.pk, mapping=YAYOI_MAPPING, fast=False))
    assert list(iter_unexported_entries(*period, mapping=GENERIC_MAPPING)) == []


@pytest.mark.django_db(transaction=True)
def test_copy_lines_stops_cleanly_when_the_reader_leaves_early():
    rows = copy_lines("SELECT g, 'x' || g FROM generate_series(1, %s) g", [200_000])
    first = [next(rows) for _ in range(3)]
    rows.close()  # the COPY thread must unwind and its connection close
    assert first == [["1", "x1"], ["2", "x2"], ["3", "x3"]]
    assert sum(1 for _ in copy_lines("SELECT g FROM generate_series(1, %s) g", [150_000])) == 150_000


@pytest.mark.django_db(transaction=True)
def test_copy_lines_keeps_multibyte_text_whole_across_pipe_reads():
    rows = list(copy_lines("SELECT g, repeat('経費精算', 50) FROM generate_series(1, %s) g", [20_000]))
    assert len(rows) == 20_000  # ~12 MB of UTF-8: many 1 MB reads, each cut anywhere
    assert all(text == "経費精算" * 50 for _, text in rows)
    assert rows[-1][0] == "20000"


@pytest.mark.django_db(transaction=True)
def test_copy_lines_raises_the_servers_error():
    with pytest.raises(Exception, match="division by zero"):
        list(copy_lines("SELECT 1 / (g - 3) FROM generate_series(1, %s) g", [5]))


def test_unescape_undoes_copy_text_escapes():
    assert unescape(r"a\tb\nc\\d\re") == "a\tb\nc\\d\re"


def test_parse_groups_lines_by_entry_and_converts_types():
    rows = [
        ["7", "2026-11-02", "EX-2026-000001", "debit", "7411", "旅費交通費", "", "営業", "taxable/10/std/100", "1100",
         "100", "電車", "", "", "山田", "T4011001098993", "12", "34"],
        ["7", "2026-11-02", "EX-2026-000001", "credit", "accounts_payable", "未払金", "A1 山田", "営業",
         "out_of_scope", "1100", "", "", "", "", "山田", "", "", ""],
        ["9", "2026-11-03", "EX-2026-000002", "debit", "7431", "消耗品費", "", "", "taxable/8/reduced/80", "216",
         "16", "", "", "", "", "", "", ""],
    ]
    entries = list(parse_export_rows(rows, mapped_accounts=frozenset({"7411"})))
    assert [(e.number, e.date, e.claim_number, len(e.lines)) for e in entries] == [
        (7, datetime.date(2026, 11, 2), "EX-2026-000001", 2), (9, datetime.date(2026, 11, 3), "EX-2026-000002", 1)]
    debit, credit = entries[0].lines
    assert (debit.account, debit.amount, debit.tax_amount, debit.claim_line_id, debit.receipt_id) == (
        "7411", 1100, 100, 12, 34)
    assert (credit.account, credit.tax_amount, credit.claim_line_id) == ("未払金", None, None)  # unmapped: the name
    assert entries[1].lines[0].tax.code == "taxable/8/reduced/80"


@pytest.mark.django_db(transaction=True)
def test_a_build_that_crashes_midway_claims_nothing_and_leaves_no_file(make_approved_claim, carol, settings,
                                                                       tmp_path):
    from unittest import mock

    settings.SEISAN_EXPORTS_DIR = str(tmp_path)
    for i in range(3):
        do_post_claim(make_approved_claim(title=f"申請{i}"), acting_user=carol)
    batch = do_export_journal(fmt="yayoi", period_from=TODAY.replace(day=1), period_to=TODAY, acting_user=carol)
    calls = []

    def crash(self, entry):
        calls.append(entry.number)
        if len(calls) == 2:
            raise RuntimeError("worker killed")
        return original(self, entry)

    original = YayoiExporter._rows
    with mock.patch.object(YayoiExporter, "_rows", crash), pytest.raises(RuntimeError):
        do_build_export_file(batch.pk)
    batch.refresh_from_db()
    assert batch.status == "building" and not ExportItem.objects.exists()  # claims roll back with the build
    assert list(tmp_path.iterdir()) == []  # no partial file
    assert do_build_export_file(batch.pk).status == "ready"  # the sweeper's retry builds it
    assert ExportItem.objects.filter(batch=batch).count() == 3


@pytest.mark.django_db(transaction=True)
def test_a_large_export_is_built_by_the_real_worker_with_progress(celery_worker, make_approved_claim, carol,
                                                                  settings, tmp_path):
    import time

    from accounting.services import check_export_journal

    settings.SEISAN_EXPORTS_DIR = str(tmp_path)
    settings.SEISAN_EXPORT_ASYNC_ENTRIES = 1  # "large" from two entries on
    for i in range(2):
        do_post_claim(make_approved_claim(title=f"申請{i}"), acting_user=carol)
    batch = check_export_journal(fmt="mf", period_from=TODAY.replace(day=1), period_to=TODAY, acting_user=carol)
    assert (batch.status, batch.percent) == ("building", 0)  # the request returns at once
    deadline = time.monotonic() + 30
    while batch.status == "building" and time.monotonic() < deadline:
        time.sleep(0.2)
        batch.refresh_from_db()
    assert (batch.status, batch.entry_count, batch.line_count, batch.percent) == ("ready", 2, 4, 100)
    assert batch.queued_at is not None
    with open_export_file(batch) as handle:
        assert handle.read().decode("cp932").startswith("取引No")


def test_entry_runs_compress_ascending_ids_and_survive_the_worker_message():
    from accounting.export_rows import EntryRuns
    from accounting.exporters import JournalEntryRow

    runs = EntryRuns()
    for number, lines in ((3, 2), (4, 2), (5, 3), (9, 2), (11, 2), (12, 2)):
        runs.add(JournalEntryRow(number, TODAY, [None] * lines))
    assert runs.runs == [[3, 5], [9, 9], [11, 12]] and (runs.entries, runs.lines) == (6, 13)
    assert runs.to_text() == "6 13 3-5,9-9,11-12"
    back = EntryRuns.from_text(runs.to_text())
    assert (back.runs, back.entries, back.lines) == (runs.runs, 6, 13)
