"""The staff inbox: notifications shown in the workspace (the bell and the notifications page).

One row per person and thing to know: a ticket assigned to me, an SLA warning, a breach or an
escalation that reached me, a P1 assignment waiting for my approval. ``notify_staff`` writes the
row in the caller's transaction, at most once per person and ``dedupe_key``, and — when given an
e-mail template — queues the same news as an e-mail through the outbox (``queue_message``), so a
caller that used to send only the e-mail switches to this one call.

The model lives here and is imported at the end of ``notifications/models.py`` so that Django
registers it with the app.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class StaffNotificationKind(models.TextChoices):
    ASSIGNED = "assigned", _("派单给我")
    SLA_WARNING = "sla_warning", _("即将超时")
    SLA_BREACHED = "sla_breached", _("已超时 / 升级")
    APPROVAL = "approval", _("待我审批")
    QUOTE = "quote", _("客户答复报价")


class StaffNotification(models.Model):
    """One notification for one staff member. ``read_at`` is set when they open it."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("接收人"), on_delete=models.CASCADE,
        related_name="staff_notifications",
    )
    kind = models.CharField(_("类型"), max_length=20, choices=StaffNotificationKind.choices)
    ticket = models.ForeignKey(
        "tickets.Ticket", verbose_name=_("工单"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    created_at = models.DateTimeField(_("时间"), default=timezone.now)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)
    # The same news ("clock 42 warned", "event 7 assigned") reaches one person at most once.
    dedupe_key = models.CharField(_("去重键"), max_length=200)

    class Meta:
        verbose_name = _("站内通知")
        verbose_name_plural = _("站内通知")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "dedupe_key"], name="staff_notification_once_per_key"
            ),
        ]
        indexes = [
            # The notifications page: one person's rows, newest first.
            models.Index(fields=["recipient", "-created_at"], name="staff_notif_recipient"),
            # The bell, polled every 30 s by every open workspace: unread rows of one person.
            models.Index(fields=["recipient"], name="staff_notif_unread",
                         condition=Q(read_at__isnull=True)),
            models.Index(fields=["ticket", "kind"], name="staff_notif_ticket_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.recipient_id} {self.kind} {self.title}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


# --- commands -------------------------------------------------------------------------------


def notify_staff(
    *,
    person,
    kind: str,
    ticket=None,
    title: str,
    body: str = "",
    dedupe_key: str,
    email_template_code: str | None = None,
    email_context: Mapping[str, Any] | None = None,
    email_dedupe_key: str | None = None,
) -> StaffNotification | None:
    """Tell ``person`` (a staff user) about ``ticket`` in the workspace, once per ``dedupe_key``.

    Writes in the caller's transaction (a rolled-back change notifies nobody). A repeat with the
    same key returns the existing row and writes nothing. Nothing is written for a missing or
    inactive person, nor inside ``outbox_muted()`` (back-fills of historical tickets).

    With ``email_template_code`` the same news is also queued as an e-mail to the person's
    address through the outbox (idempotent by ``email_dedupe_key``, default
    ``"<dedupe_key>:<person id>"``) — even when the in-app row already existed, so that a caller
    adding the e-mail later still sends it once.
    """
    from fivestar.notifications.services import outbox_is_muted

    if person is None or not person.is_active or outbox_is_muted():
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
                    recipient=person, kind=kind, ticket=ticket, title=str(title)[:200],
                    body=str(body or ""), dedupe_key=key,
                )
        except IntegrityError:
            notification = StaffNotification.objects.filter(
                recipient=person, dedupe_key=key
            ).first()
            if notification is None:
                raise
    if email_template_code and person.email:
        from fivestar.notifications.models import Channel
        from fivestar.notifications.selectors import language_of
        from fivestar.notifications.services import queue_message

        queue_message(
            channel=Channel.EMAIL, recipient=person.email, template_code=email_template_code,
            context=dict(email_context or {}), language=language_of(person), ticket=ticket,
            dedupe_key=email_dedupe_key or f"{dedupe_key}:{person.pk}",
        )
    return notification


def mark_read(*, user, notification_id: int) -> StaffNotification | None:
    """Mark one of ``user``'s notifications read (the first read time is kept). Returns it, or
    None when it is not theirs — nobody marks, or learns of, another person's notifications."""
    notification = StaffNotification.objects.select_related("ticket").filter(
        pk=notification_id, recipient=user
    ).first()
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


def settle_ticket_notifications(*, ticket, kind: str) -> int:
    """Mark everyone's unread ``kind`` notifications about ``ticket`` read: the thing they asked
    for is done (an approval given by one of the approvers). Returns how many changed."""
    return StaffNotification.objects.filter(
        ticket=ticket, kind=kind, read_at__isnull=True
    ).update(read_at=timezone.now())


# --- queries --------------------------------------------------------------------------------


def unread_count(*, user) -> int:
    """How many of ``user``'s notifications are unread (the bell's badge). One indexed query."""
    if not getattr(user, "is_authenticated", False):
        return 0
    return StaffNotification.objects.filter(recipient=user, read_at__isnull=True).count()


def notifications_for(*, user, unread_only: bool = False) -> QuerySet[StaffNotification]:
    """``user``'s notifications, newest first, with their tickets loaded."""
    rows = StaffNotification.objects.filter(recipient=user).select_related("ticket")
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
    ticket: Any = None
    body: str = ""
    email_template_code: str | None = None
    email_context: Mapping[str, Any] | None = None
    email_dedupe_key: str | None = None


def notify_staff_many(*, notices: list[StaffNotice]) -> int:
    """``notify_staff`` for a batch (the SLA sweep's warnings and breaches): the same rules, one
    INSERT for the in-app rows (a repeated key is skipped by the unique constraint) and one for
    the e-mails. Returns how many notices were offered."""
    from fivestar.notifications.models import Channel
    from fivestar.notifications.selectors import language_of
    from fivestar.notifications.services import QueuedMessage, outbox_is_muted, queue_messages

    if outbox_is_muted():
        return 0
    kept = [n for n in notices if n.person is not None and n.person.is_active]
    for notice in kept:
        if notice.kind not in StaffNotificationKind.values:
            raise ValueError(f"unknown staff notification kind {notice.kind!r}")
    StaffNotification.objects.bulk_create([
        StaffNotification(recipient=n.person, kind=n.kind, ticket=n.ticket,
                          title=str(n.title)[:200], body=str(n.body or ""),
                          dedupe_key=n.dedupe_key[:200])
        for n in kept
    ], ignore_conflicts=True)
    queue_messages(messages=[
        QueuedMessage(
            channel=Channel.EMAIL, recipient=n.person.email, template_code=n.email_template_code,
            context=dict(n.email_context or {}), language=language_of(n.person), ticket=n.ticket,
            dedupe_key=n.email_dedupe_key or f"{n.dedupe_key}:{n.person.pk}",
        )
        for n in kept if n.email_template_code and n.person.email
    ])
    return len(kept)
