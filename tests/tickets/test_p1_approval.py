"""P1 approval cannot be gone round (issue 18 item 10; SPEC §4): lowering a P1 needs someone
who may approve it; raising a held ticket to P1 sends it back through approval and the
senior-technician rule; only the supervisors and managers of the ticket's department (and
administrators) approve."""

import pytest

from fivestar.accounts.models import Department
from fivestar.core.errors import PermissionDenied, ValidationFailed
from fivestar.tickets.models import Priority, Status
from fivestar.tickets.services import Actor, approve_ticket, set_priority
from fivestar.tickets.workflow import allowed_actions
from tests.conftest import make_user
from tests.factories import TicketFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def repair(db):
    return Department.objects.get_or_create(code="repair-t", defaults={"name": "维修部"})[0]


@pytest.fixture
def quality(db):
    return Department.objects.get_or_create(code="quality-t", defaults={"name": "质量保障部"})[0]


@pytest.fixture
def repair_supervisor(repair):
    return make_user("repair-super", "supervisor", department=repair)


@pytest.fixture
def quality_supervisor(quality):
    return make_user("quality-super", "supervisor", department=quality)


def actions(api, ticket, name, body=None):
    return api.post(f"/api/v1/tickets/{ticket.number}/actions/{name}", body or {})


class TestTheBypassOfTheIssue:
    def test_accept_lower_assign_raise_ends_back_in_approval(self, api_as, agent, technician,
                                                             repair):
        ticket = TicketFactory(status=Status.NEW, priority=Priority.P1, department=repair)
        api = api_as(agent)
        assert actions(api, ticket, "accept").status_code == 200
        lowered = actions(api, ticket, "set_priority", {"priority": "P2"})
        assert lowered.status_code == 403
        assert lowered.json()["error"]["code"] == "priority_change_needs_approver"
        ticket.refresh_from_db()
        assert ticket.priority == Priority.P1

    def test_raising_a_held_ticket_to_p1_sends_it_back_for_approval(
            self, api_as, agent, technician, repair):
        ticket = TicketFactory(status=Status.IN_PROGRESS, priority=Priority.P2,
                               assignee=technician, department=repair)
        response = actions(api_as(agent), ticket, "set_priority", {"priority": "P1"})
        assert response.status_code == 200, response.content
        body = response.json()
        assert (body["status"], body["priority"]) == ("awaiting_approval", "P1")
        assert body["assignee"] is None
        assert body["pending_assignee"]["username"] == technician.username
        event = ticket.events.get(action="set_priority")
        assert (event.from_status, event.to_status) == ("in_progress", "awaiting_approval")


class TestApprovingARaisedTicket:
    @pytest.fixture
    def raised(self, agent, technician, repair):
        ticket = TicketFactory(status=Status.ASSIGNED, priority=Priority.P3,
                               assignee=technician, department=repair)
        return set_priority(ticket=ticket, actor=Actor(user=agent), priority=Priority.P1)

    def test_a_plain_technician_cannot_be_approved(self, raised, repair_supervisor):
        with pytest.raises(ValidationFailed) as caught:
            approve_ticket(ticket=raised, actor=Actor(user=repair_supervisor))
        assert "assignee" in caught.value.fields
        raised.refresh_from_db()
        assert raised.status == Status.AWAITING_APPROVAL

    def test_the_approver_names_a_senior_technician(self, raised, repair_supervisor,
                                                    senior_technician):
        approved = approve_ticket(ticket=raised, actor=Actor(user=repair_supervisor),
                                  assignee=senior_technician)
        assert (approved.status, approved.assignee_id) == (Status.ASSIGNED,
                                                           senior_technician.pk)

    def test_an_approver_raising_a_ticket_a_senior_holds_keeps_it_going(
            self, repair_supervisor, senior_technician, repair):
        ticket = TicketFactory(status=Status.IN_PROGRESS, priority=Priority.P2,
                               assignee=senior_technician, department=repair)
        raised = set_priority(ticket=ticket, actor=Actor(user=repair_supervisor),
                              priority=Priority.P1)
        assert (raised.status, raised.assignee_id) == (Status.IN_PROGRESS, senior_technician.pk)


class TestWhoApproves:
    @pytest.fixture
    def waiting(self, senior_technician, repair):
        return TicketFactory(status=Status.AWAITING_APPROVAL, priority=Priority.P1,
                             pending_assignee=senior_technician, department=repair)

    def test_a_supervisor_of_another_department_may_not(self, api_as, waiting,
                                                         quality_supervisor):
        assert "approve" not in allowed_actions(ticket=waiting, user=quality_supervisor)
        response = actions(api_as(quality_supervisor), waiting, "approve")
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "approval_not_permitted"
        waiting.refresh_from_db()
        assert waiting.status == Status.AWAITING_APPROVAL

    def test_the_departments_supervisor_may(self, api_as, waiting, repair_supervisor):
        assert "approve" in allowed_actions(ticket=waiting, user=repair_supervisor)
        response = actions(api_as(repair_supervisor), waiting, "approve")
        assert response.json()["status"] == "assigned"

    def test_the_departments_named_manager_may(self, waiting, repair, quality):
        manager = make_user("repair-head", "manager", department=quality)
        repair.manager = manager
        repair.save()
        assert approve_ticket(ticket=waiting, actor=Actor(user=manager)).status == (
            Status.ASSIGNED)

    def test_an_administrator_may(self, waiting):
        admin = make_user("admin-t", "administrator")
        assert approve_ticket(ticket=waiting, actor=Actor(user=admin)).status == Status.ASSIGNED

    def test_lowering_a_p1_is_for_the_departments_approvers(self, waiting, quality_supervisor,
                                                           repair_supervisor):
        with pytest.raises(PermissionDenied):
            set_priority(ticket=waiting, actor=Actor(user=quality_supervisor),
                         priority=Priority.P2)
        lowered = set_priority(ticket=waiting, actor=Actor(user=repair_supervisor),
                               priority=Priority.P2)
        assert lowered.priority == Priority.P2
