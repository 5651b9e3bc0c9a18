"""Reading the historical import workbook into ``Candidate`` records, and the template.

The file is read with openpyxl in read-only mode, row by row, within the size and row
limits of ``settings.DANGWU`` (``IMPORT_MAX_BYTES``, ``IMPORT_MAX_ROWS``), as the roster
import does. A row holding only a name and an ID number (the template comes prefilled) is
not a record and is skipped.
"""

from __future__ import annotations

import datetime as dt
import zipfile
import zlib
from collections.abc import Iterator
from typing import IO, Any
from xml.etree.ElementTree import ParseError

from django.conf import settings
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.datavalidation import DataValidation

from dangwu.development.imports.candidates import Candidate, RolePerson
from dangwu.development.imports.columns import (
    APPROVAL_STEPS,
    COLUMN_BY_KEY,
    COLUMN_INDEX,
    COLUMNS,
    DATA_SHEET,
    HELP_SHEET,
    MEETINGS,
    Column,
    Sheet,
    column_help,
    find_header,
    read_date,
    read_dates,
    read_enum,
    read_int,
    read_number,
    read_people,
)
from dangwu.development.steps import STEP_BY_KEY
from dangwu.members.roster.columns import bad_file, cell_text, escape_cell

# --- opening the file ---------------------------------------------------------------------


def file_size(file) -> int:
    size = getattr(file, "size", None)
    if size is None:
        position = file.tell()
        size = file.seek(0, 2)
        file.seek(position)
    return size


def check_size(size: int, limit: int) -> None:
    if size > limit:
        raise bad_file(
            f"文件大小为{size / 1048576:.1f} MB，超过每次导入{limit / 1048576:.0f} MB的上限，"
            "请拆分为多个文件后分别导入。"
        )


def open_workbook(file):
    """Refuse what is not a readable .xlsx with a message that says what the file is."""
    name = (getattr(file, "name", "") or "").lower()
    size = file_size(file)
    limit = settings.DANGWU["IMPORT_MAX_BYTES"]
    if size == 0:
        raise bad_file("上传的文件是空的（0字节），请选择填写好的发展记录文件。")
    check_size(size, limit)
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
            raise bad_file("不支持CSV或文本文件。请在Excel或WPS中“另存为”Excel工作簿（.xlsx）。")
        raise bad_file("文件内容不是Excel工作簿（.xlsx），可能是其他格式的文件改了扩展名。")
    try:
        with zipfile.ZipFile(file) as archive:  # a zip bomb is refused before reading
            members = archive.infolist()
        file.seek(0)
        unpacked = sum(m.file_size for m in members)
        if unpacked > 25 * limit:
            raise bad_file(
                f"文件解压后的内容过大（约{unpacked / 1048576:,.0f} MB），"
                "不像是正常的发展记录文件。"
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


def data_sheet(workbook):
    if DATA_SHEET in workbook.sheetnames:
        return workbook[DATA_SHEET]
    return workbook.worksheets[0]


_IDENTITY = {"name", "id_number"}


def data_rows(ws, sheet: Sheet) -> Iterator[tuple[int, tuple]]:
    """(row number, cells) of every row below the header holding more than a name and an
    ID number, within the row cap."""
    limit = settings.DANGWU["IMPORT_MAX_ROWS"]
    count = 0
    data_positions = [i for k, i in sheet.positions.items() if k not in _IDENTITY]
    rows = ws.iter_rows(min_row=sheet.header_row + 1, max_col=sheet.width, values_only=True)
    for number, cells in enumerate(rows, start=sheet.header_row + 1):
        if not any(cell_text(cells[i]) for i in data_positions if i < len(cells)):
            if number - sheet.header_row > 2 * limit:  # a sheet of endless blank rows
                break
            continue
        count += 1
        if count > limit:
            raise bad_file(
                f"文件超过每次导入{limit:,}行的上限，请拆分为多个文件后分别导入。未导入任何数据。"
            )
        yield number, cells


def read_rows(file, *, today: dt.date) -> Iterator[Candidate]:
    """Every record row of the workbook as a ``Candidate`` (its reading problems inside)."""
    workbook = open_workbook(file)
    try:
        ws = data_sheet(workbook)
        sheet = find_header(ws)
        for number, cells in data_rows(ws, sheet):
            yield read_row(number, cells, sheet.positions, today)
    except (zipfile.BadZipFile, ParseError, zlib.error, EOFError, KeyError):
        raise bad_file("文件已损坏，读取到一半时出错，请重新保存后再导入。") from None
    finally:
        workbook.close()


# --- one row ------------------------------------------------------------------------------


def _locate(path: str) -> str:
    """The column header for a JSON field path of the timeline (``steps.training.days``)."""
    parts = path.replace("]", "").split(".")
    parts = [p.split("[")[0] for p in parts]
    while parts:
        key = ".".join(parts)
        if len(parts) == 2 and parts[0] == "steps" and parts[1] in MEETINGS:
            cols = [c.header for c in COLUMNS if c.step == parts[1] and c.kind == "int"]
            return "、".join(cols[:3])
        if len(parts) >= 3 and parts[0] == "steps":
            found = _BY_FIELD.get((parts[1], parts[2]))
            if found:
                return found
        if len(parts) == 2 and parts[0] == "steps" and parts[1] in COLUMN_BY_KEY:
            return COLUMN_BY_KEY[parts[1]].header
        if key == "person":
            return "公民身份号码"
        parts = parts[:-1]
    return "公民身份号码"


_BY_FIELD = {(c.step, c.field): c.header for c in COLUMNS if c.step}
_BY_FIELD |= {(k, "by"): COLUMN_BY_KEY["by"].header for k in APPROVAL_STEPS}


def _value(column: Column, raw: Any, today: dt.date) -> Any:
    kind = column.kind
    if kind == "date":
        return read_date(raw, today).isoformat()
    if kind == "dates":
        return [d.isoformat() for d in read_dates(raw, today)]
    if kind == "int":
        return read_int(raw)
    if kind == "number":
        return read_number(raw)
    if kind == "enum":
        return read_enum(column, raw)
    if kind == "people":
        return read_people(raw)
    return cell_text(raw)


def read_row(number: int, cells: tuple, positions: dict[str, int], today: dt.date) -> Candidate:
    raw = {key: cells[i] if i < len(cells) else None for key, i in positions.items()}
    text = {k: cell_text(v) for k, v in raw.items()}
    id_raw = raw.get("id_number")
    cand = Candidate(
        row=number,
        file="",
        prefix="",
        id_number=text.get("id_number", ""),
        name=text.get("name", ""),
        data={"steps": {}},
        locate=_locate,
    )
    if not cand.name:
        cand.error("姓名", "请填写姓名。")
    if not cand.id_number:
        cand.error("公民身份号码", "请填写公民身份号码。")
    elif isinstance(id_raw, float | int):
        cand.error(
            "公民身份号码",
            "身份证号码被Excel存成了数字，后几位已经丢失；请将该列设为文本格式后重新填写。",
            text["id_number"],
        )
    values: dict[str, Any] = {}
    for key in sorted(positions, key=COLUMN_INDEX.__getitem__):
        column = COLUMN_BY_KEY[key]
        if key in _IDENTITY or not text.get(key):
            continue
        try:
            values[key] = _value(column, raw[key], today)
        except ValueError as exc:
            cand.error(column.header, str(exc), text[key])
    _build_steps(cand, values, text)
    return cand


def _build_steps(cand: Candidate, values: dict[str, Any], text: dict[str, str]) -> None:
    steps: dict[str, Any] = cand.data["steps"]
    for column in COLUMNS:  # the dates first: the data columns need their step
        if column.is_step_date and column.key in values:
            value = values[column.key]
            if column.kind == "dates":
                steps[column.step] = [{"date": d} for d in value]
            else:
                steps[column.step] = {column.field: value}
    for column in COLUMNS:
        if column.is_step_date or column.key not in values or column.key == "by":
            continue
        if column.step not in steps:
            owner = COLUMN_BY_KEY[column.step]
            if text.get(owner.key):
                continue  # the step's date is there but unreadable: reported already
            cand.error(
                column.header,
                f"填写了“{column.header}”，但没有填写“{owner.header}”的日期。",
                text[column.key],
            )
            continue
        value = values[column.key]
        if column.kind == "people":
            steps[column.step]["people"] = []
            cand.people += [
                RolePerson(
                    step=column.step,
                    name=p.name,
                    status=p.status,
                    sanction=p.sanction,
                    by_name=True,
                    column=column.header,
                )
                for p in value
            ]
        else:
            steps[column.step][column.field] = value
    if "by" in values:
        targets = [k for k in APPROVAL_STEPS if k in steps]
        if not targets:
            cand.error(
                "审批机关",
                "填写了审批机关，但没有填写第13、17或24步（预审、审批）的日期。",
                text["by"],
            )
        for key in targets:
            steps[key]["by"] = values["by"]
    for meeting in MEETINGS:
        obj = steps.get(meeting)
        if obj is None:
            continue
        given = [f for f in ("should_attend", "present", "in_favour") if f in obj]
        if (given and len(given) < 3) or (not given and "written_in_favour" in obj):
            missing = [
                COLUMN_BY_KEY[f"{meeting}.{f}"].header
                for f in ("should_attend", "present", "in_favour")
                if f not in obj
            ]
            cand.error(
                missing[0],
                f"表决情况应同时填写应到人数、实到人数和赞成票，缺少“{'、'.join(missing)}”。",
            )
        elif given:
            obj.setdefault("written_in_favour", 0)


# --- the template -------------------------------------------------------------------------

ENUM_KEYS = ("activist.recommended_by", "political_review.passed", "by")
GENERAL_HELP = (
    "每行一人：姓名和公民身份号码须与本组织名册一致（请先导入名册），其余各列填写已办理步骤的日期和情况，"
    "未办理的步骤留空。只有姓名和身份证号码的行不导入。",
    "整个文件要么全部导入，要么一条也不导入：只要有一行有误，就不导入任何数据，并列出每一处错误（行号、列、原因）。",
    "已有发展记录的人员：内容完全相同的视为“未变化”（重复导入同一文件不会重复建档）；内容不同的不会合并，"
    "请在该人员的发展记录页面逐步登记。",
    "名册中的政治面貌须与记录的最后一步一致：入党积极分子有第3步、没有第7步；发展对象有第7步、没有第17步；"
    "预备党员有第17步、没有第24步；正式党员有第24步。",
    "“所在党支部”“名册政治面貌”两列仅供参考，导入时不读取。",
)


def write_template(out: IO[bytes], people: list[tuple[str, str, str, str]]) -> None:
    """The import template: the header, one prefilled row per person (name, ID number,
    branch, status), the 说明 sheet, and lists for the enumerations."""
    wb = Workbook()
    ws = wb.active
    ws.title = DATA_SHEET
    headers = [c.header for c in COLUMNS] + ["所在党支部", "名册政治面貌"]
    ws.append(headers)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "C2"
    for name, id_number, branch, status in people:
        row: list[Any] = [escape_cell(name), escape_cell(id_number)]
        row += [None] * (len(COLUMNS) - 2) + [escape_cell(branch), status]
        ws.append(row)
    last = max(len(people) + 1, 1001)
    help_ws = wb.create_sheet(HELP_SHEET)
    help_ws.append(["列名", "是否必填", "填写要求"])
    for cell in help_ws[1]:
        cell.font = Font(bold=True)
    for index, column in enumerate(COLUMNS, start=1):
        letter = get_column_letter(index)
        ws.column_dimensions[letter].width = max(10, len(column.header) * 2 + 2)
        if column.kind in ("id", "text", "people", "dates"):
            ws.column_dimensions[letter].number_format = "@"
        elif column.kind == "date":
            ws.column_dimensions[letter].number_format = "yyyy-mm-dd"
        step = STEP_BY_KEY.get(column.step)
        note = column_help(column)
        if column.is_step_date and step is not None and not column.help:
            note = f"第{step.number}步“{step.name}”的日期。{note}" if step.number else note
        help_ws.append([column.header, "必填" if column.required else "", note])
        if column.key in ENUM_KEYS:
            labels = ",".join(label for _, label in column.choices)
            validation = DataValidation(type="list", formula1=f'"{labels}"', allow_blank=True)
            validation.error = f"请填写：{labels.replace(',', '、')}。"
            ws.add_data_validation(validation)
            validation.add(f"{letter}2:{letter}{last}")
    help_ws.append([])
    for line in GENERAL_HELP:
        help_ws.append(["", "", line])
    help_ws.column_dimensions["A"].width = 22
    help_ws.column_dimensions["C"].width = 90
    wb.save(out)
