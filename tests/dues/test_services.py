"""Dues services: bases, the monthly run, payments, reversals, hand-overs, arrears."""

import datetime as dt
from decimal import Decimal

import pytest

from dangwu.core.errors import DomainError, InvalidInput, NotFound, RuleViolation
from dangwu.dues import services
from dangwu.dues.models import (
    ArrearsCase,
    AssessmentRun,
    DuesAccount,
    DuesBase,
    LedgerEntry,
    LedgerImmutable,
    Remittance,
)
from dangwu.members import services as member_services
from tests import factories
from tests.dues.conftest import NOV, run_months

TODAY = dt.date(2026, 11, 22)
pytestmark = pytest.mark.django_db


def account(person):
    return DuesAccount.objects.get(person=person)


# --- Bases -----------------------------------------------------------------------------


def test_base_set_computes_the_monthly_amount_from_the_whole_base(member):
    base = DuesBase.objects.get(person=member)
    assert (base.rate, base.rule_code, base.standard_amount, base.amount) == (
        Decimal("0.0100"),
        "DUES-EMPLOYEE",
        Decimal("45.67"),
        Decimal("45.67"),
    )
    member.refresh_from_db()
    assert member.dues_category == "employee"


def test_base_set_negative_base_is_refused_and_nothing_written(tree, worker):
    p = factories.person(tree.branch, name="王五")
    with pytest.raises(InvalidInput) as exc:
        services.base_set(
            actor=worker,
            person=p,
            effective_month=dt.date(2026, 1, 1),
            category="employee",
            base=Decimal("-1"),
            today=TODAY,
        )
    assert "负数" in exc.value.message
    assert not DuesBase.objects.filter(person=p).exists()


def test_base_change_inside_the_year_needs_a_reason(member, worker):
    with pytest.raises(RuleViolation) as exc:
        services.base_set(
            actor=worker,
            person=member,
            effective_month=dt.date(2026, 7, 1),
            category="employee",
            base=Decimal("6000"),
            today=TODAY,
        )
    assert exc.value.code == "DUES-BASE-CHANGE"
    assert DuesBase.objects.filter(person=member).count() == 1
    row = services.base_set(
        actor=worker,
        person=member,
        effective_month=dt.date(2026, 7, 1),
        category="employee",
        base=Decimal("6000"),
        change_reason="7月起工资调整（人事处通知）",
        today=TODAY,
    )
    assert row.amount == Decimal("90.00")
    assert "年内调整" in row.evidence


def test_hardship_reduction_without_approval_is_blocked(member, worker):
    with pytest.raises(RuleViolation) as exc:
        services.base_set(
            actor=worker,
            person=member,
            effective_month=dt.date(2027, 1, 1),
            category="employee",
            base=Decimal("4567"),
            reduced_amount=Decimal("0"),
            hardship_reason="重病",
            hardship_discussed_on=dt.date(2026, 11, 2),
            today=TODAY,
        )
    assert exc.value.code == "DUES-HARDSHIP"
    assert "上级党委批准" in exc.value.message


def test_exempt_member_is_not_assessed(tree, worker):
    p = factories.person(tree.branch, name="赵六")
    services.base_set(
        actor=worker,
        person=p,
        effective_month=NOV,
        category="retiree",
        base=Decimal("3000"),
        reduced_amount=Decimal("0"),
        hardship_reason="长期卧床，生活困难",
        hardship_discussed_on=dt.date(2026, 10, 20),
        hardship_approved_on=dt.date(2026, 10, 30),
        hardship_approval="校党委组织部",
        today=TODAY,
    )
    services.assessment_run(actor=worker, organization=tree.branch, month=NOV, today=TODAY)
    assert not LedgerEntry.objects.filter(person=p).exists()


def test_base_set_outside_scope_is_not_found(member, tree):
    outsider = factories.user_with_role("sib", tree.sibling)
    with pytest.raises(NotFound):
        services.base_set(
            actor=outsider,
            person=member,
            effective_month=dt.date(2027, 1, 1),
            category="student",
            today=TODAY,
        )


# --- The monthly run -------------------------------------------------------------------


def test_run_twice_adds_nothing(member, worker, tree):
    first = services.assessment_run(actor=worker, organization=tree.branch, month=NOV, today=TODAY)
    second = services.assessment_run(actor=worker, organization=tree.branch, month=NOV, today=TODAY)
    assert (first.created, first.amount) == (1, Decimal("45.67"))
    assert (second.created, second.amount) == (0, Decimal("0.00"))
    a = account(member)
    assert (a.assessed_total, a.balance, a.unpaid_months) == (
        Decimal("45.67"),
        Decimal("45.67"),
        1,
    )


def test_run_for_a_future_month_is_refused(member, worker, tree):
    with pytest.raises(InvalidInput):
        services.assessment_run(
            actor=worker, organization=tree.branch, month=dt.date(2026, 12, 1), today=TODAY
        )
    assert not AssessmentRun.objects.exists()


def test_probationary_member_owes_from_the_month_of_admission(tree, worker):
    p = factories.person(
        tree.branch, name="钱七", status="probationary", admission_date=dt.date(2026, 6, 30)
    )
    services.base_set(
        actor=worker,
        person=p,
        effective_month=dt.date(2026, 6, 1),
        category="student",
        today=TODAY,
    )
    run_months(worker, tree.branch, dt.date(2026, 5, 1), dt.date(2026, 7, 1))
    months = list(LedgerEntry.objects.filter(person=p).values_list("month", flat=True))
    assert months == [dt.date(2026, 6, 1), dt.date(2026, 7, 1)]


def test_member_who_left_is_not_assessed(member, worker, tree, admin_user):
    member_services.person_status_change(
        actor=admin_user,
        person=member,
        status="left",
        effective_on=dt.date(2026, 10, 15),
        leave_kind="withdrew",
        reason="本人申请退党",
    )
    services.assessment_run(actor=worker, organization=tree.branch, month=NOV, today=TODAY)
    assert not LedgerEntry.objects.filter(person=member).exists()


# --- Payments --------------------------------------------------------------------------


def test_payment_pays_oldest_owed_months_first(member, worker, tree):
    run_months(worker, tree.branch, dt.date(2026, 8, 1), NOV)
    result = services.payment_record(
        actor=worker,
        person=member,
        through_month=dt.date(2026, 9, 1),
        idempotency_key="k1",
        today=TODAY,
    )
    assert result.months == [dt.date(2026, 8, 1), dt.date(2026, 9, 1)]
    assert result.total == Decimal("91.34")
    a = account(member)
    assert (a.paid_through, a.unpaid_months, a.balance) == (
        dt.date(2026, 9, 1),
        2,
        Decimal("91.34"),
    )


def test_same_idempotency_key_writes_once(member, worker, tree):
    run_months(worker, tree.branch, NOV, NOV)
    first = services.payment_record(actor=worker, person=member, idempotency_key="k", today=TODAY)
    again = services.payment_record(actor=worker, person=member, idempotency_key="k", today=TODAY)
    assert again.repeated and [e.pk for e in again.entries] == [e.pk for e in first.entries]
    assert LedgerEntry.objects.filter(person=member, kind="payment").count() == 1


def test_second_collector_finds_the_month_paid(member, worker, tree):
    run_months(worker, tree.branch, NOV, NOV)
    leader = factories.user_with_role("leader", tree.group, kind="group_leader")
    services.payment_record(actor=leader, person=member, idempotency_key="a", today=TODAY)
    with pytest.raises(DomainError) as exc:
        services.payment_record(actor=worker, person=member, idempotency_key="b", today=TODAY)
    assert exc.value.code == "NOTHING_DUE"
    assert "已交至2026年11月" in exc.value.message
    assert LedgerEntry.objects.filter(person=member, kind="payment").count() == 1


def test_advance_payment_up_to_december(member, worker, tree):
    run_months(worker, tree.branch, NOV, NOV)
    result = services.payment_record(
        actor=worker,
        person=member,
        through_month=dt.date(2026, 12, 1),
        idempotency_key="adv",
        today=TODAY,
    )
    assert result.months == [NOV, dt.date(2026, 12, 1)]
    assert account(member).balance == Decimal("-45.67")
    services.assessment_run(
        actor=worker,
        organization=tree.branch,
        month=dt.date(2026, 12, 1),
        today=dt.date(2026, 12, 2),
    )
    a = account(member)
    assert (a.balance, a.unpaid_months, a.paid_through) == (
        Decimal("0.00"),
        0,
        dt.date(2026, 12, 1),
    )


def test_advance_into_next_year_is_refused(member, worker, tree):
    with pytest.raises(InvalidInput) as exc:
        services.payment_record(
            actor=worker,
            person=member,
            through_month=dt.date(2027, 1, 1),
            idempotency_key="x",
            today=TODAY,
        )
    assert "12月" in exc.value.message
    assert not LedgerEntry.objects.filter(kind="payment").exists()


def test_organization_paying_is_refused(member, worker, tree):
    run_months(worker, tree.branch, NOV, NOV)
    with pytest.raises(RuleViolation) as exc:
        services.payment_record(
            actor=worker, person=member, paid_by="organization", idempotency_key="o", today=TODAY
        )
    assert exc.value.code == "DUES-NO-ORG-PAY"
    assert not LedgerEntry.objects.filter(kind="payment").exists()


def test_back_payment_over_six_months_is_flagged(member, worker, tree):
    run_months(worker, tree.branch, dt.date(2026, 1, 1), NOV)
    result = services.payment_record(actor=worker, person=member, idempotency_key="b", today=TODAY)
    assert len(result.entries) == 11
    assert [f.code for f in result.findings] == ["DUES-MONTHLY"]


def test_group_leader_of_another_group_gets_not_found(member, tree):
    other_group = factories.org(tree.branch, "party_group", "第二党小组")
    leader = factories.user_with_role("leader2", other_group, kind="group_leader")
    with pytest.raises(NotFound):
        services.payment_record(actor=leader, person=member, idempotency_key="z", today=TODAY)


def test_member_pays_own_dues_online(member, worker, tree):
    run_months(worker, tree.branch, NOV, NOV)
    me = factories.user_with_role("me", None, person=member)
    result = services.payment_record(
        actor=me, person=member, method="online", idempotency_key="self", today=TODAY
    )
    assert result.total == Decimal("45.67")


def test_voluntary_dues_of_1000_are_flagged(member, worker):
    result = services.voluntary_record(
        actor=worker, person=member, amount=Decimal("1000"), idempotency_key="v", today=TODAY
    )
    assert [f.code for f in result.findings] == ["DUES-VOLUNTARY"]
    assert account(member).voluntary_total == Decimal("1000.00")


# --- Corrections -------------------------------------------------------------------------


def test_ledger_rows_cannot_be_edited_or_deleted(member, worker, tree):
    run_months(worker, tree.branch, NOV, NOV)
    entry = LedgerEntry.objects.get(person=member)
    entry.amount = Decimal("1.00")
    with pytest.raises(LedgerImmutable):
        entry.save()
    with pytest.raises(LedgerImmutable):
        entry.delete()


def test_reversing_a_payment_reopens_the_months(member, worker, tree):
    run_months(worker, tree.branch, dt.date(2026, 10, 1), NOV)
    paid = services.payment_record(actor=worker, person=member, idempotency_key="p", today=TODAY)
    services.entry_reverse(actor=worker, entry=paid.entries[0], reason="误登记", today=TODAY)
    a = account(member)
    assert (a.paid_total, a.balance, a.unpaid_months, a.paid_through) == (
        Decimal("0.00"),
        Decimal("91.34"),
        2,
        None,
    )
    with pytest.raises(DomainError):
        services.entry_reverse(actor=worker, entry=paid.entries[0], reason="再次", today=TODAY)
    again = services.payment_record(actor=worker, person=member, idempotency_key="p2", today=TODAY)
    assert [e.slot for e in again.entries] == [1, 1]


def test_reassess_after_a_wrong_base(member, worker, tree):
    run_months(worker, tree.branch, NOV, NOV)
    entry = LedgerEntry.objects.get(person=member)
    DuesBase.objects.filter(person=member).update(amount=Decimal("30.00"))
    services.entry_reverse(actor=worker, entry=entry, reason="基数有误", reassess=True, today=TODAY)
    assert account(member).assessed_total == Decimal("30.00")


# --- Transfers ---------------------------------------------------------------------------


def test_paid_through_travels_with_an_internal_transfer(member, worker, tree, admin_user):
    run_months(worker, tree.branch, dt.date(2026, 9, 1), dt.date(2026, 10, 1))
    services.payment_record(actor=worker, person=member, idempotency_key="t", today=TODAY)
    transfer = member_services.transfer_send(
        actor=admin_user, person=member, to_branch=tree.sibling, issued_on=TODAY
    )
    assert transfer.dues_paid_through == dt.date(2026, 10, 1)
    member_services.transfer_receive(actor=admin_user, transfer=transfer, received_on=TODAY)
    # The receiving branch runs November; the sender's later run adds nothing.
    services.assessment_run(actor=admin_user, organization=tree.sibling, month=NOV, today=TODAY)
    services.assessment_run(actor=admin_user, organization=tree.branch, month=NOV, today=TODAY)
    nov = LedgerEntry.objects.filter(person=member, month=NOV, kind="assessment")
    assert [e.branch_id for e in nov] == [tree.sibling.pk]


def test_member_from_outside_starts_after_the_letters_month(tree, admin_user):
    p = member_services.transfer_in(
        actor=admin_user,
        branch=tree.branch,
        origin="某县党委组织部",
        letter_number="外-2026-001",
        issued_on=dt.date(2026, 10, 8),
        received_on=dt.date(2026, 10, 20),
        status="full",
        dues_paid_through=dt.date(2026, 10, 1),
        name="孙八",
        sex="female",
        birth_date=dt.date(1988, 3, 3),
        admission_date=dt.date(2012, 6, 1),
        full_since=dt.date(2013, 6, 1),
        id_number=factories.id_number_for(dt.date(1988, 3, 3), "female"),
        today=TODAY,
    )
    services.base_set(
        actor=admin_user,
        person=p,
        effective_month=dt.date(2026, 10, 1),
        category="employee",
        base=Decimal("3000"),
        today=TODAY,
    )
    run_months(admin_user, tree.branch, dt.date(2026, 10, 1), NOV)
    months = list(LedgerEntry.objects.filter(person=p).values_list("month", flat=True))
    assert months == [NOV]
    assert account(p).paid_through == dt.date(2026, 10, 1)


# --- Hand-over ---------------------------------------------------------------------------


def test_remittance_covers_collections_since_the_last_one(member, worker, tree):
    run_months(worker, tree.branch, dt.date(2026, 10, 1), NOV)
    services.payment_record(
        actor=worker,
        person=member,
        through_month=dt.date(2026, 10, 1),
        idempotency_key="r1",
        today=TODAY,
    )
    first = services.remittance_record(
        actor=worker, organization=tree.branch, idempotency_key="h1", today=TODAY
    )
    services.payment_record(actor=worker, person=member, idempotency_key="r2", today=TODAY)
    second = services.remittance_record(
        actor=worker, organization=tree.branch, idempotency_key="h2", today=TODAY
    )
    assert (first.amount, second.amount, second.previous) == (
        Decimal("45.67"),
        Decimal("45.67"),
        first,
    )
    with pytest.raises(DomainError):
        services.remittance_record(
            actor=worker, organization=tree.branch, idempotency_key="h3", today=TODAY
        )
    assert Remittance.objects.count() == 2


# --- Arrears -----------------------------------------------------------------------------


def test_arrears_case_needs_six_consecutive_months(member, worker, tree):
    run_months(worker, tree.branch, dt.date(2026, 5, 1), NOV)
    # On 22 November, May–October (six months) are overdue; November is not yet.
    case = services.arrears_case_open(actor=worker, person=member, today=TODAY)
    assert (case.months, case.unpaid_from) == (6, dt.date(2026, 5, 1))
    with pytest.raises(InvalidInput) as exc:
        services.arrears_case_decide(actor=worker, case=case, resolution="justified", today=TODAY)
    assert set(exc.value.fields) == {"reason", "approved_by"}
    services.arrears_case_decide(
        actor=worker,
        case=case,
        resolution="justified",
        reason="援疆工作期间无法交纳",
        approved_by="支部委员会",
        today=TODAY,
    )
    assert ArrearsCase.objects.get().resolution == "justified"


def test_arrears_case_at_five_months_is_refused(member, worker, tree):
    run_months(worker, tree.branch, dt.date(2026, 6, 1), NOV)
    with pytest.raises(DomainError) as exc:
        services.arrears_case_open(actor=worker, person=member, today=TODAY)
    assert "5个月" in exc.value.message
    assert not ArrearsCase.objects.exists()
