"""Links that let a customer follow one ticket without an account (SPEC §2, §9).

A follow token is a signed, timestamped value that names one ticket and the customer it belonged
to when the link was made. It is good for one purpose only (its own salt: a token signed for
anything else does not verify here) and for ``PORTAL_LINK_MAX_AGE_DAYS`` days (default 30). It
carries no personal data and grants nothing beyond reading and answering that one ticket.
"""

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils.translation import gettext as _

from fivestar.core.errors import NotFound
from fivestar.tickets.errors import TicketErrorCode
from fivestar.tickets.models import Ticket

FOLLOW_SALT = "fivestar.tickets.follow-link"
DEFAULT_LINK_MAX_AGE_DAYS = 30


class FollowLinkExpired(NotFound):
    """The link was genuine but is older than the allowed age."""

    code = TicketErrorCode.FOLLOW_LINK_EXPIRED


def link_max_age_days() -> int:
    return int(getattr(settings, "PORTAL_LINK_MAX_AGE_DAYS", DEFAULT_LINK_MAX_AGE_DAYS))


def _signer() -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=FOLLOW_SALT)


def follow_token(*, ticket: Ticket) -> str:
    """A token for following ``ticket``: ``<ticket id>.<customer id>:<time>:<signature>``.

    Short enough for an SMS. Moving the ticket to another customer (a merge) retires old links.
    """
    return _signer().sign(f"{ticket.pk}.{ticket.customer_id}")


def ticket_for_follow_token(*, token: str) -> Ticket:
    """The ticket a follow token names. NotFound when the token is forged, made for another
    purpose or names a ticket that is gone or changed customer; FollowLinkExpired (a NotFound)
    when it is genuine but too old."""
    not_found = NotFound(_("链接无效。"), code=TicketErrorCode.FOLLOW_LINK_INVALID)
    try:
        value = _signer().unsign(token or "", max_age=link_max_age_days() * 86400)
    except signing.SignatureExpired:
        raise FollowLinkExpired(_("链接已过期。")) from None
    except signing.BadSignature:
        raise not_found from None
    ticket_id, _dot, customer_id = value.partition(".")
    if not (ticket_id.isdigit() and customer_id.isdigit()):
        raise not_found
    ticket = (
        Ticket.objects.select_related("customer")
        .filter(pk=int(ticket_id), customer_id=int(customer_id))
        .first()
    )
    if ticket is None:
        raise not_found
    return ticket


def follow_url(*, ticket: Ticket) -> str:
    """The absolute address of the customer's follow link, on ``settings.SITE_URL``."""
    path = reverse("portal:follow", kwargs={"token": follow_token(ticket=ticket)})
    return f"{settings.SITE_URL.rstrip('/')}{path}"
