"""What the dues files share: cell formats, escaped and styled rows, the audit of a download,
and opening an uploaded .xlsx with the roster import's limits and messages."""

from __future__ import annotations

import datetime as dt
import zipfile
import zlib
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any
from xml.etree.ElementTree import ParseError

from django.conf import settings
from openpyxl import load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from dangwu.core.audit import audit_event
from dangwu.core.models import AuditAction
from dangwu.members.roster import XLSX_CONTENT_TYPE, escape_cell
from dangwu.members.roster.columns import bad_file

__all__ = [
    "BOLD",
    "DATE",
    "MONEY",
    "MONTH",
    "PERCENT",
    "READ_ERRORS",
    "XLSX_CONTENT_TYPE",
    "audit_download",
    "open_xlsx",
    "set_widths",
    "styled_row",
    "user_label",
]

MONEY = "#,##0.00"
MONTH = "yyyy-mm"
DATE = "yyyy-mm-dd"
PERCENT = "0.0%"
BOLD = Font(bold=True)
TITLE = Font(bold=True, size=14)
HEADER_FILL = PatternFill("solid", fgColor="F2F2F2")


def styled_row(
    ws,
    values: Sequence[Any],
    *,
    formats: Sequence[str | None] = (),
    bold: bool = False,
    header: bool = False,
    title: bool = False,
) -> list[WriteOnlyCell]:
    """A row for a write-only sheet: text escaped against formula injection, numbers and
    dates in the column's format, headers bold on grey."""
    cells = []
    for index, value in enumerate(values):
        if isinstance(value, dt.datetime):
            value = value.date()
        cell = WriteOnlyCell(ws, value=escape_cell(value))
        fmt = formats[index] if index < len(formats) else None
        if fmt and isinstance(value, Decimal | int | float | dt.date):
            cell.number_format = fmt
        if title:
            cell.font = TITLE
        elif bold or header:
            cell.font = BOLD
        if header:
            cell.fill = HEADER_FILL
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cells.append(cell)
    return cells


def set_widths(ws, widths: Iterable[int]) -> None:
    """Column widths (before the first row of a write-only sheet)."""
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width


def user_label(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def audit_download(*, actor, subject: str, kind: str, ip: str | None = None, **detail) -> None:
    """Every dues file that leaves the system is recorded: who, what, how many rows."""
    audit_event(
        actor=actor,
        action=AuditAction.EXPORT,
        subject=subject,
        detail={"kind": kind, **detail},
        ip=ip,
    )


# --- reading an uploaded .xlsx -------------------------------------------------------------


def _file_size(file) -> int:
    size = getattr(file, "size", None)
    if size is None:
        position = file.tell()
        size = file.seek(0, 2)
        file.seek(position)
    return size


def open_xlsx(file, *, what: str):
    """Open an upload with openpyxl in read-only mode, or refuse it with a message that says
    what the file is (``what`` names it: "缴费基数文件"). Same limits as the roster import."""
    name = (getattr(file, "name", "") or "").lower()
    size = _file_size(file)
    limit = settings.DANGWU["IMPORT_MAX_BYTES"]
    if size == 0:
        raise bad_file(f"上传的文件是空的（0字节），请选择填写好的{what}。")
    if size > limit:
        raise bad_file(
            f"文件大小为{size / 1048576:.1f} MB，超过每次导入{limit / 1048576:.0f} MB的上限，"
            "请拆分为多个文件后分别导入。"
        )
    file.seek(0)
    head = file.read(8)
    file.seek(0)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise bad_file(
            "这是旧版Excel（.xls）文件或设有密码的工作簿，无法导入。"
            "请在Excel或WPS中“另存为”Excel工作簿（.xlsx，不设密码）后再导入。"
        )
    if not head.startswith(b"PK"):
        if name.endswith((".csv", ".txt")):
            raise bad_file(
                "不支持CSV或文本文件。请在Excel或WPS中打开后“另存为”Excel工作簿（.xlsx），"
                "或使用下载的模板。"
            )
        raise bad_file("文件内容不是Excel工作簿（.xlsx），可能是其他格式的文件改了扩展名。")
    try:
        with zipfile.ZipFile(file) as archive:  # a zip bomb is refused before reading
            unpacked = sum(m.file_size for m in archive.infolist())
        file.seek(0)
        if unpacked > 25 * limit:
            raise bad_file(
                f"文件解压后的内容过大（约{unpacked / 1048576:,.0f} MB），不像是正常的{what}；"
                "请检查文件，或拆分为多个文件后分别导入。"
            )
        return load_workbook(file, read_only=True, data_only=True)
    except zipfile.BadZipFile:
        raise bad_file(
            "文件已损坏（不是完整的.xlsx文件），无法打开，请重新保存后再导入。"
        ) from None
    except (KeyError, InvalidFileException, OSError, ValueError, ParseError, zlib.error):
        raise bad_file(
            "文件不是有效的Excel工作簿（.xlsx），可能已损坏或是其他格式的文件改了扩展名。"
        ) from None


# Errors that a damaged file raises while its rows are read (after it opened).
READ_ERRORS = (zipfile.BadZipFile, ParseError, zlib.error, EOFError, KeyError)
