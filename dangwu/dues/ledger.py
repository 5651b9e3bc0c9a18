"""What a person's ledger lines add up to: pure derivation, no database.

The services and selectors read a person's lines and call ``summarize``; reconcile calls
it too, so the cached ``DuesAccount`` and every page agree by construction. A month is
*owed* when its assessments net to more than zero, and *paid* when its payments net to
more than zero (a reversed payment leaves the month unpaid). Months are the first day of
the month (``datetime.date``).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

ZERO = Decimal("0.00")


def month_start(d: dt.date) -> dt.date:
    return d.replace(day=1)


def next_month(m: dt.date) -> dt.date:
    return dt.date(m.year + 1, 1, 1) if m.month == 12 else dt.date(m.year, m.month + 1, 1)


def prev_month(m: dt.date) -> dt.date:
    return dt.date(m.year - 1, 12, 1) if m.month == 1 else dt.date(m.year, m.month - 1, 1)


def months_between(first: dt.date, last: dt.date) -> list[dt.date]:
    """Every month from ``first`` to ``last`` inclusive (empty when ``last`` is earlier)."""
    out = []
    m = month_start(first)
    while m <= last:
        out.append(m)
        m = next_month(m)
    return out


def ym(m: dt.date) -> tuple[int, int]:
    return (m.year, m.month)


def zh_month(m: dt.date) -> str:
    return f"{m.year}年{m.month}月"


def parse_month(text: str) -> dt.date:
    """``"2026-11"`` (or ``"2026-11-01"``) → ``date(2026, 11, 1)``; Chinese ``ValueError``."""
    text = (text or "").strip()
    try:
        parts = [int(p) for p in text.split("-")[:2]]
        return dt.date(parts[0], parts[1], 1)
    except (ValueError, IndexError):
        raise ValueError(f"月份格式应为“年-月”，如2026-11，收到：{text or '空'}。") from None


@dataclass(frozen=True, slots=True)
class Line:
    """The part of a ledger line the derivation needs."""

    kind: str  # "assessment" | "payment" | "voluntary"
    month: dt.date
    amount: Decimal


@dataclass(slots=True)
class Summary:
    assessed_total: Decimal = ZERO
    paid_total: Decimal = ZERO
    voluntary_total: Decimal = ZERO
    owed: dict[dt.date, Decimal] = field(default_factory=dict)  # month → net assessed (> 0)
    paid: dict[dt.date, Decimal] = field(default_factory=dict)  # month → net paid (> 0)

    @property
    def balance(self) -> Decimal:
        """Assessed minus paid: what the member still owes (negative: paid in advance)."""
        return self.assessed_total - self.paid_total

    @property
    def unpaid(self) -> list[dt.date]:
        """Owed months not paid, oldest first."""
        return sorted(m for m in self.owed if m not in self.paid)

    @property
    def unpaid_months(self) -> int:
        return len(self.unpaid)

    @property
    def paid_through(self) -> dt.date | None:
        """The latest paid month before the first unpaid owed month (``None``: none).

        Every owed month up to it is paid; advance payments extend it past the last owed
        month. The letter of a transfer carries it (党费交至).
        """
        unpaid = self.unpaid
        before = [m for m in self.paid if not unpaid or m < unpaid[0]]
        return max(before) if before else None


def summarize(lines: Iterable[Line]) -> Summary:
    assessed: dict[dt.date, Decimal] = defaultdict(lambda: ZERO)
    paid: dict[dt.date, Decimal] = defaultdict(lambda: ZERO)
    s = Summary()
    for line in lines:
        if line.kind == "assessment":
            assessed[line.month] += line.amount
            s.assessed_total += line.amount
        elif line.kind == "payment":
            paid[line.month] += line.amount
            s.paid_total += line.amount
        elif line.kind == "voluntary":
            s.voluntary_total += line.amount
        else:
            raise ValueError(f"unknown ledger kind {line.kind!r}")
    s.owed = {m: a for m, a in assessed.items() if a > 0}
    s.paid = {m: a for m, a in paid.items() if a > 0}
    return s


def arrears_as_of(today: dt.date, *, quarterly: bool = False) -> dt.date:
    """The last month whose dues are overdue on ``today``.

    A month's dues can be paid until the month ends, so on 22 November the last overdue
    month is October. A member who pays quarterly with the branch's consent (DUES-MONTHLY)
    has until the quarter ends: on 22 November the last overdue month is September.
    """
    last = prev_month(month_start(today))
    if quarterly:
        cur = month_start(today)
        quarter_first = dt.date(cur.year, (cur.month - 1) // 3 * 3 + 1, 1)
        last = prev_month(quarter_first)
    return last
