"""REST API v1 (DESIGN.md "API v1 contract"): one NinjaAPI, one error renderer.

Every error leaves as ``{"error": {"code", "message", "fields"}}`` with its HTTP status; bad input
never becomes an HTML page or a 500.
"""

import json
import logging
from datetime import datetime

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser
from ninja.renderers import JSONRenderer
from ninja.responses import NinjaJSONEncoder
from ninja.security import HttpBearer, SessionAuth

from fivestar.accounts.selectors import user_for_token
from fivestar.core.errors import CoreErrorCode, DomainError, ErrorCode
from fivestar.core.schema_errors import field_message

logger = logging.getLogger(__name__)


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str):
        user = user_for_token(raw=token)
        if user is not None:
            request.user = user
        return user


class SessionCookie(SessionAuth):
    """The browser session, for calls made by the pages. Its CSRF check applies only to a
    request the session signs someone in: a request with neither a session nor a valid token
    goes on to the 401 with ``WWW-Authenticate: Bearer`` that DESIGN.md promises, not to
    "CSRF check failed"."""

    def _get_key(self, request: HttpRequest) -> str | None:
        if not getattr(request.user, "is_authenticated", False):
            return None
        return super()._get_key(request)


class LocalTimeEncoder(NinjaJSONEncoder):
    """Times leave in the configured time zone with their offset (2026-11-24T09:30:00+08:00)."""

    def default(self, o):
        if isinstance(o, datetime) and timezone.is_aware(o):
            return timezone.localtime(o).isoformat()
        return super().default(o)


class LocalTimeRenderer(JSONRenderer):
    encoder_class = LocalTimeEncoder
    json_dumps_params = {"ensure_ascii": False}


class LenientParser(Parser):
    """An empty body is an empty object (``POST .../actions/accept`` needs no body), and a form
    post is read as its fields, so ``curl -d reason=...`` works as well as JSON."""

    def parse_body(self, request: HttpRequest):
        if request.content_type in {"multipart/form-data", "application/x-www-form-urlencoded"}:
            return request.POST.dict()
        if not request.body.strip():
            return {}
        data = json.loads(request.body)
        if where := _nul_in(data):
            # PostgreSQL cannot store or compare text with a NUL in it (fivestar.middleware).
            raise ValidationError([{"type": "string_nul", "loc": ("body", *where),
                                    "msg": _("不能包含 NUL 字符。")}])
        return data


def _nul_in(value: object, path: tuple = ()) -> tuple | None:
    """Where in a parsed JSON body a string (or key) holds a NUL character, or None."""
    if isinstance(value, str):
        return path if "\x00" in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            if "\x00" in key:
                return (*path, key.replace("\x00", ""))
            if (found := _nul_in(item, (*path, key))) is not None:
                return found
    if isinstance(value, list):
        for index, item in enumerate(value):
            if (found := _nul_in(item, (*path, index))) is not None:
                return found
    return None


api = NinjaAPI(
    title="fivestar API",
    version="1",
    description="五星售后服务管理系统 REST API v1",
    urls_namespace="api-v1",
    auth=[BearerToken(), SessionCookie()],
    docs_url="/docs",
    openapi_url="/openapi.json",
    renderer=LocalTimeRenderer(),
    parser=LenientParser(),
)


def error_response(
    request: HttpRequest, *, code: ErrorCode | str, message: str, status: int | None = None,
    fields: dict[str, list[str]] | None = None, extra: dict | None = None,
) -> HttpResponse:
    """The JSON error shape; the status is the code's own unless given."""
    body = {"error": {"code": code, "message": message, "fields": fields or {}, **(extra or {})}}
    return api.create_response(request, body, status=status or code.status)


@api.exception_handler(DomainError)
def _domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return error_response(request, status=exc.status, code=exc.code, message=exc.message,
                          fields=exc.fields, extra=exc.extra)


def _field_name(loc: tuple | list) -> str:
    # ninja's locations start with where the value came from ("body", "query", "path") and the
    # parameter's name; the client knows the field by the rest.
    parts = [str(part) for part in loc]
    if parts and parts[0] in {"body", "query", "path", "header", "form", "file"}:
        parts = parts[1:]
    if len(parts) > 1 and parts[0] in {"payload", "body", "filters", "data"}:
        parts = parts[1:]
    return ".".join(parts) or "body"


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    fields: dict[str, list[str]] = {}
    for error in exc.errors:
        name = _field_name(error.get("loc", ()))
        fields.setdefault(name, []).append(field_message(error=error))
    if not fields:
        fields = {"body": [_("请求体不是有效的 JSON。")]}
    return error_response(request, code=CoreErrorCode.VALIDATION_FAILED,
                          message=_("请求内容有误，请检查标出的字段。"), fields=fields)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = error_response(request, code=CoreErrorCode.UNAUTHENTICATED,
                              message=_("需要有效的 API 令牌（Authorization: Bearer …）。"))
    response["WWW-Authenticate"] = 'Bearer realm="fivestar"'
    return response


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error_response(request, code=CoreErrorCode.NOT_FOUND, message=_("没有找到。"))


@api.exception_handler(RequestDataTooBig)
def _too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return error_response(request, code=CoreErrorCode.PAYLOAD_TOO_LARGE,
                          message=_("请求体太大。"))


@api.exception_handler(SuspiciousOperation)
def _unreadable(request: HttpRequest, exc: SuspiciousOperation) -> HttpResponse:
    return error_response(request, code=CoreErrorCode.BAD_REQUEST, message=_("请求无法解析。"))


def unknown_path(request: HttpRequest, *args, **kwargs) -> HttpResponse:
    """Any path under /api/v1/ that names no operation: the JSON 404, never an HTML page."""
    return error_response(request, code=CoreErrorCode.NOT_FOUND, message=_("没有这个接口地址。"))


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if isinstance(exc.__cause__, ValidationError):
        # ninja wraps whatever the body parser raises into "cannot parse"; a field the parser
        # refused (a NUL character) is named as such.
        return _validation_error(request, exc.__cause__)
    codes = {code.status: code for code in (
        CoreErrorCode.BAD_REQUEST, CoreErrorCode.UNAUTHENTICATED,
        CoreErrorCode.PERMISSION_DENIED, CoreErrorCode.NOT_FOUND,
        CoreErrorCode.METHOD_NOT_ALLOWED, CoreErrorCode.PAYLOAD_TOO_LARGE,
        CoreErrorCode.THROTTLED,
    )}
    message = str(exc)
    if exc.status_code == 400 and message.startswith("Cannot parse request body"):
        # ninja's own words for a body our parser could not read (LenientParser).
        message = _("请求体不是有效的 JSON。")
    return error_response(request, status=exc.status_code,
                          code=codes.get(exc.status_code, CoreErrorCode.BAD_REQUEST),
                          message=message)


@api.exception_handler(Exception)
def _unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("unexpected error in %s %s", request.method, request.path)
    return error_response(request, code=CoreErrorCode.INTERNAL_ERROR,
                          message=_("服务器内部错误，已记录。"))


from fivestar.tickets.api import router as tickets_router  # noqa: E402

api.add_router("/tickets", tickets_router)
api.add_router("/sla", "fivestar.sla.api.router")
api.add_router("/surveys", "fivestar.surveys.api.router")
# Quotes live under a ticket: /api/v1/tickets/{number}/quotes (SPEC §4).
api.add_router("/tickets", "fivestar.dispatch.api.router")
