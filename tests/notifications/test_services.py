"""Queuing: rendering, the caller's transaction, dedupe, muting, retry."""

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from fivestar.notifications.models import Channel, MessageTemplate, OutboxMessage, OutboxStatus
from fivestar.notifications.selectors import template_for
from fivestar.notifications.services import (
    queue_message,
    render_template,
    retry_messages,
)

pytestmark = pytest.mark.django_db

CONTEXT = {"customer_name": "张三", "number": "SR-20261124-000007", "title": "冰箱不制冷 & <异响>"}


def test_seeded_templates_exist_in_both_languages():
    for code in ("ticket_created", "ticket_resolved", "ticket_closed", "ticket_reply"):
        for channel in (Channel.SMS, Channel.EMAIL):
            for language in ("zh-hans", "en"):
                assert MessageTemplate.objects.filter(
                    code=code, channel=channel, language=language).exists(), (code, channel,
                                                                              language)
    for language in ("zh-hans", "en"):
        assert template_for(code="ticket_assigned", channel="email", language=language)


def test_renders_in_chinese_and_english_without_html_escaping():
    zh = template_for(code="ticket_created", channel="email", language="zh-hans")
    en = template_for(code="ticket_created", channel="email", language="en")
    subject, body = render_template(template=zh, context=CONTEXT)
    assert subject == "您的服务请求已登记（工单号 SR-20261124-000007）"
    assert "张三，您好" in body and "冰箱不制冷 & <异响>" in body
    subject, body = render_template(template=en, context=CONTEXT)
    assert subject == "Your service request is recorded (ticket SR-20261124-000007)"
    assert body.startswith("Dear 张三,")
    assert "&amp;" not in body


def test_lazy_labels_render_in_the_templates_language():
    from fivestar.tickets.models import Status

    template = MessageTemplate.objects.create(code="t", channel="sms", language="zh-hans",
                                              body="状态：{{ status }}")
    _subject, body = render_template(template=template, context={"status": Status.CLOSED.label})
    assert body == "状态：已关闭"


def test_unknown_language_falls_back_to_the_default():
    template = template_for(code="ticket_created", channel="sms", language="fr")
    assert template.language == "zh-hans"


def test_queue_renders_at_queue_time(queue_created):
    message = queue_created(channel=Channel.EMAIL, recipient="zs@example.com")
    template = template_for(code="ticket_created", channel="email", language="zh-hans")
    template.body = "changed"
    template.save()
    message.refresh_from_db()
    assert message.status == OutboxStatus.PENDING
    assert message.attempts == 0
    assert "SR-20261124-000001" in message.body
    assert message.subject.startswith("您的服务请求已登记")
    assert message.language == "zh-hans"
    assert message.next_attempt_at <= timezone.now()


def test_queue_writes_in_the_callers_transaction_and_enqueues_after_commit(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        message = queue_message(channel="sms", recipient="+8613812345678",
                                template_code="ticket_created", context=CONTEXT,
                                language="zh-hans")
        # Written (visible to this transaction), but nothing is enqueued before commit.
        assert OutboxMessage.objects.filter(pk=message.pk).exists()
        assert callbacks == []
    assert len(callbacks) == 1


def test_one_transaction_enqueues_one_delivery_for_all_its_messages(
    django_capture_on_commit_callbacks, monkeypatch,
):
    """A sweep or a back-fill queueing thousands of messages gives the worker one task, not one
    per message."""
    enqueued = []
    monkeypatch.setattr("fivestar.notifications.services._enqueue_delivery", enqueued.append)

    def queue(number: int):
        return queue_message(channel="sms", recipient=f"+86138123456{number:02d}",
                             template_code="ticket_created", context=CONTEXT,
                             language="zh-hans")

    # Each service call of a back-fill is a savepoint of the loader's transaction.
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        calls = []
        for number in range(1, 30):
            with transaction.atomic():
                calls.append(queue(number))
    assert enqueued == [[message.pk for message in calls]]

    # A part that failed takes its rows with it; nothing of it is sent.
    enqueued.clear()
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        first = queue(31)
        with pytest.raises(RuntimeError), transaction.atomic():
            dropped = queue(32)
            raise RuntimeError("this part failed")
        third = queue(33)
    assert not OutboxMessage.objects.filter(recipient=dropped.recipient).exists()
    assert len(enqueued) <= 2
    assert {first.pk, third.pk} <= {pk for ids in enqueued for pk in ids}


def test_rolled_back_transaction_leaves_no_row():
    with pytest.raises(RuntimeError), transaction.atomic():
        queue_message(channel="sms", recipient="+8613812345678",
                      template_code="ticket_created", context=CONTEXT, language="zh-hans")
        raise RuntimeError("the change failed")
    assert not OutboxMessage.objects.exists()


def test_same_dedupe_key_is_queued_once():
    first = queue_message(channel="sms", recipient="+8613812345678",
                          template_code="ticket_created", context=CONTEXT, language="zh-hans",
                          dedupe_key="1:ticket_created:sms")
    again = queue_message(channel="sms", recipient="+8613812345678",
                          template_code="ticket_created", context=CONTEXT, language="zh-hans",
                          dedupe_key="1:ticket_created:sms")
    assert again.pk == first.pk
    assert OutboxMessage.objects.count() == 1


def test_missing_template_or_recipient_queues_nothing(caplog):
    assert queue_message(channel="sms", recipient="+8613812345678", template_code="nope",
                         context={}, language="en") is None
    assert "no sms template 'nope'" in caplog.text
    assert queue_message(channel="sms", recipient="  ", template_code="ticket_created",
                         context=CONTEXT, language="en") is None
    assert not OutboxMessage.objects.exists()


def test_broken_template_is_refused_by_validation():
    template = MessageTemplate(code="x", channel="email", language="en", subject="ok",
                               body="{% if %}")
    with pytest.raises(ValidationError) as excinfo:
        template.full_clean()
    assert "body" in excinfo.value.message_dict


def test_broken_template_saved_anyway_does_not_break_the_caller():
    MessageTemplate.objects.create(code="broken", channel="sms", language="zh-hans",
                                   body="{% for %}")
    assert queue_message(channel="sms", recipient="+8613812345678", template_code="broken",
                         context={}, language="zh-hans") is None


def test_retry_revives_failed_and_hurries_pending(queue_created):
    dead = queue_created()
    waiting = queue_created(recipient="+8613900000000")
    sent = queue_created(recipient="+8613911111111")
    later = timezone.now() + timezone.timedelta(hours=1)
    OutboxMessage.objects.filter(pk=dead.pk).update(status=OutboxStatus.FAILED, attempts=8)
    OutboxMessage.objects.filter(pk=waiting.pk).update(next_attempt_at=later, attempts=2)
    OutboxMessage.objects.filter(pk=sent.pk).update(status=OutboxStatus.SENT)
    assert retry_messages(ids=[dead.pk, waiting.pk, sent.pk]) == 2
    dead.refresh_from_db()
    waiting.refresh_from_db()
    sent.refresh_from_db()
    assert (dead.status, dead.attempts) == (OutboxStatus.PENDING, 0)
    assert waiting.next_attempt_at <= timezone.now() and waiting.attempts == 2
    assert sent.status == OutboxStatus.SENT


def test_a_new_dedupe_key_is_queued_without_looking_for_it_first(django_assert_num_queries):
    queue_message(channel="sms", recipient="+8613812345678", template_code="ticket_created",
                  context=CONTEXT, language="zh-hans", dedupe_key="0:warm-up:sms")

    # The template is cached: the insert alone (a repeat is refused by ON CONFLICT, no
    # savepoint needed).
    with django_assert_num_queries(1):
        queue_message(channel="sms", recipient="+8613812345678",
                      template_code="ticket_created", context=CONTEXT, language="zh-hans",
                      dedupe_key="2:ticket_created:sms")


def test_a_repeated_key_leaves_the_callers_transaction_usable():
    with transaction.atomic():
        first = queue_message(channel="sms", recipient="+8613812345678",
                              template_code="ticket_created", context=CONTEXT,
                              language="zh-hans", dedupe_key="3:ticket_created:sms")
        again = queue_message(channel="sms", recipient="+8613812345678",
                              template_code="ticket_created", context=CONTEXT,
                              language="zh-hans", dedupe_key="3:ticket_created:sms")
        assert again.pk == first.pk
        assert OutboxMessage.objects.count() == 1  # still usable after the refused insert


def test_an_edited_template_is_used_for_the_next_message(queue_created):
    queue_created()  # the template is now cached
    template = template_for(code="ticket_created", channel="sms", language="zh-hans")
    template.body = "新的措辞 {{ number }}"
    template.save()

    assert queue_created().body == "新的措辞 SR-20261124-000001"


def test_a_template_added_for_a_language_replaces_the_fallback(queue_created):
    assert queue_created(language="fr").language == "zh-hans"  # cached: the fallback
    MessageTemplate.objects.create(code="ticket_created", channel="sms", language="fr",
                                   body="Bonjour {{ customer_name }}")

    assert queue_created(language="fr").body == "Bonjour 张三"


def test_a_deleted_template_is_no_longer_used(queue_created):
    queue_created()
    for template in MessageTemplate.objects.filter(code="ticket_created", channel="sms"):
        template.delete()

    assert queue_message(channel="sms", recipient="+8613812345678",
                         template_code="ticket_created", context=CONTEXT,
                         language="zh-hans") is None

