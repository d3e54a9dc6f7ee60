"""SMS backends, chosen by ``settings.SMS_BACKEND`` (a dotted path), like Django's mail backends.

Every send carries the outbox row's id (``message_id``) and its ``idempotency_key``: delivery is
at least once, so a backend should make two sends with the same key result in one text to the
customer where its provider allows (see ``fivestar.notifications.delivery``).
"""

import os
import sys
import tempfile
import threading
from abc import ABC, abstractmethod
from pathlib import Path
from typing import TextIO

import httpx
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

DEFAULT_BACKEND = "fivestar.notifications.sms.FileSmsBackend"


class SmsError(Exception):
    """The backend could not hand the message over; the outbox retries it later."""


class BaseSmsBackend(ABC):
    @abstractmethod
    def send(self, *, message_id: int, to: str, body: str, idempotency_key: str) -> None:
        """Hand one text over for delivery or raise. A repeat with the same
        ``idempotency_key`` should not reach the customer twice."""


class FileSmsBackend(BaseSmsBackend):
    """Writes each message to ``SMS_DIR/<message_id>.txt`` — the demo's and the tests' "phone".

    One file per message id, replaced atomically: a retried send overwrites, never duplicates.
    """

    def __init__(self, directory: Path | str | None = None) -> None:
        self.directory = Path(directory or getattr(settings, "SMS_DIR", "var/sms"))

    def send(self, *, message_id: int, to: str, body: str, idempotency_key: str) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        target = self.directory / f"{int(message_id)}.txt"
        content = f"To: {to}\nMessage-Id: {idempotency_key}\n\n{body}\n"
        # Write beside the target, then rename: a reader never sees half a message.
        fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=".sms-", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(content)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


class ConsoleSmsBackend(BaseSmsBackend):
    """Prints each message — for a developer watching the worker's output."""

    _lock = threading.Lock()

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stdout

    def send(self, *, message_id: int, to: str, body: str, idempotency_key: str) -> None:
        with self._lock:
            self.stream.write(f"--- SMS {idempotency_key} to {to}\n{body}\n---\n")
            self.stream.flush()


class HttpSmsBackend(BaseSmsBackend):
    """POSTs ``{"to", "body", "idempotency_key"}`` as JSON to ``SMS_GATEWAY_URL`` with
    ``Authorization: Bearer SMS_API_KEY``. The message's key is also sent as an
    ``Idempotency-Key`` header; a gateway that honours either drops a retried duplicate. Any
    non-2xx answer raises."""

    def __init__(self, transport: httpx.BaseTransport | None = None) -> None:
        self.url = getattr(settings, "SMS_GATEWAY_URL", "")
        self.api_key = getattr(settings, "SMS_API_KEY", "")
        self.timeout = float(getattr(settings, "SMS_TIMEOUT_SECONDS", 10))
        if not self.url:
            raise ImproperlyConfigured("SMS_BACKEND is the HTTP gateway but SMS_GATEWAY_URL "
                                       "is not set.")
        self.transport = transport

    def send(self, *, message_id: int, to: str, body: str, idempotency_key: str) -> None:
        key = idempotency_key
        headers = {"Idempotency-Key": key}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        with httpx.Client(transport=self.transport, timeout=self.timeout) as client:
            try:
                response = client.post(
                    self.url, json={"to": to, "body": body, "idempotency_key": key},
                    headers=headers,
                )
            except httpx.HTTPError as exc:
                raise SmsError(f"SMS gateway unreachable: {exc!r}") from exc
        if not response.is_success:
            raise SmsError(
                f"SMS gateway answered {response.status_code}: {response.text[:200]}"
            )


def get_sms_backend() -> BaseSmsBackend:
    """An instance of the configured backend."""
    path = getattr(settings, "SMS_BACKEND", "") or DEFAULT_BACKEND
    return import_string(path)()
