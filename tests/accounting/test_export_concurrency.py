"""Two exports at once on PostgreSQL (two connections): no entry lands in both batches."""

import datetime
import threading

import pytest
from django.db import connection

from accounting.models import ExportBatch, JournalEntry
from accounting.services import do_export_journal, do_post_claim
from core.exceptions import ApplicationError

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def exports_dir(settings, tmp_path):
    settings.SEISAN_EXPORTS_DIR = str(tmp_path)


def test_two_concurrent_exports_never_share_an_entry(make_approved_claim, carol):
    for index in range(6):
        do_post_claim(make_approved_claim(title=f"申請{index}"), acting_user=carol)
    today = datetime.date.today()
    barrier = threading.Barrier(2)
    results: list = []

    def run(fmt: str) -> None:
        try:
            barrier.wait()
            results.append(do_export_journal(fmt=fmt, period_from=today.replace(day=1), period_to=today,
                                             acting_user=carol))
        except ApplicationError as exc:
            results.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(fmt,)) for fmt in ("yayoi", "freee")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    batches = [r for r in results if isinstance(r, ExportBatch)]
    assert len(batches) >= 1
    counts = {b.pk: JournalEntry.objects.filter(export_batch_id=b.pk).count() for b in batches}
    assert sum(counts.values()) == 6  # every entry in exactly one batch
    assert sum(b.entry_count for b in batches) == 6
    assert ExportBatch.objects.count() == len(batches)  # a batch that got nothing was rolled back
