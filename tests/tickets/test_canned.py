"""Canned replies: placeholders filled in for the ticket, the rest of the text left alone."""

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fivestar.customers.models import Customer
from fivestar.tickets.models import CannedReply, Ticket
from fivestar.tickets.services import render_canned_reply
from tests.conftest import make_user
from tests.factories import TicketFactory

pytestmark = pytest.mark.django_db


def canned(body: str) -> CannedReply:
    return CannedReply.objects.create(title="t", body=body)


@pytest.fixture
def ticket(db) -> Ticket:
    return TicketFactory(customer__name="张三", number="SR-20261124-000123",
                         next_due_at=datetime(2026, 11, 24, 6, 30, tzinfo=UTC))


def test_known_placeholders_are_filled_in_local_time(ticket, agent):
    text = render_canned_reply(
        canned=canned("{customer_name}您好，工单 {ticket_number} 将在 {next_due_at} 前处理。"
                      "——{agent_name}"),
        ticket=ticket, agent=agent,
    )

    # 06:30 UTC is 14:30 in Asia/Shanghai.
    assert text == "张三您好，工单 SR-20261124-000123 将在 2026-11-24 14:30 前处理。——王客服"


def test_unknown_placeholders_and_stray_braces_stay_visible(ticket, agent):
    body = "{customer_name}，{unknown} {0} { spaced } {{ticket_number}} {"

    text = render_canned_reply(canned=canned(body), ticket=ticket, agent=agent)

    assert text == "张三，{unknown} {0} { spaced } {SR-20261124-000123} {"


def test_a_placeholder_without_a_value_is_left_for_the_agent_to_fill(agent):
    ticket = TicketFactory(next_due_at=None)

    text = render_canned_reply(canned=canned("我们会在 {next_due_at} 前联系您"), ticket=ticket,
                               agent=agent)

    assert text == "我们会在 {next_due_at} 前联系您"


def test_the_customer_name_is_not_read_as_a_placeholder_itself(agent):
    ticket = TicketFactory(customer=Customer.objects.create(name="{agent_name}",
                                                            phone="+8613912345678"))

    text = render_canned_reply(canned=canned("{customer_name}/{agent_name}"), ticket=ticket,
                               agent=agent)

    assert text == "{agent_name}/王客服"


def test_default_canned_replies_are_installed_and_render(ticket):
    agent = make_user("agent7", "agent", display_name="周客服")
    replies = list(CannedReply.objects.filter(is_active=True))

    assert len(replies) >= 3
    for reply in replies:
        assert "{customer_name}" not in render_canned_reply(canned=reply, ticket=ticket,
                                                            agent=agent)


@given(body=st.text(max_size=200))
def test_any_text_renders_without_error(body):
    ticket = Ticket(number="SR-1", title="x")
    # An unsaved ticket without a customer: only what the text asks for is looked up.
    result = render_canned_reply(canned=CannedReply(title="t", body=body), ticket=ticket,
                                 agent=None)
    assert isinstance(result, str)
    if "{" not in body:
        assert result == body
