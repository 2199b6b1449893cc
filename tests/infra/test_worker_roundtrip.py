"""A task goes through the real Redis broker to a real Celery worker and back."""

import os

import pytest
import redis

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


def test_broker_keys_live_under_this_test_process_prefix(celery_worker):
    """Each xdist worker has its own key prefix, so its tasks reach only its own worker thread."""
    prefix = app.conf.broker_transport_options.get("global_keyprefix", "")
    xdist_worker = os.environ.get("PYTEST_XDIST_WORKER")
    if xdist_worker:
        assert prefix.endswith(f"{xdist_worker}:")

    assert ping.delay(1).get(timeout=30) == 2

    # kombu keeps a set of queue bindings per exchange; both queues are bound under our prefix.
    client = redis.Redis.from_url(app.conf.broker_url)
    bindings = set()
    for key in client.keys(f"{prefix}_kombu.binding.*"):
        bindings |= {member.decode().rsplit("\x06\x16", 1)[-1] for member in client.smembers(key)}
    assert bindings >= {"default", "ocr"}
