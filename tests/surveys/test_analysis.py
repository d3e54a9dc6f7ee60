"""Analysis (SPEC §6): rates, means, CSAT, solved rate by group, the trend, and the 80% valid
rule."""

import pytest

from fivestar.surveys.analysis import analyse, parse_period
from fivestar.surveys.models import (
    Invitation,
    InvitationKind,
    InvitationStatus,
    SurveyResponse,
    analysis_fields,
)
from fivestar.surveys.services import current_template
from tests.factories import TicketFactory
from tests.surveys.conftest import cn

pytestmark = pytest.mark.django_db


def answer(at, scores=(8, 9, 9, 7, 8), *, valid=True, solved=True, department=None,
           channel="phone"):
    ticket = TicketFactory(status="closed", closed_at=at, channel=channel,
                           department=department)
    invitation = Invitation.objects.create(
        kind=InvitationKind.ROUTINE, ticket=ticket, customer=ticket.customer, due_at=at,
        sent_at=at, status=InvitationStatus.ANSWERED, **analysis_fields(ticket))
    return SurveyResponse.objects.create(
        invitation=invitation, template=current_template(), customer=ticket.customer,
        ticket=ticket, channel="link", submitted_at=at, solved=solved, valid=valid,
        invalid_reasons=[] if valid else ["straight_lining"], kind="routine",
        ticket_channel=channel, problem_type=ticket.type, department=department,
        **dict(zip(("timeliness", "ability", "attitude", "professionalism", "communication"),
                   scores, strict=True)))


def test_a_month_has_its_rates_means_csat_and_solved_rate():
    for _ in range(4):
        answer(cn(2026, 11, 3, 10))
    answer(cn(2026, 11, 4, 10), (6, 6, 7, 6, 6), solved=False)
    Invitation.objects.create(kind="routine", ticket=TicketFactory(), due_at=cn(2026, 11, 5),
                              customer=TicketFactory().customer, sent_at=cn(2026, 11, 5),
                              status=InvitationStatus.EXPIRED)
    result = analyse(period=parse_period("2026-11")).as_dict()
    overall = result["overall"]
    assert (overall["sent"], overall["returned"], overall["valid"]) == (6, 5, 5)
    assert overall["response_rate"] == round(5 / 6, 4) and overall["valid_rate"] == 1.0
    assert overall["means"]["timeliness"] == 7.6  # (8*4 + 6) / 5
    assert overall["csat"] == 0.0  # professionalism 7 < 8 everywhere
    assert overall["solved_rate"] == 0.8
    assert result["fit"] is True


def test_under_80_percent_valid_is_not_fit_and_shows_no_means(api_as, agent):
    for _ in range(3):
        answer(cn(2026, 11, 3, 10))
    answer(cn(2026, 11, 3, 11), (9, 9, 9, 9, 9), valid=False)
    body = api_as(agent).get("/api/v1/surveys/analysis", period="2026-11").json()
    assert body["fit"] is False and "低于 80%" in body["message"]
    assert body["overall"]["means"] is None and body["overall"]["valid_rate"] == 0.75


def test_the_trend_compares_with_the_previous_month_and_quarter():
    answer(cn(2026, 10, 3, 10), (6, 6, 6, 6, 7))
    answer(cn(2026, 8, 3, 10), (5, 5, 5, 5, 6))
    answer(cn(2026, 11, 3, 10), (8, 9, 9, 7, 8))
    trend = analyse(period=parse_period("2026-11")).trend()
    assert trend["timeliness"] == {"mean": 8.0, "previous_month": 6.0,
                                   "change_previous_month": 2.0, "previous_quarter": 5.0,
                                   "change_previous_quarter": 3.0}  # Q3: August only


def test_by_channel_groups_in_the_database(api_as, agent):
    answer(cn(2026, 11, 3, 10), channel="phone")
    answer(cn(2026, 11, 3, 10), (4, 5, 6, 7, 8), channel="web")
    body = api_as(agent).get("/api/v1/surveys/analysis", period="2026-Q4", by="channel").json()
    groups = {g["key"]: g for g in body["groups"]}
    assert groups["web"]["means"]["timeliness"] == 4.0 and groups["web"]["label"] == "网页"
    assert groups["web"]["sent"] == 1 and groups["web"]["response_rate"] == 1.0
    assert groups["phone"]["means"]["timeliness"] == 8.0


def test_a_bad_period_is_422(api_as, agent):
    answer_ = api_as(agent).get("/api/v1/surveys/analysis", period="2026-13")
    assert answer_.status_code == 422 and "period" in answer_.json()["error"]["fields"]
