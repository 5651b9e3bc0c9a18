"""The findings report of an organization's development records as .xlsx (发展党员记录问题清单):
one row a finding — name, branch, rule code, severity, step, problem, citation, due date.
Text is escaped against formula injection (a name typed as ``=HYPERLINK(…)`` stays text);
every download is recorded in the audit log."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from dangwu.core.audit import audit_event
from dangwu.core.models import AuditAction
from dangwu.development.board import AuditReport, audit_rows
from dangwu.members.roster import XLSX_CONTENT_TYPE, escape_cell

__all__ = ["COLUMNS", "SHEET_TITLE", "XLSX_CONTENT_TYPE", "audit_export"]

SHEET_TITLE = "发展党员记录问题清单"
COLUMNS: tuple[tuple[str, int], ...] = (
    ("姓名", 10),
    ("党支部", 22),
    ("规则编号", 18),
    ("严重程度", 9),
    ("步骤", 16),
    ("问题", 60),
    ("依据", 40),
    ("期限", 12),
)
BOLD = Font(bold=True)
TITLE = Font(bold=True, size=14)
HEADER_FILL = PatternFill("solid", fgColor="F2F2F2")
WRAP = Alignment(wrap_text=True, vertical="top")


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
        elif isinstance(value, str) and len(value) > 20:
            cell.alignment = WRAP
        cells.append(cell)
    return cells


def audit_export(report: AuditReport, *, actor, out, ip=None) -> int:
    """Write ``report`` to ``out`` (a binary file); returns the number of findings. The
    download is recorded in the audit log with the filters it was made with."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(SHEET_TITLE)
    for index, (_, width) in enumerate(COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.freeze_panes = "A3"
    title = f"{report.org.name}{SHEET_TITLE}（检查日期{report.today.isoformat()}）"
    ws.append(_row(ws, [title], title=True))
    ws.append(_row(ws, [name for name, _ in COLUMNS], header=True))
    count = 0
    for values in audit_rows(report):
        ws.append(_row(ws, values))
        count += 1
    wb.save(out)
    f = report.filters
    audit_event(
        actor=actor,
        action=AuditAction.EXPORT,
        subject=f"org:{report.org.code}",
        detail={
            "kind": "development_audit_xlsx",
            "rows": count,
            "people": len(report.items),
            "checked": report.checked,
            "filters": {
                "severity": f.severity,
                "code": f.code,
                "branch": f.branch.code if f.branch else "",
                "source": f.source,
                "person": f.person_id,
            },
        },
        ip=ip,
    )
    return count
