"""Quotes for out-of-warranty work (SPEC §4; issue 4 item 3): the services and the API.

What a service manager expects: a quote is proposed by the people working the ticket, the
customer is told with the amount and the link, the ticket waits for them (clocks paused), their
answer — on the portal, through the API or by phone — is recorded once, the work resumes, the
assignee hears of it; bad input changes nothing.
"""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from fivestar.core.errors import Conflict, PermissionDenied, ValidationFailed
from fivestar.customers.services import CustomerDetails
from fivestar.dispatch.models import DecisionChannel, Quote, QuoteStatus
from fivestar.dispatch.services import (
    accept_quote,
    decline_quote,
    propose_quote,
    withdraw_quote,
)
from fivestar.notifications.inbox import StaffNotification, StaffNotificationKind
from fivestar.notifications.models import OutboxMessage
from fivestar.sla.models import ClockState, SlaClock
from fivestar.tickets.models import Status, Ticket, TicketEvent
from fivestar.tickets.services import (
    Actor,
    TicketRequest,
    accept_ticket,
    assign_ticket,
    create_ticket,
    start_ticket,
)
from tests.conftest import make_user
from tests.factories import CustomerFactory, TicketFactory

pytestmark = pytest.mark.django_db

AMOUNTS = {"labour_fen": 12000, "parts_fen": 38000, "travel_fen": 5000}
WORK = "更换压缩机启动电容，补充冷媒。"


@pytest.fixture
def customer():
    return CustomerFactory(name="周女士", phone="+8613900001111", email="zhou@example.com")


@pytest.fixture
def working(customer, technician) -> Ticket:
    """A ticket in progress, assigned to the technician."""
    return TicketFactory(customer=customer, status=Status.IN_PROGRESS, assignee=technician)


def propose(ticket, user, **overrides) -> Quote:
    values = {**AMOUNTS, "note": WORK, **overrides}
    return propose_quote(ticket=ticket, actor=Actor(user=user), **values)


def events(ticket) -> list[str]:
    return list(TicketEvent.objects.filter(ticket=ticket).order_by("id")
                .values_list("action", flat=True))


# --- propose ------------------------------------------------------------------------------------


def test_proposing_on_a_ticket_in_progress_waits_for_the_customer(working, technician):
    quote = propose(working, technician, valid_until=timezone.localdate() + timedelta(days=7))

    assert quote.status == QuoteStatus.PROPOSED
    assert quote.total_fen == 55000
    assert quote.total_display == "¥550.00"
    assert quote.proposed_by == technician
    working.refresh_from_db()
    assert working.status == Status.WAITING_CUSTOMER
    assert events(working) == ["quote_proposed", "wait_customer"]
    event = TicketEvent.objects.get(ticket=working, action="quote_proposed")
    assert event.actor == technician
    assert event.after["total_fen"] == 55000
    assert event.after["quote"] == quote.pk
    assert event.note == WORK


def test_the_customer_gets_the_quote_by_sms_and_email_with_the_link(working, technician):
    propose(working, technician)

    rows = OutboxMessage.objects.filter(about_id=working.pk, template_code="quote_proposed")
    assert sorted(rows.values_list("channel", flat=True)) == ["email", "sms"]
    sms = rows.get(channel="sms")
    assert sms.recipient == "+8613900001111"
    assert "¥550.00" in sms.body and "¥120.00" in sms.body
    assert "/portal/f/" in sms.body
    email = rows.get(channel="email")
    assert WORK in email.body and "¥380.00" in email.body


def test_on_an_assigned_ticket_the_quote_waits_without_a_status_change(customer, technician):
    ticket = TicketFactory(customer=customer, status=Status.ASSIGNED, assignee=technician)
    quote = propose(ticket, technician)
    ticket.refresh_from_db()
    assert ticket.status == Status.ASSIGNED
    assert not quote.paused_ticket
    assert events(ticket) == ["quote_proposed"]


def test_the_sla_clocks_pause_while_the_customer_decides(agent, technician):
    ticket = create_ticket(request=TicketRequest(
        channel="phone", type="repair", title="空调不制冷", description="空调不制冷",
        priority="P3", customer=CustomerDetails(name="张三", phone="13812345678"),
    ), actor=agent).ticket
    accept_ticket(ticket=ticket, actor=Actor(user=agent))
    assign_ticket(ticket=ticket, actor=Actor(user=agent), assignee=technician)
    start_ticket(ticket=ticket, actor=Actor(user=technician))
    assert SlaClock.objects.filter(ticket=ticket, state=ClockState.RUNNING).exists()

    quote = propose(ticket, technician)
    assert not SlaClock.objects.filter(ticket=ticket, state=ClockState.RUNNING).exists()
    assert SlaClock.objects.filter(ticket=ticket, state=ClockState.PAUSED).exists()

    accept_quote(quote=quote, actor=Actor(user=None, as_customer=True),
                 via=DecisionChannel.PORTAL)
    assert SlaClock.objects.filter(ticket=ticket, state=ClockState.RUNNING).exists()
    assert not SlaClock.objects.filter(ticket=ticket, state=ClockState.PAUSED).exists()


@pytest.mark.parametrize("field", ["labour_fen", "parts_fen", "travel_fen"])
def test_a_negative_amount_is_refused_naming_the_field_and_changes_nothing(
    working, technician, field
):
    with pytest.raises(ValidationFailed) as caught:
        propose(working, technician, **{field: -1})
    assert caught.value.status == 422
    assert list(caught.value.fields) == [field]
    assert not Quote.objects.exists()
    assert events(working) == []
    working.refresh_from_db()
    assert working.status == Status.IN_PROGRESS
    assert not OutboxMessage.objects.filter(template_code="quote_proposed").exists()


def test_absurd_zero_and_fractional_amounts_are_refused(working, technician):
    with pytest.raises(ValidationFailed) as caught:
        propose(working, technician, parts_fen=10**12)
    assert "parts_fen" in caught.value.fields
    with pytest.raises(ValidationFailed):
        propose(working, technician, labour_fen=0, parts_fen=0, travel_fen=0)
    with pytest.raises(ValidationFailed) as caught:
        propose(working, technician, travel_fen=12.5)
    assert "travel_fen" in caught.value.fields
    with pytest.raises(ValidationFailed) as caught:
        propose(working, technician, note="  ")
    assert "note" in caught.value.fields
    with pytest.raises(ValidationFailed) as caught:
        propose(working, technician, valid_until=timezone.localdate() - timedelta(days=1))
    assert "valid_until" in caught.value.fields
    assert not Quote.objects.exists()


def test_a_second_open_quote_is_a_conflict(working, technician):
    propose(working, technician)
    with pytest.raises(Conflict) as caught:
        propose(working, technician, labour_fen=1)
    assert caught.value.code == "quote_already_open"
    assert Quote.objects.count() == 1


def test_who_may_propose(customer, agent, technician, warehouse_keeper):
    other_tech = make_user("tech2", "technician")
    assigned = TicketFactory(customer=customer, status=Status.ASSIGNED, assignee=technician)
    for outsider in (other_tech, warehouse_keeper):
        with pytest.raises(PermissionDenied):
            propose(assigned, outsider)
    with pytest.raises(PermissionDenied):
        propose_quote(ticket=assigned, actor=Actor(user=None, as_customer=True), **AMOUNTS,
                      note=WORK)
    # An agent (front line) may propose on a ticket assigned to someone else…
    propose(assigned, agent)
    # …but not pause another person's work in progress: that takes its assignee or a supervisor.
    in_progress = TicketFactory(customer=customer, status=Status.IN_PROGRESS,
                                assignee=technician)
    with pytest.raises(PermissionDenied) as caught:
        propose(in_progress, agent)
    assert caught.value.code == "quote_not_permitted"
    assert not Quote.objects.filter(ticket=in_progress).exists()


@pytest.mark.parametrize("status", [Status.NEW, Status.ACCEPTED, Status.RESOLVED,
                                    Status.CLOSED, Status.CANCELLED])
def test_no_quote_outside_the_work_states(customer, technician, supervisor, status):
    ticket = TicketFactory(customer=customer, status=status, assignee=technician)
    with pytest.raises(Conflict) as caught:
        propose(ticket, supervisor)
    assert caught.value.code == "quote_ticket_state"


# --- answers ------------------------------------------------------------------------------------


def test_the_customer_accepts_on_the_portal_and_work_resumes(working, technician):
    quote = propose(working, technician)
    accept_quote(quote=quote, actor=Actor(user=None, as_customer=True),
                 via=DecisionChannel.PORTAL)

    quote.refresh_from_db()
    assert quote.status == QuoteStatus.ACCEPTED
    assert quote.decided_via == DecisionChannel.PORTAL
    assert quote.decided_by is None
    assert quote.decided_at is not None
    working.refresh_from_db()
    assert working.status == Status.IN_PROGRESS
    assert events(working)[-2:] == ["quote_accepted", "resume"]
    accepted = TicketEvent.objects.get(ticket=working, action="quote_accepted")
    assert accepted.actor_kind == "customer"
    assert accepted.before == {"quote_status": "proposed"}
    assert accepted.after["quote_status"] == "accepted"


def test_the_assignee_hears_of_the_answer_in_the_bell(working, technician, agent):
    quote = propose(working, technician)
    accept_quote(quote=quote, actor=Actor(user=None, as_customer=True),
                 via=DecisionChannel.PORTAL)

    notice = StaffNotification.objects.get(recipient=technician)
    assert notice.kind == StaffNotificationKind.QUOTE
    assert notice.about == working
    assert "¥550.00" in notice.title and working.number in notice.title


def test_a_phone_consent_recorded_by_an_agent_tells_the_assignee_not_the_agent(
    working, technician, agent
):
    quote = propose(working, technician)
    accept_quote(quote=quote, actor=Actor(user=agent), via=DecisionChannel.PHONE)

    quote.refresh_from_db()
    assert quote.decided_via == DecisionChannel.PHONE
    assert quote.decided_by == agent
    assert StaffNotification.objects.filter(recipient=technician).count() == 1
    assert not StaffNotification.objects.filter(recipient=agent).exists()
    event = TicketEvent.objects.get(ticket=working, action="quote_accepted")
    assert event.actor == agent and event.actor_kind == "staff"


def test_declining_keeps_the_reason_resumes_and_notifies(working, technician):
    quote = propose(working, technician)
    decline_quote(quote=quote, actor=Actor(user=None, as_customer=True),
                  via=DecisionChannel.PORTAL, reason="太贵了，不修了")

    quote.refresh_from_db()
    assert quote.status == QuoteStatus.DECLINED
    assert quote.decline_reason == "太贵了，不修了"
    working.refresh_from_db()
    assert working.status == Status.IN_PROGRESS
    notice = StaffNotification.objects.get(recipient=technician)
    assert "太贵了" in notice.body
    assert TicketEvent.objects.get(ticket=working, action="quote_declined").note == "太贵了，不修了"


def test_an_answered_quote_cannot_be_answered_or_withdrawn_again(working, technician, agent):
    quote = propose(working, technician)
    accept_quote(quote=quote, actor=Actor(user=None, as_customer=True),
                 via=DecisionChannel.PORTAL)
    before = events(working)
    for attempt in (
        lambda: accept_quote(quote=quote, actor=Actor(user=agent), via=DecisionChannel.PHONE),
        lambda: decline_quote(quote=quote, actor=Actor(user=None, as_customer=True),
                              via=DecisionChannel.PORTAL),
        lambda: withdraw_quote(quote=quote, actor=Actor(user=technician)),
    ):
        with pytest.raises(Conflict) as caught:
            attempt()
        assert caught.value.code == "quote_not_proposed"
    assert events(working) == before


def test_an_expired_quote_can_be_declined_but_not_accepted(working, technician):
    quote = propose(working, technician, valid_until=timezone.localdate())
    Quote.objects.filter(pk=quote.pk).update(valid_until=timezone.localdate() - timedelta(1))
    quote.refresh_from_db()
    with pytest.raises(Conflict) as caught:
        accept_quote(quote=quote, actor=Actor(user=None, as_customer=True),
                     via=DecisionChannel.PORTAL)
    assert caught.value.code == "quote_expired"
    decline_quote(quote=quote, actor=Actor(user=None, as_customer=True),
                  via=DecisionChannel.PORTAL)
    assert quote.status == QuoteStatus.DECLINED


def test_a_signed_in_customer_answers_only_their_own_quote(working, technician):
    stranger = make_user("someone", "customer")
    quote = propose(working, technician)
    with pytest.raises(PermissionDenied):
        accept_quote(quote=quote, actor=Actor(user=stranger, as_customer=True),
                     via=DecisionChannel.PORTAL)
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.PROPOSED


def test_no_answer_once_the_ticket_is_no_longer_worked(working, technician, agent):
    quote = propose(working, technician)
    Ticket.objects.filter(pk=working.pk).update(status=Status.CANCELLED)
    with pytest.raises(Conflict) as caught:
        accept_quote(quote=quote, actor=Actor(user=None, as_customer=True),
                     via=DecisionChannel.PORTAL)
    assert caught.value.code == "quote_ticket_state"
    # Staff can still withdraw it, whatever the ticket's state.
    withdraw_quote(quote=quote, actor=Actor(user=agent))
    assert quote.status == QuoteStatus.WITHDRAWN


def test_withdrawing_gives_the_ticket_back_to_work_and_allows_a_new_quote(working, technician):
    quote = propose(working, technician)
    withdraw_quote(quote=quote, actor=Actor(user=technician), reason="金额写错了")

    quote.refresh_from_db()
    assert quote.status == QuoteStatus.WITHDRAWN
    assert quote.decided_by == technician
    assert quote.decided_via == ""
    working.refresh_from_db()
    assert working.status == Status.IN_PROGRESS
    assert events(working)[-2:] == ["quote_withdrawn", "resume"]
    second = propose(working, technician, labour_fen=10000)
    assert second.total_fen == 53000
    assert not StaffNotification.objects.filter(kind=StaffNotificationKind.QUOTE).exists()


def test_withdrawing_a_quote_that_did_not_pause_the_ticket_leaves_it_waiting(
    customer, technician
):
    ticket = TicketFactory(customer=customer, status=Status.WAITING_CUSTOMER,
                           assignee=technician)
    quote = propose(ticket, technician)
    withdraw_quote(quote=quote, actor=Actor(user=technician))
    ticket.refresh_from_db()
    assert ticket.status == Status.WAITING_CUSTOMER


def test_a_change_rolled_back_sends_nothing(working, technician):
    with pytest.raises(RuntimeError), transaction.atomic():
        propose(working, technician)
        raise RuntimeError
    assert not Quote.objects.exists()
    assert not OutboxMessage.objects.filter(template_code="quote_proposed").exists()


def test_the_database_refuses_what_the_services_refuse(working, technician):
    from django.db import IntegrityError

    propose(working, technician)
    for values in (
        {"labour_fen": -1, "parts_fen": 0, "travel_fen": 0, "total_fen": -1},
        {"labour_fen": 1, "parts_fen": 1, "travel_fen": 1, "total_fen": 5},
        {"labour_fen": 1, "parts_fen": 0, "travel_fen": 0, "total_fen": 1},  # a second open one
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            Quote.objects.create(ticket=working, note="x", **values)


# --- API ----------------------------------------------------------------------------------------


def url(ticket, *rest) -> str:
    return "/".join([f"/api/v1/tickets/{ticket.number}/quotes", *map(str, rest)])


def test_api_propose_list_and_accept_by_phone(api_as, working, technician, agent):
    created = api_as(technician).post(url(working), {**AMOUNTS, "note": WORK,
                                                     "valid_until": "2099-01-01"})
    assert created.status_code == 422  # more than a year ahead
    assert "valid_until" in created.json()["error"]["fields"]

    created = api_as(technician).post(url(working), {**AMOUNTS, "note": WORK})
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["status"] == "proposed" and body["total_fen"] == 55000
    assert body["ticket"] == working.number
    assert body["proposed_by"]["username"] == technician.username

    listed = api_as(agent).get(url(working))
    assert [q["id"] for q in listed.json()] == [body["id"]]

    accepted = api_as(agent).post(url(working, body["id"], "accept"))
    assert accepted.status_code == 200, accepted.content
    assert accepted.json()["status"] == "accepted"
    assert accepted.json()["decided_via"] == "phone"
    assert accepted.json()["decided_by"]["username"] == agent.username
    ticket = api_as(agent).get(f"/api/v1/tickets/{working.number}").json()
    assert ticket["status"] == "in_progress"
    timeline = [e["action"] for e in
                api_as(agent).get(f"/api/v1/tickets/{working.number}/events").json()]
    assert timeline == ["quote_proposed", "wait_customer", "quote_accepted", "resume"]


@pytest.mark.parametrize("field", ["labour_fen", "parts_fen", "travel_fen"])
def test_api_negative_amount_is_422_naming_the_field(api_as, working, technician, field):
    response = api_as(technician).post(url(working), {**AMOUNTS, field: -100, "note": WORK})
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "validation_failed"
    assert list(error["fields"]) == [field]
    assert not Quote.objects.exists()
    assert not TicketEvent.objects.filter(ticket=working).exists()


def test_api_bad_bodies_are_422_never_500(api_as, working, technician):
    api = api_as(technician)
    for body in ({"labour_fen": "abc", "note": WORK}, {"labour_fen": 1.5, "note": WORK},
                 {"labour_fen": 100}, {"labour_fen": 100, "note": "x" * 3000},
                 {"labour_fen": 100, "note": WORK, "valid_until": "tomorrow"}):
        response = api.post(url(working), body)
        assert response.status_code == 422, (body, response.content)
        assert response.json()["error"]["fields"]
    raw = api.client.post(url(working), "{not json", content_type="application/json",
                          headers=api.headers)
    assert raw.status_code in (400, 422)


def test_api_conflicts_are_409(api_as, working, technician, agent):
    api = api_as(technician)
    first = api.post(url(working), {**AMOUNTS, "note": WORK}).json()
    second = api.post(url(working), {**AMOUNTS, "note": WORK})
    assert second.status_code == 409
    assert second.json()["error"]["code"] == "quote_already_open"

    assert api.post(url(working, first["id"], "withdraw"), {"reason": "重新报价"}).status_code \
        == 200
    again = api_as(agent).post(url(working, first["id"], "accept"))
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "quote_not_proposed"
    assert again.json()["error"]["quote_status"] == "withdrawn"


def test_api_403_and_404(api_as, working, technician, customer):
    api = api_as(technician)
    quote = api.post(url(working), {**AMOUNTS, "note": WORK}).json()
    # Another technician of nowhere sees nothing: 404, not 403.
    outsider = make_user("tech9", "technician")
    assert api_as(outsider).get(url(working)).status_code == 404
    assert api_as(outsider).post(url(working, quote["id"], "accept")).status_code == 404
    # A quality auditor sees the ticket but may not touch its quotes.
    auditor = make_user("qa1", "quality_auditor")
    assert api_as(auditor).get(url(working)).status_code == 200
    refused = api_as(auditor).post(url(working, quote["id"], "withdraw"))
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "quote_not_permitted"
    # A quote of another ticket is not reachable through this one.
    other = TicketFactory(status=Status.ASSIGNED, assignee=technician)
    assert api.post(url(other, quote["id"], "withdraw")).status_code == 404
    assert api.post(url(working, 999999, "accept")).status_code == 404
    assert api_as(None).get(url(working)).status_code == 401


def test_api_the_customer_answers_with_their_own_token(api_as, working, technician, customer):
    user = make_user("zhou", "customer")
    customer.user = user
    customer.save(update_fields=["user"])
    quote = api_as(technician).post(url(working), {**AMOUNTS, "note": WORK}).json()
    seen = api_as(user).get(url(working))
    assert seen.status_code == 200 and seen.json()[0]["total_fen"] == 55000
    assert api_as(user).post(url(working), {**AMOUNTS, "note": WORK}).status_code == 403
    declined = api_as(user).post(url(working, quote["id"], "decline"), {"reason": "太贵"})
    assert declined.status_code == 200
    assert declined.json()["decided_via"] == "api"
    assert declined.json()["decided_by"] is None
    assert declined.json()["decline_reason"] == "太贵"


def test_openapi_document_still_validates_and_lists_the_quotes(api_as, agent):
    from openapi_spec_validator import validate

    document = api_as(agent).get("/api/v1/openapi.json").json()
    validate(document)
    for path in ("/api/v1/tickets/{number}/quotes",
                 "/api/v1/tickets/{number}/quotes/{quote_id}/accept",
                 "/api/v1/tickets/{number}/quotes/{quote_id}/decline",
                 "/api/v1/tickets/{number}/quotes/{quote_id}/withdraw"):
        assert path in document["paths"], path
