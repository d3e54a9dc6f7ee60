"""The surveys' periodic sweep (``fivestar worker``, registered in ``apps.ready``): send the
invitations that are due, the one reminder, and the expiry (SPEC §6).

Several workers may sweep at once: each step claims its rows with row locks
(``select_for_update(skip_locked=True)`` on PostgreSQL) inside one transaction per batch and
re-checks the condition on the locked rows, so nothing is sent, reminded or expired twice.
"""

from collections.abc import Callable
from datetime import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from fivestar.surveys import services
from fivestar.surveys.improvements import close_previous_month, escalate_overdue
from fivestar.surveys.models import Invitation, InvitationStatus
from fivestar.surveys.sampling import sample_due

SWEEP_BATCH = 200


def _due(now: datetime) -> dict[str, tuple[Q, Callable]]:
    return {
        "sent": (Q(status=InvitationStatus.SCHEDULED, due_at__lte=now),
                 services.send_invitation),
        "expired": (Q(status=InvitationStatus.SENT, expires_at__lte=now), services.expire),
        "reminded": (Q(status=InvitationStatus.SENT, reminded_at__isnull=True,
                       reminder_at__lte=now, expires_at__gt=now), services.remind),
    }


def _claim_and_apply(condition: Q, apply: Callable, *, now: datetime, batch: int) -> int:
    done = 0
    while True:
        with transaction.atomic():
            rows = list(
                Invitation.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(condition).select_related("customer", "ticket", "template")
                .order_by("pk")[:batch]
            )
            for row in rows:
                apply(invitation=row, now=now)
            done += len(rows)
        if len(rows) < batch:
            return done


def survey_sweep(*, now: datetime | None = None, batch: int = SWEEP_BATCH) -> dict[str, int]:
    """One pass: the previous month sampled (once), due invitations sent (or skipped), stale
    ones expired, reminders sent."""
    now = now or timezone.now()
    run = sample_due(now=now)
    counts = {"sampled": run.sampled if run is not None else 0,
              "improvements": len(close_previous_month(now=now)),
              "escalated": escalate_overdue(now=now)}
    for name, (condition, apply) in _due(now).items():
        counts[name] = _claim_and_apply(condition, apply, now=now, batch=batch)
    return counts
