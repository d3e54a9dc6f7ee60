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

from fivestar.core.errors import Conflict, PayloadTooLarge, PermissionDenied, ValidationFailed
from fivestar.tickets import events
from fivestar.tickets.actors import Actor
from fivestar.tickets.errors import TicketErrorCode
from fivestar.tickets.models import Attachment, Reply, Status, Ticket
from fivestar.tickets.services.transitions import refresh_from, resume_ticket

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

    Rules, whoever writes and on whichever channel (SPEC §3, §5): internal notes are for staff
    only, a customer's reply is always public; a closed or cancelled ticket takes no more
    replies (409 ``ticket_ended``: the customer reopens it instead) — staff may still add an
    internal note to it for the record; the first public reply by staff is the ticket's first
    response; a customer's reply to a ticket waiting for the customer is what was waited for,
    so work resumes and the clocks run again (a ``resume`` event after the ``reply``).
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
    checked = [_checked_upload(upload) for upload in uploads or []]
    with transaction.atomic():
        row = Ticket.objects.select_for_update().get(pk=ticket.pk)
        if not internal:
            refuse_when_ended(row)
        reply = Reply.objects.create(
            ticket=row,
            author=actor.staff_user,
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
        events.ticket_replied_event(ticket=row, actor=actor, reply_id=reply.pk,
                                    internal=internal, first_response=first_response,
                                    attachments=len(checked))
        if actor.as_customer and row.status == Status.WAITING_CUSTOMER:
            resume_ticket(ticket=row, actor=actor, note=_("客户已回复。"))
    refresh_from(ticket, row)
    return reply


def refuse_when_ended(ticket: Ticket) -> None:
    """A closed or cancelled ticket takes no more public messages or files (409)."""
    if ticket.status == Status.CANCELLED:
        raise Conflict(_("这张工单已取消。如需帮助，请重新提交或拨打服务热线。"),
                       code=TicketErrorCode.TICKET_ENDED, extra={"status": ticket.status})
    if ticket.status == Status.CLOSED:
        raise Conflict(_("这张工单已关闭。如果问题又出现了，请重新打开工单。"),
                       code=TicketErrorCode.TICKET_ENDED, extra={"status": ticket.status})


def add_attachments(*, ticket: Ticket, actor: Actor, uploads: list[Upload]) -> list[Attachment]:
    """Attach files to the ticket itself (not to a reply); not to a closed or cancelled one."""
    if not uploads:
        raise ValidationFailed(_("请选择文件。"), fields={"file": [_("必填。")]})
    checked = [_checked_upload(upload) for upload in uploads]
    with transaction.atomic():
        row = Ticket.objects.select_for_update().get(pk=ticket.pk)
        refuse_when_ended(row)
        stored = [
            _store_attachment(ticket=row, reply=None, upload=upload, content_type=content_type,
                              digest=digest, data=data, actor=actor)
            for upload, content_type, digest, data in checked
        ]
        events.ticket_attachments_added_event(ticket=row, actor=actor,
                                              attachment_ids=[a.pk for a in stored])
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
            code=TicketErrorCode.UNSUPPORTED_FILE_TYPE,
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
        uploaded_by=actor.staff_user,
    )
    attachment.file.save(f"{digest}{attachment.extension}", ContentFile(data), save=False)
    attachment.save()
    return attachment
