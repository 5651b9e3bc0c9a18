"""The bulk base update from .xlsx: all-or-nothing, with a report of every bad row.

A check pass reads the file once (openpyxl read-only, within the size and row limits of
``settings.DANGWU``) and checks every row with the rules ``base_set`` applies — the amount
(``rules.monthly_dues``), the month, a change inside the year (``rules.base_change_findings``),
a base already used by the ledger — plus the file's own: the person belongs to the
organization and to the user's EDIT scope, the name matches, one row per person. People are
looked up 1,000 rows at a time. Only when no row is bad does the write pass call
``services.base_set`` for every changed row inside ONE transaction; if a service still refuses
a row (someone changed the data in between), everything is rolled back and that row is
reported. A row identical to the base already recorded is "unchanged" and not written.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from dangwu.core.audit import audit_event
from dangwu.core.errors import DomainError
from dangwu.core.models import AuditAction
from dangwu.core.money import parse_money
from dangwu.core.scope import Perm, Scope, scope_for
from dangwu.dues import rules, services
from dangwu.dues.files.bases_template import (
    CATEGORY_BY_LABEL,
    CATEGORY_LABELS,
    COLUMN_BY_KEY,
    COLUMNS,
    DATA_SHEET,
    EDITABLE,
    EVIDENCE_MAX,
    REASON_MAX,
    base_editor_org,
    find_header,
    in_org_q,
    norm_header,
    parse_effective_month,
)
from dangwu.dues.files.common import READ_ERRORS, open_xlsx
from dangwu.dues.ledger import ZERO, zh_month
from dangwu.dues.models import DuesBase, LedgerEntry
from dangwu.members.choices import MEMBER_STATUSES, DuesCategory
from dangwu.members.models import Person
from dangwu.members.roster import ErrorLog, RowError
from dangwu.members.roster.columns import bad_file, cell_text
from dangwu.orgs.models import Organization

CHUNK = 1_000
WHAT = "缴费基数文件"


@dataclass
class BaseImportReport:
    """What an import did, or why it did nothing (``errors`` lists every bad row)."""

    rows: int = 0
    written: int = 0
    unchanged: int = 0
    skipped: int = 0  # rows whose editable cells were all blank
    monthly_total: Decimal = ZERO  # the monthly amounts of the bases written
    errors: ErrorLog = field(default_factory=ErrorLog)

    @property
    def ok(self) -> bool:
        return not self.errors.count

    @property
    def truncated(self) -> bool:
        return self.errors.count > len(self.errors.first)


def _data_rows(ws, header_row: int, width: int) -> Iterator[tuple[int, tuple]]:
    limit = settings.DANGWU["IMPORT_MAX_ROWS"]
    count = 0
    rows = ws.iter_rows(min_row=header_row + 1, max_col=width, values_only=True)
    for number, cells in enumerate(rows, start=header_row + 1):
        if not any(cell_text(c) for c in cells):
            if number - header_row > 2 * limit:  # a sheet of endless blank rows
                break
            continue
        count += 1
        if count > limit:
            raise bad_file(
                f"文件超过每次导入{limit:,}行的上限，请拆分为多个文件后分别导入。未导入任何数据。"
            )
        yield number, cells


# --- one row ------------------------------------------------------------------------------


@dataclass(slots=True)
class _Row:
    number: int
    text: dict[str, str]
    person_id: int | None = None
    category: str | None = None
    base: Decimal | None = None
    fixed: Decimal | None = None
    month: dt.date | None = None
    evidence: str = ""
    reason: str = ""
    amount: Decimal | None = None
    errors: list[tuple[str, str]] = field(default_factory=list)  # (column key, reason)

    def error(self, key: str, reason: str) -> None:
        self.errors.append((key, reason))


def _money(row: _Row, key: str) -> Decimal | None:
    text = row.text.get(key, "")
    if not text:
        return None
    try:
        return parse_money(text, label=COLUMN_BY_KEY[key].header)
    except ValueError as exc:
        row.error(key, str(exc))
        return None


def _parse_row(number: int, cells: tuple, positions: dict[str, int], today: dt.date) -> _Row:
    raw = {key: cells[i] if i < len(cells) else None for key, i in positions.items()}
    row = _Row(number, {k: cell_text(v) for k, v in raw.items()})
    text = row.text
    pid = unicodedata.normalize("NFKC", text.get("person_id", ""))
    if not pid:
        row.error("person_id", "请填写人员编号（请使用下载的模板，勿删改该列）。")
    elif not pid.isdigit() or len(pid) > 12:
        row.error("person_id", "人员编号应为数字，请勿改动该列。")
    else:
        row.person_id = int(pid)
    if not text.get("name"):
        row.error("name", "请填写姓名。")
    label = unicodedata.normalize("NFKC", text.get("category", "")).replace(" ", "")
    if not label:
        row.error("category", "请填写缴纳类别。")
    else:
        row.category = CATEGORY_BY_LABEL.get(label) or (label if label in CATEGORY_LABELS else None)
        if row.category is None:
            allowed = "、".join(CATEGORY_LABELS.values())
            row.error("category", f"“{label}”不是有效的缴纳类别，可填：{allowed}。")
    row.base, row.fixed = _money(row, "base"), _money(row, "fixed")
    if not text.get("month"):
        row.error("month", "请填写生效月份，如2027-01。")
    else:
        try:
            row.month = parse_effective_month(raw["month"])
        except ValueError as exc:
            row.error("month", str(exc))
        if row.month and row.month.year > today.year + 1:
            row.error("month", f"生效月份最多为下一年（{today.year + 1}年）。")
    row.evidence, row.reason = text.get("evidence", ""), text.get("reason", "")
    if len(row.evidence) > EVIDENCE_MAX:
        row.error("evidence", f"依据不能超过{EVIDENCE_MAX}个字。")
    if len(row.reason) > REASON_MAX:
        row.error("reason", f"年内调整原因不能超过{REASON_MAX}个字。")
    if row.category and not any(k in {"base", "fixed"} for k, _ in row.errors):
        _amount(row)
    return row


def _amount(row: _Row) -> None:
    """DUES-EMPLOYEE … DUES-LOW: the same computation and messages as ``base_set``."""
    try:
        conf = services.dues_settings()
        standard = rules.monthly_dues(row.category, row.base, conf, fixed=row.fixed)
    except (ValueError, TypeError) as exc:
        farmer = row.category == DuesCategory.FARMER
        row.error("fixed" if farmer or row.fixed is not None else "base", str(exc))
    else:
        row.amount = standard.amount


# --- checks against the database ------------------------------------------------------------


class _Checker:
    """The file's people and their bases, looked up a chunk of rows at a time."""

    def __init__(self, org: Organization, scope: Scope) -> None:
        self.org = org
        self.scope = scope
        self.seen: dict[int, int] = {}  # person → first row
        self.conf = services.dues_settings()

    def check(self, rows: list[_Row]) -> set[int]:
        """Add the rows' errors; return the row numbers that change nothing."""
        ids = {r.person_id for r in rows if r.person_id is not None}
        people = {
            p["pk"]: p
            for p in Person.objects.filter(pk__in=ids)
            .filter(in_org_q(self.org))
            .filter(self.scope.person_q(Perm.EDIT))
            .values("pk", "name", "is_active", "status")
        }
        bases: dict[int, list[dict]] = {}
        for b in DuesBase.objects.filter(person_id__in=people).values(
            "pk",
            "person_id",
            "effective_month",
            "category",
            "base",
            "fixed_amount",
            "amount",
            "standard_amount",
        ):
            bases.setdefault(b["person_id"], []).append(b)
        for row in rows:
            if row.person_id is not None:
                self._person(row, people.get(row.person_id))
        return self._against_bases(rows, bases)

    def _person(self, row: _Row, person: dict | None) -> None:
        pid = row.person_id
        if person is None:
            row.error(
                "person_id",
                f"人员编号{pid}不是“{self.org.name}”的人员或不存在，请使用本组织下载的模板。",
            )
            return
        first = self.seen.setdefault(pid, row.number)
        if first != row.number:
            row.error("person_id", f"与第{first}行是同一人员，每人只能填写一行。")
        name = norm_header(row.text.get("name", ""))
        if name and name != norm_header(person["name"]):
            row.error(
                "name",
                f"人员编号{pid}对应的是“{person['name']}”，与本行姓名不一致；"
                "请勿改动人员编号和姓名两列。",
            )
        if not person["is_active"] or person["status"] not in MEMBER_STATUSES:
            row.error("person_id", f"{person['name']}不是在册党员，无需核定党费缴纳基数。")

    def _against_bases(self, rows: list[_Row], bases: dict[int, list[dict]]) -> set[int]:
        unchanged: set[int] = set()
        clash: dict[int, _Row] = {}  # an existing base of the same month that would change
        for row in rows:
            if row.errors:
                continue
            own = bases.get(row.person_id, [])
            same = next((b for b in own if b["effective_month"] == row.month), None)
            base = None if row.base is None else row.base.quantize(Decimal("0.01"))
            if same and (same["category"], same["base"], same["fixed_amount"]) == (
                row.category,
                base,
                row.fixed,
            ):
                unchanged.add(row.number)
                continue
            if same and same["amount"] != same["standard_amount"]:
                row.error(
                    "month",
                    f"{zh_month(row.month)}起的基数登记了经批准的困难减免，不能通过导入修改，"
                    "请在该党员的党费页面调整。",
                )
                continue
            if same:
                clash[same["pk"]] = row
            earlier = any(
                b["effective_month"] < row.month and b["effective_month"].year == row.month.year
                for b in own
            )
            if earlier and not row.reason.strip():
                change = rules.base_change_findings((row.month.year, row.month.month), self.conf)
                if change:
                    row.error(
                        "reason",
                        f"{change[0].message}如确需年内调整，请在“年内调整原因”列写明原因。",
                    )
        used = LedgerEntry.objects.filter(base_id__in=list(clash)).values_list("base_id", flat=True)
        for base_id in set(used):
            row = clash[base_id]
            row.error(
                "month",
                f"{zh_month(row.month)}起的缴费基数已用于计算应缴党费，不能直接修改；"
                "请从下一个月起核定新的基数。",
            )
        return unchanged


# --- the import service ---------------------------------------------------------------------


def _blank(row: _Row) -> bool:
    return not any(row.text.get(k) for k in EDITABLE)


def _report_errors(report: BaseImportReport, row: _Row) -> None:
    order = {c.key: i for i, c in enumerate(COLUMNS)}
    for key, reason in sorted(row.errors, key=lambda e: order[e[0]]):
        report.errors.add(
            RowError(row.number, COLUMN_BY_KEY[key].header, row.text.get(key, ""), reason)
        )


def _check_pass(workbook, org, scope, today, report: BaseImportReport) -> list[_Row]:
    ws = workbook[DATA_SHEET] if DATA_SHEET in workbook.sheetnames else workbook.worksheets[0]
    header_row, positions = find_header(ws)
    checker = _Checker(org, scope)
    good: list[_Row] = []
    chunk: list[tuple[int, tuple]] = []

    def flush() -> None:
        rows = []
        for number, cells in chunk:
            row = _parse_row(number, cells, positions, today)
            if _blank(row) and not row.text.get("person_id") and not row.text.get("name"):
                continue
            report.rows += 1
            if _blank(row):
                report.skipped += 1
                continue
            rows.append(row)
        unchanged = checker.check(rows)
        for row in rows:
            if row.errors:
                _report_errors(report, row)
            elif row.number in unchanged:
                report.unchanged += 1
            elif report.ok:
                good.append(row)
        if not report.ok:
            good.clear()  # nothing will be written: keep only the errors
        chunk.clear()

    for item in _data_rows(ws, header_row, max(positions.values()) + 1):
        chunk.append(item)
        if len(chunk) == CHUNK:
            flush()
    flush()
    if report.rows == 0:
        raise bad_file("文件只有表头，没有数据行。")
    return good


class _Refused(Exception):
    def __init__(self, row: _Row, error: Exception) -> None:
        self.row, self.error = row, error


_SERVICE_FIELDS = {
    "category": "category",
    "base": "base",
    "fixed_amount": "fixed",
    "effective_month": "month",
    "change_reason": "reason",
}


def _refusal(refused: _Refused) -> RowError:
    exc, row = refused.error, refused.row
    if isinstance(exc, ValidationError):
        fields, message = (getattr(exc, "message_dict", {}) or {}), "；".join(exc.messages)
    elif isinstance(exc, DomainError):
        fields, message = exc.fields, exc.message
    else:
        fields, message = {}, "写入时与他人的修改冲突，请重新导入。"
    key = next((_SERVICE_FIELDS[f] for f in fields if f in _SERVICE_FIELDS), "person_id")
    return RowError(
        row.number,
        COLUMN_BY_KEY[key].header,
        row.text.get(key, ""),
        f"{message}（写入时发生，已全部撤销，未导入任何数据）",
    )


def _write_pass(rows: list[_Row], *, actor, org, today, report: BaseImportReport, name) -> None:
    with transaction.atomic():
        for row in rows:
            try:
                written = services.base_set(
                    actor=actor,
                    person=Person(pk=row.person_id),
                    effective_month=row.month,
                    category=row.category,
                    base=row.base,
                    fixed_amount=row.fixed,
                    evidence=row.evidence,
                    change_reason=row.reason,
                    today=today,
                )
            except (DomainError, ValidationError, IntegrityError) as exc:
                raise _Refused(row, exc) from exc
            report.written += 1
            report.monthly_total += written.amount
        audit_event(
            actor=actor,
            action=AuditAction.IMPORT,
            subject=f"org:{org.code}",
            detail={
                "kind": "dues_bases",
                "file": name,
                "rows": report.rows,
                "written": report.written,
                "unchanged": report.unchanged,
                "skipped": report.skipped,
                "monthly_total": str(report.monthly_total),
            },
        )


def base_import(*, actor, org_id: int, file: IO[bytes], today: dt.date) -> BaseImportReport:
    """Set the bases of a file for ``org``'s members: every row is checked, and only a file
    without a bad row is written (in one transaction).

    File-level problems (not an .xlsx, empty, no header, too many rows) raise ``InvalidInput``
    on the ``file`` field; bad rows come back in ``report.errors`` and nothing is written.
    """
    scope = scope_for(actor)
    org = base_editor_org(scope, org_id)
    report = BaseImportReport()
    workbook = open_xlsx(file, what=WHAT)
    try:
        rows = _check_pass(workbook, org, scope, today, report)
    except READ_ERRORS:
        raise bad_file("文件已损坏，读取到一半时出错，请重新保存后再导入。") from None
    finally:
        workbook.close()
    if not report.ok:
        return report
    try:
        _write_pass(
            rows, actor=actor, org=org, today=today, report=report, name=getattr(file, "name", "")
        )
    except _Refused as refused:
        report.written, report.monthly_total = 0, ZERO
        report.errors.add(_refusal(refused))
    return report
