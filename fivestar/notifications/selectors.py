"""Queries of the notifications app: which template, which language."""

from django.conf import settings

from fivestar.notifications.models import MessageTemplate


def default_language() -> str:
    """The language customers get unless they chose one: the site's (zh-hans by default)."""
    return settings.LANGUAGE_CODE.lower()


def language_of(person: object) -> str:
    """The language to write to ``person`` in: their own ``language`` when they have one (staff
    users do), else the site's default (customers, SPEC §2: zh-Hans)."""
    chosen = (getattr(person, "language", "") or "").lower()
    known = {code.lower() for code, _name in settings.LANGUAGES}
    return chosen if chosen in known else default_language()


def template_for(*, code: str, channel: str, language: str) -> MessageTemplate | None:
    """The template for ``code`` on ``channel`` in ``language``, falling back to the site's
    default language; None when neither exists (the message is then not sent)."""
    candidates = [language.lower()]
    if default_language() not in candidates:
        candidates.append(default_language())
    rows = {
        row.language: row
        for row in MessageTemplate.objects.filter(
            code=code, channel=channel, language__in=candidates
        )
    }
    for candidate in candidates:
        if candidate in rows:
            return rows[candidate]
    return None
