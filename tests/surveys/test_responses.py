"""Answering (SPEC §6): the personal link (signed, single use, no sign-in), the API, an agent's
phone callback; bad input records nothing; cleaning flags invalid responses and keeps them;
valid ones credit points."""

from datetime import timedelta

import pytest

from fivestar.core.errors import Conflict, ValidationFailed
from fivestar.surveys.links import survey_token
from fivestar.surveys.models import (
    AbusiveWord,
    Invitation,
    InvitationStatus,
    PointsEntry,
    SurveyResponse,
)
from fivestar.surveys.selectors import points_balance
from fivestar.surveys.services import (
    publish_template,
    record_phone_response,
    submit_response,
    survey_settings,
)
from fivestar.surveys.tasks import survey_sweep
from fivestar.tickets.services import create_ticket
from fivestar.tickets.timeline import describe_events
from tests.factories import UserFactory
from tests.surveys.conftest import GOOD, request_for, sweep_after

pytestmark = pytest.mark.django_db


@pytest.fixture
def invitation(closed):
    sweep_after(closed, timedelta(hours=1))
    return Invitation.objects.get(ticket=closed)


def _form(scores=GOOD, solved="yes", comment="师傅很专业，下次还找你们"):
    return {**{k: str(v) for k, v in scores.items()}, "solved": solved, "comment": comment}


class TestLink:
    def test_the_customer_answers_on_the_link_once(self, client, invitation):
        url = f"/survey/{survey_token(invitation=invitation)}/"
        page = client.get(url)
        assert page.status_code == 200
        html = page.content.decode()
        assert "我们响应您的需求是否及时？" in html and invitation.ticket.number in html
        done = client.post(url, _form())
        assert "感谢您的评价" in done.content.decode()
        response = SurveyResponse.objects.get()
        assert response.channel == "link" and response.valid
        assert response.template == invitation.template
        assert response.scores == GOOD and response.solved is True
        again = client.post(url, _form(solved="no"))
        assert "这份测评已经完成" in again.content.decode()
        assert SurveyResponse.objects.count() == 1

    def test_the_tickets_timeline_shows_the_survey_sent_and_answered(self, client, invitation):
        client.post(f"/survey/{survey_token(invitation=invitation)}/", _form())
        events = list(invitation.ticket.events.select_related("actor").order_by("at", "id"))
        labels = [view.label for view in describe_events(events)]
        assert labels[-2:] == ["发出满意度测评", "完成满意度测评"]
        answered = events[-1]
        assert answered.payload.channel == "link" and answered.payload.valid
        assert answered.actor_kind == "customer"

    def test_an_expired_link_says_so_and_records_nothing(self, client, invitation):
        survey_sweep(now=invitation.expires_at)
        url = f"/survey/{survey_token(invitation=invitation)}/"
        page = client.post(url, _form())
        assert page.status_code == 410
        assert "这份测评已过期" in page.content.decode()
        assert not SurveyResponse.objects.exists()

    def test_a_forged_link_is_not_found(self, client, invitation):
        page = client.get(f"/survey/{invitation.pk}.abc:forged/")
        assert page.status_code == 404
        assert "链接无效" in page.content.decode()

    def test_a_missing_score_is_shown_and_nothing_recorded(self, client, invitation):
        form = _form()
        del form["ability"]
        page = client.post(f"/survey/{survey_token(invitation=invitation)}/", form)
        assert page.status_code == 422
        assert "请打分（1–10 分）。" in page.content.decode()
        assert not SurveyResponse.objects.exists()

    def test_the_page_speaks_english(self, client, invitation):
        page = client.get(f"/survey/{survey_token(invitation=invitation)}/",
                          headers={"accept-language": "en"})
        assert "How quickly did we respond?" in page.content.decode()


class TestBadInput:
    @pytest.mark.parametrize("scores", [
        {**GOOD, "ability": 11}, {**GOOD, "ability": 0}, {**GOOD, "ability": "x"},
        {k: v for k, v in GOOD.items() if k != "attitude"}, {**GOOD, "ability": 7.5},
    ])
    def test_scores_outside_1_to_10_or_missing_record_nothing(self, invitation, scores):
        with pytest.raises(ValidationFailed):
            submit_response(invitation=invitation, scores=scores, solved=True, channel="link")
        assert not SurveyResponse.objects.exists()
        invitation.refresh_from_db()
        assert invitation.status == InvitationStatus.SENT

    def test_the_api_answers_422_for_a_bad_score(self, api_as, agent, closed):
        answer = api_as(agent).post("/api/v1/surveys/responses", {
            "ticket": closed.number, "scores": {**GOOD, "ability": 12}, "solved": True})
        assert answer.status_code == 422
        assert "ability" in answer.json()["error"]["fields"]
        assert not SurveyResponse.objects.exists()

    def test_a_survey_for_a_ticket_not_closed_is_409(self, api_as, agent):
        ticket = create_ticket(request=request_for(phone="13900000000"), actor=agent).ticket
        answer = api_as(agent).post("/api/v1/surveys/responses", {
            "ticket": ticket.number, "scores": GOOD, "solved": True})
        assert answer.status_code == 409
        assert answer.json()["error"]["code"] == "survey_ticket_not_closed"


class TestPhoneCallback:
    def test_the_agent_enters_the_answers_marked_as_phone(self, agent, closed):
        response = record_phone_response(ticket=closed, user=agent, scores=GOOD, solved=True,
                                         comment="电话回访：满意")
        assert response.channel == "phone" and response.entered_by == agent
        invitation = Invitation.objects.get(ticket=closed)
        assert invitation.status == InvitationStatus.ANSWERED
        # The sweep later sends no invitation for the answered ticket.
        assert sweep_after(closed, timedelta(hours=1))["sent"] == 0

    def test_the_api_records_a_phone_callback(self, api_as, agent, invitation):
        answer = api_as(agent).post("/api/v1/surveys/responses", {
            "ticket": invitation.ticket.number, "scores": GOOD, "solved": False,
            "comment": "还有点异响"})
        assert answer.status_code == 201
        body = answer.json()
        assert body["channel"] == "phone" and body["entered_by"] == agent.username
        assert body["template"]["version"] == 1 and body["invitation"] == invitation.pk
        listed = api_as(agent).get("/api/v1/surveys/responses").json()
        assert listed["count"] == 1 and listed["items"][0]["id"] == body["id"]
        one = api_as(agent).get(f"/api/v1/surveys/invitations/{invitation.pk}").json()
        assert one["status"] == "answered" and one["response"] == body["id"]

    def test_a_second_answer_is_409(self, agent, closed):
        record_phone_response(ticket=closed, user=agent, scores=GOOD, solved=True)
        with pytest.raises(Conflict):
            record_phone_response(ticket=closed, user=agent, scores=GOOD, solved=True)


class TestCleaning:
    def test_straight_lining_is_kept_and_flagged(self, invitation):
        response = submit_response(invitation=invitation, scores=dict.fromkeys(GOOD, 10),
                                   solved=True, channel="link")
        assert response.valid is False
        assert response.invalid_reasons == ["straight_lining"]
        assert not PointsEntry.objects.exists()

    def test_a_required_comment_counts_characters(self, api_as, agent):
        publish_template(comment_required=True)
        check = api_as(agent).post
        ten_chinese = check("/api/v1/surveys/check", {
            "scores": GOOD, "solved": True, "comment": "师傅很专业服务很好"}).json()
        assert ten_chinese == {"valid": False, "reasons": ["comment_too_short"]}  # 9
        assert check("/api/v1/surveys/check", {
            "scores": GOOD, "solved": True, "comment": "师傅很专业服务很好啊"}).json() == {
            "valid": True, "reasons": []}
        assert check("/api/v1/surveys/check", {
            "scores": GOOD, "solved": True, "comment": "good job"}).json()["valid"] is False

    @pytest.mark.parametrize("comment", ["你们是垃圾", "垃 圾服务", "垃。圾", "真是个 i.d.i-o t",
                                         "ＩＤＩＯＴ", "S t u p i d!"])
    def test_abusive_words_survive_separators(self, api_as, agent, comment):
        answer = api_as(agent).post("/api/v1/surveys/check",
                                    {"scores": GOOD, "solved": True, "comment": comment})
        assert answer.json() == {"valid": False, "reasons": ["abusive"]}

    def test_the_word_list_is_editable(self, api_as, agent):
        body = {"scores": GOOD, "solved": True, "comment": "服务太坑人了"}
        assert api_as(agent).post("/api/v1/surveys/check", body).json()["valid"] is True
        AbusiveWord.objects.create(word="坑人")
        assert api_as(agent).post("/api/v1/surveys/check", body).json()["valid"] is False

    def test_check_records_nothing_and_needs_staff(self, api_as, agent):
        customer = UserFactory(username="cust-portal", roles=["customer"])
        api_as(agent).post("/api/v1/surveys/check", {"scores": GOOD, "solved": True})
        assert not SurveyResponse.objects.exists()
        assert api_as(customer).post("/api/v1/surveys/check",
                                     {"scores": GOOD, "solved": True}).status_code == 403


class TestPoints:
    def test_a_valid_response_credits_the_configured_points(self, invitation):
        submit_response(invitation=invitation, scores=GOOD, solved=True, channel="link")
        assert points_balance(customer_id=invitation.customer_id) == 10

    def test_zero_turns_points_off(self, invitation):
        settings = survey_settings()
        settings.points_per_response = 0
        settings.save()
        submit_response(invitation=invitation, scores=GOOD, solved=True, channel="link")
        assert points_balance(customer_id=invitation.customer_id) == 0
