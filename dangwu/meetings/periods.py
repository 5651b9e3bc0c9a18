"""Calendar periods of organizational life: a month, a calendar quarter, a year. Pure.

The LIFE-* rules count meetings per period ("once each calendar quarter"). A period is
named in findings, JSON and reports by its ``label``: ``2025-03`` (month), ``2025-Q2``
(quarter), ``2025`` (year); in Chinese sentences by ``zh``: 2025年3月, 2025年第二季度,
2025年度. A period has *started* on its first day and has *ended* after its last day:
on the last day itself a meeting can still be held, so the period is still running.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache

QUARTER_ZH = ("", "第一季度", "第二季度", "第三季度", "第四季度")

_LABEL = re.compile(r"(\d{4})(?:-(\d{2})|-[Qq]([1-4]))?", re.ASCII)


class PeriodKind(StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"


_COUNT = {PeriodKind.MONTH: 12, PeriodKind.QUARTER: 4, PeriodKind.YEAR: 1}


@dataclass(frozen=True, slots=True)
class Period:
    """One month, calendar quarter or year. ``number`` is the month (1–12), the quarter
    (1–4) or 1 for a year. Equal periods are equal and hash alike (usable as keys)."""

    kind: PeriodKind
    year: int
    number: int = 1
    start: dt.date = field(init=False, compare=False, repr=False)
    end: dt.date = field(init=False, compare=False, repr=False)
    # Computed once: findings for tens of thousands of organizations name the same periods.
    label: str = field(init=False, compare=False, repr=False)
    zh: str = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        try:
            kind = PeriodKind(self.kind)
        except ValueError as exc:
            raise ValueError(f"未知的期间类型：{self.kind!r}。") from exc
        object.__setattr__(self, "kind", kind)
        if isinstance(self.year, bool) or not isinstance(self.year, int):
            raise ValueError(f"年份应为整数，实际为{self.year!r}。")
        if not dt.MINYEAR <= self.year <= dt.MAXYEAR:
            raise ValueError(f"年份超出范围：{self.year}。")
        count = _COUNT[kind]
        if isinstance(self.number, bool) or not isinstance(self.number, int):
            raise ValueError(f"期间序号应为整数，实际为{self.number!r}。")
        if not 1 <= self.number <= count:
            what = {PeriodKind.MONTH: "月份", PeriodKind.QUARTER: "季度", PeriodKind.YEAR: "年度"}
            raise ValueError(f"{what[kind]}序号应在1至{count}之间，实际为{self.number}。")
        first_month, last_month = self.months
        start = dt.date(self.year, first_month, 1)
        end = dt.date(self.year, last_month, calendar.monthrange(self.year, last_month)[1])
        object.__setattr__(self, "start", start)
        object.__setattr__(self, "end", end)
        if kind == PeriodKind.MONTH:
            label, zh = f"{self.year:04d}-{self.number:02d}", f"{self.year}年{self.number}月"
        elif kind == PeriodKind.QUARTER:
            label, zh = f"{self.year:04d}-Q{self.number}", f"{self.year}年{QUARTER_ZH[self.number]}"
        else:
            label, zh = f"{self.year:04d}", f"{self.year}年度"
        object.__setattr__(self, "label", label)  # 2025-03, 2025-Q2, 2025
        object.__setattr__(
            self, "zh", zh
        )  # in a Chinese sentence: 2025年3月, 2025年第二季度, 2025年度

    # --- constructors ---------------------------------------------------------------

    @classmethod
    def for_month(cls, year: int, month: int) -> Period:
        return cls(PeriodKind.MONTH, year, month)

    @classmethod
    def for_quarter(cls, year: int, quarter: int) -> Period:
        return cls(PeriodKind.QUARTER, year, quarter)

    @classmethod
    def for_year(cls, year: int) -> Period:
        return cls(PeriodKind.YEAR, year, 1)

    @classmethod
    def containing(cls, kind: PeriodKind | str, d: dt.date) -> Period:
        """The month, quarter or year that ``d`` falls in."""
        kind = PeriodKind(kind)
        if kind == PeriodKind.MONTH:
            return cls(kind, d.year, d.month)
        if kind == PeriodKind.QUARTER:
            return cls(kind, d.year, quarter_of(d.month))
        return cls(kind, d.year, 1)

    @classmethod
    def parse(cls, label: str) -> Period:
        """The period of a label: ``2025-03``, ``2025-Q2`` (or ``2025-q2``), ``2025``."""
        match = _LABEL.fullmatch(label) if isinstance(label, str) else None
        if match is None:
            raise ValueError(
                f"期间应写作 2025-03（月）、2025-Q2（季度）或 2025（年度），实际为{label!r}。"
            )
        year, month, quarter = match.groups()
        if month is not None:
            return cls(PeriodKind.MONTH, int(year), int(month))
        if quarter is not None:
            return cls(PeriodKind.QUARTER, int(year), int(quarter))
        return cls(PeriodKind.YEAR, int(year), 1)

    # --- names ----------------------------------------------------------------------

    def __str__(self) -> str:
        return self.label

    # --- calendar -------------------------------------------------------------------

    @property
    def months(self) -> tuple[int, int]:
        """The first and last month (1–12) of the period."""
        if self.kind == PeriodKind.MONTH:
            return self.number, self.number
        if self.kind == PeriodKind.QUARTER:
            return 3 * self.number - 2, 3 * self.number
        return 1, 12

    def contains(self, d: dt.date) -> bool:
        return self.start <= d <= self.end

    def has_started(self, today: dt.date) -> bool:
        return today >= self.start

    def has_ended(self, today: dt.date) -> bool:
        """True from the day after the last day: on the last day the period still runs."""
        return today > self.end

    def is_running(self, today: dt.date) -> bool:
        return self.start <= today <= self.end


def quarter_of(month: int) -> int:
    """The calendar quarter (1–4) of a month (1–12)."""
    return (month - 1) // 3 + 1


@lru_cache(maxsize=512)
def year_periods(year: int, kind: PeriodKind | str) -> tuple[Period, ...]:
    """The year's months (12), quarters (4) or the year itself (1), in calendar order.

    Cached: a compliance run over many organizations reuses the same few periods.
    """
    kind = PeriodKind(kind)
    return tuple(Period(kind, year, n) for n in range(1, _COUNT[kind] + 1))
