"""API v1 schemas of surveys."""

from datetime import date, datetime

from ninja import Field, Schema


class ScheduleOut(Schema):
    sent_at: datetime
    expires_at: datetime
    reminder_at: datetime


class ScheduleQuery(Schema):
    sent_at: datetime


class Scores(Schema):
    timeliness: int | None = None
    ability: int | None = None
    attitude: int | None = None
    professionalism: int | None = None
    communication: int | None = None


class CheckIn(Schema):
    scores: dict[str, object] = Field(default_factory=dict)
    solved: object = None
    comment: str = Field("", max_length=2000)
    comment_required: bool | None = None


class CheckOut(Schema):
    valid: bool
    reasons: list[str]


class QuestionOut(Schema):
    dimension: str
    zh: str
    en: str


class TemplateOut(Schema):
    id: int
    code: str
    version: int
    is_current: bool
    title_zh: str
    title_en: str
    intro_zh: str
    intro_en: str
    questions: list[QuestionOut]
    solved_zh: str
    solved_en: str
    comment_zh: str
    comment_en: str
    comment_required: bool
    created_at: datetime


class InvitationOut(Schema):
    id: int
    kind: str
    status: str
    skip_reason: str
    ticket: str
    customer: int
    template: dict | None
    period: str | None
    due_at: datetime
    sent_at: datetime | None
    reminder_at: datetime | None
    reminded_at: datetime | None
    expires_at: datetime | None
    answered_at: datetime | None
    response: int | None


class ResponseOut(Schema):
    id: int
    invitation: int
    ticket: str
    template: dict
    channel: str
    scores: dict[str, int]
    solved: bool
    comment: str
    valid: bool
    invalid_reasons: list[str]
    entered_by: str | None
    submitted_at: datetime


class ResponseIn(Schema):
    """An answer: to ``invitation`` (its id), or — an agent during a phone callback — to
    ``ticket`` (its number), which answers the ticket's open invitation."""

    invitation: int | None = None
    ticket: str | None = Field(None, max_length=24)
    scores: dict[str, object] = Field(default_factory=dict)
    solved: object = None
    comment: str = Field("", max_length=2000)


class Page(Schema):
    count: int
    page: int
    page_size: int
    items: list


class InvitationPage(Page):
    items: list[InvitationOut]


class ResponsePage(Page):
    items: list[ResponseOut]


class PageQuery(Schema):
    page: int = Field(1, ge=1)
    page_size: int = Field(50, ge=1, le=200)
    status: str | None = None
    kind: str | None = None
    ticket: str | None = None
    valid: bool | None = None


class SmsIn(Schema):
    sender: str = Field(..., alias="from", max_length=40)
    text: str = Field("", max_length=500)


class SmsOut(Schema):
    recorded: bool
    response: int | None


class ImprovementOut(Schema):
    id: int
    period: str
    dimension: str
    scope: dict
    score: float
    responses: int
    root_cause: str
    department: str | None
    owner: str | None
    deadline: date
    status: str
    overdue: bool


class ImprovementPatch(Schema):
    status: str | None = None
    root_cause: str | None = Field(None, max_length=4000)
    owner: str | None = None
    department: str | None = None
    deadline: date | None = None
