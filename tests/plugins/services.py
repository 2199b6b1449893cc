"""Service fixtures: a real Celery worker on the real Redis broker.

Loaded from tests/conftest.py (`pytest_plugins`). Missing services fail, they never skip.
"""

import os
import socket
from collections.abc import Iterator

import pytest


def _xdist_worker_id() -> str | None:
    return os.environ.get("PYTEST_XDIST_WORKER")


def pytest_configure(config: pytest.Config) -> None:
    """Give each xdist worker its own Redis key prefix.

    pytest-django already gives each xdist worker its own test database (test_seisan_gw0, ...).
    Celery queues live in Redis, so without this a task sent by gw0 could be executed by gw1's
    worker thread, against gw1's database. Settings were read before this hook runs, so the prefix
    goes into the Celery app's config directly (and into the environment, for subprocesses).
    """
    worker_id = _xdist_worker_id()
    if not worker_id or not os.environ.get("REDIS_URL"):
        return
    from django.conf import settings

    from config.celery import app

    options = dict(settings.CELERY_BROKER_TRANSPORT_OPTIONS)
    prefix = f"{options.get('global_keyprefix', '')}{worker_id}:"
    options["global_keyprefix"] = prefix
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = options
    app.conf.broker_transport_options = options
    os.environ["SEISAN_REDIS_PREFIX"] = prefix


def _require_redis() -> str:
    url = os.environ.get("REDIS_URL", "")
    if not url:
        pytest.fail(
            "REDIS_URL is not set: `worker` tests need the real Redis broker. Run `make test`, which "
            "starts a throw-away redis-server, or export REDIS_URL=redis://127.0.0.1:6379/0.",
            pytrace=False,
        )
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=3).ping()
    except (redis.RedisError, OSError) as exc:
        pytest.fail(f"Redis at REDIS_URL={url!r} does not answer: {exc}", pytrace=False)
    return url


@pytest.fixture
def celery_worker(django_db_setup) -> Iterator[object]:
    """A real Celery worker (solo pool, in a thread of this process) on queues default and ocr.

    Tests that use it need `@pytest.mark.django_db(transaction=True)`: the worker thread has its
    own database connection, so it cannot see rows inside the test's uncommitted transaction.
    Celery's Django fixup closes that connection after every task, so none is left open when
    pytest-django truncates tables or drops the test database.

    Function-scoped on purpose: a worker left running would go on consuming tasks that later tests
    publish (e-mails, OCR) and hold locks while pytest-django truncates the tables (a deadlock).
    Messages left over from earlier tests are purged first, so they cannot run against this test's rows.
    """
    _require_redis()
    from celery.contrib.testing.worker import start_worker

    from config.celery import app

    # Leave pytest's logging alone (the worker would otherwise reconfigure the root logger).
    app.conf.worker_hijack_root_logger = False
    app.control.purge()
    hostname = f"pytest-{_xdist_worker_id() or 'main'}-{os.getpid()}@{socket.gethostname()}"
    with start_worker(
        app,
        pool="solo",
        concurrency=1,
        perform_ping_check=False,
        queues=["default", "ocr"],
        hostname=hostname,
        shutdown_timeout=30.0,
    ) as worker:
        yield worker
