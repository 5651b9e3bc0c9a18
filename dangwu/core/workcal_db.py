"""The working-day calendar from the ``HolidaySchedule`` table (CAL-DATA).

Services and pages use ``calendar()``; the pure rules take the ``Calendar`` it returns.
"""

from __future__ import annotations

from dangwu.core.models import HolidaySchedule
from dangwu.core.workcal import Calendar, schedule_from_json


def calendar() -> Calendar:
    """Every year an administrator or the seed migration has entered (one query)."""
    rows = HolidaySchedule.objects.values_list("year", "rest_days", "makeup_workdays")
    return Calendar(
        {
            year: schedule_from_json(year, {"rest": rest, "makeup": makeup})
            for year, rest, makeup in rows
        }
    )
