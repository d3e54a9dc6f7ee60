"""Two guards around every view: bad requests answered before any view runs, and the API's 405
put into its JSON error shape.

``RejectNulMiddleware`` refuses a request carrying a NUL character where no text may have one.

PostgreSQL cannot store or compare a string with a NUL (0x00) in it: psycopg raises, and a
``?q=%00`` or a ticket number ``SR%00`` became a 500 (or, with DEBUG on, Django's debug page).
No legitimate input contains one, so a NUL in the path, the query string, a header or a form
field is a 400 here — the API's JSON error body under ``/api/``, a plain page elsewhere. JSON
bodies are checked by the API's parser (``fivestar.api.LenientParser``), where the field with
the NUL can be named.
"""

from collections.abc import Callable

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from fivestar.core.errors import CoreErrorCode

NUL = "\x00"
API_PREFIX = "/api/"
FORM_TYPES = {"application/x-www-form-urlencoded", "multipart/form-data"}


def _has_nul(request: HttpRequest) -> bool:
    if NUL in request.path:
        return True
    if any(NUL in key or any(NUL in value for value in values)
           for key, values in request.GET.lists()):
        return True
    if any(NUL in value for key, value in request.META.items()
           if key.startswith("HTTP_") and isinstance(value, str)):
        return True
    if request.method in {"POST", "PUT", "PATCH"} and request.content_type in FORM_TYPES:
        if any(NUL in key or any(NUL in value for value in values)
               for key, values in request.POST.lists()):
            return True
        if any(NUL in (upload.name or "") for upload in request.FILES.values()):
            return True
    return False


def bad_request(request: HttpRequest, *, code: CoreErrorCode, message: str) -> HttpResponse:
    """The 4xx answer in the form the caller reads: JSON under /api/, a page elsewhere."""
    if request.path.startswith(API_PREFIX):
        from fivestar.api import error_response

        return error_response(request, code=code, message=message)
    return render(request, "400.html", {"message": message}, status=code.status)


class RejectNulMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            refused = _has_nul(request)
        except RequestDataTooBig:
            return bad_request(request, code=CoreErrorCode.PAYLOAD_TOO_LARGE,
                               message=_("请求体太大。"))
        except SuspiciousOperation:
            return bad_request(request, code=CoreErrorCode.BAD_REQUEST,
                               message=_("请求无法解析。"))
        if refused:
            return bad_request(request, code=CoreErrorCode.BAD_REQUEST,
                               message=_("请求中含有不允许的字符（NUL）。"))
        return self.get_response(request)


class ApiJsonErrorsMiddleware:
    """django-ninja answers a method a path does not take with a plain-text 405; under /api/ it
    leaves as the JSON error body every API client reads (DESIGN.md "API v1 contract"), with
    its ``Allow`` header."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (response.status_code == 405 and request.path.startswith(API_PREFIX)
                and not response.get("Content-Type", "").startswith("application/json")):
            answer = bad_request(request, code=CoreErrorCode.METHOD_NOT_ALLOWED,
                                 message=_("这个地址不接受 %(method)s 请求。")
                                 % {"method": request.method[:10]})
            if "Allow" in response:
                answer["Allow"] = response["Allow"]
            return answer
        return response
