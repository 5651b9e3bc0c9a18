"""Scans attached to development records (step files, thought reports): PDF, JPEG or PNG,
checked by extension, size and first bytes."""

from __future__ import annotations

import os

from django.core.files.uploadedfile import UploadedFile

from dangwu.core.errors import InvalidInput

# The scan's type by its extension, and the first bytes that type must start with.
SCAN_SIGNATURES: dict[str, tuple[bytes, ...]] = {
    ".pdf": (b"%PDF-",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
}
CONTENT_TYPES = {
    ".pdf": "application/pdf",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
}


def check_scan(upload: UploadedFile, *, max_bytes: int, noun: str = "文件") -> str:
    """The scan's extension after its type, size and first bytes are checked; ``noun``
    names it in the messages (文件, 附件)."""
    name = os.path.basename(upload.name or "").strip()
    ext = os.path.splitext(name)[1].lower()
    if ext not in SCAN_SIGNATURES:
        msg = "附件只能是PDF、JPEG或PNG格式。"
        raise InvalidInput(msg, fields={"upload": [msg]})
    if not upload.size:
        msg = f"{noun}是空的。"
        raise InvalidInput(msg, fields={"upload": [msg]})
    if upload.size > max_bytes:
        msg = f"{noun}大小不能超过{max_bytes // (1024 * 1024)}MB。"
        raise InvalidInput(msg, fields={"upload": [msg]})
    head = upload.read(16)
    upload.seek(0)
    if not head.startswith(SCAN_SIGNATURES[ext]):
        msg = f"{noun}内容与扩展名{ext}不符。"
        raise InvalidInput(msg, fields={"upload": [msg]})
    return ext
