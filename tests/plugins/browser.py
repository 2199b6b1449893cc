"""Browser fixtures: Playwright driving Debian's headless Chromium.

Playwright never downloads a browser here; it launches /usr/bin/chromium. Browser tests use
pytest-django's `live_server`. Missing Chromium fails, it never skips.
"""

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

# Playwright's sync API runs an asyncio event loop in the test thread; Django would then refuse
# ORM calls from that thread (SynchronousOnlyOperation) in tests and fixtures.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"
# Headless as root, with nothing phoning home: this machine has no network but the registries.
# Playwright adds --headless itself and gives every launch a fresh temporary --user-data-dir.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
SCREENSHOT_DIR = Path(__file__).resolve().parent.parent / "browser" / "screenshots"


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(
            f"{CHROMIUM} is missing: browser tests need Debian's chromium package. Run `make test`, "
            "which installs it (apt-get install chromium).",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_ARGS,
            # A Japanese browser, as our users have: Chromium takes its UI locale (date inputs show
            # 年/月/日) from LANG, with the locale data of Debian's chromium-l10n.
            env={**os.environ, "LANG": "ja_JP.UTF-8", "LANGUAGE": "ja"},
        )
        try:
            yield chromium
        finally:
            chromium.close()


def _new_page(browser, **context_options) -> Iterator[object]:
    context = browser.new_context(locale="ja-JP", timezone_id="Asia/Tokyo", **context_options)
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        yield page
    finally:
        context.close()


@pytest.fixture
def page(browser) -> Iterator[object]:
    """A desktop page (1280x900) in a fresh browser context (no cookies from other tests)."""
    yield from _new_page(browser, viewport=DESKTOP)


@pytest.fixture
def phone_page(browser) -> Iterator[object]:
    """A phone-sized page (390x844, touch, mobile viewport rules) in a fresh browser context."""
    yield from _new_page(browser, viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)


def screenshot(page, name: str) -> Path:
    """Save a full-page PNG as tests/browser/screenshots/<name>.png and return its path."""
    safe_name = re.sub(r"[^\w.-]+", "_", name).strip("._") or "screenshot"
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOT_DIR / f"{safe_name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.fixture(name="screenshot")
def screenshot_fixture():
    """The `screenshot(page, name)` helper, for tests that prefer a fixture to an import."""
    return screenshot


def login(page, base: str, username: str = "yamada", password: str = "seisan-demo") -> None:
    """Log in as a demo user (after any earlier user's session is dropped); lands on 自分の申請."""
    page.context.clear_cookies()
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/claims/")


def start_claim(page, title: str, *, day: str, category: str, amount: str) -> None:
    """Open 新規申請 and fill the title and the first line's date, category and amount."""
    page.click("text=新規申請")
    page.fill("[name=title]", title)
    page.fill("[name=lines-0-expense_date]", day)
    page.select_option("[name=lines-0-category]", label=category)
    page.fill("[name=lines-0-amount]", amount)
