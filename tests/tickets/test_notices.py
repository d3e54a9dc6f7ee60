"""Who hears what about the ticket's own events (``tickets.notices``): the customer by SMS
and e-mail."""

import pytest
from django.db import transaction

from fivestar.customers.services import CustomerDetails
from fivestar.notifications.models import OutboxMessage
from fivestar.tickets.services import (
    Actor,
    Resolution,
    TicketRequest,
    accept_ticket,
    add_reply,
    assign_ticket,
    close_ticket,
    confirm_resolution,
    create_ticket,
    resolve_ticket,
    start_ticket,
)
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def _request(**customer) -> TicketRequest:
    details = {"name": "张三", "phone": "13812345678", "email": "ZS@example.com", **customer}
    return TicketRequest(
        channel="phone", type="repair", customer=CustomerDetails(**details),
        title="冰箱噪音大", description="冰箱运行时噪音比较大", priority="P3",
    )


def _rows(template_code: str) -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(template_code=template_code).order_by("channel"))


@pytest.fixture
def technician_with_email(db):
    return make_user("tech-en", "technician", display_name="Zhao", email="zhao@example.com",
                     language="en")


def test_created_ticket_queues_sms_and_email_to_the_customer(agent):
    ticket = create_ticket(request=_request(), actor=agent).ticket
    rows = _rows("ticket_created")
    assert [(r.channel, r.recipient) for r in rows] == [
        ("email", "zs@example.com"), ("sms", "+8613812345678"),
    ]
    for row in rows:
        assert row.about_id == ticket.pk
        assert row.language == "zh-hans"
        assert ticket.number in row.body
        event = ticket.events.get(action="created")
        assert row.dedupe_key == f"{event.pk}:ticket_created:{row.channel}"


def test_customer_with_only_a_phone_gets_only_sms(agent):
    create_ticket(request=_request(email=""), actor=agent)
    assert [r.channel for r in _rows("ticket_created")] == ["sms"]


def test_rolled_back_ticket_leaves_no_outbox_row(agent):
    with pytest.raises(RuntimeError), transaction.atomic():
        create_ticket(request=_request(), actor=agent)
        assert OutboxMessage.objects.count() == 2
        raise RuntimeError("the rest of the intake failed")
    assert not OutboxMessage.objects.exists()


def test_assignment_emails_the_assignee_in_their_language(agent, technician_with_email):
    ticket = create_ticket(request=_request(), actor=agent).ticket
    accept_ticket(ticket=ticket, actor=Actor(agent))
    assign_ticket(ticket=ticket, assignee=technician_with_email, actor=Actor(agent))
    [row] = _rows("ticket_assigned")
    assert (row.channel, row.recipient, row.language) == ("email", "zhao@example.com", "en")
    assert row.subject == f"Ticket {ticket.number} is assigned to you (P3)"
    assert "Hello Zhao" in row.body
    assert "13812345678" not in row.body  # no personal data in the mail


def test_assignee_without_email_gets_nothing(agent, technician):
    ticket = create_ticket(request=_request(), actor=agent).ticket
    accept_ticket(ticket=ticket, actor=Actor(agent))
    assign_ticket(ticket=ticket, assignee=technician, actor=Actor(agent))
    assert _rows("ticket_assigned") == []


def _resolved(agent, technician):
    ticket = create_ticket(request=_request(), actor=agent).ticket
    accept_ticket(ticket=ticket, actor=Actor(agent))
    assign_ticket(ticket=ticket, assignee=technician, actor=Actor(agent))
    start_ticket(ticket=ticket, actor=Actor(technician))
    resolve_ticket(ticket=ticket, actor=Actor(technician),
                   record=Resolution(resolution="更换了压缩机减震垫"))
    return ticket


def test_resolve_asks_the_customer_to_confirm(agent, technician_with_email):
    ticket = _resolved(agent, technician_with_email)
    rows = _rows("ticket_resolved")
    assert [r.channel for r in rows] == ["email", "sms"]
    assert "更换了压缩机减震垫" in rows[0].body
    assert rows[0].subject == f"工单 {ticket.number} 已处理完毕，请确认是否解决"


def test_confirmed_resolution_tells_the_customer_it_is_closed(agent, technician):
    ticket = _resolved(agent, technician)
    confirm_resolution(ticket=ticket, actor=Actor(None, as_customer=True), solved=True)
    assert [r.channel for r in _rows("ticket_closed")] == ["email", "sms"]


def test_not_solved_sends_no_closed_message(agent, technician):
    ticket = _resolved(agent, technician)
    confirm_resolution(ticket=ticket, actor=Actor(None, as_customer=True), solved=False,
                       note="还是不制冷")
    assert _rows("ticket_closed") == []


def test_close_by_staff_tells_the_customer(agent, technician):
    ticket = _resolved(agent, technician)
    close_ticket(ticket=ticket, actor=Actor(agent), method="recorded")
    assert len(_rows("ticket_closed")) == 2


def test_public_staff_reply_goes_to_the_customer(agent):
    ticket = create_ticket(request=_request(), actor=agent).ticket
    add_reply(ticket=ticket, actor=Actor(agent), body="请问冰箱是哪一年购买的？")
    rows = _rows("ticket_reply")
    assert [r.channel for r in rows] == ["email", "sms"]
    assert "请问冰箱是哪一年购买的？" in rows[0].body
    assert "王客服" in rows[0].body


def test_internal_note_and_customer_reply_send_nothing(agent):
    ticket = create_ticket(request=_request(), actor=agent).ticket
    add_reply(ticket=ticket, actor=Actor(agent), body="内部：客户脾气急", internal=True)
    add_reply(ticket=ticket, actor=Actor(None, as_customer=True), body="是去年买的")
    assert _rows("ticket_reply") == []
