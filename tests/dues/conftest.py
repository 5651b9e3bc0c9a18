"""Dues test helpers (the ``worker`` and ``member`` fixtures are in tests/conftest.py)."""

import datetime as dt

from dangwu.dues import services

NOV = dt.date(2026, 11, 1)


def run_months(actor, org, first: dt.date, last: dt.date):
    from dangwu.dues.ledger import months_between

    for m in months_between(first, last):
        services.assessment_run(actor=actor, organization=org, month=m, today=dt.date(2026, 11, 22))
