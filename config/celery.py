"""The Celery app. Beat entries carry `expires` just under their period."""

import os

from celery import Celery
from kombu import Queue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("seisan")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.task_queues = (Queue("default"), Queue("ocr"))
app.conf.task_routes = {"expenses.tasks.ocr_receipt": {"queue": "ocr"}}
app.conf.beat_schedule = {}
app.autodiscover_tasks()


@app.task(name="seisan.ping")
def ping(value: int) -> int:
    """Round-trip probe used by health checks and the worker test."""
    return value + 1
