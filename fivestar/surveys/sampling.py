"""The monthly sample (周期测评, SPEC §6): on the first day of a month, a stratified random sample
of at least 10% (configurable) of the customers served in the previous month.

- Served: a customer with a ticket closed in the month; their stratum is the problem type ×
  channel of their latest ticket closed then, and the invitation is about that ticket.
- Customers already surveyed that month (an invitation sent in it) are left out.
- Each non-empty stratum gives ⌈ratio × size⌉ customers — at least one, so every problem type ×
  channel served is represented, and the total is at least the ratio.
- Random but reproducible: the seed is recorded with the run (``SampleRun``); drawing again with
  the same seed over the same population gives the same customers.
- Once per month (``SampleRun.period`` is unique); the invitations go out through the sweep like
  any other (an opted-out customer or one with a survey pending is skipped then).
"""

import math
import random
import secrets
from datetime import date, datetime, time

from django.db import IntegrityError, transaction
from django.utils import timezone

from fivestar.surveys.models import Invitation, InvitationKind, SampleRun, analysis_fields
from fivestar.surveys.services import survey_settings
from fivestar.tickets.models import Status, Ticket


def month_bounds(period: date) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    start = datetime.combine(period.replace(day=1), time(0), tzinfo=tz)
    following = (period.replace(day=28) + (date.resolution * 4)).replace(day=1)
    return start, datetime.combine(following, time(0), tzinfo=tz)


def previous_month(today: date) -> date:
    first = today.replace(day=1)
    return (first - date.resolution).replace(day=1)


def population(period: date) -> dict[tuple[str, str], list[tuple[int, int]]]:
    """(type, channel) → sorted [(customer id, ticket id)] of customers served in ``period``
    and not surveyed in it."""
    start, end = month_bounds(period)
    surveyed = set(Invitation.objects.filter(sent_at__gte=start, sent_at__lt=end)
                   .values_list("customer_id", flat=True))
    latest: dict[int, tuple[datetime, int, str, str]] = {}
    for customer_id, ticket_id, closed_at, kind, channel in (
        Ticket.objects.filter(status=Status.CLOSED, closed_at__gte=start, closed_at__lt=end,
                              customer__anonymised_at__isnull=True)
        .values_list("customer_id", "pk", "closed_at", "type", "channel").iterator()
    ):
        if customer_id in surveyed:
            continue
        if customer_id not in latest or (closed_at, ticket_id) > latest[customer_id][:2]:
            latest[customer_id] = (closed_at, ticket_id, kind, channel)
    strata: dict[tuple[str, str], list[tuple[int, int]]] = {}
    for customer_id, (_at, ticket_id, kind, channel) in latest.items():
        strata.setdefault((kind, channel), []).append((customer_id, ticket_id))
    return {key: sorted(rows) for key, rows in sorted(strata.items())}


def draw(strata: dict[tuple[str, str], list[tuple[int, int]]], *, seed: str,
         ratio_percent: int) -> dict[tuple[str, str], list[tuple[int, int]]]:
    """The sample of each stratum: ⌈ratio × size⌉ (≥ 1) rows, chosen by ``seed``."""
    rng = random.Random(seed)
    chosen = {}
    for key, rows in sorted(strata.items()):
        size = max(1, math.ceil(len(rows) * ratio_percent / 100))
        chosen[key] = sorted(rng.sample(rows, min(size, len(rows))))
    return chosen


def sample_month(*, period: date, now: datetime | None = None,
                 seed: str | None = None) -> SampleRun | None:
    """Draw ``period``'s sample and schedule its invitations (now), once: None when that month
    was already sampled."""
    now = now or timezone.now()
    period = period.replace(day=1)
    if SampleRun.objects.filter(period=period).exists():
        return None
    seed = seed or secrets.token_hex(8)
    ratio = survey_settings().sample_ratio_percent
    strata = population(period)
    chosen = draw(strata, seed=seed, ratio_percent=ratio)
    try:
        with transaction.atomic():
            run = SampleRun.objects.create(
                period=period, seed=seed, population=sum(len(r) for r in strata.values()),
                sampled=sum(len(r) for r in chosen.values()),
                strata={f"{k[0]}/{k[1]}": {"population": len(strata[k]), "sampled": len(v)}
                        for k, v in chosen.items()})
            chosen_ids = [ticket_id for rows in chosen.values() for _c, ticket_id in rows]
            tickets = Ticket.objects.select_related("product_model").in_bulk(chosen_ids)
            Invitation.objects.bulk_create([
                Invitation(kind=InvitationKind.MONTHLY, period=period, customer_id=customer_id,
                           ticket_id=ticket_id, due_at=now,
                           **analysis_fields(tickets[ticket_id]))
                for rows in chosen.values() for customer_id, ticket_id in rows
            ])
    except IntegrityError:
        return None  # another worker sampled the month meanwhile
    return run


def sample_due(*, now: datetime | None = None) -> SampleRun | None:
    """The sweep's step: from the first day of a month, the previous month is sampled once."""
    now = now or timezone.now()
    return sample_month(period=previous_month(timezone.localdate(now)), now=now)
