"""Phone number normalisation: mainland mobile numbers with or without +86 become E.164."""

import re
from functools import lru_cache

import phonenumbers
from django.utils.translation import gettext as _

from fivestar.core.errors import ValidationFailed

# What people type around the digits (full-width forms included). Letters are refused: the
# phonenumbers library reads them as keypad letters, so "138l2345678" (an L for a 1) would
# silently become another, valid number — and find another customer.
_PHONE_CHARACTERS = re.compile(r"^[\d\s+＋\-－().（）]+$")


def normalize_phone(raw: str, *, field: str = "phone") -> str:
    """Return the E.164 form of ``raw`` or raise ValidationFailed naming ``field``.

    A number without a country code is read as Chinese (CN). Mainland mobile numbers must be
    11 digits starting with 1; landlines and foreign numbers are accepted when valid.
    """
    text = (raw or "").strip()
    if not text:
        raise ValidationFailed(_("请填写手机号码。"), fields={field: [_("必填。")]})
    e164 = _e164(text)
    if e164 is None:
        raise ValidationFailed(
            _("手机号码无效：%(phone)s") % {"phone": text[:40]},
            fields={field: [_("不是有效的手机号码。")]},
        )
    return e164


@lru_cache(maxsize=4096)
def _e164(text: str) -> str | None:
    # Kept per process: an intake reads the same number twice (checking the request, then
    # matching the customer), and callers come back.
    if not _PHONE_CHARACTERS.match(text):
        return None
    try:
        parsed = phonenumbers.parse(text, "CN")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
