"""Commands on tickets. Split by family: intake, transitions, replies."""

from fivestar.tickets.services.canned import render_canned_reply
from fivestar.tickets.services.intake import Intake, TicketRequest, create_ticket
from fivestar.tickets.services.privacy import reveal_customer_contact
from fivestar.tickets.services.replies import Upload, add_attachments, add_reply
from fivestar.tickets.services.transitions import (
    Actor,
    Confirmation,
    Resolution,
    accept_ticket,
    approve_ticket,
    assign_ticket,
    cancel_ticket,
    close_ticket,
    confirm_resolution,
    contact_customer,
    reopen_ticket,
    resolve_ticket,
    resume_ticket,
    set_priority,
    start_ticket,
    take_ticket,
    wait_for_customer,
)

__all__ = [
    "Actor", "Confirmation", "Intake", "Resolution", "TicketRequest", "Upload", "accept_ticket",
    "add_attachments", "add_reply", "approve_ticket", "assign_ticket", "cancel_ticket",
    "close_ticket", "confirm_resolution", "contact_customer", "create_ticket",
    "render_canned_reply", "reopen_ticket",
    "resolve_ticket", "resume_ticket", "reveal_customer_contact", "set_priority", "start_ticket",
    "take_ticket", "wait_for_customer",
]
