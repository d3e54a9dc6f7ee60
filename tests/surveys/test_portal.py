"""The portal's survey page (SPEC §6): a signed-in customer answers their waiting survey and
sees their points balance; another customer's survey is not found."""

from datetime import timedelta

import pytest
from django.urls import reverse

from fivestar.surveys.models import Invitation, SurveyResponse
from tests.portal.conftest import code_sent_to
from tests.surveys.conftest import GOOD, closed_ticket, sweep_after

pytestmark = pytest.mark.django_db


def sign_in(client, phone="13812345678"):
    client.post(reverse("portal:account_code"), {"phone": phone})
    client.post(reverse("portal:account_verify"), {"code": code_sent_to("+86" + phone)})


@pytest.fixture
def invitation(agent, technician):
    ticket = closed_ticket(agent, technician)
    sweep_after(ticket, timedelta(hours=1))
    return Invitation.objects.get(ticket=ticket)


def test_the_customer_answers_in_the_portal_and_sees_the_points(client, invitation):
    sign_in(client)
    account = client.get(reverse("portal:account")).content.decode()
    assert "1 份测评等您评价" in account and "积分余额 0" in account
    page = client.get(reverse("portal:surveys")).content.decode()
    assert invitation.ticket.number in page
    url = reverse("portal:survey_answer", args=[invitation.pk])
    form = {**{k: str(v) for k, v in GOOD.items()}, "solved": "yes", "comment": ""}
    done = client.post(url, form, follow=True).content.decode()
    assert "您获得了 10 积分" in done
    assert '<strong data-points>10</strong>' in done
    assert SurveyResponse.objects.get().channel == "portal"
    assert client.get(url).status_code == 404  # answered: no second time


def test_another_customers_survey_is_not_found(client, invitation, agent, technician):
    other = closed_ticket(agent, technician, phone="13900001111", name="李四")
    sweep_after(other, timedelta(hours=1))
    theirs = Invitation.objects.get(ticket=other)
    sign_in(client)
    assert client.get(reverse("portal:survey_answer", args=[theirs.pk])).status_code == 404
    assert other.number not in client.get(reverse("portal:surveys")).content.decode()


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get(reverse("portal:surveys"))
    assert response.status_code == 302 and response.url == reverse("portal:account")
