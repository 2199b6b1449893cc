#!/usr/bin/env bash
# Container entrypoint. `web`: apply migrations, then become gunicorn (one process per
# container, PID 1 gets the signals). Anything else (the celery worker and beat commands of
# docker-compose.yml) is exec'd as given.
set -euo pipefail
cd /app

if [ "${1:-web}" = "web" ]; then
    python manage.py migrate --noinput
    exec gunicorn config.wsgi:application \
        --bind 0.0.0.0:8000 \
        --workers "${WEB_CONCURRENCY:-3}" \
        --access-logfile -
fi

exec "$@"
