"""The ticket events of quotes, declared with the ticket's event registry
(``tickets.events.register_event_type``) in ``DispatchConfig.ready``."""

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from django.utils.translation import pgettext_lazy

from fivestar.dispatch.models import DecisionChannel, Quote, QuoteStatus
from fivestar.tickets.actors import Actor
from fivestar.tickets.events import record_event, register_event_type, shown
from fivestar.tickets.models import Ticket, TicketEvent


class QuoteEventKind(StrEnum):
    PROPOSED = "quote_proposed"
    ACCEPTED = "quote_accepted"
    DECLINED = "quote_declined"
    WITHDRAWN = "quote_withdrawn"


@dataclass(frozen=True, kw_only=True)
class QuoteChanged:
    """A quote as the event left it: its id (``quote``), amounts in fen, its status and how
    the customer answered."""

    quote: int | None = shown()
    labour_fen: int | None = shown(pgettext_lazy("label", "人工费"), money=True)
    parts_fen: int | None = shown(pgettext_lazy("label", "配件费"), money=True)
    travel_fen: int | None = shown(pgettext_lazy("label", "上门费"), money=True)
    total_fen: int | None = shown(pgettext_lazy("label", "报价合计"), money=True)
    valid_until: date | None = shown(pgettext_lazy("label", "有效期至"))
    quote_status: str = shown(pgettext_lazy("label", "报价状态"), default="", choices=QuoteStatus)
    decided_via: str = shown(pgettext_lazy("label", "答复方式"), default="",
                             choices=DecisionChannel)


def quote_proposed_event(*, ticket: Ticket, actor: Actor, quote: Quote) -> TicketEvent:
    return record_event(
        ticket=ticket, kind=QuoteEventKind.PROPOSED, actor=actor, note=quote.note,
        payload=QuoteChanged(quote=quote.pk, labour_fen=quote.labour_fen,
                             parts_fen=quote.parts_fen, travel_fen=quote.travel_fen,
                             total_fen=quote.total_fen, valid_until=quote.valid_until),
    )


def quote_decided_event(*, ticket: Ticket, actor: Actor, quote: Quote,
                        note: str = "") -> TicketEvent:
    """Accepted, declined or withdrawn, by the quote's new status; ``note`` is the reason."""
    kind = {
        QuoteStatus.ACCEPTED: QuoteEventKind.ACCEPTED,
        QuoteStatus.DECLINED: QuoteEventKind.DECLINED,
        QuoteStatus.WITHDRAWN: QuoteEventKind.WITHDRAWN,
    }[quote.status]
    return record_event(
        ticket=ticket, kind=kind, actor=actor,
        note=note,
        before={"quote_status": QuoteStatus.PROPOSED},
        payload=QuoteChanged(quote=quote.pk, quote_status=quote.status,
                             decided_via=quote.decided_via, total_fen=quote.total_fen),
    )


def declare() -> None:
    for kind, label in (
        (QuoteEventKind.PROPOSED, pgettext_lazy("timeline event", "提出维修报价")),
        (QuoteEventKind.ACCEPTED, pgettext_lazy("timeline event", "接受报价")),
        (QuoteEventKind.DECLINED, pgettext_lazy("timeline event", "不接受报价")),
        (QuoteEventKind.WITHDRAWN, pgettext_lazy("timeline event", "撤回报价")),
    ):
        register_event_type(kind, payload=QuoteChanged, label=label, customer_visible=True)
