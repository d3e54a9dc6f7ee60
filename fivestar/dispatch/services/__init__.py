"""Commands of dispatch and field service, one module per family: quotes (more — routing,
visits, solutions — come with the Dispatch issue)."""

from fivestar.dispatch.services.quotes import (
    QUOTE_STATES,
    accept_quote,
    decline_quote,
    may_propose,
    may_work_on,
    propose_quote,
    withdraw_quote,
)

__all__ = [
    "QUOTE_STATES", "accept_quote", "decline_quote", "may_propose", "may_work_on",
    "propose_quote", "withdraw_quote",
]
