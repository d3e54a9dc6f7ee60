"""Reading workspace pages in tests: the HTML, a field's error, a ticket page's address."""

import re

from fivestar.tickets.models import Ticket

HTMX = {"HX-Request": "true"}


def url(ticket: Ticket, tail: str = "") -> str:
    return f"/workspace/tickets/{ticket.number}/{tail}"


def html(response) -> str:
    return response.content.decode()


def field_error(page: str, name: str) -> str:
    """The text of the error list tied to field ``name`` (id ``id_<name>_error``)."""
    match = re.search(rf'id="id_{name}_error"[^>]*>(.*?)</ul>', page, re.S)
    assert match, f"no error shown beside {name}"
    return re.sub(r"<[^>]+>", "", match.group(1))
