"""Celery tasks: thin wrappers that take ids and call services (idempotent)."""

from celery import shared_task


@shared_task(bind=True, autoretry_for=(OSError, TimeoutError), retry_backoff=True, retry_backoff_max=300,
             max_retries=3, acks_late=True)
def ocr_receipt(self, receipt_id: int) -> str:
    from expenses.services.receipts import do_run_receipt_ocr

    return do_run_receipt_ocr(receipt_id)


@shared_task
def sweep_receipts() -> int:
    """Re-queue receipts whose enqueue failed (broker down) or whose worker died."""
    from expenses.services.receipts import do_sweep_receipts

    return do_sweep_receipts()
