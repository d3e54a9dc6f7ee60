"""Domain errors: one base class with a stable code and an HTTP status.

Services raise these; the API turns them into the JSON error shape and the pages into a message
beside the field, each in one place (``fivestar.api`` and the form helpers).

Every code is a member of an ``ErrorCode`` enum — the ground floor's own (``CoreErrorCode``) or
one per app (``<app>/errors.py``) — with its HTTP status and its meaning; ``docs/errors.md`` is
generated from them (``tests/core/test_error_codes.py`` keeps it current).
"""

from collections.abc import Iterable, Mapping
from enum import StrEnum

from django.utils.translation import gettext_lazy as _


class ErrorCode(StrEnum):
    """The base of the error-code enums. A member is ``NAME = "code", status, meaning``: the
    stable code clients read, the HTTP status it answers with, and what it means (a lazy
    translation, for the documentation)."""

    def __new__(cls, code: str, status: int = 400, meaning: object = ""):
        member = str.__new__(cls, code)
        member._value_ = code
        member.status = status
        member.meaning = meaning
        return member


class CoreErrorCode(ErrorCode):
    """Codes every part of the system may answer with."""

    DOMAIN_ERROR = "domain_error", 400, _("请求违反了业务规则。")
    BAD_REQUEST = "bad_request", 400, _("请求无法解析（例如不是有效的 JSON）。")
    UNAUTHENTICATED = "unauthenticated", 401, _("缺少或无效的 API 令牌或登录会话。")
    PERMISSION_DENIED = "permission_denied", 403, _("您的角色不允许这个操作。")
    NOT_FOUND = "not_found", 404, _("没有找到，或您无权查看。")
    METHOD_NOT_ALLOWED = "method_not_allowed", 405, _("这个地址不支持该 HTTP 方法。")
    CONFLICT = "conflict", 409, _("操作与当前状态冲突（例如并发修改）。")
    PAYLOAD_TOO_LARGE = "payload_too_large", 413, _("请求或文件太大。")
    VALIDATION_FAILED = "validation_failed", 422, _("输入有误；fields 指出哪些字段、为什么。")
    THROTTLED = "throttled", 429, _("操作太频繁，请稍后再试。")
    INTERNAL_ERROR = "internal_error", 500, _("服务器内部错误（已记录）；不是输入的问题。")


class DomainError(Exception):
    """A rule of the domain was broken. ``code`` is stable and documented; ``message`` is shown."""

    code: str = CoreErrorCode.DOMAIN_ERROR
    status = 400

    def __init__(
        self,
        message: str,
        *,
        code: ErrorCode | None = None,
        fields: Mapping[str, Iterable[str]] | None = None,
        extra: Mapping[str, object] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = str(message)
        if code:
            self.code = code
            if isinstance(code, ErrorCode):
                # A code carries its own status: the 409 of ``already_taken`` whatever class
                # raised it.
                self.status = code.status
        self.fields = {name: [str(m) for m in msgs] for name, msgs in (fields or {}).items()}
        self.extra = dict(extra or {})


class ValidationFailed(DomainError):
    """Input is well-formed but breaks a rule: a field is missing, unknown or out of range."""

    code = CoreErrorCode.VALIDATION_FAILED
    status = 422


class NotFound(DomainError):
    code = CoreErrorCode.NOT_FOUND
    status = 404


class PermissionDenied(DomainError):
    """The actor's roles do not allow this command."""

    code = CoreErrorCode.PERMISSION_DENIED
    status = 403


class Conflict(DomainError):
    """The command does not fit the current state (a forbidden transition, a lost race)."""

    code = CoreErrorCode.CONFLICT
    status = 409


class PayloadTooLarge(DomainError):
    code = CoreErrorCode.PAYLOAD_TOO_LARGE
    status = 413


class TooManyRequests(DomainError):
    """A rate limit was reached; the message says when to try again."""

    code = CoreErrorCode.THROTTLED
    status = 429


def error_code_enums() -> list[type[ErrorCode]]:
    """Every error-code enum of the installed apps: the ground floor's, then each app's
    ``<app>/errors.py`` in the order of ``INSTALLED_APPS``."""
    from importlib import import_module
    from importlib.util import find_spec

    from django.apps import apps

    found: list[type[ErrorCode]] = [CoreErrorCode]
    for config in apps.get_app_configs():
        name = f"{config.name}.errors"
        if config.name.startswith("fivestar.") and find_spec(name) is not None:
            module = import_module(name)
            found += [value for value in vars(module).values()
                      if isinstance(value, type) and issubclass(value, ErrorCode)
                      and value is not ErrorCode and value not in found]
    return found


def error_codes_markdown() -> str:
    """``docs/errors.md``: every code, its HTTP status and its meaning, in Chinese and English
    (generated; ``tests/core/test_error_codes.py`` keeps the file current)."""
    from django.utils import translation

    lines = [
        "# Error codes / 错误代码",
        "",
        "Every error the API answers with is `{\"error\": {\"code\", \"message\", \"fields\"}}`"
        " with the HTTP status below; `message` is in the request's language (`Accept-Language`),"
        " `fields` names the fields at fault. The codes are stable: clients read `code`, people"
        " read `message`.",
        "",
        "Generated from the `ErrorCode` enums (`fivestar/core/errors.py` and each app's"
        " `errors.py`) by `tests/core/test_error_codes.py`; do not edit by hand.",
    ]
    for enum in error_code_enums():
        app = enum.__module__.split(".")[1]
        lines += ["", f"## {app}", "", "| code | HTTP | 含义 | meaning |", "|---|---|---|---|"]
        for member in enum:
            with translation.override("zh-hans"):
                chinese = str(member.meaning)
            with translation.override("en"):
                english = str(member.meaning)
            lines.append(f"| `{member.value}` | {member.status} | {chinese} | {english} |")
    return "\n".join(lines) + "\n"
