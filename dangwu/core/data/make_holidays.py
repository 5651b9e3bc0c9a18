"""Regenerate ``holidays.json`` (CAL-DATA) — a maintenance script, not used at runtime.

The shipped schedules were generated once from the PyPI package ``chinesecalendar``
(version 1.11.0), which transcribes the State Council's yearly holiday notices::

    .venv/bin/pip install chinesecalendar
    .venv/bin/python dangwu/core/data/make_holidays.py > dangwu/core/data/holidays.json

For each year: ``rest`` = every day of the official holidays (weekend days inside a
holiday included), ``makeup`` = the Saturdays and Sundays that are working days (调休上班).
Years 2024–2026 are checked against DOMAIN.md §11 by ``tests/core/test_workcal.py``.
A new year's schedule is added by hand (or by re-running this script) from the notice.
"""

from __future__ import annotations

import json
import sys

FIRST_YEAR = 2004
LAST_YEAR = 2026


def build() -> dict:
    from chinese_calendar import constants  # only needed when regenerating

    years: dict[str, dict[str, list[str]]] = {}
    for year in range(FIRST_YEAR, LAST_YEAR + 1):
        rest = sorted(d for d in constants.holidays if d.year == year)
        makeup = sorted(d for d in constants.workdays if d.year == year)
        if any(d.weekday() < 5 for d in makeup):
            raise SystemExit(f"{year}: a makeup workday is not a weekend day")
        years[str(year)] = {
            "rest": [d.isoformat() for d in rest],
            "makeup": [d.isoformat() for d in makeup],
        }
    return {
        "source": "国务院办公厅关于部分节假日安排的通知（逐年）；由 chinesecalendar 1.11.0 生成",
        "years": years,
    }


if __name__ == "__main__":
    json.dump(build(), sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")
