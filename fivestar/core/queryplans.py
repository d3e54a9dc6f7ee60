"""Lists planned for their own values.

With ``server_side_binding`` (settings) PostgreSQL keeps a statement a connection repeats
prepared, and after five runs may switch it to a generic plan — one made without the values.
That is what makes reading one ticket cheap, and what makes a list slow: the generic plan of a
queue or console page cannot know that ``next_due_at <= now`` keeps a few thousand rows of a
million, or which departments are asked for. bench/million.py measured the console's pages at
40 ms with their own plans and 1–2 s once the generic plan took over.
"""

from contextlib import ContextDecorator

from django.db import connection


class _PlannedForTheirValues(ContextDecorator):

    def __enter__(self):
        self.saved = False
        if connection.vendor == "postgresql":
            connection.ensure_connection()
            self.raw = connection.connection
            self.previous, self.saved = self.raw.prepare_threshold, True
            self.raw.prepare_threshold = None
        return self

    def __exit__(self, *exc):
        if self.saved:
            self.raw.prepare_threshold = self.previous
        return False


def planned_for_their_values() -> _PlannedForTheirValues:
    """A context manager and decorator: statements run inside are sent unprepared (psycopg's
    ``prepare_threshold = None``), so PostgreSQL plans each for its values; the connection's
    setting comes back after. For the views that list tickets."""
    return _PlannedForTheirValues()
