"""The personal survey link (SPEC §6): a signed token naming one invitation and its nonce.

It works once: after the answer the invitation is answered, and the page says so; a link whose
invitation expired says that. A forged token, or one of an invitation whose nonce was replaced,
is not found. It carries no personal data.
"""

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils.translation import gettext as _

from fivestar.core.errors import NotFound
from fivestar.surveys.models import Invitation

SALT = "fivestar.surveys.link"


def survey_token(*, invitation: Invitation) -> str:
    return signing.Signer(salt=SALT).sign(f"{invitation.pk}.{invitation.nonce}")


def survey_url(*, invitation: Invitation) -> str:
    path = reverse("surveys:answer", kwargs={"token": survey_token(invitation=invitation)})
    return f"{settings.SITE_URL.rstrip('/')}{path}"


def invitation_for_token(*, token: str) -> Invitation:
    """The invitation a link names, or NotFound (forged, or no longer that invitation's)."""
    not_found = NotFound(_("测评链接无效。"))
    try:
        value = signing.Signer(salt=SALT).unsign(token or "")
    except signing.BadSignature:
        raise not_found from None
    pk, _dot, nonce = value.partition(".")
    if not pk.isdigit() or not nonce:
        raise not_found
    invitation = (Invitation.objects.select_related("ticket", "customer", "template")
                  .filter(pk=int(pk), nonce=nonce).first())
    if invitation is None:
        raise not_found
    return invitation
