"""Helpers for the clock tests: a controllable "now", and tickets moved through the workflow
with the real services (so the SLA handler sees the real events)."""

from datetime import datetime

import pytest
from django.utils import timezone

from fivestar.customers.services import CustomerDetails
from fivestar.tickets.models import Ticket
from fivestar.tickets.services import (
    Actor,
    Resolution,
    TicketRequest,
    accept_ticket,
    add_reply,
    assign_ticket,
    create_ticket,
    resolve_ticket,
    resume_ticket,
    set_priority,
    start_ticket,
    wait_for_customer,
)


class Now:
    """``timezone.now()`` under the test's control."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.value: datetime | None = None
        real = timezone.now
        monkeypatch.setattr(timezone, "now", lambda: self.value or real())

    def set(self, value: datetime) -> None:
        self.value = value


def receive(agent, *, received_at: datetime, priority: str = "P3", type: str = "repair",
            phone: str = "13812345678", channel: str = "email") -> Ticket:
    """A ticket an agent records — from an e-mail by default: one taken on the phone has had
    its first response at creation (issue 18 item 4)."""
    return create_ticket(
        request=TicketRequest(
            channel=channel, type=type, priority=priority,
            customer=CustomerDetails(name="张三", phone=phone),
            description="空调开机后吹自然风。", received_at=received_at,
        ),
        actor=agent,
    ).ticket


def staff(user) -> Actor:
    return Actor(user=user)


def accept(ticket, agent):
    return accept_ticket(ticket=ticket, actor=staff(agent))


def assign(ticket, agent, to):
    return assign_ticket(ticket=ticket, assignee=to, actor=staff(agent))


def start(ticket, who):
    return start_ticket(ticket=ticket, actor=staff(who))


def wait(ticket, who):
    return wait_for_customer(ticket=ticket, actor=staff(who), reason="等客户提供日志")


def resume(ticket, who):
    return resume_ticket(ticket=ticket, actor=staff(who))


def resolve(ticket, who):
    return resolve_ticket(ticket=ticket, actor=staff(who), record=Resolution(resolution="已修复"))


def reply(ticket, who, *, internal=False, as_customer=False):
    return add_reply(ticket=ticket, actor=Actor(user=who, as_customer=as_customer),
                     body="您好，我们正在处理。", internal=internal)


def reprioritise(ticket, who, priority):
    return set_priority(ticket=ticket, actor=staff(who), priority=priority, reason="客户设备停机")
