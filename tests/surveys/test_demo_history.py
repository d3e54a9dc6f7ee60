"""The demo's survey history (``fivestar.demo.surveys``), once the lead wires it into
``seed_demo``: invitations, answers on several channels, some invalid, reminders and expiries at
their historical moments, and the improvement list of the months that ended."""

import pytest
from django.utils import timezone

from fivestar.customers.models import Customer
from fivestar.demo.organisation import Counter
from fivestar.demo.seed import seed_demo
from fivestar.demo.surveys import ensure_surveys
from fivestar.surveys.models import Invitation, SurveyResponse

pytestmark = pytest.mark.django_db


def test_the_demo_gets_a_survey_history_once():
    now = timezone.now()
    seed_demo(tickets=120, now=now)
    customers = list(Customer.objects.order_by("pk"))
    ensure_surveys(customers=customers, now=now, counter=Counter())
    responses = SurveyResponse.objects.all()
    assert responses.count() >= 10
    assert responses.filter(valid=False).exists()
    assert {r.channel for r in responses} >= {"link"}
    assert all(r.submitted_at <= now for r in responses)
    assert Invitation.objects.filter(status="expired").exists()
    before = responses.count()
    ensure_surveys(customers=customers, now=now, counter=Counter())
    assert SurveyResponse.objects.count() == before
