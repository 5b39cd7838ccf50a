"""Attaching photos and documents to a ticket: type checked by content, size limited, recorded on the timeline."""

from pathlib import Path

from django.db import transaction

from gridgov.core import clock
from gridgov.core.errors import Forbidden, InvalidInput
from gridgov.tickets.access import can, get_visible
from gridgov.tickets.models import Attachment, Ticket
from gridgov.tickets.timeline import append_event

MAX_BYTES = 10 * 1024 * 1024
MAX_FILES = 9
ATTACH_PERMISSIONS = ("ticket.receive", "ticket.dispatch", "ticket.report")
# Extension → (content type, leading bytes that a real file of that type starts with).
ALLOWED = {
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)), ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)), ".gif": ("image/gif", (b"GIF87a", b"GIF89a")),
    ".webp": ("image/webp", (b"RIFF",)), ".pdf": ("application/pdf", (b"%PDF-",)),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (b"PK\x03\x04",)),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (b"PK\x03\x04",)),
    ".doc": ("application/msword", (b"\xd0\xcf\x11\xe0",)), ".xls": ("application/vnd.ms-excel", (b"\xd0\xcf\x11\xe0",)),
}
ALLOWED_LABEL = "jpg、png、gif、webp 图片或 pdf、doc、docx、xls、xlsx 文档"


def check_upload(upload) -> str:
    """Return the content type of an acceptable upload, or raise InvalidInput saying why it is refused."""
    suffix = Path(upload.name or "").suffix.lower()
    if suffix not in ALLOWED:
        raise InvalidInput(f"不支持的文件类型“{upload.name}”，只能上传{ALLOWED_LABEL}", {"field": "files"})
    if upload.size > MAX_BYTES:
        raise InvalidInput(f"文件“{upload.name}”超过 {MAX_BYTES // 1024 // 1024} MB", {"field": "files"})
    content_type, magics = ALLOWED[suffix]
    head = upload.read(16)
    upload.seek(0)
    # Trust the bytes, not the name: a renamed executable must not pass as a photo.
    if not any(head.startswith(m) for m in magics):
        raise InvalidInput(f"文件“{upload.name}”的内容与扩展名不符", {"field": "files"})
    return content_type


def attach(actor, ticket_id, uploads) -> list[Attachment]:
    """Attach files to a ticket the actor can see and work on; all files are checked before any is saved."""
    uploads = list(uploads)
    if len(uploads) > MAX_FILES:
        raise InvalidInput(f"一次最多上传 {MAX_FILES} 个文件", {"field": "files"})
    types = [check_upload(u) for u in uploads]
    with transaction.atomic():
        get_visible(actor, ticket_id)
        # Lock the ticket as the do_* actions do, so the timeline's next number is ours alone.
        ticket = Ticket.objects.select_for_update(of=("self",)).get(pk=ticket_id)
        # Whoever registers, dispatches or handles the ticket may add evidence to it.
        if not any(can(actor, perm, ticket) for perm in ATTACH_PERMISSIONS):
            raise Forbidden()
        now = clock.now()
        saved = [Attachment.objects.create(ticket=ticket, file=u, name=u.name[:200], content_type=t, size=u.size,
                                           uploaded_by=actor, uploaded_at=now) for u, t in zip(uploads, types)]
        append_event(ticket, actor, now, "attach", "上传附件：" + "、".join(a.name for a in saved),
                     attachments=[a.pk for a in saved])
    return saved
