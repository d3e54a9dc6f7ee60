"""SMS backends for tests: one that records, one that fails a given number of times."""

import threading
import time

from fivestar.notifications.sms import BaseSmsBackend, SmsError


class RecordingSmsBackend(BaseSmsBackend):
    """Records every send in a class-level list (thread-safe); optionally slow."""

    sent: list[tuple[int, str, str]] = []
    delay = 0.0
    _lock = threading.Lock()

    @classmethod
    def reset(cls, *, delay: float = 0.0) -> None:
        with cls._lock:
            cls.sent = []
        cls.delay = delay

    def send(self, *, message_id: int, to: str, body: str, idempotency_key: str) -> None:
        if self.delay:
            time.sleep(self.delay)
        with self._lock:
            self.sent.append((message_id, to, body))


class FlakySmsBackend(BaseSmsBackend):
    """Fails the first ``failures`` sends, then records like RecordingSmsBackend."""

    failures = 0
    calls = 0
    sent: list[tuple[int, str, str]] = []

    @classmethod
    def reset(cls, *, failures: int) -> None:
        cls.failures = failures
        cls.calls = 0
        cls.sent = []

    def send(self, *, message_id: int, to: str, body: str, idempotency_key: str) -> None:
        type(self).calls += 1
        if type(self).calls <= self.failures:
            raise SmsError("gateway down")
        self.sent.append((message_id, to, body))
