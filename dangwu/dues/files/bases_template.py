"""The bulk base update's file: its columns, reading its header and months back, and the template
prefilled with the organization's members and their latest base.

Rows are identified by 人员编号 (the person's key in the system, locked in the sheet) and
checked against 姓名, so the file carries no ID numbers. A row left as downloaded imports as
"unchanged"; a row whose editable cells are all cleared is skipped.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from typing import IO, Any

from django.db.models import Q
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from dangwu.core.errors import NotFound
from dangwu.core.scope import Perm, Scope
from dangwu.dues import rules
from dangwu.dues.files.common import MONEY, audit_download, set_widths, styled_row
from dangwu.dues.models import DuesBase
from dangwu.dues.services import dues_settings
from dangwu.members.choices import MEMBER_STATUSES, DuesCategory
from dangwu.members.models import Person
from dangwu.members.roster import escape_cell
from dangwu.members.roster.columns import bad_file, cell_text
from dangwu.orgs.choices import OrgKind
from dangwu.orgs.models import Organization

DATA_SHEET = "缴费基数"
HELP_SHEET = "填写说明"
CHUNK = 1_000
EVIDENCE_MAX = 200  # with the reason appended, base_set keeps at most 300 characters
REASON_MAX = 90


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    editable: bool  # unlocked in the template; read by the import
    required: bool  # the header must be present
    width: int
    help: str


CATEGORY_LABELS = {value: str(label) for value, label in DuesCategory.choices}
CATEGORY_BY_LABEL = {label: value for value, label in CATEGORY_LABELS.items()}

COLUMNS: tuple[Column, ...] = (
    Column("person_id", "人员编号", False, True, 10, "系统内的人员编号，用于识别人员，请勿修改。"),
    Column("name", "姓名", False, True, 10, "须与人员编号对应的姓名一致，用于核对。"),
    Column("branch", "所在党支部", False, False, 24, "仅供查看，导入时不读取。"),
    Column("group", "党小组", False, False, 14, "仅供查看，导入时不读取。"),
    Column("current", "现每月应交", False, False, 12, "按最近一次核定的基数，仅供查看。"),
    Column(
        "category",
        "缴纳类别",
        True,
        True,
        22,
        f"从下拉列表中选择：{'、'.join(CATEGORY_LABELS.values())}。",
    ),
    Column(
        "base",
        "缴费基数",
        True,
        False,
        12,
        "元，最多两位小数。在职职工为每月工资收入中相对固定的部分（税后）；年薪制人员为当月"
        "实际领取的薪酬；无固定工资收入人员为上一季度月平均纯收入；离退休人员为实际领取的"
        "离退休费。农民、学生、下岗失业人员、依靠救济或低保生活人员可不填。",
    ),
    Column(
        "fixed",
        "农民党员固定金额",
        True,
        False,
        16,
        "仅农民党员填写：党支部确定的每月金额，0.20元至1.00元；其他类别不填。",
    ),
    Column(
        "month",
        "生效月份",
        True,
        True,
        12,
        "填写年月，如2027-01（也可写2027年1月）；最远为下一年。",
    ),
    Column(
        "evidence", "依据", True, False, 30, f"如工资单、离退休费证明，不超过{EVIDENCE_MAX}字。"
    ),
    Column(
        "reason",
        "年内调整原因",
        True,
        False,
        24,
        f"同一年内已有基数、又在核定月份以外调整时必填（如：工资调整自该月起发放），"
        f"不超过{REASON_MAX}字。",
    ),
)
COLUMN_BY_KEY = {c.key: c for c in COLUMNS}
EDITABLE = tuple(c.key for c in COLUMNS if c.editable)
INFO_HEADERS = {c.header for c in COLUMNS if not c.editable and c.key not in {"person_id", "name"}}

GREY = PatternFill("solid", fgColor="EDEDED")
UNLOCKED = Protection(locked=False)


# --- reading the file back: its header and its months ---------------------------------------


def norm_header(value: Any) -> str:
    """A header or a name as written, without spaces, asterisks or full-width forms."""
    return re.sub(r"[\s*]", "", unicodedata.normalize("NFKC", cell_text(value)))


_HEADER_KEYS = {norm_header(c.header): c.key for c in COLUMNS if c.editable or c.required}


def _read_header(cells: tuple) -> dict[str, int]:
    positions: dict[str, int] = {}
    unknown = []
    for index, value in enumerate(cells):
        header = norm_header(value)
        if not header or header in INFO_HEADERS:
            continue
        key = _HEADER_KEYS.get(header)
        if key is None:
            unknown.append(f"“{cell_text(value)}”")
        elif key in positions:
            raise bad_file(f"表头中“{COLUMN_BY_KEY[key].header}”列出现了两次，请删除重复的列。")
        else:
            positions[key] = index
    if unknown:
        raise bad_file(f"表头中有无法识别的列：{'、'.join(unknown)}。请使用下载的模板中的列名。")
    missing = [c.header for c in COLUMNS if c.required and c.key not in positions]
    if missing:
        raise bad_file(f"缺少必填的列：{'、'.join(missing)}。请使用本组织下载的模板。")
    return positions


def find_header(ws) -> tuple[int, dict[str, int]]:
    """The header is the first row naming 人员编号 (a title row above it is allowed)."""
    seen = False
    for number, cells in enumerate(ws.iter_rows(max_row=10, values_only=True), start=1):
        seen = seen or any(cell_text(c) for c in cells)
        if any(norm_header(c) == "人员编号" for c in cells):
            return number, _read_header(cells)
    if not seen:
        raise bad_file("工作表是空的：第一行应为表头（人员编号、姓名、缴纳类别等），下面每行一人。")
    raise bad_file(
        "未找到表头：应有一行列名（人员编号、姓名、缴纳类别、生效月份……），请使用下载的模板。"
    )


_MONTH_TEXT = re.compile(
    r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?(?:\s*[-/.]\s*(\d{1,2})\s*日?|\s*(\d{1,2})\s*日)?"
)
_MONTH_DIGITS = re.compile(r"(\d{4})(\d{2})")


def parse_effective_month(value: Any) -> dt.date:
    """A month from "2027-01", "2027/1", "2027年1月", "202701" or an Excel date of the 1st."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        if value.day != 1:
            raise ValueError("生效月份只填年月（如2027-01），不要填具体日期。")
        return value
    text = unicodedata.normalize("NFKC", cell_text(value)).strip()
    match = _MONTH_TEXT.fullmatch(text) or _MONTH_DIGITS.fullmatch(text)
    if not match:
        raise ValueError("生效月份格式不正确，请填写年月，如2027-01。")
    year, month = int(match.group(1)), int(match.group(2))
    day = match.group(3) or match.group(4) if match.re is _MONTH_TEXT else None
    if day and int(day) != 1:
        raise ValueError("生效月份只填年月（如2027-01），不要填具体日期。")
    if not 1 <= month <= 12:
        raise ValueError(f"生效月份“{text}”不存在：月份应为1至12。")
    return dt.date(year, month, 1)


def base_editor_org(scope: Scope, org_id: int) -> Organization:
    """The organization whose bases the user may set in bulk (EDIT on it); else 404."""
    org = Organization.objects.filter(pk=org_id).first()
    if org is None or not scope.covers(org.path, Perm.EDIT):
        raise NotFound()
    return org


def in_org_q(org: Organization) -> Q:
    """The people of ``org`` (a party group: its members), whatever their status."""
    if org.kind == OrgKind.PARTY_GROUP:
        return Q(group=org)
    return Q(branch__path__startswith=org.path)


def template_people(scope: Scope, org: Organization):
    return (
        Person.objects.filter(in_org_q(org), is_active=True, status__in=MEMBER_STATUSES)
        .filter(scope.person_q(Perm.EDIT))
        .select_related("branch", "group")
        .order_by("branch__path", "sort_key", "id")
    )


def _latest_bases(ids: list[int]) -> dict[int, DuesBase]:
    latest: dict[int, DuesBase] = {}
    for b in DuesBase.objects.filter(person_id__in=ids).order_by("person_id", "-effective_month"):
        latest.setdefault(b.person_id, b)
    return latest


def _chunks(people):
    chunk = []
    for person in people.iterator(chunk_size=CHUNK):
        chunk.append(person)
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _row_values(person: Person, base: DuesBase | None) -> list:
    values = {
        "person_id": person.pk,
        "name": person.name,
        "branch": person.branch.name,
        "group": person.group.name if person.group else "",
        "current": base.amount if base else "未核定",
    }
    if base is not None:
        values |= {
            "category": CATEGORY_LABELS.get(base.category, base.category),
            "base": base.base,
            "fixed": base.fixed_amount,
            "month": f"{base.effective_month:%Y-%m}",
            "evidence": base.evidence[:EVIDENCE_MAX],
        }
    return [values.get(c.key) for c in COLUMNS]


def _data_row(ws, values: list) -> list[WriteOnlyCell]:
    cells = []
    for column, value in zip(COLUMNS, values, strict=True):
        cell = WriteOnlyCell(ws, value=escape_cell(value))
        if column.editable:
            cell.protection = UNLOCKED
            cell.number_format = MONEY if column.key in {"base", "fixed"} else "@"
        elif column.key in {"person_id", "name"}:
            cell.fill = GREY
        if column.key == "current" and not isinstance(value, str):
            cell.number_format = MONEY
        cells.append(cell)
    return cells


def _help_sheet(wb, org: Organization, today: dt.date) -> None:
    conf = dues_settings()
    ws = wb.create_sheet(HELP_SHEET)
    set_widths(ws, (18, 10, 90))
    change = conf.base_change_month
    notes = [
        f"党组织：{org.name}；下载日期：{today:%Y-%m-%d}。",
        "整份文件要么全部导入，要么一条也不导入：只要有一行有误，就不会写入任何数据，"
        "并列出每一处错误（行号、列、值、原因）。",
        "每行一名党员，以“人员编号”识别人员，“姓名”须与之一致；请勿增删或改动这两列，"
        "人员须属于本党组织。",
        "与系统中已有基数相同（同一生效月份，类别、基数和固定金额都相同）的行记为“未变化”，"
        "不会重复写入；清空某人全部可填写的列，则跳过此人。",
        f"按本单位规定，缴费基数每年{change}月核定一次，年内不作调整；在同一年内已有基数后"
        f"又自其他月份调整的，须填写“年内调整原因”。新一年的基数请将生效月份改为"
        f"{today.year + 1}-{change:02d}。",
        "已用于计算应缴党费的基数不能修改，请自下一个月起核定新的基数。",
        "困难党员减交、免交党费须经党支部讨论并报上级党委批准，请在党员的党费页面逐人登记，"
        "不能通过本文件办理；导入新的基数后按规定标准计算。",
    ]
    for note in notes:
        ws.append(styled_row(ws, ["", "", note]))
    ws.append([])
    ws.append(styled_row(ws, ["列名", "是否必填", "填写要求"], header=True))
    for column in COLUMNS:
        required = "必填" if column.key in {"person_id", "name", "category", "month"} else ""
        ws.append(styled_row(ws, [column.header, required, column.help]))
    ws.append([])
    ws.append(styled_row(ws, ["缴纳类别", "", "每月党费"], header=True))
    for value, label in CATEGORY_LABELS.items():
        ws.append(styled_row(ws, [label, "", _category_rule(value)]))


def _category_rule(category: str) -> str:
    if category in {DuesCategory.EMPLOYEE, DuesCategory.ANNUAL_SALARY, DuesCategory.SELF_EMPLOYED}:
        return (
            "基数3000元以下（含）交0.5%，3000至5000元（含）交1%，5000至10000元（含）交1.5%，"
            "10000元以上交2%（全部基数按同一比例）。"
        )
    if category == DuesCategory.RETIREE:
        return "离退休费5000元以下（含）交0.5%，5000元以上交1%。"
    if category == DuesCategory.FARMER:
        return f"每月{rules.FARMER_MIN}元至{rules.FARMER_MAX}元，由党支部确定。"
    return f"每月{rules.LOW_AMOUNT}元。"


def base_template(
    scope: Scope, org_id: int, *, today: dt.date, actor, out: IO[bytes], ip=None
) -> int:
    """The template prefilled with the members of ``org`` in EDIT scope and their latest
    base; returns the number of people. Recorded as an export (it holds names and bases)."""
    org = base_editor_org(scope, org_id)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(DATA_SHEET)
    set_widths(ws, [c.width for c in COLUMNS])
    ws.freeze_panes = "C2"
    ws.append(styled_row(ws, [c.header for c in COLUMNS], header=True))
    count = 0
    for chunk in _chunks(template_people(scope, org)):
        latest = _latest_bases([p.pk for p in chunk])
        for person in chunk:
            ws.append(_data_row(ws, _row_values(person, latest.get(person.pk))))
            count += 1
    # 人员编号 and 姓名 are locked (no password: the protection guards against slips).
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    ws.protection.formatRows = False
    ws.protection.autoFilter = False
    category = get_column_letter(COLUMNS.index(COLUMN_BY_KEY["category"]) + 1)
    validation = DataValidation(
        type="list", formula1=f'"{",".join(CATEGORY_LABELS.values())}"', allow_blank=True
    )
    validation.error = f"请从下拉列表中选择缴纳类别（见“{HELP_SHEET}”工作表）。"
    validation.add(f"{category}2:{category}{max(count, 1) + 1}")
    ws.data_validations.append(validation)
    _help_sheet(wb, org, today)
    audit_download(
        actor=actor, subject=f"org:{org.code}", kind="dues_base_template", ip=ip, rows=count
    )
    wb.save(out)
    return count
