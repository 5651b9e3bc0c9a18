"""Dues selectors: the collection sheet, a member's dues, summaries, arrears."""

import datetime as dt
from decimal import Decimal

import pytest

from dangwu.core.errors import NotFound
from dangwu.core.scope import scope_for
from dangwu.dues import selectors, services
from tests import factories
from tests.dues.conftest import NOV, run_months

TODAY = dt.date(2026, 11, 22)
pytestmark = pytest.mark.django_db


@pytest.fixture
def branch_year(tree, worker, member):
    """张三 paid through August; 李梅 paid everything; 王强 has no base."""
    li = factories.person(tree.branch, name="李梅", group=tree.group, sex="female")
    services.base_set(
        actor=worker,
        person=li,
        effective_month=dt.date(2026, 1, 1),
        category="student",
        today=TODAY,
    )
    factories.person(tree.branch, name="王强", group=tree.group)
    run_months(worker, tree.branch, dt.date(2026, 1, 1), NOV)
    services.payment_record(
        actor=worker,
        person=member,
        through_month=dt.date(2026, 8, 1),
        idempotency_key="z1",
        today=TODAY,
    )
    services.payment_record(actor=worker, person=li, idempotency_key="l1", today=TODAY)
    return li


def test_collection_sheet_for_the_group(
    tree, worker, member, branch_year, django_assert_max_num_queries
):
    leader = factories.user_with_role("leader", tree.group, kind="group_leader")
    with django_assert_max_num_queries(8):
        sheet = selectors.collection_sheet(scope_for(leader), tree.group.pk, month=NOV, today=TODAY)
    rows = {r.person.name: r for r in sheet.rows}
    assert [r.person.name for r in sheet.rows] == ["李梅", "王强", "张三"]
    zhang = rows["张三"]
    assert (zhang.state, zhang.arrears_months, zhang.due_total) == (
        "unpaid",
        2,
        Decimal("137.01"),
    )
    assert rows["李梅"].state == "paid"
    assert rows["王强"].state == "no_base"
    assert (sheet.assessed, sheet.collected) == (Decimal("45.87"), Decimal("0.20"))


def test_collection_sheet_outside_scope_is_not_found(tree, member):
    outsider = factories.user_with_role("sib", tree.sibling)
    with pytest.raises(NotFound):
        selectors.collection_sheet(scope_for(outsider), tree.group.pk, month=NOV, today=TODAY)


def test_org_summary_by_month(tree, worker, member, branch_year):
    s = selectors.org_summary(scope_for(worker), tree.branch.pk, year=2026, today=TODAY)
    nov = s.months[10]
    assert (nov.assessed_count, nov.assessed, nov.paid_count, nov.paid) == (
        2,
        Decimal("45.87"),
        1,
        Decimal("0.20"),
    )
    assert s.months[7].rate == Decimal("100.0")
    assert s.total.assessed == Decimal("45.67") * 11 + Decimal("0.20") * 11
    assert s.pending == Decimal("45.67") * 8 + Decimal("0.20") * 11


def test_arrears_list_and_person_dues(tree, worker, member, branch_year):
    rows = selectors.arrears_list(scope_for(worker), tree.branch.pk, today=TODAY)
    assert rows == []  # 张三 is two months behind (September, October)
    pd = selectors.person_dues(scope_for(worker), member.pk, today=TODAY)
    assert (pd.paid_through, pd.arrears_months, len(pd.due_now)) == (dt.date(2026, 8, 1), 2, 3)
