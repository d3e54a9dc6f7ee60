"""The warning point and the escalation step are data on the policy (SPEC §3: "every number is
a default an administrator can change… applies to new work without a restart")."""

from datetime import timedelta

import pytest
from django.urls import reverse

from fivestar.accounts.models import Department
from fivestar.notifications.models import OutboxMessage
from fivestar.sla.models import SlaClock, SlaPolicy
from fivestar.sla.policies import TargetSpec, create_policy
from fivestar.sla.sweep import sla_sweep
from fivestar.tickets.models import Ticket
from tests.conftest import make_user
from tests.sla.calendars import cn
from tests.sla.flow import accept, assign, receive

pytestmark = pytest.mark.django_db

RECEIVED = cn(2026, 3, 2, 10, 0)


def resolve_clock(ticket) -> SlaClock:
    return SlaClock.objects.get(ticket=ticket, name="resolve")


def test_a_changed_warning_point_applies_to_new_tickets_only(agent, standard):
    before = receive(agent, received_at=RECEIVED, priority="P2", phone="13812340001")
    policy = SlaPolicy.objects.get(priority="P2")
    policy.warn_at_percent = 50
    policy.save()
    after = receive(agent, received_at=RECEIVED, priority="P2", phone="13812340002")
    assert resolve_clock(before).warn_at == RECEIVED + timedelta(hours=24 * 0.8)
    assert resolve_clock(after).warn_at == RECEIVED + timedelta(hours=12)
    sla_sweep(now=RECEIVED + timedelta(hours=12))
    assert resolve_clock(after).warned_at is not None
    assert resolve_clock(before).warned_at is None


def test_the_escalation_step_comes_from_the_policy(agent, now, standard):
    tech = make_user("tech-p", "technician", email="tech-p@example.com")
    boss = make_user("boss-p", "supervisor", email="boss-p@example.com")
    department = Department.objects.create(code="repair-p", name="维修部", supervisor=boss)
    SlaPolicy.objects.filter(priority="P2").update(escalation_step=timedelta(minutes=10))
    ticket = receive(agent, received_at=RECEIVED, priority="P2")
    Ticket.objects.filter(pk=ticket.pk).update(department=department)
    now.set(RECEIVED + timedelta(minutes=5))
    accept(ticket, agent)
    assign(ticket, agent, tech)
    due = resolve_clock(ticket).due_at
    sla_sweep(now=due)
    assert resolve_clock(ticket).escalate_at == due + timedelta(minutes=10)
    sla_sweep(now=due + timedelta(minutes=10))
    breach = OutboxMessage.objects.filter(
        dedupe_key__startswith=f"sla:ticket:{ticket.pk}:").order_by("id")
    assert list(breach.values_list("recipient", flat=True)) == [
        "tech-p@example.com", "boss-p@example.com"]


def test_the_settings_give_the_default_of_a_new_policy(settings, standard):
    settings.SLA_WARN_RATIO = 0.9
    settings.SLA_ESCALATION_STEP = timedelta(minutes=15)
    policy = create_policy(name="VIP", order=5, customer_tier="vip", targets=[TargetSpec(
        name="resolve", duration=timedelta(hours=8), start_event="created",
        stop_events=["resolve"])])
    assert (policy.warn_at_percent, policy.escalation_step) == (90, timedelta(minutes=15))


def test_the_policy_admin_page_edits_them(admin_client):
    policy = SlaPolicy.objects.get(priority="P1")
    page = admin_client.get(reverse("admin:sla_slapolicy_change", args=[policy.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="warn_at_percent"' in html and 'name="escalation_step"' in html
