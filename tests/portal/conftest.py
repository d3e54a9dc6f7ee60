"""Helpers of the portal tests: photos as bytes, reading a one-time code from the SMS outbox."""

import io
import re
import struct
import zlib

import pytest

from fivestar.notifications.models import OutboxMessage


def _png(width: int = 48, height: int = 48) -> bytes:
    """A real (decodable) PNG: a blue-grey gradient, so that screenshots show a photo."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(
        b"\x00" + b"".join(bytes((60 + x * 3, 90 + y * 2, 160)) for x in range(width))
        for y in range(height)
    )
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows))
            + chunk(b"IEND", b""))


PNG = _png()
EXE = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 44
    + b"\x80\x00\x00\x00" + b"\x00" * 64 + b"PE\x00\x00L\x01" + b"\x00" * 200
)
CODE = re.compile(r"(?:验证码|code is) (\d{6})")


def code_sent_to(phone: str) -> str:
    """The code in the newest one-time-code SMS to ``phone``."""
    message = (
        OutboxMessage.objects.filter(recipient=phone, channel="sms",
                                     template_code__startswith="portal_")
        .order_by("-id").first()
    )
    assert message is not None, f"no code SMS to {phone}"
    match = CODE.search(message.body)
    assert match, message.body
    return match.group(1)


def code_messages() -> int:
    return OutboxMessage.objects.filter(template_code__startswith="portal_").count()


def photo(name: str = "fault.png", data: bytes = PNG) -> io.BytesIO:
    handle = io.BytesIO(data)
    handle.name = name
    return handle


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = "http://testserver"
