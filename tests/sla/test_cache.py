"""The SLA configuration kept per process (``fivestar.sla.cache``): read once, dropped by a
change — committed or in the transaction that reads — by another process's bump, or by age."""

from datetime import date, time, timedelta

import pytest
from django.core.cache import cache as django_cache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from fivestar.customers.services import CustomerDetails
from fivestar.sla import cache
from fivestar.sla.models import (
    Calendar,
    CalendarOverride,
    CalendarYear,
    OverrideKind,
    SlaPolicy,
    SlaTarget,
    WorkingInterval,
)
from fivestar.sla.selectors import calendar_snapshot, load_calendar, policy_for
from fivestar.tickets.models import Ticket
from fivestar.tickets.services import TicketRequest, create_ticket

pytestmark = pytest.mark.django_db


def unsaved_ticket(priority: str = "P2") -> Ticket:
    return Ticket(priority=priority, type="repair", channel="phone")


def resolve_target(priority: str) -> SlaTarget:
    return SlaTarget.objects.get(policy__priority=priority, policy__is_active=True,
                                 name="resolve")


def test_a_second_read_costs_no_query(standard, django_assert_num_queries):
    assert not cache._changed_in_transaction()
    first_policy = policy_for(ticket=unsaved_ticket())
    first_calendar = load_calendar("standard")
    load_calendar(None)
    load_calendar(standard)
    calendar_snapshot(calendar_id=standard.pk)

    with django_assert_num_queries(0):
        policy = policy_for(ticket=unsaved_ticket())
        assert [t.name for t in policy.targets.all()] == [
            t.name for t in first_policy.targets.all()]
        assert load_calendar("standard") is first_calendar
        assert load_calendar(None).code == "standard"
        assert calendar_snapshot(calendar_id=standard.pk).code == "standard"
        assert load_calendar(standard).code == "standard"


def test_the_cached_policy_is_the_one_the_database_would_pick():
    for priority in ("P1", "P2", "P3"):
        policy = policy_for(ticket=unsaved_ticket(priority))
        assert policy.priority == priority
        assert policy_for(ticket=unsaved_ticket(priority)).pk == policy.pk


def test_each_caller_gets_its_own_copy():
    first = policy_for(ticket=unsaved_ticket())
    target = next(iter(first.targets.all()))
    target.duration = timedelta(days=99)
    first.name = "changed in memory"

    again = policy_for(ticket=unsaved_ticket())

    assert again is not first and again.name != "changed in memory"
    assert next(iter(again.targets.all())).duration != timedelta(days=99)


def test_a_change_is_seen_at_once_by_the_transaction_that_made_it():
    policy_for(ticket=unsaved_ticket())  # cached
    target = resolve_target("P2")
    target.duration = timedelta(hours=7)
    target.save()

    assert cache._changed_in_transaction()
    policy = policy_for(ticket=unsaved_ticket())
    assert {t.name: t.duration for t in policy.targets.all()}["resolve"] == timedelta(hours=7)


def test_a_calendar_change_is_seen_at_once_by_the_transaction_that_made_it(standard):
    before = load_calendar("standard")
    CalendarOverride.objects.create(calendar=standard, date=date(2031, 3, 4),
                                    kind=OverrideKind.HOLIDAY)

    after = load_calendar("standard")

    assert date(2031, 3, 4) in after.holidays
    assert date(2031, 3, 4) not in before.holidays


def test_a_bump_seen_from_another_process_drops_the_copies(django_assert_num_queries):
    policy_for(ticket=unsaved_ticket())
    load_calendar("standard")
    # What another process's committed change leaves in the shared cache (Redis): a new version.
    django_cache.set(cache.VERSION_KEY, "another-process", None)

    with django_assert_num_queries(2):  # the policies and their targets
        policy_for(ticket=unsaved_ticket())
    with django_assert_num_queries(4):  # the calendar, its intervals, overrides and years
        load_calendar("standard")


def test_copies_are_read_again_after_the_ttl(monkeypatch, django_assert_num_queries):
    policy_for(ticket=unsaved_ticket())
    now = cache.time.monotonic()
    monkeypatch.setattr(cache.time, "monotonic", lambda: now + cache.TTL + 1)

    with django_assert_num_queries(2):
        policy_for(ticket=unsaved_ticket())


def test_a_bump_waits_for_the_commit_and_a_rollback_drops_it():
    version = cache.current_version()
    try:
        with transaction.atomic():
            target = resolve_target("P2")
            target.duration = timedelta(hours=5)
            target.save()
            assert cache._changed_in_transaction()
            raise RuntimeError("rolled back")
    except RuntimeError:
        pass

    assert not cache._changed_in_transaction()
    assert cache.current_version() == version


def test_an_explicit_bump_outside_a_transaction_takes_effect_at_once(transactional_db):
    version = cache.current_version()

    cache.bump()

    assert cache.current_version() != version


def _calendar() -> Calendar:
    return Calendar.objects.get(code="standard")


CHANGES = {
    "Calendar": lambda: _calendar().save(),
    "WorkingInterval": lambda: WorkingInterval.objects.create(
        calendar=_calendar(), weekday=5, start=time(9), end=time(12)),
    "CalendarOverride": lambda: CalendarOverride.objects.create(
        calendar=_calendar(), date=date(2031, 5, 6), kind=OverrideKind.HOLIDAY),
    "CalendarYear": lambda: CalendarYear.objects.create(calendar=_calendar(), year=2040),
    "SlaPolicy": lambda: SlaPolicy.objects.filter(priority="P2").first().save(),
    "SlaTarget": lambda: resolve_target("P2").save(),
    "delete WorkingInterval": lambda: _calendar().intervals.first().delete(),
    "delete SlaTarget": lambda: resolve_target("P3").delete(),
}


@pytest.mark.parametrize("change", CHANGES, ids=list(CHANGES))
def test_every_configuration_model_bumps_the_version(change):
    assert not cache._changed_in_transaction()

    CHANGES[change]()

    assert cache._changed_in_transaction()


@pytest.fixture
def concurrent_database(transactional_db):
    """This module's committing test needs real commits, not concurrent connections: an
    in-memory SQLite database will do (overrides the package's fixture)."""


def test_a_policy_change_takes_effect_for_the_next_ticket(reseeded, agent):
    def receive() -> Ticket:
        return create_ticket(
            request=TicketRequest(
                channel="phone", type="repair", priority="P2",
                customer=CustomerDetails(name="张三", phone="13812345678"),
                description="空调开机后吹自然风。",
            ),
            actor=agent,
        ).ticket

    def resolve_allowed(ticket: Ticket) -> timedelta:
        return ticket.sla_clocks.get(name="resolve").allowed

    first = receive()
    with CaptureQueriesContext(connection) as captured:
        second = receive()
    # The configuration came from this process's copy…
    assert not [q for q in captured.captured_queries if "sla_slapolicy" in q["sql"]]
    assert resolve_allowed(second) == resolve_allowed(first)

    # …and an administrator's change, committed, reaches the next ticket.
    target = resolve_target("P2")
    target.duration = resolve_allowed(first) + timedelta(hours=3)
    target.save()
    third = receive()

    assert resolve_allowed(third) == resolve_allowed(first) + timedelta(hours=3)
