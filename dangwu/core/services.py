"""Writes of the shared kernel: a year's holiday schedule (CAL-DATA).

The State Council publishes each year's holidays late in the year before; an administrator
(a superuser) enters them here, and every working-day deadline reads them through
``workcal_db.calendar()``. Entering a year is audited (the model's history).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable

from django.db import IntegrityError, transaction

from dangwu.core.audit import as_actor
from dangwu.core.errors import InvalidInput, NotFound
from dangwu.core.models import HolidaySchedule
from dangwu.core.scope import scope_for
from dangwu.core.workcal import SATURDAY, YearSchedule

FIRST_YEAR, LAST_YEAR = 1949, 2200  # the table's check constraint
SOURCE_MAX = HolidaySchedule._meta.get_field("source").max_length
RANGE_MAX_DAYS = 366
WEEKDAY_NAMES = ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日")

# --- the administrator's textarea: dates and ranges --------------------------------------

_SEPARATORS = re.compile(r"[\s,;、]+")
_RANGE_MARKS = "至到~–—"
_AROUND_RANGE_MARK = re.compile(rf"\s*([{_RANGE_MARKS}])\s*")
_RANGE = re.compile(rf"([^{_RANGE_MARKS}]+)[{_RANGE_MARKS}]([^{_RANGE_MARKS}]+)")
_FULL_DATE = re.compile(r"(\d{4})(?:[-/.]|年)(\d{1,2})(?:[-/.]|月)(\d{1,2})日?", re.ASCII)
_MONTH_DAY = re.compile(r"(\d{1,2})(?:[-/.]|月)(\d{1,2})日?", re.ASCII)


def _one_date(text: str, year: int | None) -> dt.date | None:
    """``2027-02-06``, ``2027/2/6``, ``2027.2.6``, ``2027年2月6日``; with ``year`` also
    ``2/6``, ``2-6``, ``2月6日``. ``None`` if unreadable (or not a real day)."""
    if m := _FULL_DATE.fullmatch(text):
        y, month, day = (int(g) for g in m.groups())
    elif year is not None and (m := _MONTH_DAY.fullmatch(text)):
        y, month, day = year, int(m.group(1)), int(m.group(2))
    else:
        return None
    try:
        return dt.date(y, month, day)
    except ValueError:
        return None


def parse_day_list(text: str, *, year: int | None = None, field: str = "days") -> list[dt.date]:
    """The days written in an administrator's textarea, sorted, without repeats.

    One date or range per line, or separated by commas, semicolons or 、; a range is
    ``2027-02-06至2027-02-12`` (or with ``~``, ``到``, ``–``, ``—``). Full-width digits
    and punctuation are read as their ASCII forms. Any unreadable token refuses the whole
    text with ``InvalidInput`` naming every bad token under ``field``.
    """
    text = _AROUND_RANGE_MARK.sub(r"\1", unicodedata.normalize("NFKC", text or ""))
    days: set[dt.date] = set()
    errors: list[str] = []
    for token in filter(None, _SEPARATORS.split(text)):
        if m := _RANGE.fullmatch(token):
            first, last = _one_date(m.group(1), year), _one_date(m.group(2), year)
            if first is None or last is None:
                errors.append(_unreadable(token))
            elif last < first:
                errors.append(f"“{token}”的结束日期早于开始日期。")
            elif (last - first).days >= RANGE_MAX_DAYS:
                errors.append(f"“{token}”超过{RANGE_MAX_DAYS}天，请检查日期。")
            else:
                days.update(first + dt.timedelta(days=i) for i in range((last - first).days + 1))
        elif (day := _one_date(token, year)) is not None:
            days.add(day)
        else:
            errors.append(_unreadable(token))
    if errors:
        raise InvalidInput(
            errors[0] if len(errors) == 1 else "；".join(errors), fields={field: errors}
        )
    return sorted(days)


def _unreadable(token: str) -> str:
    return (
        f"无法识别“{token}”：日期应写作2027-02-06或2027/2/6，一段日期写作2027-02-06至2027-02-12。"
    )


def format_day_list(days: Iterable[dt.date]) -> str:
    """The inverse of ``parse_day_list``: one line per run of consecutive days."""
    lines: list[str] = []
    run: list[dt.date] = []
    for day in sorted(set(days)):
        if run and day - run[-1] != dt.timedelta(days=1):
            lines.append(_run_text(run))
            run = []
        run.append(day)
    if run:
        lines.append(_run_text(run))
    return "\n".join(lines)


def _run_text(run: list[dt.date]) -> str:
    if len(run) == 1:
        return run[0].isoformat()
    return f"{run[0].isoformat()}至{run[-1].isoformat()}"


# --- checking and saving a year --------------------------------------------------------------


def holiday_schedule_check(
    *, year: int, rest_days: Iterable[dt.date], makeup_workdays: Iterable[dt.date]
) -> YearSchedule:
    """A ``YearSchedule`` for ``year``, or ``InvalidInput`` naming every impossible date.

    CAL-WORKDAY needs: every date inside ``year``; at least one rest day (every year has
    New Year's Day); makeup workdays (调休上班) only on Saturdays and Sundays — a weekday
    is a working day anyway; no day both resting and working.
    """
    rest, makeup = sorted(set(rest_days)), sorted(set(makeup_workdays))
    if not FIRST_YEAR <= year <= LAST_YEAR:
        message = f"年份应在{FIRST_YEAR}至{LAST_YEAR}之间，收到：{year}。"
        raise InvalidInput(message, fields={"year": [message]})
    errors: dict[str, list[str]] = {"rest_days": [], "makeup_workdays": []}
    if not rest:
        errors["rest_days"].append(f"请填写{year}年的放假日期（至少有元旦）。")
    for name, days in (("rest_days", rest), ("makeup_workdays", makeup)):
        errors[name] += [f"{d.isoformat()}不在{year}年内。" for d in days if d.year != year]
    errors["makeup_workdays"] += [
        f"调休上班日{d.isoformat()}是{WEEKDAY_NAMES[d.weekday()]}，应为星期六或星期日。"
        for d in makeup
        if d.year == year and d.weekday() < SATURDAY
    ]
    rest_set = set(rest)
    errors["makeup_workdays"] += [
        f"{d.isoformat()}既是放假日期又是调休上班日期。" for d in makeup if d in rest_set
    ]
    errors = {k: v for k, v in errors.items() if v}
    if errors:
        messages = [m for ms in errors.values() for m in ms]
        raise InvalidInput("；".join(messages), fields=errors)
    return YearSchedule(year=year, rest_days=frozenset(rest), makeup_workdays=frozenset(makeup))


@transaction.atomic
def holiday_schedule_save(
    *,
    actor,
    year: int,
    rest_days: Iterable[dt.date],
    makeup_workdays: Iterable[dt.date],
    source: str = "",
) -> HolidaySchedule:
    """Enter or correct one year's holiday schedule (CAL-DATA). Superusers only.

    Every working-day deadline of that year follows from it at once (the calendar cache
    notices the change). The row's history records who changed what.
    """
    if not scope_for(actor).is_superuser:
        raise NotFound()
    schedule = holiday_schedule_check(
        year=year, rest_days=rest_days, makeup_workdays=makeup_workdays
    )
    source = (source or "").strip()
    if len(source) > SOURCE_MAX:
        message = f"依据（通知文号）不能超过{SOURCE_MAX}个字，现有{len(source)}个字。"
        raise InvalidInput(message, fields={"source": [message]})
    values = {
        "rest_days": [d.isoformat() for d in sorted(schedule.rest_days)],
        "makeup_workdays": [d.isoformat() for d in sorted(schedule.makeup_workdays)],
        "source": source,
        "updated_by": actor,
    }
    row = HolidaySchedule.objects.select_for_update().filter(year=year).first()
    if row is None:
        try:
            with transaction.atomic():  # a racing first entry of the year hits the unique year
                return _write(HolidaySchedule(year=year), values, actor)
        except IntegrityError:
            row = HolidaySchedule.objects.select_for_update().get(year=year)
    return _write(row, values, actor)


def _write(row: HolidaySchedule, values: dict, actor) -> HolidaySchedule:
    for name, value in values.items():
        setattr(row, name, value)
    as_actor(row, actor)
    row.full_clean(validate_unique=False)  # the unique year is the database's to enforce
    row.save()
    return row
