"""Rebuild the rule cache of development records (next step, due date, counts) for a day.

The cache is rewritten after every write to a record; what changes with the day alone — a
deadline that passes, a quarter without a thought report — is caught by running this daily
(``dangwu worker``, ``dangwu development refresh``). It is the system's job, not a user's:
no actor, no history row (the cache columns are excluded from the record's history).
"""

from __future__ import annotations

import datetime as dt

from dangwu.core.workcal_db import calendar as db_calendar
from dangwu.development.choices import RecordState
from dangwu.development.conf import development_settings
from dangwu.development.models import DevelopmentRecord
from dangwu.development.services.common import records_refresh
from dangwu.orgs.models import Organization

CHUNK = 1000


def refresh_all(
    today: dt.date,
    org: Organization | None = None,
    *,
    include_closed: bool = False,
    chunk: int = CHUNK,
) -> int:
    """Recompute the cache of the open records (every record with ``include_closed``) of
    ``org``'s subtree, or of all organizations; returns how many. A chunk of ``chunk``
    records at a time (keyset paging by id), each a few queries and one bulk update; the
    calendar and settings are read once."""
    settings = development_settings()
    calendar = db_calendar()
    qs = DevelopmentRecord.objects.select_related("person").order_by("id")
    if org is not None:
        qs = qs.filter(branch__path__startswith=org.path)
    if not include_closed:
        qs = qs.filter(state=RecordState.OPEN)
    done, last = 0, 0
    while True:
        records = list(qs.filter(id__gt=last)[:chunk])
        if not records:
            return done
        records_refresh(records, today=today, settings=settings, calendar=calendar)
        done += len(records)
        last = records[-1].id
