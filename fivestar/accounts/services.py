"""Commands on people and their credentials."""

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from fivestar.accounts.models import ApiToken, Role, RoleCode, User
from fivestar.accounts.selectors import forget_tokens


def create_api_token(*, user: User, name: str = "") -> tuple[ApiToken, str]:
    """Create a bearer token for ``user``; returns the row and the raw token, shown only once."""
    raw = ApiToken.generate_raw()
    token = ApiToken.objects.create(
        user=user, name=name, prefix=raw[:10], digest=ApiToken.digest_of(raw)
    )
    return token, raw


def revoke_api_tokens(*, tokens: QuerySet[ApiToken]) -> int:
    """Revoke the given tokens at once; already revoked ones keep their first revocation time.
    Returns how many were revoked now."""
    count = tokens.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
    forget_tokens()
    return count


def grant_roles(*, user: User, roles: list[str]) -> None:
    """Give ``user`` the roles named by code, keeping the ones already held."""
    with transaction.atomic():
        for code in roles:
            role, _ = Role.objects.get_or_create(code=RoleCode(code))
            user.roles.add(role)
    user._role_codes = None
