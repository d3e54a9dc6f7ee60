"""Commands of the notifications app: queue a message in the outbox, retry failed ones.

Queuing never sends: the row is written in the caller's transaction and a delivery task is
enqueued after that transaction commits (``transaction.on_commit``). If the enqueue itself is
lost (the worker is down, the task backend refused it), the periodic sweep delivers the row
anyway — the task only makes delivery prompt, the row is what makes it certain.
"""

import logging
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from functools import lru_cache, partial
from typing import Any

from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.template import TemplateSyntaxError, engines
from django.template.backends.django import Template
from django.utils import timezone, translation

from fivestar.core.rows import insert
from fivestar.notifications.models import (
    About,
    Channel,
    MessageTemplate,
    OutboxMessage,
    OutboxStatus,
)
from fivestar.notifications.template_cache import cached_template

logger = logging.getLogger(__name__)

def render_template(
    *, template: MessageTemplate, context: Mapping[str, Any]
) -> tuple[str, str]:
    """Subject and body of ``template`` filled from ``context``, in the template's language.

    Plain text: no HTML escaping. The subject becomes one line (a mail header cannot hold a
    line break). Raises TemplateSyntaxError for a broken template.
    """
    with translation.override(template.language):
        subject = _render(template.subject, context)
        body = _render(template.body, context)
    return " ".join(subject.split()), body.strip()


def _render(source: str, context: Mapping[str, Any]) -> str:
    if not source:
        return ""
    return _compiled(source).render(dict(context))


@lru_cache(maxsize=256)
def _compiled(source: str) -> Template:
    """A template source compiled once per process. Keyed by the text itself, so an edited
    template is simply another entry; compiled Django templates are safe to share between
    threads."""
    return engines["django"].from_string("{% autoescape off %}" + source + "{% endautoescape %}")


def queue_message(
    *,
    channel: str,
    recipient: str,
    template_code: str,
    context: Mapping[str, Any],
    language: str,
    about: models.Model | None = None,
    dedupe_key: str | None = None,
) -> OutboxMessage | None:
    """Render ``template_code`` for ``recipient`` and store it in the outbox, in the caller's
    transaction; a delivery task is enqueued once that transaction commits. ``about`` is the
    row the message concerns (a ticket), kept as a generic reference.

    Rules: nothing is queued for an empty recipient (→ None); a
    message whose ``dedupe_key`` was already queued is not queued again (→ the existing row);
    a missing or broken template is logged and nothing is queued (→ None) — a wording problem
    must never block the ticket change that triggered the message.
    """
    recipient = (recipient or "").strip()
    if not recipient:
        return None
    if channel not in Channel.values:
        raise ValueError(f"unknown channel {channel!r}")
    # No look for ``dedupe_key`` first: a key is almost always new (it names one event), and the
    # unique constraint answers a repeat below at no cost to the usual case.
    template = cached_template(code=template_code, channel=channel, language=language)
    if template is None:
        logger.error("no %s template %r in %s or the default language; not sent to %s",
                     channel, template_code, language, about or recipient)
        return None
    try:
        subject, body = render_template(template=template, context=context)
    except TemplateSyntaxError:
        logger.exception("template %s is broken; message not queued", template)
        return None
    message = OutboxMessage(
        channel=channel,
        recipient=recipient[:254],
        subject=subject[:300],
        body=body,
        template_code=template_code,
        language=template.language,
        **About.reference(about),
        dedupe_key=dedupe_key or None,
        next_attempt_at=timezone.now(),
    )
    # One statement, no savepoint: a repeated dedupe key is refused by the unique constraint
    # without an error, and the caller's transaction stays usable (core.rows).
    if not insert(message, skip_conflicts=True):
        existing = dedupe_key and OutboxMessage.objects.filter(dedupe_key=dedupe_key).first()
        if existing:
            return existing
        raise IntegrityError("outbox message refused by a unique constraint")
    _deliver_after_commit(message.pk)
    return message


def retry_messages(*, ids: Collection[int]) -> int:
    """Send the given messages again now: failed (dead) ones get a fresh set of attempts,
    pending ones waiting out a back-off are due at once. Sent and in-flight ones are left
    alone. Returns how many were rescheduled."""
    now = timezone.now()
    with transaction.atomic():
        rows = OutboxMessage.objects.filter(pk__in=list(ids))
        count = rows.filter(status=OutboxStatus.FAILED).update(
            status=OutboxStatus.PENDING, attempts=0, next_attempt_at=now, lease_until=None
        )
        count += rows.filter(Q(status=OutboxStatus.PENDING) & Q(next_attempt_at__gt=now)).update(
            next_attempt_at=now
        )
        if count:
            transaction.on_commit(partial(_enqueue_delivery, list(ids)), robust=True)
    return count


def _deliver_after_commit(message_id: int) -> None:
    """One delivery task per transaction, however many messages it queued (a sweep, or a
    back-fill whose every service call is a savepoint, queues thousands). The first message
    registers the commit hook with a list the later ones join. Django replaces its list of
    pending hooks on every commit and every rollback (a savepoint's included), so while that list
    is the same the hook is still pending; once it changed, the next message starts a new hook.
    A message of a savepoint rolled back after it joined stays in the list: delivery then finds
    no such row (or, as SQLite reuses ids, a newer message, claimed once like any other)."""
    connection = transaction.get_connection()
    state = connection.__dict__.get("fivestar_outbox_batch")
    if connection.in_atomic_block and state is not None and state[0] is connection.run_on_commit:
        state[1].append(message_id)
        return
    waiting = [message_id]
    transaction.on_commit(partial(_enqueue_batch, connection, waiting), robust=True)
    if connection.in_atomic_block:
        connection.__dict__["fivestar_outbox_batch"] = (connection.run_on_commit, waiting)


def _enqueue_batch(connection, waiting: list[int]) -> None:
    state = connection.__dict__.get("fivestar_outbox_batch")
    if state is not None and state[1] is waiting:
        del connection.__dict__["fivestar_outbox_batch"]  # closed: nobody joins it any more
    _enqueue_delivery(list(dict.fromkeys(waiting)))


def _enqueue_delivery(message_ids: list[int] | None) -> None:
    from fivestar.notifications.tasks import deliver_outbox

    deliver_outbox.enqueue(message_ids=message_ids)


@dataclass(frozen=True)
class QueuedMessage:
    """One message for ``queue_messages``: the same fields as ``queue_message`` takes."""

    channel: str
    recipient: str
    template_code: str
    context: Mapping[str, Any]
    language: str
    about: models.Model | None = None
    dedupe_key: str | None = None


def queue_messages(*, messages: list[QueuedMessage]) -> int:
    """``queue_message`` for many at once, for sweeps that notify by the thousand: the same
    rules (empty recipient, missing or broken template, dedupe key already queued → not
    queued), one INSERT for all of them and one delivery task after commit. Returns how many
    rows were offered to the insert (repeats of a dedupe key are skipped by the database)."""
    rows = []
    for spec in messages:
        recipient = (spec.recipient or "").strip()
        if not recipient:
            continue
        if spec.channel not in Channel.values:
            raise ValueError(f"unknown channel {spec.channel!r}")
        template = cached_template(code=spec.template_code, channel=spec.channel,
                                   language=spec.language)
        if template is None:
            logger.error("no %s template %r in %s or the default language; not sent to %s",
                         spec.channel, spec.template_code, spec.language,
                         spec.about or recipient)
            continue
        try:
            subject, body = render_template(template=template, context=spec.context)
        except TemplateSyntaxError:
            logger.exception("template %s is broken; message not queued", template)
            continue
        rows.append(OutboxMessage(
            channel=spec.channel, recipient=recipient[:254], subject=subject[:300], body=body,
            template_code=spec.template_code, language=template.language,
            **About.reference(spec.about),
            dedupe_key=spec.dedupe_key or None, next_attempt_at=timezone.now(),
        ))
    if not rows:
        return 0
    # ignore_conflicts: a dedupe key queued before (another worker, an earlier pass) is skipped
    # without failing the batch. The ids are not returned then, so the task delivers every due
    # message — the same rows and more, which the claim makes safe.
    OutboxMessage.objects.bulk_create(rows, ignore_conflicts=True)
    transaction.on_commit(partial(_enqueue_delivery, None), robust=True)
    return len(rows)
