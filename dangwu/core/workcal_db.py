"""The working-day calendar from the ``HolidaySchedule`` table (CAL-DATA).

Services and pages use ``calendar()``; the pure rules take the ``Calendar`` it returns.
``dangwu rules …`` uses ``calendar_or_shipped()``: it needs no database, but answers with
the years an administrator entered when one is configured and reachable.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from django.core.exceptions import ImproperlyConfigured
from django.db import Error as DatabaseError
from django.db import connection
from django.db.models import Count, Max

from dangwu.core.models import HolidaySchedule
from dangwu.core.workcal import Calendar, known_calendar, schedule_from_json

# Parsed calendars by version, newest last (a few: a test run rolls the table back and forth).
_cache: OrderedDict[tuple, Calendar] = OrderedDict()
_CACHE_SIZE = 8
_lock = threading.Lock()


def _database() -> tuple:
    # Part of every version, so that a process that switches databases (the tests) never
    # reads another database's years.
    return (connection.alias, connection.settings_dict.get("NAME"))


def _version() -> tuple:
    """What identifies the table's content, in one small query.

    Every write goes through ``HolidaySchedule.save()`` (``auto_now``), so a change, an
    insert or a delete moves the row count or the latest ``updated_at``.
    """
    agg = HolidaySchedule.objects.aggregate(n=Count("pk"), latest=Max("updated_at"))
    return (*_database(), agg["n"], agg["latest"])


def _load() -> tuple[tuple, Calendar]:
    """The whole table in one query, and its version computed from the same rows."""
    rows = list(
        HolidaySchedule.objects.values_list("year", "rest_days", "makeup_workdays", "updated_at")
    )
    version = (*_database(), len(rows), max((r[3] for r in rows), default=None))
    loaded = Calendar(
        {
            year: schedule_from_json(year, {"rest": rest, "makeup": makeup})
            for year, rest, makeup, _at in rows
        }
    )
    return version, loaded


def calendar() -> Calendar:
    """Every year an administrator or the seed migration has entered.

    Cheap per request: one small aggregate query finds the parsed calendar of the table's
    current version. A version not seen yet costs a second query that reads and parses the
    table; the first call of a process reads the table instead of the aggregate.
    """
    with _lock:
        empty = not _cache
    if not empty:
        version = _version()
        with _lock:
            found = _cache.get(version)
            if found is not None:
                _cache.move_to_end(version)
                return found
    version, loaded = _load()
    with _lock:
        _cache[version] = loaded
        _cache.move_to_end(version)
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return loaded


def cache_clear() -> None:
    """Forget the parsed calendars (the next ``calendar()`` reads the table)."""
    with _lock:
        _cache.clear()


# A database that is not configured, not reachable, not migrated, or not allowed (a test
# without database access raises RuntimeError) is no database for the command line.
_NO_DATABASE = (DatabaseError, ImproperlyConfigured, RuntimeError)


def calendar_or_shipped() -> Calendar:
    """The shipped years (2004–2026) with the database's years over them.

    For ``dangwu rules``: a year in the table (entered by an administrator, or corrected)
    wins over the shipped file; without a usable database, the shipped years alone.
    """
    shipped = known_calendar()
    try:
        entered = calendar()
    except _NO_DATABASE:
        return shipped
    return Calendar({**shipped.schedules, **entered.schedules})
