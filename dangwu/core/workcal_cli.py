"""``dangwu rules workdays`` and ``dangwu rules is-workday`` (CAL-WORKDAY, CAL-COUNT).

Registered in ``rules_cli._subcommands``. The calendar is the shipped years with the years
an administrator entered over them when a database is configured and reachable
(``workcal_db.calendar_or_shipped``). A year without a loaded schedule (CAL-DATA) is
unreadable input: exit 2 with ``{"error": "未载入…年节假日安排，无法计算工作日。"}``.
"""

from __future__ import annotations

import argparse
from typing import Any

from dangwu.core import rules_cli
from dangwu.core.workcal import Calendar, CalendarDataMissing


def _calendar() -> Calendar:
    # Imported here: the models need Django's app registry, the parser does not.
    from dangwu.core.workcal_db import calendar_or_shipped

    return calendar_or_shipped()


def _workdays(args: argparse.Namespace) -> tuple[dict[str, Any], int]:
    try:
        count = int(args.count)
    except ValueError:
        count = 0
    if count < 1:
        raise rules_cli.UsageError(f"工作日数应为不小于1的整数，实际为{args.count}。")
    try:
        days = _calendar().workdays(args.start, count)
    except CalendarDataMissing as exc:
        raise rules_cli.UsageError(exc.message) from exc
    payload = {
        "start": args.start.isoformat(),
        "count": count,
        "end": days[-1].isoformat(),
        "days": [d.isoformat() for d in days],
    }
    return payload, 0


def _is_workday(args: argparse.Namespace) -> tuple[dict[str, Any], int]:
    try:
        workday = _calendar().is_workday(args.date)
    except CalendarDataMissing as exc:
        raise rules_cli.UsageError(exc.message) from exc
    return {"date": args.date.isoformat(), "workday": workday}, 0


def add_workdays(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "workdays",
        help="从某日起数N个工作日（起始日是工作日的计入）：输出每个工作日和最后一天",
    )
    p.add_argument(
        "--start", type=rules_cli._date_arg, required=True, help="起始日期（YYYY-MM-DD）"
    )
    p.add_argument("--count", required=True, help="工作日数N（至少为1）")
    p.set_defaults(handler=_workdays)


def add_is_workday(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("is-workday", help="某日是否为工作日（按国务院当年节假日安排）")
    p.add_argument("date", type=rules_cli._date_arg, help="日期（YYYY-MM-DD）")
    p.set_defaults(handler=_is_workday)
