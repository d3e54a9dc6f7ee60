"""Real-browser tests: Playwright driving Debian's Chromium against a live test server.

Screenshots land in ./var/screenshots (CI keeps them as artifacts). Locally the tests are
skipped when Chromium is not installed; CI sets FIVESTAR_BROWSER_REQUIRED=1 so they fail instead.
"""

import os
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("FIVESTAR_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
LAUNCH_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]

# Playwright's sync API runs an event loop in the test thread; the ORM calls the tests make
# between browser steps are still plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config, items):
    if Path(CHROMIUM).exists():
        return
    if os.environ.get("FIVESTAR_BROWSER_REQUIRED"):
        raise pytest.UsageError(f"browser tests need Chromium at {CHROMIUM}")
    skip = pytest.mark.skip(reason=f"Chromium not installed at {CHROMIUM}")
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS
        )
        yield chromium
        chromium.close()


def _new_page(browser, *, width: int, height: int, locale: str, mobile: bool = False):
    context = browser.new_context(
        viewport={"width": width, "height": height}, locale=locale,
        timezone_id="Asia/Shanghai", is_mobile=mobile, has_touch=mobile,
    )
    context.set_default_timeout(10_000)
    return context, context.new_page()


@pytest.fixture
def page(browser):
    """A desktop page in Chinese, the default language."""
    context, page = _new_page(browser, width=1366, height=900, locale="zh-CN")
    yield page
    context.close()


@pytest.fixture
def phone_page(browser):
    """A 360 px wide phone, as customers open the portal from an SMS link."""
    context, page = _new_page(browser, width=360, height=740, locale="zh-CN", mobile=True)
    yield page
    context.close()


@pytest.fixture
def screenshot():
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, name: str, *, full_page: bool = True) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path

    return take


@pytest.fixture
def sign_in(live_server):
    """Sign a staff user in through the real login form."""

    def do(page, username: str, password: str | None = None) -> None:
        page.goto(f"{live_server.url}/workspace/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", password or f"pw-{username}")
        page.click("button[type=submit]")
        page.wait_for_load_state("networkidle")

    return do
