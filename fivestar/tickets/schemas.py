"""API v1 schemas for tickets (DESIGN.md "API v1 contract")."""

from datetime import date, datetime
from typing import Literal

from ninja import Field, Schema
from pydantic import AwareDatetime

from fivestar.tickets.models import (
    Channel,
    ConfirmationChannel,
    ConfirmationMethod,
    ContactChannel,
    Priority,
    Status,
    TicketType,
)

ChannelCode = Literal[tuple(Channel.values)]  # type: ignore[valid-type]
TypeCode = Literal[tuple(TicketType.values)]  # type: ignore[valid-type]
PriorityCode = Literal[tuple(Priority.values)]  # type: ignore[valid-type]
StatusCode = Literal[tuple(Status.values)]  # type: ignore[valid-type]
ContactChannelCode = Literal[tuple(ContactChannel.values)]  # type: ignore[valid-type]
ConfirmationChannelCode = Literal[tuple(ConfirmationChannel.values)]  # type: ignore[valid-type]
ConfirmationMethodCode = Literal[tuple(ConfirmationMethod.values)]  # type: ignore[valid-type]


class CustomerIn(Schema):
    name: str = Field("", max_length=100)
    phone: str = Field("", max_length=40, description="中国大陆手机号，可带 +86")
    email: str = Field("", max_length=254)
    address: str = Field("", max_length=300)


class TicketIn(Schema):
    channel: ChannelCode
    type: TypeCode
    customer: CustomerIn
    product_model: str = Field("", max_length=60, description="产品型号代码")
    serial_number: str = Field("", max_length=80)
    purchase_date: date | None = None
    title: str = Field("", max_length=200, description="省略时取问题描述的第一行")
    description: str = Field(..., max_length=20000)
    demand: str = Field("", max_length=5000)
    priority: PriorityCode | None = Field(None, description="省略时按关键词规则建议")
    received_at: AwareDatetime | None = Field(None, description="默认为现在；不能晚于现在")


class NamedRef(Schema):
    code: str
    name: str


class ProductModelOut(Schema):
    code: str
    name: str
    product_line: NamedRef


class UserRef(Schema):
    id: int
    username: str
    name: str


class CustomerOut(Schema):
    id: int
    name: str
    phone: str = Field(description="脱敏，例如 138****5678")
    email: str
    address: str
    tier: str
    is_elderly: bool
    is_repeat_complainer: bool


class Deadline(Schema):
    due_at: datetime | None
    met_at: datetime | None
    state: Literal["running", "paused", "met", "breached", "cancelled"]
    breached: bool
    calendar_unconfirmed: bool = Field(
        False, description="计算跨越了没有确认节假日数据的年份：截止时间可能不准"
    )


class ConfirmationOut(Schema):
    method: ConfirmationMethodCode = Field(
        description="customer：客户本人确认；recorded：员工记录客户的确认；"
                    "no_answer：联系不上，按规则视为确认")
    channel: ConfirmationChannelCode | Literal[""]
    confirmed_by: str = Field(description="确认人（员工记录时）")
    confirmed_at: datetime | None
    recorded_by: UserRef | None


class ClosureOut(Schema):
    """The closing record (SPEC §5)."""

    resolution: str
    technical_solution: str
    parts_replaced: str
    labour_minutes: int | None
    cost_fen: int | None
    solved_on_first_contact: bool | None
    customer_confirmed: bool | None
    confirmation: ConfirmationOut | None


class TicketOut(Schema):
    number: str
    status: StatusCode
    type: TypeCode
    channel: ChannelCode
    priority: PriorityCode
    proposed_priority: PriorityCode | Literal[""]
    priority_confirmed: bool
    title: str
    description: str
    demand: str
    customer: CustomerOut
    product_model: ProductModelOut | None
    serial_number: str
    purchase_date: date | None
    department: NamedRef | None
    assignee: UserRef | None
    pending_assignee: UserRef | None
    received_at: datetime
    created_at: datetime
    updated_at: datetime
    accepted_at: datetime | None
    first_response_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    reopen_count: int
    next_due_at: datetime | None
    deadlines: dict[str, Deadline]
    closure: ClosureOut | None = Field(
        None,
        description="解决后的结案记录（处理过程、方案、部件、工时、费用、首次解决、客户确认）",
    )
    allowed_actions: list[str]


class TicketPage(Schema):
    #: Exact up to 10,000 (500 with ``q``); past that the limit, with ``count_capped``.
    count: int
    count_capped: bool = False
    page: int
    page_size: int
    pages: int
    items: list[TicketOut]


class ReplyIn(Schema):
    body: str = Field(..., max_length=20000)
    internal: bool = False
    time_spent_minutes: int | None = Field(None, ge=0, le=1440)


class AttachmentOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    url: str


class ReplyOut(Schema):
    id: int
    body: str
    internal: bool
    from_customer: bool
    author: UserRef | None
    time_spent_minutes: int | None
    created_at: datetime
    attachments: list[AttachmentOut]


class EventOut(Schema):
    id: int
    at: datetime
    action: str
    actor: UserRef | None
    actor_kind: str
    from_status: str
    to_status: str
    before: dict
    after: dict
    note: str


# --- the bodies of the ticket's own actions (tickets.actions) -----------------------------------


class NoteIn(Schema):
    """``note`` (optional): a word for the timeline."""

    note: str = Field("", max_length=5000)


class AcceptIn(NoteIn):
    """``visit_needed``: the evaluation found that someone must go on site (starts the 48-hour
    visit target); ``note``."""

    visit_needed: bool = False


class AssignIn(NoteIn):
    """``assignee`` (required): the username of the person who takes the ticket; ``note``."""

    assignee: str = Field("", max_length=150)


class ReasonIn(NoteIn):
    """``reason`` (required; ``note`` is read when ``reason`` is empty)."""

    reason: str = Field("", max_length=5000)

    @property
    def text(self) -> str:
        return self.reason or self.note


class SetPriorityIn(ReasonIn):
    """``priority`` (required: P1, P2 or P3); ``reason``."""

    priority: PriorityCode | None = None


class ApproveIn(NoteIn):
    """``assignee`` (optional): a senior technician's username, instead of the proposed one
    (a ticket raised to P1 comes back for approval with whoever held it); ``note``."""

    assignee: str = Field("", max_length=150)


class ConfirmIn(NoteIn):
    """``solved`` (required): the customer's answer; when not solved, ``note`` says what is
    still wrong (required then). Staff recording an answer given to them say how it came
    (``channel``, default phone), who gave it (``confirmed_by``, default the customer) and
    when (``confirmed_at``, default now)."""

    solved: bool | None = None
    channel: ConfirmationChannelCode | None = None
    confirmed_by: str = Field("", max_length=100)
    confirmed_at: AwareDatetime | None = None


class CloseIn(NoteIn):
    """Closing rests on the customer's confirmation (SPEC §5): ``confirmation`` (required)
    ``recorded`` — the customer confirmed to staff: ``channel`` (default phone),
    ``confirmed_by`` (default the customer), ``confirmed_at`` (default now) — or ``no_answer``
    — the customer could not be reached after the configured attempts (logged with
    ``contact``); ``note``."""

    confirmation: Literal["recorded", "no_answer"] | None = None
    channel: ContactChannelCode | None = None
    confirmed_by: str = Field("", max_length=100)
    confirmed_at: AwareDatetime | None = None


class ContactIn(NoteIn):
    """A contact with the customer, or an attempt: ``channel`` (phone, sms, visit, wechat,
    email, other; default phone), ``reached`` (default true; false for an unanswered attempt),
    ``note`` (what was said; required when reached)."""

    channel: ContactChannelCode = "phone"
    reached: bool = True


class ResolveIn(Schema):
    """The closing record (SPEC §5): ``resolution`` (required), ``technical_solution``,
    ``parts_replaced``, ``labour_minutes``, ``cost_fen`` (integer fen),
    ``solved_on_first_contact``."""

    resolution: str = Field("", max_length=20000)
    technical_solution: str = Field("", max_length=20000)
    parts_replaced: str = Field("", max_length=5000)
    labour_minutes: int | None = Field(None, ge=0, le=100000)
    cost_fen: int | None = Field(None, ge=0, le=10**12)
    solved_on_first_contact: bool | None = None
