"""Priority proposed from the request's text (SPEC §3), from keyword rules kept as data."""

import re

from django.core.cache import cache

from fivestar.tickets.models import Priority, PriorityRule

DEFAULT_PRIORITY = Priority.P3
_RANK = {Priority.P1: 1, Priority.P2: 2, Priority.P3: 3}
# Every intake reads the rules; they change rarely. Saving or deleting a rule clears the cached
# copy (see TicketsConfig.ready); with the default per-process cache other processes see the
# change within RULES_TTL seconds, with Redis at once.
RULES_CACHE_KEY = "tickets:priority-rules:v1"
RULES_TTL = 60
# English keywords match whole words, with the usual endings ("leaking", "errors").
_ENGLISH_ENDINGS = r"(?:s|es|ed|ing)?"


def propose_priority(*, text: str) -> tuple[str, list[str]]:
    """The most urgent priority whose keyword occurs in ``text`` (case-insensitive), with the
    keywords that matched; P3 when none does."""
    haystack = (text or "").casefold()
    best = DEFAULT_PRIORITY
    matched: list[str] = []
    for keyword, priority in active_rules():
        if keyword and _occurs(keyword.casefold(), haystack):
            matched.append(keyword)
            if _RANK[Priority(priority)] < _RANK[best]:
                best = Priority(priority)
    return str(best), matched


def active_rules() -> list[tuple[str, str]]:
    rules = cache.get(RULES_CACHE_KEY)
    if rules is None:
        rules = list(
            PriorityRule.objects.filter(is_active=True).values_list("keyword", "priority")
        )
        cache.set(RULES_CACHE_KEY, rules, RULES_TTL)
    return rules


def forget_rules(**_kwargs) -> None:
    cache.delete(RULES_CACHE_KEY)


def _occurs(keyword: str, haystack: str) -> bool:
    """Chinese keywords match anywhere (the language has no spaces between words). A keyword
    that starts or ends with a Latin letter or digit matches whole words only, so that "down" is
    not found in "download" nor "fire" in "firmware"."""
    if keyword not in haystack:
        return False
    pattern = re.escape(keyword)
    if _is_latin(keyword[0]):
        pattern = r"(?<![a-z0-9])" + pattern
    if _is_latin(keyword[-1]):
        pattern += _ENGLISH_ENDINGS + r"(?![a-z0-9])"
    return re.search(pattern, haystack) is not None


def _is_latin(char: str) -> bool:
    return char.isascii() and char.isalnum()
