"""Taking an unassigned ticket for oneself (``take_ticket``): accepted if new, then assigned to
the taker, each step with its event, in one transaction; refused clearly for a role that may not
take tickets, for a ticket a colleague took first, and for a P1 (SPEC §4: approval first)."""

import pytest
from django.db import connection

from fivestar.core.errors import Conflict, PermissionDenied, ValidationFailed
from fivestar.tickets.models import Priority, Status, Ticket, TicketEvent
from fivestar.tickets.services import Actor, take_ticket, transitions
from tests.factories import TicketFactory, UserFactory
from tests.tickets.test_concurrency import run_together

pytestmark = pytest.mark.django_db


def actions(ticket) -> list[tuple[str, str, str]]:
    return [
        (event.action, event.to_status, event.actor.username if event.actor else "")
        for event in TicketEvent.objects.filter(ticket=ticket).order_by("id")
    ]


def test_a_new_ticket_is_accepted_then_assigned_to_the_taker(agent):
    ticket = TicketFactory(status=Status.NEW)

    taken = take_ticket(ticket=ticket, actor=Actor(user=agent))

    assert taken.status == Status.ASSIGNED and taken.assignee_id == agent.pk
    assert ticket.status == Status.ASSIGNED and ticket.assignee == agent  # the caller's copy too
    assert ticket.accepted_at is not None
    assert actions(ticket) == [("accept", Status.ACCEPTED, "agent1"),
                               ("assign", Status.ASSIGNED, "agent1")]
    assert TicketEvent.objects.get(ticket=ticket, action="assign").after == {"assignee": agent.pk}


def test_an_accepted_ticket_is_only_assigned(supervisor):
    ticket = TicketFactory(status=Status.ACCEPTED)

    take_ticket(ticket=ticket, actor=Actor(user=supervisor))

    ticket.refresh_from_db()
    assert ticket.status == Status.ASSIGNED and ticket.assignee == supervisor
    assert actions(ticket) == [("assign", Status.ASSIGNED, "super1")]


@pytest.mark.parametrize("role", ["technician", "senior_technician", "quality_auditor",
                                  "warehouse_keeper", "administrator"])
def test_a_role_that_may_not_take_is_told_so_and_nothing_changes(role):
    ticket = TicketFactory(status=Status.NEW)
    someone = UserFactory(username=f"who-{role}", roles=[role])

    with pytest.raises(PermissionDenied) as refused:
        take_ticket(ticket=ticket, actor=Actor(user=someone))

    assert refused.value.code == "take_not_permitted"
    assert "不能接手工单" in refused.value.message
    ticket.refresh_from_db()
    assert ticket.status == Status.NEW and ticket.assignee is None
    assert actions(ticket) == []


def test_a_ticket_a_colleague_took_first_is_already_taken(agent):
    colleague = UserFactory(username="agent2", display_name="李娜", roles=["agent"])
    ticket = TicketFactory(status=Status.NEW)
    stale_copy = Ticket.objects.get(pk=ticket.pk)  # the page the agent is looking at
    take_ticket(ticket=ticket, actor=Actor(user=colleague))

    with pytest.raises(Conflict) as refused:
        take_ticket(ticket=stale_copy, actor=Actor(user=agent))

    assert refused.value.code == "already_taken" and refused.value.status == 409
    assert refused.value.message == f"工单 {ticket.number} 已被 李娜 接手。"
    ticket.refresh_from_db()
    assert ticket.assignee == colleague
    assert [a for a, _to, _who in actions(ticket)] == ["accept", "assign"]


def test_a_ticket_proposed_for_someone_awaiting_approval_is_taken_too(agent, senior_technician):
    ticket = TicketFactory(status=Status.AWAITING_APPROVAL, priority=Priority.P1,
                           pending_assignee=senior_technician)

    with pytest.raises(Conflict) as refused:
        take_ticket(ticket=ticket, actor=Actor(user=agent))

    assert refused.value.code == "already_taken"


def test_taking_ones_own_ticket_again_changes_nothing(agent):
    ticket = TicketFactory(status=Status.NEW)
    take_ticket(ticket=ticket, actor=Actor(user=agent))

    take_ticket(ticket=ticket, actor=Actor(user=agent))  # a double click

    assert len(actions(ticket)) == 2


@pytest.mark.parametrize("status", [Status.NEW, Status.ACCEPTED])
def test_a_p1_waits_for_approval_and_cannot_be_taken(supervisor, status):
    ticket = TicketFactory(status=status, priority=Priority.P1)

    with pytest.raises(Conflict) as refused:
        take_ticket(ticket=ticket, actor=Actor(user=supervisor))

    assert refused.value.code == "needs_approval"
    assert "技术骨干" in refused.value.message
    ticket.refresh_from_db()
    assert ticket.status == status and ticket.assignee is None and actions(ticket) == []


@pytest.mark.parametrize("status", [Status.CANCELLED, Status.CLOSED, Status.RESOLVED])
def test_a_finished_ticket_cannot_be_taken(agent, status):
    ticket = TicketFactory(status=status)

    with pytest.raises(Conflict) as refused:
        take_ticket(ticket=ticket, actor=Actor(user=agent))

    assert refused.value.code == "transition_not_allowed"
    assert actions(ticket) == []


def test_accept_and_assign_are_one_transaction(agent, monkeypatch):
    ticket = TicketFactory(status=Status.NEW)

    def assignment_fails(**kwargs):
        raise ValidationFailed("派单失败")

    monkeypatch.setattr(transitions, "assign_ticket", assignment_fails)

    with pytest.raises(ValidationFailed):
        take_ticket(ticket=ticket, actor=Actor(user=agent))

    ticket.refresh_from_db()
    assert ticket.status == Status.NEW and ticket.accepted_at is None
    assert actions(ticket) == []


def test_a_customer_cannot_take_a_ticket(agent):
    ticket = TicketFactory(status=Status.NEW)

    with pytest.raises(PermissionDenied):
        take_ticket(ticket=ticket, actor=Actor(user=agent, as_customer=True))


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgres_only
def test_two_agents_taking_at_once_one_gets_it_the_other_is_told(transactional_db):
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("in-memory SQLite is one shared connection")
    first = UserFactory(username="agent-a", display_name="甲", roles=["agent"])
    second = UserFactory(username="agent-b", display_name="乙", roles=["agent"])
    ticket = TicketFactory(status=Status.NEW)
    takers = [first, second]

    results = run_together(2, lambda i: take_ticket(ticket=Ticket.objects.get(pk=ticket.pk),
                                                    actor=Actor(user=takers[i])))

    taken = [r for r in results if isinstance(r, Ticket)]
    refused = [r for r in results if isinstance(r, Conflict)]
    assert len(taken) == 1 and len(refused) == 1, results
    assert refused[0].code == "already_taken"
    ticket.refresh_from_db()
    assert ticket.assignee_id == taken[0].assignee_id
    assert [a for a, _to, _who in actions(ticket)] == ["accept", "assign"]
