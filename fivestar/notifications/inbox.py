"""The staff inbox: notifications shown in the workspace (the bell and the notifications page).

One row per person and thing to know: a ticket assigned to me, an SLA warning, a breach or an
escalation that reached me, a P1 assignment waiting for my approval. ``notify_staff`` writes the
row in the caller's transaction, at most once per person and ``dedupe_key``, and — when given an
e-mail template — queues the same news as an e-mail through the outbox (``queue_message``), so a
caller that used to send only the e-mail switches to this one call.

What a notice is about (a ticket, a quote) is a generic reference (``about=``): the domain that
tells the person decides who hears what, and this app knows no domain model.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, models, transaction
from django.db.models import QuerySet
from django.utils import timezone

from fivestar.notifications.models import (
    About,
    Channel,
    StaffNotification,
    StaffNotificationKind,
)
from fivestar.notifications.selectors import language_of
from fivestar.notifications.services import (
    QueuedMessage,
    queue_message,
    queue_messages,
)

__all__ = ["StaffNotification", "StaffNotificationKind"]


# --- commands -------------------------------------------------------------------------------


def notify_staff(
    *,
    person,
    kind: str,
    about: models.Model | None = None,
    title: str,
    body: str = "",
    dedupe_key: str,
    email_template_code: str | None = None,
    email_context: Mapping[str, Any] | None = None,
    email_dedupe_key: str | None = None,
) -> StaffNotification | None:
    """Tell ``person`` (a staff user) about ``about`` (a ticket…) in the workspace, once per
    ``dedupe_key``.

    Writes in the caller's transaction (a rolled-back change notifies nobody). A repeat with the
    same key returns the existing row and writes nothing. Nothing is written for a missing or
    inactive person.

    With ``email_template_code`` the same news is also queued as an e-mail to the person's
    address through the outbox (idempotent by ``email_dedupe_key``, default
    ``"<dedupe_key>:<person id>"``) — even when the in-app row already existed, so that a caller
    adding the e-mail later still sends it once.
    """
    if person is None or not person.is_active:
        return None
    if kind not in StaffNotificationKind.values:
        raise ValueError(f"unknown staff notification kind {kind!r}")
    key = dedupe_key[:200]
    notification = StaffNotification.objects.filter(recipient=person, dedupe_key=key).first()
    if notification is None:
        try:
            # A savepoint: on a race with another writer the caller's transaction stays usable.
            with transaction.atomic():
                notification = StaffNotification.objects.create(
                    recipient=person, kind=kind, **About.reference(about), title=str(title)[:200],
                    body=str(body or ""), dedupe_key=key,
                )
        except IntegrityError:
            notification = StaffNotification.objects.filter(
                recipient=person, dedupe_key=key
            ).first()
            if notification is None:
                raise
    if email_template_code and person.email:
        queue_message(
            channel=Channel.EMAIL, recipient=person.email, template_code=email_template_code,
            context=dict(email_context or {}), language=language_of(person), about=about,
            dedupe_key=email_dedupe_key or f"{dedupe_key}:{person.pk}",
        )
    return notification


def mark_read(*, user, notification_id: int) -> StaffNotification | None:
    """Mark one of ``user``'s notifications read (the first read time is kept). Returns it, or
    None when it is not theirs — nobody marks, or learns of, another person's notifications."""
    notification = StaffNotification.objects.filter(pk=notification_id, recipient=user).first()
    if notification is None:
        return None
    if notification.read_at is None:
        notification.read_at = timezone.now()
        StaffNotification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=notification.read_at
        )
    return notification


def mark_all_read(*, user) -> int:
    """Mark every unread notification of ``user`` read; returns how many changed."""
    return StaffNotification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def settle_notifications(*, about: models.Model, kind: str) -> int:
    """Mark everyone's unread ``kind`` notifications about ``about`` read: the thing they asked
    for is done (an approval given by one of the approvers). Returns how many changed."""
    return StaffNotification.objects.filter(
        About.filter_for(about), kind=kind, read_at__isnull=True
    ).update(read_at=timezone.now())


# --- queries --------------------------------------------------------------------------------


def unread_count(*, user) -> int:
    """How many of ``user``'s notifications are unread (the bell's badge). One indexed query."""
    if not getattr(user, "is_authenticated", False):
        return 0
    return StaffNotification.objects.filter(recipient=user, read_at__isnull=True).count()


def notifications_for(*, user, unread_only: bool = False) -> QuerySet[StaffNotification]:
    """``user``'s notifications, newest first, with what they are about loaded (one query per
    kind of thing on a page)."""
    rows = StaffNotification.objects.filter(recipient=user).prefetch_related("about")
    if unread_only:
        rows = rows.filter(read_at__isnull=True)
    return rows.order_by("-created_at", "-id")


@dataclass(frozen=True)
class StaffNotice:
    """One ``notify_staff`` call, for ``notify_staff_many``."""

    person: Any
    kind: str
    title: str
    dedupe_key: str
    about: models.Model | None = None
    body: str = ""
    email_template_code: str | None = None
    email_context: Mapping[str, Any] | None = None
    email_dedupe_key: str | None = None


def notify_staff_many(*, notices: list[StaffNotice]) -> int:
    """``notify_staff`` for a batch (the SLA sweep's warnings and breaches): the same rules, one
    INSERT for the in-app rows (a repeated key is skipped by the unique constraint) and one for
    the e-mails. Returns how many notices were offered."""
    kept = [n for n in notices if n.person is not None and n.person.is_active]
    for notice in kept:
        if notice.kind not in StaffNotificationKind.values:
            raise ValueError(f"unknown staff notification kind {notice.kind!r}")
    StaffNotification.objects.bulk_create([
        StaffNotification(recipient=n.person, kind=n.kind, **About.reference(n.about),
                          title=str(n.title)[:200], body=str(n.body or ""),
                          dedupe_key=n.dedupe_key[:200])
        for n in kept
    ], ignore_conflicts=True)
    queue_messages(messages=[
        QueuedMessage(
            channel=Channel.EMAIL, recipient=n.person.email, template_code=n.email_template_code,
            context=dict(n.email_context or {}), language=language_of(n.person), about=n.about,
            dedupe_key=n.email_dedupe_key or f"{n.dedupe_key}:{n.person.pk}",
        )
        for n in kept if n.email_template_code and n.person.email
    ])
    return len(kept)
