"""Phone intake in a real browser, keyboard only: a returning customer's repair in under 60 s."""

import time

import pytest
from playwright.sync_api import expect

from fivestar.customers.models import Customer
from fivestar.tickets.models import Ticket
from tests.conftest import make_user

pytestmark = pytest.mark.django_db(transaction=True)


def test_keyboard_only_repair_for_a_returning_customer(page, live_server, sign_in, screenshot,
                                                       returning_customer):
    customer, unit = returning_customer
    make_user("agent1", "agent", display_name="王客服")
    sign_in(page, "agent1")
    page.goto(f"{live_server.url}/workspace/intake/")
    started = time.monotonic()

    # The phone field has the focus: type the number, Enter looks it up and goes to the units.
    assert page.evaluate("document.activeElement.id") == "id_phone"
    page.keyboard.type("18819134895")
    page.keyboard.press("Enter")
    page.wait_for_selector("[data-caller=known]")
    assert "周明辉" in page.locator("#caller").inner_text()
    assert "冰箱结霜" in page.locator("#caller-history").inner_text()
    # The only unit is picked, and the focus is on it.
    expect(page.locator(f"input[name=unit][value='{unit.pk}']")).to_be_focused()
    expect(page.locator(f"input[name=unit][value='{unit.pk}']")).to_be_checked()

    page.keyboard.press("Tab")  # type: repair (the default)
    assert page.evaluate("document.activeElement.id") == "id_type"
    page.keyboard.press("Tab")  # channel: phone (the default)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "id_description"
    page.keyboard.type("冰箱不制冷，冷藏室温度很高，昨天开始的")
    # The proposed priority appears while typing, with the keyword that matched.
    page.wait_for_selector("#priority-hint .prio-P2")
    assert "不制冷" in page.locator("#priority-hint").inner_text()
    page.keyboard.press("Tab")  # priority: as proposed
    page.keyboard.press("Tab")  # title: from the description
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "id_demand"
    page.keyboard.type("周末上门维修")
    screenshot(page, "workspace-intake")
    page.keyboard.press("Enter")

    page.wait_for_url("**/workspace/tickets/SR-*/")
    elapsed = time.monotonic() - started
    ticket = Ticket.objects.exclude(number="SR-20261101-000007").get()
    assert f"已创建工单 {ticket.number}" in page.locator(".flash").inner_text()
    assert (ticket.customer_id, ticket.unit_id) == (customer.pk, unit.pk)
    assert ticket.demand == "周末上门维修" and ticket.priority == "P2"
    assert Customer.objects.count() == 1
    assert elapsed < 60, elapsed


def test_a_new_number_shows_the_new_customer_fields(page, live_server, sign_in, screenshot,
                                                    returning_customer):
    make_user("agent1", "agent")
    sign_in(page, "agent1")
    page.goto(f"{live_server.url}/workspace/intake/")
    page.keyboard.type("13900001111")
    page.wait_for_selector("[data-caller=new]")

    assert page.locator("#id_name").is_visible() and page.locator("#id_address").is_visible()
    # Pasted numbers are looked up too.
    page.fill("#id_phone", "18819134895")
    page.wait_for_selector("[data-caller=known]")


def test_the_intake_page_fits_a_phone(phone_page, live_server, sign_in, screenshot,
                                      returning_customer):
    make_user("agent1", "agent")
    sign_in(phone_page, "agent1")
    phone_page.goto(f"{live_server.url}/workspace/intake/")
    phone_page.keyboard.type("18819134895")
    phone_page.wait_for_selector("[data-caller=known]")

    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, width
    screenshot(phone_page, "workspace-intake-phone")
