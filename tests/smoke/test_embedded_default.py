"""The embedded default (`make run`): SQLite and the filesystem broker, no servers at all.

The only SQLite test. Everything runs as subprocesses in a temporary SEISAN_VAR_DIR with
DATABASE_URL and REDIS_URL removed, the way scripts/run.sh runs it.
"""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.smoke

ROOT = Path(__file__).resolve().parents[2]
SERVER_VARIABLES = ("DATABASE_URL", "DATABASE_URL_FILE", "REDIS_URL", "REDIS_URL_FILE", "SEISAN_REDIS_PREFIX")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def var_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("embedded") / "var"


@pytest.fixture(scope="module")
def embedded_env(var_dir) -> dict[str, str]:
    """The environment of `make run`, with the SQLite database migrated once for this module."""
    env = {name: value for name, value in os.environ.items() if name not in SERVER_VARIABLES}
    env.update(
        SEISAN_VAR_DIR=str(var_dir),
        SEISAN_DEBUG="true",
        DJANGO_SETTINGS_MODULE="config.settings",
        PYTHONUNBUFFERED="1",
    )
    # The filesystem broker and result backend need their folders (scripts/run.sh makes them too).
    for folder in ("celery/queue", "celery/processed", "celery/results"):
        (var_dir / folder).mkdir(parents=True)
    manage(env, "migrate", "--noinput")
    return env


def manage(env: dict[str, str], *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert result.returncode == 0, f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
    return result


class Background:
    """A subprocess whose output goes to a file, stopped (TERM, then KILL) on exit."""

    def __init__(self, args: list[str], env: dict[str, str], log: Path):
        self.log = log
        self._file = log.open("w")
        self.process = subprocess.Popen(args, cwd=ROOT, env=env, stdout=self._file, stderr=subprocess.STDOUT)

    def output(self) -> str:
        self._file.flush()
        return self.log.read_text(errors="replace")[-4000:]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self._file.close()


def get(url: str, deadline: float, server: Background) -> tuple[int, str]:
    """GET url, retrying until the server answers or the deadline passes."""
    while True:
        assert server.process.poll() is None, f"the server exited early:\n{server.output()}"
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                return response.status, response.read().decode("utf-8", errors="replace")
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode("utf-8", errors="replace")
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def count_users(env: dict[str, str]) -> int:
    code = "from django.contrib.auth import get_user_model; print(get_user_model().objects.count())"
    return int(manage(env, "shell", "-c", code).stdout.strip().splitlines()[-1])


def test_migrate_and_seed_demo_twice_leave_the_same_demo_data(embedded_env, var_dir):
    assert (var_dir / "seisan.sqlite3").is_file()

    first = manage(embedded_env, "seed_demo")
    users_after_first = count_users(embedded_env)
    second = manage(embedded_env, "seed_demo")

    assert users_after_first > 0
    assert count_users(embedded_env) == users_after_first
    assert first.stdout.strip(), "seed_demo must print the demo logins"
    assert second.stdout.strip()


def test_the_web_server_serves_the_login_page(embedded_env, tmp_path):
    port = free_port()
    server = Background(
        [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        embedded_env,
        tmp_path / "runserver.log",
    )
    try:
        status, body = get(f"http://127.0.0.1:{port}/login/", time.monotonic() + 60, server)
    finally:
        server.stop()

    assert status == 200, body[:2000]
    assert "<form" in body
    assert 'name="username"' in body
    assert 'name="password"' in body
    assert "csrfmiddlewaretoken" in body


def test_a_task_round_trips_through_a_worker_on_the_filesystem_broker(embedded_env, tmp_path):
    """OCR runs off the request path with no servers: a real worker process takes the task."""
    worker = Background(
        [
            sys.executable, "-m", "celery", "-A", "config", "worker",
            "-Q", "default,ocr", "--pool", "solo", "--loglevel", "INFO",
            "--without-gossip", "--without-mingle", "--without-heartbeat",
            "--hostname", f"smoke-{os.getpid()}@%h",
        ],
        embedded_env,
        tmp_path / "worker.log",
    )
    # The client is a separate process with the same settings, like the web server enqueuing.
    client = (
        "from config.celery import app, ping\n"
        "assert app.conf.broker_url == 'filesystem://', app.conf.broker_url\n"
        "print('default', ping.apply_async(args=[41], queue='default').get(timeout=60))\n"
        "print('ocr', ping.apply_async(args=[1], queue='ocr').get(timeout=60))\n"
    )
    try:
        result = subprocess.run(
            [sys.executable, "-c", client],
            cwd=ROOT, env=embedded_env, capture_output=True, text=True, timeout=120, check=False,
        )
        assert result.returncode == 0, f"{result.stdout}\n{result.stderr}\nworker log:\n{worker.output()}"
    finally:
        worker.stop()

    assert result.stdout.split() == ["default", "42", "ocr", "2"]
    assert worker.process.returncode == 0, worker.output()


def test_make_run_serves_the_demo_and_ctrl_c_stops_web_worker_and_beat(embedded_env, tmp_path):
    """scripts/run.sh (what `make run` calls) in its own process group, stopped like Ctrl-C."""
    port = free_port()
    log = tmp_path / "run.log"
    with log.open("w") as output:
        run = subprocess.Popen(
            ["bash", "scripts/run.sh"],
            cwd=ROOT,
            env={**embedded_env, "PORT": str(port)},
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 180
        while "Seisan is running at" not in log.read_text(errors="replace"):
            assert run.poll() is None, f"run.sh exited with {run.returncode}:\n{log.read_text()[-4000:]}"
            assert time.monotonic() < deadline, f"no banner within 180 s:\n{log.read_text()[-4000:]}"
            time.sleep(0.5)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=10) as response:
            assert response.status == 200
        banner = log.read_text(errors="replace")
        assert f"http://localhost:{port}/" in banner
        assert "Ctrl-C stops all three" in banner

        os.killpg(run.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
        run.wait(timeout=60)
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
            run.wait(timeout=10)

    # run.sh waits for web, worker and beat themselves; their own children (gunicorn's workers, the
    # Celery pool process) are gone a moment later. Waiting a fixed second was once too short in CI.
    deadline = time.monotonic() + 15
    while _group_alive(run.pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not _group_alive(run.pid), f"left running:\n{_group_processes(run.pid)}"  # nothing of web, worker or beat


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def _group_processes(pgid: int) -> str:
    table = subprocess.run(["ps", "-eo", "pid=,pgid=,args="], capture_output=True, text=True).stdout
    return "\n".join(row for row in table.splitlines() if row.split()[1:2] == [str(pgid)])
