"""Several workers on one PostgreSQL: each message is sent once (SKIP LOCKED + conditional
marking). Real connections in real threads, so PostgreSQL only."""

import threading
from collections import Counter

import pytest
from django.db import connection

from fivestar.notifications.delivery import deliver_due_messages
from fivestar.notifications.models import OutboxMessage, OutboxStatus

MESSAGES = 60
WORKERS = 4


@pytest.fixture
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: real concurrent connections and row locks")


def _run_workers(target) -> list[BaseException]:
    barrier = threading.Barrier(WORKERS)
    errors: list[BaseException] = []

    def run(number: int) -> None:
        try:
            barrier.wait()
            target(number)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()  # this thread's own connection

    threads = [threading.Thread(target=run, args=(n,)) for n in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return errors


def _queue_messages() -> list[int]:
    rows = OutboxMessage.objects.bulk_create(
        OutboxMessage(channel="sms", recipient=f"+86139{i:08d}", body=f"消息 {i}")
        for i in range(MESSAGES)
    )
    return [row.pk for row in rows]


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_sweeps_send_each_message_once(postgres_only, recording_sms):
    recording_sms.reset(delay=0.005)
    ids = _queue_messages()

    def sweep(number: int) -> None:
        while deliver_due_messages(worker_id=f"w{number}", batch_size=5):
            pass

    assert _run_workers(sweep) == []
    sent = Counter(message_id for message_id, _to, _body in recording_sms.sent)
    assert sorted(sent) == sorted(ids)
    assert set(sent.values()) == {1}
    assert OutboxMessage.objects.filter(status=OutboxStatus.SENT).count() == MESSAGES
    assert set(OutboxMessage.objects.values_list("attempts", flat=True)) == {1}


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_tasks_for_the_same_batch_send_each_message_once(postgres_only,
                                                                    recording_sms):
    """Every worker is handed the very same ids (a task enqueued twice, a sweep at the same
    moment): still one send per message."""
    recording_sms.reset(delay=0.005)
    ids = _queue_messages()

    def deliver(number: int) -> None:
        deliver_due_messages(worker_id=f"w{number}", batch_size=MESSAGES, message_ids=ids)

    assert _run_workers(deliver) == []
    sent = Counter(message_id for message_id, _to, _body in recording_sms.sent)
    assert sorted(sent) == sorted(ids)
    assert set(sent.values()) == {1}
    assert OutboxMessage.objects.filter(status=OutboxStatus.SENT).count() == MESSAGES
