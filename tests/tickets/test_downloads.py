"""A ticket's files download alike from the API, the staff page and the portal (issue 13): a
file whose bytes are gone is a 404 everywhere, and the customer never gets a staff note's file."""

import io

import pytest
from django.test import Client
from django.urls import reverse

from fivestar.accounts.services import create_api_token, grant_roles
from fivestar.tickets.access import follow_token
from fivestar.tickets.actors import Actor
from fivestar.tickets.models import Status
from fivestar.tickets.services import Upload, add_attachments, add_reply
from tests.conftest import make_user
from tests.factories import CustomerFactory, TicketFactory
from tests.portal.conftest import PNG

pytestmark = pytest.mark.django_db


def _upload() -> Upload:
    return Upload(name="fault.png", content=io.BytesIO(PNG), size=len(PNG))


@pytest.fixture
def ticket(db):
    account = make_user("cust-dl")
    grant_roles(user=account, roles=["customer"])
    return TicketFactory(customer=CustomerFactory(user=account), status=Status.IN_PROGRESS)


def _api(user) -> Client:
    _token, raw = create_api_token(user=user)
    return Client(headers={"Authorization": f"Bearer {raw}"})


def _portal(ticket) -> Client:
    client = Client()
    client.get(reverse("portal:follow", kwargs={"token": follow_token(ticket=ticket)}))
    return client


def test_a_file_gone_from_storage_is_a_404_everywhere(ticket, agent):
    [attachment] = add_attachments(ticket=ticket, actor=Actor(user=agent), uploads=[_upload()])
    attachment.file.storage.delete(attachment.file.name)
    staff = Client()
    staff.force_login(agent)

    api = _api(agent).get(f"/api/v1/tickets/{ticket.number}/attachments/{attachment.pk}")
    page = staff.get(f"/workspace/tickets/{ticket.number}/attachments/{attachment.pk}/")
    portal = _portal(ticket).get(f"/portal/tickets/{ticket.number}/files/{attachment.pk}/")

    assert api.status_code == 404 and api.json()["error"]["code"] == "not_found"
    assert page.status_code == 404
    assert portal.status_code == 404


def test_the_customer_gets_no_file_of_a_staff_note(ticket, agent):
    note = add_reply(ticket=ticket, actor=Actor(user=agent), body="内部：客户家有狗",
                     internal=True, uploads=[_upload()])
    [attachment] = note.attachments.all()
    customer = ticket.customer.user

    by_api = _api(customer).get(f"/api/v1/tickets/{ticket.number}/attachments/{attachment.pk}")
    on_portal = _portal(ticket).get(f"/portal/tickets/{ticket.number}/files/{attachment.pk}/")
    by_staff = _api(agent).get(f"/api/v1/tickets/{ticket.number}/attachments/{attachment.pk}")

    assert by_api.status_code == 404 and on_portal.status_code == 404
    assert by_staff.status_code == 200 and by_staff["X-Content-Type-Options"] == "nosniff"
