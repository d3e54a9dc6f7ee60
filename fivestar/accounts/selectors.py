"""Queries on people and credentials."""

from datetime import timedelta

from django.db import connection
from django.db.models import Q
from django.utils import timezone

from fivestar.accounts.models import ApiToken, RoleCode, User

# Writing last_used_at on every request would turn each API read into a write; once a minute
# is enough to tell an administrator which tokens are alive.
_LAST_USED_RESOLUTION = timedelta(minutes=1)

# Every API request checks the caller's roles. Read here with a fixed statement on the roles
# table: the ORM spends more time building the query than the database answering it, and
# folding the roles into the token's query (a subquery, an aggregate) cost more than this.
_user_roles = User.roles.through._meta
_ROLE_CODES_SQL = (
    f"SELECT {_user_roles.get_field('role').column} FROM {_user_roles.db_table} "
    f"WHERE {_user_roles.get_field('user').column} = %s"
)


def user_for_token(*, raw: str) -> User | None:
    """The active user a bearer token belongs to, or None for an unknown or revoked token.
    The user's roles are read with it (``User.role_codes()`` then reads nothing)."""
    if not raw or len(raw) > 200:
        return None
    try:
        # The digest is unique: ``get`` spares the ORDER BY that ``first`` would build.
        token = ApiToken.objects.select_related("user").get(
            digest=ApiToken.digest_of(raw), revoked_at__isnull=True, user__is_active=True
        )
    except ApiToken.DoesNotExist:
        return None
    user = token.user
    with connection.cursor() as cursor:
        cursor.execute(_ROLE_CODES_SQL, [user.pk])
        codes = frozenset(code for (code,) in cursor.fetchall())
    # The same set ``User.role_codes()`` would read: superusers are administrators too.
    user._role_codes = codes | {RoleCode.ADMINISTRATOR} if user.is_superuser else codes
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > _LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return user


def active_administrators() -> list[User]:
    """Active users who administer the system: the administrator role, or superusers (who hold
    it implicitly, ``User.role_codes``) — e.g. the first account ``createsuperuser`` makes."""
    return list(
        User.objects.filter(is_active=True)
        .filter(Q(is_superuser=True) | Q(roles__code=RoleCode.ADMINISTRATOR))
        .distinct().order_by("username")
    )
