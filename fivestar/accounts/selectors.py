"""Queries on people and credentials."""

import threading
import time
from datetime import timedelta

from django.core.cache import cache
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


# Every API request authenticates. A token's user and roles are kept per process for
# TOKEN_CACHE_SECONDS after they were read: two statements and a model built by the ORM cost
# about a millisecond of a request that otherwise costs a few. Any change to a token, a user or
# a user's roles made through the models or ``revoke_api_tokens`` forgets every kept token at
# once — in this process, and with a shared cache (Redis) in every process; other processes of
# a server without Redis see it within TOKEN_CACHE_SECONDS.
TOKEN_CACHE_SECONDS = 10.0
_TOKEN_CACHE_LIMIT = 2000
_GENERATION_KEY = "accounts:token-generation:v1"
_USER_FIELDS = [f.attname for f in User._meta.concrete_fields]
_tokens: dict[str, tuple] = {}
_tokens_lock = threading.Lock()


def forget_tokens(**_ignored) -> None:
    """Forget every token kept by ``user_for_token`` (connected to the signals of tokens, users
    and roles; called by ``revoke_api_tokens``)."""
    with _tokens_lock:
        _tokens.clear()
    cache.set(_GENERATION_KEY, time.time_ns(), None)


def user_for_token(*, raw: str) -> User | None:
    """The active user a bearer token belongs to, or None for an unknown or revoked token.
    The user's roles are read with it (``User.role_codes()`` then reads nothing)."""
    if not raw or len(raw) > 200:
        return None
    digest = ApiToken.digest_of(raw)
    generation = cache.get(_GENERATION_KEY, 0)
    kept = _tokens.get(digest)
    if kept is None or kept[0] != generation or kept[1] < time.monotonic():
        kept = _read_token(digest, generation)
        if kept is None:
            return None
    _, _, token_pk, values, codes, last_used_at = kept
    now = timezone.now()
    if last_used_at is None or now - last_used_at > _LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token_pk).update(last_used_at=now)
        with _tokens_lock:
            _tokens[digest] = (*kept[:5], now)
    # A new object per request: a request may change its user object without touching others.
    user = User.from_db(connection.alias, _USER_FIELDS, values)
    user._role_codes = codes
    return user


def _read_token(digest: str, generation: int) -> tuple | None:
    try:
        # The digest is unique: ``get`` spares the ORDER BY that ``first`` would build.
        token = ApiToken.objects.select_related("user").get(
            digest=digest, revoked_at__isnull=True, user__is_active=True
        )
    except ApiToken.DoesNotExist:
        return None
    user = token.user
    with connection.cursor() as cursor:
        cursor.execute(_ROLE_CODES_SQL, [user.pk])
        codes = frozenset(code for (code,) in cursor.fetchall())
    # The same set ``User.role_codes()`` would read: superusers are administrators too.
    codes = codes | {RoleCode.ADMINISTRATOR} if user.is_superuser else codes
    kept = (generation, time.monotonic() + TOKEN_CACHE_SECONDS, token.pk,
            tuple(getattr(user, name) for name in _USER_FIELDS), codes, token.last_used_at)
    with _tokens_lock:
        if len(_tokens) >= _TOKEN_CACHE_LIMIT:
            _tokens.clear()
        _tokens[digest] = kept
    return kept


def active_administrators() -> list[User]:
    """Active users who administer the system: the administrator role, or superusers (who hold
    it implicitly, ``User.role_codes``) — e.g. the first account ``createsuperuser`` makes."""
    return list(
        User.objects.filter(is_active=True)
        .filter(Q(is_superuser=True) | Q(roles__code=RoleCode.ADMINISTRATOR))
        .distinct().order_by("username")
    )
