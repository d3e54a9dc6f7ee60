"""Who hears of a quote. Registered with ``tickets.hooks`` in ``apps.ready`` (``register``),
so ``tickets`` never imports ``dispatch``; runs inside the transaction that wrote the event, so
what it queues commits or rolls back with the quote itself, and the outbox sends it after
commit.

- ``quote_proposed`` → the customer gets the quote (``quote_proposed`` template) by SMS when they
  have a phone and by e-mail when they have an address, with the amounts and the follow link;
- ``quote_accepted`` / ``quote_declined`` → the ticket's assignee, and whoever proposed the quote,
  get a notice in the workspace (the bell) — not the person who recorded the answer.
"""

from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from fivestar.accounts.models import User
from fivestar.core.money import format_yuan
from fivestar.dispatch.events import QuoteChanged, QuoteEventKind
from fivestar.dispatch.models import Quote
from fivestar.notifications.inbox import StaffNotificationKind, notify_staff
from fivestar.notifications.selectors import language_of
from fivestar.tickets import hooks
from fivestar.tickets.models import TicketEvent
from fivestar.tickets.notices import tell_customer

#: The message template (rows of notifications.MessageTemplate, seeded by this app's migration).
QUOTE_PROPOSED = "quote_proposed"


def register() -> None:
    hooks.on_event(QuoteEventKind.PROPOSED)(_tell_customer)
    hooks.on_event(QuoteEventKind.ACCEPTED, QuoteEventKind.DECLINED)(_tell_staff)


def _quote(event: TicketEvent) -> Quote | None:
    payload: QuoteChanged = event.payload
    return Quote.objects.filter(pk=payload.quote).first() if payload.quote else None


def quote_context(quote: Quote) -> dict[str, Any]:
    """What a quote template may use besides the ticket's: plain values, amounts already
    written out in yuan (¥1,234.50)."""
    return {
        "total": format_yuan(quote.total_fen),
        "labour": format_yuan(quote.labour_fen),
        "parts": format_yuan(quote.parts_fen),
        "travel": format_yuan(quote.travel_fen),
        "work": quote.note,
        "valid_until": quote.valid_until,
    }


def _tell_customer(event: TicketEvent) -> None:
    quote = _quote(event)
    if quote is not None:
        tell_customer(event, QUOTE_PROPOSED, extra=quote_context(quote))


def _tell_staff(event: TicketEvent) -> None:
    quote = _quote(event)
    if quote is None:
        return
    ticket = event.ticket
    wanted = [pk for pk in (ticket.assignee_id, quote.proposed_by_id)
              if pk is not None and pk != event.actor_id]
    accepted = event.kind == QuoteEventKind.ACCEPTED
    for person in User.objects.filter(pk__in=set(wanted), is_active=True).order_by("pk"):
        with translation.override(language_of(person)):
            if accepted:
                title = _("工单 %(number)s：客户已接受报价 %(total)s") % {
                    "number": ticket.number, "total": format_yuan(quote.total_fen)}
                body = _("可以开始维修。") + " " + ticket.title
            else:
                title = _("工单 %(number)s：客户不接受报价 %(total)s") % {
                    "number": ticket.number, "total": format_yuan(quote.total_fen)}
                reason = quote.decline_reason or _("客户没有说明原因。")
                body = _("原因：%(reason)s") % {"reason": reason}
            notify_staff(person=person, kind=StaffNotificationKind.QUOTE, about=ticket,
                         title=title, body=body, dedupe_key=f"event:{event.pk}:quote")
