"""The Celery app. Beat entries carry `expires` just under their period."""

import os

from celery import Celery
from kombu import Queue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("seisan")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.task_queues = (Queue("default", routing_key="default"), Queue("ocr", routing_key="ocr"))
app.conf.task_routes = {"expenses.tasks.ocr_receipt": {"queue": "ocr"}}
app.conf.beat_schedule = {
    "sweep-receipts": {
        "task": "expenses.tasks.sweep_receipts",
        "schedule": 120.0,
        "options": {"expires": 110.0},  # never pile up behind a stopped worker
    },
    "sweep-export-batches": {
        "task": "accounting.tasks.sweep_export_batches",
        "schedule": 120.0,
        "options": {"expires": 110.0},
    },
    "approvals-stalled-reminders": {
        "task": "approvals.tasks.send_stalled_approval_reminders",
        "schedule": 3600.0,  # hourly; a step is reminded at most once per business-day interval
        "options": {"expires": 3540.0},
    },
}
app.autodiscover_tasks()


@app.task(name="seisan.ping")
def ping(value: int) -> int:
    """Round-trip probe used by health checks and the worker test."""
    return value + 1
