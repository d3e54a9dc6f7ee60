"""Domain errors: one base class with a stable code and an HTTP status.

Services raise these; the API turns them into the JSON error shape and the pages into a message
beside the field, each in one place (``fivestar.api`` and the form helpers).
"""

from collections.abc import Iterable, Mapping


class DomainError(Exception):
    """A rule of the domain was broken. ``code`` is stable and documented; ``message`` is shown."""

    code = "domain_error"
    status = 400

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        fields: Mapping[str, Iterable[str]] | None = None,
        extra: Mapping[str, object] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = str(message)
        if code:
            self.code = code
        self.fields = {name: [str(m) for m in msgs] for name, msgs in (fields or {}).items()}
        self.extra = dict(extra or {})


class ValidationFailed(DomainError):
    """Input is well-formed but breaks a rule: a field is missing, unknown or out of range."""

    code = "validation_failed"
    status = 422


class NotFound(DomainError):
    code = "not_found"
    status = 404


class PermissionDenied(DomainError):
    """The actor's roles do not allow this command."""

    code = "permission_denied"
    status = 403


class Conflict(DomainError):
    """The command does not fit the current state (a forbidden transition, a lost race)."""

    code = "conflict"
    status = 409


class PayloadTooLarge(DomainError):
    code = "payload_too_large"
    status = 413
