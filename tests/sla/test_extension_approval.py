"""A long extension needs a supervisor (issue 18 item 16): beyond the limit (7 days, or more
than twice the target's own time in all), an extension asked for by the assignee waits for a
supervisor or manager of the ticket's department, and until then the deadline does not move."""

from datetime import timedelta

import pytest

from fivestar.accounts.models import Department
from fivestar.core.errors import Conflict, PermissionDenied
from fivestar.notifications.models import StaffNotification, StaffNotificationKind
from fivestar.sla.extensions import decide_extension, extend_deadline
from fivestar.sla.models import ExtensionStatus, SlaClock, SlaExtension
from fivestar.tickets.models import Ticket
from fivestar.tickets.services import Actor
from fivestar.tickets.workflow import allowed_actions
from tests.conftest import make_user
from tests.sla.calendars import cn
from tests.sla.flow import accept, assign, receive, start

pytestmark = pytest.mark.django_db
RECEIVED = cn(2026, 3, 2, 10, 0)


def resolve_clock(ticket) -> SlaClock:
    return SlaClock.objects.filter(ticket=ticket, name="resolve").order_by("-id").first()


@pytest.fixture
def tech(db):
    return make_user("tech-x", "technician")


@pytest.fixture
def p2(agent, tech, standard, now):
    """A P2 in progress: resolve due Tue 03-03 10:00 (24 h, wall clock)."""
    ticket = receive(agent, received_at=RECEIVED, priority="P2")
    now.set(RECEIVED + timedelta(minutes=5))
    accept(ticket, agent)
    assign(ticket, agent, tech)
    start(ticket, tech)
    department = Department.objects.get_or_create(code="repair-x", defaults={"name": "维修"})[0]
    Ticket.objects.filter(pk=ticket.pk).update(department=department)
    ticket.refresh_from_db()
    return ticket


def extend(ticket, who, due_at, reason="客户出差"):
    return extend_deadline(ticket=ticket, target="resolve", new_due_at=due_at, reason=reason,
                           customer_agreed=True, actor=Actor(user=who))


class TestTheLimit:
    def test_ten_years_by_the_assignee_waits_for_a_supervisor(self, p2, tech):
        due = resolve_clock(p2).due_at
        extension = extend(p2, tech, due + timedelta(days=3650))
        assert extension.status == ExtensionStatus.PENDING
        clock = resolve_clock(p2)
        assert (clock.due_at, clock.extended) == (due, timedelta(0))
        p2.refresh_from_db()
        assert p2.events.filter(action="extension_requested").count() == 1

    def test_beyond_twice_the_target_waits_too(self, p2, tech):
        # 24 h target: another 25 h is more than twice the target in all.
        due = resolve_clock(p2).due_at
        assert extend(p2, tech, due + timedelta(hours=25)).status == ExtensionStatus.PENDING
        assert resolve_clock(p2).due_at == due

    def test_a_short_extension_applies_at_once(self, p2, tech):
        due = resolve_clock(p2).due_at
        extension = extend(p2, tech, due + timedelta(hours=20))
        assert extension.status == ExtensionStatus.APPLIED
        assert resolve_clock(p2).due_at == due + timedelta(hours=20)

    def test_the_limit_is_configurable(self, p2, tech, settings):
        settings.SLA_EXTENSION_TARGET_FACTOR = 100
        settings.SLA_EXTENSION_LIMIT = timedelta(days=30)
        due = resolve_clock(p2).due_at
        assert extend(p2, tech, due + timedelta(days=10)).status == ExtensionStatus.APPLIED

    def test_a_supervisor_of_the_department_extends_at_once(self, p2):
        boss = make_user("boss-x", "supervisor", department=p2.department)
        due = resolve_clock(p2).due_at
        assert extend(p2, boss, due + timedelta(days=14)).status == ExtensionStatus.APPLIED
        assert resolve_clock(p2).due_at == due + timedelta(days=14)

    def test_one_request_at_a_time(self, p2, tech):
        due = resolve_clock(p2).due_at
        extend(p2, tech, due + timedelta(days=10))
        with pytest.raises(Conflict) as raised:
            extend(p2, tech, due + timedelta(days=11))
        assert raised.value.code == "extension_pending"


class TestTheDecision:
    @pytest.fixture
    def asked(self, p2, tech):
        self.due = resolve_clock(p2).due_at
        extend(p2, tech, self.due + timedelta(days=10))
        return p2

    def test_the_departments_supervisor_approves_and_the_deadline_moves(self, asked):
        boss = make_user("boss-y", "supervisor", department=asked.department)
        assert "decide_extension" in allowed_actions(ticket=asked, user=boss)
        decided = decide_extension(ticket=asked, actor=Actor(user=boss), approve=True,
                                   note="同意")
        assert decided.status == ExtensionStatus.APPLIED
        assert decided.decided_by == boss
        assert resolve_clock(asked).due_at == self.due + timedelta(days=10)
        assert resolve_clock(asked).original_due_at == self.due

    def test_declined_the_deadline_stays(self, asked):
        boss = make_user("boss-z", "manager", department=asked.department)
        decide_extension(ticket=asked, actor=Actor(user=boss), approve=False, note="太久")
        assert SlaExtension.objects.get().status == ExtensionStatus.DECLINED
        assert resolve_clock(asked).due_at == self.due
        assert asked.events.filter(action="extension_declined").count() == 1

    def test_another_departments_supervisor_may_not(self, asked):
        other = Department.objects.create(code="qa-x", name="质量")
        stranger = make_user("qa-boss", "supervisor", department=other)
        assert "decide_extension" not in allowed_actions(ticket=asked, user=stranger)
        with pytest.raises(PermissionDenied):
            decide_extension(ticket=asked, actor=Actor(user=stranger), approve=True)

    def test_the_assignee_may_not_approve_their_own(self, asked, tech):
        with pytest.raises(PermissionDenied):
            decide_extension(ticket=asked, actor=Actor(user=tech), approve=True)

    def test_nothing_pending_is_a_conflict(self, p2):
        boss = make_user("boss-w", "supervisor", department=p2.department)
        with pytest.raises(Conflict) as raised:
            decide_extension(ticket=p2, actor=Actor(user=boss), approve=True)
        assert raised.value.code == "no_pending_extension"


class TestTheBell:
    def test_the_approvers_are_told_and_the_notice_is_settled_by_the_decision(self, p2, tech):
        boss = make_user("boss-bell", "supervisor", department=p2.department)
        extend(p2, tech, resolve_clock(p2).due_at + timedelta(days=10), reason="客户出国")
        [notice] = StaffNotification.objects.filter(recipient=boss)
        assert notice.kind == StaffNotificationKind.APPROVAL
        assert p2.number in notice.title and "客户出国" in notice.body
        assert not StaffNotification.objects.filter(recipient=tech, kind="approval").exists()
        decide_extension(ticket=p2, actor=Actor(user=boss), approve=True, note="同意")
        notice.refresh_from_db()
        assert notice.read_at is not None
