"""The roster workbooks we write: the import template, the error report, the export.

Export writes the people in scope with the same columns, escaping formula-like text.
"""

from __future__ import annotations

from typing import IO

from django.db.models import OuterRef, Subquery
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from dangwu.core.audit import audit_event
from dangwu.core.errors import NotFound
from dangwu.core.ethnicities import ETHNICITY_BY_CODE
from dangwu.core.models import AuditAction
from dangwu.core.scope import Perm, Scope
from dangwu.members.models import Membership
from dangwu.members.roster.columns import (
    CODES_SHEET,
    COLUMNS,
    DATA_SHEET,
    DATE_FORMATS_HELP,
    HELP_SHEET,
    escape_cell,
)
from dangwu.members.roster.importer import ImportReport, require_editor
from dangwu.members.selectors import person_list
from dangwu.orgs.choices import OrgKind
from dangwu.orgs.models import Organization


def _bold_header(ws, headers) -> None:
    ws.append(headers)
    for cell in ws[1]:
        cell.font = Font(bold=True)


def roster_template(scope: Scope, *, out: IO[bytes]) -> None:
    """The import template: the header row, the 填写说明 sheet and the codes the user may use."""
    require_editor(scope)
    wb = Workbook()
    ws = wb.active
    ws.title = DATA_SHEET
    _bold_header(ws, [c.header for c in COLUMNS])
    ws.freeze_panes = "A2"
    help_ws = wb.create_sheet(HELP_SHEET)
    _bold_header(help_ws, ["列名", "是否必填", "填写要求"])
    lists_at = 5  # the allowed values, one column each, to the right of the table
    for index, column in enumerate(COLUMNS, start=1):
        letter = get_column_letter(index)
        ws.column_dimensions[letter].width = max(10, len(column.header) * 2 + 2)
        text = column.help
        if column.kind == "date":
            text = f"{text}{DATE_FORMATS_HELP}"
        # Column styles: Excel then keeps ID numbers and codes as text and dates as dates.
        if column.kind in {"id", "code", "text"}:
            ws.column_dimensions[letter].number_format = "@"
        elif column.kind == "date":
            ws.column_dimensions[letter].number_format = "yyyy-mm-dd"
        help_ws.append([column.header, "必填" if column.required else "", text])
        values = [label for _, label in column.choices] or (
            ["是", "否"] if column.kind == "bool" else []
        )
        if not values:
            continue
        target = get_column_letter(lists_at)
        help_ws.cell(row=1, column=lists_at, value=column.header).font = Font(bold=True)
        for offset, label in enumerate(values, start=2):
            help_ws.cell(row=offset, column=lists_at, value=label)
        source = f"{quote_sheetname(HELP_SHEET)}!${target}$2:${target}${len(values) + 1}"
        validation = DataValidation(type="list", formula1=source, allow_blank=True)
        validation.error = f"请从“{HELP_SHEET}”中的{column.header}选择。"
        ws.add_data_validation(validation)
        validation.add(f"{letter}2:{letter}1001")
        lists_at += 1
    help_ws.column_dimensions["A"].width = 18
    help_ws.column_dimensions["C"].width = 60
    codes_ws = wb.create_sheet(CODES_SHEET)
    _bold_header(codes_ws, ["组织编码", "名称", "类型"])
    orgs = (
        Organization.objects.filter(
            scope.org_q(Perm.EDIT),
            kind__in=[OrgKind.BRANCH, OrgKind.PARTY_GROUP],
            dissolved_on__isnull=True,
        )
        .order_by("path")
        .values_list("code", "name", "kind")
    )
    for code, name, kind in orgs.iterator(chunk_size=2000):
        codes_ws.append([escape_cell(code), escape_cell(name), str(OrgKind(kind).label)])
    codes_ws.column_dimensions["B"].width = 30
    wb.save(out)


def write_error_report(report: ImportReport, out: IO[bytes]) -> None:
    """Every bad row of a refused import as .xlsx (行号, 列, 值, 原因), the values escaped."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("错误报告")
    ws.append(["行号", "列", "值", "原因"])
    for error in report.errors:
        ws.append([error.row, error.column, escape_cell(error.value), escape_cell(error.reason)])
    wb.save(out)


EXPORT_HEADERS = (*(c.header for c in COLUMNS), "所在党支部", "党小组")


def roster_export(
    scope: Scope, *, actor, out: IO[bytes], org: Organization | None = None, ip: str | None = None
) -> int:
    """Write the active people in scope (or in ``org``) as .xlsx; returns the number of people.

    ID numbers are masked unless the role may see them on that person's branch (VIEW_ID).
    Text that a spreadsheet would read as a formula is escaped. One query for the people,
    streamed; the export is recorded as an ``AuditEvent``.
    """
    if not scope.has_roles:
        raise NotFound()
    if org is not None and not scope.covers(org.path):
        raise NotFound()
    joined = Membership.objects.filter(person=OuterRef("pk"), ended_on__isnull=True)
    people = (
        person_list(scope, org=org)
        .annotate(joined_on=Subquery(joined.values("started_on")[:1]))
        .order_by("branch__path", "sort_key", "id")
    )
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(DATA_SHEET)
    ws.append(list(EXPORT_HEADERS))
    sees_id: dict[str, bool] = {}
    count = full_ids = 0
    for p in people.iterator(chunk_size=2000):
        if p.branch.path not in sees_id:
            sees_id[p.branch.path] = scope.covers(p.branch.path, Perm.VIEW_ID)
        id_number = p.id_number or ""
        if sees_id[p.branch.path] or scope.person_id == p.pk:
            full_ids += bool(id_number)
        else:
            id_number = p.masked_id_number
        row = [
            p.name,
            p.get_sex_display(),
            ETHNICITY_BY_CODE.get(p.ethnicity, p.ethnicity),
            p.birth_date,
            id_number,
            p.phone,
            p.get_education_display(),
            p.get_occupation_display(),
            p.get_dues_category_display(),
            p.work_unit,
            "是" if p.league_member else "否",
            p.get_status_display(),
            p.applied_on,
            p.admission_date,
            p.full_since,
            p.branch.code,
            p.group.code if p.group else "",
            p.joined_on,
            p.branch.name,
            p.group.name if p.group else "",
        ]
        ws.append([escape_cell(v) for v in row])
        count += 1
    audit_event(
        actor=actor,
        action=AuditAction.EXPORT,
        subject=f"org:{org.code}" if org is not None else "roster",
        detail={"kind": "roster", "rows": count, "full_id_numbers": full_ids},
        ip=ip,
    )
    wb.save(out)
    return count
