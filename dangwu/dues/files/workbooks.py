"""The dues exports (.xlsx): the monthly collection sheet, the year summary, a member's ledger.

Each is built from the same selector as its page, streamed into a write-only workbook, text
escaped against formula injection (``styled_row``), and recorded as an ``export`` event.
The collection sheet reads its people a chunk at a time, so a committee's sheet stays within
bounded memory and a bounded number of queries per chunk.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import IO

from django.contrib.auth import get_user_model
from django.utils import timezone
from openpyxl import Workbook

from dangwu.core.scope import Scope
from dangwu.dues import selectors
from dangwu.dues.files.common import (
    DATE,
    MONEY,
    MONTH,
    PERCENT,
    audit_download,
    set_widths,
    styled_row,
    user_label,
)
from dangwu.dues.ledger import ZERO, zh_month
from dangwu.dues.models import DuesBase
from dangwu.dues.services import dues_settings
from dangwu.members.models import Person
from dangwu.orgs.choices import OrgKind

CHUNK = 1_000  # people whose ledger is read at a time

# --- the monthly collection sheet ----------------------------------------------------------

SHEET_TITLE = "党费收缴表"
SHEET_HEADERS = (
    "姓名",
    "党小组",
    "缴纳类别",
    "本月应交",
    "状态",
    "党费交至",
    "连续欠缴月数",
    "欠缴合计",
)
SHEET_FORMATS = (None, None, None, MONEY, None, MONTH, None, MONEY)
SHEET_HEADER_ROW = 6  # rows 1-4 say what the sheet is, row 5 is blank
STATE_LABELS = {
    "paid": "已交",
    "unpaid": "未交",
    "not_assessed": "未生成应缴",
    "no_base": "未核定基数",
}


def sheet_rows(scope: Scope, org, month: dt.date, today: dt.date) -> Iterator[selectors.SheetRow]:
    """Every row of the collection sheet, read ``CHUNK`` people at a time."""
    chunk: list[Person] = []
    for person in selectors.sheet_people(scope, org).iterator(chunk_size=CHUNK):
        chunk.append(person)
        if len(chunk) == CHUNK:
            yield from selectors.rows_for(chunk, month, today)
            chunk = []
    if chunk:
        yield from selectors.rows_for(chunk, month, today)


def sheet_export(
    scope: Scope, org_id: int, *, month: dt.date, today: dt.date, actor, out: IO[bytes], ip=None
) -> int:
    """The collection sheet of ``org`` for ``month`` as .xlsx; returns the number of people."""
    org = selectors.dues_org_get(scope, org_id)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(SHEET_TITLE)
    set_widths(ws, (12, 16, 16, 12, 12, 12, 14, 12))
    ws.append(styled_row(ws, [SHEET_TITLE], title=True))
    ws.append(styled_row(ws, ["党组织", org.name]))
    ws.append(styled_row(ws, ["月份", zh_month(month)]))
    ws.append(styled_row(ws, ["导出日期", today], formats=(None, DATE)))
    ws.append([])
    ws.append(styled_row(ws, SHEET_HEADERS, header=True))
    ws.freeze_panes = f"A{SHEET_HEADER_ROW + 1}"
    count = paid = unpaid = 0
    assessed = due = ZERO
    for row in sheet_rows(scope, org, month, today):
        p = row.person
        ws.append(
            styled_row(
                ws,
                [
                    p.name,
                    p.group.name if p.group else "",
                    p.get_dues_category_display(),
                    row.month_amount,
                    STATE_LABELS[row.state],
                    row.paid_through,
                    row.arrears_months,
                    row.due_total,
                ],
                formats=SHEET_FORMATS,
            )
        )
        count += 1
        paid += row.month_paid
        unpaid += row.state == "unpaid"
        assessed += row.month_amount or ZERO
        due += row.due_total
    totals = ["合计", f"{count}人", "", assessed, f"已交{paid}人，未交{unpaid}人", "", "", due]
    ws.append(styled_row(ws, totals, formats=SHEET_FORMATS, bold=True))
    audit_download(
        actor=actor,
        subject=f"org:{org.code}",
        kind="dues_collection_sheet",
        ip=ip,
        month=f"{month:%Y-%m}",
        rows=count,
    )
    wb.save(out)
    return count


# --- the year summary --------------------------------------------------------------------

SUMMARY_HEADERS = (
    "月份",
    "应缴人数",
    "应缴金额",
    "实缴人数",
    "实缴金额",
    "未缴金额",
    "收缴率",
    "本月实收",
    "自愿多交",
)
SUMMARY_FORMATS = (MONTH, None, MONEY, None, MONEY, MONEY, PERCENT, MONEY, MONEY)
SUMMARY_HEADER_ROW = 9
REMIT_HEADERS = ("上缴日期", "上缴金额", "其中全额上缴中央的自愿党费", "接收单位", "说明")
CHILD_HEADERS = ("党组织", "类型", "全年应缴", "全年实缴", "未缴金额", "收缴率")


def _fraction(rate: Decimal | None) -> Decimal | None:
    """The selector's percent (95.5) as the fraction a percent-formatted cell holds."""
    return None if rate is None else rate / 100


def summary_export(
    scope: Scope, org_id: int, *, year: int, today: dt.date, actor, out: IO[bytes], ip=None
) -> selectors.OrgSummary:
    """The year summary by month with totals, the hand-overs, and the child organizations."""
    s = selectors.org_summary(scope, org_id, year=year, today=today)
    org = s.organization
    warn = dues_settings().arrears_warning_months
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("按月汇总")
    set_widths(ws, (22, 10, 12, 10, 12, 12, 10, 12, 12))
    ws.append(styled_row(ws, ["党费收缴情况汇总"], title=True))
    ws.append(styled_row(ws, ["党组织", org.name]))
    ws.append(styled_row(ws, ["年度", f"{year}年"]))
    ws.append(styled_row(ws, ["在册党员", s.members]))
    ws.append(styled_row(ws, [f"未交{warn}个月及以上人数（含本月）", s.arrears_warning]))
    ws.append(styled_row(ws, ["本年已上缴", s.remitted], formats=(None, MONEY)))
    ws.append(styled_row(ws, ["待上缴", s.pending], formats=(None, MONEY)))
    ws.append([])
    ws.append(styled_row(ws, SUMMARY_HEADERS, header=True))
    ws.freeze_panes = f"A{SUMMARY_HEADER_ROW + 1}"
    for m in s.months:
        values = [
            m.month,
            m.assessed_count,
            m.assessed,
            m.paid_count,
            m.paid,
            m.unpaid,
            _fraction(m.rate),
            m.received,
            m.voluntary,
        ]
        ws.append(styled_row(ws, values, formats=SUMMARY_FORMATS))
    t = s.total
    # Counts of people do not add up over months, so the total row leaves them blank.
    totals = ["全年合计", None, t.assessed, None, t.paid, t.unpaid, _fraction(t.rate)]
    totals += [t.received, t.voluntary]
    ws.append(styled_row(ws, totals, formats=SUMMARY_FORMATS, bold=True))

    remit = wb.create_sheet("上缴记录")
    set_widths(remit, (12, 12, 26, 24, 30))
    remit.append(styled_row(remit, REMIT_HEADERS, header=True))
    for r in s.remittances:
        values = [r.handed_on, r.amount, r.voluntary_remit_amount, r.received_by, r.note]
        remit.append(styled_row(remit, values, formats=(DATE, MONEY, MONEY)))
    voluntary = sum((r.voluntary_remit_amount for r in s.remittances), ZERO)
    remit.append(styled_row(remit, ["合计", s.remitted, voluntary], formats=(None, MONEY, MONEY)))

    kids = wb.create_sheet("下级组织")
    set_widths(kids, (30, 12, 12, 12, 12, 10))
    kids.append(styled_row(kids, CHILD_HEADERS, header=True))
    child_formats = (None, None, MONEY, MONEY, MONEY, PERCENT)
    sums = [ZERO, ZERO]
    for child, f in s.children:
        label = OrgKind(child.kind).label
        values = [child.name, str(label), f.assessed, f.paid, f.unpaid, _fraction(f.rate)]
        kids.append(styled_row(kids, values, formats=child_formats))
        sums = [sums[0] + f.assessed, sums[1] + f.paid]
    if not s.children:
        kids.append(styled_row(kids, ["（无下级党组织）"]))
    rate = (sums[1] * 100 / sums[0]).quantize(Decimal("0.1")) if sums[0] else None
    totals = ["合计", "", sums[0], sums[1], sums[0] - sums[1], _fraction(rate)]
    kids.append(styled_row(kids, totals, formats=child_formats, bold=True))

    audit_download(
        actor=actor, subject=f"org:{org.code}", kind="dues_year_summary", ip=ip, year=year
    )
    wb.save(out)
    return s


# --- a member's ledger -------------------------------------------------------------------

LEDGER_HEADERS = ("所属月份", "类型", "金额", "缴纳方式", "交纳日期", "登记人", "说明")
LEDGER_FORMATS = (MONTH, None, MONEY, None, DATE)
LEDGER_HEADER_ROW = 10
BASE_HEADERS = (
    "生效月份",
    "缴纳类别",
    "缴费基数",
    "农民党员固定金额",
    "比例",
    "按规定每月应交",
    "每月应交",
    "减免原因",
    "上级党委批准日期",
    "依据",
    "登记人",
    "登记时间",
)
BASE_FORMATS = (MONTH, None, MONEY, MONEY, PERCENT, MONEY, MONEY, None, DATE)


def _setters(bases: list[DuesBase]) -> dict[int, str]:
    ids = {b.set_by_id for b in bases if b.set_by_id}
    users = get_user_model().objects.filter(pk__in=ids) if ids else []
    return {u.pk: user_label(u) for u in users}


def person_export(
    scope: Scope, person_id: int, *, today: dt.date, actor, out: IO[bytes], ip=None
) -> selectors.PersonDues:
    """A member's dues as .xlsx: the ledger (oldest first) and the bases."""
    d = selectors.person_dues(scope, person_id, today=today)
    p = d.person
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("党费台账")
    set_widths(ws, (12, 16, 12, 12, 12, 12, 36))
    ws.append(styled_row(ws, ["党员党费台账"], title=True))
    ws.append(styled_row(ws, ["姓名", p.name]))
    ws.append(styled_row(ws, ["所在党支部", p.branch.name]))
    ws.append(styled_row(ws, ["党费交至", d.paid_through], formats=(None, MONTH)))
    ws.append(styled_row(ws, ["欠缴合计", d.due_total], formats=(None, MONEY)))
    ws.append(styled_row(ws, ["累计应缴", d.summary.assessed_total], formats=(None, MONEY)))
    ws.append(styled_row(ws, ["累计实缴", d.summary.paid_total], formats=(None, MONEY)))
    ws.append(styled_row(ws, ["累计自愿多交", d.summary.voluntary_total], formats=(None, MONEY)))
    ws.append([])
    ws.append(styled_row(ws, LEDGER_HEADERS, header=True))
    ws.freeze_panes = f"A{LEDGER_HEADER_ROW + 1}"
    for e in sorted(d.entries, key=lambda e: (e.month, e.id)):
        kind = e.get_kind_display() + ("（冲销）" if e.reverses_id else "")
        values = [
            e.month,
            kind,
            e.amount,
            e.get_method_display(),
            e.paid_on,
            user_label(e.recorded_by),
            e.note,
        ]
        ws.append(styled_row(ws, values, formats=LEDGER_FORMATS))

    bases = wb.create_sheet("缴费基数")
    set_widths(bases, (12, 22, 12, 16, 8, 14, 12, 24, 16, 30, 12, 18))
    bases.append(styled_row(bases, BASE_HEADERS, header=True))
    setters = _setters(d.bases)
    for b in sorted(d.bases, key=lambda b: b.effective_month):
        values = [
            b.effective_month,
            b.get_category_display(),
            b.base,
            b.fixed_amount,
            b.rate,
            b.standard_amount,
            b.amount,
            b.hardship_reason,
            b.hardship_approved_on,
            b.evidence,
            setters.get(b.set_by_id, ""),
            timezone.localtime(b.set_at).strftime("%Y-%m-%d %H:%M"),
        ]
        bases.append(styled_row(bases, values, formats=BASE_FORMATS))
    audit_download(
        actor=actor,
        subject=f"person:{p.pk}",
        kind="dues_person_ledger",
        ip=ip,
        rows=len(d.entries),
    )
    wb.save(out)
    return d
