"""Priority proposed from the request's text (SPEC §3), from keyword rules kept as data."""

from fivestar.tickets.models import Priority, PriorityRule

DEFAULT_PRIORITY = Priority.P3
_RANK = {Priority.P1: 1, Priority.P2: 2, Priority.P3: 3}


def propose_priority(*, text: str) -> tuple[str, list[str]]:
    """The most urgent priority whose keyword occurs in ``text`` (case-insensitive), with the
    keywords that matched; P3 when none does."""
    haystack = (text or "").casefold()
    best = DEFAULT_PRIORITY
    matched: list[str] = []
    for keyword, priority in PriorityRule.objects.filter(is_active=True).values_list(
        "keyword", "priority"
    ):
        if keyword and keyword.casefold() in haystack:
            matched.append(keyword)
            if _RANK[Priority(priority)] < _RANK[best]:
                best = Priority(priority)
    return str(best), matched
