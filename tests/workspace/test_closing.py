"""Closing a resolved ticket on the ticket page (issue 18 item 6): the close form asks what the
closure rests on — the customer's confirmation recorded (how, who, when) or the no-answer rule —
and an empty close is refused on the page; the contact action logs a call (item 3)."""

import pytest

from fivestar.tickets.models import Status, TicketEvent
from tests.factories import TicketFactory
from tests.workspace.pages import HTMX, html, url

pytestmark = pytest.mark.django_db


@pytest.fixture
def resolved(technician):
    return TicketFactory(status=Status.RESOLVED, assignee=technician, resolution="更换温控器")


def test_the_close_form_asks_for_the_confirmation(desk, resolved):
    page = html(desk.get(url(resolved), {"action": "close"}))
    assert 'name="close-confirmation"' in page
    assert 'name="close-channel"' in page and 'name="close-confirmed_by"' in page
    assert "联系不上，按规则视为确认" in page and "员工记录客户确认" in page


def test_a_recorded_confirmation_closes_it(desk, resolved, agent):
    response = desk.post(url(resolved, "actions/close/"), {
        "close-confirmation": "recorded", "close-channel": "phone",
        "close-confirmed_by": "张先生", "close-note": "电话回访"}, headers=HTMX)
    assert response.status_code == 200
    resolved.refresh_from_db()
    assert resolved.status == Status.CLOSED
    assert (resolved.confirmation_method, resolved.confirmed_by_name) == ("recorded", "张先生")
    assert resolved.confirmation_recorded_by == agent
    page = html(desk.get(url(resolved)))
    assert "员工记录客户确认 · 电话 · 张先生" in page


def test_an_empty_close_is_refused_on_the_page(desk, resolved):
    response = desk.post(url(resolved, "actions/close/"), {}, headers=HTMX)
    page = html(response)
    assert "notice-error" in page or 'role="alert"' in page
    resolved.refresh_from_db()
    assert resolved.status == Status.RESOLVED


def test_the_assignee_logs_a_call(client_for, technician):
    ticket = TicketFactory(status=Status.ASSIGNED, assignee=technician)
    tech = client_for(technician)
    page = html(tech.get(url(ticket), {"action": "contact"}))
    assert 'name="contact-reached"' in page and "checked" in page
    tech.post(url(ticket, "actions/contact/"), {
        "contact-channel": "phone", "contact-reached": "on", "contact-note": "约好明早上门"},
        headers=HTMX)
    event = TicketEvent.objects.get(ticket=ticket, action="contact")
    assert (event.payload.channel, event.payload.reached, event.note) == (
        "phone", True, "约好明早上门")
