"""The meetings register (会议台账) of an organization and its groups for a year, as .xlsx:
one row a meeting — date, kind, topic, host, recorder, the attendance counts and whether
the minutes are approved. Text is escaped against formula injection (a topic typed as
``=HYPERLINK(…)`` stays text)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from dangwu.core.audit import audit_event
from dangwu.core.models import AuditAction
from dangwu.meetings.choices import AttendanceStatus
from dangwu.meetings.models import Meeting
from dangwu.members.roster import XLSX_CONTENT_TYPE, escape_cell
from dangwu.orgs.models import Organization

__all__ = ["COLUMNS", "XLSX_CONTENT_TYPE", "register_export", "register_rows"]

COLUMNS: tuple[tuple[str, int], ...] = (
    ("序号", 6),
    ("日期", 12),
    ("时间", 13),
    ("党组织", 22),
    ("会议类型", 14),
    ("主题", 36),
    ("地点", 18),
    ("主持人", 10),
    ("记录人", 10),
    ("状态", 10),
    ("应到", 7),
    ("实到", 7),
    ("请假", 7),
    ("缺席", 7),
    ("记录审定", 14),
)
BOLD = Font(bold=True)
TITLE = Font(bold=True, size=14)
HEADER_FILL = PatternFill("solid", fgColor="F2F2F2")


def register_rows(org: Organization, year: int) -> QuerySet[Meeting]:
    """The year's meetings of ``org`` and its groups, oldest first, with the counts among
    those expected (应到 / 实到 / 请假 / 缺席). One query."""
    exp = Q(attendance__expected=True)
    status = "attendance__status"
    return (
        Meeting.objects.filter(organization__path__startswith=org.path, date__year=year)
        .select_related("organization", "host", "recorder")
        .annotate(
            n_expected=Count("attendance", filter=exp),
            n_present=Count("attendance", filter=exp & Q(**{status: AttendanceStatus.PRESENT})),
            n_leave=Count("attendance", filter=exp & Q(**{status: AttendanceStatus.ON_LEAVE})),
            n_absent=Count("attendance", filter=exp & Q(**{status: AttendanceStatus.ABSENT})),
        )
        .order_by("date", "starts_at", "id")
    )


def _row(ws, values: Sequence[Any], *, header=False, title=False) -> list[WriteOnlyCell]:
    cells = []
    for value in values:
        cell = WriteOnlyCell(ws, value=escape_cell(value))
        if isinstance(value, dt.date):
            cell.number_format = "yyyy-mm-dd"
        if title:
            cell.font = TITLE
        elif header:
            cell.font = BOLD
            cell.fill = HEADER_FILL
            cell.alignment = Alignment(horizontal="center", vertical="center")
        cells.append(cell)
    return cells


def _time(m: Meeting) -> str:
    if m.starts_at is None:
        return ""
    if m.ends_at is None:
        return f"{m.starts_at:%H:%M}"
    return f"{m.starts_at:%H:%M}–{m.ends_at:%H:%M}"


def _approved(m: Meeting) -> str:
    if m.minutes_approved_at is None:
        return "已记录未审定" if m.minutes else "未记录"
    return f"{timezone.localtime(m.minutes_approved_at):%Y-%m-%d}审定"


def register_export(org: Organization, year: int, *, actor, out, ip=None) -> int:
    """Write the register to ``out`` (a binary file); returns the number of meetings.
    The download is recorded in the audit log."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(f"{year}年会议台账")
    for index, (_, width) in enumerate(COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.freeze_panes = "A3"
    ws.append(_row(ws, [f"{org.name}{year}年会议台账"], title=True))
    ws.append(_row(ws, [name for name, _ in COLUMNS], header=True))
    count = 0
    for count, m in enumerate(register_rows(org, year), start=1):
        ws.append(
            _row(
                ws,
                [
                    count,
                    m.date,
                    _time(m),
                    m.organization.name,
                    m.get_kind_display(),
                    m.topic,
                    m.place,
                    m.host.name if m.host else "",
                    m.recorder.name if m.recorder else "",
                    m.get_status_display(),
                    m.n_expected,
                    m.n_present,
                    m.n_leave,
                    m.n_absent,
                    _approved(m),
                ],
            )
        )
    wb.save(out)
    audit_event(
        actor=actor,
        action=AuditAction.EXPORT,
        subject=f"org:{org.code}",
        detail={"kind": "meetings_register_xlsx", "year": year, "rows": count},
        ip=ip,
    )
    return count
