"""The back office: templates editable, outbox read-only with "retry now"."""

import pytest
from django.urls import reverse

from fivestar.customers.masking import mask
from fivestar.customers.models import PersonalDataAccess
from fivestar.notifications.models import MessageTemplate, OutboxMessage, OutboxStatus

pytestmark = pytest.mark.django_db


def test_template_pages_render_and_refuse_broken_syntax(admin_client):
    template = MessageTemplate.objects.get(code="ticket_created", channel="sms",
                                           language="zh-hans")
    assert admin_client.get(reverse("admin:notifications_messagetemplate_changelist")
                            ).status_code == 200
    url = reverse("admin:notifications_messagetemplate_change", args=[template.pk])
    assert admin_client.get(url).status_code == 200
    response = admin_client.post(url, {
        "code": template.code, "channel": template.channel, "language": template.language,
        "description": "", "subject": "", "body": "{% if %}",
    })
    assert response.status_code == 200  # the form again, with the error
    template.refresh_from_db()
    assert "{% if %}" not in template.body


def test_outbox_is_read_only_with_a_retry_action(admin_client, queue_created):
    message = queue_created()
    OutboxMessage.objects.filter(pk=message.pk).update(status=OutboxStatus.FAILED, attempts=8)
    changelist = reverse("admin:notifications_outboxmessage_changelist")
    response = admin_client.get(changelist, {"status__exact": "failed"})
    assert response.status_code == 200
    # The list masks the recipient (SPEC §9); the message's own page shows it, logged.
    assert mask(message.recipient, "phone") in response.content.decode()
    assert message.recipient not in response.content.decode()
    assert admin_client.get(reverse("admin:notifications_outboxmessage_add")).status_code == 403
    detail = admin_client.get(reverse("admin:notifications_outboxmessage_change",
                                      args=[message.pk]))
    assert detail.status_code == 200
    assert message.recipient in detail.content.decode()
    assert PersonalDataAccess.objects.get().fields == ["recipient"]

    response = admin_client.post(changelist, {
        "action": "retry_now", "_selected_action": [message.pk],
    })
    assert response.status_code == 302
    message.refresh_from_db()
    assert (message.status, message.attempts) == (OutboxStatus.PENDING, 0)
