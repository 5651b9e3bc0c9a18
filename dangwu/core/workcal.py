"""The working-day calendar (CAL-WORKDAY, CAL-DATA, CAL-COUNT). Pure: no clock, no database.

Chinese working days follow the State Council's yearly holiday notice, not the weekday
alone: a holiday may run over a weekend, and weekend days next to it become working days
(调休上班). The schedule of a year is known only once it is published, so a question about
a year without a schedule is an error (``CalendarDataMissing``), never a guess.

The known schedules ship in ``data/holidays.json`` (generated once by
``data/make_holidays.py``; 2024–2026 are checked against DOMAIN.md §11 by the tests).
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from importlib import resources
from types import MappingProxyType
from typing import Any

SATURDAY = 5


class CalendarDataMissing(Exception):
    """CAL-DATA: no holiday schedule is loaded for ``year``."""

    code = "CAL-DATA"

    def __init__(self, year: int) -> None:
        self.year = year
        self.message = f"未载入{year}年节假日安排，无法计算工作日。"
        super().__init__(self.message)


@dataclass(frozen=True, slots=True)
class YearSchedule:
    """One year of the State Council's schedule.

    ``rest_days``: every day of that year's official holidays (weekend days inside a holiday
    included); ``makeup_workdays``: the Saturdays and Sundays worked instead (调休上班).
    """

    year: int
    rest_days: frozenset[dt.date]
    makeup_workdays: frozenset[dt.date]

    def __post_init__(self) -> None:
        for d in self.rest_days | self.makeup_workdays:
            if d.year != self.year:
                raise ValueError(f"{self.year}年节假日安排中含有其他年份的日期{d.isoformat()}。")
        if both := self.rest_days & self.makeup_workdays:
            raise ValueError(
                f"{min(both).isoformat()}在{self.year}年节假日安排中既是休息日又是调休上班日。"
            )
        for d in self.makeup_workdays:
            if d.weekday() < SATURDAY:
                raise ValueError(f"调休上班日{d.isoformat()}不是星期六或星期日。")


class Calendar:
    """Working days over the years that have a schedule.

    CAL-WORKDAY — 《全国年节及纪念日放假办法》 and the yearly notices: a date is a working day
    iff it is Monday–Friday and not a rest day of its year's schedule, or it is a Saturday
    or Sunday that the schedule makes a working day. Every method raises
    ``CalendarDataMissing`` for a date in a year without a schedule.
    """

    def __init__(self, schedules: Mapping[int, YearSchedule]) -> None:
        for year, schedule in schedules.items():
            if schedule.year != year:
                raise ValueError(f"{year}年的位置放入了{schedule.year}年的节假日安排。")
        self._schedules = dict(schedules)

    @property
    def schedules(self) -> Mapping[int, YearSchedule]:
        """The schedules by year (read-only), e.g. to merge with a year entered later."""
        return MappingProxyType(self._schedules)

    @property
    def years(self) -> tuple[int, ...]:
        return tuple(sorted(self._schedules))

    def schedule(self, year: int) -> YearSchedule:
        try:
            return self._schedules[year]
        except KeyError:
            raise CalendarDataMissing(year) from None

    def is_workday(self, d: dt.date) -> bool:
        schedule = self.schedule(d.year)
        if d.weekday() >= SATURDAY:
            return d in schedule.makeup_workdays
        return d not in schedule.rest_days

    def _workdays_from(self, start: dt.date) -> Iterator[dt.date]:
        day = start
        while True:
            if self.is_workday(day):
                yield day
            day += dt.timedelta(days=1)

    def workdays(self, start: dt.date, n: int) -> list[dt.date]:
        """The ``n`` working days of a period of N working days starting on ``start``.

        CAL-COUNT: ``start`` counts if it is a working day (otherwise counting begins on
        the next working day); the period ends on the N-th working day.
        """
        if n < 1:
            raise ValueError(f"工作日数应至少为1，实际为{n}。")
        days: list[dt.date] = []
        for day in self._workdays_from(start):
            days.append(day)
            if len(days) == n:
                return days
        raise AssertionError("unreachable")  # pragma: no cover — the generator is endless

    def end_of_workdays(self, start: dt.date, n: int) -> dt.date:
        """The last day of N working days starting on ``start`` (CAL-COUNT); the next step
        may happen on the day after it."""
        return self.workdays(start, n)[-1]

    def next_workday(self, d: dt.date) -> dt.date:
        """The first working day strictly after ``d``."""
        return next(self._workdays_from(d + dt.timedelta(days=1)))


def schedule_from_json(year: int, data: Mapping[str, Any]) -> YearSchedule:
    """A ``YearSchedule`` from ``{"rest": [ISO dates], "makeup": [ISO dates]}``."""
    return YearSchedule(
        year=year,
        rest_days=frozenset(dt.date.fromisoformat(s) for s in data.get("rest", ())),
        makeup_workdays=frozenset(dt.date.fromisoformat(s) for s in data.get("makeup", ())),
    )


def calendar_from_json(data: Mapping[str, Any]) -> Calendar:
    """A ``Calendar`` from the ``holidays.json`` shape: ``{"years": {"2025": {...}}}``."""
    return Calendar(
        {int(y): schedule_from_json(int(y), sched) for y, sched in data["years"].items()}
    )


@functools.cache
def known_calendar() -> Calendar:
    """The schedules shipped with Dangwu (2004–2026), loaded once."""
    text = resources.files("dangwu.core").joinpath("data/holidays.json").read_text("utf-8")
    return calendar_from_json(json.loads(text))
