"""The ticket state machine (SPEC §2–§5): who may move a ticket from where to where."""

import pytest
from django.db.models import ProtectedError

from fivestar.core.errors import Conflict, PermissionDenied, ValidationFailed
from fivestar.tickets.models import OPEN_STATUSES, Priority, Status, Ticket, TicketEvent
from fivestar.tickets.services import (
    Actor,
    Resolution,
    accept_ticket,
    approve_ticket,
    assign_ticket,
    cancel_ticket,
    close_ticket,
    confirm_resolution,
    reopen_ticket,
    resolve_ticket,
    resume_ticket,
    set_priority,
    start_ticket,
    wait_for_customer,
)
from fivestar.tickets.workflow import allowed_actions
from tests.factories import CustomerFactory, TicketFactory, UserFactory

pytestmark = pytest.mark.django_db


def staff(user) -> Actor:
    return Actor(user=user)


def events(ticket) -> list[TicketEvent]:
    return list(TicketEvent.objects.filter(ticket=ticket).order_by("id"))


@pytest.fixture
def portal_user(db):
    return UserFactory(username="cust-portal", roles=["customer"])


@pytest.fixture
def customer(portal_user):
    return CustomerFactory(user=portal_user)


@pytest.fixture
def other_technician(db):
    return UserFactory(username="tech2", roles=["technician"])


def test_the_whole_road_from_new_to_closed(agent, technician, customer, portal_user):
    ticket = TicketFactory(customer=customer)
    customer_actor = Actor(user=portal_user, as_customer=True)

    steps = [
        (lambda: accept_ticket(ticket=ticket, actor=staff(agent)), Status.ACCEPTED),
        (lambda: assign_ticket(ticket=ticket, assignee=technician, actor=staff(agent)),
         Status.ASSIGNED),
        (lambda: start_ticket(ticket=ticket, actor=staff(technician)), Status.IN_PROGRESS),
        (lambda: wait_for_customer(ticket=ticket, actor=staff(technician), reason="等客户发照片"),
         Status.WAITING_CUSTOMER),
        (lambda: resume_ticket(ticket=ticket, actor=customer_actor), Status.IN_PROGRESS),
        (lambda: resolve_ticket(ticket=ticket, actor=staff(technician),
                                record=Resolution(resolution="更换电容", parts_replaced="电容",
                                                  labour_minutes=40, cost_fen=12000)),
         Status.RESOLVED),
        (lambda: confirm_resolution(ticket=ticket, actor=customer_actor, solved=True),
         Status.CLOSED),
    ]
    for step, expected in steps:
        before = ticket.status
        count = len(events(ticket))

        step()

        ticket.refresh_from_db()
        assert ticket.status == expected
        new_events = events(ticket)[count:]
        assert len(new_events) == 1
        assert (new_events[0].from_status, new_events[0].to_status) == (before, expected)

    assert ticket.assignee == technician
    assert ticket.accepted_at and ticket.resolved_at and ticket.closed_at
    assert ticket.resolution == "更换电容"
    assert (ticket.parts_replaced, ticket.labour_minutes, ticket.cost_fen) == ("电容", 40, 12000)
    assert ticket.customer_confirmed is True


class TestTransitionTable:
    """Each action from a state it allows, by a role it allows."""

    @pytest.mark.parametrize(
        ("from_status", "action", "to_status"),
        [
            (Status.NEW, "accept", Status.ACCEPTED),
            (Status.ACCEPTED, "assign", Status.ASSIGNED),
            (Status.ASSIGNED, "start", Status.IN_PROGRESS),
            (Status.IN_PROGRESS, "wait_customer", Status.WAITING_CUSTOMER),
            (Status.WAITING_CUSTOMER, "resume", Status.IN_PROGRESS),
            (Status.IN_PROGRESS, "resolve", Status.RESOLVED),
            (Status.RESOLVED, "close", Status.CLOSED),
            (Status.RESOLVED, "reopen", Status.IN_PROGRESS),
            (Status.CLOSED, "reopen", Status.IN_PROGRESS),
        ],
    )
    def test_allowed(self, supervisor, technician, from_status, action, to_status):
        ticket = TicketFactory(status=from_status,
                               assignee=None if from_status == Status.NEW else technician)
        run = {
            "accept": lambda: accept_ticket(ticket=ticket, actor=staff(supervisor)),
            "assign": lambda: assign_ticket(ticket=ticket, assignee=technician,
                                            actor=staff(supervisor)),
            "start": lambda: start_ticket(ticket=ticket, actor=staff(technician)),
            "wait_customer": lambda: wait_for_customer(ticket=ticket, actor=staff(technician),
                                                       reason="等待客户提供日志"),
            "resume": lambda: resume_ticket(ticket=ticket, actor=staff(technician)),
            "resolve": lambda: resolve_ticket(ticket=ticket, actor=staff(technician),
                                              record=Resolution(resolution="已修复")),
            "close": lambda: close_ticket(ticket=ticket, actor=staff(supervisor),
                                          method="recorded"),
            "reopen": lambda: reopen_ticket(ticket=ticket, actor=staff(supervisor),
                                            reason="问题复现"),
        }[action]

        returned = run()

        assert returned.status == to_status
        ticket.refresh_from_db()
        assert ticket.status == to_status
        [event] = events(ticket)
        assert (event.action, event.from_status, event.to_status) == (
            action, from_status, to_status
        )

    @pytest.mark.parametrize("from_status", sorted(OPEN_STATUSES))
    def test_cancel_from_every_open_state_with_a_reason(self, agent, from_status):
        ticket = TicketFactory(status=from_status)

        cancel_ticket(ticket=ticket, actor=staff(agent), reason="客户自行解决")

        ticket.refresh_from_db()
        assert ticket.status == Status.CANCELLED
        assert ticket.cancel_reason == "客户自行解决"
        [event] = events(ticket)
        assert event.note == "客户自行解决"

    @pytest.mark.parametrize("from_status", [Status.RESOLVED, Status.CLOSED, Status.CANCELLED])
    def test_cancel_not_from_a_finished_ticket(self, agent, from_status):
        ticket = TicketFactory(status=from_status)

        with pytest.raises(Conflict):
            cancel_ticket(ticket=ticket, actor=staff(agent), reason="误建")

        ticket.refresh_from_db()
        assert ticket.status == from_status
        assert events(ticket) == []

    @pytest.mark.parametrize(
        ("status", "call"),
        [
            (Status.IN_PROGRESS,
             lambda t, u: cancel_ticket(ticket=t, actor=Actor(user=u), reason="  ")),
            (Status.RESOLVED,
             lambda t, u: reopen_ticket(ticket=t, actor=Actor(user=u), reason="")),
        ],
        ids=["cancel", "reopen"],
    )
    def test_a_reason_is_required(self, agent, status, call):
        ticket = TicketFactory(status=status)

        with pytest.raises(ValidationFailed) as caught:
            call(ticket, agent)

        assert "reason" in caught.value.fields
        ticket.refresh_from_db()
        assert ticket.status == status
        assert events(ticket) == []

    def test_waiting_needs_a_reason_and_resolving_a_record(self, technician):
        ticket = TicketFactory(status=Status.IN_PROGRESS, assignee=technician)

        with pytest.raises(ValidationFailed) as caught:
            wait_for_customer(ticket=ticket, actor=staff(technician), reason="")
        assert "reason" in caught.value.fields
        with pytest.raises(ValidationFailed) as caught:
            resolve_ticket(ticket=ticket, actor=staff(technician),
                           record=Resolution(resolution=" "))
        assert "resolution" in caught.value.fields
        with pytest.raises(ValidationFailed) as caught:
            resolve_ticket(ticket=ticket, actor=staff(technician),
                           record=Resolution(resolution="ok", cost_fen=-1))
        assert "cost_fen" in caught.value.fields
        assert events(ticket) == []


class TestReopen:
    @pytest.mark.parametrize("from_status", [Status.RESOLVED, Status.CLOSED])
    def test_reopen_counts_and_clears_the_finish(self, agent, from_status):
        ticket = TicketFactory(status=from_status, reopen_count=1)
        ticket.resolved_at = ticket.closed_at = ticket.received_at
        ticket.customer_confirmed = True
        ticket.save()

        reopen_ticket(ticket=ticket, actor=staff(agent), reason="又不制冷了")

        ticket.refresh_from_db()
        assert ticket.status == Status.IN_PROGRESS
        assert ticket.reopen_count == 2
        assert ticket.resolved_at is None and ticket.closed_at is None
        # The earlier "solved" no longer holds: the next resolution needs a new confirmation.
        assert ticket.customer_confirmed is None
        [event] = events(ticket)
        assert event.before == {"reopen_count": 1, "resolved_at": ticket.received_at.isoformat(),
                                "closed_at": ticket.received_at.isoformat(),
                                "customer_confirmed": True}
        # The typed payload says what the reopen is; the cleared finish is in ``before``.
        assert event.after == {"reopen_count": 2}

    def test_the_customer_may_reopen_their_own_ticket(self, customer, portal_user):
        ticket = TicketFactory(status=Status.CLOSED, customer=customer)

        reopen_ticket(ticket=ticket, actor=Actor(user=portal_user, as_customer=True),
                      reason="还是坏的")

        ticket.refresh_from_db()
        assert ticket.status == Status.IN_PROGRESS
        assert events(ticket)[0].actor_kind == "customer"

    @pytest.mark.parametrize("from_status", [Status.NEW, Status.IN_PROGRESS, Status.CANCELLED])
    def test_only_a_finished_ticket_reopens(self, agent, from_status):
        ticket = TicketFactory(status=from_status)

        with pytest.raises(Conflict):
            reopen_ticket(ticket=ticket, actor=staff(agent), reason="x")


class TestConfirmation:
    def test_solved_closes(self, customer, portal_user):
        ticket = TicketFactory(status=Status.RESOLVED, customer=customer)

        confirm_resolution(ticket=ticket, actor=Actor(user=portal_user, as_customer=True),
                           solved=True)

        ticket.refresh_from_db()
        assert ticket.status == Status.CLOSED
        assert ticket.customer_confirmed is True
        assert ticket.closed_at is not None

    def test_not_solved_goes_back_to_work(self, agent):
        ticket = TicketFactory(status=Status.RESOLVED)

        confirm_resolution(ticket=ticket, actor=staff(agent), solved=False, note="还是漏水")

        ticket.refresh_from_db()
        assert ticket.status == Status.IN_PROGRESS
        assert ticket.customer_confirmed is False
        assert ticket.reopen_count == 1
        assert ticket.closed_at is None

    def test_only_a_resolved_ticket_is_confirmed(self, agent):
        ticket = TicketFactory(status=Status.IN_PROGRESS)

        with pytest.raises(Conflict):
            confirm_resolution(ticket=ticket, actor=staff(agent), solved=True)

    def test_another_customer_may_not_confirm(self, customer):
        ticket = TicketFactory(status=Status.RESOLVED, customer=customer)
        stranger = UserFactory(username="stranger", roles=["customer"])
        CustomerFactory(user=stranger)

        with pytest.raises(PermissionDenied):
            confirm_resolution(ticket=ticket, actor=Actor(user=stranger, as_customer=True),
                               solved=True)

        ticket.refresh_from_db()
        assert ticket.status == Status.RESOLVED

    def test_a_customer_may_not_close_without_confirming(self, customer, portal_user):
        ticket = TicketFactory(status=Status.RESOLVED, customer=customer)

        with pytest.raises(PermissionDenied):
            close_ticket(ticket=ticket, actor=Actor(user=portal_user, as_customer=True))


class TestP1Approval:
    @pytest.fixture
    def p1(self):
        return TicketFactory(status=Status.ACCEPTED, priority=Priority.P1)

    def test_assigned_by_an_agent_it_waits_for_approval(self, p1, agent, supervisor,
                                                        senior_technician):
        assign_ticket(ticket=p1, assignee=senior_technician, actor=staff(agent))

        p1.refresh_from_db()
        assert p1.status == Status.AWAITING_APPROVAL
        assert p1.pending_assignee == senior_technician
        assert p1.assignee is None

        approve_ticket(ticket=p1, actor=staff(supervisor))

        p1.refresh_from_db()
        assert p1.status == Status.ASSIGNED
        assert p1.assignee == senior_technician
        assert p1.pending_assignee is None
        approval = events(p1)[-1]
        assert approval.actor == supervisor
        assert approval.after == {"assignee": senior_technician.pk}
        assert approval.before == {"assignee": None, "pending_assignee": senior_technician.pk}

    def test_an_agent_may_not_approve(self, p1, agent, senior_technician):
        assign_ticket(ticket=p1, assignee=senior_technician, actor=staff(agent))

        with pytest.raises(PermissionDenied):
            approve_ticket(ticket=p1, actor=staff(agent))

    def test_the_proposed_assignee_may_not_start_before_approval(self, p1, agent,
                                                                 senior_technician):
        assign_ticket(ticket=p1, assignee=senior_technician, actor=staff(agent))

        with pytest.raises(PermissionDenied):
            start_ticket(ticket=p1, actor=staff(senior_technician))

    @pytest.mark.parametrize("role", ["supervisor", "manager"])
    def test_assigned_by_an_approver_it_goes_straight_on(self, p1, role, senior_technician):
        approver = UserFactory(username=f"approver-{role}", roles=[role])

        assign_ticket(ticket=p1, assignee=senior_technician, actor=staff(approver))

        p1.refresh_from_db()
        assert p1.status == Status.ASSIGNED
        assert p1.assignee == senior_technician

    @pytest.mark.parametrize("by", ["agent", "supervisor"])
    def test_only_a_senior_technician_takes_a_p1(self, request, p1, by, technician):
        actor = request.getfixturevalue(by)

        with pytest.raises(ValidationFailed) as caught:
            assign_ticket(ticket=p1, assignee=technician, actor=staff(actor))

        assert "assignee" in caught.value.fields
        p1.refresh_from_db()
        assert p1.status == Status.ACCEPTED
        assert events(p1) == []

    def test_the_senior_rule_follows_the_current_priority(self, supervisor, technician):
        ticket = TicketFactory(status=Status.ACCEPTED, priority=Priority.P3)
        stale = Ticket.objects.get(pk=ticket.pk)
        set_priority(ticket=ticket, actor=staff(supervisor), priority=Priority.P1)

        with pytest.raises(ValidationFailed):
            assign_ticket(ticket=stale, assignee=technician, actor=staff(supervisor))

        ticket.refresh_from_db()
        assert ticket.assignee is None

    def test_a_p3_goes_to_any_technician(self, agent, technician):
        ticket = TicketFactory(status=Status.ACCEPTED, priority=Priority.P3)

        assign_ticket(ticket=ticket, assignee=technician, actor=staff(agent))

        ticket.refresh_from_db()
        assert ticket.status == Status.ASSIGNED


class TestRoles:
    def test_a_technician_cannot_accept(self, technician):
        ticket = TicketFactory(status=Status.NEW)

        with pytest.raises(PermissionDenied):
            accept_ticket(ticket=ticket, actor=staff(technician))

        ticket.refresh_from_db()
        assert ticket.status == Status.NEW
        assert events(ticket) == []

    def test_the_assignee_starts_and_resolves_another_technician_cannot(
        self, technician, other_technician
    ):
        ticket = TicketFactory(status=Status.ASSIGNED, assignee=technician)

        with pytest.raises(PermissionDenied):
            start_ticket(ticket=ticket, actor=staff(other_technician))
        start_ticket(ticket=ticket, actor=staff(technician))
        with pytest.raises(PermissionDenied):
            resolve_ticket(ticket=ticket, actor=staff(other_technician),
                           record=Resolution(resolution="x"))
        resolve_ticket(ticket=ticket, actor=staff(technician),
                       record=Resolution(resolution="已修复"))

        ticket.refresh_from_db()
        assert ticket.status == Status.RESOLVED
        assert [e.actor for e in events(ticket)] == [technician, technician]

    def test_a_customer_cannot_accept_or_cancel(self, customer, portal_user):
        ticket = TicketFactory(status=Status.NEW, customer=customer)
        actor = Actor(user=portal_user, as_customer=True)

        with pytest.raises(PermissionDenied):
            accept_ticket(ticket=ticket, actor=actor)
        with pytest.raises(PermissionDenied):
            cancel_ticket(ticket=ticket, actor=actor, reason="不想修了")

    def test_nobody_acts_without_a_user(self):
        ticket = TicketFactory(status=Status.NEW)

        with pytest.raises(PermissionDenied):
            accept_ticket(ticket=ticket, actor=Actor(user=None))

    def test_only_people_who_handle_tickets_can_be_assigned(self, agent, warehouse_keeper):
        ticket = TicketFactory(status=Status.ACCEPTED)
        inactive = UserFactory(username="gone", roles=["technician"], is_active=False)

        for person in (warehouse_keeper, inactive):
            with pytest.raises(ValidationFailed) as caught:
                assign_ticket(ticket=ticket, assignee=person, actor=staff(agent))
            assert "assignee" in caught.value.fields


class TestForbiddenTransitions:
    def test_conflict_lists_the_allowed_actions(self, supervisor):
        ticket = TicketFactory(status=Status.NEW)

        with pytest.raises(Conflict) as caught:
            close_ticket(ticket=ticket, actor=staff(supervisor))

        assert caught.value.code == "transition_not_allowed"
        assert caught.value.extra["status"] == Status.NEW
        assert caught.value.extra["allowed_actions"] == [
            "accept", "cancel", "set_priority", "contact"]

    def test_the_assignee_is_told_to_start_first(self, technician):
        ticket = TicketFactory(status=Status.ASSIGNED, assignee=technician)

        with pytest.raises(Conflict) as caught:
            resolve_ticket(ticket=ticket, actor=staff(technician),
                           record=Resolution(resolution="x"))

        # The assignee may start, or quote out-of-warranty work first (SPEC §4).
        assert caught.value.extra["allowed_actions"] == ["start", "contact", "propose_quote"]
        ticket.refresh_from_db()
        assert ticket.status == Status.ASSIGNED

    def test_a_forbidden_transition_answers_conflict_whatever_the_body(self, agent):
        ticket = TicketFactory(status=Status.CLOSED)

        with pytest.raises(Conflict):
            cancel_ticket(ticket=ticket, actor=staff(agent), reason="")

    def test_allowed_actions_for_the_customer(self, customer, portal_user):
        ticket = TicketFactory(status=Status.RESOLVED, customer=customer)

        assert allowed_actions(ticket=ticket, user=portal_user, as_customer=True) == [
            "confirm", "reopen"
        ]


class TestEvents:
    def test_assignment_records_before_and_after(self, agent, technician, other_technician):
        ticket = TicketFactory(status=Status.ACCEPTED)

        assign_ticket(ticket=ticket, assignee=technician, actor=staff(agent), note="就近派单")
        assign_ticket(ticket=ticket, assignee=other_technician, actor=staff(agent))

        first, second = events(ticket)
        assert (first.actor, first.action, first.note) == (agent, "assign", "就近派单")
        assert first.before == {"assignee": None}
        assert first.after == {"assignee": technician.pk}
        assert second.before == {"assignee": technician.pk}
        assert second.after == {"assignee": other_technician.pk}
        assert (second.from_status, second.to_status) == (Status.ASSIGNED, Status.ASSIGNED)

    def test_reassignment_keeps_the_work_where_it_is(self, agent, technician, other_technician):
        ticket = TicketFactory(status=Status.IN_PROGRESS, assignee=technician)

        assign_ticket(ticket=ticket, assignee=other_technician, actor=staff(agent))

        ticket.refresh_from_db()
        assert ticket.status == Status.IN_PROGRESS
        assert ticket.assignee == other_technician

    def test_priority_change_is_recorded_and_confirmed(self, agent):
        ticket = TicketFactory(status=Status.NEW, priority=Priority.P3)

        set_priority(ticket=ticket, actor=staff(agent), priority=Priority.P2, reason="客户加急")

        ticket.refresh_from_db()
        assert (ticket.priority, ticket.priority_confirmed) == (Priority.P2, True)
        [event] = events(ticket)
        assert event.before == {"priority": "P3", "priority_confirmed": False}
        assert event.after == {"priority": "P2", "previous": "P3", "priority_confirmed": True}
        assert event.note == "客户加急"
        assert event.from_status == event.to_status == Status.NEW

    def test_unknown_priority_is_refused(self, agent):
        ticket = TicketFactory(status=Status.NEW)

        with pytest.raises(ValidationFailed) as caught:
            set_priority(ticket=ticket, actor=staff(agent), priority="P9")

        assert "priority" in caught.value.fields

    def test_events_are_append_only(self, agent):
        ticket = TicketFactory(status=Status.NEW)
        accept_ticket(ticket=ticket, actor=staff(agent))
        [event] = events(ticket)

        event.note = "篡改"
        with pytest.raises(ValueError, match="append-only"):
            event.save()
        with pytest.raises(ValueError, match="append-only"):
            event.delete()
        with pytest.raises(ValueError, match="append-only"):
            TicketEvent.objects.filter(ticket=ticket).update(note="篡改")
        with pytest.raises(ValueError, match="append-only"):
            TicketEvent.objects.filter(ticket=ticket).delete()
        with pytest.raises(ProtectedError):
            Ticket.objects.filter(pk=ticket.pk).delete()

        assert TicketEvent.objects.get(pk=event.pk).note == ""

    def test_the_callers_ticket_reflects_the_change(self, agent, technician):
        ticket = TicketFactory(status=Status.ACCEPTED)
        loaded = Ticket.objects.select_related("assignee").get(pk=ticket.pk)
        assert loaded.assignee is None

        assign_ticket(ticket=loaded, assignee=technician, actor=staff(agent))

        assert loaded.status == Status.ASSIGNED
        assert loaded.assignee == technician
