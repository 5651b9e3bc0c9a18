"""Dues fixtures: a branch with members who have bases, and a party worker on it."""

import datetime as dt
from decimal import Decimal

import pytest

from dangwu.dues import services
from tests import factories

NOV = dt.date(2026, 11, 1)


@pytest.fixture
def worker(tree):
    return factories.user_with_role("worker", tree.branch)


@pytest.fixture
def member(tree, worker):
    """张三, a full member in the branch's first group, base 4567.00 → 45.67 a month from
    January 2026."""
    p = factories.person(tree.branch, name="张三", group=tree.group)
    services.base_set(
        actor=worker,
        person=p,
        effective_month=dt.date(2026, 1, 1),
        category="employee",
        base=Decimal("4567.00"),
        today=dt.date(2026, 1, 5),
    )
    return p


def run_months(actor, org, first: dt.date, last: dt.date):
    from dangwu.dues.ledger import months_between

    for m in months_between(first, last):
        services.assessment_run(actor=actor, organization=org, month=m, today=dt.date(2026, 11, 22))
