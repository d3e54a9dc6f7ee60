"""Sending the outbox: claim due rows, send each outside any transaction, record the outcome.

What is promised: at least once
-------------------------------
1. *Claim.* In one short transaction a worker picks due rows — pending ones whose
   ``next_attempt_at`` has come, and ``sending`` ones whose lease has run out — with
   ``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL (workers never wait on each other and never
   pick the same row; on SQLite the IMMEDIATE transaction serialises the claimers instead), and
   marks them ``sending`` with ``lease_until = now + OUTBOX_LEASE_SECONDS``, ``attempts + 1`` and a
   claim token ``claimed_by = "<worker id>#<nonce>"`` that is new for every claim. It commits
   before anything leaves the building, so no row lock is held across a network call.
2. *Send*, outside the transaction.
3. *Record.* ``sent`` (or, on an error, back to ``pending`` with an exponential, jittered
   back-off, or ``failed`` after ``OUTBOX_MAX_ATTEMPTS``) — as one conditional UPDATE
   ``WHERE id = ? AND claimed_by = <token> AND status = 'sending'``. A slow worker whose lease
   ran out and whose row another worker has re-claimed matches nothing and changes nothing.

Never lost: a worker that dies between 1 and 3 leaves the row in ``sending``; once its lease has
expired the row is due again and the next sweep retries it. (One that dies during its last
allowed attempt leaves a row that is marked ``failed``, visible in the admin with "retry now".)

But possibly handed over twice: if the worker died after the provider took the message and
before step 3, the retry sends it again — delivery is *at least once*, not exactly once. Every
send therefore carries the row's stable key (``OutboxMessage.idempotency_key``: the id and the
creation time), so a receiving side that de-duplicates sees the same message again, not a
second one: e-mail gets the header ``Message-ID: <key@OUTBOX_MESSAGE_ID_DOMAIN>`` (SMTP itself
promises nothing; mail stores and clients that de-duplicate, Gmail for one, recognise a second
copy by it); the HTTP SMS gateway receives ``idempotency_key`` in the body and the
``Idempotency-Key`` header (a gateway that ignores both may deliver a second text); the file SMS
backend writes ``<id>.txt`` and so overwrites. The same key covers the other duplicate window: a
worker still sending when its lease expires. The lease (default 5 minutes) is set far above the
send timeouts so that window stays theoretical.
"""

import logging
import os
import random
import secrets
import socket
from collections.abc import Collection
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from fivestar.notifications.models import Channel, OutboxMessage, OutboxStatus
from fivestar.notifications.sms import BaseSmsBackend, get_sms_backend

logger = logging.getLogger(__name__)

DEFAULT_BATCH_SIZE = 50
# One sweep sends at most this many batches, so a huge backlog cannot starve the other sweeps.
MAX_BATCHES_PER_SWEEP = 20


def max_attempts() -> int:
    return max(1, int(getattr(settings, "OUTBOX_MAX_ATTEMPTS", 8)))


def lease_duration() -> timedelta:
    return timedelta(seconds=float(getattr(settings, "OUTBOX_LEASE_SECONDS", 300)))


def backoff_delay(*, attempts: int) -> timedelta:
    """How long to wait after the ``attempts``-th failed try: doubling from
    ``OUTBOX_BACKOFF_BASE_SECONDS`` (60 s) up to ``OUTBOX_BACKOFF_MAX_SECONDS`` (6 h), then
    "equal jitter" (between half and all of it) so that messages failed together by one outage
    do not all come back in the same second."""
    base = float(getattr(settings, "OUTBOX_BACKOFF_BASE_SECONDS", 60))
    cap = float(getattr(settings, "OUTBOX_BACKOFF_MAX_SECONDS", 6 * 3600))
    delay = min(cap, base * 2 ** max(0, attempts - 1))
    return timedelta(seconds=delay / 2 + random.uniform(0, delay / 2))


def default_worker_id(role: str = "worker") -> str:
    """Host and process, for ``claimed_by``: who to look at when a row is stuck."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{role}"


@dataclass(frozen=True)
class Claim:
    token: str
    messages: list[OutboxMessage]


def _due(now) -> Q:
    expired = Q(status=OutboxStatus.SENDING, lease_until__lte=now)
    return (Q(status=OutboxStatus.PENDING) | expired) & Q(next_attempt_at__lte=now)


def claim_due_messages(
    *, batch_size: int = DEFAULT_BATCH_SIZE, worker_id: str,
    message_ids: Collection[int] | None = None,
) -> Claim:
    """Take up to ``batch_size`` due messages (only among ``message_ids`` when given) for this
    worker and commit the claim. See the module docstring for the rule."""
    now = timezone.now()
    lease_until = now + lease_duration()
    token = f"{worker_id[:80]}#{secrets.token_hex(6)}"
    with transaction.atomic():
        # A row whose worker died during its last allowed attempt is not retried for ever.
        OutboxMessage.objects.filter(
            status=OutboxStatus.SENDING, next_attempt_at__lte=now, lease_until__lte=now,
            attempts__gte=max_attempts(),
        ).update(
            status=OutboxStatus.FAILED, lease_until=None,
            last_error="worker stopped during the last attempt (lease expired)",
        )
        due = OutboxMessage.objects.filter(_due(now))
        if message_ids is not None:
            due = due.filter(pk__in=list(message_ids))
        ids = list(
            due.order_by("next_attempt_at", "id")
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)[:batch_size]
        )
        if ids:
            # The due condition again: on PostgreSQL the UPDATE re-checks it against the latest
            # row version, so a row claimed meanwhile by another worker is not taken twice.
            OutboxMessage.objects.filter(_due(now), pk__in=ids).update(
                status=OutboxStatus.SENDING,
                claimed_by=token,
                lease_until=lease_until,
                next_attempt_at=lease_until,
                attempts=F("attempts") + 1,
            )
    if not ids:
        return Claim(token=token, messages=[])
    messages = list(
        OutboxMessage.objects.filter(claimed_by=token, status=OutboxStatus.SENDING)
        .order_by("next_attempt_at", "id")
    )
    return Claim(token=token, messages=messages)


def mark_sent(*, message: OutboxMessage, claim: Claim) -> bool:
    """Record a successful send — only if ``claim`` still holds the row. False when the lease
    was lost to another worker (who then owns the outcome)."""
    updated = OutboxMessage.objects.filter(
        pk=message.pk, claimed_by=claim.token, status=OutboxStatus.SENDING
    ).update(status=OutboxStatus.SENT, sent_at=timezone.now(), lease_until=None, last_error="")
    if not updated:
        logger.warning("outbox %s: sent, but the claim %s had been lost", message.pk, claim.token)
    return bool(updated)


def mark_failed(*, message: OutboxMessage, claim: Claim, error: str) -> bool:
    """Record a failed send — only if ``claim`` still holds the row: back to pending after a
    back-off, or failed (dead) once ``OUTBOX_MAX_ATTEMPTS`` tries are used up."""
    dead = message.attempts >= max_attempts()
    now = timezone.now()
    updated = OutboxMessage.objects.filter(
        pk=message.pk, claimed_by=claim.token, status=OutboxStatus.SENDING
    ).update(
        status=OutboxStatus.FAILED if dead else OutboxStatus.PENDING,
        next_attempt_at=now if dead else now + backoff_delay(attempts=message.attempts),
        lease_until=None,
        last_error=error[:2000],
    )
    return bool(updated)


def send_message(*, message: OutboxMessage, sms_backend: BaseSmsBackend | None = None) -> None:
    """Hand one message to its channel, carrying the row's idempotency key. Raises
    on failure."""
    if message.channel == Channel.EMAIL:
        domain = getattr(settings, "OUTBOX_MESSAGE_ID_DOMAIN", "fivestar")
        email = EmailMessage(
            subject=message.subject,
            body=message.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[message.recipient],
            headers={
                "Message-ID": f"<{message.idempotency_key}@{domain}>",
                # RFC 3834: tells auto-responders not to answer, so no mail loops.
                "Auto-Submitted": "auto-generated",
            },
        )
        email.send()
    elif message.channel == Channel.SMS:
        backend = sms_backend or get_sms_backend()
        backend.send(message_id=message.pk, to=message.recipient, body=message.body,
                      idempotency_key=message.idempotency_key)
    else:
        raise ValueError(f"unknown channel {message.channel!r}")


def deliver_due_messages(
    *, batch_size: int = DEFAULT_BATCH_SIZE, worker_id: str,
    message_ids: Collection[int] | None = None,
) -> int:
    """Claim one batch of due messages, send them, record each outcome; returns how many were
    sent. Call it outside any transaction (sends must not hold row locks). The module docstring
    explains why no message is lost and how a repeated send is recognised."""
    return _deliver(claim_due_messages(batch_size=batch_size, worker_id=worker_id,
                                       message_ids=message_ids))


def _deliver(claim: Claim) -> int:
    sent = 0
    sms_backend: BaseSmsBackend | None = None
    for message in claim.messages:
        try:
            if message.channel == Channel.SMS and sms_backend is None:
                sms_backend = get_sms_backend()
            send_message(message=message, sms_backend=sms_backend)
        except Exception as exc:
            logger.warning("outbox %s (%s → %s) attempt %s failed: %r", message.pk,
                           message.channel, message.recipient, message.attempts, exc)
            mark_failed(message=message, claim=claim, error=f"{type(exc).__name__}: {exc}")
        else:
            if mark_sent(message=message, claim=claim):
                sent += 1
    return sent


def sweep_outbox(*, worker_id: str | None = None) -> int:
    """The periodic sweep: deliver due messages batch after batch until none are left (or
    ``MAX_BATCHES_PER_SWEEP`` batches). Retries after a back-off happen here even when no task
    was enqueued. Returns how many were sent."""
    worker_id = worker_id or default_worker_id("sweep")
    sent = 0
    for _batch in range(MAX_BATCHES_PER_SWEEP):
        claim = claim_due_messages(batch_size=DEFAULT_BATCH_SIZE, worker_id=worker_id)
        sent += _deliver(claim)
        if len(claim.messages) < DEFAULT_BATCH_SIZE:
            break
    return sent
