"""The roster file's layout: its columns, finding and matching the header, reading a cell.

Shared by the import (which reads these columns back) and the workbooks (which write them).
Export escapes formula-like text (``escape_cell``); ``cell_text`` undoes it on the way in, so an
exported roster imports back unchanged.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Container
from dataclasses import dataclass
from typing import Any

from dangwu.core.errors import InvalidInput
from dangwu.core.ethnicities import ETHNICITY_BY_NAME, ETHNICITY_CHOICES
from dangwu.members.choices import (
    TERMINAL_STATUSES,
    DuesCategory,
    Education,
    Occupation,
    Sex,
    Status,
)

# The sheets of our workbooks, and the content type they are served with.
DATA_SHEET = "人员名册"
HELP_SHEET = "填写说明"
CODES_SHEET = "组织编码"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# --- columns ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str  # the Person field (or import-only value) it fills
    header: str
    kind: str  # text | id | date | enum | bool | code
    required: bool = False  # the header must be present and the cell filled
    help: str = ""
    choices: tuple[tuple[str, str], ...] = ()  # (value, Chinese label) for enumerations


def _labels(choices, exclude=frozenset()) -> tuple[tuple[str, str], ...]:
    return tuple((value, str(label)) for value, label in choices if value not in exclude)


COLUMNS: tuple[Column, ...] = (
    Column("name", "姓名", "text", required=True, help="不超过50个字。"),
    Column(
        "sex", "性别", "enum", help="男或女；留空时按身份证号码。", choices=_labels(Sex.choices)
    ),
    Column(
        "ethnicity",
        "民族",
        "enum",
        help="民族名称，如汉族、蒙古族（“族”字可省略）；留空为汉族。",
        choices=tuple(ETHNICITY_CHOICES),
    ),
    Column("birth_date", "出生日期", "date", help="留空时按身份证号码；填写时须与身份证号码一致。"),
    Column(
        "id_number",
        "公民身份号码",
        "id",
        required=True,
        help="18位（或旧式15位）；名册导入以身份证号码识别人员。请将该列设为文本格式。",
    ),
    Column("phone", "联系电话", "text", help="手机号码或“区号-号码”。"),
    Column("education", "学历", "enum", choices=_labels(Education.choices)),
    Column("occupation", "工作岗位", "enum", choices=_labels(Occupation.choices)),
    Column("dues_category", "党费缴纳类别", "enum", choices=_labels(DuesCategory.choices)),
    Column("work_unit", "工作单位或班级", "text", help="不超过100个字。"),
    Column("league_member", "共青团员(是/否)", "bool", help="是或否；留空为否。"),
    Column(
        "status",
        "政治面貌",
        "enum",
        required=True,
        choices=_labels(Status.choices, exclude=TERMINAL_STATUSES),
    ),
    Column("applied_on", "申请入党日期", "date"),
    Column(
        "admission_date", "入党日期", "date", help="预备党员、正式党员必填（支部大会通过之日）。"
    ),
    Column("full_since", "转正日期", "date", help="正式党员必填；不早于入党日期起满一年。"),
    Column(
        "branch_code",
        "所在党支部编码",
        "code",
        required=True,
        help="党支部的组织编码，见“组织编码”工作表。",
    ),
    Column("group_code", "党小组编码", "code", help="可不填；须是所在党支部下的党小组。"),
    Column("joined_on", "加入本支部日期", "date", help="留空时取当前政治面貌的起始日期。"),
)
COLUMN_BY_KEY = {c.key: c for c in COLUMNS}
COLUMN_INDEX = {c.key: i for i, c in enumerate(COLUMNS)}
# Export-only columns, for a human reader; the import accepts and ignores them.
INFO_HEADERS = ("所在党支部", "党小组", "序号", "备注")
_ALIASES = {
    "身份证号码": "id_number",
    "身份证号": "id_number",
    "共青团员": "league_member",
    "党支部编码": "branch_code",
    "手机号码": "phone",
}
DATE_FORMATS_HELP = "日期可填写为2025-01-31、2025/1/31、2025.1.31、20250131或Excel日期。"

# --- cell parsing -------------------------------------------------------------------------

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_DATE_TEXT = re.compile(
    r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?"
)
_DATE_DIGITS = re.compile(r"(\d{4})(\d{2})(\d{2})")


def escape_cell(value: Any) -> Any:
    """Formula injection: text that a spreadsheet would run as a formula gets a leading '."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def cell_text(value: Any) -> str:
    """A cell as the text a user typed (dates ISO, whole numbers without .0), unescaped."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value).strip()
    # Undo our own export escaping, so an exported roster imports back unchanged.
    if text.startswith("'") and text[1:2] and text[1] in "=+-@\t\r":
        text = text[1:]
    return text


def parse_date(value: Any) -> dt.date:
    """A date from an Excel date cell or the usual ways of writing one; ValueError in Chinese."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = unicodedata.normalize("NFKC", cell_text(value)).strip()
    match = _DATE_TEXT.fullmatch(text) or _DATE_DIGITS.fullmatch(text)
    if not match:
        raise ValueError(f"日期格式不正确。{DATE_FORMATS_HELP}")
    year, month, day = (int(g) for g in match.groups())
    if not 1 <= month <= 12:
        raise ValueError(f"日期“{text}”不存在：月份应为1至12。")
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise ValueError(f"日期“{text}”不存在：{year}年{month}月没有{day}日。") from None


def _enum_lookup(column: Column) -> dict[str, str]:
    table = {label: value for value, label in column.choices}
    if column.key == "ethnicity":
        table = dict(ETHNICITY_BY_NAME)
    return table


ENUM_LOOKUPS = {c.key: _enum_lookup(c) for c in COLUMNS if c.kind == "enum"}


def enum_error(column: Column, text: str) -> str:
    if column.key == "ethnicity":
        return f"“{text}”不是有效的民族名称，请填写如汉族、蒙古族、回族（见“{HELP_SHEET}”工作表）。"
    allowed = "、".join(label for _, label in column.choices)
    return f"“{text}”不是有效的{column.header}，可填：{allowed}。"


# --- finding the table and its header -----------------------------------------------------


def bad_file(message: str) -> InvalidInput:
    """A problem with the whole file, shown on the upload form's ``file`` field."""
    return InvalidInput(message, code="IMPORT_FILE", fields={"file": [message]})


def _norm_header(value: Any) -> str:
    text = unicodedata.normalize("NFKC", cell_text(value))
    return re.sub(r"[\s*]", "", text)


_HEADER_KEYS = {_norm_header(c.header): c.key for c in COLUMNS} | _ALIASES


def match_header(
    cells: tuple,
    *,
    norm: Callable[[Any], str],
    keys: dict[str, str],
    ignored: Container[str],
    header_of: dict[str, str],
    required: list[str],
    hint: str = "",
) -> dict[str, int]:
    """Column key → position of an import's header row, matched by normalized name in any
    order; an unknown, repeated or missing required column refuses the whole file. Shared
    by the roster import and the development import."""
    positions: dict[str, int] = {}
    unknown: list[str] = []
    for index, value in enumerate(cells):
        header = norm(value)
        if not header or header in ignored:
            continue
        key = keys.get(header)
        if key is None:
            unknown.append(cell_text(value))
        elif key in positions:
            raise bad_file(f"表头中“{header_of[key]}”列出现了两次，请删除重复的列。")
        else:
            positions[key] = index
    if unknown:
        raise bad_file(
            f"表头中有无法识别的列：{'、'.join(f'“{u}”' for u in unknown)}。"
            f"请使用下载的模板中的列名{hint}。"
        )
    missing = [header_of[k] for k in required if k not in positions]
    if missing:
        raise bad_file(f"缺少必填的列：{'、'.join(missing)}。请使用下载的模板。")
    return positions


def _read_header(cells: tuple) -> dict[str, int]:
    """Column key → position; headers are matched by name, in any order."""
    return match_header(
        cells,
        norm=_norm_header,
        keys=_HEADER_KEYS,
        ignored=INFO_HEADERS,
        header_of={c.key: c.header for c in COLUMNS},
        required=[c.key for c in COLUMNS if c.required],
    )


@dataclass
class Sheet:
    """Where the table is: its header row, each column's position, how wide to read."""

    header_row: int
    positions: dict[str, int]
    width: int


def data_sheet(workbook):
    if DATA_SHEET in workbook.sheetnames:
        return workbook[DATA_SHEET]
    return workbook.worksheets[0]


def find_header(ws) -> Sheet:
    """The header is the first row naming 姓名 (a title row above it is allowed)."""
    seen_content = False
    for number, cells in enumerate(ws.iter_rows(max_row=10, values_only=True), start=1):
        if any(cell_text(c) for c in cells):
            seen_content = True
        if any(_norm_header(c) == "姓名" for c in cells):
            positions = _read_header(cells)
            return Sheet(number, positions, max(positions.values()) + 1)
    if not seen_content:
        raise bad_file("工作表是空的：第一行应为表头（姓名、公民身份号码等），下面每行一人。")
    raise bad_file("未找到表头：应有一行列名（姓名、公民身份号码、政治面貌……），请使用下载的模板。")
