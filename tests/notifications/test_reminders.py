"""``reminders_run``: what is due, for whom, exactly once; e-mail only when configured;
a constant number of queries whatever the size of the tree."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dangwu.meetings.models import Attendance
from dangwu.notifications import services
from dangwu.notifications.models import Notification
from tests import factories
from tests.notifications.conftest import DAY

pytestmark = pytest.mark.django_db


def sent(kind=None):
    """(user name, key) of every notification, sorted (ids differ between databases)."""
    qs = Notification.objects.all()
    if kind:
        qs = qs.filter(kind=kind)
    return sorted((n.user.username, n.key) for n in qs.select_related("user"))


def test_meeting_due_goes_to_the_life_roles_on_the_organization_and_the_one_above(tree, people):
    # given nothing held in 2026; when the job runs on 25 November
    services.reminders_run(today=DAY)
    # then each missing meeting whose period ends within 7 days, or ended recently, is told
    # to the roles on its organization and the one above — the group's also to its leader;
    # the committee's worker two levels up reads the compliance table instead
    b, g, s = tree.branch.pk, tree.group.pk, tree.sibling.pk
    assert sent("meeting_due") == sorted(
        [
            ("leader", f"meeting_due:{g}:LIFE-GROUP-M:2026-10"),
            ("leader", f"meeting_due:{g}:LIFE-GROUP-M:2026-11"),
            ("sib", f"meeting_due:{s}:LIFE-THEME-DAY:2026-10"),
            ("sib", f"meeting_due:{s}:LIFE-THEME-DAY:2026-11"),
            ("worker", f"meeting_due:{g}:LIFE-GROUP-M:2026-10"),
            ("worker", f"meeting_due:{g}:LIFE-GROUP-M:2026-11"),
            ("worker", f"meeting_due:{b}:LIFE-THEME-DAY:2026-10"),
            ("worker", f"meeting_due:{b}:LIFE-THEME-DAY:2026-11"),
        ]
    )
    n = Notification.objects.get(user=people.worker, key__endswith="LIFE-THEME-DAY:2026-11")
    assert n.title == "本科生第一党支部：2026年11月主题党日（2026年11月30日前）"
    assert n.body.startswith("2026年11月尚未开展主题党日，本月到2026年11月30日结束。")
    assert n.due == dt.date(2026, 11, 30)
    assert n.url == f"/meetings/orgs/{tree.branch.pk}/calendar/?month=2026-11"
    late = Notification.objects.get(user=people.worker, key__endswith="LIFE-THEME-DAY:2026-10")
    assert late.title == "本科生第一党支部：2026年10月主题党日（已逾期）"


def test_a_meeting_held_in_the_period_is_not_reminded(tree, people):
    # given the branch held its November theme day and the group its November meeting
    factories.meeting(tree.branch, "theme_day", dt.date(2026, 11, 3))
    factories.meeting(tree.group, "group_meeting", dt.date(2026, 11, 4), minutes="已记录")
    services.reminders_run(today=DAY)
    keys = {k for u, k in sent("meeting_due") if u == "worker"}
    assert keys == {
        f"meeting_due:{tree.group.pk}:LIFE-GROUP-M:2026-10",
        f"meeting_due:{tree.branch.pk}:LIFE-THEME-DAY:2026-10",
    }


def test_a_second_run_creates_nothing(tree, people):
    first = services.reminders_run(today=DAY)
    count = Notification.objects.count()
    again = services.reminders_run(today=DAY)
    assert first["created"] == count == 8
    assert again["candidates"] == first["candidates"] == 8
    assert again["created"] == 0
    assert Notification.objects.count() == 8


def test_a_read_notification_is_not_created_again(tree, people):
    services.reminders_run(today=DAY)
    Notification.objects.filter(user=people.worker).update(read_at=timezone.now())
    services.reminders_run(today=DAY)
    assert Notification.objects.filter(user=people.worker, read_at__isnull=True).count() == 0


def test_minutes_missing_three_days_after_the_meeting(tree, people):
    # given three held meetings: 5 days ago without minutes, 2 days ago without, and one with
    late = factories.meeting(tree.branch, "general_meeting", dt.date(2026, 11, 20), topic="学习")
    factories.meeting(tree.branch, "committee_meeting", dt.date(2026, 11, 23))
    factories.meeting(tree.branch, "party_lecture", dt.date(2026, 11, 10), minutes="已记录")
    factories.meeting(tree.sibling, "theme_day", dt.date(2026, 11, 1), status="cancelled")
    services.reminders_run(today=DAY)
    assert sent("minutes_missing") == [
        ("worker", f"minutes_missing:{late.pk}"),
    ]
    n = Notification.objects.get(user=people.worker, kind="minutes_missing")
    assert n.title == "本科生第一党支部：2026年11月20日的支部党员大会尚未填写会议记录"
    assert n.url == f"/meetings/{late.pk}/minutes/"


def test_leave_waiting_goes_to_life_roles_of_the_meeting(tree, people):
    m = factories.meeting(tree.group, "group_meeting", dt.date(2026, 11, 28), status="planned")
    asked = timezone.make_aware(dt.datetime(2026, 11, 24, 9, 0))
    Attendance.objects.create(
        meeting=m,
        person=people.person,
        leave_state="requested",
        leave_reason="出差",
        leave_requested_at=asked,
    )
    services.reminders_run(today=DAY)
    key = f"leave_requested:{Attendance.objects.get().pk}:{int(asked.timestamp())}"
    assert sent("leave_requested") == [("leader", key), ("worker", key)]  # sorted
    n = Notification.objects.get(user=people.leader, kind="leave_requested")
    assert n.title == "王芳申请请假：2026年11月28日党小组会"
    assert n.body == "第一党小组“2026年11月group_meeting”，请假事由：出差。"


def test_a_decided_leave_is_not_reminded(tree, people):
    m = factories.meeting(tree.branch, "general_meeting", dt.date(2026, 11, 28), status="planned")
    Attendance.objects.create(meeting=m, person=people.person, leave_state="refused")
    services.reminders_run(today=DAY)
    assert sent("leave_requested") == []


def test_upcoming_meeting_for_those_expected_with_a_login(tree, people):
    # given planned meetings in 2 days (王芳 expected), in 3 days, and one she is excused from
    soon = factories.meeting(
        tree.branch,
        "general_meeting",
        dt.date(2026, 11, 27),
        status="planned",
        topic="学习全会精神",
        place="会议室",
        starts_at=dt.time(14, 30),
    )
    later = factories.meeting(tree.branch, "theme_day", dt.date(2026, 11, 28), status="planned")
    excused = factories.meeting(
        tree.group, "group_meeting", dt.date(2026, 11, 26), status="planned"
    )
    other = factories.person(tree.branch, name="赵六")  # expected, but has no login
    Attendance.objects.bulk_create(
        [
            Attendance(meeting=soon, person=people.person),
            Attendance(meeting=soon, person=other),
            Attendance(meeting=later, person=people.person),
            Attendance(
                meeting=excused, person=people.person, leave_state="approved", leave_reason="病"
            ),
        ]
    )
    services.reminders_run(today=DAY)
    assert sent("meeting_upcoming") == [("wangfang", f"meeting_upcoming:{soon.pk}:2026-11-27")]
    n = Notification.objects.get(kind="meeting_upcoming")
    assert n.title == "2026年11月27日 14:30本科生第一党支部支部党员大会"
    assert n.body == "会议主题：学习全会精神。地点：会议室。"
    assert n.due == dt.date(2026, 11, 27)


def test_a_meeting_moved_to_another_day_is_announced_again(tree, people):
    m = factories.meeting(tree.branch, "theme_day", dt.date(2026, 11, 26), status="planned")
    Attendance.objects.create(meeting=m, person=people.person)
    services.reminders_run(today=DAY)
    m.date = dt.date(2026, 11, 27)
    m.save()
    services.reminders_run(today=DAY)
    assert sent("meeting_upcoming") == [
        ("wangfang", f"meeting_upcoming:{m.pk}:2026-11-26"),
        ("wangfang", f"meeting_upcoming:{m.pk}:2026-11-27"),
    ]


def test_inactive_users_and_a_dissolved_branch_get_nothing(tree, people):
    people.sib.is_active = False
    people.sib.save()
    services.reminders_run(today=DAY)
    assert [k for u, k in sent() if u == "sib"] == []


# --- e-mail --------------------------------------------------------------------------------


def _with_email(settings, **reminders):
    settings.DANGWU = {**settings.DANGWU, "REMINDERS": reminders}


def test_no_email_unless_configured(tree, people, mailoutbox, settings):
    people.worker.email = "worker@example.org"
    people.worker.save()
    assert not services.email_enabled()  # tests use the locmem backend
    result = services.reminders_run(today=DAY)
    assert result["emailed"] == 0
    assert mailoutbox == []
    assert not Notification.objects.filter(emailed_at__isnull=False).exists()


def test_email_for_new_notifications_to_users_with_an_address(tree, people, mailoutbox, settings):
    _with_email(settings, email=True, base_url="https://dangwu.example.edu.cn/")
    people.worker.email = "worker@example.org"
    people.worker.save()
    result = services.reminders_run(today=DAY)
    assert result["emailed"] == 4
    assert sorted(m.subject for m in mailoutbox) == [
        "【党务提醒】本科生第一党支部：2026年10月主题党日（已逾期）",
        "【党务提醒】本科生第一党支部：2026年11月主题党日（2026年11月30日前）",
        "【党务提醒】第一党小组：2026年10月党小组会（已逾期）",
        "【党务提醒】第一党小组：2026年11月党小组会（2026年11月30日前）",
    ]
    assert {tuple(m.to) for m in mailoutbox} == {("worker@example.org",)}
    [late] = [m for m in mailoutbox if m.subject.endswith("2026年10月党小组会（已逾期）")]
    assert late.body == (
        "2026年10月党小组“第一党小组”未召开党小组会。"
        "每个党小组每月至少召开1次党小组会，由党小组长召集并主持。\n\n"
        f"https://dangwu.example.edu.cn/meetings/orgs/{tree.group.pk}/calendar/?month=2026-10"
    )
    emailed = Notification.objects.filter(emailed_at__isnull=False)
    assert {n.user_id for n in emailed} == {people.worker.pk}
    assert emailed.count() == 4
    # a second run sends nothing again
    assert services.reminders_run(today=DAY)["emailed"] == 0
    assert len(mailoutbox) == 4


def test_smtp_backend_turns_email_on(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    assert services.email_enabled()


def test_a_failed_send_releases_the_claim(tree, people, mailoutbox, settings, monkeypatch):
    _with_email(settings, email=True)
    people.worker.email = "worker@example.org"
    people.worker.save()

    def broken(*args, **kwargs):
        raise OSError("SMTP server unreachable")

    monkeypatch.setattr(services, "send_mass_mail", broken)
    assert services.reminders_run(today=DAY)["emailed"] == 0
    assert not Notification.objects.filter(emailed_at__isnull=False).exists()


# --- cost ----------------------------------------------------------------------------------


def _queries(today):
    """Reads of one run (the insert is batched: its count follows the rows, 1 per 1000)."""
    with CaptureQueriesContext(connection) as ctx:
        services.reminders_run(today=today)
    return sum(1 for q in ctx.captured_queries if not q["sql"].startswith("INSERT"))


def test_queries_do_not_grow_with_the_tree(tree, people):
    # given a run on the small tree
    small = _queries(DAY)
    # when the tree has many more branches, groups, roles and meetings
    for i in range(6):
        b = factories.org(tree.college, "branch", f"支部{i}")
        g = factories.org(b, "party_group", f"小组{i}")
        factories.user_with_role(f"w{i}", b)
        factories.user_with_role(f"l{i}", g, kind="group_leader")
        factories.meeting(b, "general_meeting", dt.date(2026, 11, 20))
        m = factories.meeting(b, "theme_day", dt.date(2026, 11, 27), status="planned")
        Attendance.objects.create(meeting=m, person=people.person, leave_state="requested")
    Notification.objects.all().delete()
    # then the same number of queries
    assert _queries(DAY) == small == 13


def test_january_reminds_of_december_quarter_and_year(tree, people):
    services.reminders_run(today=dt.date(2027, 1, 20))
    keys = {k for u, k in sent("meeting_due") if u == "worker"}
    b = tree.branch.pk
    assert f"meeting_due:{b}:LIFE-GENERAL-Q:2026-Q4" in keys
    assert f"meeting_due:{b}:LIFE-ORG-LIFE:2026" in keys
    assert f"meeting_due:{b}:LIFE-THEME-DAY:2026-12" in keys
    assert f"meeting_due:{b}:LIFE-THEME-DAY:2026-11" not in keys  # ended > 45 days ago


def test_a_branch_nobody_is_told_about_is_not_computed(tree, people, monkeypatch):
    # given roles only on the sibling branch
    for user in (people.worker, people.leader, people.anc):
        user.roles.all().delete()
    seen = []
    real = services._compliance

    def spy(branches, **kwargs):
        seen.extend(b.name for b in branches)
        return real(branches, **kwargs)

    monkeypatch.setattr(services, "_compliance", spy)
    services.reminders_run(today=DAY)
    assert seen == ["教工党支部"]
    assert {u for u, _ in sent()} == {"sib"}


def test_a_group_leader_alone_is_enough_to_compute_the_branch(tree, people):
    for user in (people.worker, people.anc, people.sib):
        user.roles.all().delete()
    services.reminders_run(today=DAY)
    assert sent() == [
        ("leader", f"meeting_due:{tree.group.pk}:LIFE-GROUP-M:2026-10"),
        ("leader", f"meeting_due:{tree.group.pk}:LIFE-GROUP-M:2026-11"),
    ]


def test_a_meeting_still_planned_days_after_its_date_has_its_minutes_missing(tree, people):
    # A meeting is "held" once its minutes are recorded: still "planned" 5 days later is
    # the usual case of missing minutes.
    late = factories.meeting(
        tree.branch, "theme_day", dt.date(2026, 11, 20), topic="志愿服务", status="planned"
    )
    factories.meeting(tree.branch, "theme_day", dt.date(2026, 11, 24), status="planned")
    services.reminders_run(today=DAY)
    assert sent("minutes_missing") == [("worker", f"minutes_missing:{late.pk}")]


def test_development_step_due_goes_to_the_develop_roles_of_the_branch_and_the_one_above(
    tree, people
):
    # given an applicant whose talk is due by 2026-11-30 (one month after 2026-10-30), one
    # whose talk was due long ago (past the look-back), and one held by the sibling branch
    secretary = factories.user_with_role("sec", tree.branch, kind="secretary")
    soon = factories.person(tree.branch, name="周新", status="applicant")
    factories.development(soon, {"steps": {"application": {"date": "2026-10-30"}}}, today=DAY)
    old = factories.person(tree.branch, name="吴旧", status="applicant")
    factories.development(old, {"steps": {"application": {"date": "2026-01-05"}}}, today=DAY)
    far = factories.person(tree.sibling, name="郑远", status="applicant")
    factories.development(far, {"steps": {"application": {"date": "2026-10-28"}}}, today=DAY)

    services.reminders_run(today=DAY)

    key_soon = f"development_due:{soon.development.pk}:党组织派人谈话:2026-11-30"
    key_far = f"development_due:{far.development.pk}:党组织派人谈话:2026-11-28"
    assert sent("development_due") == sorted(
        [
            ("sec", key_soon),
            ("sib", key_far),
            ("worker", key_soon),
        ]
    )
    n = Notification.objects.get(user=secretary, kind="development_due")
    assert n.title == "本科生第一党支部：周新 党组织派人谈话（2026年11月30日前）"
    assert n.url == f"/development/person/{soon.pk}/"
    assert n.due == dt.date(2026, 11, 30)

    services.reminders_run(today=DAY)
    assert Notification.objects.filter(kind="development_due").count() == 3
