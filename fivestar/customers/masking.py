"""The one masking function for personal data (SPEC §9), used by pages, the API and exports.

``138****5678`` for a phone, ``z***@example.com`` for an email, the street part of an address
hidden after the district.
"""

import re
from typing import Literal

PiiKind = Literal["phone", "email", "address", "name"]

_MOBILE = re.compile(r"^(?:\+?86)?(1\d{10})$")


def mask(value: str | None, kind: PiiKind) -> str:
    """Mask ``value`` of the given kind; empty stays empty."""
    if not value:
        return ""
    value = str(value)
    if kind == "phone":
        digits = re.sub(r"[^\d+]", "", value)
        if match := _MOBILE.match(digits):
            number = match.group(1)
            return f"{number[:3]}****{number[-4:]}"
        if len(digits) <= 4:
            return "*" * len(digits)
        return f"{digits[:2]}{'*' * (len(digits) - 4)}{digits[-2:]}"
    if kind == "email":
        local, _, domain = value.partition("@")
        if not domain:
            return mask(value, "name")
        return f"{local[:1]}***@{domain}"
    if kind == "address":
        # Keep the coarse location (up to the district/county) so an agent knows the area.
        match = re.match(r"^(.*?(?:省|市|自治区))?(.*?(?:市|州|盟))?(.*?(?:区|县|旗))?", value)
        kept = match.group(0) if match else ""
        if kept and len(kept) < len(value):
            return kept + "****"
        return value[: max(1, len(value) // 3)] + "****"
    if kind == "name":
        return value[:1] + "*" * max(1, len(value) - 1)
    raise ValueError(f"unknown kind {kind!r}")
