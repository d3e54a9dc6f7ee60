"""Queries on people and credentials."""

from datetime import timedelta

from django.utils import timezone

from fivestar.accounts.models import ApiToken, User

# Writing last_used_at on every request would turn each API read into a write; once a minute
# is enough to tell an administrator which tokens are alive.
_LAST_USED_RESOLUTION = timedelta(minutes=1)


def user_for_token(*, raw: str) -> User | None:
    """The active user a bearer token belongs to, or None for an unknown or revoked token."""
    if not raw or len(raw) > 200:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=ApiToken.digest_of(raw), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > _LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
