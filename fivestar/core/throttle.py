"""Rate limits (one-time codes, portal submissions): atomic, and shared by every process.

A limit is taken before the work it guards, never checked first and counted after: ``take``
counts the attempt and answers whether it is within the limit in one atomic step, so of ten
concurrent requests against a limit of five exactly five go through. A request that is then
refused, or whose work fails, gives its place back (``release``), so only what happened counts.

Where the counts live (``settings.THROTTLE_STORE``):

- ``"database"`` (the default without Redis): one row per key in ``core_ratecounter``, changed
  by a single ``INSERT … ON CONFLICT DO UPDATE … RETURNING`` (PostgreSQL and SQLite alike): the
  database every server process shares serialises the increments, so a limit holds across
  processes and hosts. The worker sweeps expired rows.
- ``"cache"`` (the default when ``REDIS_URL`` is set): Redis ``SET NX`` and ``INCR``, atomic
  and shared. The local-memory cache is per process: never use it for limits in production.
"""

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from fivestar.core.models import RateCounter


def _store() -> str:
    return getattr(settings, "THROTTLE_STORE", "database")


@dataclass(frozen=True)
class Throttle:
    """At most ``limit`` attempts per ``window_seconds`` for one key within ``scope``. The
    window starts with the first attempt and the count starts again after it."""

    scope: str
    limit: int
    window_seconds: int

    def _key(self, key: str) -> str:
        # Keys carry user input (usernames, phones): hash them so no store sees raw PII.
        digest = hashlib.sha256(key.encode()).hexdigest()[:32]
        return f"throttle:{self.scope}:{digest}"

    def take(self, key: str) -> bool:
        """Count one attempt; True when it is within the limit. A refused attempt is not
        counted."""
        if self.hit(key) <= self.limit:
            return True
        self.release(key)
        return False

    def hit(self, key: str) -> int:
        """Count one attempt, atomically; returns the attempts inside the window, this one
        included."""
        if _store() == "cache":
            return _cache_hit(self._key(key), self.window_seconds)
        return _database_hit(self._key(key), self.window_seconds)

    def release(self, key: str) -> None:
        """Give back one attempt counted by ``hit`` (the work it guarded did not happen)."""
        if _store() == "cache":
            try:
                if cache.decr(self._key(key)) < 0:
                    cache.delete(self._key(key))
            except ValueError:  # expired meanwhile: nothing to give back
                pass
            return
        with connection.cursor() as cursor:
            table, count, name, expires = _names()
            cursor.execute(
                f"UPDATE {table} SET {count} = {count} - 1 "
                f"WHERE {name} = %s AND {count} > 0 AND {expires} > %s",
                [self._key(key), _adapt(timezone.now())],
            )

    def hits(self, key: str) -> int:
        if _store() == "cache":
            return int(cache.get(self._key(key), 0))
        row = (RateCounter.objects.filter(key=self._key(key), expires_at__gt=timezone.now())
               .values_list("count", flat=True).first())
        return int(row or 0)

    def blocked(self, key: str) -> bool:
        return self.hits(key) >= self.limit

    def reset(self, key: str) -> None:
        if _store() == "cache":
            cache.delete(self._key(key))
        else:
            RateCounter.objects.filter(key=self._key(key)).delete()


def take_all(checks: Sequence[tuple[Throttle, str]]) -> Throttle | None:
    """Take every limit in ``checks`` or none: returns the first one that refused (after giving
    back the places already taken), or None when all of them let the attempt through."""
    taken: list[tuple[Throttle, str]] = []
    for throttle, key in checks:
        if not throttle.take(key):
            release_all(taken)
            return throttle
        taken.append((throttle, key))
    return None


def release_all(checks: Sequence[tuple[Throttle, str]]) -> None:
    for throttle, key in checks:
        throttle.release(key)


def sweep_expired_counters() -> int:
    """Delete the database counters whose window has ended; returns how many."""
    deleted, _ = RateCounter.objects.filter(expires_at__lte=timezone.now()).delete()
    return deleted


# --- the stores -------------------------------------------------------------------------------


def _cache_hit(cache_key: str, window_seconds: int) -> int:
    if cache.add(cache_key, 1, timeout=window_seconds):
        return 1
    try:
        return cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.add(cache_key, 0, timeout=window_seconds)
        return cache.incr(cache_key)


def _names() -> tuple[str, str, str, str]:
    quote = connection.ops.quote_name
    return (quote(RateCounter._meta.db_table), quote("count"), quote("key"),
            quote("expires_at"))


def _adapt(value):
    return connection.ops.adapt_datetimefield_value(value)


def _database_hit(cache_key: str, window_seconds: int) -> int:
    # One statement, so no other process can slip between reading the count and writing it:
    # the insert-or-increment takes the row's lock (PostgreSQL) or the database's write lock
    # (SQLite). The ORM has no upsert with an expression, hence the SQL.
    now = timezone.now()
    table, count, name, expires = _names()
    ended = f"{table}.{expires} <= %s"
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({name}, {count}, {expires}) VALUES (%s, 1, %s) "
            f"ON CONFLICT ({name}) DO UPDATE SET "
            f"{count} = CASE WHEN {ended} THEN 1 ELSE {table}.{count} + 1 END, "
            f"{expires} = CASE WHEN {ended} THEN excluded.{expires} ELSE {table}.{expires} END "
            f"RETURNING {count}",
            [cache_key, _adapt(now + timedelta(seconds=window_seconds)), _adapt(now),
             _adapt(now)],
        )
        return int(cursor.fetchone()[0])
