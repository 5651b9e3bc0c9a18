"""Calendar arithmetic shared by the rules. Pure: no clock, no database.

Regulations count in calendar months and years ("one year from the admission meeting",
"remind 6 months before the term ends"). A month or year later is the same day of the
month; when that day does not exist, the last day of the month is used (2024-02-29 plus
one year is 2025-02-28; 2025-08-31 minus six months is 2025-02-28).
"""

from __future__ import annotations

import calendar
import datetime as dt


def add_months(d: dt.date, n: int) -> dt.date:
    """``d`` moved by ``n`` calendar months (negative goes back), clamped to the month end."""
    index = d.year * 12 + (d.month - 1) + n
    year, month0 = divmod(index, 12)
    month = month0 + 1
    day = min(d.day, calendar.monthrange(year, month)[1])
    return dt.date(year, month, day)


def add_years(d: dt.date, n: int) -> dt.date:
    """``d`` moved by ``n`` calendar years; 29 February becomes 28 February in other years."""
    return add_months(d, 12 * n)


def full_years(start: dt.date, on: dt.date) -> int:
    """Whole years from ``start`` to ``on`` (周岁 style): the anniversary itself counts.

    The anniversary of 29 February is 28 February in a common year (``add_years``).
    Raises ``ValueError`` when ``on`` is before ``start``.
    """
    if on < start:
        raise ValueError(f"日期{zh_date(on)}早于起始日期{zh_date(start)}。")
    years = on.year - start.year
    if add_years(start, years) > on:
        years -= 1
    return years


def zh_date(d: dt.date) -> str:
    """A date as a Chinese reader writes it: ``2025年2月28日``."""
    return f"{d.year}年{d.month}月{d.day}日"
