"""A new agent's empty "my work" queue helps: it offers the unassigned tickets with the nearest
deadlines, each with a "接手" (take) button, and a link to the unassigned queue. Taking one opens
it as the agent's own; a ticket a colleague took first, a P1, a role that may not take tickets,
are told in words, never a 500."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from fivestar.tickets.models import Priority, Status, TicketEvent
from fivestar.tickets.services import Actor, take_ticket
from tests.conftest import make_user
from tests.factories import TicketFactory
from tests.workspace.pages import html

pytestmark = pytest.mark.django_db



def offered(page: str) -> list[str]:
    """The numbers of the tickets offered with a take button, in order."""
    return re.findall(r'data-take="(SR-[\d-]+)"', page)


def suggested(page: str) -> list[str]:
    return re.findall(r'<li class="take-item" id="take-(SR-[\d-]+)"', page)


def due_in(ticket, hours: float):
    ticket.next_due_at = timezone.now() + timedelta(hours=hours)
    ticket.save(update_fields=["next_due_at"])
    return ticket


@pytest.fixture
def waiting_work(db):
    """Unassigned tickets with different deadlines, and some that are not up for taking."""
    return {
        "later": due_in(TicketFactory(status=Status.NEW, title="晚些截止"), 8),
        "soon": due_in(TicketFactory(status=Status.ACCEPTED, title="马上截止"), 1),
        "undated": TicketFactory(status=Status.NEW, title="没有时限"),
        "overdue": due_in(TicketFactory(status=Status.NEW, title="已经超时"), -2),
        "taken": due_in(TicketFactory(status=Status.ASSIGNED, assignee=make_user(
            "agent9", "agent"), title="别人的"), 0.5),
        "closed": TicketFactory(status=Status.CLOSED, title="已关闭"),
    }


def test_an_empty_my_work_offers_the_nearest_deadlines_to_take(desk, waiting_work):
    page = html(desk.get("/workspace/"))

    assert "没有需要您处理的工单" in page
    w = waiting_work
    assert suggested(page) == [w["overdue"].number, w["soon"].number, w["later"].number,
                               w["undated"].number]
    assert offered(page) == suggested(page)
    assert 'href="/workspace/?tab=unassigned"' in page and "查看全部未派单工单（4）" in page


def test_at_most_five_are_offered(desk):
    for hours in range(1, 8):
        due_in(TicketFactory(status=Status.NEW), hours)

    assert len(suggested(html(desk.get("/workspace/")))) == 5


def test_nothing_is_offered_when_there_is_work_or_a_search(desk, agent, waiting_work):
    assert suggested(html(desk.get("/workspace/?tab=mine&q=晚些"))) == []
    assert suggested(html(desk.get("/workspace/?tab=unassigned"))) == []
    TicketFactory(status=Status.ASSIGNED, assignee=agent)
    assert suggested(html(desk.get("/workspace/"))) == []


def test_a_p1_is_shown_with_why_it_cannot_be_taken(desk):
    urgent = due_in(TicketFactory(status=Status.NEW, priority=Priority.P1), 1)
    normal = due_in(TicketFactory(status=Status.NEW, priority=Priority.P2), 2)

    page = html(desk.get("/workspace/"))

    assert suggested(page) == [urgent.number, normal.number]
    assert offered(page) == [normal.number]
    assert "一级工单须经主管批准后派给技术骨干，不能直接接手" in page


def test_a_technician_with_nothing_to_do_is_not_offered_tickets(client_for, technician,
                                                                 waiting_work):
    page = html(client_for(technician).get("/workspace/"))

    assert "没有需要您处理的工单" in page and suggested(page) == []


def test_the_suggestions_cost_two_queries_however_many_there_are(desk):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            desk.get("/workspace/")
        return len(captured)

    due_in(TicketFactory(status=Status.NEW), 1)
    desk.get("/workspace/")  # session and caches warmed
    one = queries()
    for hours in range(2, 6):
        due_in(TicketFactory(status=Status.NEW), hours)
    assert queries() == one


def test_taking_opens_the_ticket_as_mine(desk, agent, waiting_work):
    ticket = waiting_work["later"]

    response = desk.post(f"/workspace/tickets/{ticket.number}/take/", follow=True)

    assert response.redirect_chain[-1][0] == f"/workspace/tickets/{ticket.number}/"
    page = html(response)
    assert f"已接手工单 {ticket.number}。" in page
    assert 'data-status="assigned"' in page and "王客服" in page
    ticket.refresh_from_db()
    assert ticket.status == Status.ASSIGNED and ticket.assignee == agent
    assert list(TicketEvent.objects.filter(ticket=ticket).values_list("action", flat=True)
                .order_by("id")) == ["accept", "assign"]
    # It is in my work now, and no longer offered.
    mine = html(desk.get("/workspace/"))
    assert ticket.number in mine and suggested(mine) == []


def test_a_ticket_a_colleague_took_a_moment_ago_is_told_not_crashed(desk, waiting_work):
    ticket = waiting_work["soon"]
    colleague = make_user("agent2", "agent", display_name="李娜")
    take_ticket(ticket=ticket, actor=Actor(user=colleague))

    response = desk.post(f"/workspace/tickets/{ticket.number}/take/", follow=True)

    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == "/workspace/?tab=mine"
    page = html(response)
    assert f"工单 {ticket.number} 已被 李娜 接手。" in page
    assert ticket.number not in suggested(page)


def test_a_p1_posted_anyway_is_refused_with_the_reason(desk):
    urgent = TicketFactory(status=Status.NEW, priority=Priority.P1)

    page = html(desk.post(f"/workspace/tickets/{urgent.number}/take/", follow=True))

    assert "不能直接接手" in page
    urgent.refresh_from_db()
    assert urgent.status == Status.NEW


def test_a_role_that_may_not_take_gets_a_clear_message(client_for, waiting_work):
    auditor = client_for(make_user("qa1", "quality_auditor"))
    ticket = waiting_work["later"]

    response = auditor.post(f"/workspace/tickets/{ticket.number}/take/", follow=True)

    assert response.status_code == 200
    assert "您的角色不能接手工单" in html(response)
    ticket.refresh_from_db()
    assert ticket.status == Status.NEW


def test_take_is_a_post_and_an_unknown_ticket_is_404(desk, waiting_work):
    ticket = waiting_work["later"]
    assert desk.get(f"/workspace/tickets/{ticket.number}/take/").status_code == 405
    assert desk.post("/workspace/tickets/SR-00000000-000000/take/").status_code == 404
