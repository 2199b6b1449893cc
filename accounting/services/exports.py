"""Journal export batches: claim a period's entries, build the file (on the worker when large), cancel."""

import datetime
import hashlib
import logging
import os
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounting.export_parts import part_bounds, part_count, write_parts
from accounting.export_rows import EntryRuns, can_stream, in_blocks, iter_unexported_entries
from accounting.exporters import EXPORTERS, ExportError, JournalEntryRow, JournalExporter
from accounting.exporters.base import AccountingMethod
from accounting.exporters.yayoi import YayoiExporter
from accounting.models import ExportBatch, ExportFormat, ExportItem
from accounting.selectors import count_unexported, get_vendor_mapping, require_accounting
from accounting.services.export_claims import InlineClaims, ThreadedClaims
from core.exceptions import ApplicationError, NotFoundOrForbidden
from core.models import CompanySettings

logger = logging.getLogger(__name__)

EXPORT_FORMATS = {"yayoi": ExportFormat.YAYOI, "freee": ExportFormat.FREEE, "mf": ExportFormat.MONEYFORWARD,
                  "moneyforward": ExportFormat.MONEYFORWARD, "generic": ExportFormat.GENERIC}


def exports_dir() -> Path:
    path = Path(settings.SEISAN_EXPORTS_DIR)
    path.mkdir(parents=True, exist_ok=True)
    return path


def make_exporter(fmt: str, company: CompanySettings | None = None) -> JournalExporter:
    company = company or CompanySettings.load()
    exporter_class = EXPORTERS[fmt]
    mapping = get_vendor_mapping(fmt)
    if exporter_class is YayoiExporter:
        method = (AccountingMethod.TAX_EXCLUDED if company.tax_accounting == CompanySettings.TaxAccounting.EXCLUSIVE
                  else AccountingMethod.TAX_INCLUDED)
        return YayoiExporter(mapping, accounting_method=method)
    return exporter_class(mapping)


def check_export_journal(*, fmt: str, period_from: datetime.date, period_to: datetime.date, acting_user,
                         run_async: bool | None = None) -> ExportBatch:
    """A new batch for the period's unexported entries; its file is built here, or on the worker if large."""
    require_accounting(acting_user)
    fmt = EXPORT_FORMATS.get(fmt, fmt)
    if fmt not in ExportFormat.values:
        raise ApplicationError(_("出力形式を選択してください。"), extra={"fields": {"format": _("不明な形式です。")}})
    if period_from > period_to:
        raise ApplicationError(_("期間の終了日は開始日以降にしてください。"),
                               extra={"fields": {"period_to": _("終了日は開始日以降にしてください。")}})
    batch = do_export_journal(fmt=fmt, period_from=period_from, period_to=period_to, acting_user=acting_user)
    if run_async is None:
        run_async = batch.entry_count > settings.SEISAN_EXPORT_ASYNC_ENTRIES
    if run_async:
        transaction.on_commit(lambda: enqueue_export_build(batch.pk))
        return batch
    return do_build_export_file(batch.pk)


def enqueue_export_build(batch_id: int) -> bool:
    """Hand the build to the worker. With the broker down the batch stays BUILDING and the sweeper retries."""
    from accounting.tasks import build_export_file

    try:
        build_export_file.delay(batch_id)
    except Exception:  # kombu raises several types for an unreachable broker
        logger.exception("could not enqueue export batch %s", batch_id)
        return False
    ExportBatch.objects.filter(pk=batch_id).update(queued_at=timezone.now())
    return True


def do_sweep_export_batches(*, now: datetime.datetime | None = None) -> int:
    """Queue again the batches still BUILDING: never queued (broker down) or queued long ago (worker died).

    A second build of a batch is harmless: builds run one at a time and skip a batch that is not BUILDING.
    """
    now = now or timezone.now()
    retry_before = now - datetime.timedelta(minutes=settings.SEISAN_EXPORT_REQUEUE_MINUTES)
    ids = ExportBatch.objects.filter(status=ExportBatch.Status.BUILDING).filter(
        Q(queued_at__isnull=True, created_at__lt=now - datetime.timedelta(minutes=1))
        | Q(queued_at__lt=retry_before)).values_list("pk", flat=True)
    return sum(1 for batch_id in list(ids) if enqueue_export_build(batch_id))


def do_export_journal(*, fmt: str, period_from: datetime.date, period_to: datetime.date, acting_user) -> ExportBatch:
    """Create a batch for the period's unexported entries. Its build claims them (export_claims)."""
    waiting = count_unexported(period_from=period_from, period_to=period_to)["entries"]
    if not waiting:
        raise ApplicationError(_("この期間に未出力の仕訳はありません。"))
    return ExportBatch.objects.create(
        format=fmt, period_from=period_from, period_to=period_to, created_by=acting_user, entry_count=waiting,
        file_name=f"seisan-{fmt}-{period_from:%Y%m%d}-{period_to:%Y%m%d}.{EXPORTERS[fmt].file_extension}")


class _Progress:
    """Counts written entries and lines, hands their ids to the claims as runs, and writes progress for the page at
    most once a second (each write is a commit)."""

    def __init__(self, batch_id: int, claims, *, block: int = 20_000, seconds: float = 1.0) -> None:
        self.batch_id, self.claims, self.block, self.seconds = batch_id, claims, block, seconds
        self.entries = self.lines = 0
        self._shown_at = time.monotonic()

    def track(self, entries: Iterable[JournalEntryRow]) -> Iterator[JournalEntryRow]:
        return in_blocks(entries, self.block, self.add)

    def add(self, written: EntryRuns) -> None:
        self.claims.add(written.runs)
        self.entries += written.entries
        self.lines += written.lines
        if time.monotonic() - self._shown_at >= self.seconds:
            ExportBatch.objects.filter(pk=self.batch_id).update(progress=self.entries)
            self._shown_at = time.monotonic()


def do_build_export_file(batch_id: int) -> ExportBatch:
    """Write the period's unexported entries to a private file with its SHA-256, claiming each one written.

    Safe to run again: a batch that is not BUILDING any more is left alone, and a build that failed midway
    claimed nothing (its claims commit with the READY status, or not at all).
    """
    batch = ExportBatch.objects.get(pk=batch_id)
    if batch.status != ExportBatch.Status.BUILDING:
        return batch
    exporter = make_exporter(batch.format)
    relative = f"{batch.pk:08d}-{batch.format}.{exporter.file_extension}"
    target = exports_dir() / relative
    temp = target.with_name(f".{relative}.{os.getpid()}.tmp")
    fast = can_stream()
    parts = part_count(batch.entry_count) if fast else 1
    with ThreadedClaims(batch.pk) if fast else InlineClaims(batch.pk) as claims:
        if not claims.active:  # built or cancelled meanwhile
            batch.refresh_from_db()
            return batch
        progress = _Progress(batch.pk, claims)
        try:
            if parts > 1:
                bounds = part_bounds(batch.period_from, batch.period_to, parts)
                size, digest, report = write_parts(exporter, (batch.period_from, batch.period_to), bounds, temp,
                                                   progress.add)
            else:
                entries = iter_unexported_entries(batch.period_from, batch.period_to, mapping=exporter.mapping,
                                                  fast=fast)
                size, digest = _write(exporter, progress.track(entries), temp)
                report = exporter.report
            if not progress.entries:
                raise ExportError(_("この期間に未出力の仕訳はありません。"))
        except ExportError as exc:
            temp.unlink(missing_ok=True)
            claims.abandon()
            error = str(exc)
        else:
            os.replace(temp, target)
            done = claims.finish({
                "status": ExportBatch.Status.READY, "file_path": relative, "file_size": size, "sha256": digest,
                "entry_count": progress.entries, "line_count": progress.lines, "progress": progress.entries,
                "substitutions": report.substitution_count, "finished_at": timezone.now(),
                "file_name": f"seisan-{batch.format}-{batch.period_from:%Y%m%d}-{batch.period_to:%Y%m%d}-"
                             f"{batch.pk}.{exporter.file_extension}",
            })
            if not done:  # cancelled while building: nothing was claimed
                target.unlink(missing_ok=True)
            error = ""
    if error:
        ExportBatch.objects.filter(pk=batch.pk, status=ExportBatch.Status.BUILDING).update(
            status=ExportBatch.Status.FAILED, error=error, finished_at=timezone.now())
    batch.refresh_from_db()
    return batch


def _write(exporter: JournalExporter, entries: Iterable[JournalEntryRow], path: Path) -> tuple[int, str]:
    """Write the file; on any error the partial file goes (the batch stays BUILDING for the sweeper)."""
    digest = hashlib.sha256()
    size = 0
    try:
        with open(path, "wb") as handle:
            for chunk in exporter.iter_chunks(entries):
                handle.write(chunk)
                digest.update(chunk)
                size += len(chunk)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return size, digest.hexdigest()


def open_export_file(batch: ExportBatch):
    """The stored bytes, verified against the recorded SHA-256 (re-downloads are byte-identical)."""
    if batch.status != ExportBatch.Status.READY or not batch.file_path:
        raise ApplicationError(_("このエクスポートのファイルはまだありません。"))
    path = exports_dir() / batch.file_path
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    if digest.hexdigest() != batch.sha256:
        raise ApplicationError(_("保存されたファイルが改変されています。経理の管理者に連絡してください。"))
    return open(path, "rb")


@transaction.atomic
def check_cancel_export(batch_id: int, *, acting_user) -> ExportBatch:
    """Cancel a batch and release its entries for the next export. The file is kept for the record."""
    require_accounting(acting_user)
    updated = ExportBatch.objects.filter(pk=batch_id).exclude(status=ExportBatch.Status.CANCELLED).update(
        status=ExportBatch.Status.CANCELLED, cancelled_at=timezone.now(), cancelled_by=acting_user)
    if updated != 1:
        if not ExportBatch.objects.filter(pk=batch_id).exists():
            raise NotFoundOrForbidden
        raise ApplicationError(_("このエクスポートはすでに取り消されています。"))
    ExportItem.objects.filter(batch_id=batch_id).delete()
    return ExportBatch.objects.get(pk=batch_id)


