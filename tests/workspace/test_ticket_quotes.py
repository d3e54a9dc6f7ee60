"""The quote card of the staff ticket page (SPEC §4): what it shows, proposing in yuan, recording
the customer's phone answer, withdrawing; errors beside the fields; the timeline in words."""


import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fivestar.dispatch.models import DecisionChannel, Quote, QuoteStatus
from fivestar.dispatch.services import (
    accept_quote,
    decline_quote,
    propose_quote,
    withdraw_quote,
)
from fivestar.tickets.models import Status, Ticket, TicketEvent
from fivestar.tickets.services import Actor
from tests.conftest import make_user
from tests.factories import CustomerFactory, TicketFactory
from tests.workspace.pages import HTMX, field_error, html, url

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket(technician) -> Ticket:
    return TicketFactory(customer=CustomerFactory(name="周女士"), status=Status.IN_PROGRESS,
                         assignee=technician, title="空调不制冷")


@pytest.fixture
def tech_desk(technician, client_for):
    return client_for(technician)





def form(**values) -> dict:
    data = {"labour_yuan": "120", "parts_yuan": "380.50", "travel_yuan": "", "note":
            "更换压缩机启动电容", "valid_until": ""}
    data.update(values)
    return {f"quote-{name}": value for name, value in data.items()}


def a_quote(ticket, user, **amounts) -> Quote:
    values = {"labour_fen": 12000, "parts_fen": 38000, "travel_fen": 5000, **amounts}
    return propose_quote(ticket=ticket, actor=Actor(user=user), note="更换压缩机启动电容",
                         **values)


def test_the_card_offers_a_quote_on_a_ticket_being_worked(tech_desk, ticket):
    page = html(tech_desk.get(url(ticket)))
    assert 'id="ticket-quotes"' in page
    assert 'data-quote-action="propose"' in page
    assert 'name="quote-labour_yuan"' in page


def test_no_card_where_no_quote_can_be(desk, agent):
    new = TicketFactory(status=Status.NEW)
    page = html(desk.get(url(new)))
    # Only an empty, hidden placeholder, for a later change to fill in place.
    assert '<section id="ticket-quotes" hidden></section>' in page
    assert 'data-quote-action="propose"' not in page


def test_proposing_in_yuan_stores_fen_and_updates_card_header_and_timeline(tech_desk, ticket):
    response = tech_desk.post(url(ticket, "quotes/"), form(), headers=HTMX)

    assert response.status_code == 200
    quote = Quote.objects.get(ticket=ticket)
    # 120 + 380.50 + 0 yuan, Decimal to fen: no float rounding.
    assert (quote.labour_fen, quote.parts_fen, quote.travel_fen) == (12000, 38050, 0)
    assert quote.total_fen == 50050
    page = html(response)
    assert page.lstrip().startswith('<section id="ticket-quotes"')
    assert "¥500.50" in page and "报价已发给客户" in page
    assert 'data-quote-status="proposed"' in page
    # Out of band: the header now says the ticket waits for the customer, the timeline says why.
    assert 'id="ticket-header"' in page and 'data-status="waiting_customer"' in page
    assert 'id="ticket-timeline"' in page and "提出维修报价" in page
    assert "¥380.50" in page  # the amounts in the timeline, in yuan


def test_a_negative_amount_is_shown_beside_its_field_and_nothing_changes(tech_desk, ticket):
    response = tech_desk.post(url(ticket, "quotes/"), form(parts_yuan="-5"), headers=HTMX)

    assert response.status_code == 200  # htmx swaps only successful answers
    page = html(response)
    assert "不能为负数" in field_error(page, "quote-parts_yuan")
    assert 'value="-5"' in page  # what was typed stays
    assert "<details class=\"quote-propose\" open" in page
    assert not Quote.objects.exists()
    ticket.refresh_from_db()
    assert ticket.status == Status.IN_PROGRESS


def test_form_errors_without_htmx_come_back_on_the_whole_page(tech_desk, ticket):
    response = tech_desk.post(url(ticket, "quotes/"), form(labour_yuan="12.345", note=""))
    assert response.status_code == 422
    page = html(response)
    assert field_error(page, "quote-labour_yuan")
    assert field_error(page, "quote-note")
    assert 'id="ticket-timeline"' in page


def test_without_htmx_a_proposal_redirects_back(tech_desk, ticket):
    response = tech_desk.post(url(ticket, "quotes/"), form())
    assert response.status_code == 302
    assert response["Location"].endswith(f"/workspace/tickets/{ticket.number}/#ticket-quotes")
    page = html(tech_desk.get(response["Location"]))
    assert "报价已发给客户" in page


def test_a_second_quote_is_refused_with_a_notice(tech_desk, ticket, technician):
    a_quote(ticket, technician)
    response = tech_desk.post(url(ticket, "quotes/"), form(), headers=HTMX)
    page = html(response)
    assert "已有一份报价" in page and 'role="alert"' in page
    assert Quote.objects.count() == 1


def test_recording_a_phone_consent(desk, ticket, technician, agent):
    quote = a_quote(ticket, technician)
    page = html(desk.get(url(ticket)))
    assert 'data-quote-action="accept"' in page and "¥550.00" in page

    response = desk.post(url(ticket, f"quotes/{quote.pk}/accept/"), headers=HTMX)

    quote.refresh_from_db()
    assert quote.status == QuoteStatus.ACCEPTED
    assert quote.decided_via == DecisionChannel.PHONE and quote.decided_by == agent
    page = html(response)
    assert 'data-quote-status="accepted"' in page
    assert 'data-status="in_progress"' in page
    assert "接受报价" in page and "电话确认" in page


def test_recording_a_decline_with_the_reason(desk, ticket, technician):
    quote = a_quote(ticket, technician)
    response = desk.post(url(ticket, f"quotes/{quote.pk}/decline/"),
                         {"quote-decline-reason": "客户觉得太贵"}, headers=HTMX)
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.DECLINED
    assert quote.decline_reason == "客户觉得太贵"
    assert "客户觉得太贵" in html(response)


def test_a_too_long_decline_reason_is_shown_beside_the_field(desk, ticket, technician):
    quote = a_quote(ticket, technician)
    response = desk.post(url(ticket, f"quotes/{quote.pk}/decline/"),
                         {"quote-decline-reason": "太" * 2001}, headers=HTMX)
    assert field_error(html(response), "quote-decline-reason")
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.PROPOSED


def test_withdrawing_and_proposing_again(tech_desk, ticket, technician):
    quote = a_quote(ticket, technician)
    response = tech_desk.post(url(ticket, f"quotes/{quote.pk}/withdraw/"), headers=HTMX)
    page = html(response)
    assert "报价已撤回" in page
    assert 'data-quote-status="withdrawn"' in page
    assert "重新报价" in page
    tech_desk.post(url(ticket, "quotes/"), form(labour_yuan="100"), headers=HTMX)
    page = html(tech_desk.get(url(ticket)))
    assert "更早的报价（1）" in page
    assert Quote.objects.filter(ticket=ticket).count() == 2


def test_an_answer_that_came_first_on_the_portal_wins(desk, ticket, technician):
    quote = a_quote(ticket, technician)
    accept_quote(quote=quote, actor=Actor(user=None, as_customer=True),
                 via=DecisionChannel.PORTAL)
    response = desk.post(url(ticket, f"quotes/{quote.pk}/withdraw/"), headers=HTMX)
    page = html(response)
    assert "客户已接受" in page and 'role="alert"' in page
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.ACCEPTED


def test_who_may_act_on_the_card(client_for, ticket, technician):
    quote = a_quote(ticket, technician)
    auditor = make_user("qa1", "quality_auditor")
    page = html(client_for(auditor).get(url(ticket)))
    assert "¥550.00" in page  # sees the quote
    assert 'data-quote-action="accept"' not in page
    response = client_for(auditor).post(url(ticket, f"quotes/{quote.pk}/accept/"), headers=HTMX)
    assert "只有工单的处理人" in html(response)
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.PROPOSED
    # Someone who cannot see the ticket gets 404, for the quote as for the ticket.
    outsider = make_user("tech9", "technician")
    assert client_for(outsider).post(url(ticket, f"quotes/{quote.pk}/accept/")).status_code \
        == 404
    other = TicketFactory(status=Status.ASSIGNED, assignee=technician)
    assert client_for(technician).post(url(other, f"quotes/{quote.pk}/accept/")).status_code \
        == 404
    assert client_for(technician).post(url(ticket, f"quotes/{quote.pk}/explode/")).status_code \
        == 404


def test_the_timeline_tells_the_quote_story_in_words(desk, ticket, technician):
    quote = a_quote(ticket, technician)
    decline_quote(quote=quote, actor=Actor(user=None, as_customer=True),
                  via=DecisionChannel.PORTAL, reason="不修了")
    page = html(desk.get(url(ticket)))
    timeline = page[page.index('id="ticket-timeline"'):]
    for words in ("提出维修报价", "人工费", "¥120.00", "报价合计", "¥550.00", "不接受报价",
                  "客户门户", "客户不接受", "不修了", "等待客户"):
        assert words in timeline, words
    assert "quote_status" not in timeline and "decided_via" not in timeline


def test_the_page_costs_the_same_queries_however_many_quotes(desk, ticket, technician):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert desk.get(url(ticket)).status_code == 200
        return len(captured)

    quote = a_quote(ticket, technician)
    one = queries()
    for index in range(3):
        withdraw_quote(quote=quote, actor=Actor(user=technician))
        quote = a_quote(ticket, technician, labour_fen=100 + index)
    assert queries() == one
    assert TicketEvent.objects.filter(ticket=ticket, action="quote_proposed").count() == 4
