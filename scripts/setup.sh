#!/usr/bin/env bash
# Idempotent set-up shared by `make run` and `make test`: Debian packages, .venv, Python deps,
# compiled translations. A second run only checks and is done in a few seconds.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

log() { printf '[setup] %s\n' "$*"; }

# --- Debian packages -------------------------------------------------------------------------
# tesseract (+ jpn/eng data, and osd for pages photographed sideways) for OCR; postgresql +
# redis-server for the throw-away test servers; chromium for Playwright; gettext for
# compilemessages; fonts-noto-cjk so screenshots and PDFs show Japanese glyphs; chromium-l10n so
# the test browser can run in Japanese (年/月/日 date inputs); poppler-utils (pdftoppm) to look at
# generated PDFs.
DEB_PACKAGES=(tesseract-ocr tesseract-ocr-jpn tesseract-ocr-eng tesseract-ocr-osd postgresql redis-server chromium
              chromium-l10n gettext fonts-noto-cjk poppler-utils)

# A Python 3.11–3.13 with venv; Debian's own python3 (3.11 on bookworm) is the fallback.
find_python() {
    local candidate
    for candidate in "${SEISAN_PYTHON:-}" python3.11 python3.12 python3.13 python3; do
        [ -n "$candidate" ] || continue
        command -v "$candidate" >/dev/null 2>&1 || continue
        if "$candidate" -c 'import sys, venv, ensurepip; sys.exit(not ((3, 11) <= sys.version_info[:2] < (3, 14)))' \
            >/dev/null 2>&1; then
            command -v "$candidate"
            return 0
        fi
    done
    return 1
}

missing=()
for pkg in "${DEB_PACKAGES[@]}"; do
    # dpkg -s also succeeds for removed-but-configured packages, so look at the status line.
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
        missing+=("$pkg")
    fi
done
if [ ! -x .venv/bin/python ] && ! find_python >/dev/null; then
    missing+=(python3 python3-venv python3-dev)
fi

if [ "${#missing[@]}" -gt 0 ]; then
    log "installing Debian packages: ${missing[*]}"
    SUDO=()
    if [ "$(id -u)" -ne 0 ]; then
        if command -v sudo >/dev/null 2>&1; then
            SUDO=(sudo)
        else
            echo "[setup] ERROR: these Debian packages are missing and I am not root: ${missing[*]}" >&2
            exit 1
        fi
    fi
    # env: sudo would drop DEBIAN_FRONTEND. No recommends: chromium's pull in a desktop stack
    # (printing, power management) that headless use does not need.
    "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# --- virtualenv ------------------------------------------------------------------------------
# Recreate .venv when its interpreter no longer runs (e.g. the base Python moved).
if [ -e .venv ] && ! .venv/bin/python -c 'import sys' >/dev/null 2>&1; then
    log "the existing .venv is broken; recreating it"
    rm -rf .venv
fi
if [ ! -x .venv/bin/python ]; then
    python_bin=$(find_python) || { echo "[setup] ERROR: no Python 3.11-3.13 with venv found" >&2; exit 1; }
    log "creating .venv with $python_bin"
    "$python_bin" -m venv .venv
fi

# --- Python dependencies ---------------------------------------------------------------------
# Reinstall only when pyproject.toml (or the interpreter) changed: a content hash, not mtimes,
# because a fresh clone has arbitrary mtimes.
stamp=.venv/.seisan-deps.sha256
wanted=$( { sha256sum pyproject.toml; .venv/bin/python -VV; } | sha256sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null || true)" != "$wanted" ]; then
    log "installing Python dependencies (pip install -e '.[dev]')"
    # Playwright must never download a browser: tests use Debian's /usr/bin/chromium.
    export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
    .venv/bin/python -m pip install --disable-pip-version-check --progress-bar off -q -e '.[dev]'
    echo "$wanted" > "$stamp"
else
    log "Python dependencies are up to date"
fi

# --- translations ----------------------------------------------------------------------------
# compilemessages skips .mo files that are newer than their .po, so this is cheap when nothing
# changed. Keep it out of .venv (Django's own catalogues) and var/.
if compgen -G 'locale/*/LC_MESSAGES/*.po' >/dev/null || compgen -G '*/locale/*/LC_MESSAGES/*.po' >/dev/null; then
    log "compiling translations"
    .venv/bin/python manage.py compilemessages --ignore=.venv --ignore=var --ignore=node_modules -v 0
fi

log "done"
