"""Escalation goes to the team working the ticket, once per level (SPEC §3: notify the assignee,
then the supervisor, then the manager): the supervisor and manager of the assignee's department
— not of the intake department the ticket was received in — and one notice per ticket and level
listing every breached target, not one per clock."""

from datetime import timedelta

import pytest

from fivestar.accounts.models import Department
from fivestar.notifications.inbox import StaffNotification
from fivestar.notifications.models import OutboxMessage
from fivestar.sla.models import ClockState, SlaClock, SlaPolicy
from fivestar.sla.sweep import sla_sweep
from fivestar.tickets.models import Ticket
from tests.conftest import make_user
from tests.sla.calendars import cn
from tests.sla.flow import accept, assign, receive

pytestmark = pytest.mark.django_db

RECEIVED = cn(2026, 3, 2, 10, 0)


@pytest.fixture
def org(db):
    """客户服务部 takes the calls; 维修部's technician does the repair."""
    people = {name: make_user(name, role, email=f"{name}@example.com")
              for name, role in (("cs-boss", "supervisor"), ("cs-head", "manager"),
                                 ("rep-boss", "supervisor"), ("rep-head", "manager"))}
    intake = Department.objects.create(code="cs-e", name="客户服务部",
                                       supervisor=people["cs-boss"], manager=people["cs-head"])
    repair = Department.objects.create(code="repair-e", name="维修部",
                                       supervisor=people["rep-boss"], manager=people["rep-head"])
    people["tech"] = make_user("tech-e", "technician", email="tech-e@example.com",
                               department=repair)
    return people | {"intake": intake, "repair": repair}


@pytest.fixture
def ticket(agent, org, now):
    """A P2 received by 客户服务部 at 10:00, accepted and given to 维修部's technician at 10:05:
    first response (10 min), contact (30 min) and respond (4 h) then run out unattended."""
    ticket = receive(agent, received_at=RECEIVED, priority="P2")
    Ticket.objects.filter(pk=ticket.pk).update(department=org["intake"])
    now.set(RECEIVED + timedelta(minutes=5))
    accept(ticket, agent)
    assign(ticket, agent, org["tech"])
    return ticket


def notices(ticket) -> list[tuple[str, str]]:
    return list(StaffNotification.objects.filter(about_id=ticket.pk, kind="sla_breached")
                .order_by("id").values_list("recipient__username", "body"))


def mails(ticket) -> list[str]:
    return list(OutboxMessage.objects.filter(about_id=ticket.pk, template_code="sla_breached")
                .order_by("id").values_list("recipient", flat=True))


def test_clocks_breached_together_make_one_notice_listing_them(ticket):
    result = sla_sweep(now=RECEIVED + timedelta(hours=5))
    assert result["breached"] == 3
    ((who, body),) = notices(ticket)
    assert who == "tech-e"
    assert all(label in body for label in ("首次响应", "联系客户", "开始处理"))
    assert mails(ticket) == ["tech-e@example.com"]


def test_escalation_reaches_the_assignees_department_once_per_level(ticket):
    breach = RECEIVED + timedelta(hours=5)
    for minutes in (0, 30, 60, 90, 120):
        sla_sweep(now=breach + timedelta(minutes=minutes))
    assert [who for who, _body in notices(ticket)] == ["tech-e", "rep-boss", "rep-head"]
    assert mails(ticket) == ["tech-e@example.com", "rep-boss@example.com",
                             "rep-head@example.com"]
    # The intake department's heads are not the ones to chase a repair.
    assert not StaffNotification.objects.filter(
        recipient__username__in=["cs-boss", "cs-head"]).exists()
    assert set(SlaClock.objects.filter(ticket=ticket, state=ClockState.BREACHED)
               .values_list("escalation_level", flat=True)) == {3}


def test_a_later_breach_joins_the_escalation_under_way(ticket):
    # Escalating every 5 h: first response and contact run out at 10:40, respond at 14:00 while
    # the first two are still breached. Nobody is told twice at a level, and the supervisor's
    # notice, when it comes, lists what is breached by then.
    SlaPolicy.objects.filter(priority="P2").update(escalation_step=timedelta(hours=5))
    sla_sweep(now=RECEIVED + timedelta(minutes=40))
    sla_sweep(now=RECEIVED + timedelta(hours=4, minutes=1))
    assert SlaClock.objects.get(ticket=ticket, name="respond").state == ClockState.BREACHED
    assert [who for who, _body in notices(ticket)] == ["tech-e"]
    sla_sweep(now=RECEIVED + timedelta(hours=5, minutes=40))
    (_tech, (boss, body)) = notices(ticket)
    assert boss == "rep-boss"
    assert all(label in body for label in ("首次响应", "联系客户", "开始处理"))
    sla_sweep(now=RECEIVED + timedelta(hours=9, minutes=1))
    assert SlaClock.objects.get(ticket=ticket, name="respond").escalation_level == 2
    assert [who for who, _body in notices(ticket)] == ["tech-e", "rep-boss"]


def test_without_an_assignee_the_department_it_was_dispatched_to_is_told(agent, org, now):
    ticket = receive(agent, received_at=RECEIVED, priority="P2")
    Ticket.objects.filter(pk=ticket.pk).update(department=org["repair"])
    sla_sweep(now=RECEIVED + timedelta(hours=5))
    assert [who for who, _body in notices(ticket)] == ["rep-boss"]


def test_the_sweep_reads_the_teams_in_a_fixed_number_of_queries(agent, org, now):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    other = Department.objects.create(code="install-e", name="安装部",
                                      supervisor=make_user("ins-boss", "supervisor"))

    def queries_for(count: int, offset: int) -> int:
        received = RECEIVED + timedelta(days=offset)
        now.set(received + timedelta(minutes=5))
        for index in range(count):
            ticket = receive(agent, received_at=received, priority="P2",
                             phone=f"1370000{offset:02d}{index:02d}")
            technician = make_user(f"t-{offset}-{index}", "technician",
                                   department=org["repair"] if index % 2 else other)
            accept(ticket, agent)
            assign(ticket, agent, technician)
        with CaptureQueriesContext(connection) as captured:
            sla_sweep(now=received + timedelta(hours=5))
        # Out of the way of the next round.
        SlaClock.objects.filter(ticket__received_at=received).update(state=ClockState.CANCELLED)
        return len(captured.captured_queries)

    assert queries_for(2, 0) == queries_for(6, 1)
    assert StaffNotification.objects.filter(recipient__username="t-1-5",
                                            kind="sla_breached").count() == 1
