"""Large exports formatted in parts by worker processes: the same bytes as one process, failures clean up."""

import datetime
import hashlib
from types import SimpleNamespace
from unittest import mock

import pytest

from accounting.export_parts import ExportWorkerError, _join, part_bounds, part_count
from accounting.models import ExportBatch, ExportItem, TaxCategoryMapping
from accounting.services import do_build_export_file, do_export_journal, do_post_claim, open_export_file
from accounting.services.export_claims import ThreadedClaims

pytestmark = pytest.mark.django_db(transaction=True)

TODAY = datetime.date.today()
PERIOD = {"period_from": TODAY.replace(day=1), "period_to": TODAY}


@pytest.fixture(autouse=True)
def exports_dir(settings, tmp_path):
    settings.SEISAN_EXPORTS_DIR = str(tmp_path)
    settings.SEISAN_EXPORT_WORKERS = 3


@pytest.fixture
def posted(make_approved_claim, carol):
    # an emoji cp932 cannot hold (substituted and reported), a comma and quotes, and one compound entry
    specs = [[("SUPPLIES", 1100, {"vendor": "文具店😀"})],
             [("SUPPLIES", 2200, {"vendor": '"角" 書店, 本店'})],
             [("SUPPLIES", 1100, {}), ("TRANSIT", 480, {"vendor": "東京メトロ"})]]
    specs += [[("SUPPLIES", 1000 + 10 * i, {"vendor": f"文具店{i}"})] for i in range(4)]
    return [do_post_claim(make_approved_claim(lines, title=f"申請{i}"), acting_user=carol)
            for i, lines in enumerate(specs)]


def build(fmt: str, carol) -> tuple[ExportBatch, bytes]:
    batch = do_build_export_file(do_export_journal(fmt=fmt, acting_user=carol, **PERIOD).pk)
    assert batch.status == "ready", batch.error
    with open_export_file(batch) as handle:
        return batch, handle.read()


def test_part_count_follows_workers_and_part_size(settings):
    settings.SEISAN_EXPORT_WORKERS, settings.SEISAN_EXPORT_PART_ENTRIES = 4, 50_000
    assert [part_count(n) for n in (10, 99_999, 100_000, 500_000)] == [1, 1, 2, 4]


def test_part_bounds_cover_the_period_entries_without_overlap(posted):
    bounds = part_bounds(PERIOD["period_from"], PERIOD["period_to"], 3)
    ids = sorted(entry.pk for entry in posted)
    assert bounds[0][0] == ids[0] and bounds[-1][1] == ids[-1] and len(bounds) == 3
    assert all(bounds[i][1] + 1 == bounds[i + 1][0] for i in range(len(bounds) - 1))
    assert part_bounds(datetime.date(2001, 1, 1), datetime.date(2001, 1, 31), 3) == []


@pytest.mark.parametrize("fmt", ["yayoi", "freee", "moneyforward", "generic"])
def test_parts_give_the_bytes_of_one_process(posted, carol, settings, fmt):
    settings.SEISAN_EXPORT_PART_ENTRIES = 10**9  # one part, formatted in this process
    single, expected = build(fmt, carol)
    ExportItem.objects.all().delete()  # release the entries (as a cancellation does)
    settings.SEISAN_EXPORT_PART_ENTRIES = 2  # 7 entries: three parts, three worker processes

    with mock.patch("accounting.services.exports.write_parts", wraps=__import__(
            "accounting.export_parts", fromlist=["write_parts"]).write_parts) as write_parts:
        parallel, data = build(fmt, carol)
    assert len(write_parts.call_args.args[2]) == 3  # really split in three
    assert data == expected and parallel.sha256 == single.sha256
    assert (parallel.entry_count, parallel.line_count, parallel.substitutions) == (
        7, single.line_count, single.substitutions)
    assert ExportItem.objects.filter(batch=parallel).count() == 7
    if fmt in ("yayoi", "moneyforward"):  # cp932: the emoji was substituted in a worker and reported to the parent
        assert parallel.substitutions >= 1


def test_a_part_that_cannot_be_written_fails_the_batch_and_claims_nothing(posted, carol, settings, tmp_path):
    settings.SEISAN_EXPORT_PART_ENTRIES = 2
    TaxCategoryMapping.objects.filter(vendor="yayoi", table="tax", key="taxable/10/std/100").delete()
    batch = do_build_export_file(do_export_journal(fmt="yayoi", acting_user=carol, **PERIOD).pk)
    assert batch.status == "failed" and "taxable/10/std/100" in batch.error
    assert not ExportItem.objects.exists()
    assert list(tmp_path.iterdir()) == []  # no part files, no partial file


def test_a_failure_in_the_parent_stops_the_workers_and_leaves_nothing(posted, carol, settings, tmp_path):
    settings.SEISAN_EXPORT_PART_ENTRIES = 2
    batch = do_export_journal(fmt="generic", acting_user=carol, **PERIOD)
    with mock.patch.object(ThreadedClaims, "add", side_effect=RuntimeError("claims connection lost")), \
            pytest.raises(RuntimeError, match="claims connection lost"):
        do_build_export_file(batch.pk)
    batch.refresh_from_db()
    assert batch.status == "building" and not ExportItem.objects.exists()  # the sweeper will retry
    assert list(tmp_path.iterdir()) == []
    assert do_build_export_file(batch.pk).status == "ready"
    assert ExportItem.objects.filter(batch=batch).count() == 7


def test_joining_parts_refuses_a_file_shorter_than_the_workers_reported(tmp_path):
    """
    GIVEN: a first part (the export file) and a second part on disk, with the byte counts their
    workers reported
    WHEN: they are joined, once with true counts and once with a second part that lost bytes
    THEN: the true join gives the concatenation and its hash; the short one fails the build
    """
    def report(written: int) -> dict:
        return {"entries": 1, "rows": 1, "bytes_written": written, "substitution_count": 0,
                "truncated_cells": 0, "substitutions": []}

    def parts(second_reported: int):
        (tmp_path / "out.csv").write_bytes(b"head\nrow1\n")
        (tmp_path / "part1").write_bytes(b"row2\nrow3\n")
        return [SimpleNamespace(path=tmp_path / "out.csv", report=report(5)),
                SimpleNamespace(path=tmp_path / "part1", report=report(second_reported))]

    size, digest, _ = _join(parts(10), tmp_path / "out.csv", preamble_bytes=5)
    assert (tmp_path / "out.csv").read_bytes() == b"head\nrow1\nrow2\nrow3\n"
    assert size == 20 and digest == hashlib.sha256(b"head\nrow1\nrow2\nrow3\n").hexdigest()

    with pytest.raises(ExportWorkerError, match="joined file has 20 bytes, the workers wrote 25"):
        _join(parts(15), tmp_path / "out.csv", preamble_bytes=5)
