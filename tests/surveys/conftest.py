"""Survey fixtures: the standard calendar with China's 2026 holidays, closed tickets, the sweep
at a given moment."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from fivestar.customers.services import CustomerDetails
from fivestar.sla.models import Calendar
from fivestar.sla.services import sync_official_holidays
from fivestar.surveys.tasks import survey_sweep
from fivestar.tickets.services import (
    Actor,
    Confirmation,
    Resolution,
    TicketRequest,
    accept_ticket,
    assign_ticket,
    close_ticket,
    create_ticket,
    resolve_ticket,
    start_ticket,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")


def cn(*args) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


@pytest.fixture
def holidays_2026(db):
    standard = Calendar.objects.get(code="standard")
    sync_official_holidays(calendar=standard, year=2026)
    return standard


def request_for(phone="13812345678", email="zs@example.com", name="张三", type="repair",
                priority="P3") -> TicketRequest:
    return TicketRequest(
        channel="phone", type=type, priority=priority,
        customer=CustomerDetails(name=name, phone=phone, email=email),
        title="冰箱噪音大", description="冰箱运行时噪音比较大",
    )


def closed_ticket(agent, technician, **request):
    ticket = create_ticket(request=request_for(**request), actor=agent).ticket
    accept_ticket(ticket=ticket, actor=Actor(agent))
    assign_ticket(ticket=ticket, assignee=technician, actor=Actor(agent))
    start_ticket(ticket=ticket, actor=Actor(technician))
    resolve_ticket(ticket=ticket, actor=Actor(technician),
                   record=Resolution(resolution="更换了压缩机减震垫"))
    close_ticket(ticket=ticket, actor=Actor(agent), method="recorded",
                 confirmation=Confirmation(channel="phone"))
    ticket.refresh_from_db()
    return ticket


@pytest.fixture
def closed(agent, technician):
    return closed_ticket(agent, technician)


def sweep_after(ticket, delta: timedelta) -> dict:
    return survey_sweep(now=ticket.closed_at + delta)


GOOD = {"timeliness": 8, "ability": 9, "attitude": 9, "professionalism": 7,
        "communication": 8}
