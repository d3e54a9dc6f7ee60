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
def new_page(browser):
    """Pages in any language, at a desk or on a phone: ``new_page(locale="en-US", phone=True)``
    (the browser's locale sets Accept-Language, which picks the site's language)."""
    contexts = []

    def make(*, locale: str = "zh-CN", phone: bool = False):
        size = {"width": 360, "height": 740} if phone else {"width": 1366, "height": 900}
        context, page = _new_page(browser, locale=locale, mobile=phone, **size)
        contexts.append(context)
        return page

    yield make
    for context in contexts:
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
        # The form's POST always loads a page (the next one, or the form with its errors): wait
        # for it, not for the login page itself to be idle, which it may still be on a busy
        # machine when the click returns.
        with page.expect_navigation():
            page.click("button[type=submit]")
        page.wait_for_load_state("networkidle")

    return do


#: How long a step of a two-browser flow may wait (a server thread and two pages share 2 cores).
PATIENT_TIMEOUT_MS = 20_000


@pytest.fixture
def patient_expect():
    """``expect`` waits ``PATIENT_TIMEOUT_MS`` instead of its 5 s, for this test only."""
    from playwright.sync_api import expect

    expect.set_options(timeout=PATIENT_TIMEOUT_MS)
    yield
    expect.set_options(timeout=5_000)


@pytest.fixture
def returning_customer(db):
    """A caller with a fridge in warranty and a closed ticket, as phone intake finds them."""
    from datetime import timedelta

    from django.utils import timezone

    from fivestar.customers.models import Customer
    from fivestar.products.models import ProductLine, ProductModel, Unit, WarrantyPolicy
    from fivestar.tickets.models import PriorityRule
    from tests.factories import TicketFactory

    line = ProductLine.objects.create(code="fridge", name="冰箱")
    policy = WarrantyPolicy.objects.create(name="冰箱三年", unit_months=36)
    model = ProductModel.objects.create(code="BCD-470", name="对开门冰箱", product_line=line,
                                        warranty_policy=policy)
    customer = Customer.objects.create(name="周明辉", phone="+8618819134895",
                                       address="江苏省南京市秦淮区中华路 8 号")
    unit = Unit.objects.create(product_model=model, serial_number="RF001", customer=customer,
                               purchase_date=timezone.localdate() - timedelta(days=200))
    TicketFactory(customer=customer, number="SR-20261101-000007", title="冰箱结霜",
                  status="closed")
    # Transactional tests start from empty tables: the keyword the proposal needs.
    PriorityRule.objects.get_or_create(keyword="不制冷", priority="P2")
    return customer, unit
