"""Attendance rates and LIFE-ABSENT-6 read in bulk from held meetings (``meetings.absence``):
the boundaries of a run of absent months, what breaks it, and the rate with leave."""

import datetime as dt
from decimal import Decimal

import pytest

from dangwu.core.findings import Severity
from dangwu.meetings.absence import (
    absence_for,
    absence_states,
    attendance_rates,
    month_attendance,
)
from dangwu.meetings.models import Attendance
from dangwu.meetings.rules import MonthAttendance
from tests import factories

TODAY = dt.date(2026, 11, 22)
GM = "general_meeting"
pytestmark = pytest.mark.django_db


@pytest.fixture
def p(tree):
    return factories.person(tree.branch, name="赵六", group=tree.group)


def absent_in(org, person, *months, year=2026):
    for m in months:
        factories.meeting(org, GM, dt.date(year, m, 10), absent=(person,))


def run_of(person):
    return absence_states([person.pk], today=TODAY)[person.pk]


@pytest.mark.parametrize(
    ("months", "count", "severity"),
    [
        pytest.param((9, 10), 2, None, id="2个月：不提示"),
        pytest.param((8, 9, 10), 3, Severity.WARNING, id="3个月：警示"),
        pytest.param((6, 7, 8, 9, 10), 5, Severity.WARNING, id="5个月：警示"),
        pytest.param((5, 6, 7, 8, 9, 10), 6, Severity.ERROR, id="6个月：按自行脱党处置"),
    ],
)
def test_consecutive_absent_months_boundaries(tree, p, months, count, severity):
    absent_in(tree.branch, p, *months)

    state = run_of(p)

    assert state.run.months == count
    assert [f.severity for f in state.findings] == ([severity] if severity else [])


def test_six_months_finding_names_the_run_and_the_person(tree, p):
    absent_in(tree.branch, p, 5, 6, 7, 8, 9, 10)

    [finding] = absence_for([p.pk], today=TODAY)[p.pk]

    assert finding.code == "LIFE-ABSENT-6"
    assert finding.subject == f"person:{p.pk}"
    assert finding.data["from"] == "2026-05"
    assert finding.data["months"] == 6
    assert finding.due == dt.date(2026, 10, 31)
    assert finding.message.startswith("2026年5月至2026年10月已连续6个月未参加党的组织生活")


def test_an_approved_leave_breaks_the_run(tree, p):
    absent_in(tree.branch, p, 5, 6, 7, 9, 10)
    factories.meeting(tree.branch, GM, dt.date(2026, 8, 10), on_leave=(p,))

    assert run_of(p).run.months == 2


def test_an_approved_leave_with_no_status_recorded_still_excuses(tree, p):
    absent_in(tree.branch, p, 6, 7, 8, 10)
    m = factories.meeting(tree.branch, GM, dt.date(2026, 9, 10))
    Attendance.objects.create(meeting=m, person=p, leave_state="approved", leave_reason="出差")

    assert run_of(p).run.months == 1


@pytest.mark.parametrize(
    ("status", "leave_state"),
    [
        pytest.param("absent", "refused", id="请假未批准"),
        pytest.param("", "requested", id="请假未答复"),
        pytest.param("", "", id="未登记出席情况"),
    ],
)
def test_a_refused_unanswered_or_unrecorded_leave_counts_as_absent(tree, p, status, leave_state):
    absent_in(tree.branch, p, 5, 6, 7, 9, 10)
    m = factories.meeting(tree.branch, GM, dt.date(2026, 8, 10))
    Attendance.objects.create(meeting=m, person=p, status=status, leave_state=leave_state)

    state = run_of(p)

    assert state.run.months == 6
    assert state.is_error


def test_a_present_month_breaks_the_run(tree, p):
    absent_in(tree.branch, p, 4, 5, 6, 8, 9, 10)
    factories.meeting(tree.branch, GM, dt.date(2026, 7, 10), present=(p,))

    assert run_of(p).run.months == 3


def test_present_at_one_meeting_of_a_month_makes_the_month_present(tree, p):
    absent_in(tree.branch, p, 5, 6, 7, 8, 9, 10)
    factories.meeting(tree.group, "group_meeting", dt.date(2026, 10, 20), present=(p,))

    assert run_of(p).run.months == 0


def test_a_month_without_a_meeting_breaks_the_run(tree, p):
    absent_in(tree.branch, p, 4, 5, 6, 7, 9, 10)  # nothing held in August

    assert run_of(p).run.months == 2


def test_the_current_month_does_not_count(tree, p):
    absent_in(tree.branch, p, 6, 7, 8, 9, 10)
    factories.meeting(tree.branch, GM, dt.date(2026, 11, 5), absent=(p,))

    state = run_of(p)

    assert state.run.months == 5
    assert [f.severity for f in state.findings] == [Severity.WARNING]


def test_planned_meetings_and_guest_rows_count_for_nothing(tree, p):
    absent_in(tree.branch, p, 5, 6, 8, 9, 10)
    factories.meeting(tree.branch, GM, dt.date(2026, 7, 10), status="planned", absent=(p,))
    guest = factories.meeting(tree.sibling, GM, dt.date(2026, 7, 12))
    Attendance.objects.create(meeting=guest, person=p, expected=False, status="absent")

    assert run_of(p).run.months == 3


def test_a_run_longer_than_the_window_is_counted_in_full(tree, p, django_assert_num_queries):
    for year, months in ((2023, range(11, 13)), (2024, range(1, 13)), (2025, range(1, 13))):
        absent_in(tree.branch, p, *months, year=year)
    absent_in(tree.branch, p, *range(1, 11))

    with django_assert_num_queries(2):
        state = run_of(p)

    assert state.run.months == 36
    assert state.findings[0].data["from"] == "2023-11"


def test_absence_for_many_people_is_one_query(tree, django_assert_num_queries):
    people = [factories.person(tree.branch, name=f"党员{i}") for i in range(30)]
    factories.meeting(tree.branch, GM, dt.date(2026, 10, 10), absent=people[:20])
    absent_in(tree.branch, people[0], 5, 6, 7, 8, 9)

    with django_assert_num_queries(1):
        found = absence_for([x.pk for x in people], today=TODAY)

    assert len(found) == 30
    assert [f.severity for f in found[people[0].pk]] == [Severity.ERROR]
    assert found[people[1].pk] == []
    assert found[people[25].pk] == []


def test_month_attendance_folds_each_month_and_stops_at_the_window(tree, p):
    absent_in(tree.branch, p, 10, year=2025)
    factories.meeting(tree.branch, GM, dt.date(2026, 3, 10), absent=(p,))
    factories.meeting(tree.group, "group_meeting", dt.date(2026, 3, 20), on_leave=(p,))
    factories.meeting(tree.branch, GM, dt.date(2026, 4, 10), present=(p,))

    months = month_attendance([p.pk], today=TODAY, months=12)[p.pk]

    assert months == [
        MonthAttendance(2026, 3, "on_leave"),
        MonthAttendance(2026, 4, "present"),
    ]


# --- attendance rate ---------------------------------------------------------------------------


def test_rate_leaves_approved_leave_out_of_the_base(tree, p):
    factories.meeting(tree.branch, GM, dt.date(2026, 2, 10), present=(p,))
    factories.meeting(tree.branch, GM, dt.date(2026, 5, 10), present=(p,))
    factories.meeting(tree.branch, GM, dt.date(2026, 8, 10), on_leave=(p,))
    factories.meeting(tree.branch, GM, dt.date(2026, 9, 10), absent=(p,))
    factories.meeting(tree.branch, GM, dt.date(2025, 9, 10), absent=(p,))  # another year
    factories.meeting(tree.branch, GM, dt.date(2026, 12, 10), absent=(p,))  # after today

    rates = attendance_rates([p.pk], year=2026, today=TODAY)

    assert rates == {p.pk: Decimal("0.6667")}


def test_rate_is_none_with_nothing_to_attend_or_everything_excused(tree, p):
    other = factories.person(tree.branch, name="钱七")
    factories.meeting(tree.branch, GM, dt.date(2026, 3, 10), on_leave=(other,))

    rates = attendance_rates([p.pk, other.pk], year=2026, today=TODAY)

    assert rates == {p.pk: None, other.pk: None}


def test_rates_for_many_people_is_one_query(tree, django_assert_num_queries):
    people = [factories.person(tree.branch, name=f"党员{i}") for i in range(20)]
    factories.meeting(
        tree.branch, GM, dt.date(2026, 3, 10), present=people[:10], absent=people[10:]
    )

    with django_assert_num_queries(1):
        rates = attendance_rates([x.pk for x in people], year=2026, today=TODAY)

    assert rates[people[0].pk] == Decimal("1.0000")
    assert rates[people[15].pk] == Decimal("0.0000")
