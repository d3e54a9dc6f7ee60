"""The workspace in English reads like English: labels start with a capital where the same word
in a sentence stays lowercase, and one Chinese word with two meanings gets the right English
word in each place (受理: "Accept" the button, "Received" the column, "Accepted" on the
timeline; 登记设备: "Register a unit", not "registered unit")."""

import re
from html import unescape

import pytest
from django.conf import settings
from django.utils import translation

from fivestar.customers.services import CustomerDetails
from fivestar.tickets.models import Status, Ticket
from fivestar.tickets.services import Actor, TicketRequest, create_ticket
from fivestar.tickets.services.transitions import (
    Resolution,
    accept_ticket,
    assign_ticket,
    reopen_ticket,
    resolve_ticket,
    start_ticket,
)
from tests.factories import TicketFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def english(client_for):
    def sign_in(user):
        client = client_for(user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return client

    return sign_in


@pytest.fixture
def ticket(agent, fridge) -> Ticket:
    return create_ticket(
        request=TicketRequest(
            channel="phone", type="repair",
            customer=CustomerDetails(name="张伟", phone="13800138000", email="zw@example.com",
                                     address="上海市浦东新区张江路 1 号"),
            description="冰箱不制冷", product_model="BCD-470", serial_number="SN-42",
        ),
        actor=agent,
    ).ticket


def text(page: str) -> str:
    """The page's words, without tags."""
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))).strip()


def labels(page: str, tag: str, attrs: str = "") -> list[str]:
    """The words of each ``<tag attrs…>`` element."""
    return [text(inner) for inner in re.findall(rf"<{tag}{attrs}[^>]*>(.*?)</{tag}>", page, re.S)]


def test_the_ticket_header_labels_start_with_a_capital(english, agent, ticket):
    html = english(agent).get(f"/workspace/tickets/{ticket.number}/").content.decode()

    terms = labels(html, "dt")
    for label in ("Channel", "Received", "Assignee", "Department", "Mobile phone", "Email",
                  "Model", "Serial number", "Purchase date"):
        assert label in terms
    assert not [term for term in terms if term[:1].islower()]
    # The same words stay lowercase in a sentence, and in the model (the admin's sentences).
    assert "Show full address (will be logged)" in html
    with translation.override("en"):
        assert Ticket._meta.get_field("channel").verbose_name == "channel"


def test_the_timeline_says_what_happened_and_labels_its_changes(english, agent, ticket,
                                                                technician):
    accept_ticket(ticket=ticket, actor=Actor(user=agent))
    assign_ticket(ticket=ticket, actor=Actor(user=agent), assignee=technician)
    html = english(agent).get(f"/workspace/tickets/{ticket.number}/").content.decode()

    events = labels(html, "span", ' class="event-label"')
    assert events[:2] == ["Assigned", "Accepted"]  # newest first; the buttons say "Accept"
    changes = [label for label in labels(html, "span", ' class="muted"') if label]
    assert "Status" in changes and "Assignee" in changes
    assert not [label for label in changes if label[:1].islower()]


def test_accept_the_button_and_received_the_column(english, agent, ticket):
    client = english(agent)
    page = client.get(f"/workspace/tickets/{ticket.number}/").content.decode()
    assert re.search(r'data-action="accept">Accept</button>', page)

    queue = client.get("/workspace/?tab=all").content.decode()
    headers = labels(queue, "th", ' scope="col"')
    assert "Received" in headers and "Accept" not in headers
    assert {"Ticket number", "Title", "Status", "Time limit", "Assignee"} <= set(headers)
    filters = labels(queue, "label")
    assert {"Status", "Priority", "Channel", "Service outlet", "Assignee"} <= set(filters)


def test_waiting_for_the_customer_the_button_and_the_state(english, agent, technician):
    ticket = TicketFactory(status=Status.IN_PROGRESS, assignee=technician)
    html = english(technician).get(f"/workspace/tickets/{ticket.number}/").content.decode()

    assert re.search(r'data-action="wait_customer"[^>]*>Wait for customer…', html)
    ticket.status = Status.WAITING_CUSTOMER
    ticket.save()
    html = english(technician).get(f"/workspace/tickets/{ticket.number}/").content.decode()
    assert 'data-status="waiting_customer">Waiting on customer<' in html


def test_a_reopened_ticket_counts_its_reopenings(english, agent, ticket, technician):
    accept_ticket(ticket=ticket, actor=Actor(user=agent))
    assign_ticket(ticket=ticket, actor=Actor(user=agent), assignee=technician)
    start_ticket(ticket=ticket, actor=Actor(user=technician))
    resolve_ticket(ticket=ticket, actor=Actor(user=technician),
                   record=Resolution(resolution="更换温控器"))
    reopen_ticket(ticket=ticket, actor=Actor(user=agent), reason="又坏了")

    html = english(agent).get(f"/workspace/tickets/{ticket.number}/").content.decode()

    assert re.search(r"<dt>Reopened</dt><dd>1 time", html)
    assert "Reopened" in labels(html, "span", ' class="event-label"')


def test_intake_registers_a_unit_for_a_new_caller(english, agent):
    client = english(agent)
    html = client.get("/workspace/intake/caller/", {"phone": "13900001111"}).content.decode()

    assert "Register a unit" in html and "registered unit" not in html
    form = client.get("/workspace/intake/").content.decode()
    assert {"Request type", "Channel", "Problem description", "Title",
            "Customer's request"} <= set(labels(form, "label"))
    assert "Press Enter in “Customer's request”" in form


def test_the_console_and_the_language_switch_label_their_columns(english, supervisor):
    html = english(supervisor).get("/workspace/console/").content.decode()

    headers = labels(html, "th", ' scope="col"')
    assert not [header for header in headers if header[:1].islower()], headers
    assert "Language" in labels(html, "label", ' class="visually-hidden"')
