"""Thin tasks: load by id → guard → call a service (style.md §11)."""

import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task(bind=True, autoretry_for=(OSError, TimeoutError), retry_backoff=True, max_retries=3)
def build_export_file(self, batch_id: int) -> str:
    """Write a large export's file. Idempotent: a batch that is not BUILDING any more is left alone."""
    from accounting.models import ExportBatch
    from accounting.services import do_build_export_file

    if not ExportBatch.objects.filter(pk=batch_id, status=ExportBatch.Status.BUILDING).exists():
        logger.info("export batch %s is missing or already built", batch_id)
        return "skipped"
    return do_build_export_file(batch_id).status


@shared_task
def sweep_export_batches() -> int:
    """Re-queue export builds whose enqueue failed (broker down) or whose worker died."""
    from accounting.services.exports import do_sweep_export_batches

    return do_sweep_export_batches()
