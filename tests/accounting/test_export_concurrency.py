"""Two exports at once on PostgreSQL (two connections): no entry lands in both batches."""

import datetime
import threading

import pytest
from django.db import connection

from accounting.models import ExportItem
from accounting.services import do_build_export_file, do_export_journal, do_post_claim

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def exports_dir(settings, tmp_path):
    settings.SEISAN_EXPORTS_DIR = str(tmp_path)


def test_two_concurrent_exports_never_share_an_entry(make_approved_claim, carol):
    for index in range(6):
        do_post_claim(make_approved_claim(title=f"申請{index}"), acting_user=carol)
    today = datetime.date.today()
    # both batches are created first: each sees 6 entries waiting
    batches = [do_export_journal(fmt=fmt, period_from=today.replace(day=1), period_to=today, acting_user=carol)
               for fmt in ("yayoi", "freee")]
    assert [b.entry_count for b in batches] == [6, 6]
    barrier = threading.Barrier(2)
    results: list = []

    def run(batch_id: int) -> None:
        try:
            barrier.wait()
            results.append(do_build_export_file(batch_id))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(b.pk,)) for b in batches]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    built = {b.pk: b for b in results}
    assert len(built) == 2
    counts = {pk: ExportItem.objects.filter(batch_id=pk).count() for pk in built}
    assert sorted(counts.values()) == [0, 6]  # every entry in exactly one batch
    statuses = sorted((b.status, b.entry_count) for b in built.values())
    assert statuses == [("failed", 6), ("ready", 6)]  # the second found nothing left
    failed = next(b for b in built.values() if b.status == "failed")
    assert "未出力の仕訳はありません" in failed.error
