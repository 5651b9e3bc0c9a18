"""The summary figures on real rows: group meetings and attendance (factories.meeting), dues
paid through the dues services, tasks and opinions through ours."""

import datetime as dt
from decimal import Decimal

import pytest

from dangwu.dues import services as dues_services
from dangwu.dues.models import EntryKind, LedgerEntry
from dangwu.groupwork import services
from dangwu.groupwork.figures import period_figures
from dangwu.meetings.periods import Period
from tests import factories
from tests.dues.conftest import run_months

TODAY = dt.date(2026, 11, 22)
OCT = Period.for_month(2026, 10)
pytestmark = pytest.mark.django_db


@pytest.fixture
def october(tree, leader, leader_person, liming, member, worker):
    """October 2026 in the first group: two group meetings held (one planned, one in another
    group, one a branch meeting — none of them count), dues paid by 张三 and reversed for
    李明, tasks and opinions."""
    g = tree.group
    factories.meeting(
        g, "group_meeting", dt.date(2026, 10, 9), present=(leader_person, member), absent=(liming,)
    )
    factories.meeting(
        g,
        "group_meeting",
        dt.date(2026, 10, 28),
        present=(leader_person,),
        on_leave=(member, liming),
    )
    factories.meeting(g, "group_meeting", dt.date(2026, 10, 30), status="planned")
    factories.meeting(g, "group_meeting", dt.date(2026, 11, 3), present=(leader_person,))
    factories.meeting(tree.branch, "general_meeting", dt.date(2026, 10, 15), present=(member,))
    other = factories.org(tree.branch, "party_group", "第二党小组")
    factories.meeting(other, "group_meeting", dt.date(2026, 10, 12), present=(member,))

    dues_services.base_set(
        actor=worker,
        person=liming,
        effective_month=dt.date(2026, 1, 1),
        category="employee",
        base=Decimal("3000.00"),
        today=dt.date(2026, 1, 5),
    )
    run_months(worker, tree.branch, dt.date(2026, 9, 1), dt.date(2026, 10, 1))
    dues_services.payment_record(
        actor=leader,
        person=member,
        through_month=dt.date(2026, 10, 1),
        paid_on=dt.date(2026, 10, 20),
        idempotency_key="k1",
        today=TODAY,
    )  # 2 × 45.67
    wrong = dues_services.payment_record(
        actor=leader,
        person=liming,
        through_month=dt.date(2026, 9, 1),
        paid_on=dt.date(2026, 10, 21),
        idempotency_key="k2",
        today=TODAY,
    )  # 15.00, then reversed
    dues_services.entry_reverse(actor=worker, entry=wrong.entries[0], reason="记错人")
    dues_services.payment_record(
        actor=leader,
        person=liming,
        through_month=dt.date(2026, 10, 1),
        paid_on=dt.date(2026, 11, 2),
        idempotency_key="k3",
        today=TODAY,
    )  # November: not in October

    due = {"assignee": liming, "today": dt.date(2026, 10, 1)}
    t1 = services.task_create(
        actor=leader, group=g, title="学习", due_on=dt.date(2026, 10, 10), **due
    )
    t2 = services.task_create(
        actor=leader, group=g, title="走访", due_on=dt.date(2026, 10, 20), **due
    )
    services.task_create(actor=leader, group=g, title="整理", due_on=dt.date(2026, 10, 31), **due)
    services.task_create(actor=leader, group=g, title="下月", due_on=dt.date(2026, 11, 5), **due)
    services.task_complete(actor=leader, task=t1, done_on=dt.date(2026, 10, 9), today=TODAY)
    services.task_complete(actor=leader, task=t2, done_on=dt.date(2026, 10, 25), today=TODAY)

    rec = {"actor": leader, "organization": g, "today": TODAY}
    a = services.opinion_record(
        from_whom="甲", content="一", received_on=dt.date(2026, 9, 28), **rec
    )
    b = services.opinion_record(
        from_whom="乙", content="二", received_on=dt.date(2026, 10, 5), **rec
    )
    services.opinion_record(from_whom="丙", content="三", received_on=dt.date(2026, 10, 6), **rec)
    services.opinion_report(actor=leader, opinion=a, reported_on=dt.date(2026, 10, 2), today=TODAY)
    services.opinion_report(actor=leader, opinion=b, reported_on=dt.date(2026, 11, 1), today=TODAY)
    services.opinion_resolve(
        actor=leader, opinion=a, follow_up="已解决", resolved_on=dt.date(2026, 10, 30), today=TODAY
    )
    return g


def test_october_figures(october):
    figures = period_figures(october, OCT)

    assert figures == {
        "period": "2026-10",
        "period_zh": "2026年10月",
        "members": 3,
        "meetings_held": 2,
        "meetings": [
            {"date": "2026-10-09", "topic": "2026年10月group_meeting"},
            {"date": "2026-10-28", "topic": "2026年10月group_meeting"},
        ],
        "attendance": {
            "expected": 6,
            "present": 3,
            "on_leave": 2,
            "absent": 1,
            "rate": "50.0",
        },
        "dues_collected": "91.34",
        "dues_payers": 1,
        "tasks": {"total": 3, "done": 2, "on_time": 1},
        "opinions": {"received": 2, "reported": 1, "resolved": 1},
    }


def test_the_reversed_payment_is_in_the_ledger_but_nets_to_nothing(october, liming):
    amounts = sorted(
        LedgerEntry.objects.filter(person=liming, kind=EntryKind.PAYMENT).values_list(
            "amount", flat=True
        )
    )

    assert amounts == [Decimal("-15.00"), Decimal("15.00"), Decimal("15.00"), Decimal("15.00")]


def test_a_quarter_and_a_year_add_up_the_months(october):
    q4 = period_figures(october, Period.for_quarter(2026, 4))
    year = period_figures(october, Period.for_year(2026))

    assert (q4["meetings_held"], q4["dues_collected"], q4["tasks"]["total"]) == (3, "121.34", 4)
    assert (year["opinions"], year["dues_collected"]) == (
        {"received": 3, "reported": 2, "resolved": 1},
        "121.34",
    )


def test_an_empty_period_has_no_rate(tree, leader):
    figures = period_figures(tree.group, Period.for_month(2025, 1))

    assert (figures["meetings_held"], figures["attendance"]["rate"], figures["dues_collected"]) == (
        0,
        None,
        "0.00",
    )


def test_the_draft_and_the_submitted_summary_carry_the_figures(october, leader):
    s = services.summary_draft(actor=leader, group=october, period="2026-10", today=TODAY)
    services.summary_submit(actor=leader, summary=s, today=TODAY)

    s.refresh_from_db()
    assert s.figures["dues_collected"] == "91.34"
    assert s.text.splitlines()[1] == (
        "召开党小组会2次，应到6人次，实到3人次，请假2人次，缺席1人次，出席率50.0%。"
    )
