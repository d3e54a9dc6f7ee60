"""Counting attempts in the cache: login failures, one-time codes, portal submissions.

The cache is per process by default and shared through Redis when ``REDIS_URL`` is set, which
is what several web nodes need for a limit to hold across them.
"""

import hashlib
from dataclasses import dataclass

from django.core.cache import cache


@dataclass(frozen=True)
class Throttle:
    """At most ``limit`` hits per ``window_seconds`` for one key within ``scope``."""

    scope: str
    limit: int
    window_seconds: int

    def _key(self, key: str) -> str:
        # Keys carry user input (usernames, phones): hash them so the cache never sees raw PII.
        digest = hashlib.sha256(key.encode()).hexdigest()[:32]
        return f"throttle:{self.scope}:{digest}"

    def hits(self, key: str) -> int:
        return int(cache.get(self._key(key), 0))

    def blocked(self, key: str) -> bool:
        return self.hits(key) >= self.limit

    def hit(self, key: str) -> int:
        """Count one attempt; returns the attempts so far inside the window."""
        cache_key = self._key(key)
        if cache.add(cache_key, 1, timeout=self.window_seconds):
            return 1
        try:
            return cache.incr(cache_key)
        except ValueError:  # expired between add and incr
            cache.set(cache_key, 1, timeout=self.window_seconds)
            return 1

    def reset(self, key: str) -> None:
        cache.delete(self._key(key))
