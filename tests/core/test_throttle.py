"""Rate limits are taken atomically and counted where every process sees them (issue 18 item 14)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from fivestar.core.models import RateCounter
from fivestar.core.throttle import Throttle, sweep_expired_counters, take_all
from tests.tickets.test_concurrency import run_together

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["database", "cache"])
def store(request, settings):
    settings.THROTTLE_STORE = request.param
    return request.param


def test_the_default_install_counts_in_the_shared_database(settings):
    # Without Redis the cache is per process: limits must not live there.
    assert settings.THROTTLE_STORE == "database"
    Throttle("t", 5, 60).take("k")
    assert RateCounter.objects.count() == 1


def test_take_lets_the_limit_through_then_refuses_without_counting_the_refusals(store):
    throttle = Throttle("t", 3, 60)

    assert [throttle.take("k") for _ in range(5)] == [True, True, True, False, False]
    assert throttle.hits("k") == 3 and throttle.blocked("k")
    assert throttle.take("other")


def test_a_released_place_can_be_taken_again(store):
    throttle = Throttle("t", 2, 60)
    throttle.take("k")
    throttle.take("k")
    throttle.release("k")

    assert throttle.take("k")
    assert not throttle.take("k")


def test_take_all_takes_every_limit_or_none(store):
    per_phone, per_address = Throttle("phone", 5, 60), Throttle("addr", 1, 60)
    assert take_all([(per_phone, "p"), (per_address, "a")]) is None

    assert take_all([(per_phone, "p"), (per_address, "a")]) is per_address
    assert per_phone.hits("p") == 1


def test_the_window_ends_and_the_count_starts_again(settings):
    settings.THROTTLE_STORE = "database"
    throttle = Throttle("t", 1, 60)
    assert throttle.take("k") and not throttle.take("k")
    RateCounter.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    assert throttle.hits("k") == 0
    assert throttle.take("k") and not throttle.take("k")


def test_the_worker_sweeps_ended_windows(settings):
    settings.THROTTLE_STORE = "database"
    Throttle("t", 1, 60).take("old")
    Throttle("t", 1, 60).take("new")
    RateCounter.objects.filter(count=1).exclude(
        key=Throttle("t", 1, 60)._key("new")).update(expires_at=timezone.now())

    assert sweep_expired_counters() == 1
    assert RateCounter.objects.count() == 1


def test_keys_are_stored_hashed(settings):
    settings.THROTTLE_STORE = "database"
    Throttle("t", 1, 60).take("+8613900001234")
    assert "13900001234" not in RateCounter.objects.get().key


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgres_only
def test_concurrent_takes_from_separate_connections_let_exactly_the_limit_through(settings):
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("in-memory SQLite is one shared connection")
    settings.THROTTLE_STORE = "database"
    throttle = Throttle("race", 5, 60)

    results = run_together(20, lambda _i: throttle.take("one-phone"))

    assert sorted(results) == [False] * 15 + [True] * 5
    assert throttle.hits("one-phone") == 5
