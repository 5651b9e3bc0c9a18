"""A meeting's notice reaches the inbox of everyone expected who has a login, once per
notice; e-mail follows when mail is configured."""

import datetime as dt

import pytest

from dangwu.meetings.models import Attendance
from dangwu.meetings.services import attendance as attendance_services
from dangwu.meetings.services import meetings as meeting_services
from dangwu.meetings.services.meetings import MeetingFields
from dangwu.notifications.models import Notification
from tests import factories
from tests.notifications.test_reminders import _with_email

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 22)


@pytest.fixture
def planned(tree, people):
    other = factories.person(tree.branch, name="李明")  # expected, but no login
    factories.user_with_role("absent", None, person=factories.person(tree.sibling, name="钱七"))
    m = meeting_services.meeting_create(
        actor=people.worker,
        organization=tree.branch,
        fields=MeetingFields(
            kind="general_meeting",
            topic="学习党的二十届四中全会精神",
            date=dt.date(2026, 11, 27),
            starts_at=dt.time(14, 30),
        ),
        today=TODAY,
    )
    assert set(m.attendance.values_list("person__name", flat=True)) == {"王芳", other.name}
    return m


def notices():
    return sorted(
        (n.user.username, n.title, n.body)
        for n in Notification.objects.filter(kind="meeting_notice").select_related("user")
    )


def test_the_notice_goes_to_each_expected_member_with_a_login(tree, people, planned):
    meeting_services.meeting_notice(actor=people.worker, meeting=planned, notice="请准时参加。")

    assert notices() == [("wangfang", "会议通知：2026年11月27日 14:30支部党员大会", "请准时参加。")]
    n = Notification.objects.get(kind="meeting_notice")
    assert n.url == f"/meetings/{planned.pk}/"
    assert n.due == dt.date(2026, 11, 27)


def test_a_notice_sent_again_is_told_again_and_nothing_is_doubled(tree, people, planned):
    meeting_services.meeting_notice(actor=people.worker, meeting=planned, notice="请准时参加。")
    planned.refresh_from_db()
    meeting_services.meeting_notice(
        actor=people.worker,
        meeting=planned,
        notice="地点改为206会议室。",
        now=planned.notice_sent_at + dt.timedelta(hours=1),
    )

    assert [body for _, _, body in notices()] == ["地点改为206会议室。", "请准时参加。"]


def test_someone_on_approved_leave_gets_no_notice(tree, people, planned):
    a = Attendance.objects.get(meeting=planned, person=people.person)
    attendance_services.leave_record(actor=people.worker, attendance=a, reason="出差")

    meeting_services.meeting_notice(actor=people.worker, meeting=planned)

    assert notices() == []


def test_the_notice_is_mailed_after_the_commit_when_mail_is_configured(
    tree, people, planned, settings, mailoutbox, django_capture_on_commit_callbacks
):
    _with_email(settings, email=True, base_url="https://dangwu.example.edu.cn/")
    people.member.email = "wangfang@example.org"
    people.member.save()

    with django_capture_on_commit_callbacks(execute=True):
        meeting_services.meeting_notice(actor=people.worker, meeting=planned, notice="请准时参加。")

    [mail] = mailoutbox
    assert mail.to == ["wangfang@example.org"]
    assert mail.subject == "【党务提醒】会议通知：2026年11月27日 14:30支部党员大会"
    assert f"https://dangwu.example.edu.cn/meetings/{planned.pk}/" in mail.body
