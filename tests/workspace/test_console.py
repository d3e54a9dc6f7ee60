"""The supervisor console: who may open it, approvals with one click, breaches by team, the
load of each person today, unassigned work and reassignment in place."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from fivestar.accounts.models import Department
from fivestar.sla.models import ClockState, SlaClock
from fivestar.tickets.models import Priority, Status, Ticket, TicketEvent
from tests.conftest import make_user
from tests.factories import TicketFactory
from tests.workspace.pages import HTMX

pytestmark = pytest.mark.django_db



def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _late(ticket, minutes: int = 30) -> None:
    now = timezone.now()
    due = now - timedelta(minutes=minutes)
    SlaClock.objects.create(ticket=ticket, name="resolve", allowed=timedelta(hours=4),
                            started_at=now - timedelta(hours=5), due_at=due, original_due_at=due,
                            warn_at=due - timedelta(hours=1), state=ClockState.BREACHED)
    Ticket.objects.filter(pk=ticket.pk).update(next_due_at=due)


def _warned(ticket) -> None:
    now = timezone.now()
    due = now + timedelta(hours=1)
    SlaClock.objects.create(ticket=ticket, name="resolve", allowed=timedelta(hours=4),
                            started_at=now - timedelta(hours=3), due_at=due, original_due_at=due,
                            warn_at=now - timedelta(minutes=5), state=ClockState.RUNNING)
    Ticket.objects.filter(pk=ticket.pk).update(next_due_at=due)


@pytest.fixture
def teams(db):
    """Two departments, each with a supervisor and people."""
    service = Department.objects.get(code="customer-service")
    repair = Department.objects.get(code="repair")
    boss = make_user("cs-boss", "supervisor", display_name="陈主管", department=service)
    service.supervisor = boss
    service.save()
    people = {
        "boss": boss,
        "agent": make_user("cs-agent", "agent", display_name="王芳", department=service),
        "senior": make_user("cs-senior", "senior_technician", display_name="吴刚",
                            department=service),
        "fixer": make_user("rp-tech", "technician", display_name="马超", department=repair),
        "repair_boss": make_user("rp-boss", "supervisor", display_name="周主管",
                                 department=repair),
        "manager": make_user("boss-all", "manager", display_name="刘经理"),
    }
    repair.supervisor = people["repair_boss"]
    repair.save()
    return {"service": service, "repair": repair, **people}


# --- access ----------------------------------------------------------------------------------


def test_only_supervisors_managers_and_administrators_open_the_console(teams):
    assert _client(teams["agent"]).get("/workspace/console/").status_code == 403
    assert _client(teams["fixer"]).get("/workspace/console/").status_code == 403
    assert Client().get("/workspace/console/").status_code == 302
    for who in ("boss", "manager"):
        assert _client(teams[who]).get("/workspace/console/").status_code == 200


def test_every_section_has_its_empty_state(teams):
    html = _client(teams["boss"]).get("/workspace/console/").content.decode()
    for text in ("没有等待审批的一级工单", "没有超时或预警的工单", "所有工单都已派出"):
        assert text in html


# --- approvals ---------------------------------------------------------------------------------


@pytest.fixture
def waiting_p1(teams):
    return TicketFactory(status=Status.AWAITING_APPROVAL, priority=Priority.P1,
                         department=teams["service"], pending_assignee=teams["senior"],
                         title="服务器宕机")


def test_approval_is_one_confirmed_click_that_swaps_its_row(teams, waiting_p1):
    client = _client(teams["boss"])
    html = client.get("/workspace/console/").content.decode()
    row = re.search(rf'<tr id="approval-{waiting_p1.number}".*?</tr>', html, re.S).group(0)
    assert "hx-confirm=" in row and "吴刚" in row and "批准" in row

    response = client.post(f"/workspace/console/tickets/{waiting_p1.number}/approve/",
                           headers=HTMX)

    fragment = response.content.decode()
    assert response.status_code == 200 and "<html" not in fragment
    assert fragment.strip().startswith(f'<tr id="approval-{waiting_p1.number}"')
    assert "已批准，工单已派给 吴刚" in fragment and "hx-confirm" not in fragment
    waiting_p1.refresh_from_db()
    assert (waiting_p1.status, waiting_p1.assignee) == (Status.ASSIGNED, teams["senior"])
    assert TicketEvent.objects.filter(ticket=waiting_p1, action="approve",
                                      actor=teams["boss"]).exists()


def test_a_second_approval_shows_the_error_in_the_row(teams, waiting_p1):
    client = _client(teams["boss"])
    url = f"/workspace/console/tickets/{waiting_p1.number}/approve/"
    client.post(url, headers=HTMX)
    response = client.post(url, headers=HTMX)
    fragment = response.content.decode()
    assert response.status_code == 200
    assert 'role="alert"' in fragment and "不能执行“审批”" in fragment


def test_without_htmx_the_outcome_comes_back_as_a_flash(teams, waiting_p1):
    response = _client(teams["boss"]).post(
        f"/workspace/console/tickets/{waiting_p1.number}/approve/", follow=True
    )
    assert "已批准，工单已派给 吴刚" in response.content.decode()


def test_an_agent_cannot_approve_even_by_posting(teams, waiting_p1):
    response = _client(teams["agent"]).post(
        f"/workspace/console/tickets/{waiting_p1.number}/approve/", headers=HTMX
    )
    assert response.status_code == 403
    waiting_p1.refresh_from_db()
    assert waiting_p1.status == Status.AWAITING_APPROVAL


# --- breaches by team and the list ------------------------------------------------------------


def test_breaches_and_warnings_are_counted_by_the_assignees_team(teams):
    _late(TicketFactory(status=Status.IN_PROGRESS, assignee=teams["fixer"],
                        department=teams["service"]))
    _late(TicketFactory(status=Status.ACCEPTED, department=teams["service"]))
    _warned(TicketFactory(status=Status.IN_PROGRESS, assignee=teams["agent"],
                          department=teams["service"]))
    _late(TicketFactory(status=Status.CLOSED, department=teams["service"]))  # not open

    response = _client(teams["manager"]).get("/workspace/console/")
    by_team = {(t.department.code if t.department else None): (t.open, t.warning, t.breached)
               for t in response.context["teams"]}
    assert by_team["repair"] == (1, 0, 1)
    assert by_team["customer-service"] == (2, 1, 1)
    totals = response.context["totals"]
    assert (totals["breached"], totals["warning"]) == (2, 1)
    assert len(response.context["risky_items"]) == 3


def test_a_supervisor_sees_only_their_departments_work(teams):
    theirs = TicketFactory(status=Status.ACCEPTED, department=teams["service"])
    handed = TicketFactory(status=Status.IN_PROGRESS, assignee=teams["fixer"],
                           department=teams["service"])
    other = TicketFactory(status=Status.ACCEPTED, department=teams["repair"])
    _late(theirs)
    _late(handed)
    _late(other)

    html = _client(teams["repair_boss"]).get("/workspace/console/").content.decode()
    assert handed.number in html
    assert other.number in html
    assert theirs.number not in html


# --- load --------------------------------------------------------------------------------------


def test_each_persons_load_today(teams):
    agent = teams["agent"]
    for _ in range(3):
        TicketFactory(status=Status.IN_PROGRESS, assignee=agent)
    _late(TicketFactory(status=Status.IN_PROGRESS, assignee=agent))
    TicketFactory(status=Status.RESOLVED, assignee=agent, resolved_at=timezone.now())
    TicketFactory(status=Status.CLOSED, assignee=agent,
                  resolved_at=timezone.now() - timedelta(days=3))
    TicketFactory(status=Status.ACCEPTED, created_by=agent)

    response = _client(teams["boss"]).get("/workspace/console/")
    loads = {load.person.username: load for load in response.context["loads"]}
    mine = loads["cs-agent"]
    assert (mine.open, mine.breached, mine.resolved_today, mine.received_today) == (4, 1, 1, 1)
    assert "rp-tech" not in loads  # another department's technician
    html = response.content.decode()
    assert "今日人员负荷" in html and "王芳" in html


# --- reassign in place ---------------------------------------------------------------------


def test_assign_from_the_console_swaps_the_row_and_counts_it(teams):
    ticket = TicketFactory(status=Status.ACCEPTED, department=teams["service"])
    client = _client(teams["boss"])
    html = client.get("/workspace/console/").content.decode()
    assert f'id="unassigned-{ticket.number}"' in html and "派单" in html

    response = client.post(
        f"/workspace/console/tickets/{ticket.number}/assign/",
        {"assignee": teams["agent"].pk, "section": "unassigned"}, headers=HTMX,
    )
    fragment = response.content.decode()
    assert fragment.strip().startswith(f'<tr id="unassigned-{ticket.number}"')
    assert "已派给 王芳" in fragment and "改派" in fragment
    assert "王芳（在办 1）" in fragment
    ticket.refresh_from_db()
    assert (ticket.status, ticket.assignee) == (Status.ASSIGNED, teams["agent"])


def test_a_p1_offers_only_senior_technicians_and_refuses_others_in_place(teams):
    ticket = TicketFactory(status=Status.ACCEPTED, priority=Priority.P1,
                           department=teams["service"])
    client = _client(teams["boss"])
    html = client.get("/workspace/console/").content.decode()
    row = re.search(rf'<tr id="unassigned-{ticket.number}".*?</tr>', html, re.S).group(0)
    assert "吴刚" in row and "王芳" not in row

    response = client.post(
        f"/workspace/console/tickets/{ticket.number}/assign/",
        {"assignee": teams["agent"].pk, "section": "unassigned"}, headers=HTMX,
    )
    fragment = response.content.decode()
    assert "一级（紧急）工单须指派给技术骨干" in fragment
    assert 'aria-invalid="true"' in fragment
    assert f'aria-describedby="unassigned-{ticket.number}-error"' in fragment
    ticket.refresh_from_db()
    assert ticket.assignee is None


def test_a_reassignment_does_not_offer_the_one_who_holds_it(teams):
    """The options are rendered once per page and shared by its rows: each row still disables
    its own assignee, and a P1 row still offers only senior technicians."""
    held = TicketFactory(status=Status.ASSIGNED, assignee=teams["agent"],
                         department=teams["service"])
    _late(held)
    html = _client(teams["boss"]).get("/workspace/console/").content.decode()
    row = re.search(rf'<tr id="risk-{held.number}".*?</tr>', html, re.S).group(0)
    assert f'<option value="{teams["agent"].pk}" disabled>' in row
    assert f'<option value="{teams["senior"].pk}">' in row


def test_someone_outside_the_department_is_refused(teams):
    ticket = TicketFactory(status=Status.ACCEPTED, department=teams["service"])
    response = _client(teams["boss"]).post(
        f"/workspace/console/tickets/{ticket.number}/assign/",
        {"assignee": teams["fixer"].pk, "section": "unassigned"}, headers=HTMX,
    )
    assert "请从列表中选择本部门的人员" in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.assignee is None


def test_a_new_ticket_must_be_accepted_first(teams):
    ticket = TicketFactory(status=Status.NEW, department=teams["service"])
    html = _client(teams["boss"]).get("/workspace/console/").content.decode()
    row = re.search(rf'<tr id="unassigned-{ticket.number}".*?</tr>', html, re.S).group(0)
    assert "需先受理" in row and "<select" not in row


def test_an_unknown_ticket_is_not_found(teams):
    response = _client(teams["boss"]).post("/workspace/console/tickets/SR-1-1/assign/",
                                           {"assignee": teams["agent"].pk}, headers=HTMX)
    assert response.status_code == 404


# --- refreshing itself -----------------------------------------------------------------------


def test_the_console_polls_every_30_seconds_like_the_queues(teams):
    html = _client(teams["boss"]).get("/workspace/console/").content.decode()

    poll = re.search(r'<div id="console-poll"[^>]*>', html).group(0)
    assert 'hx-get="/workspace/console/"' in poll and 'hx-trigger="every 30s"' in poll
    assert 'hx-target="#console-body"' in poll and 'hx-swap="outerHTML"' in poll
    # The poller sits outside the part it replaces, so its timer survives each refresh.
    assert html.index('id="console-poll"') < html.index('id="console-body"')
    assert "queues.js" in html and "<script>" not in html  # no inline script (CSP)


def test_the_refresh_gets_the_console_body_with_new_work_and_counts(teams):
    client = _client(teams["boss"])
    client.get("/workspace/console/")
    late = TicketFactory(status=Status.ACCEPTED, department=teams["service"])
    _late(late)

    response = client.get("/workspace/console/", headers={**HTMX, "HX-Trigger": "console-poll"})

    fragment = response.content.decode()
    assert response.status_code == 200 and "<html" not in fragment
    assert fragment.strip().startswith('<div id="console-body"')
    assert 'id="console-poll"' not in fragment
    assert f'id="risk-{late.number}"' in fragment and f'id="unassigned-{late.number}"' in fragment
    assert "更新于" in fragment and 'class="queue-error' in fragment
    # The reassign forms come back whole, with the people to choose from.
    row = re.search(rf'<tr id="unassigned-{late.number}".*?</tr>', fragment, re.S).group(0)
    assert f'id="unassigned-{late.number}-assignee"' in row and "王芳" in row


def test_a_refresh_after_the_session_expired_sends_the_browser_to_sign_in(db):
    response = Client().get("/workspace/console/", headers={**HTMX, "HX-Trigger": "console-poll"})
    assert response.status_code == 200
    assert response["HX-Redirect"].startswith("/workspace/login/")


def test_the_refresh_costs_what_the_page_costs(teams):
    client = _client(teams["manager"])
    _work(teams, 10)
    client.get("/workspace/console/")
    page = _console_queries(client)
    with CaptureQueriesContext(connection) as queries:
        client.get("/workspace/console/", headers={**HTMX, "HX-Trigger": "console-poll"})
    assert len(queries) == page


# --- queries -----------------------------------------------------------------------------------


def _console_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/workspace/console/").status_code == 200
    return len(queries)


def _work(teams, count):
    for i in range(count):
        assignee = (teams["agent"], teams["fixer"], None)[i % 3]
        ticket = TicketFactory(status=Status.IN_PROGRESS if assignee else Status.ACCEPTED,
                               assignee=assignee, department=teams["service"])
        (_late if i % 2 else _warned)(ticket)
    for _ in range(count // 5):
        TicketFactory(status=Status.AWAITING_APPROVAL, priority=Priority.P1,
                      pending_assignee=teams["senior"], department=teams["service"])


def test_console_queries_do_not_grow_with_the_work(teams):
    client = _client(teams["manager"])
    _work(teams, 10)
    client.get("/workspace/console/")
    ten = _console_queries(client)
    _work(teams, 40)
    fifty = _console_queries(client)
    assert ten == fifty

