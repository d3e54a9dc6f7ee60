"""Rules that depend on who acts hold on every channel (issue 13): a customer's reply resumes a
ticket waiting for the customer, a closed ticket takes no more replies, "not solved" needs a
reason — through the API with the customer's own account exactly as on the portal."""

import pytest
from django.test import Client

from fivestar.accounts.services import create_api_token, grant_roles
from fivestar.core.errors import Conflict, ValidationFailed
from fivestar.tickets.actions import perform_action
from fivestar.tickets.actors import Actor
from fivestar.tickets.models import Status, Ticket, TicketEvent
from fivestar.tickets.services import add_reply
from tests.conftest import make_user
from tests.factories import CustomerFactory, TicketFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def account(db):
    user = make_user("cust1")
    grant_roles(user=user, roles=["customer"])
    return user


@pytest.fixture
def ticket(account):
    return TicketFactory(customer=CustomerFactory(user=account), status=Status.IN_PROGRESS)


def _set_status(ticket: Ticket, status: str) -> None:
    Ticket.objects.filter(pk=ticket.pk).update(status=status)
    ticket.refresh_from_db()


class Service:
    """The ticket's own services, as the portal calls them."""

    def __init__(self, account):
        self.actor = Actor.customer(account)

    def reply(self, ticket, body):
        try:
            add_reply(ticket=ticket, actor=self.actor, body=body)
        except Conflict as error:
            return 409, error.code
        return 201, ""

    def confirm(self, ticket, solved, note=""):
        try:
            perform_action(ticket=ticket, action="confirm", actor=self.actor,
                           data={"solved": solved, "note": note})
        except ValidationFailed as error:
            return 422, list(error.fields)
        return 200, []


class Api:
    """The API with the customer's own token."""

    def __init__(self, account):
        _token, raw = create_api_token(user=account)
        self.client = Client(headers={"Authorization": f"Bearer {raw}"})

    def reply(self, ticket, body):
        answer = self.client.post(f"/api/v1/tickets/{ticket.number}/replies", {"body": body},
                                  content_type="application/json")
        return answer.status_code, answer.json().get("error", {}).get("code", "")

    def confirm(self, ticket, solved, note=""):
        answer = self.client.post(f"/api/v1/tickets/{ticket.number}/actions/confirm",
                                  {"solved": solved, "note": note},
                                  content_type="application/json")
        return answer.status_code, list(answer.json().get("error", {}).get("fields", {}))


@pytest.fixture(params=[Service, Api], ids=["service", "api"])
def channel(request, account):
    return request.param(account)


def test_a_reply_while_we_wait_for_the_customer_resumes_the_work(channel, ticket):
    _set_status(ticket, Status.WAITING_CUSTOMER)

    assert channel.reply(ticket, "日志已上传。")[0] == 201

    ticket.refresh_from_db()
    assert ticket.status == Status.IN_PROGRESS
    kinds = list(TicketEvent.objects.filter(ticket=ticket).values_list("action", "actor_kind"))
    assert kinds[-2:] == [("reply", "customer"), ("resume", "customer")]


def test_a_reply_on_a_ticket_in_progress_changes_no_status(channel, ticket):
    assert channel.reply(ticket, "补充一下型号。")[0] == 201

    ticket.refresh_from_db()
    assert ticket.status == Status.IN_PROGRESS


@pytest.mark.parametrize("ended", [Status.CLOSED, Status.CANCELLED])
def test_an_ended_ticket_takes_no_more_replies(channel, ticket, ended):
    _set_status(ticket, ended)

    assert channel.reply(ticket, "还在吗") == (409, "ticket_ended")
    assert not ticket.replies.exists()


def test_solved_closes_the_ticket(channel, ticket):
    _set_status(ticket, Status.RESOLVED)

    assert channel.confirm(ticket, True)[0] == 200

    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSED and ticket.customer_confirmed is True


def test_not_solved_needs_the_reason_and_sends_it_back_to_work(channel, ticket):
    _set_status(ticket, Status.RESOLVED)

    assert channel.confirm(ticket, False, " ") == (422, ["note"])
    assert channel.confirm(ticket, False, "还是漏水")[0] == 200

    ticket.refresh_from_db()
    assert ticket.status == Status.IN_PROGRESS and ticket.reopen_count == 1
    event = TicketEvent.objects.get(ticket=ticket, action="confirm")
    assert event.note == "还是漏水" and event.actor_kind == "customer"


def test_staff_may_still_add_an_internal_note_to_a_closed_ticket(ticket):
    agent = make_user("agent9", "agent")
    _set_status(ticket, Status.CLOSED)

    with pytest.raises(Conflict):
        add_reply(ticket=ticket, actor=Actor(user=agent), body="回访：客户很满意")
    note = add_reply(ticket=ticket, actor=Actor(user=agent), body="回访：客户很满意",
                     internal=True)

    assert note.internal and ticket.replies.count() == 1
