"""The repair quote on the customer's portal page (SPEC §4; issue 5 item 7): the customer sees
the breakdown and accepts, or declines with a reason; nobody reaches another customer's quote."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from fivestar.dispatch.models import Quote, QuoteStatus
from fivestar.dispatch.services import propose_quote, withdraw_quote
from fivestar.notifications.inbox import StaffNotification
from fivestar.tickets.access import follow_token
from fivestar.tickets.models import Status, Ticket, TicketEvent
from fivestar.tickets.services import Actor
from tests.conftest import make_user
from tests.factories import CustomerFactory, TicketFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer():
    return CustomerFactory(name="周女士", phone="+8613900002222")


@pytest.fixture
def ticket(customer, technician) -> Ticket:
    return TicketFactory(customer=customer, status=Status.IN_PROGRESS, assignee=technician,
                         title="洗衣机不脱水")


@pytest.fixture
def quote(ticket, technician) -> Quote:
    return propose_quote(
        ticket=ticket, actor=Actor(user=technician), labour_fen=8000, parts_fen=12000,
        travel_fen=3000, note="更换排水泵", valid_until=timezone.localdate() + timedelta(days=3),
    )


def following(ticket: Ticket) -> Client:
    """A phone that opened the SMS link of ``ticket``."""
    client = Client()
    response = client.get(reverse("portal:follow", kwargs={"token": follow_token(ticket=ticket)}))
    assert response.status_code == 302
    return client


def page(client: Client, ticket: Ticket) -> str:
    response = client.get(reverse("portal:ticket", kwargs={"number": ticket.number}))
    assert response.status_code == 200
    return response.content.decode()


def accept_url(ticket, quote) -> str:
    return reverse("portal:quote_accept", kwargs={"number": ticket.number, "quote_id": quote.pk})


def decline_url(ticket, quote) -> str:
    return reverse("portal:quote_decline", kwargs={"number": ticket.number, "quote_id": quote.pk})


def test_the_customer_sees_the_quote_with_its_breakdown_and_two_choices(ticket, quote):
    html = page(following(ticket), ticket)
    assert "维修报价" in html and "更换排水泵" in html
    for amount in ("¥80.00", "¥120.00", "¥30.00", "¥230.00"):
        assert amount in html
    assert "接受报价" in html and "不接受" in html
    assert "报价有效期至" in html
    assert accept_url(ticket, quote) in html and decline_url(ticket, quote) in html
    # The quote is what we wait for: not the generic "please reply" callout.
    assert "需要您的回复" not in html
    # CSP: no inline script, no style attribute.
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html) and " style=" not in html


def test_accepting_resumes_the_work_and_shows_the_result(ticket, quote, technician):
    client = following(ticket)
    response = client.post(accept_url(ticket, quote))
    assert response.status_code == 302
    assert response["Location"].endswith("#quote")

    quote.refresh_from_db()
    assert quote.status == QuoteStatus.ACCEPTED and quote.decided_via == "portal"
    assert quote.decided_by is None
    ticket.refresh_from_db()
    assert ticket.status == Status.IN_PROGRESS
    event = TicketEvent.objects.get(ticket=ticket, action="quote_accepted")
    assert event.actor_kind == "customer"
    assert StaffNotification.objects.filter(recipient=technician, about_id=ticket.pk).exists()

    html = page(client, ticket)
    assert "感谢您的确认" in html
    assert "您已于" in html and "接受报价，合计 ¥230.00" in html
    assert accept_url(ticket, quote) not in html


def test_a_second_tap_is_taken_kindly(ticket, quote):
    client = following(ticket)
    client.post(accept_url(ticket, quote))
    response = client.post(accept_url(ticket, quote), follow=True)
    html = response.content.decode()
    assert "感谢您的确认" in html
    assert TicketEvent.objects.filter(ticket=ticket, action="quote_accepted").count() == 1


def test_declining_with_a_reason(ticket, quote, technician):
    client = following(ticket)
    response = client.post(decline_url(ticket, quote), {"quote-reason": "价格太高，先不修了"})
    assert response.status_code == 302
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.DECLINED
    assert quote.decline_reason == "价格太高，先不修了"
    notice = StaffNotification.objects.get(recipient=technician, about_id=ticket.pk)
    assert "价格太高" in notice.body
    html = page(client, ticket)
    assert "不接受报价" in html and "不会进行这项收费维修" in html


def test_declining_without_a_reason_is_fine_but_a_huge_one_is_shown_beside_the_field(
    ticket, quote
):
    client = following(ticket)
    response = client.post(decline_url(ticket, quote), {"quote-reason": "太" * 1200})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="id_quote-reason_error"' in html
    assert "<details class=\"not-solved quote-no\" open" in html
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.PROPOSED

    assert client.post(decline_url(ticket, quote), {}).status_code == 302
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.DECLINED and quote.decline_reason == ""


def test_another_customers_quote_is_not_found(ticket, quote, technician):
    other_ticket = TicketFactory(customer=CustomerFactory(), status=Status.IN_PROGRESS,
                                 assignee=technician)
    other_quote = propose_quote(ticket=other_ticket, actor=Actor(user=technician),
                                labour_fen=100, note="别人的报价")
    mine = following(ticket)
    # Their ticket, their quote: the one 404 page.
    assert mine.get(reverse("portal:ticket", kwargs={"number": other_ticket.number})) \
        .status_code == 404
    assert mine.post(accept_url(other_ticket, other_quote)).status_code == 404
    assert mine.post(decline_url(other_ticket, other_quote)).status_code == 404
    # Their quote through my ticket's address: 404 too.
    assert mine.post(accept_url(ticket, other_quote)).status_code == 404
    # Nobody following anything: 404.
    assert Client().post(accept_url(ticket, quote)).status_code == 404
    other_quote.refresh_from_db()
    quote.refresh_from_db()
    assert other_quote.status == QuoteStatus.PROPOSED and quote.status == QuoteStatus.PROPOSED


def test_a_signed_in_customer_accepts_from_their_account(ticket, quote, customer):
    user = make_user("zhou", "customer")
    customer.user = user
    customer.save(update_fields=["user"])
    client = Client()
    client.force_login(user)
    assert client.post(accept_url(ticket, quote)).status_code == 302
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.ACCEPTED


def test_a_withdrawn_quote_disappears_and_cannot_be_accepted(ticket, quote, technician):
    client = following(ticket)
    withdraw_quote(quote=quote, actor=Actor(user=technician))
    html = page(client, ticket)
    assert "维修报价" not in html
    response = client.post(accept_url(ticket, quote), follow=True)
    assert "已撤回" in response.content.decode()
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.WITHDRAWN


def test_an_expired_quote_cannot_be_accepted(ticket, quote):
    Quote.objects.filter(pk=quote.pk).update(valid_until=timezone.localdate() - timedelta(1))
    client = following(ticket)
    html = page(client, ticket)
    assert "已于" in html and "过期" in html
    assert accept_url(ticket, quote) not in html
    response = client.post(accept_url(ticket, quote), follow=True)
    assert "过期" in response.content.decode()
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.PROPOSED
