"""The improvement list (SPEC §6): a dimension under 7.0 opens one item per scope and period
(overall, or a team/outlet with enough responses); statuses move one step at a time; overdue
items notify the owner, then the department's manager."""

from datetime import date, timedelta

import pytest

from fivestar.accounts.models import Department
from fivestar.core.errors import Conflict
from fivestar.notifications.models import StaffNotification
from fivestar.surveys.analysis import parse_period
from fivestar.surveys.improvements import escalate_overdue, open_items, update_item
from fivestar.surveys.models import ImprovementItem, ImprovementStatus
from fivestar.surveys.services import survey_settings
from tests.surveys.conftest import cn
from tests.surveys.test_analysis import answer

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(supervisor):
    return Department.objects.create(code="team-east", name="华东服务组", supervisor=supervisor)


def test_a_team_under_seven_in_one_dimension_opens_one_item(team, supervisor):
    settings = survey_settings()
    settings.min_scope_responses = 3
    settings.save()
    for _ in range(3):
        answer(cn(2026, 11, 3, 10), (6, 9, 9, 8, 8), department=team)
    for _ in range(3):
        answer(cn(2026, 11, 3, 10), (9, 9, 9, 8, 8))
    created = open_items(period=parse_period("2026-11"), today=date(2026, 12, 1))
    assert [(i.scope_kind, i.dimension, i.scope_label, float(i.score)) for i in created] == [
        ("team", "timeliness", "华东服务组", 6.0)]
    item = created[0]
    assert item.owner == supervisor and item.department == team
    assert item.deadline == date(2026, 12, 31)
    assert open_items(period=parse_period("2026-11")) == []  # no duplicate
    assert ImprovementItem.objects.count() == 1


def test_a_team_with_too_few_responses_opens_none(team):
    for _ in range(3):
        answer(cn(2026, 11, 3, 10), (6, 9, 9, 8, 8), department=team)
    for _ in range(20):
        answer(cn(2026, 11, 3, 10), (9, 9, 9, 8, 8))
    assert open_items(period=parse_period("2026-11")) == []


def test_overall_under_seven_opens_an_overall_item():
    answer(cn(2026, 11, 3, 10), (5, 6, 9, 8, 8))
    created = open_items(period=parse_period("2026-11"))
    assert {(i.scope_kind, i.dimension) for i in created} == {
        ("overall", "timeliness"), ("overall", "ability")}


def test_statuses_move_one_step_at_a_time(agent, team):
    answer(cn(2026, 11, 3, 10), (5, 9, 9, 8, 8))
    [item] = open_items(period=parse_period("2026-11"))
    with pytest.raises(Conflict):
        update_item(item=item, user=agent, status="verified")
    for status in ("in_progress", "done", "verified"):
        item = update_item(item=item, user=agent, status=status, root_cause="夜班人手不足")
    assert item.status == ImprovementStatus.VERIFIED and item.root_cause == "夜班人手不足"


def test_overdue_items_notify_the_owner_then_the_manager(agent, supervisor, team):
    answer(cn(2026, 11, 3, 10), (5, 9, 9, 8, 8))
    [item] = open_items(period=parse_period("2026-11"), today=date(2026, 12, 1))
    update_item(item=item, user=supervisor, owner=agent, department=team)
    late = cn(2027, 1, 1, 9)
    assert escalate_overdue(now=late) == 1
    assert escalate_overdue(now=late + timedelta(hours=1)) == 0
    assert list(StaffNotification.objects.values_list("recipient__username", flat=True)) == [
        agent.username]
    assert escalate_overdue(now=late + timedelta(days=3)) == 1
    assert sorted(StaffNotification.objects.values_list("recipient__username", flat=True)) == [
        agent.username, supervisor.username]
    assert escalate_overdue(now=late + timedelta(days=9)) == 0


def test_the_api_lists_and_moves_an_item(api_as, agent):
    answer(cn(2026, 11, 3, 10), (5, 9, 9, 8, 8))
    [item] = open_items(period=parse_period("2026-11"))
    api = api_as(agent)
    [row] = api.get("/api/v1/surveys/improvements", period="2026-11").json()
    assert row["dimension"] == "timeliness" and row["status"] == "open"
    assert row["scope"] == {"kind": "overall", "id": None, "name": "整体"}
    client = api.client
    moved = client.patch(f"/api/v1/surveys/improvements/{item.pk}",
                         {"status": "in_progress", "root_cause": "排班不足"},
                         content_type="application/json", headers=api.headers)
    assert moved.status_code == 200 and moved.json()["status"] == "in_progress"
    skipped = client.patch(f"/api/v1/surveys/improvements/{item.pk}", {"status": "verified"},
                           content_type="application/json", headers=api.headers)
    assert skipped.status_code == 409
