"""The staff ticket page's survey card (SPEC §6): an agent enters the customer's answers during a
phone callback, marked as phone; the card shows the invitations and answers."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from fivestar.surveys.models import Invitation, SurveyResponse
from tests.surveys.conftest import GOOD, sweep_after

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(agent) -> Client:
    client = Client()
    client.force_login(agent)
    return client


def _form(scores=GOOD, solved="yes", comment="电话回访，客户满意"):
    return {**{f"survey-{k}": str(v) for k, v in scores.items()},
            "survey-solved": solved, "survey-comment": comment}


def test_the_agent_records_a_phone_callback_on_the_ticket_page(desk, agent, closed):
    page = desk.get(reverse("workspace:ticket", args=[closed.number])).content.decode()
    assert 'id="ticket-survey"' in page and "电话回访：录入客户的评价" in page
    answer = desk.post(reverse("workspace:ticket_survey", args=[closed.number]), _form(),
                       headers={"hx-request": "true"})
    html = answer.content.decode()
    assert "已记录电话回访测评。" in html
    assert 'data-response-channel="phone"' in html and "王客服 录入" in html
    response = SurveyResponse.objects.get()
    assert response.channel == "phone" and response.entered_by == agent
    assert "电话回访：录入客户的评价" not in html  # answered: no second form


def test_a_straight_lined_callback_is_kept_and_shown_invalid(desk, closed):
    answer = desk.post(reverse("workspace:ticket_survey", args=[closed.number]),
                       _form(scores=dict.fromkeys(GOOD, 10)), headers={"hx-request": "true"})
    assert "无效：所有评分相同" in answer.content.decode()
    assert SurveyResponse.objects.get().valid is False


def test_a_missing_score_is_shown_beside_it(desk, closed):
    form = _form()
    del form["survey-ability"]
    answer = desk.post(reverse("workspace:ticket_survey", args=[closed.number]), form)
    assert answer.status_code == 422
    assert "请打分（1–10 分）。" in answer.content.decode()
    assert not SurveyResponse.objects.exists()


def test_the_card_shows_the_sent_invitation(desk, closed):
    sweep_after(closed, timedelta(hours=1))
    page = desk.get(reverse("workspace:ticket", args=[closed.number])).content.decode()
    assert 'data-invitation-status="sent"' in page
    desk.post(reverse("workspace:ticket_survey", args=[closed.number]), _form())
    assert Invitation.objects.get(ticket=closed).status == "answered"


def test_an_open_ticket_has_no_survey_card(desk, agent):
    from fivestar.tickets.services import create_ticket
    from tests.surveys.conftest import request_for

    ticket = create_ticket(request=request_for(), actor=agent).ticket
    page = desk.get(reverse("workspace:ticket", args=[ticket.number])).content.decode()
    assert 'id="ticket-survey"' not in page
    answer = desk.post(reverse("workspace:ticket_survey", args=[ticket.number]), _form(),
                       headers={"hx-request": "true"})
    assert "工单尚未关闭，不能测评。" in answer.content.decode()
