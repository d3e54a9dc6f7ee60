"""Schema errors in the reader's language (DESIGN.md "API v1 contract": the JSON error shape).

A request that does not fit an API schema is reported by pydantic as a list of errors, each with
a machine ``type`` ("missing", "string_too_long", "literal_error"…), its context ``ctx`` (the
limit, the allowed values) and an English ``msg``. The API shows each field's problem in the
request's language: the type and its context choose a message here, with a Chinese msgid and
its English in the catalog. A type not listed keeps pydantic's own text, so nothing is lost.
"""

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

_DATE = _("不是有效的日期，请用 YYYY-MM-DD 格式。")
_DATETIME = _("不是有效的时间，请用带时区的 ISO 8601 格式，例如 2026-11-24T09:30:00+08:00。")
_TIME = _("不是有效的时刻，请用 HH:MM 格式。")
_INTEGER = _("应为整数。")
_NUMBER = _("应为数字。")
_TEXT = _("应为文本。")
_BOOLEAN = _("应为 true 或 false。")
_OBJECT = _("应为 JSON 对象。")
_ARRAY = _("应为 JSON 数组。")
_CHOICE = _("不是可选的值。可选：%(expected)s。")

#: pydantic error type → message; ``%(name)s`` takes the error's ``ctx[name]``.
MESSAGES: dict[str, Promise] = {
    "missing": _("必填。"),
    "extra_forbidden": _("不认识的字段。"),
    # types
    "string_type": _TEXT,
    "string_sub_type": _TEXT,
    "string_unicode": _TEXT,
    "int_type": _INTEGER,
    "int_parsing": _INTEGER,
    "int_from_float": _INTEGER,
    "int_parsing_size": _("数值超出范围。"),
    "float_type": _NUMBER,
    "float_parsing": _NUMBER,
    "decimal_type": _NUMBER,
    "decimal_parsing": _NUMBER,
    "bool_type": _BOOLEAN,
    "bool_parsing": _BOOLEAN,
    "dict_type": _OBJECT,
    "model_type": _OBJECT,
    "model_attributes_type": _OBJECT,
    "list_type": _ARRAY,
    "tuple_type": _ARRAY,
    "set_type": _ARRAY,
    "json_invalid": _("不是有效的 JSON。"),
    "json_type": _("不是有效的 JSON。"),
    "uuid_type": _("不是有效的 UUID。"),
    "uuid_parsing": _("不是有效的 UUID。"),
    "url_type": _("不是有效的网址。"),
    "url_parsing": _("不是有效的网址。"),
    "url_scheme": _("不是有效的网址。"),
    # choices
    "literal_error": _CHOICE,
    "enum": _CHOICE,
    # sizes and ranges
    "string_too_short": _("太短（至少 %(min_length)s 个字符）。"),
    "string_too_long": _("太长（最多 %(max_length)s 个字符）。"),
    "too_short": _("项数太少（至少 %(min_length)s 项）。"),
    "too_long": _("项数太多（最多 %(max_length)s 项）。"),
    "string_pattern_mismatch": _("格式不正确。"),
    "greater_than": _("应大于 %(gt)s。"),
    "greater_than_equal": _("不能小于 %(ge)s。"),
    "less_than": _("应小于 %(lt)s。"),
    "less_than_equal": _("不能大于 %(le)s。"),
    "multiple_of": _("应为 %(multiple_of)s 的倍数。"),
    # dates and times
    "date_type": _DATE,
    "date_parsing": _DATE,
    "date_from_datetime_parsing": _DATE,
    "date_from_datetime_inexact": _DATE,
    "date_past": _("应为过去的日期。"),
    "date_future": _("应为将来的日期。"),
    "datetime_type": _DATETIME,
    "datetime_parsing": _DATETIME,
    "datetime_from_date_parsing": _DATETIME,
    "datetime_object_invalid": _DATETIME,
    "datetime_past": _("应为过去的时间。"),
    "datetime_future": _("应为将来的时间。"),
    "timezone_aware": _("时间需要带时区，例如 2026-11-24T09:30:00+08:00。"),
    "timezone_naive": _("时间不能带时区。"),
    "time_type": _TIME,
    "time_parsing": _TIME,
    "time_delta_type": _("不是有效的时长，请用 ISO 8601（例如 PT4H）或秒数。"),
    "time_delta_parsing": _("不是有效的时长，请用 ISO 8601（例如 PT4H）或秒数。"),
}

_QUOTED = re.compile(r"'((?:[^'\\]|\\.)*)'")


def _allowed(expected: object) -> str:
    """pydantic's ``"'phone', 'web' or 'api'"`` as ``phone, web, api`` (the codes a client
    sends, in either language)."""
    text = str(expected)
    values = _QUOTED.findall(text)
    return ", ".join(values) if values else text


def _number(value: object) -> str:
    """A limit as written: ``10`` rather than pydantic's ``10.0`` for a float field."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


_CONTEXT: dict[str, Callable[[object], str]] = {
    "expected": _allowed,
    **dict.fromkeys(("gt", "ge", "lt", "le", "multiple_of"), _number),
}

#: "At least 1" said the way people say it.
_AT_LEAST_ONE = {"string_too_short": _("不能为空。"), "too_short": _("至少要有一项。")}


def field_message(*, error: Mapping[str, Any]) -> str:
    """The message for one pydantic error, in the active language.

    A custom validator's ``ValueError`` says what it means (``ctx["error"]``); a type not
    listed in ``MESSAGES``, or a message whose context is missing, keeps pydantic's ``msg``.
    """
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    fallback = str(error.get("msg") or kind or "invalid")
    if kind in ("value_error", "assertion_error") and ctx.get("error"):
        return str(ctx["error"])
    message = MESSAGES.get(kind)
    if kind in _AT_LEAST_ONE and str(ctx.get("min_length")) == "1":
        message = _AT_LEAST_ONE[kind]
    if message is None:
        return fallback
    text = str(message)
    if "%(" not in text:
        return text
    try:
        return text % {name: _CONTEXT.get(name, str)(value) for name, value in ctx.items()}
    except (KeyError, TypeError, ValueError):
        return fallback


def fields_of(errors: Iterable[Mapping[str, Any]]) -> dict[str, list[str]]:
    """pydantic's errors as the error shape's ``fields``: each message under the name of the
    field it is about (dotted for a nested one; ``body`` for the body as a whole)."""
    fields: dict[str, list[str]] = {}
    for error in errors:
        name = ".".join(str(part) for part in error.get("loc", ())) or "body"
        fields.setdefault(name, []).append(field_message(error=error))
    return fields
