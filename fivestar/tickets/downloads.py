"""A ticket's files as downloads, the same from the API, the staff pages and the portal: the
file the reader may open, under its stored type, never sniffed by the browser; a file whose
bytes are gone from storage is a 404 like a file that never was, not a 500."""

from django.db.models import Q
from django.http import FileResponse
from django.utils.translation import gettext as _

from fivestar.core.errors import NotFound
from fivestar.tickets.models import Attachment, Ticket


def attachment_of(*, ticket: Ticket, attachment_id: int, public_only: bool) -> Attachment:
    """File ``attachment_id`` of ``ticket``; with ``public_only`` (the ticket's customer) only
    a file on the ticket itself or on a public reply, not one on an internal note."""
    files = ticket.attachments.filter(pk=attachment_id)
    if public_only:
        files = files.filter(Q(reply__isnull=True) | Q(reply__internal=False))
    attachment = files.first()
    if attachment is None:
        raise NotFound(_("没有找到附件。"))
    return attachment


def attachment_download(*, attachment: Attachment, inline: bool = False) -> FileResponse:
    """The file as a response: shown in the page when ``inline`` (a photo), else saved."""
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise NotFound(_("附件文件已不存在。")) from None
    response = FileResponse(handle, content_type=attachment.content_type,
                            as_attachment=not inline, filename=attachment.original_name)
    response["X-Content-Type-Options"] = "nosniff"
    return response
