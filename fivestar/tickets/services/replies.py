"""Replies (public or internal) and attachments on a ticket."""

import hashlib
from dataclasses import dataclass
from typing import BinaryIO

import puremagic
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fivestar.core.errors import PayloadTooLarge, PermissionDenied, ValidationFailed
from fivestar.tickets.events import record_event
from fivestar.tickets.models import Attachment, Reply, Status, Ticket
from fivestar.tickets.services.transitions import Actor

# Content types accepted as attachments, detected from the bytes: photos of the fault, scanned
# invoices, a short video, a log file.
ALLOWED_TYPES = {
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/gif": ".gif",
    "image/webp": ".webp",
    "image/heic": ".heic",
    "application/pdf": ".pdf",
    "video/mp4": ".mp4",
    "text/plain": ".txt",
}
_SNIFF_BYTES = 8192


@dataclass(frozen=True)
class Upload:
    name: str
    content: BinaryIO
    size: int


def add_reply(
    *, ticket: Ticket, actor: Actor, body: str, internal: bool = False,
    time_spent_minutes: int | None = None, uploads: list[Upload] | None = None,
) -> Reply:
    """Add a reply to the ticket's conversation, with its attachments, in one transaction.

    Internal notes are for staff only; a customer's reply is always public. The first public
    reply by staff is the ticket's first response (SPEC §3).
    """
    text = (body or "").strip()
    if not text:
        raise ValidationFailed(_("回复内容不能为空。"), fields={"body": [_("必填。")]})
    if actor.as_customer and internal:
        raise PermissionDenied(_("客户不能添加内部备注。"))
    if actor.as_customer and actor.user is not None and ticket.customer.user_id != actor.user.pk:
        raise PermissionDenied(_("只能回复自己的工单。"))
    if actor.user is None and not actor.as_customer:
        raise PermissionDenied(_("需要登录。"))
    if time_spent_minutes is not None and not 0 <= time_spent_minutes <= 24 * 60:
        raise ValidationFailed(
            _("耗时应在 0 到 1440 分钟之间。"), fields={"time_spent_minutes": [_("超出范围。")]}
        )
    if ticket.status == Status.CANCELLED:
        raise ValidationFailed(_("已取消的工单不能回复。"), fields={"body": [_("工单已取消。")]})
    checked = [_checked_upload(upload) for upload in uploads or []]
    with transaction.atomic():
        row = Ticket.objects.select_for_update().get(pk=ticket.pk)
        reply = Reply.objects.create(
            ticket=row,
            author=None if actor.as_customer else actor.user,
            from_customer=actor.as_customer,
            body=text,
            internal=internal,
            time_spent_minutes=time_spent_minutes,
            created_at=timezone.now(),
        )
        for upload, content_type, digest, data in checked:
            _store_attachment(ticket=row, reply=reply, upload=upload, content_type=content_type,
                              digest=digest, data=data, actor=actor)
        first_response = not internal and not actor.as_customer and row.first_response_at is None
        if first_response:
            row.first_response_at = reply.created_at
            row.save(update_fields=["first_response_at", "updated_at"])
        record_event(
            ticket=row,
            action="note" if internal else "reply",
            actor=actor.user if not actor.as_customer else None,
            actor_kind=actor.kind,
            after={"reply": reply.pk, "first_response": first_response,
                   "attachments": len(checked)},
        )
    return reply


def add_attachments(*, ticket: Ticket, actor: Actor, uploads: list[Upload]) -> list[Attachment]:
    """Attach files to the ticket itself (not to a reply)."""
    if not uploads:
        raise ValidationFailed(_("请选择文件。"), fields={"file": [_("必填。")]})
    checked = [_checked_upload(upload) for upload in uploads]
    with transaction.atomic():
        row = Ticket.objects.select_for_update().get(pk=ticket.pk)
        stored = [
            _store_attachment(ticket=row, reply=None, upload=upload, content_type=content_type,
                              digest=digest, data=data, actor=actor)
            for upload, content_type, digest, data in checked
        ]
        record_event(
            ticket=row, action="attachment", actor=actor.user, actor_kind=actor.kind,
            after={"attachments": [a.pk for a in stored]},
        )
    return stored


def _checked_upload(upload: Upload) -> tuple[Upload, str, str, bytes]:
    """Size limit, then type by content: the name and the declared type are not trusted."""
    limit = settings.ATTACHMENT_MAX_BYTES
    if upload.size > limit:
        raise PayloadTooLarge(
            _("文件 %(name)s 超过 %(mb)d MB 的上限。")
            % {"name": upload.name[:80], "mb": limit // (1024 * 1024)},
            fields={"file": [_("文件过大。")]},
        )
    data = upload.content.read(limit + 1)
    if len(data) > limit:
        raise PayloadTooLarge(_("文件过大。"), fields={"file": [_("文件过大。")]})
    if not data:
        raise ValidationFailed(_("文件是空的。"), fields={"file": [_("文件是空的。")]})
    content_type = detect_content_type(data)
    if content_type not in ALLOWED_TYPES:
        raise ValidationFailed(
            _("不支持的文件类型：%(name)s。可上传图片、PDF、MP4 视频或文本文件。")
            % {"name": upload.name[:80]},
            code="unsupported_file_type",
            fields={"file": [_("不支持的文件类型。")]},
        )
    return upload, content_type, hashlib.sha256(data).hexdigest(), data


def detect_content_type(data: bytes) -> str:
    head = data[:_SNIFF_BYTES]
    try:
        matches = puremagic.magic_string(head)
    except (puremagic.PureError, ValueError):
        matches = []
    for match in matches:
        if match.mime_type in ALLOWED_TYPES:
            return match.mime_type
    if matches:
        return matches[0].mime_type or "application/octet-stream"
    if b"\x00" not in head:
        try:
            head.decode("utf-8")
            return "text/plain"
        except UnicodeDecodeError:
            # A multi-byte character cut at the sniff boundary is still text.
            try:
                head[:-3].decode("utf-8")
                return "text/plain"
            except UnicodeDecodeError:
                pass
    return "application/octet-stream"


def _store_attachment(*, ticket: Ticket, reply: Reply | None, upload: Upload, content_type: str,
                      digest: str, data: bytes, actor: Actor) -> Attachment:
    attachment = Attachment(
        ticket=ticket,
        reply=reply,
        original_name=(upload.name or "file")[:200],
        content_type=content_type,
        extension=ALLOWED_TYPES[content_type],
        size=len(data),
        sha256=digest,
        uploaded_by=None if actor.as_customer else actor.user,
    )
    attachment.file.save(f"{digest}{attachment.extension}", ContentFile(data), save=False)
    attachment.save()
    return attachment
