"""The calendar page: a month of an organization's meetings (and its groups') with the
deadlines of the LIFE-* rules; the permission matrix; bad months; cost."""

import datetime as dt

import pytest
from django.urls import reverse

from tests import factories
from tests.members.test_views import assert_status, login

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 22)
MATRIX = [
    ("anonymous", 302),
    ("no_role", 404),
    ("sibling", 404),
    ("own_org", 200),
    ("ancestor", 200),
]


@pytest.fixture(autouse=True)
def frozen(monkeypatch):
    monkeypatch.setattr("dangwu.meetings.views_calendar.today", lambda: TODAY)
    monkeypatch.setattr("dangwu.meetings.views_files.today", lambda: TODAY)


@pytest.fixture
def november(tree):
    """The branch's November: a theme day planned (not yet held), a general meeting
    cancelled, the group's meeting held; the sibling branch's meeting is elsewhere."""
    return {
        "theme": factories.meeting(
            tree.branch,
            "theme_day",
            dt.date(2026, 11, 26),
            status="planned",
            topic="参观红色教育基地",
            starts_at=dt.time(14, 30),
        ),
        "cancelled": factories.meeting(
            tree.branch,
            "general_meeting",
            dt.date(2026, 11, 12),
            status="cancelled",
            topic="取消的大会",
        ),
        "group": factories.meeting(
            tree.group, "group_meeting", dt.date(2026, 11, 10), topic="学习党章"
        ),
        "elsewhere": factories.meeting(
            tree.sibling, "theme_day", dt.date(2026, 11, 5), topic="别的支部"
        ),
    }


def calendar(client, org, month=None):
    params = {"month": month} if month else {}
    return client.get(reverse("meetings:calendar", args=[org.pk]), params)


def days(response):
    """{day of month: ([meeting topics], [(deadline title, overdue)])} for days with items."""
    out = {}
    for week in response.context["weeks"]:
        for day in week:
            if day.in_month and not day.is_empty:
                out[day.date.day] = (
                    [m.topic for m in day.meetings],
                    [(d.title, d.overdue) for d in day.deadlines],
                )
    return out


@pytest.mark.parametrize(("who", "expected"), MATRIX)
def test_calendar_permission_matrix(client, tree, viewers, who, expected):
    response = calendar(login(client, viewers, who), tree.branch, "2026-11")
    assert_status(response, expected)


def test_a_group_leader_sees_the_group_calendar_not_the_branch(client, tree):
    leader = factories.user_with_role("leader", tree.group, kind="group_leader")
    client.force_login(leader)
    assert calendar(client, tree.group).status_code == 200
    assert calendar(client, tree.branch).status_code == 404


def test_a_general_branch_has_no_calendar(client, tree, admin_user):
    client.force_login(admin_user)
    assert calendar(client, tree.college).status_code == 404


def test_november_meetings_and_deadlines(client, tree, worker, november):
    client.force_login(worker)
    response = calendar(client, tree.branch, "2026-11")
    assert response.status_code == 200
    # the branch's and its group's meetings (the cancelled one too, struck out); the theme
    # day is only planned, so November's theme day is still due on the 30th
    assert days(response) == {
        10: (["学习党章"], []),
        12: (["取消的大会"], []),
        26: (["参观红色教育基地"], []),
        30: ([], [("2026年11月主题党日", False)]),
    }
    assert response.context["meeting_count"] == 3
    assert response.context["deadline_count"] == 1
    page = response.content.decode()
    assert "别的支部" not in page
    assert "本月会议 3 次，截止事项 1 项" in page
    assert '<span class="cal-time">14:30</span>' in page
    assert "11月30日 周一" in page  # the phone list names the day


def test_a_past_month_shows_what_was_missed(client, tree, worker, november):
    client.force_login(worker)
    response = calendar(client, tree.branch, "2026-10")
    assert days(response) == {
        31: (
            [],
            [("2026年10月党小组会（第一党小组）", True), ("2026年10月主题党日", True)],
        ),
    }
    assert response.context["overdue_count"] == 2
    page = response.content.decode()
    assert "逾期 2 项" in page
    # each deadline links to planning the missing meeting, the group's in the group
    create = reverse("meetings:create", args=[tree.group.pk])
    assert f'<a class="cal-plan" href="{create}?kind=group_meeting">安排</a>' in page
    create = reverse("meetings:create", args=[tree.branch.pk])
    assert f'<a class="cal-plan" href="{create}?kind=theme_day">安排</a>' in page


def test_a_coming_month_shows_its_deadlines(client, tree, worker):
    client.force_login(worker)
    response = calendar(client, tree.branch, "2026-12")
    assert days(response) == {
        31: (
            [],
            [
                ("2026年第四季度支部党员大会", False),
                ("2026年12月党小组会（第一党小组）", False),
                ("2026年第四季度党课", False),
                ("2026年度书记讲党课", False),
                ("2026年12月主题党日", False),
                ("2026年度组织生活会", False),
                ("2026年度民主评议党员", False),
            ],
        ),
    }


def test_the_group_calendar_shows_the_groups_own_deadlines(client, tree, admin_user, november):
    client.force_login(admin_user)
    response = calendar(client, tree.group, "2026-10")
    assert days(response) == {31: ([], [("2026年10月党小组会（第一党小组）", True)])}
    response = calendar(client, tree.group, "2026-11")
    assert days(response) == {10: (["学习党章"], [])}


def test_without_month_the_current_month(client, tree, worker):
    client.force_login(worker)
    response = calendar(client, tree.branch)
    assert response.context["month"] == dt.date(2026, 11, 1)
    assert response.context["previous"] == dt.date(2026, 10, 1)
    assert response.context["next"] == dt.date(2026, 12, 1)


@pytest.mark.parametrize(
    ("month", "message"),
    [
        ("十一月", "月份应写作“年-月”，如2026-11，收到：十一月。"),
        ("2026-13", "月份应写作“年-月”，如2026-11，收到：2026-13。"),
        ("1999-12", "月份应在2000年至2027年之间，收到：1999-12。"),
    ],
)
def test_a_bad_month_is_400_in_chinese(client, tree, worker, month, message):
    client.force_login(worker)
    response = calendar(client, tree.branch, month)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_bad_month_outside_scope_is_still_404(client, tree, viewers):
    assert calendar(login(client, viewers, "sibling"), tree.branch, "bad").status_code == 404


def test_calendar_queries_do_not_grow_with_meetings(
    client, tree, worker, django_assert_max_num_queries
):
    for day in range(1, 29):
        factories.meeting(tree.branch, "study_session", dt.date(2026, 11, day))
        factories.meeting(tree.group, "group_meeting", dt.date(2026, 11, day))
    client.force_login(worker)
    with django_assert_max_num_queries(11):  # 10, and 1 for the menu badge
        response = calendar(client, tree.branch, "2026-11")
    assert response.context["meeting_count"] == 56
