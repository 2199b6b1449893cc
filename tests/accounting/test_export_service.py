"""Export batches: each entry once, byte-identical re-download, cancel releases, CLI, formula guard."""

import datetime
import hashlib
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from accounting.export_rows import iter_export_entries
from accounting.exporters import YayoiExporter
from accounting.exporters.default_mappings import YAYOI_MAPPING
from accounting.models import ExportBatch, JournalEntry
from accounting.services import (
    check_cancel_export,
    check_export_journal,
    do_build_export_file,
    do_post_claim,
    open_export_file,
)
from accounting.tasks import build_export_file
from core.exceptions import ApplicationError, NotFoundOrForbidden

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today()
FROM, TO = TODAY.replace(day=1), TODAY


@pytest.fixture(autouse=True)
def exports_dir(settings, tmp_path):
    settings.SEISAN_EXPORTS_DIR = str(tmp_path / "exports")


@pytest.fixture
def posted(make_approved_claim, carol, department):
    department.name = "=1+1 営業"  # a text cell that a spreadsheet would evaluate
    department.save()
    claims = [make_approved_claim(title="備品購入"),
              make_approved_claim([("TRANSIT", 1200, {"vendor": "=HYPERLINK(\"http://x\")"})], title="交通費")]
    return [do_post_claim(c, acting_user=carol) for c in claims]


def read(batch) -> bytes:
    with open_export_file(batch) as handle:
        return handle.read()


def test_yayoi_export_matches_the_pure_writer_and_is_stored_with_its_hash(posted, carol):
    batch = check_export_journal(fmt="yayoi", period_from=FROM, period_to=TO, acting_user=carol)
    assert (batch.status, batch.entry_count, batch.line_count) == ("ready", 2, 4)
    data = read(batch)
    assert hashlib.sha256(data).hexdigest() == batch.sha256 and len(data) == batch.file_size
    rows = data.decode("cp932").split("\r\n")
    assert rows[-1] == "" and len(rows) == 3  # two single-row entries, CRLF, no header
    assert all(len(r.split(",")) == 25 for r in rows[:-1])
    first = rows[0].split(",")
    assert (first[0], first[4], first[7], first[8], first[10]) == ("2000", "消耗品費", "課対仕入込10%適格", "1100",
                                                                   "未払金")
    assert first[6] == "'=1+1 営業"  # formula injection guard on text cells
    # the same rows through the pure exporter give the same bytes (golden data = DB rows)
    expected, _ = YayoiExporter(YAYOI_MAPPING).export_bytes(
        iter_export_entries(batch.pk, mapping=YAYOI_MAPPING))
    assert expected == data


@pytest.mark.parametrize(("fmt", "start"), [("freee", "\ufeff収支区分".encode()), ("mf", "取引No".encode("cp932")),
                                            ("generic", b"entry_number")])
def test_other_formats(posted, carol, fmt, start):
    batch = check_export_journal(fmt=fmt, period_from=FROM, period_to=TO, acting_user=carol)
    assert read(batch).startswith(start)


def test_each_entry_is_exported_once(posted, carol):
    check_export_journal(fmt="yayoi", period_from=FROM, period_to=TO, acting_user=carol)
    with pytest.raises(ApplicationError):
        check_export_journal(fmt="freee", period_from=FROM, period_to=TO, acting_user=carol)
    assert ExportBatch.objects.count() == 1  # the refused attempt left no batch


def test_redownload_is_byte_identical_and_tampering_is_detected(posted, carol):
    batch = check_export_journal(fmt="mf", period_from=FROM, period_to=TO, acting_user=carol)
    assert read(batch) == read(ExportBatch.objects.get(pk=batch.pk))
    from accounting.services import exports_dir

    (exports_dir() / batch.file_path).write_bytes(b"tampered")
    with pytest.raises(ApplicationError):
        read(batch)


def test_cancel_releases_the_entries_for_the_next_export(posted, carol):
    batch = check_export_journal(fmt="yayoi", period_from=FROM, period_to=TO, acting_user=carol)
    check_cancel_export(batch.pk, acting_user=carol)
    assert JournalEntry.objects.filter(export_item__isnull=True).count() == 2
    with pytest.raises(ApplicationError):
        check_cancel_export(batch.pk, acting_user=carol)
    again = check_export_journal(fmt="yayoi", period_from=FROM, period_to=TO, acting_user=carol)
    assert again.entry_count == 2 and read(again).count(b"\r\n") == 2


def test_only_accounting_exports(posted, alice):
    with pytest.raises(NotFoundOrForbidden):
        check_export_journal(fmt="yayoi", period_from=FROM, period_to=TO, acting_user=alice)


def test_large_exports_go_to_the_worker_and_the_task_is_idempotent(posted, carol, settings,
                                                                   django_capture_on_commit_callbacks):
    settings.SEISAN_EXPORT_ASYNC_ENTRIES = 1
    from unittest import mock

    with mock.patch("accounting.tasks.build_export_file.delay") as delay, \
            django_capture_on_commit_callbacks(execute=True):
        batch = check_export_journal(fmt="generic", period_from=FROM, period_to=TO, acting_user=carol)
    delay.assert_called_once_with(batch.pk)
    assert batch.status == "building" and batch.percent == 0
    assert build_export_file(batch.pk) == "ready"
    first = ExportBatch.objects.get(pk=batch.pk)
    assert build_export_file(batch.pk) == "skipped"
    assert do_build_export_file(batch.pk).sha256 == first.sha256 and first.percent == 100


def test_export_journal_command(posted, carol, tmp_path):
    out = tmp_path / "yayoi.csv"
    call_command("export_journal", "--format", "yayoi", "--from", FROM.isoformat(), "--to", TO.isoformat(),
                 "--output", str(out), "--user", "carol", stdout=io.StringIO())
    batch = ExportBatch.objects.get()
    assert hashlib.sha256(out.read_bytes()).hexdigest() == batch.sha256
    with pytest.raises(CommandError):  # nothing left to export
        call_command("export_journal", "--format", "mf", "--from", FROM.isoformat(), "--to", TO.isoformat(),
                     "--output", str(tmp_path / "mf.csv"), "--user", "carol", stdout=io.StringIO())


def test_the_sweeper_queues_builds_the_broker_never_got(posted, carol, settings, django_capture_on_commit_callbacks):
    settings.SEISAN_EXPORT_ASYNC_ENTRIES = 1
    from unittest import mock

    from accounting.services.exports import do_sweep_export_batches

    with mock.patch("accounting.tasks.build_export_file.delay", side_effect=OSError("broker down")), \
            django_capture_on_commit_callbacks(execute=True):
        batch = check_export_journal(fmt="yayoi", period_from=FROM, period_to=TO, acting_user=carol)
    assert ExportBatch.objects.get(pk=batch.pk).queued_at is None  # the request still succeeded
    created = ExportBatch.objects.get(pk=batch.pk).created_at
    with mock.patch("accounting.tasks.build_export_file.delay") as delay:
        assert do_sweep_export_batches(now=created + datetime.timedelta(seconds=30)) == 0  # too fresh
        assert do_sweep_export_batches(now=created + datetime.timedelta(minutes=2)) == 1
        delay.assert_called_once_with(batch.pk)
        queued = ExportBatch.objects.get(pk=batch.pk).queued_at
        assert queued is not None
        # queued again only after SEISAN_EXPORT_REQUEUE_MINUTES (a worker that died mid-build)
        assert do_sweep_export_batches(now=queued + datetime.timedelta(minutes=1)) == 0
        later = queued + datetime.timedelta(minutes=settings.SEISAN_EXPORT_REQUEUE_MINUTES + 1)
        assert do_sweep_export_batches(now=later) == 1
    assert build_export_file(batch.pk) == "ready"
    with mock.patch("accounting.tasks.build_export_file.delay") as delay:
        assert do_sweep_export_batches(now=later + datetime.timedelta(hours=1)) == 0  # built: left alone
    delay.assert_not_called()
