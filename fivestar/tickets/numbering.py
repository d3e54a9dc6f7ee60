"""Ticket numbers: ``SR-YYYYMMDD-NNNNNN``, unique, counted per local day.

The counter is taken in its own short transaction, before the ticket's transaction, so that a
busy intake does not hold the day's counter row locked while the ticket is written. A ticket
whose transaction then fails leaves a gap in the day's numbers — that is accepted (the numbers
are unique and increasing, not dense).
"""

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from fivestar.tickets.models import TicketDaySequence

# One statement increments and reads the counter (PostgreSQL and SQLite ≥ 3.35 both have
# RETURNING); the ORM would need an UPDATE and a SELECT.
_INCREMENT = (
    f"UPDATE {TicketDaySequence._meta.db_table} SET last_value = last_value + 1 "
    "WHERE day = %s RETURNING last_value"
)


def allocate_ticket_number() -> str:
    day = timezone.localdate()
    for _attempt in range(3):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(_INCREMENT, [day])
            row = cursor.fetchone()
        if row is not None:
            return f"SR-{day:%Y%m%d}-{row[0]:06d}"
        try:
            with transaction.atomic():
                TicketDaySequence.objects.create(day=day, last_value=1)
                return f"SR-{day:%Y%m%d}-{1:06d}"
        except IntegrityError:
            continue  # another intake created today's row first: increment it instead
    raise RuntimeError("could not allocate a ticket number")
