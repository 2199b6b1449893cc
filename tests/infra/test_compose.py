"""docker-compose.yml, docker/ and .env.example agree with the project (no Docker engine needed).

Docker cannot run on the development and CI machines, so these checks read the files instead:
every command points at something that exists, every variable set is one that settings.py reads,
every variable settings.py reads is documented, receipts are shared, one process per service.
"""

import os
import re
import shlex
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
SERVICES = COMPOSE["services"]
SETTINGS_SOURCE = (ROOT / "config" / "settings.py").read_text(encoding="utf-8")
ENTRYPOINT = ROOT / "docker" / "entrypoint.sh"
DOCKERFILE = ROOT / "docker" / "Dockerfile"
# Variables for third-party images/tools, not for Django: the postgres image reads POSTGRES_*.
THIRD_PARTY = re.compile(r"^POSTGRES_[A-Z_]+$")
ENV_LINE = re.compile(r"^\s*(#\s*)?([A-Z][A-Z0-9_]*)=(.*)$")
INTERPOLATION = re.compile(r"\$\{([A-Z][A-Z0-9_]*)(?::?-([^}]*))?\}")


def settings_env_names() -> dict[str, str]:
    """Names settings.py reads, mapped to the helper that reads them (env_str, env_secret, ...)."""
    reads = re.compile(r"\b(env_\w+|getenv|environ\.get|environ\[)\(?\s*[\"']([A-Z][A-Z0-9_]*)[\"']")
    return {name: helper for helper, name in reads.findall(SETTINGS_SOURCE)}


def read_by_settings(name: str) -> bool:
    names = settings_env_names()
    if name in names:
        return True
    # env_secret(NAME) also reads NAME_FILE (Docker secrets).
    return name.endswith("_FILE") and names.get(name.removesuffix("_FILE")) == "env_secret"


def env_example() -> tuple[dict[str, str], set[str]]:
    """(variables .env.example sets, variables it documents including commented-out ones)."""
    set_vars, documented = {}, set()
    for line in (ROOT / ".env.example").read_text(encoding="utf-8").splitlines():
        match = ENV_LINE.match(line)
        if not match:
            continue
        commented, name, value = match.groups()
        documented.add(name)
        if not commented:
            set_vars[name] = value.strip()
    return set_vars, documented


def command_tokens(service: dict) -> list[str]:
    command = service.get("command", [])
    return shlex.split(command) if isinstance(command, str) else [str(token) for token in command]


def compose_text() -> str:
    return (ROOT / "docker-compose.yml").read_text(encoding="utf-8")


def resolve(value: str) -> str:
    """Compose interpolation as `docker compose` does it with .env.example copied to .env."""
    set_vars, _ = env_example()
    return INTERPOLATION.sub(lambda m: set_vars.get(m.group(1)) or (m.group(2) or ""), value)


def test_the_expected_services_exist():
    assert set(SERVICES) == {"db", "redis", "web", "worker", "beat"}


def test_every_service_reads_the_env_file():
    for name, service in SERVICES.items():
        env_file = service.get("env_file")
        files = [env_file] if isinstance(env_file, str) else env_file
        assert files == [".env"], f"service {name} must use env_file: .env"


@pytest.mark.parametrize("name", ["web", "worker", "beat"])
def test_app_services_build_the_project_image(name):
    build = SERVICES[name]["build"]
    assert (ROOT / build["context"] / build["dockerfile"]).is_file()
    assert build["dockerfile"] == "docker/Dockerfile"


def test_the_dockerfile_entrypoint_exists_and_is_executable():
    text = DOCKERFILE.read_text(encoding="utf-8")
    assert re.search(r"^ENTRYPOINT \[\"[^\"]*docker/entrypoint\.sh\"\]", text, re.MULTILINE), text
    assert ENTRYPOINT.is_file()
    assert os.access(ENTRYPOINT, os.X_OK), "docker/entrypoint.sh must be executable (git add --chmod=+x)"
    assert ENTRYPOINT.read_text(encoding="utf-8").startswith("#!")


def test_the_image_has_ocr_and_runs_as_a_non_root_user():
    text = DOCKERFILE.read_text(encoding="utf-8")
    assert text.startswith("FROM python:3.11-slim-bookworm") or "\nFROM python:3.11-slim-bookworm" in text
    for package in ("tesseract-ocr", "tesseract-ocr-jpn", "gettext", "fonts-noto-cjk"):
        assert re.search(rf"\b{re.escape(package)}\b", text), package
    users = re.findall(r"^USER\s+(\S+)", text, re.MULTILINE)
    assert users and users[-1] not in ("root", "0"), "the image must end on a non-root USER"
    assert "SEISAN_MANIFEST_STATIC=true" in text and "collectstatic" in text


def test_web_runs_migrate_then_gunicorn_on_the_project_wsgi_module():
    assert command_tokens(SERVICES["web"]) == ["web"]
    script = ENTRYPOINT.read_text(encoding="utf-8")
    migrate, gunicorn = script.find("manage.py migrate"), script.find("exec gunicorn config.wsgi")
    assert 0 <= migrate < gunicorn, "entrypoint web: migrate, then exec gunicorn config.wsgi"
    assert (ROOT / "config" / "wsgi.py").is_file()
    assert 'exec "$@"' in script, "other services' commands must be exec'd by the entrypoint"


def test_worker_and_beat_run_celery_on_the_project_app():
    assert (ROOT / "config" / "celery.py").is_file()
    worker, beat = command_tokens(SERVICES["worker"]), command_tokens(SERVICES["beat"])
    assert worker[:5] == ["celery", "-A", "config", "worker", "-Q"]
    assert set(worker[5].split(",")) == {"ocr", "default"}
    assert {"--without-gossip", "--without-mingle"} <= set(worker)
    assert beat[:4] == ["celery", "-A", "config", "beat"]


def test_one_process_per_service():
    for name, service in SERVICES.items():
        tokens = command_tokens(service)
        assert not {"&", "&&", ";", "|", "||"} & set(tokens), f"{name} chains processes: {tokens}"
        assert tokens[:2] not in (["sh", "-c"], ["bash", "-c"]), f"{name} runs a shell: {tokens}"
        assert not {"-B", "--beat"} & set(tokens), f"{name} embeds beat in a worker"
        assert "supervisord" not in tokens
    # Exactly one service per role.
    roles = [tuple(command_tokens(s)[3:4]) for s in SERVICES.values() if command_tokens(s)[:1] == ["celery"]]
    assert sorted(roles) == [("beat",), ("worker",)]


def test_db_and_redis_have_healthchecks_and_web_waits_for_them():
    assert SERVICES["db"]["image"].startswith("postgres:16")
    assert "pg_isready" in " ".join(SERVICES["db"]["healthcheck"]["test"])
    assert SERVICES["redis"]["image"].startswith("redis:7")
    assert SERVICES["redis"]["healthcheck"]["test"][-2:] == ["redis-cli", "ping"]
    for name in ("web", "worker", "beat"):
        depends = SERVICES[name]["depends_on"]
        assert depends["db"]["condition"] == "service_healthy", name
        assert depends["redis"]["condition"] == "service_healthy", name
    assert "8000:8000" in [str(port) for port in SERVICES["web"]["ports"]]


def test_pgdata_and_receipts_are_named_volumes():
    assert {"pgdata", "receipts"} <= set(COMPOSE["volumes"])
    assert "pgdata:/var/lib/postgresql/data" in SERVICES["db"]["volumes"]


def test_the_receipts_volume_is_shared_by_web_and_worker_at_seisan_receipts_dir():
    set_vars, _ = env_example()
    receipts_dir = set_vars["SEISAN_RECEIPTS_DIR"]
    assert receipts_dir.startswith("/")
    for name in ("web", "worker"):
        mounts = [resolve(str(volume)) for volume in SERVICES[name].get("volumes", [])]
        assert f"receipts:{receipts_dir}" in mounts, f"{name} mounts {mounts}"
    # The image creates that directory for the non-root user, so a fresh volume is writable.
    assert receipts_dir in DOCKERFILE.read_text(encoding="utf-8")


def test_every_variable_that_compose_or_env_example_sets_is_read_by_settings():
    set_vars, _ = env_example()
    names = set(set_vars)
    names |= {match[0] for match in INTERPOLATION.findall(compose_text())}
    for service in SERVICES.values():
        environment = service.get("environment", {})
        if isinstance(environment, list):
            environment = dict(item.split("=", 1) for item in environment)
        names |= set(environment)
    unknown = sorted(name for name in names if not THIRD_PARTY.match(name) and not read_by_settings(name))
    assert not unknown, f"set but never read by config/settings.py: {unknown}"


def test_every_variable_settings_reads_is_documented_in_env_example():
    _, documented = env_example()
    missing = sorted(set(settings_env_names()) - documented)
    assert not missing, f"add these to .env.example (commented out with their default if optional): {missing}"


def test_env_example_points_the_apps_at_the_compose_services():
    set_vars, _ = env_example()
    assert set_vars["DATABASE_URL"].split("@", 1)[1].startswith("db:5432/")
    assert set_vars["REDIS_URL"].startswith("redis://redis:6379/")
    assert set_vars["SEISAN_DEBUG"] == "false"
    for name in ("POSTGRES_USER", "POSTGRES_PASSWORD", "POSTGRES_DB"):
        assert set_vars[name], name
    user, password = set_vars["POSTGRES_USER"], set_vars["POSTGRES_PASSWORD"]
    assert set_vars["DATABASE_URL"].startswith(f"postgres://{user}:{password}@db:5432/{set_vars['POSTGRES_DB']}")
