"""The cache of the rules on a ``DevelopmentRecord`` (next step, due date, counts)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db import connection, transaction

from dangwu.core.findings import Severity
from dangwu.core.workcal import Calendar
from dangwu.core.workcal_db import calendar as db_calendar
from dangwu.development.conf import development_settings
from dangwu.development.context import DevelopmentSettings
from dangwu.development.models import DevelopmentRecord
from dangwu.development.rules import check_timeline, next_deadlines, parse_timeline
from dangwu.development.selectors import timelines_data
from dangwu.development.steps import STEP_INDEX, STEPS

CACHE_FIELDS = (
    "last_step",
    "last_date",
    "next_step",
    "next_label",
    "earliest_on",
    "due_on",
    "error_count",
    "warning_count",
    "checked_on",
)


def apply_cache(
    record: DevelopmentRecord,
    data: dict,
    *,
    today: dt.date,
    settings: DevelopmentSettings,
    calendar: Calendar,
) -> None:
    """Set the cache columns of ``record`` from its timeline JSON (no query)."""
    t = parse_timeline(data)
    findings = check_timeline(t, today=today, settings=settings, calendar=calendar)
    record.error_count = min(sum(f.severity == Severity.ERROR for f in findings), 32767)
    record.warning_count = min(sum(f.severity == Severity.WARNING for f in findings), 32767)
    recorded = list(t.records)
    last = max(recorded, key=STEP_INDEX.__getitem__, default="")
    record.last_step = last
    record.last_date = max((e.last for e in t.records[last]), default=None) if last else None
    after = STEP_INDEX[last] if last else -1
    nxt = next(
        (s for s in STEPS[after + 1 :] if not s.optional and not t.has(s.key)),
        None,
    )
    record.next_step = nxt.key if nxt and not t.has("archiving") else ""
    deadlines = [
        d
        for d in next_deadlines(t, today=today, settings=settings, calendar=calendar)
        if d.step != "thought_reports"
    ]
    dated = [d for d in deadlines if d.latest is not None]
    first = min(dated, key=lambda d: d.latest, default=None)
    record.due_on = first.latest if first else None
    mine = next((d for d in deadlines if d.step == record.next_step), None)
    record.earliest_on = mine.earliest if mine else None
    label = first.label if first else (mine.label if mine else "")
    if not label and nxt is not None and record.next_step:
        label = nxt.name
    record.next_label = label[:100]
    record.checked_on = today


def records_refresh(
    records: Sequence[DevelopmentRecord],
    *,
    today: dt.date,
    settings: DevelopmentSettings | None = None,
    calendar: Calendar | None = None,
) -> None:
    """Recompute and save the cache of ``records`` (``person`` loaded): a few queries and
    one bulk update per call; callers pass chunks of a few thousand."""
    settings = settings or development_settings()
    calendar = calendar or db_calendar()
    data = timelines_data(list(records))
    for r in records:
        apply_cache(r, data[r.id], today=today, settings=settings, calendar=calendar)
    with transaction.atomic(), connection.cursor() as cursor:
        # One UPDATE a row: bulk_update builds a CASE per column, ~100× slower here.
        table = connection.ops.quote_name(DevelopmentRecord._meta.db_table)
        sets = ", ".join(f"{connection.ops.quote_name(f)} = %s" for f in CACHE_FIELDS)
        cursor.executemany(
            f"UPDATE {table} SET {sets} WHERE id = %s",  # noqa: S608 — names from the model
            [[getattr(r, f) for f in CACHE_FIELDS] + [r.pk] for r in records],
        )


def record_refresh(record: DevelopmentRecord, *, today: dt.date) -> None:
    """Recompute and save the cache of one record (after every write to it)."""
    records_refresh([record], today=today)
