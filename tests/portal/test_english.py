"""The portal in English: labels read as labels (a capital first), on a phone's first visit."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import CustomerFactory, TicketFactory
from tests.portal.test_pages import follow

pytestmark = pytest.mark.django_db

LABEL = re.compile(r"<(?:label|dt)[^>]*>\s*([^<]+?)\s*<")


def english() -> Client:
    return Client(headers={"Accept-Language": "en"})


def labels(html: str) -> list[str]:
    return [text for text in LABEL.findall(html) if text.strip()]


def test_the_request_form_labels_start_with_a_capital():
    html = english().get(reverse("portal:submit")).content.decode()

    assert "Problem description" in labels(html)
    assert not [text for text in labels(html) if text[0].islower()]


def test_the_tracking_form_asks_for_the_ticket_number():
    html = english().get(reverse("portal:track")).content.decode()

    assert "Ticket number" in labels(html)
    assert not [text for text in labels(html) if text[0].islower()]


def test_the_ticket_details_are_labelled_like_a_form():
    ticket = TicketFactory(customer=CustomerFactory(), serial_number="SN-42")
    client = english()
    follow(client, ticket)

    html = client.get(reverse("portal:ticket", kwargs={"number": ticket.number})).content.decode()

    assert {"Type", "Serial number"} <= set(labels(html))
    assert not [text for text in labels(html) if text[0].islower()]
