"""Tasks of the notifications app. A task takes ids and calls a service (STYLE: tasks are
another entry point)."""

from django.tasks import task

from fivestar.notifications.delivery import (
    DEFAULT_BATCH_SIZE,
    default_worker_id,
    deliver_due_messages,
    sweep_outbox,
)


@task()
def deliver_outbox(message_ids: list[int] | None = None) -> int:
    """Deliver the given outbox messages now (every due one when None); enqueued after the
    transaction that queued them commits. A message another worker has already taken, or sent,
    is skipped, so a task that runs late or twice sends nothing twice. Returns how many were
    sent."""
    worker_id = default_worker_id("task")
    if message_ids is None:
        return sweep_outbox(worker_id=worker_id)
    ids = list(message_ids)
    sent = 0
    for start in range(0, len(ids), DEFAULT_BATCH_SIZE):
        sent += deliver_due_messages(
            worker_id=worker_id, message_ids=ids[start:start + DEFAULT_BATCH_SIZE]
        )
    return sent
