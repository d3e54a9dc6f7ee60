"""What an API operation can answer, for the OpenAPI document (DESIGN.md "API v1 contract").

Every operation may answer 400 (a request that cannot be read: a NUL character, a malformed
body), 401 (no valid token or session), 403 (the caller's roles do not allow it, or a session
call without its CSRF token) and 422 (input that breaks a rule); ``answers`` adds those to the
operation's own success schema, and the operation names the others it can give: 404 (what the
path names does not exist or is not visible to the caller), 409 (the state does not allow it),
413 (a body over the size limit).
"""

from typing import Any

from ninja import Schema
from pydantic import ConfigDict

COMMON_ERRORS = (400, 401, 403, 422)


class ErrorDetail(Schema):
    # Some errors add what the client needs to recover, e.g. a 409's ``allowed_actions``.
    model_config = ConfigDict(extra="allow")

    code: str
    message: str
    fields: dict[str, list[str]]


class ErrorOut(Schema):
    """``{"error": {"code", "message", "fields"}}``: every error the API answers."""

    error: ErrorDetail


def answers(ok: Any, *errors: int) -> dict[int, Any]:
    """``response=`` for an operation: ``ok`` (a schema for 200, or ``{status: schema}``), the
    errors every operation can give, and ``errors``."""
    documented = dict(ok) if isinstance(ok, dict) else {200: ok}
    for status in sorted({*COMMON_ERRORS, *errors}):
        documented.setdefault(status, ErrorOut)
    return documented
