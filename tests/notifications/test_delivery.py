"""Sending the outbox: claim, send, record; retries, dead letters, leases, idempotency."""

from datetime import timedelta

import httpx
import pytest
from django.core import mail
from django.utils import timezone

from fivestar.notifications.delivery import (
    backoff_delay,
    claim_due_messages,
    deliver_due_messages,
    mark_failed,
    mark_sent,
    send_message,
    sweep_outbox,
)
from fivestar.notifications.models import Channel, OutboxMessage, OutboxStatus
from fivestar.notifications.sms import FileSmsBackend, HttpSmsBackend, SmsError

pytestmark = pytest.mark.django_db


def _expire(message: OutboxMessage) -> None:
    """Move the row's lease / back-off into the past, as if time had passed."""
    past = timezone.now() - timedelta(seconds=1)
    rows = OutboxMessage.objects.filter(pk=message.pk)
    rows.update(next_attempt_at=past)
    rows.filter(status=OutboxStatus.SENDING).update(lease_until=past)


def test_delivers_email_and_sms_file(queue_created, settings):
    email = queue_created(channel=Channel.EMAIL, recipient="zs@example.com")
    sms = queue_created(channel=Channel.SMS, recipient="+8613812345678")

    assert deliver_due_messages(worker_id="w1") == 2

    assert len(mail.outbox) == 1
    sent_mail = mail.outbox[0]
    assert sent_mail.to == ["zs@example.com"]
    assert sent_mail.subject.startswith("您的服务请求已登记")
    assert sent_mail.extra_headers["Message-ID"] == f"<{email.idempotency_key}@fivestar>"
    assert sent_mail.message()["Message-ID"] == f"<{email.idempotency_key}@fivestar>"
    sms_file = settings.SMS_DIR / f"{sms.pk}.txt"
    text = sms_file.read_text(encoding="utf-8")
    assert text.startswith("To: +8613812345678\n")
    assert "SR-20261124-000001" in text
    for message in (email, sms):
        message.refresh_from_db()
        assert message.status == OutboxStatus.SENT
        assert message.attempts == 1
        assert message.sent_at is not None
        assert message.lease_until is None
    # Nothing left to do.
    assert deliver_due_messages(worker_id="w1") == 0
    assert len(mail.outbox) == 1


def test_backend_failure_backs_off_then_succeeds(queue_created, flaky_sms):
    flaky_sms.reset(failures=2)
    message = queue_created()
    before = timezone.now()

    assert deliver_due_messages(worker_id="w1") == 0
    message.refresh_from_db()
    assert message.status == OutboxStatus.PENDING
    assert message.attempts == 1
    assert "gateway down" in message.last_error
    # First back-off: between half and all of the base (60 s).
    assert before + timedelta(seconds=29) <= message.next_attempt_at
    assert message.next_attempt_at <= timezone.now() + timedelta(seconds=61)
    # Not due yet: the sweep leaves it alone.
    assert deliver_due_messages(worker_id="w1") == 0
    assert flaky_sms.calls == 1

    _expire(message)
    assert deliver_due_messages(worker_id="w1") == 0
    message.refresh_from_db()
    assert (message.status, message.attempts) == (OutboxStatus.PENDING, 2)

    _expire(message)
    assert deliver_due_messages(worker_id="w1") == 1
    message.refresh_from_db()
    assert (message.status, message.attempts) == (OutboxStatus.SENT, 3)
    assert message.last_error == ""
    assert [sent[0] for sent in flaky_sms.sent] == [message.pk]


def test_backoff_grows_and_is_capped(settings):
    settings.OUTBOX_BACKOFF_BASE_SECONDS = 10
    settings.OUTBOX_BACKOFF_MAX_SECONDS = 100
    for attempts, full in ((1, 10), (2, 20), (3, 40), (4, 80), (5, 100), (30, 100)):
        for _ in range(20):
            delay = backoff_delay(attempts=attempts).total_seconds()
            assert full / 2 <= delay <= full


def test_dead_after_max_attempts(queue_created, flaky_sms, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 3
    flaky_sms.reset(failures=100)
    message = queue_created()
    for _attempt in range(3):
        _expire(message)
        assert deliver_due_messages(worker_id="w1") == 0
    message.refresh_from_db()
    assert message.status == OutboxStatus.FAILED
    assert message.attempts == 3
    _expire(message)
    assert deliver_due_messages(worker_id="w1") == 0
    assert flaky_sms.calls == 3


def test_expired_lease_is_retried_and_the_file_backend_keeps_one_file(queue_created, settings):
    message = queue_created()
    # A worker claims the row, hands the text over, and dies before recording it.
    claim = claim_due_messages(worker_id="dying")
    assert [m.pk for m in claim.messages] == [message.pk]
    send_message(message=claim.messages[0])
    message.refresh_from_db()
    assert message.status == OutboxStatus.SENDING
    assert message.lease_until > timezone.now()
    # While the lease runs, nobody else takes it.
    assert deliver_due_messages(worker_id="other") == 0

    _expire(message)
    assert deliver_due_messages(worker_id="other") == 1
    message.refresh_from_db()
    assert (message.status, message.attempts) == (OutboxStatus.SENT, 2)
    assert message.claimed_by.startswith("other#")
    assert sorted(p.name for p in settings.SMS_DIR.iterdir()) == [f"{message.pk}.txt"]


def test_worker_dying_on_its_last_attempt_leaves_a_failed_row(queue_created, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 1
    message = queue_created()
    claim_due_messages(worker_id="dying")
    _expire(message)
    assert deliver_due_messages(worker_id="other") == 0
    message.refresh_from_db()
    assert message.status == OutboxStatus.FAILED
    assert "lease expired" in message.last_error


def test_mark_sent_is_conditional_on_the_claim(queue_created):
    message = queue_created()
    slow = claim_due_messages(worker_id="slow")
    _expire(slow.messages[0])
    fast = claim_due_messages(worker_id="fast")
    assert [m.pk for m in fast.messages] == [message.pk]
    # The slow worker's lease was lost: its outcome changes nothing.
    assert mark_sent(message=slow.messages[0], claim=slow) is False
    assert mark_failed(message=slow.messages[0], claim=slow, error="late") is False
    message.refresh_from_db()
    assert message.status == OutboxStatus.SENDING
    assert message.claimed_by == fast.token
    assert mark_sent(message=fast.messages[0], claim=fast) is True
    message.refresh_from_db()
    assert message.status == OutboxStatus.SENT


def test_claims_are_unique_even_for_one_worker_id(queue_created):
    queue_created()
    first = claim_due_messages(worker_id="same")
    _expire(first.messages[0])
    second = claim_due_messages(worker_id="same")
    assert first.token != second.token
    assert mark_sent(message=first.messages[0], claim=first) is False


def test_only_the_given_ids_when_asked(queue_created):
    one = queue_created()
    queue_created(recipient="+8613900000000")
    assert deliver_due_messages(worker_id="w", message_ids=[one.pk]) == 1
    assert OutboxMessage.objects.filter(status=OutboxStatus.PENDING).count() == 1


def test_batches_and_sweep(queue_created, recording_sms):
    for i in range(7):
        queue_created(recipient=f"+86139000000{i:02d}")
    assert deliver_due_messages(worker_id="w", batch_size=3) == 3
    assert sweep_outbox(worker_id="w") == 4
    assert len(recording_sms.sent) == 7
    assert len({sent[0] for sent in recording_sms.sent}) == 7


def test_file_backend_overwrites(tmp_path):
    backend = FileSmsBackend(tmp_path)
    backend.send(message_id=5, to="+86138", body="一", idempotency_key="outbox-5-1")
    backend.send(message_id=5, to="+86138", body="一", idempotency_key="outbox-5-1")
    assert [p.name for p in tmp_path.iterdir()] == ["5.txt"]
    assert (tmp_path / "5.txt").read_text(encoding="utf-8").count("一") == 1


def test_http_backend_sends_the_idempotency_key(settings):
    settings.SMS_GATEWAY_URL = "https://sms.example.com/send"
    settings.SMS_API_KEY = "secret"
    seen = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"ok": True})

    HttpSmsBackend(transport=httpx.MockTransport(handler)).send(
        message_id=42, to="+8613812345678", body="您好", idempotency_key="outbox-42-5f1e")
    request = seen[0]
    assert request.headers["Authorization"] == "Bearer secret"
    assert request.headers["Idempotency-Key"] == "outbox-42-5f1e"
    import json

    assert json.loads(request.content) == {"to": "+8613812345678", "body": "您好",
                                           "idempotency_key": "outbox-42-5f1e"}


@pytest.mark.parametrize("status", [400, 500, 503])
def test_http_backend_raises_on_non_2xx(settings, status):
    settings.SMS_GATEWAY_URL = "https://sms.example.com/send"
    transport = httpx.MockTransport(lambda request: httpx.Response(status, text="no"))
    with pytest.raises(SmsError):
        HttpSmsBackend(transport=transport).send(message_id=1, to="+86138", body="x",
                                                 idempotency_key="outbox-1-1")


def test_http_backend_raises_when_unreachable(settings):
    settings.SMS_GATEWAY_URL = "https://sms.example.com/send"

    def handler(request):
        raise httpx.ConnectTimeout("timeout", request=request)

    with pytest.raises(SmsError):
        HttpSmsBackend(transport=httpx.MockTransport(handler)).send(
            message_id=1, to="+86138", body="x", idempotency_key="outbox-1-1")


def test_misconfigured_backend_is_a_retryable_failure(queue_created, settings):
    settings.SMS_BACKEND = "fivestar.notifications.sms.HttpSmsBackend"
    settings.SMS_GATEWAY_URL = ""
    message = queue_created()
    assert deliver_due_messages(worker_id="w") == 0
    message.refresh_from_db()
    assert message.status == OutboxStatus.PENDING
    assert "SMS_GATEWAY_URL" in message.last_error


def test_a_send_repeated_after_a_worker_died_carries_the_same_keys(queue_created, settings):
    """Delivery is at least once: a worker that dies after the provider took the message but
    before recording it leaves the row to be sent again. The repeat carries the same SMS
    idempotency key and the same e-mail Message-ID, so the provider and the mail store can
    tell it is not a second message."""
    settings.SMS_BACKEND = "fivestar.notifications.sms.HttpSmsBackend"
    settings.SMS_GATEWAY_URL = "https://sms.example.com/send"
    keys = []

    def gateway(request: httpx.Request) -> httpx.Response:
        keys.append(request.headers["Idempotency-Key"])
        return httpx.Response(200, json={"ok": True})

    sms = queue_created(channel=Channel.SMS, recipient="+8613812345678")
    email = queue_created(channel=Channel.EMAIL, recipient="zs@example.com")
    backend = HttpSmsBackend(transport=httpx.MockTransport(gateway))
    # The first worker claims both and hands them over, then dies before recording anything.
    claim = claim_due_messages(batch_size=10, worker_id="dies")
    for message in claim.messages:
        send_message(message=message, sms_backend=backend)
    for message in (sms, email):
        _expire(message)
    # The next worker finds them due again and sends them again.
    claim = claim_due_messages(batch_size=10, worker_id="next")
    for message in claim.messages:
        send_message(message=message, sms_backend=backend)

    sms.refresh_from_db()
    assert keys == [sms.idempotency_key] * 2
    assert [m.extra_headers["Message-ID"] for m in mail.outbox] == [
        f"<{email.idempotency_key}@fivestar>"] * 2


def test_keys_stay_unique_when_ids_start_again_after_a_reinstall():
    # A gateway or a mail store that remembers keys must not drop a new message because an
    # earlier install's message had the same row id.
    first = OutboxMessage(pk=7, created_at=timezone.now() - timedelta(days=30))
    again = OutboxMessage(pk=7, created_at=timezone.now())
    assert first.idempotency_key != again.idempotency_key
    assert first.idempotency_key == OutboxMessage(pk=7, created_at=first.created_at).idempotency_key
