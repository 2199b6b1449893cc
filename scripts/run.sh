#!/usr/bin/env bash
# `make run`: the embedded default. SQLite under var/ and kombu's filesystem broker (no servers),
# demo data, then gunicorn + ONE Celery worker + Celery beat. Ctrl-C stops all three.
# PORT (default 8000) picks the port; DATABASE_URL / REDIS_URL are honoured if you export them.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/setup.sh

PY=.venv/bin/python
PORT=${PORT:-8000}
export SEISAN_DEBUG=${SEISAN_DEBUG:-true}
export PYTHONUNBUFFERED=1
VAR_DIR=${SEISAN_VAR_DIR:-$PWD/var}
log() { printf '[run] %s\n' "$*"; }

# The filesystem broker and the file result backend do not create their folders.
mkdir -p "$VAR_DIR/celery/queue" "$VAR_DIR/celery/processed" "$VAR_DIR/celery/results"

log "migrating the database"
"$PY" manage.py migrate --noinput
# Static files: whitenoise serves var/staticfiles (and the finders, with WHITENOISE_USE_FINDERS).
"$PY" manage.py collectstatic --noinput -v 0
log "loading demo data"
demo_logins=$("$PY" manage.py seed_demo)
echo "$demo_logins"

pids=()
stop_all() {
    trap - INT TERM EXIT
    if [ "${#pids[@]}" -gt 0 ]; then
        log "stopping web, worker and beat"
        kill -TERM "${pids[@]}" 2>/dev/null || true
        # Give Celery a warm shutdown; anything still alive after 20 s is killed.
        for _ in $(seq 1 40); do
            alive=0
            for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
            [ "$alive" -eq 1 ] || break
            sleep 0.5
        done
        kill -KILL "${pids[@]}" 2>/dev/null || true
        wait 2>/dev/null || true
    fi
}
trap 'stop_all; exit 130' INT
trap 'stop_all; exit 143' TERM
trap stop_all EXIT

# Background jobs of a non-interactive shell ignore SIGINT, so Ctrl-C reaches only this script;
# the traps above pass it on as SIGTERM.
.venv/bin/gunicorn config.wsgi:application --bind "0.0.0.0:$PORT" --workers 2 --threads 4 \
    --access-logfile - &
pids+=($!)
# One worker on both queues; the filesystem transport has no broadcast, hence no gossip/mingle.
.venv/bin/celery -A config worker -Q default,ocr --concurrency 1 --loglevel INFO \
    --without-gossip --without-mingle --without-heartbeat --hostname "seisan-run@%h" &
pids+=($!)
.venv/bin/celery -A config beat --loglevel INFO --schedule "$VAR_DIR/celerybeat-schedule" &
pids+=($!)

# Print the banner once the web server answers and the worker has run a task (seisan.ping).
ready=0
for _ in $(seq 1 120); do
    if "$PY" -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)' \
        "http://127.0.0.1:$PORT/login/" >/dev/null 2>&1; then
        ready=1
        break
    fi
    kill -0 "${pids[@]}" 2>/dev/null || break
    sleep 0.5
done
if [ "$ready" -eq 1 ] && "$PY" -c 'from config.celery import ping; assert ping.delay(1).get(timeout=60) == 2' \
    >/dev/null 2>&1; then
    cat <<BANNER

================================================================================
  Seisan is running at  http://localhost:$PORT/   (log in at /login/)
  web: gunicorn · worker: celery (queues default, ocr) · beat
  database: ${DATABASE_URL:+DATABASE_URL}${DATABASE_URL:-SQLite $VAR_DIR/seisan.sqlite3}
$demo_logins
  Ctrl-C stops all three.
================================================================================

BANNER
else
    log "WARNING: the web server or the worker did not come up; see the output above"
fi

# If any of the three exits, stop the others and report its status.
status=0
wait -n "${pids[@]}" || status=$?
log "web, worker or beat stopped (status $status); stopping the others"
exit "$status"
