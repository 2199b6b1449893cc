# Seisan. `make run`: the embedded default (SQLite, filesystem broker) with demo data.
# `make test`: ruff + pytest on throw-away PostgreSQL/Redis + the SQLite smoke test.
# Both install whatever is missing first (scripts/setup.sh).
.DEFAULT_GOAL := help
.PHONY: help setup run test lint

help:
	@echo "make run    start web (PORT, default 8000) + Celery worker + beat on SQLite, with demo users"
	@echo "make test   ruff, pytest on throw-away PostgreSQL/Redis, SQLite smoke test"
	@echo "make setup  install Debian packages, .venv and Python deps; compile translations"
	@echo "make lint   ruff check ."

setup:
	bash scripts/setup.sh

run:
	bash scripts/run.sh

test:
	bash scripts/test.sh

lint: setup
	.venv/bin/ruff check .
