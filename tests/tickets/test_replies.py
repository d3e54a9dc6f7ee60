"""Replies and attachments (SPEC §3 first response, §9 what a customer may do)."""

import io
from pathlib import Path

import pytest

from fivestar.core.errors import Conflict, PayloadTooLarge, PermissionDenied, ValidationFailed
from fivestar.tickets.models import Attachment, Reply, Status, TicketEvent
from fivestar.tickets.services import Actor, Upload, add_attachments, add_reply
from tests.factories import CustomerFactory, TicketFactory, UserFactory

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 32
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n%%EOF\n"
EXE = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 44
    + b"\x80\x00\x00\x00" + b"\x00" * 64 + b"PE\x00\x00L\x01" + b"\x00" * 200
)


def upload(name: str, data: bytes) -> Upload:
    return Upload(name=name, content=io.BytesIO(data), size=len(data))


@pytest.fixture
def portal_user(db):
    return UserFactory(username="cust-portal", roles=["customer"])


@pytest.fixture
def ticket(portal_user):
    return TicketFactory(status=Status.IN_PROGRESS, customer=CustomerFactory(user=portal_user))


@pytest.fixture
def as_customer(portal_user):
    return Actor(user=portal_user, as_customer=True)


class TestReplies:
    def test_first_public_staff_reply_is_the_first_response(self, ticket, agent, supervisor):
        reply = add_reply(ticket=ticket, actor=Actor(user=agent), body="您好，已收到。")
        first_at = reply.created_at

        add_reply(ticket=ticket, actor=Actor(user=supervisor), body="补充说明")

        ticket.refresh_from_db()
        assert ticket.first_response_at == first_at
        assert reply.author == agent and not reply.internal and not reply.from_customer

    def test_an_internal_note_is_not_a_response(self, ticket, agent):
        note = add_reply(ticket=ticket, actor=Actor(user=agent), body="需要备件", internal=True)

        ticket.refresh_from_db()
        assert note.internal
        assert ticket.first_response_at is None

    def test_a_customer_reply_is_not_a_response(self, ticket, as_customer):
        reply = add_reply(ticket=ticket, actor=as_customer, body="什么时候上门？")

        ticket.refresh_from_db()
        assert reply.from_customer and reply.author is None
        assert ticket.first_response_at is None

    def test_a_customer_cannot_write_internal_notes(self, ticket, as_customer):
        with pytest.raises(PermissionDenied):
            add_reply(ticket=ticket, actor=as_customer, body="偷偷看", internal=True)

        assert not Reply.objects.exists()

    def test_a_customer_replies_only_on_their_own_ticket(self, ticket):
        stranger = UserFactory(username="stranger", roles=["customer"])
        CustomerFactory(user=stranger)

        with pytest.raises(PermissionDenied):
            add_reply(ticket=ticket, actor=Actor(user=stranger, as_customer=True), body="hi")

        assert not Reply.objects.exists()

    def test_each_reply_writes_one_event(self, ticket, agent, as_customer):
        add_reply(ticket=ticket, actor=Actor(user=agent), body="公开回复")
        add_reply(ticket=ticket, actor=Actor(user=agent), body="内部备注", internal=True)
        add_reply(ticket=ticket, actor=as_customer, body="好的")

        found = list(TicketEvent.objects.filter(ticket=ticket).order_by("id"))
        assert [(e.action, e.actor_kind) for e in found] == [
            ("reply", "staff"), ("note", "staff"), ("reply", "customer")
        ]
        assert found[0].after["first_response"] is True
        assert found[0].actor == agent

    @pytest.mark.parametrize("body", ["", "   \n"])
    def test_an_empty_reply_is_refused(self, ticket, agent, body):
        with pytest.raises(ValidationFailed) as caught:
            add_reply(ticket=ticket, actor=Actor(user=agent), body=body)

        assert "body" in caught.value.fields

    def test_a_cancelled_ticket_takes_no_replies(self, agent):
        ticket = TicketFactory(status=Status.CANCELLED)

        with pytest.raises(Conflict) as refused:
            add_reply(ticket=ticket, actor=Actor(user=agent), body="还在吗")
        assert refused.value.code == "ticket_ended" and refused.value.status == 409

    def test_time_spent_must_be_within_a_day(self, ticket, technician):
        with pytest.raises(ValidationFailed) as caught:
            add_reply(ticket=ticket, actor=Actor(user=technician), body="上门", internal=True,
                      time_spent_minutes=24 * 60 + 1)

        assert "time_spent_minutes" in caught.value.fields


class TestAttachments:
    @pytest.mark.parametrize(
        ("name", "data", "content_type", "extension"),
        [
            ("fault.png", PNG, "image/png", ".png"),
            ("photo.jpeg", JPEG, "image/jpeg", ".jpg"),
            ("invoice.pdf", PDF, "application/pdf", ".pdf"),
            ("scan.pdf", PNG, "image/png", ".png"),  # the content decides, not the name
        ],
    )
    def test_accepted_by_content(self, ticket, agent, name, data, content_type, extension):
        [attachment] = add_attachments(ticket=ticket, actor=Actor(user=agent),
                                       uploads=[upload(name, data)])

        attachment.refresh_from_db()
        assert attachment.content_type == content_type
        assert attachment.extension == extension
        assert attachment.original_name == name
        assert attachment.size == len(data)
        assert attachment.file.read() == data

    def test_the_stored_name_is_the_digest_not_the_uploaders(self, ticket, agent):
        [attachment] = add_attachments(ticket=ticket, actor=Actor(user=agent),
                                       uploads=[upload("../../etc/passwd.png", PNG)])

        stored = Path(attachment.file.name)
        assert stored.name == f"{attachment.sha256}.png"
        assert "passwd" not in attachment.file.name
        assert ".." not in attachment.file.name

    def test_an_exe_renamed_to_jpg_is_refused(self, ticket, agent):
        with pytest.raises(ValidationFailed) as caught:
            add_attachments(ticket=ticket, actor=Actor(user=agent),
                            uploads=[upload("photo.jpg", EXE)])

        assert caught.value.code == "unsupported_file_type"
        assert "file" in caught.value.fields
        assert not Attachment.objects.exists()

    def test_over_the_size_limit_is_too_large(self, ticket, agent, settings):
        settings.ATTACHMENT_MAX_BYTES = 64

        with pytest.raises(PayloadTooLarge):
            add_attachments(ticket=ticket, actor=Actor(user=agent),
                            uploads=[upload("big.png", PNG + b"\x00" * 64)])

        assert not Attachment.objects.exists()

    def test_a_declared_size_that_lies_is_still_caught(self, ticket, agent, settings):
        settings.ATTACHMENT_MAX_BYTES = 64
        data = PNG + b"\x00" * 64

        with pytest.raises(PayloadTooLarge):
            add_attachments(ticket=ticket, actor=Actor(user=agent),
                            uploads=[Upload(name="big.png", content=io.BytesIO(data), size=10)])

    def test_at_the_size_limit_is_accepted(self, ticket, agent, settings):
        settings.ATTACHMENT_MAX_BYTES = len(PNG)

        add_attachments(ticket=ticket, actor=Actor(user=agent), uploads=[upload("ok.png", PNG)])

        assert Attachment.objects.count() == 1

    def test_an_empty_file_is_refused(self, ticket, agent):
        with pytest.raises(ValidationFailed) as caught:
            add_attachments(ticket=ticket, actor=Actor(user=agent), uploads=[upload("x.png", b"")])

        assert "file" in caught.value.fields

    def test_no_files_is_refused(self, ticket, agent):
        with pytest.raises(ValidationFailed):
            add_attachments(ticket=ticket, actor=Actor(user=agent), uploads=[])

    def test_a_bad_second_file_leaves_no_reply_and_no_attachment(self, ticket, agent,
                                                                 settings):
        with pytest.raises(ValidationFailed):
            add_reply(ticket=ticket, actor=Actor(user=agent), body="见附件",
                      uploads=[upload("ok.png", PNG), upload("virus.jpg", EXE)])

        assert not Reply.objects.exists()
        assert not Attachment.objects.exists()
        assert not TicketEvent.objects.filter(ticket=ticket).exists()
        ticket.refresh_from_db()
        assert ticket.first_response_at is None
        media = Path(settings.MEDIA_ROOT)
        assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))

    def test_a_failure_while_storing_rolls_the_reply_back(self, ticket, agent, monkeypatch):
        from django.core.files.storage import FileSystemStorage

        real_save = FileSystemStorage.save
        calls = []

        def failing_save(self, name, content, max_length=None):
            calls.append(name)
            if len(calls) == 2:
                raise OSError("disk full")
            return real_save(self, name, content, max_length=max_length)

        monkeypatch.setattr(FileSystemStorage, "save", failing_save)

        with pytest.raises(OSError):
            add_reply(ticket=ticket, actor=Actor(user=agent), body="见附件",
                      uploads=[upload("a.png", PNG), upload("b.pdf", PDF)])

        assert not Reply.objects.exists()
        assert not Attachment.objects.exists()

    def test_reply_attachments_belong_to_the_reply(self, ticket, as_customer):
        reply = add_reply(ticket=ticket, actor=as_customer, body="照片",
                          uploads=[upload("a.png", PNG), upload("b.pdf", PDF)])

        assert sorted(a.content_type for a in reply.attachments.all()) == [
            "application/pdf", "image/png"
        ]
        assert all(a.ticket_id == ticket.pk and a.uploaded_by is None
                   for a in reply.attachments.all())
