"""The demo's year of dues: the ledger reconciles, every member is assessed for the months
they owe, and the designed payments, arrears and corrections are there.

Built once for the module like tests/core/test_demo.py, inside a transaction rolled back
at the end.
"""

import datetime as dt
from collections import Counter, defaultdict
from decimal import Decimal

import pytest
from django.db import transaction

from dangwu.accounts.models import Role, User
from dangwu.core.demo import ROOT_CODE, build_demo
from dangwu.core.demo_dues import DESIGNED_ARREARS
from dangwu.dues.ledger import Line, arrears_as_of, month_start, months_between, summarize
from dangwu.dues.models import (
    ArrearsCase,
    DuesAccount,
    DuesBase,
    LedgerEntry,
    Remittance,
)
from dangwu.dues.reconcile import reconcile
from dangwu.dues.services import consecutive_arrears
from dangwu.members.models import Person
from dangwu.orgs.models import Organization

TODAY = dt.date(2026, 11, 22)
DEC_2025, NOV = dt.date(2025, 12, 1), dt.date(2026, 11, 1)
MONTHS = months_between(DEC_2025, NOV)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        result = build_demo(today=TODAY)  # builds the year of dues at its end
        yield result
        transaction.set_rollback(True)


@pytest.fixture
def members(demo, db):
    root = Organization.objects.get(code=ROOT_CODE)
    return list(
        Person.objects.filter(
            branch__path__startswith=root.path,
            is_active=True,
            status__in=["probationary", "full"],
        )
    )


def lines_by_person() -> dict[int, list[Line]]:
    out = defaultdict(list)
    for person_id, kind, month, amount in LedgerEntry.objects.values_list(
        "person_id", "kind", "month", "amount"
    ):
        out[person_id].append(Line(kind, month, amount))
    return out


def arrears(members) -> dict[int, int]:
    """Consecutive overdue months on TODAY (quarterly payers: overdue after the quarter)."""
    lines = lines_by_person()
    consent = dict(DuesAccount.objects.values_list("person_id", "quarterly_consent_on"))
    return {
        p.pk: consecutive_arrears(
            summarize(lines[p.pk]),
            arrears_as_of(TODAY, quarterly=consent.get(p.pk) is not None),
        )
        for p in members
    }


def test_the_ledger_reconciles_deeply(members):
    report = reconcile(deep=True)
    assert [d.message for d in report.differences] == []
    exempt = DuesBase.objects.filter(amount=0, effective_month=dt.date(2026, 1, 1)).count()
    assert exempt == 1
    assert report.checked["accounts"] == report.checked["people"] == len(members)
    assert report.checked["reversals"] == 1
    assert report.checked["remittances"] == Remittance.objects.count() > 0


def test_every_member_is_assessed_for_each_month_they_owe(members):
    # Given each member's bases and admission month
    bases = defaultdict(list)
    for person_id, month, amount in DuesBase.objects.values_list(
        "person_id", "effective_month", "amount"
    ):
        bases[person_id].append((month, amount))
    assessed = defaultdict(set)
    for person_id, month in LedgerEntry.objects.filter(kind="assessment").values_list(
        "person_id", "month"
    ):
        assessed[person_id].add(month)
    # Then the months assessed are exactly those from admission on with an amount due
    for p in members:
        owed = {
            m
            for m in MONTHS
            if m >= month_start(p.admission_date)
            and max(b for b in bases[p.pk] if b[0] <= m)[1] > 0
        }
        assert assessed[p.pk] == owed, p.name
    full_year = [p for p in members if month_start(p.admission_date) <= DEC_2025]
    # everyone on the roll all year has twelve months, except the one exempt from January
    assert sum(1 for p in full_year if len(assessed[p.pk]) == 12) == len(full_year) - 1
    later = [p for p in members if month_start(p.admission_date) > DEC_2025]
    assert later and all(len(assessed[p.pk]) < 12 for p in later)


def test_bases_follow_the_rules_with_band_edges_and_approved_hardship(members):
    employee = DuesBase.objects.filter(category="employee", effective_month=dt.date(2026, 1, 1))
    edges = dict(
        employee.filter(base__in=[3000, 5000, 10000]).values_list("base", "standard_amount")
    )
    assert edges == {
        Decimal("3000.00"): Decimal("15.00"),
        Decimal("5000.00"): Decimal("50.00"),
        Decimal("10000.00"): Decimal("150.00"),
    }
    wages = list(employee.values_list("base", flat=True))
    assert min(wages) == Decimal("3000.00")
    assert Decimal("10000") < max(wages) <= Decimal("15000")
    assert set(DuesBase.objects.filter(category="student").values_list("amount", flat=True)) == {
        Decimal("0.20")
    }
    reduced = DuesBase.objects.exclude(hardship_reason="")
    assert sorted(reduced.values_list("amount", flat=True)) == [Decimal("0.00"), Decimal("5.00")]
    assert all(b.hardship_approved_on and b.hardship_approval for b in reduced)


def test_designed_arrears_on_today(members):
    # Given the ledger on 22 November (October is the last overdue month)
    months = arrears(members)
    # Then exactly the designed members are behind, by exactly the designed months
    behind = Counter(m for m in months.values() if m)
    assert behind == Counter(m for m, _ in DESIGNED_ARREARS)
    assert sum(1 for m in months.values() if m >= 3) == 8
    assert sum(1 for m in months.values() if m >= 6) == 3


def test_the_group_leaders_group_has_arrears_and_an_open_case(members):
    group = Role.objects.get(user__username="xiaozu").organization
    months = arrears(members)
    mine = sorted(months[p.pk] for p in members if p.group_id == group.pk and months[p.pk])
    assert mine == [3, 4, 7]
    cases = {
        c.resolution: (c.months, c.person.group_id, c.unpaid_from)
        for c in ArrearsCase.objects.select_related("person")
    }
    assert cases["open"] == (7, group.pk, dt.date(2026, 4, 1))
    assert cases["justified"][0] >= 6
    assert set(cases) == {"open", "justified"}
    # the leader recorded his group's payments
    recorded = LedgerEntry.objects.filter(kind="payment", person__group=group)
    assert "xiaozu" in set(recorded.values_list("recorded_by__username", flat=True))


def test_the_member_login_shows_a_back_payment_a_correction_and_voluntary_dues(demo, db):
    person = User.objects.get(username="dangyuan").person
    entries = LedgerEntry.objects.filter(person=person).exclude(kind="assessment")
    back = Counter(entries.filter(kind="payment").values_list("batch", flat=True))
    assert max(back.values()) == 4  # March–June paid in June
    reversal = entries.get(reverses__isnull=False)
    assert (reversal.month, reversal.amount < 0) == (NOV, True)
    assert reversal.reverses.method == "cash"
    assert entries.get(kind="payment", month=NOV, slot=1).method == "bank_transfer"
    assert entries.get(kind="voluntary").amount == Decimal("200.00")
    account = DuesAccount.objects.get(person=person)
    assert (account.paid_through, account.unpaid_months, account.balance) == (NOV, 0, 0)


def test_one_voluntary_payment_of_1000_is_flagged_in_a_hand_over(demo, db):
    big = LedgerEntry.objects.filter(kind="voluntary", amount__gte=1000)
    assert list(big.values_list("amount", "person__branch__code")) == [
        (Decimal("1000.00"), "HBLG-LTX")
    ]
    (remittance,) = Remittance.objects.filter(voluntary_remit_amount__gt=0)
    assert (remittance.organization.code, remittance.voluntary_remit_amount) == (
        "HBLG-LTX",
        Decimal("1000.00"),
    )
    assert remittance.handed_on == dt.date(2026, 7, 10)


def test_payment_patterns(members):
    accounts = DuesAccount.objects.filter(person__in=members)
    quarterly = accounts.filter(quarterly_consent_on__isnull=False)
    assert quarterly.count() > 5
    assert set(quarterly.values_list("paid_through", flat=True)) == {dt.date(2026, 9, 1)}
    ahead = accounts.filter(paid_through=dt.date(2026, 12, 1))
    assert ahead.count() > 5
    assert all(a.balance < 0 for a in ahead)
    on_time = accounts.filter(paid_through=NOV).count()
    assert on_time > len(members) // 2
    methods = set(LedgerEntry.objects.filter(kind="payment").values_list("method", flat=True))
    assert methods == {"cash", "online", "bank_transfer", ""}  # "" on the reversal


def test_every_branch_hands_over_each_quarter(demo, db):
    handed = Counter(Remittance.objects.values_list("handed_on", flat=True))
    branches = Organization.objects.filter(kind="branch").count()
    assert set(handed) == {
        dt.date(2026, 1, 10),
        dt.date(2026, 4, 10),
        dt.date(2026, 7, 10),
        dt.date(2026, 10, 10),
    }
    assert set(handed.values()) == {branches}
    first = Remittance.objects.filter(previous__isnull=True)
    assert set(first.values_list("from_entry_id", flat=True)) == {0}
