"""Follow links (SPEC §9): signed, single-purpose, expiring, for one ticket only."""

import time

import pytest
from django.core import signing
from django.urls import resolve

from fivestar.core.errors import NotFound
from fivestar.tickets.access import (
    FollowLinkExpired,
    follow_token,
    follow_url,
    ticket_for_follow_token,
)
from tests.factories import CustomerFactory, TicketFactory

pytestmark = pytest.mark.django_db


def test_a_token_names_its_ticket():
    ticket = TicketFactory()
    other = TicketFactory()

    assert ticket_for_follow_token(token=follow_token(ticket=ticket)) == ticket
    assert ticket_for_follow_token(token=follow_token(ticket=other)) == other


def test_a_changed_character_makes_the_token_worthless():
    ticket = TicketFactory()
    token = follow_token(ticket=ticket)
    forged = token[:-1] + ("A" if token[-1] != "A" else "B")

    with pytest.raises(NotFound):
        ticket_for_follow_token(token=forged)


def test_a_token_for_another_ticket_cannot_be_made_by_editing_the_id():
    first, second = TicketFactory(), TicketFactory()
    _value, _sep, rest = follow_token(ticket=first).partition(":")
    edited = f"{second.pk}.{second.customer_id}:{rest}"

    with pytest.raises(NotFound):
        ticket_for_follow_token(token=edited)


def test_a_value_signed_for_another_purpose_is_refused():
    ticket = TicketFactory()
    other_purpose = signing.TimestampSigner(salt="something-else").sign(
        f"{ticket.pk}.{ticket.customer_id}"
    )

    with pytest.raises(NotFound):
        ticket_for_follow_token(token=other_purpose)


def test_an_old_link_has_expired(settings, monkeypatch):
    settings.PORTAL_LINK_MAX_AGE_DAYS = 30
    ticket = TicketFactory()
    token = follow_token(ticket=ticket)
    now = time.time()
    monkeypatch.setattr(signing.time, "time", lambda: now + 29 * 86400)
    assert ticket_for_follow_token(token=token) == ticket

    monkeypatch.setattr(signing.time, "time", lambda: now + 31 * 86400)
    with pytest.raises(FollowLinkExpired):
        ticket_for_follow_token(token=token)


def test_a_ticket_moved_to_another_customer_retires_its_links():
    ticket = TicketFactory()
    token = follow_token(ticket=ticket)
    ticket.customer = CustomerFactory()
    ticket.save()

    with pytest.raises(NotFound):
        ticket_for_follow_token(token=token)


def test_the_url_is_on_the_site_address_and_opens_the_follow_page(settings):
    settings.SITE_URL = "https://service.example.cn"
    ticket = TicketFactory()

    url = follow_url(ticket=ticket)

    assert url.startswith("https://service.example.cn/portal/f/")
    match = resolve(url.removeprefix("https://service.example.cn"))
    assert match.view_name == "portal:follow"
    assert ticket_for_follow_token(token=match.kwargs["token"]) == ticket
