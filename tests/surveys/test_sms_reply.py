"""SMS reply codes (SPEC §6): the inbound-SMS webhook, authenticated with an HMAC of the body,
records "8 9 9 7 8 1" for the sender's pending invitation and confirms back; a malformed reply
records nothing and the sender gets the format."""

import json
from datetime import timedelta

import pytest
from django.test import Client

from fivestar.notifications.models import OutboxMessage
from fivestar.surveys.models import Invitation, SurveyResponse
from fivestar.surveys.sms import signature
from tests.surveys.conftest import sweep_after

pytestmark = pytest.mark.django_db
URL = "/api/v1/surveys/sms/inbound"


@pytest.fixture(autouse=True)
def _secret(settings):
    settings.SURVEY_SMS_WEBHOOK_SECRET = "s3cret"


@pytest.fixture
def invitation(closed):
    sweep_after(closed, timedelta(hours=1))
    return Invitation.objects.get(ticket=closed)


def post(body: dict, *, secret="s3cret"):
    raw = json.dumps(body, ensure_ascii=False).encode()
    return Client().post(URL, raw, content_type="application/json",
                         headers={"X-Fivestar-Signature": signature(raw, secret)})


def _replies() -> list[str]:
    return list(OutboxMessage.objects.filter(template_code="survey_sms_reply")
                .order_by("pk").values_list("body", flat=True))


def test_a_reply_code_answers_the_pending_invitation_and_is_confirmed(invitation):
    answer = post({"from": "13812345678", "text": "8 9 9 7 8 1"})
    assert answer.status_code == 200 and answer.json()["recorded"] is True
    response = SurveyResponse.objects.get()
    assert response.channel == "sms" and response.invitation == invitation
    assert response.scores == {"timeliness": 8, "ability": 9, "attitude": 9,
                               "professionalism": 7, "communication": 8}
    assert response.solved is True
    [reply] = _replies()
    assert "8 9 9 7 8" in reply and "问题已解决" in reply and invitation.ticket.number in reply


@pytest.mark.parametrize("text", ["8 9 9 7 8", "8 9 9 7 11 1", "很好", "8 9 9 7 8 5"])
def test_a_malformed_reply_records_nothing_and_explains_the_format(invitation, text):
    answer = post({"from": "+8613812345678", "text": text})
    assert answer.status_code == 200 and answer.json()["recorded"] is False
    assert not SurveyResponse.objects.exists()
    [reply] = _replies()
    assert "请回复 6 个数字" in reply


def test_a_wrong_signature_is_403_and_records_nothing(invitation):
    answer = post({"from": "13812345678", "text": "8 9 9 7 8 1"}, secret="guess")
    assert answer.status_code == 403
    assert answer.json()["error"]["code"] == "survey_sms_signature_invalid"
    assert not SurveyResponse.objects.exists() and _replies() == []


def test_a_sender_without_a_pending_survey_is_told_so(closed):
    post({"from": "13812345678", "text": "8 9 9 7 8 1"})
    assert not SurveyResponse.objects.exists()
    assert "没有找到您待完成的满意度测评" in _replies()[0]


def test_the_demo_command_simulates_an_inbound_reply(invitation):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("survey_sms_reply", "13812345678", "9 9 9 8 9 1", stdout=out)
    assert "Recorded response" in out.getvalue()
    assert SurveyResponse.objects.get().channel == "sms"
    out = StringIO()
    call_command("survey_sms_reply", "13812345678", "1 2 3", "--print-curl", stdout=out)
    assert "X-Fivestar-Signature: sha256=" in out.getvalue()
