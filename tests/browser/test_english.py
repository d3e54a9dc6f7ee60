"""The staff workspace switched to English in a real browser: every page's labels start with a
capital in the text itself (not only through CSS), the words with two meanings read right in
each place, and phone intake still goes from the first key to the ticket with the keyboard
alone. Screenshots of each page in English land in ./var/screenshots."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from fivestar.accounts.models import Department
from fivestar.tickets.models import Priority, Status, Ticket
from fivestar.tickets.services import Actor, accept_ticket
from tests.conftest import make_user
from tests.factories import CustomerFactory, TicketFactory

pytestmark = pytest.mark.django_db(transaction=True)

# Text nodes that start an element a label is shown in: these must not start lowercase.
LOWERCASE_LABELS = """() => {
  const found = [];
  const selector = "th, dt, label, legend, .badge, .event-label, .changes .muted, "
    + ".stat-label, button, .button, h1, h2, h3";
  for (const el of document.querySelectorAll(selector)) {
    const text = (el.textContent || "").trim();
    if (/^[a-z]/.test(text)) found.push(el.tagName.toLowerCase() + ": " + text.slice(0, 40));
  }
  return found;
}"""


@pytest.fixture
def english_page(new_page):
    return new_page(locale="en-US")


@pytest.fixture
def workplace(db):
    department, _ = Department.objects.get_or_create(code="customer-service",
                                                     defaults={"name": "客户服务部"})
    boss = make_user("boss1", "supervisor", display_name="陈主管", department=department)
    department.supervisor = boss
    department.save()
    agent = make_user("agent1", "agent", display_name="王芳", department=department)
    make_user("senior1", "senior_technician", display_name="吴刚", department=department)
    customer = CustomerFactory(name="王晓明", phone="+8613812345678", email="wxm@example.com")
    new = TicketFactory(title="冰箱不制冷", status=Status.NEW, department=department,
                        customer=customer, received_at=timezone.now())
    accepted = TicketFactory(title="空调漏水", status=Status.NEW, department=department,
                             customer=customer, priority=Priority.P2)
    accept_ticket(ticket=accepted, actor=Actor(user=agent))
    return {"boss": boss, "agent": agent, "new": new, "accepted": accepted}


def sign_in_in_english(page, live_server, username: str) -> None:
    """The way a user does it: the language list on the sign-in page, then the form."""
    page.goto(f"{live_server.url}/workspace/login/")
    page.select_option("#lang-login", "en")
    page.wait_for_load_state("networkidle")
    expect(page.locator("h1")).to_contain_text("Staff sign-in")
    page.fill("#id_username", username)
    page.fill("#id_password", f"pw-{username}")
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")


def no_lowercase_labels(page) -> None:
    assert page.evaluate(LOWERCASE_LABELS) == []


def test_every_workspace_page_labels_in_english(english_page, live_server, screenshot,
                                               workplace):
    page = english_page
    sign_in_in_english(page, live_server, "boss1")

    page.goto(f"{live_server.url}/workspace/?tab=all")
    expect(page.locator("h1")).to_have_text("Ticket queues")
    headers = page.locator(".queue-table th").all_text_contents()
    assert "Received" in headers and "Accept" not in headers  # 受理, the time it came in
    no_lowercase_labels(page)
    screenshot(page, "en-workspace-queues")

    ticket = workplace["accepted"]
    page.goto(f"{live_server.url}/workspace/tickets/{ticket.number}/")
    terms = page.locator("#ticket-header dt").all_text_contents()
    assert terms[:4] == ["Channel", "Received", "Assignee", "Department"]
    # The timeline says what happened; the buttons say what can be done.
    expect(page.locator(".event-label").first).to_have_text("Accepted")
    expect(page.locator("#ticket-header [data-action=assign]")).to_contain_text("Assign")
    no_lowercase_labels(page)
    screenshot(page, "en-workspace-ticket")
    page.goto(f"{live_server.url}/workspace/tickets/{workplace['new'].number}/")
    expect(page.locator("#ticket-header [data-action=accept]")).to_have_text("Accept")

    page.goto(f"{live_server.url}/workspace/console/")
    expect(page.locator("h1")).to_have_text("Supervisor console")
    no_lowercase_labels(page)
    screenshot(page, "en-supervisor-console")

    page.goto(f"{live_server.url}/workspace/notifications/")
    no_lowercase_labels(page)
    screenshot(page, "en-workspace-notifications")


def test_an_empty_my_work_in_english(english_page, live_server, screenshot, workplace):
    page = english_page
    make_user("agent2", "agent", display_name="新客服")
    sign_in_in_english(page, live_server, "agent2")

    expect(page.locator(".take-suggestions")).to_contain_text("unassigned tickets")
    expect(page.locator(".take-item button").first).to_have_text("Take")
    no_lowercase_labels(page)
    screenshot(page, "en-workspace-queues-empty")


def test_keyboard_only_intake_in_english(english_page, live_server, screenshot,
                                         returning_customer):
    customer, unit = returning_customer
    make_user("agent1", "agent", display_name="王客服")
    page = english_page
    sign_in_in_english(page, live_server, "agent1")
    page.goto(f"{live_server.url}/workspace/intake/")
    no_lowercase_labels(page)

    assert page.evaluate("document.activeElement.id") == "id_phone"
    page.keyboard.type("18819134895")
    page.keyboard.press("Enter")
    page.wait_for_selector("[data-caller=known]")
    expect(page.locator(f"input[name=unit][value='{unit.pk}']")).to_be_focused()
    expect(page.locator(".unit-picker")).to_contain_text("Another unit (register a new one)")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "id_description"
    page.keyboard.type("冰箱不制冷，冷藏室温度很高")
    page.wait_for_selector("#priority-hint .prio-P2")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "id_demand"
    page.keyboard.type("周末上门维修")
    no_lowercase_labels(page)
    screenshot(page, "en-workspace-intake")
    page.keyboard.press("Enter")  # in "Customer's request": submits

    page.wait_for_url("**/workspace/tickets/SR-*/")
    ticket = Ticket.objects.exclude(number="SR-20261101-000007").get()
    expect(page.locator(".flash")).to_contain_text(f"Ticket {ticket.number} created")
    assert (ticket.customer_id, ticket.unit_id) == (customer.pk, unit.pk)
    assert ticket.demand == "周末上门维修"

    # A new caller gets the new-unit form, offered as an action.
    page.goto(f"{live_server.url}/workspace/intake/")
    page.fill("#id_phone", "13900001111")
    page.wait_for_selector("[data-caller=new]")
    expect(page.locator(".unit-picker")).to_contain_text("Register a unit")
    no_lowercase_labels(page)
