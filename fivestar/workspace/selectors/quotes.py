"""The ticket page's quote card (报价, SPEC §4): the quote waiting for the customer or the latest
one, the earlier ones, and what the person looking may do with them. One query."""

from dataclasses import dataclass, field

from fivestar.accounts.models import User
from fivestar.dispatch.models import Quote, QuoteStatus
from fivestar.dispatch.selectors import ticket_quotes
from fivestar.dispatch.services import may_propose, may_work_on
from fivestar.tickets.models import Ticket
from fivestar.workspace.forms import QuoteDeclineForm, QuoteForm

#: Prefixes of the card's forms: one page holds other forms with a "reason" or a "note".
QUOTE_PREFIX = "quote"
DECLINE_PREFIX = "quote-decline"


@dataclass(frozen=True)
class QuotePanel:
    current: Quote | None
    earlier: list[Quote]
    #: Staff who may work on the ticket (its assignee, a front-line role).
    may_act: bool
    #: A new quote can be proposed now: the ticket is being worked and none is open.
    may_propose: bool
    form: QuoteForm = field(default_factory=lambda: QuoteForm(prefix=QUOTE_PREFIX))
    decline_form: QuoteDeclineForm = field(
        default_factory=lambda: QuoteDeclineForm(prefix=DECLINE_PREFIX))
    #: The form to show open (after an error in it): "propose" or "decline".
    open_form: str = ""
    notice: str = ""
    notice_level: str = "success"

    @property
    def may_decide(self) -> bool:
        """The current quote waits for an answer this person may record (or withdraw)."""
        return self.may_act and self.current is not None and self.current.is_proposed


def quote_panel(*, ticket: Ticket, user: User, form: QuoteForm | None = None,
                decline_form: QuoteDeclineForm | None = None, open_form: str = "",
                notice: str = "", notice_level: str = "success") -> QuotePanel:
    """The card's data for ``ticket`` (already checked visible to ``user``)."""
    quotes = list(ticket_quotes(ticket=ticket))
    current = quotes[0] if quotes else None
    may_act = may_work_on(ticket=ticket, user=user)
    has_open = current is not None and current.status == QuoteStatus.PROPOSED
    extra = {}
    if form is not None:
        extra["form"] = form
    if decline_form is not None:
        extra["decline_form"] = decline_form
    return QuotePanel(
        current=current, earlier=quotes[1:], may_act=may_act,
        may_propose=not has_open and may_propose(ticket=ticket, user=user),
        open_form=open_form, notice=notice, notice_level=notice_level, **extra,
    )
