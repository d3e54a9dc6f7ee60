"""Canned replies (常用回复): a prepared text with placeholders, filled in for one ticket.

The text is the administrator's and the placeholders are looked up by name, never evaluated:
``{customer_name}`` becomes the customer's name, ``{unknown}`` and a known placeholder without a
value (``{next_due_at}`` on a ticket with no running deadline) stay as they are, visible, so that
the agent sees what to fill in by hand. Nothing the user typed can make rendering fail.
"""

import re

from django.conf import settings
from django.utils import timezone
from django.utils.formats import date_format

from fivestar.accounts.models import User
from fivestar.tickets.models import CannedReply, Ticket

# ``{name}``: letters, digits and underscores; anything else in braces is left alone.
_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")

#: The placeholders a canned reply may use (shown to administrators and agents).
PLACEHOLDERS = (
    "customer_name", "ticket_number", "ticket_title", "next_due_at", "agent_name", "hotline",
)


def placeholder_values(*, ticket: Ticket, agent: User | None) -> dict[str, str]:
    """The values of the known placeholders for ``ticket`` written by ``agent``; a placeholder
    without a value (no deadline running, no agent) is left out."""
    values = {
        "customer_name": ticket.customer.name if ticket.customer_id else "",
        "ticket_number": ticket.number,
        "ticket_title": ticket.title,
        "hotline": getattr(settings, "SERVICE_HOTLINE", ""),
        "agent_name": str(agent) if agent is not None else "",
        "next_due_at": "",
    }
    if ticket.next_due_at is not None:
        values["next_due_at"] = date_format(
            timezone.localtime(ticket.next_due_at), "Y-m-d H:i"
        )
    return {name: value for name, value in values.items() if value}


def render_canned_reply(*, canned: CannedReply, ticket: Ticket, agent: User | None) -> str:
    """``canned.body`` with its placeholders filled in for ``ticket`` and ``agent``.

    Unknown placeholders, and known ones without a value, are kept verbatim; braces that are not
    a placeholder (``{`` alone, ``{ 1 }``, ``{{x}}``'s outer pair) are plain text. Never raises on
    the administrator's text."""
    values = placeholder_values(ticket=ticket, agent=agent)
    return _PLACEHOLDER.sub(lambda match: values.get(match.group(1), match.group(0)),
                            canned.body or "")
