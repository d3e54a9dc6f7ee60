"""Process-local copies of the SLA configuration (policies with their targets, calendar
snapshots), kept under a version that every change bumps.

Every intake starts the ticket's clocks, and reading the configuration each time cost six to ten
statements. It changes rarely, so each server process keeps what it read in memory, stamped with
the configuration *version* it saw before reading. The version lives in Django's cache:

- a save or delete of a Calendar, WorkingInterval, CalendarOverride, CalendarYear, SlaPolicy or
  SlaTarget bumps it (``SlaConfig.ready`` connects the receivers); bulk writes send no signal
  and call :func:`bump` themselves;
- the bump happens when the change commits (at once outside a transaction), so no process can
  cache the old rows under the new version; until then, code in the changing transaction itself
  reads the database directly, so it sees its own change and never caches it (it may still roll
  back);
- with Redis (``REDIS_URL``) the version is shared: every process sees a change for its next
  ticket. With the default per-process cache it is not, so a change made in another process (the
  admin in another server worker, ``fivestar calendar sync``) is seen within ``TTL`` seconds —
  the same staleness as the priority rules. A copy older than ``TTL`` is read again in any case.
"""

import time
import uuid
from collections.abc import Callable, Hashable

from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections, transaction

VERSION_KEY = "sla:config-version"
#: Seconds a process trusts its copy without a bump it can see (see the module docstring).
TTL = 60.0

# key → (version, monotonic expiry, value). Plain dict operations are atomic under the GIL; two
# threads missing at once both read the database, and the later one's copy stands.
_entries: dict[Hashable, tuple[str, float, object]] = {}


def current_version() -> str:
    version = cache.get(VERSION_KEY)
    if version is None:
        # First use, or the entry was culled: a fresh random version can never match a copy
        # taken under an older one.
        cache.add(VERSION_KEY, uuid.uuid4().hex, None)
        version = cache.get(VERSION_KEY) or ""
    return version


def bump(**_signal_kwargs) -> None:
    """Invalidate every process's copies: at once outside a transaction, else on commit (and
    not at all when it rolls back — nothing changed). Usable as a signal receiver."""
    using = _signal_kwargs.get("using") or DEFAULT_DB_ALIAS
    if connections[using].in_atomic_block and _changed_in_transaction(using):
        return  # already due on this commit
    transaction.on_commit(_new_version, using=using)


def _new_version() -> None:
    cache.set(VERSION_KEY, uuid.uuid4().hex, None)
    _entries.clear()


def _changed_in_transaction(using: str = DEFAULT_DB_ALIAS) -> bool:
    """Whether the open transaction changed the configuration: the bump it queued is still
    pending (Django drops it when the transaction or its savepoint rolls back)."""
    connection = connections[using]
    if not connection.in_atomic_block:
        return False
    return any(entry[1] is _new_version for entry in connection.run_on_commit)


def cached[T](key: Hashable, load: Callable[[], T]) -> T:
    """``load()``'s result, from this process's copy when it is current."""
    if _changed_in_transaction():
        return load()
    version = current_version()
    now = time.monotonic()
    entry = _entries.get(key)
    if entry is not None and entry[0] == version and entry[1] > now:
        return entry[2]  # type: ignore[return-value]
    value = load()
    # Stamped with the version read *before* loading: a bump in between makes it stale at once.
    _entries[key] = (version, now + TTL, value)
    return value
