"""Ticket numbers: ``SR-YYYYMMDD-NNNNNN``, unique, counted per local day.

The counter is taken in its own statement, before the ticket's transaction, so that a busy
intake does not hold the day's counter row locked while the ticket is written. A ticket whose
transaction then fails leaves a gap in the day's numbers — that is accepted (the numbers are
unique and increasing, not dense).
"""

from django.db import connection
from django.utils import timezone

from fivestar.tickets.models import TicketDaySequence

# One statement creates the day's counter or increments it, and reads it (PostgreSQL and SQLite
# ≥ 3.35 both have upserts with RETURNING). In autocommit it is its own transaction: no BEGIN,
# no COMMIT, no savepoint, and two intakes racing for a new day's first number still get 1 and
# 2 (the database serialises the conflict on the primary key).
_NEXT_VALUE = (
    f"INSERT INTO {TicketDaySequence._meta.db_table} (day, last_value) VALUES (%s, 1) "
    "ON CONFLICT (day) DO UPDATE SET last_value = "
    f"{TicketDaySequence._meta.db_table}.last_value + 1 RETURNING last_value"
)


def allocate_ticket_number() -> str:
    day = timezone.localdate()
    with connection.cursor() as cursor:
        cursor.execute(_NEXT_VALUE, [day])
        (value,) = cursor.fetchone()
    return f"SR-{day:%Y%m%d}-{value:06d}"
