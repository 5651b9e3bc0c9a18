"""The roster import service: all-or-nothing, in a validation pass and a write pass.

Import (ARCHITECTURE "Imports are all-or-nothing"): a first streaming pass reads the file with
openpyxl in read-only mode and checks every row — its own fields (``clean_person_fields``),
the enumerations and dates, the organization codes against the actor's EDIT scope, duplicates
inside the file and against the database, 1,000 rows at a time. Only when no row is bad does
a second pass read the file again and write every new person (with status and relationship
rows and their history) in ONE transaction. Memory stays bounded by the row cap, not the file:
the passes keep the ID numbers seen and the errors (spilled to a temporary file), never rows.

A row whose ID number is already registered with the same data is "unchanged", so importing a
file twice creates nothing the second time; with different data it is a bad row.
"""

from __future__ import annotations

import datetime as dt
import json
import pickle
import tempfile
import unicodedata
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Any
from xml.etree.ElementTree import ParseError

from django.conf import settings
from django.db import IntegrityError, transaction
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException
from simple_history.utils import bulk_create_with_history

from dangwu.core.audit import audit_event
from dangwu.core.errors import NotFound
from dangwu.core.models import AuditAction
from dangwu.core.scope import Perm, Scope, scope_for
from dangwu.members.choices import MEMBER_STATUSES, Status
from dangwu.members.models import Membership, Person, StatusChange
from dangwu.members.roster.columns import (
    COLUMN_BY_KEY,
    COLUMN_INDEX,
    COLUMNS,
    ENUM_LOOKUPS,
    Sheet,
    bad_file,
    cell_text,
    data_sheet,
    enum_error,
    find_header,
    parse_date,
)
from dangwu.members.services import set_name_keys
from dangwu.members.validation import clean_person_fields
from dangwu.orgs.choices import OrgKind
from dangwu.orgs.models import Organization

CHUNK = 1_000  # rows checked against the database, and inserted, at a time
CHANGE_REASON = "名册导入"

# --- errors and the report ----------------------------------------------------------------


def _page_errors() -> int:
    """``PAGE_ERRORS`` as the package holds it now: it is tuned there (the tests do)."""
    from dangwu.members import roster  # at call time: the package imports this module

    return roster.PAGE_ERRORS


@dataclass(frozen=True, slots=True)
class RowError:
    row: int  # the row number in the sheet, as Excel shows it
    column: str
    value: str
    reason: str


class ErrorLog:
    """Every bad row of an import: the first ``PAGE_ERRORS`` (of the package) in memory, all
    in a spill file."""

    def __init__(self, keep: int | None = None) -> None:
        self.count = 0
        self.first: list[RowError] = []
        self._keep = _page_errors() if keep is None else keep
        self._rows: set[int] = set()
        self._file = tempfile.SpooledTemporaryFile(max_size=1 << 20, mode="w+", encoding="utf-8")  # noqa: SIM115

    def add(self, error: RowError) -> None:
        self.count += 1
        self._rows.add(error.row)
        if len(self.first) < self._keep:
            self.first.append(error)
        self._file.write(json.dumps([error.row, error.column, error.value, error.reason]) + "\n")

    @property
    def bad_rows(self) -> int:
        return len(self._rows)

    def __len__(self) -> int:
        return self.count

    def __iter__(self) -> Iterator[RowError]:
        self._file.seek(0)
        try:
            for line in self._file:
                yield RowError(*json.loads(line))
        finally:
            self._file.seek(0, 2)  # later additions go to the end


@dataclass
class ImportReport:
    """What an import did, or why it did nothing (``errors`` lists every bad row)."""

    rows: int = 0
    created: int = 0
    unchanged: int = 0
    errors: ErrorLog = field(default_factory=ErrorLog)

    @property
    def ok(self) -> bool:
        return not self.errors.count

    @property
    def truncated(self) -> bool:
        return self.errors.count > len(self.errors.first)


# --- opening the file ---------------------------------------------------------------------


def _file_size(file) -> int:
    size = getattr(file, "size", None)
    if size is None:
        position = file.tell()
        size = file.seek(0, 2)
        file.seek(position)
    return size


def _open_workbook(file):
    """Refuse what is not a readable .xlsx with a message that says what the file is."""
    name = (getattr(file, "name", "") or "").lower()
    size = _file_size(file)
    limit = settings.DANGWU["IMPORT_MAX_BYTES"]
    if size == 0:
        raise bad_file("上传的文件是空的（0字节），请选择填写好的名册文件。")
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
        _check_unpacked_size(file, limit)
        return load_workbook(file, read_only=True, data_only=True)
    except zipfile.BadZipFile:
        raise bad_file(
            "文件已损坏（不是完整的.xlsx文件），无法打开，请重新保存后再导入。"
        ) from None
    except (KeyError, InvalidFileException, OSError, ValueError, ParseError, zlib.error):
        raise bad_file(
            "文件不是有效的Excel工作簿（.xlsx），可能已损坏或是其他格式的文件改了扩展名。"
        ) from None


def _check_unpacked_size(file, limit: int) -> None:
    """A zip bomb is refused before reading: openpyxl keeps the shared strings in memory."""
    with zipfile.ZipFile(file) as archive:  # leaves ``file`` open
        members = archive.infolist()
    file.seek(0)
    unpacked = sum(m.file_size for m in members)
    shared = sum(m.file_size for m in members if m.filename.lower() == "xl/sharedstrings.xml")
    if unpacked > 25 * limit or shared > 2.5 * limit:
        raise bad_file(
            f"文件解压后的内容过大（约{unpacked / 1048576:,.0f} MB），不像是正常的名册文件；"
            "请检查文件，或拆分为多个文件后分别导入。"
        )


# --- reading the rows ---------------------------------------------------------------------


def _data_rows(ws, sheet: Sheet) -> Iterator[tuple[int, tuple]]:
    """(row number, cells) of every non-empty row below the header, within the row cap."""
    limit = settings.DANGWU["IMPORT_MAX_ROWS"]
    count = 0
    rows = ws.iter_rows(min_row=sheet.header_row + 1, max_col=sheet.width, values_only=True)
    for number, cells in enumerate(rows, start=sheet.header_row + 1):
        if not any(cell_text(c) for c in cells):
            if number - sheet.header_row > 2 * limit:  # a sheet of endless blank rows
                break
            continue
        count += 1
        if count > limit:
            raise bad_file(
                f"文件超过每次导入{limit:,}行的上限，请拆分为多个文件后分别导入。未导入任何数据。"
            )
        yield number, cells


def _chunks(rows: Iterator[tuple[int, tuple]]) -> Iterator[list[tuple[int, tuple]]]:
    chunk: list[tuple[int, tuple]] = []
    for item in rows:
        chunk.append(item)
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


# --- one row ------------------------------------------------------------------------------


@dataclass(slots=True)
class _Row:
    number: int
    text: dict[str, str]  # what the user wrote, for the report
    data: dict[str, Any]
    errors: list[tuple[int, str, str]] = field(default_factory=list)  # (column index, key, reason)

    def error(self, key: str, reason: str) -> None:
        self.errors.append((COLUMN_INDEX[key], key, reason))

    def failed(self, key: str) -> bool:
        return any(k == key for _, k, _ in self.errors)


_CLEAN_FIELDS = {
    "name",
    "sex",
    "birth_date",
    "id_number",
    "phone",
    "applied_on",
    "admission_date",
    "full_since",
}


def _parse_row(number: int, cells: tuple, positions: dict[str, int], today: dt.date) -> _Row:
    raw = {key: cells[i] if i < len(cells) else None for key, i in positions.items()}
    row = _Row(number, {k: cell_text(v) for k, v in raw.items()}, {})
    data = row.data
    for column in COLUMNS:
        value, text = raw.get(column.key), row.text.get(column.key, "")
        if not text:
            data[column.key] = None
            if column.required and column.key != "name":  # a missing name: clean_person_fields
                row.error(column.key, f"请填写{column.header}。")
            continue
        if column.kind == "date":
            try:
                data[column.key] = parse_date(value)
            except ValueError as exc:
                data[column.key] = None
                row.error(column.key, str(exc))
        elif column.kind == "enum":
            found = ENUM_LOOKUPS[column.key].get(
                unicodedata.normalize("NFKC", text).replace(" ", "")
            )
            if found is None:
                row.error(column.key, enum_error(column, text))
            data[column.key] = found
        elif column.kind == "bool":
            flag = {"是": True, "否": False}.get(text)
            if flag is None:
                row.error(column.key, "请填写“是”或“否”。")
            data[column.key] = flag
        elif column.kind == "id" and isinstance(value, float):
            data[column.key] = None
            row.error(
                column.key,
                "身份证号码被Excel存成了数字，后几位已经丢失；请将该列设为文本格式后重新填写。",
            )
        elif column.kind == "code":
            data[column.key] = unicodedata.normalize("NFKC", text).strip()
        else:
            data[column.key] = text
    # The person's own fields: the same rules as the forms and the API.
    person_fields = {k: data.get(k) for k in _CLEAN_FIELDS}
    person_fields["status"] = data.get("status")
    cleaned, field_errors = clean_person_fields(person_fields, today=today)
    for key, messages in field_errors.items():
        if not row.failed(key):
            for message in messages:
                row.error(key, message)
    data.update({k: cleaned.get(k) for k in _CLEAN_FIELDS})
    for key in ("ethnicity", "education", "occupation", "dues_category", "work_unit", "phone"):
        data[key] = data.get(key) or ("01" if key == "ethnicity" else "")
    data["league_member"] = bool(data.get("league_member"))
    if len(data["work_unit"]) > 100:
        row.error("work_unit", "工作单位或班级不能超过100个字。")
    joined, birth = data.get("joined_on"), data.get("birth_date")
    if joined is not None and joined > today:
        row.error("joined_on", "日期不能晚于今天。")
    elif joined is not None and birth is not None and joined <= birth:
        row.error("joined_on", "日期不能早于出生日期。")
    data["status_since"] = _status_since(data, today)
    return row


def _status_since(data: dict[str, Any], today: dt.date) -> dt.date:
    """The earliest date the file proves for the current status, so later dated changes fit."""
    status = data.get("status")
    if status == Status.FULL and data.get("full_since"):
        return data["full_since"]
    if status in MEMBER_STATUSES and data.get("admission_date"):
        return data["admission_date"]
    return data.get("applied_on") or data.get("joined_on") or today


# --- placement (organization codes) -------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Org:
    pk: int
    path: str
    kind: str
    name: str
    active: bool
    editable: bool


class _OrgCodes:
    """Organization codes of the file, looked up once each (one query per chunk of new codes).

    A code outside the actor's EDIT scope answers exactly like an unknown code.
    """

    def __init__(self, scope: Scope) -> None:
        self.scope = scope
        self.known: dict[str, _Org | None] = {}

    def load(self, codes: set[str]) -> None:
        new = codes - self.known.keys()
        if not new:
            return
        self.known.update(dict.fromkeys(new))
        fields = ("pk", "path", "kind", "name", "dissolved_on", "code")
        for pk, path, kind, name, dissolved_on, code in Organization.objects.filter(
            code__in=new
        ).values_list(*fields):
            if self.scope.covers(path, Perm.EDIT):
                self.known[code] = _Org(pk, path, kind, name, dissolved_on is None, True)

    def place(self, row: _Row) -> None:
        data = row.data
        data["branch"] = data["group"] = None
        code = data.get("branch_code")
        if not code:
            return
        branch = self.known.get(code)
        if branch is None:
            row.error("branch_code", f"党支部编码“{code}”不存在或不在您管理的范围内。")
            return
        if branch.kind != OrgKind.BRANCH:
            row.error(
                "branch_code",
                f"编码“{code}”是{OrgKind(branch.kind).label}“{branch.name}”，人员只能编入党支部。",
            )
            return
        if not branch.active:
            row.error("branch_code", f"党支部“{branch.name}”已撤销，不能编入。")
            return
        data["branch"] = branch
        group_code = data.get("group_code")
        if not group_code:
            return
        group = self.known.get(group_code)
        if group is None or group.kind != OrgKind.PARTY_GROUP:
            row.error("group_code", f"党小组编码“{group_code}”不存在或不在您管理的范围内。")
        elif not group.path.startswith(branch.path):
            row.error("group_code", f"党小组“{group.name}”不属于党支部“{branch.name}”。")
        elif not group.active:
            row.error("group_code", f"党小组“{group.name}”已撤销，不能编入。")
        else:
            data["group"] = group


# --- comparing with the database ----------------------------------------------------------

_COMPARED = (
    "name",
    "sex",
    "birth_date",
    "ethnicity",
    "phone",
    "education",
    "occupation",
    "dues_category",
    "work_unit",
    "league_member",
    "status",
    "applied_on",
    "admission_date",
    "full_since",
)
_ALWAYS_COMPARED = {"name", "sex", "birth_date", "status"}  # present or derived from the ID


def _differences(person: Person, data: dict[str, Any], present: set[str]) -> list[str]:
    headers = []
    for key in _COMPARED:
        if (key in present or key in _ALWAYS_COMPARED) and getattr(person, key) != data[key]:
            headers.append(COLUMN_BY_KEY[key].header)
    if person.branch_id != data["branch"].pk:
        headers.append(COLUMN_BY_KEY["branch_code"].header)
    if "group_code" in present and person.group_id != (data["group"].pk if data["group"] else None):
        headers.append(COLUMN_BY_KEY["group_code"].header)
    return headers


def _check_existing(rows: list[_Row], scope: Scope, present: set[str]) -> set[str]:
    """Rows whose ID number is registered: identical → unchanged (returned), else a bad row."""
    ids = {r.data["id_number"]: r for r in rows if r.data.get("id_number")}
    unchanged: set[str] = set()
    if not ids:
        return unchanged
    existing = Person.objects.filter(id_number__in=list(ids)).select_related("branch")
    for person in existing.only(
        *_COMPARED, "id_number", "branch", "group", "is_active", "branch__name", "branch__path"
    ):
        row = ids[person.id_number]
        if not scope.covers(person.branch.path):
            row.error(
                "id_number",
                "该身份证号码已在其他党组织登记，不能重复导入；如需转入，请办理组织关系转接。",
            )
            continue
        who = f"该身份证号码已登记为{person.name}（{person.branch.name}）的记录"
        if not person.is_active:
            row.error("id_number", f"{who}，该人员已不在册（已转出或出党），不能通过导入恢复。")
            continue
        if row.errors or row.data["branch"] is None:
            continue  # cannot compare a row that is bad anyway
        differences = _differences(person, row.data, present)
        if differences:
            row.error("id_number", f"{who}，与本行信息不一致（{'、'.join(differences)}）。")
        else:
            unchanged.add(person.id_number)
    return unchanged


# --- the import service -------------------------------------------------------------------

# What the check pass keeps of a new person for the write pass (pickled to a temporary file).
_NEW_FIELDS = (*_COMPARED, "id_number", "status_since", "joined_on")


def require_editor(scope: Scope) -> None:
    if not scope.is_superuser and not scope.paths(Perm.EDIT):
        raise NotFound()


def _check_pass(workbook, scope: Scope, today: dt.date, report: ImportReport, spill) -> None:
    """Check every row; while no row is bad, spill the new people, one pickle per chunk."""
    ws = data_sheet(workbook)
    sheet = find_header(ws)
    present = set(sheet.positions)
    codes = _OrgCodes(scope)
    seen: dict[str, int] = {}  # ID number → first row, for duplicates inside the file
    for chunk in _chunks(_data_rows(ws, sheet)):
        rows = [_parse_row(number, cells, sheet.positions, today) for number, cells in chunk]
        codes.load({c for r in rows for c in (r.data["branch_code"], r.data["group_code"]) if c})
        for row in rows:
            codes.place(row)
            id_number = row.data.get("id_number")
            if id_number and not row.failed("id_number"):
                first = seen.setdefault(id_number, row.number)
                if first != row.number:
                    row.error("id_number", f"与第{first}行的公民身份号码重复。")
        unchanged = _check_existing(rows, scope, present)
        report.rows += len(rows)
        report.unchanged += len(unchanged)
        for row in rows:
            for _, key, reason in sorted(row.errors, key=lambda e: e[0]):
                column = COLUMN_BY_KEY[key]
                report.errors.add(
                    RowError(row.number, column.header, row.text.get(key, ""), reason)
                )
        if report.ok:
            new = [
                (
                    *(r.data[k] for k in _NEW_FIELDS),
                    r.data["branch"].pk,
                    r.data["group"].pk if r.data["group"] else None,
                )
                for r in rows
                if r.data["id_number"] not in unchanged
            ]
            pickle.dump(new, spill, protocol=pickle.HIGHEST_PROTOCOL)
    if report.rows == 0:
        raise bad_file("文件只有表头，没有人员数据。")


def _spilled_chunks(spill) -> Iterator[list[tuple]]:
    spill.seek(0)
    while True:
        try:
            yield pickle.load(spill)  # noqa: S301 - our own temporary file, written above
        except EOFError:
            return


def _write_pass(spill, *, actor, report: ImportReport) -> None:
    """Insert the checked new people chunk by chunk: person, status and relationship rows,
    each with its history row naming the actor."""
    recorded_by = actor if getattr(actor, "is_authenticated", False) else None
    history = {"default_user": recorded_by, "default_change_reason": CHANGE_REASON}
    for chunk in _spilled_chunks(spill):
        people, joined = [], []
        for values in chunk:
            *fields, branch_id, group_id = values
            data = dict(zip(_NEW_FIELDS, fields, strict=True))
            joined.append(data.pop("joined_on"))
            person = Person(**data, branch_id=branch_id, group_id=group_id)
            set_name_keys(person)
            people.append(person)
        bulk_create_with_history(people, Person, batch_size=CHUNK, **history)
        statuses = [
            StatusChange(
                person=person,
                status=person.status,
                effective_on=person.status_since,
                reason=CHANGE_REASON,
                recorded_by=recorded_by,
            )
            for person in people
        ]
        memberships = [
            Membership(
                person=person,
                branch_id=person.branch_id,
                group_id=person.group_id,
                started_on=joined_on or person.status_since,
                note=CHANGE_REASON,
            )
            for person, joined_on in zip(people, joined, strict=True)
        ]
        bulk_create_with_history(statuses, StatusChange, batch_size=CHUNK, **history)
        bulk_create_with_history(memberships, Membership, batch_size=CHUNK, **history)
        report.created += len(people)


def roster_import(*, actor, file: IO[bytes], today: dt.date) -> ImportReport:
    """Import a roster file: every row is checked; only a file without a bad row is written.

    File-level problems (not an .xlsx, empty, no header, too many rows) raise ``InvalidInput``
    on the ``file`` field; bad rows come back in ``report.errors`` and nothing is written.
    """
    scope = scope_for(actor)
    require_editor(scope)
    report = ImportReport()
    workbook = _open_workbook(file)
    with tempfile.TemporaryFile() as spill:
        try:
            _check_pass(workbook, scope, today, report, spill)
        except (zipfile.BadZipFile, ParseError, zlib.error, EOFError, KeyError):
            raise bad_file("文件已损坏，读取到一半时出错，请重新保存后再导入。") from None
        finally:
            workbook.close()
        if not report.ok:
            return report
        try:
            with transaction.atomic():
                _write_pass(spill, actor=actor, report=report)
                audit_event(
                    actor=actor,
                    action=AuditAction.IMPORT,
                    subject="roster",
                    detail={
                        "file": getattr(file, "name", ""),
                        "rows": report.rows,
                        "created": report.created,
                        "unchanged": report.unchanged,
                    },
                )
        except IntegrityError:
            # Someone registered one of these ID numbers between the check and the write.
            raise bad_file(
                "导入期间有人登记了相同身份证号码的人员，本次未导入任何数据，请重新导入。"
            ) from None
    return report
