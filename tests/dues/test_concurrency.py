"""Races on PostgreSQL: two collectors recording the same month, a retried request, and a
monthly run racing a payment. Each thread has its own connection and starts at a barrier;
the data is committed (transactional test), so the threads see it.
"""

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.db import connection

from dangwu.core.errors import DomainError
from dangwu.dues import services
from dangwu.dues.models import DuesAccount, LedgerEntry
from dangwu.dues.reconcile import reconcile
from tests import factories
from tests.dues.conftest import NOV

TODAY = dt.date(2026, 11, 22)
OCT = dt.date(2026, 10, 1)
pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="races need row locks (select_for_update) and concurrent writers: PostgreSQL only",
    ),
]


def race(*calls):
    """Run each call in its own thread, released together; returns (results, errors) in
    call order (``None`` where a call raised or returned nothing)."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)
    errors: list = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=10)
            results[index] = call()
        except Exception as exc:  # noqa: BLE001 - handed back to the test
            errors[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert not any(t.is_alive() for t in threads), "a thread did not finish (deadlock?)"
    return results, errors


def test_two_collectors_same_month_write_one_payment(member, worker, tree):
    # Given November assessed, and the group leader and the party worker both collecting it
    services.assessment_run(actor=worker, organization=tree.branch, month=NOV, today=TODAY)
    leader = factories.user_with_role("leader", tree.group, kind="group_leader")

    def pay(actor, key):
        return lambda: services.payment_record(
            actor=actor, person=member, idempotency_key=key, today=TODAY
        )

    # When both record it at the same moment with their own request keys
    results, errors = race(pay(leader, "leader-1"), pay(worker, "worker-1"))
    # Then exactly one payment is written; the other is told it is paid or was just recorded
    paid = [r for r in results if r is not None]
    failed = [e for e in errors if e is not None]
    assert (len(paid), len(failed)) == (1, 1)
    assert isinstance(failed[0], DomainError)
    assert failed[0].code in {"NOTHING_DUE", "DUPLICATE"}
    payments = LedgerEntry.objects.filter(person=member, kind="payment")
    assert list(payments.values_list("month", "amount")) == [(NOV, Decimal("45.67"))]
    assert payments.get().pk == paid[0].entries[0].pk
    assert reconcile(deep=True).ok


def test_same_request_twice_at_once_writes_once(member, worker, tree):
    services.assessment_run(actor=worker, organization=tree.branch, month=NOV, today=TODAY)

    def pay():
        return services.payment_record(
            actor=worker, person=member, idempotency_key="same-key", today=TODAY
        )

    results, errors = race(pay, pay)
    assert errors == [None, None]
    assert [e.pk for e in results[0].entries] == [e.pk for e in results[1].entries]
    assert sorted(r.repeated for r in results) == [False, True]
    assert LedgerEntry.objects.filter(person=member, kind="payment").count() == 1
    assert reconcile(deep=True).ok


def test_monthly_run_racing_a_payment_loses_nothing(member, worker, tree, admin_user):
    # Given October assessed and a second member in the branch
    other = factories.person(tree.branch, name="王五")
    services.base_set(
        actor=worker,
        person=other,
        effective_month=dt.date(2026, 1, 1),
        category="retiree",
        base=Decimal("6000"),
        today=TODAY,
    )
    services.assessment_run(actor=worker, organization=tree.branch, month=OCT, today=TODAY)

    # When the November run and a payment for October happen at the same moment
    def run():
        return services.assessment_run(
            actor=admin_user, organization=tree.committee, month=NOV, today=TODAY
        )

    def pay():
        return services.payment_record(
            actor=worker, person=member, through_month=OCT, idempotency_key="oct", today=TODAY
        )

    results, errors = race(run, pay)
    # Then both are in the ledger and every cached figure agrees with it
    assert errors == [None, None]
    assert results[0].created == 2
    rows = LedgerEntry.objects.filter(person=member).order_by("kind", "month")
    assert list(rows.values_list("kind", "month", "amount")) == [
        ("assessment", OCT, Decimal("45.67")),
        ("assessment", NOV, Decimal("45.67")),
        ("payment", OCT, Decimal("45.67")),
    ]
    account = DuesAccount.objects.get(person=member)
    assert (account.balance, account.unpaid_months, account.paid_through) == (
        Decimal("45.67"),
        1,
        OCT,
    )
    report = reconcile(deep=True)
    assert [d.message for d in report.differences] == []
