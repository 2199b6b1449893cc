#!/usr/bin/env bash
# `make test`: set-up, throw-away PostgreSQL + Redis on free ports (unless DATABASE_URL / REDIS_URL
# are already set), then ruff, the pytest suite on PostgreSQL/Redis, and the SQLite smoke test.
# Servers are stopped on every exit path. Extra arguments go to the main pytest run.
# Knob: PYTEST_PROCESSES=N runs the main suite with pytest-xdist (-n N); default 1 (serial).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
began=$(date +%s)

bash scripts/setup.sh

PY=.venv/bin/python
log() { printf '[test] %s\n' "$*"; }
die() { printf '[test] ERROR: %s\n' "$*" >&2; exit 1; }

# --- tools the tests need: a missing one is a failure, never a skip --------------------------
command -v tesseract >/dev/null 2>&1 \
    || die "tesseract is not installed (Debian packages tesseract-ocr, tesseract-ocr-jpn, tesseract-ocr-eng, tesseract-ocr-osd)."
tesseract_langs=$(tesseract --list-langs 2>&1)
for lang in jpn eng osd; do
    grep -qx "$lang" <<<"$tesseract_langs" || die "tesseract has no '$lang' data (install tesseract-ocr-$lang)."
done
[ -x /usr/bin/chromium ] || die "/usr/bin/chromium is missing (Debian package chromium); browser tests need it."

# --- throw-away services ---------------------------------------------------------------------
TMP=$(mktemp -d /tmp/seisan-test.XXXXXX)
chmod 711 "$TMP"   # the postgres user must be able to reach $TMP/pg
PG_BIN="" PG_DATA="" REDIS_PID=""

as_pg() { "$@"; }
if [ "$(id -u)" -eq 0 ]; then
    # PostgreSQL refuses to run as root: run it as the `postgres` system user (created by
    # Debian's postgresql package; created here if somehow absent). cd: it cannot read our cwd.
    id -u postgres >/dev/null 2>&1 || useradd --system --user-group --no-create-home --shell /usr/sbin/nologin postgres
    as_pg() { (cd "$TMP/pg" && runuser -u postgres -- "$@"); }
fi

cleanup() {
    local status=$?
    set +e
    if [ -n "$PG_DATA" ]; then
        as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -m immediate -w stop >/dev/null 2>&1
    fi
    if [ -n "$REDIS_PID" ]; then
        kill "$REDIS_PID" 2>/dev/null
        wait "$REDIS_PID" 2>/dev/null
    fi
    rm -rf "$TMP"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

free_port() {
    "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

if [ -z "${DATABASE_URL:-}" ]; then
    # Debian keeps the server binaries out of PATH, under /usr/lib/postgresql/<version>/bin.
    PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
    if [ -z "$PG_BIN" ] && command -v pg_ctl >/dev/null 2>&1; then PG_BIN=$(dirname "$(command -v pg_ctl)"); fi
    [ -n "$PG_BIN" ] || die "PostgreSQL server binaries not found (Debian package postgresql)."
    mkdir -p "$TMP/pg"
    [ "$(id -u)" -ne 0 ] || chown postgres: "$TMP/pg"
    pg_port=$(free_port)
    as_pg "$PG_BIN/initdb" -D "$TMP/pg/data" -U postgres --auth=trust -E UTF8 --no-locale --no-sync \
        >"$TMP/pg/initdb.log" 2>&1 || { cat "$TMP/pg/initdb.log" >&2; die "initdb failed"; }
    PG_DATA=$TMP/pg/data
    # Loopback only, socket inside $TMP; durability off: this cluster lives for one run.
    as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$TMP/pg/server.log" -w -t 60 -o \
        "-c port=$pg_port -c listen_addresses=127.0.0.1 -c unix_socket_directories=$TMP/pg -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
        start >/dev/null || { cat "$TMP/pg/server.log" >&2; die "PostgreSQL did not start"; }
    "$PG_BIN/createdb" -h 127.0.0.1 -p "$pg_port" -U postgres seisan
    export DATABASE_URL="postgres://postgres@127.0.0.1:$pg_port/seisan"
    log "throw-away PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$pg_port"
else
    log "using the PostgreSQL at DATABASE_URL"
fi

if [ -z "${REDIS_URL:-}" ]; then
    mkdir -p "$TMP/redis"
    redis_port=$(free_port)
    # No RDB/AOF persistence: nothing of this server outlives the run.
    redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no \
        --dir "$TMP/redis" --logfile "$TMP/redis/redis.log" --daemonize no &
    REDIS_PID=$!
    for _ in $(seq 1 100); do
        [ "$(redis-cli -p "$redis_port" ping 2>/dev/null)" = PONG ] && break
        sleep 0.1
    done
    [ "$(redis-cli -p "$redis_port" ping 2>/dev/null)" = PONG ] \
        || { cat "$TMP/redis/redis.log" >&2; die "Redis did not start"; }
    export REDIS_URL="redis://127.0.0.1:$redis_port/0"
    log "throw-away Redis $(redis-server --version | awk '{print $3}' | sed 's/^v=//') on 127.0.0.1:$redis_port"
else
    log "using the Redis at REDIS_URL"
fi

# --- the checks ------------------------------------------------------------------------------
results=()
failed=0
record() {  # record NAME STATUS [DETAIL]
    if [ "$2" -eq 0 ]; then
        results+=("$(printf '%-28s passed  %s' "$1" "${3:-}")")
    else
        results+=("$(printf '%-28s FAILED  (exit %s) %s' "$1" "$2" "${3:-}")")
        failed=1
    fi
}
summary_line() { grep -E '^=+ .* in [0-9.]+s' "$1" | tail -n 1 | sed -E 's/^=+ //; s/ =+$//' || true; }
run_pytest() {  # run_pytest NAME LOGFILE ARGS...: pytest's exit code 5 (nothing collected) fails too
    local name=$1 logfile=$2 rc=0
    shift 2
    "$@" 2>&1 | tee "$logfile" || rc=${PIPESTATUS[0]}
    if [ "$rc" -eq 5 ]; then
        echo "[test] pytest collected no tests for '$name': that counts as a failure." >&2
    fi
    record "$name" "$rc" "$(summary_line "$logfile")"
}

log "ruff check ."
rc=0; .venv/bin/ruff check . || rc=$?
record "ruff check" "$rc"

# Keep files the tests write (receipts, exports) out of the work tree.
# staticfiles/ exists so whitenoise does not warn about a missing STATIC_ROOT in every test.
mkdir -p "$TMP/var/staticfiles" "$TMP/smoke-var/staticfiles"
xdist=()
if [ "${PYTEST_PROCESSES:-1}" != 1 ]; then xdist=(-n "$PYTEST_PROCESSES"); fi
log "pytest on PostgreSQL + Redis (all but the smoke marker)"
run_pytest "pytest (PostgreSQL, Redis)" "$TMP/pytest.log" \
    env SEISAN_VAR_DIR="$TMP/var" "$PY" -m pytest -m "not smoke" "${xdist[@]}" "$@"

log "smoke test of the embedded default (DATABASE_URL and REDIS_URL unset)"
run_pytest "smoke (SQLite, no servers)" "$TMP/smoke.log" \
    env -u DATABASE_URL -u DATABASE_URL_FILE -u REDIS_URL -u REDIS_URL_FILE -u SEISAN_REDIS_PREFIX \
    SEISAN_VAR_DIR="$TMP/smoke-var" "$PY" -m pytest -m smoke

count() {  # count WORD LOGFILE...: the sum of "N WORD" over pytest's final summary lines
    local word=$1 total=0 n
    shift
    for logfile in "$@"; do
        n=$(summary_line "$logfile" | grep -oE "[0-9]+ $word" | grep -oE '^[0-9]+' || true)
        total=$(( total + ${n:-0} ))
    done
    echo "$total"
}

echo
echo "================ make test: summary ($(( $(date +%s) - began ))s) ================"
printf '%s\n' "${results[@]}"
passed=$(count passed "$TMP/pytest.log" "$TMP/smoke.log")
failed_tests=$(( $(count failed "$TMP/pytest.log" "$TMP/smoke.log") + $(count error "$TMP/pytest.log" "$TMP/smoke.log") ))
echo "total: $passed passed, $failed_tests failed"
exit "$failed"
