"""API v1 schemas for dispatch (DESIGN.md "API v1 contract"): quotes. Money in integer fen."""

from datetime import date, datetime
from typing import Literal

from ninja import Field, Schema

from fivestar.dispatch.models import DecisionChannel, QuoteStatus
from fivestar.tickets.schemas import UserRef

QuoteStatusCode = Literal[tuple(QuoteStatus.values)]  # type: ignore[valid-type]
DecisionChannelCode = Literal[tuple(DecisionChannel.values)]  # type: ignore[valid-type]


class QuoteIn(Schema):
    """A quote for out-of-warranty work (SPEC §4). Amounts are integers in fen (分), none
    negative (422 naming the field), together above zero."""

    labour_fen: int = Field(0, description="人工费（分）")
    parts_fen: int = Field(0, description="配件费（分）")
    travel_fen: int = Field(0, description="上门费（分）")
    note: str = Field(..., max_length=2000, description="要做的维修工作，客户会看到")
    valid_until: date | None = Field(None, description="最后有效日期（含当天），默认不限")


class DecisionIn(Schema):
    """``decline`` and ``withdraw``: an optional ``reason``; ``accept`` takes no body."""

    reason: str = Field("", max_length=2000)


class QuoteOut(Schema):
    id: int
    ticket: str = Field(description="工单号")
    status: QuoteStatusCode
    labour_fen: int
    parts_fen: int
    travel_fen: int
    total_fen: int
    note: str
    valid_until: date | None
    expired: bool = Field(description="待确认且已过有效期")
    proposed_by: UserRef | None
    proposed_at: datetime
    decided_at: datetime | None
    decided_via: DecisionChannelCode | Literal[""]
    decided_by: UserRef | None = Field(
        description="记录客户答复或撤回报价的员工；客户本人答复时为空")
    decline_reason: str
