"""What the demo's history leaves behind in the notifications: it was delivered then.

The history is played through the services at its historical moments, so it queues the SMS,
e-mails and bell notices those moments called for. They belong to the past: a message queued
last month was sent last month, a notice of last week has been read. Settled here, in the same
transaction as the history, so the worker never sends them today to customers whose numbers are
invented (and may be somebody's).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import F, Max

from fivestar.notifications.models import OutboxMessage, OutboxStatus, StaffNotification

#: Bell notices younger than this stay unread: the staff's current news.
UNREAD_FOR = timedelta(days=1)


@dataclass(frozen=True)
class Mark:
    """The last outbox and bell rows before the demo began writing."""

    outbox: int
    bell: int

    @classmethod
    def now(cls) -> "Mark":
        return cls(
            outbox=OutboxMessage.objects.aggregate(last=Max("pk"))["last"] or 0,
            bell=StaffNotification.objects.aggregate(last=Max("pk"))["last"] or 0,
        )


def settle_messages(*, since: Mark, now: datetime) -> None:
    OutboxMessage.objects.filter(pk__gt=since.outbox).update(
        status=OutboxStatus.SENT, attempts=1, sent_at=F("created_at"),
        next_attempt_at=F("created_at"),
    )
    StaffNotification.objects.filter(
        pk__gt=since.bell, created_at__lt=now - UNREAD_FOR, read_at__isnull=True,
    ).update(read_at=F("created_at"))
