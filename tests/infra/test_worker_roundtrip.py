"""A task goes through the real Redis broker to a real Celery worker and back."""

import pytest

from config.celery import app, ping

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_the_broker_is_redis_and_nothing_runs_eagerly(celery_worker):
    assert app.conf.broker_url.startswith("redis://")
    assert app.conf.task_always_eager is False


@pytest.mark.parametrize(("queue", "value"), [("default", 41), ("ocr", 99)])
def test_ping_round_trips_through_the_worker_on_each_queue(celery_worker, queue, value):
    result = ping.apply_async(args=[value], queue=queue)

    assert result.get(timeout=30) == value + 1
    assert result.state == "SUCCESS"
