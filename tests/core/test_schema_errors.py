"""The API's schema errors speak the request's language (Accept-Language): the same bad request
gets Chinese field messages by default and English ones with ``Accept-Language: en``, in the
unchanged JSON error shape. A pydantic error type without a message of ours keeps pydantic's
text."""

import re

import pytest
from django.utils import translation
from pydantic import BaseModel, ConfigDict, Field
from pydantic import ValidationError as PydanticValidationError

from fivestar.core.schema_errors import _AT_LEAST_ONE, MESSAGES, field_message
from fivestar.tickets.models import Channel, TicketType

pytestmark = pytest.mark.django_db

CHANNELS = ", ".join(Channel.values)
TYPES = ", ".join(TicketType.values)


def ticket_body(**overrides):
    body = {
        "channel": "phone", "type": "repair", "description": "冰箱不制冷",
        "customer": {"name": "张伟", "phone": "13800138000"},
    }
    body.update(overrides)
    return body


def error_of(response, status=422):
    assert response.status_code == status, response.content
    payload = response.json()
    assert set(payload) == {"error"}, payload
    error = payload["error"]
    assert set(error) == {"code", "message", "fields"}, error
    assert all(isinstance(messages, list) and all(isinstance(m, str) for m in messages)
               for messages in error["fields"].values())
    return error


def in_both_languages(send):
    """The response to ``send(headers)`` in Chinese (no header: the default) and in English."""
    return send({}), send({"Accept-Language": "en"})


# (what is wrong, request body, field, Chinese message, English message)
TICKET_CASES = [
    ("missing field", {"customer": {"name": "张伟"}}, "description",
     "必填。", "This field is required."),
    ("wrong type", ticket_body(description=123), "description",
     "应为文本。", "Must be text."),
    ("unknown enum value", ticket_body(channel="fax"), "channel",
     f"不是可选的值。可选：{CHANNELS}。", f"Not one of the allowed values: {CHANNELS}."),
    ("unknown type", ticket_body(type="magic"), "type",
     f"不是可选的值。可选：{TYPES}。", f"Not one of the allowed values: {TYPES}."),
    ("too long", ticket_body(title="长" * 201), "title",
     "太长（最多 200 个字符）。", "Too long: at most 200 characters."),
    ("nested too long", ticket_body(customer={"name": "张" * 101, "phone": "13800138000"}),
     "customer.name", "太长（最多 100 个字符）。", "Too long: at most 100 characters."),
    ("bad date", ticket_body(purchase_date="2025-13-45"), "purchase_date",
     "不是有效的日期，请用 YYYY-MM-DD 格式。", "Not a valid date; use the YYYY-MM-DD format."),
    ("bad datetime", ticket_body(received_at="昨天下午"), "received_at",
     "不是有效的时间，请用带时区的 ISO 8601 格式，例如 2026-11-24T09:30:00+08:00。",
     "Not a valid date and time; use ISO 8601 with a time zone, e.g. 2026-11-24T09:30:00+08:00."),
    ("datetime without a zone", ticket_body(received_at="2026-01-05T10:00:00"), "received_at",
     "时间需要带时区，例如 2026-11-24T09:30:00+08:00。",
     "The time needs a time zone, e.g. 2026-11-24T09:30:00+08:00."),
]


@pytest.mark.parametrize(("case", "body", "field", "chinese", "english"), TICKET_CASES,
                         ids=[case[0] for case in TICKET_CASES])
def test_ticket_schema_errors_in_chinese_and_english(api_as, agent, case, body, field, chinese,
                                                      english):
    api = api_as(agent)
    zh, en = in_both_languages(lambda headers: api.post("/api/v1/tickets", body, headers=headers))
    zh_error, en_error = error_of(zh), error_of(en)
    assert zh_error["code"] == en_error["code"] == "validation_failed"
    assert zh_error["message"] == "请求内容有误，请检查标出的字段。"
    assert en_error["message"] == "The request is invalid; please check the fields listed."
    assert zh_error["fields"][field] == [chinese]
    assert en_error["fields"][field] == [english]
    assert zh["Content-Language"] == "zh-hans" and en["Content-Language"] == "en"


def test_every_wrong_field_is_named_in_one_answer(api_as, agent):
    body = {"channel": "fax", "type": "repair", "customer": {"phone": 13800138000},
            "title": "x" * 201}
    zh, en = in_both_languages(
        lambda headers: api_as(agent).post("/api/v1/tickets", body, headers=headers))
    assert error_of(zh)["fields"] == {
        "channel": [f"不是可选的值。可选：{CHANNELS}。"],
        "customer.phone": ["应为文本。"],
        "title": ["太长（最多 200 个字符）。"],
        "description": ["必填。"],
    }
    assert error_of(en)["fields"] == {
        "channel": [f"Not one of the allowed values: {CHANNELS}."],
        "customer.phone": ["Must be text."],
        "title": ["Too long: at most 200 characters."],
        "description": ["This field is required."],
    }


@pytest.fixture
def ticket_number(api_as, agent):
    return api_as(agent).post("/api/v1/tickets", ticket_body()).json()["number"]


# Replies: integers (bad, out of range) and booleans.
REPLY_CASES = [
    ("bad int", {"body": "已联系", "time_spent_minutes": "半小时"}, "time_spent_minutes",
     "应为整数。", "Must be a whole number."),
    ("above the maximum", {"body": "已联系", "time_spent_minutes": 5000}, "time_spent_minutes",
     "不能大于 1440。", "Must be at most 1440."),
    ("below the minimum", {"body": "已联系", "time_spent_minutes": -5}, "time_spent_minutes",
     "不能小于 0。", "Must be at least 0."),
    ("bad boolean", {"body": "已联系", "internal": "也许"}, "internal",
     "应为 true 或 false。", "Must be true or false."),
]


@pytest.mark.parametrize(("case", "body", "field", "chinese", "english"), REPLY_CASES,
                         ids=[case[0] for case in REPLY_CASES])
def test_reply_schema_errors_in_chinese_and_english(api_as, agent, ticket_number, case, body,
                                                     field, chinese, english):
    api = api_as(agent)
    path = f"/api/v1/tickets/{ticket_number}/replies"
    zh, en = in_both_languages(lambda headers: api.post(path, body, headers=headers))
    assert error_of(zh)["fields"][field] == [chinese]
    assert error_of(en)["fields"][field] == [english]


def test_query_parameters_are_worded_too(api_as, agent):
    api = api_as(agent)
    zh = api.client.get("/api/v1/tickets", {"page": "二"}, headers=api.headers)
    en = api.client.get("/api/v1/tickets", {"page": "二"},
                        headers={**api.headers, "Accept-Language": "en"})
    assert error_of(zh)["fields"]["page"] == ["应为整数。"]
    assert error_of(en)["fields"]["page"] == ["Must be a whole number."]

    zh = api.client.get("/api/v1/sla/preview", {"priority": "P9"}, headers=api.headers)
    en = api.client.get("/api/v1/sla/preview", {"priority": "P9"},
                        headers={**api.headers, "Accept-Language": "en"})
    assert error_of(zh)["fields"]["priority"] == ["不是可选的值。可选：P1, P2, P3。"]
    assert error_of(en)["fields"]["priority"] == ["Not one of the allowed values: P1, P2, P3."]


def test_lists_and_durations_in_chinese_and_english(api_as, agent):
    target = {"name": "resolve", "allowed": "PT4H"}
    body = {"name": "加急", "targets": [target] * 21, "escalation_step": "很快", "order": -1}
    zh, en = in_both_languages(
        lambda headers: api_as(agent).post("/api/v1/sla/policies", body, headers=headers))
    zh_fields, en_fields = error_of(zh)["fields"], error_of(en)["fields"]
    assert zh_fields["targets"] == ["项数太多（最多 20 项）。"]
    assert en_fields["targets"] == ["Too many items: at most 20."]
    assert zh_fields["escalation_step"] == ["不是有效的时长，请用 ISO 8601（例如 PT4H）或秒数。"]
    assert en_fields["escalation_step"] == [
        "Not a valid duration; use ISO 8601 (e.g. PT4H) or seconds."]
    assert zh_fields["order"] == ["不能小于 0。"]
    assert en_fields["order"] == ["Must be at least 0."]


def test_a_body_that_is_not_json_is_answered_in_both_languages(api_as, agent):
    api = api_as(agent)

    def send(headers):
        return api.client.post("/api/v1/tickets", "{not json", content_type="application/json",
                               headers={**api.headers, **headers})

    zh, en = in_both_languages(send)
    assert error_of(zh, 400) == {"code": "bad_request", "message": "请求体不是有效的 JSON。",
                                 "fields": {}}
    assert error_of(en, 400)["message"] == "The request body is not valid JSON."


# --- the message table itself, for the types no API schema produces today -----------------


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(min_length=1, max_length=5, pattern=r"^[A-Z]+$")
    tags: list[str] = Field(default_factory=list, min_length=0, max_length=2)
    size: float = Field(1, gt=0, lt=10, multiple_of=0.5)
    meta: dict[str, str] = Field(default_factory=dict)


def messages_for(data, language):
    try:
        Strict.model_validate(data)
    except PydanticValidationError as exc:
        with translation.override(language):
            return {".".join(map(str, e["loc"])): field_message(error=e)
                    for e in exc.errors(include_url=False)}
    raise AssertionError("valid")


def test_extra_fields_patterns_and_bounds():
    data = {"code": "abc", "size": 12, "colour": "red", "tags": "x", "meta": "x"}
    assert messages_for(data, "zh-hans") == {
        "code": "格式不正确。", "size": "应小于 10。", "colour": "不认识的字段。",
        "tags": "应为 JSON 数组。", "meta": "应为 JSON 对象。",
    }
    assert messages_for(data, "en") == {
        "code": "Not in the expected format.", "size": "Must be less than 10.",
        "colour": "Unknown field.", "tags": "Must be a JSON array.",
        "meta": "Must be a JSON object.",
    }
    assert messages_for({"code": "", "size": 0}, "zh-hans") == {
        "code": "不能为空。", "size": "应大于 0。"}
    assert messages_for({"code": "", "size": 0.7}, "en") == {
        "code": "Must not be empty.", "size": "Must be a multiple of 0.5."}
    assert messages_for({"code": "ABCDEF", "tags": ["a", "b", "c"]}, "en") == {
        "code": "Too long: at most 5 characters.", "tags": "Too many items: at most 2."}


def test_unknown_types_keep_pydantic_text_and_never_fail():
    assert field_message(error={"type": "brand_new_check", "msg": "Something odd"}) == (
        "Something odd")
    # A message whose context is missing falls back instead of raising.
    assert field_message(error={"type": "string_too_long", "msg": "String too long"}) == (
        "String too long")
    assert field_message(error={"type": "value_error", "msg": "Value error, x",
                                "ctx": {"error": "序列号不对"}}) == "序列号不对"
    assert field_message(error={}) == "invalid"


def test_every_message_has_its_english():
    """Each message is in the English catalog: no Chinese left in its English."""
    for message in {*MESSAGES.values(), *_AT_LEAST_ONE.values()}:
        with translation.override("en"):
            english = str(message)
        assert not re.search(r"[\u4e00-\u9fff\uff08-\uff1f\u3001\u3002]", english), english
