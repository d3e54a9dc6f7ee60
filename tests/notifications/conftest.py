import importlib

import pytest
from django.apps import apps

from fivestar.notifications.models import Channel, OutboxMessage
from fivestar.notifications.services import queue_message
from tests.notifications.backends import FlakySmsBackend, RecordingSmsBackend


@pytest.fixture
def recording_sms(settings):
    settings.SMS_BACKEND = "tests.notifications.backends.RecordingSmsBackend"
    RecordingSmsBackend.reset()
    return RecordingSmsBackend


@pytest.fixture
def flaky_sms(settings):
    settings.SMS_BACKEND = "tests.notifications.backends.FlakySmsBackend"
    FlakySmsBackend.reset(failures=0)
    return FlakySmsBackend


@pytest.fixture
def queue_created():
    """Queue a ticket_created message on a channel, without a ticket."""

    def make(channel: str = Channel.SMS, recipient: str = "+8613812345678",
             language: str = "zh-hans", **context) -> OutboxMessage:
        message = queue_message(
            channel=channel, recipient=recipient, template_code="ticket_created",
            context={"customer_name": "张三", "number": "SR-20261124-000001",
                     "title": "冰箱不制冷", **context},
            language=language,
        )
        assert message is not None
        return message

    return make


@pytest.fixture
def seeded_templates():
    """The standard templates again, for transactional tests: a flush by an earlier one empties
    the table that the data migration filled (the seed is idempotent)."""
    migration = importlib.import_module("fivestar.notifications.migrations.0002_seed_templates")
    migration.seed(apps, None)
