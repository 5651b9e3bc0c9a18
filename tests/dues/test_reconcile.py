"""Reconcile: the ledger proves every reported figure, and a tampered figure is named."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.management import call_command

from dangwu.dues import services
from dangwu.dues.models import DuesAccount, LedgerEntry, Remittance
from dangwu.dues.reconcile import reconcile
from tests import factories
from tests.dues.conftest import NOV, run_months

TODAY = dt.date(2026, 11, 22)
SEP, OCT = dt.date(2026, 9, 1), dt.date(2026, 10, 1)
ZHANG = "张三（本科生第一党支部）"
pytestmark = pytest.mark.django_db


@pytest.fixture
def other(member, worker, tree, admin_user):
    """张三 assessed September–November, a payment for September–October reversed and
    recorded again, 50 yuan voluntary, one hand-over by the branch; 李四 (retiree, 60.00 a
    month) in the sibling branch, assessed and unpaid."""
    li = factories.person(tree.sibling, name="李四")
    services.base_set(
        actor=admin_user,
        person=li,
        effective_month=dt.date(2026, 1, 1),
        category="retiree",
        base=Decimal("6000"),
        today=TODAY,
    )
    run_months(admin_user, tree.committee, SEP, NOV)
    wrong = services.payment_record(
        actor=worker, person=member, through_month=OCT, idempotency_key="p1", today=TODAY
    )
    services.entry_reverse(actor=worker, entry=wrong.entries[0], reason="误登记", today=TODAY)
    services.payment_record(
        actor=worker, person=member, through_month=OCT, idempotency_key="p2", today=TODAY
    )
    services.voluntary_record(
        actor=worker, person=member, amount=Decimal("50"), idempotency_key="v1", today=TODAY
    )
    services.remittance_record(
        actor=worker, organization=tree.branch, idempotency_key="h1", today=TODAY
    )
    return li


def test_consistent_ledger_is_ok(other, member):
    # Given the ledger written by the services
    # When reconciled deeply
    report = reconcile(deep=True)
    # Then everything agrees, and every kind of record was looked at
    assert [d.message for d in report.differences] == []
    assert report.ok
    # 6 assessments, 2 payments, their 2 reversals, 2 payments again, 1 voluntary
    assert report.checked == {
        "accounts": 2,
        "entries": 13,
        "reversals": 2,
        "remittances": 1,
        "people": 2,
    }
    assert report.summary() == (
        "全部党组织党费对账：核对党费账户2个，台账记录13条，冲销记录2条，上缴记录1条，"
        "逐人重算2人，全部与台账一致。"
    )
    a = DuesAccount.objects.get(person=member)
    assert (a.paid_through, a.unpaid_months, a.balance) == (OCT, 1, Decimal("45.67"))


def test_subtree_checks_only_its_people(other, tree):
    report = reconcile(tree.sibling, deep=True)
    assert report.ok
    assert report.checked == {
        "accounts": 1,
        "entries": 3,
        "reversals": 0,
        "remittances": 0,
        "people": 1,
    }


def test_tampered_balance_names_the_person_and_field(other, member):
    # Given a cached balance changed behind the ledger's back
    DuesAccount.objects.filter(person=member).update(balance=Decimal("0.00"))
    # When reconciled
    report = reconcile()
    # Then exactly that field is named, with both values
    assert not report.ok
    assert [d.message for d in report.differences] == [
        f"{ZHANG}：欠缴余额记为0.00元，台账为45.67元。"
    ]
    d = report.differences[0]
    assert (d.subject, d.field, d.cached, d.ledger) == (
        f"person:{member.pk}",
        "balance",
        "0.00元",
        "45.67元",
    )


def test_tampered_balance_outside_the_subtree_is_not_reported(other, member, tree):
    DuesAccount.objects.filter(person=member).update(balance=Decimal("0.00"))
    assert reconcile(tree.sibling).ok
    assert not reconcile(tree.college).ok


def test_tampered_paid_through_is_found_only_by_deep(other, member):
    DuesAccount.objects.filter(person=member).update(paid_through=NOV, unpaid_months=0)
    assert reconcile().ok
    report = reconcile(deep=True)
    assert [d.message for d in report.differences] == [
        f"{ZHANG}：未交月数记为0个月，台账为1个月。",
        f"{ZHANG}：党费交至记为2026年11月，台账为2026年10月。",
    ]


def test_ledger_without_account_is_named(other):
    DuesAccount.objects.filter(person=other).delete()
    report = reconcile(deep=True)
    assert [d.message for d in report.differences] == [
        "李四（教工党支部）：党费账户记为无，台账为应缴180.00元、实缴0.00元、自愿多交0.00元。"
    ]


def test_tampered_remittance_amount_is_named(other, tree):
    remittance = Remittance.objects.get()
    Remittance.objects.filter(pk=remittance.pk).update(amount=Decimal("100.00"))
    report = reconcile(tree.college)
    assert [d.message for d in report.differences] == [
        f"本科生第一党支部2026-11-22的党费上缴（#{remittance.pk}）："
        "上缴金额记为100.00元，台账为141.34元。"
    ]
    assert report.differences[0].subject == f"remittance:{remittance.pk}"
    assert reconcile(tree.sibling).ok


def test_broken_remittance_chain_is_named(other, member, worker, tree):
    services.payment_record(actor=worker, person=member, idempotency_key="p3", today=TODAY)
    second = services.remittance_record(
        actor=worker, organization=tree.branch, idempotency_key="h2", today=TODAY
    )
    assert reconcile().ok
    # The second hand-over starts one line late: the November payment falls out of it.
    Remittance.objects.filter(pk=second.pk).update(from_entry_id=second.from_entry_id + 1)
    report = reconcile()
    assert [(d.subject, d.field, d.cached, d.ledger) for d in report.differences] == [
        (f"remittance:{second.pk}", "amount", "45.67元", "0.00元"),
        (
            f"remittance:{second.pk}",
            "from_entry_id",
            str(second.from_entry_id + 1),
            f"{second.from_entry_id}（上一次上缴的截止记录号）",
        ),
    ]


def test_reversal_of_the_wrong_amount_is_named(other, member):
    # Given a reversal written past the services with the wrong amount
    payment = LedgerEntry.objects.get(person=member, kind="payment", month=OCT, slot=1)
    (bad,) = LedgerEntry.objects.bulk_create(
        [
            LedgerEntry(
                idempotency_key="bad-reversal",
                person=member,
                branch_id=member.branch_id,
                kind="payment",
                month=OCT,
                slot=1,
                amount=Decimal("-1.00"),
                reverses=payment,
                recorded_at=payment.recorded_at,
            )
        ]
    )
    # When reconciled
    report = reconcile()
    # Then the reversal is named, and so are the account figures it no longer matches
    assert [(d.subject, d.field) for d in report.differences] == [
        (f"person:{member.pk}", "paid_total"),
        (f"person:{member.pk}", "balance"),
        (f"entry:{bad.pk}", "reversal_amount"),
    ]
    assert report.differences[2].message == (
        f"{ZHANG}：冲销金额记为-1.00元（记录#{bad.pk}），"
        f"台账为-45.67元（被冲销记录#{payment.pk}金额的相反数）。"
    )


# --- the command ------------------------------------------------------------------------


def test_command_ok_exits_zero_with_a_summary(other):
    out = io.StringIO()
    call_command("dues", "reconcile", "--deep", stdout=out)
    assert out.getvalue().startswith("全部党组织党费对账：核对党费账户2个")
    assert "全部与台账一致" in out.getvalue()


def test_command_for_an_org_code(other, tree):
    out = io.StringIO()
    call_command("dues", "reconcile", "--org", tree.sibling.code, stdout=out)
    assert out.getvalue().startswith("教工党支部党费对账：核对党费账户1个")


def test_command_difference_exits_one_with_a_line_each(other, member):
    DuesAccount.objects.filter(person=member).update(paid_total=Decimal("1.00"))
    DuesAccount.objects.filter(person=other).update(assessed_total=Decimal("0.00"))
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(SystemExit) as exc:
        call_command("dues", "reconcile", stdout=out, stderr=err)
    assert exc.value.code == 1
    assert out.getvalue().splitlines() == [
        f"{ZHANG}：累计实缴记为1.00元，台账为91.34元。",
        "李四（教工党支部）：累计应缴记为0.00元，台账为180.00元。",
    ]
    assert "发现2处不一致" in err.getvalue()


def test_command_unknown_org_exits_two(other):
    err = io.StringIO()
    with pytest.raises(SystemExit) as exc:
        call_command("dues", "reconcile", "--org", "NOPE", stderr=err)
    assert exc.value.code == 2
    assert err.getvalue().strip() == "未找到编码为“NOPE”的党组织。"


def test_command_assess_runs_each_root_as_the_administrator(member, admin_user, tree):
    out = io.StringIO()
    call_command("dues", "assess", "--month", "2026-10", stdout=out)
    assert out.getvalue().strip().startswith("某大学党委2026年10月应缴党费：新增1条，金额45.67元")
    again = io.StringIO()
    call_command("dues", "assess", "--month", "2026-10", "--org", tree.branch.code, stdout=again)
    assert "新增0条，金额0.00元" in again.getvalue()
    assert LedgerEntry.objects.filter(person=member).count() == 1


def test_command_assess_bad_month_exits_two(member, admin_user):
    err = io.StringIO()
    with pytest.raises(SystemExit) as exc:
        call_command("dues", "assess", "--month", "11/2026", stderr=err)
    assert exc.value.code == 2
    assert "月份格式应为" in err.getvalue()
    assert not LedgerEntry.objects.exists()
