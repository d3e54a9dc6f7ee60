"""Message templates read from a cache: every intake queues a message, and templates change
rarely. ``MessageTemplate.save``/``delete`` call ``forget_templates``."""

import uuid

from django.core.cache import cache
from django.db import transaction

from fivestar.notifications.models import MessageTemplate
from fivestar.notifications.selectors import template_for

# The template rows themselves: every intake queues a message, and templates change rarely.
# Saving or deleting a template (``MessageTemplate.save``/``delete``) makes every cached copy
# stale by changing the version in the keys; with the default per-process cache other processes
# see an edit within TEMPLATE_CACHE_TTL seconds, with Redis at once — as for the priority rules.
TEMPLATE_CACHE_TTL = 60
_TEMPLATES_VERSION_KEY = "notifications:templates-version"
_MISSING = "missing"


def _templates_version() -> str:
    version = cache.get(_TEMPLATES_VERSION_KEY)
    if version is None:
        # A fresh random version never matches copies cached under an older one.
        cache.add(_TEMPLATES_VERSION_KEY, uuid.uuid4().hex, None)
        version = cache.get(_TEMPLATES_VERSION_KEY) or ""
    return version


def cached_template(*, code: str, channel: str, language: str) -> MessageTemplate | None:
    """``template_for``, from the cache when it holds the answer."""
    key = f"notifications:template:{_templates_version()}:{code}:{channel}:{language}"
    template = cache.get(key)
    if template is None:
        template = template_for(code=code, channel=channel, language=language) or _MISSING
        cache.set(key, template, TEMPLATE_CACHE_TTL)
    return None if template == _MISSING else template


def forget_templates() -> None:
    """Every cached template is stale: now, and again when the changing transaction commits,
    so that nothing read in between (the old row) outlives the change."""

    def new_version() -> None:
        cache.set(_TEMPLATES_VERSION_KEY, uuid.uuid4().hex, None)

    new_version()
    transaction.on_commit(new_version)
