"""Meeting services: planning writes who is expected, notice, cancel; attendance with the
approved-leave rule; leave asked by the member and decided by the branch; one-time sign-in
links that expire; minutes that hold and approval that locks; resolutions checked by the
VOTE rules; files with size and type limits. A refusal is Chinese and changes nothing."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from dangwu.core.errors import DomainError, InvalidInput, NotFound
from dangwu.meetings.models import Attendance, Meeting, MeetingFile, Resolution
from dangwu.meetings.services import attendance
from dangwu.meetings.services import meetings as services
from dangwu.meetings.services.meetings import MeetingFields, VoteCounts
from dangwu.orgs.models import Post
from tests import factories
from tests.dues.test_concurrency import race

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")
TODAY = dt.date(2026, 11, 22)
HELD_ON = dt.date(2026, 11, 20)
PLANNED_ON = dt.date(2026, 11, 25)
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


def at(day: dt.date, hour: int = 9, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=TZ)


@dataclass
class People:
    zhang: object  # full member, first group, branch secretary
    li: object  # full member, first group
    wang: object  # probationary, no group, organization member of the committee
    zhao: object  # activist: not expected anywhere
    outsider: object  # full member of the sibling branch


def make_people(tree) -> People:
    zhang = factories.person(tree.branch, name="张三", group=tree.group)
    li = factories.person(tree.branch, name="李明", group=tree.group)
    wang = factories.person(
        tree.branch, name="王芳", status="probationary", admission_date=dt.date(2026, 3, 1)
    )
    zhao = factories.person(tree.branch, name="赵六", status="activist")
    outsider = factories.person(tree.sibling, name="钱七")
    for person, kind in ((zhang, "secretary"), (wang, "organization_member")):
        Post.objects.create(
            organization=tree.branch,
            person=person,
            kind=kind,
            started_on=dt.date(2024, 1, 1),
            chosen_by="elected",
        )
    return People(zhang, li, wang, zhao, outsider)


def plan(actor, org, kind="general_meeting", date=PLANNED_ON, **fields) -> Meeting:
    values = {"topic": "学习党的二十届四中全会精神", **fields}
    return services.meeting_create(
        actor=actor,
        organization=org,
        fields=MeetingFields(kind=kind, date=date, **values),
        today=TODAY,
    )


def names(meeting) -> list[str]:
    return sorted(meeting.attendance.values_list("person__name", flat=True))


def statuses(meeting) -> dict[str, str]:
    return dict(meeting.attendance.values_list("person__name", "status"))


def member_user(username, person):
    return factories.user_with_role(username, None, person=person)


@pytest.fixture
def people(tree) -> People:
    return make_people(tree)


# --- planning ------------------------------------------------------------------------------------


def test_a_general_meeting_expects_the_branchs_probationary_and_full_members(tree, worker, people):
    m = plan(worker, tree.branch)

    assert (m.status, m.created_by) == ("planned", worker)
    assert names(m) == ["张三", "李明", "王芳"]
    assert set(m.attendance.values_list("expected", flat=True)) == {True}


def test_a_committee_meeting_expects_the_committee_post_holders(tree, worker, people):
    m = plan(worker, tree.branch, kind="committee_meeting")

    assert names(m) == ["张三", "王芳"]


def test_a_group_meeting_expects_the_groups_members(tree, worker, people):
    m = plan(worker, tree.group, kind="group_meeting")

    assert names(m) == ["张三", "李明"]


def test_the_expected_list_follows_membership_on_the_meeting_date(tree, worker, people):
    # 王芳 was admitted on 2026-03-01: her membership starts then.
    m = plan(worker, tree.branch, date=dt.date(2026, 2, 10))

    assert names(m) == ["张三", "李明"]


@pytest.mark.parametrize(
    ("org", "kind", "message"),
    [
        ("group", "general_meeting", "党小组只能召开党小组会或集中学习。"),
        ("branch", "group_meeting", "党小组会由党小组召开，请在党小组下登记。"),
    ],
)
def test_kinds_follow_the_organization(tree, worker, people, org, kind, message):
    with pytest.raises(InvalidInput) as exc:
        plan(worker, getattr(tree, org), kind=kind)

    assert exc.value.fields == {"kind": [message]}
    assert Meeting.objects.count() == 0


def test_a_party_group_may_hold_a_study_session(tree, worker, people):
    m = plan(worker, tree.group, kind="study_session")

    assert names(m) == ["张三", "李明"]  # the group's own members


def test_bad_plans_are_refused_field_by_field(tree, worker, people):
    with pytest.raises(InvalidInput) as exc:
        plan(
            worker,
            tree.branch,
            topic=" ",
            starts_at=dt.time(15),
            ends_at=dt.time(14),
            host=people.outsider,
        )

    assert exc.value.fields == {
        "topic": ["请填写会议主题。"],
        "ends_at": ["结束时间应晚于开始时间。"],
        "host": ["主持人应为本支部在册人员。"],
    }
    assert Meeting.objects.count() == 0


def test_planning_outside_the_scope_is_not_found(tree, people):
    stranger = factories.user_with_role("sib", tree.sibling)

    with pytest.raises(NotFound):
        plan(stranger, tree.branch)
    assert Meeting.objects.count() == 0


def test_a_group_leader_plans_the_group_meeting_but_not_a_branch_meeting(tree, people):
    leader = factories.user_with_role("leader", tree.group, kind="group_leader")

    m = plan(leader, tree.group, kind="group_meeting")
    with pytest.raises(NotFound):
        plan(leader, tree.branch)

    assert Meeting.objects.get() == m


def test_changing_the_date_rewrites_the_untouched_expected_rows(tree, worker, people):
    m = plan(worker, tree.branch, date=dt.date(2026, 2, 10))
    fields = MeetingFields(kind="general_meeting", topic=m.topic, date=PLANNED_ON)

    services.meeting_update(actor=worker, meeting=m, fields=fields, today=TODAY)

    assert names(m) == ["张三", "李明", "王芳"]
    assert m.history.first().history_user == worker


def test_notice_records_when_it_went_out(tree, worker, people):
    m = plan(worker, tree.branch, starts_at=dt.time(14, 30), place="三楼会议室")

    services.meeting_notice(actor=worker, meeting=m, now=at(TODAY))

    m.refresh_from_db()
    assert m.notice_sent_at == at(TODAY)
    assert m.notice == (
        "定于2026年11月25日 14:30在三楼会议室召开支部党员大会，主题：学习党的二十届四中全会精神。"
        "请准时参加；不能参加的，请在会前请假。"
    )


def test_cancel_needs_a_reason_and_is_kept_in_history(tree, worker, people):
    m = plan(worker, tree.branch)

    with pytest.raises(InvalidInput):
        services.meeting_cancel(actor=worker, meeting=m, reason="")
    services.meeting_cancel(actor=worker, meeting=m, reason="与学校大会冲突")

    m.refresh_from_db()
    assert m.status == "cancelled"
    assert m.history.first().history_change_reason == "取消：与学校大会冲突"
    with pytest.raises(DomainError) as exc:
        services.meeting_notice(actor=worker, meeting=m)
    assert exc.value.message == "会议已取消，不能再修改。"


# --- attendance and leave ------------------------------------------------------------------------


def test_attendance_is_recorded_per_person(tree, worker, people):
    m = plan(worker, tree.branch, date=HELD_ON)

    changed = attendance.attendance_record(
        actor=worker,
        meeting=m,
        statuses={people.zhang.pk: "present", people.li.pk: "absent"},
        today=TODAY,
    )

    assert changed == 2
    assert statuses(m) == {"张三": "present", "李明": "absent", "王芳": ""}
    assert Attendance.objects.get(person=people.li).recorded_by == worker


def test_on_leave_needs_an_approved_leave_and_nothing_changes(tree, worker, people):
    m = plan(worker, tree.branch, date=HELD_ON)

    with pytest.raises(InvalidInput) as exc:
        attendance.attendance_record(
            actor=worker,
            meeting=m,
            statuses={people.zhang.pk: "present", people.li.pk: "on_leave"},
            today=TODAY,
        )

    assert exc.value.message == "李明没有经批准的请假，不能登记为请假。"
    assert statuses(m) == {"张三": "", "李明": "", "王芳": ""}


def test_attendance_of_a_future_meeting_is_refused(tree, worker, people):
    m = plan(worker, tree.branch)

    with pytest.raises(DomainError) as exc:
        attendance.attendance_record(
            actor=worker, meeting=m, statuses={people.zhang.pk: "present"}, today=TODAY
        )

    assert exc.value.message == "会议尚未召开，不能登记出席情况。"


def test_the_leave_flow_asks_approves_then_allows_on_leave(tree, worker, people):
    m = plan(worker, tree.branch, starts_at=dt.time(14), ends_at=dt.time(16))
    li = member_user("li", people.li)

    a = attendance.leave_request(actor=li, meeting=m, reason="出差", now=at(TODAY))
    assert (a.leave_state, a.leave_reason, a.leave_requested_at) == ("requested", "出差", at(TODAY))
    attendance.leave_decide(actor=worker, attendance=a, approve=True, now=at(TODAY, 10))
    attendance.attendance_record(
        actor=worker, meeting=m, statuses={people.li.pk: "on_leave"}, today=PLANNED_ON
    )

    a.refresh_from_db()
    assert (a.leave_state, a.leave_decided_by, a.status) == ("approved", worker, "on_leave")


def test_a_refused_leave_can_be_asked_again(tree, worker, people):
    m = plan(worker, tree.branch)
    li = member_user("li", people.li)
    a = attendance.leave_request(actor=li, meeting=m, reason="出差", now=at(TODAY))
    attendance.leave_decide(actor=worker, attendance=a, approve=False)

    a = attendance.leave_request(actor=li, meeting=m, reason="住院", now=at(TODAY, 11))

    assert (a.leave_state, a.leave_reason, a.leave_decided_by) == ("requested", "住院", None)


def test_leave_is_asked_before_the_meeting_ends(tree, worker, people):
    m = plan(worker, tree.branch, starts_at=dt.time(14), ends_at=dt.time(16))
    li = member_user("li", people.li)

    with pytest.raises(DomainError) as exc:
        attendance.leave_request(actor=li, meeting=m, reason="出差", now=at(PLANNED_ON, 16))

    assert exc.value.message == "会议已结束，不能再请假。"
    assert Attendance.objects.get(person=people.li).leave_state == ""


def test_someone_not_on_the_list_cannot_ask_for_leave(tree, worker, people):
    m = plan(worker, tree.branch)

    with pytest.raises(NotFound):
        attendance.leave_request(
            actor=member_user("zhao", people.zhao), meeting=m, reason="出差", now=at(TODAY)
        )


def test_a_group_leader_cannot_decide_a_branch_meetings_leave(tree, worker, people):
    m = plan(worker, tree.branch)
    a = attendance.leave_request(
        actor=member_user("li", people.li), meeting=m, reason="出差", now=at(TODAY)
    )
    leader = factories.user_with_role("leader", tree.group, kind="group_leader")

    with pytest.raises(NotFound):
        attendance.leave_decide(actor=leader, attendance=a, approve=True)
    a.refresh_from_db()
    assert a.leave_state == "requested"


# --- sign-in --------------------------------------------------------------------------------------


def test_signin_marks_present_once(settings, tree, worker, people):
    settings.DANGWU = {
        **settings.DANGWU,
        "MEETINGS": {**settings.DANGWU["MEETINGS"], "signin_minutes": 30},
    }
    m = plan(worker, tree.branch)
    m = attendance.signin_open(actor=worker, meeting=m, now=at(PLANNED_ON, 14))
    zhang = member_user("zhang", people.zhang)

    first = attendance.signin(actor=zhang, token=m.signin_token, now=at(PLANNED_ON, 14, 5))
    again = attendance.signin(actor=zhang, token=m.signin_token, now=at(PLANNED_ON, 14, 9))

    assert len(m.signin_token) == 32
    assert m.signin_expires_at == at(PLANNED_ON, 14, 30)
    assert (first.status, first.signed_in_at) == ("present", at(PLANNED_ON, 14, 5))
    assert again.signed_in_at == at(PLANNED_ON, 14, 5)


def test_a_branch_member_not_on_the_list_signs_in_as_a_guest_at_a_branch_meeting(
    tree, worker, people
):
    m = plan(worker, tree.branch, kind="theme_day")  # the activist 赵六 is not expected
    m = attendance.signin_open(actor=worker, meeting=m, now=at(PLANNED_ON, 14))

    a = attendance.signin(
        actor=member_user("zhao", people.zhao), token=m.signin_token, now=at(PLANNED_ON, 14, 1)
    )

    assert (a.person, a.expected, a.status) == (people.zhao, False, "present")


@pytest.mark.parametrize(
    ("org", "kind"), [("group", "group_meeting"), ("branch", "committee_meeting")]
)
def test_a_group_or_committee_meeting_takes_no_guests(tree, worker, people, org, kind):
    # 赵六 got the link forwarded: the record of these meetings is for those on the list.
    m = plan(worker, getattr(tree, org), kind=kind)
    m = attendance.signin_open(actor=worker, meeting=m, now=at(PLANNED_ON, 14))

    with pytest.raises(DomainError) as exc:
        attendance.signin(
            actor=member_user("zhao", people.zhao), token=m.signin_token, now=at(PLANNED_ON, 14, 1)
        )

    assert exc.value.message == "您不在本次会议的参会名单中，不能签到。"
    assert not m.attendance.filter(person=people.zhao).exists()


def test_minutes_cannot_be_approved_while_a_leave_waits(tree, worker, people):
    m = plan(worker, tree.branch, date=HELD_ON)
    Attendance.objects.filter(meeting=m, person=people.li).update(
        leave_state="requested", leave_reason="出差"
    )
    attendance.attendance_record(
        actor=worker,
        meeting=m,
        statuses={people.zhang.pk: "present", people.li.pk: "absent", people.wang.pk: "present"},
        today=TODAY,
    )
    services.minutes_record(actor=worker, meeting=m, minutes="会议记录", today=TODAY)

    with pytest.raises(DomainError) as exc:
        services.minutes_approve(actor=worker, meeting=m)

    assert exc.value.message == "尚有1条请假申请待审批，请先审批。"
    m.refresh_from_db()
    assert m.is_locked is False


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("expired", "签到已截止（16:00截止），请联系会议记录人登记出席。"),
        ("unknown", "签到链接无效或已被更换，请扫描主持人屏幕上最新的二维码。"),
        ("replaced", "签到链接无效或已被更换，请扫描主持人屏幕上最新的二维码。"),
        ("outsider", "您不在本次会议的参会名单中，不能签到。"),
    ],
)
def test_signin_refusals_are_clear(tree, worker, people, case, message):
    m = plan(worker, tree.branch)
    m = attendance.signin_open(actor=worker, meeting=m, now=at(PLANNED_ON, 14))
    token, who, when = m.signin_token, member_user("zhang", people.zhang), at(PLANNED_ON, 14, 1)
    if case == "expired":
        when = at(PLANNED_ON, 16)
    elif case == "unknown":
        token = "x" * 32
    elif case == "replaced":
        attendance.signin_open(actor=worker, meeting=m, now=at(PLANNED_ON, 14, 1))
    else:
        who = member_user("qian", people.outsider)

    with pytest.raises(DomainError) as exc:
        attendance.signin(actor=who, token=token, now=when)

    assert exc.value.message == message
    assert statuses(m) == {"张三": "", "李明": "", "王芳": ""}


def test_signin_opens_only_on_the_meeting_day(tree, worker, people):
    m = plan(worker, tree.branch)

    with pytest.raises(DomainError) as exc:
        attendance.signin_open(actor=worker, meeting=m, now=at(TODAY))

    assert exc.value.message == "只能在会议当天（2026-11-25）开启签到。"
    m.refresh_from_db()
    assert m.signin_token == ""


# --- minutes and the lock ------------------------------------------------------------------------


def held(worker, tree, people) -> Meeting:
    m = plan(worker, tree.branch, date=HELD_ON)
    attendance.attendance_record(
        actor=worker,
        meeting=m,
        statuses={people.zhang.pk: "present", people.li.pk: "present", people.wang.pk: "absent"},
        today=TODAY,
    )
    return services.minutes_record(actor=worker, meeting=m, minutes="会议学习了……", today=TODAY)


def test_minutes_mark_the_meeting_held_only_on_or_after_its_date(tree, worker, people):
    future = plan(worker, tree.branch)

    with pytest.raises(DomainError) as exc:
        services.minutes_record(actor=worker, meeting=future, minutes="……", today=TODAY)
    m = held(worker, tree, people)

    assert exc.value.message == "会议日期（2026-11-25）在今天之后，不能登记为已召开。"
    assert (m.status, m.minutes) == ("held", "会议学习了……")


def test_approval_needs_every_expected_person_recorded(tree, worker, people):
    m = plan(worker, tree.branch, date=HELD_ON)
    services.minutes_record(actor=worker, meeting=m, minutes="……", today=TODAY)

    with pytest.raises(DomainError) as exc:
        services.minutes_approve(actor=worker, meeting=m)

    assert exc.value.message == "尚有3人未登记出席情况，请先登记。"


def test_a_group_leader_cannot_approve_the_minutes(tree, people):
    leader = factories.user_with_role("leader", tree.group, kind="group_leader")
    m = plan(leader, tree.group, kind="group_meeting", date=HELD_ON)
    services.minutes_record(actor=leader, meeting=m, minutes="……", today=TODAY)

    with pytest.raises(NotFound):
        services.minutes_approve(actor=leader, meeting=m)
    m.refresh_from_db()
    assert m.is_locked is False


@pytest.mark.parametrize(
    "change",
    ["update", "notice", "attendance", "minutes", "signin", "resolution", "file", "cancel"],
)
def test_a_locked_meeting_refuses_every_change(tree, worker, people, change):
    m = held(worker, tree, people)
    services.minutes_approve(actor=worker, meeting=m, now=at(TODAY))
    calls = {
        "update": lambda: services.meeting_update(
            actor=worker,
            meeting=m,
            fields=MeetingFields(kind="general_meeting", topic="改", date=HELD_ON),
            today=TODAY,
        ),
        "notice": lambda: services.meeting_notice(actor=worker, meeting=m),
        "attendance": lambda: attendance.attendance_record(
            actor=worker, meeting=m, statuses={people.wang.pk: "present"}, today=TODAY
        ),
        "minutes": lambda: services.minutes_record(
            actor=worker, meeting=m, minutes="改", today=TODAY
        ),
        "signin": lambda: attendance.signin_open(actor=worker, meeting=m, now=at(HELD_ON)),
        "resolution": lambda: services.resolution_add(
            actor=worker, meeting=m, text="改", votes=VoteCounts(3, 3, 3), today=TODAY
        ),
        "file": lambda: services.file_upload(
            actor=worker,
            meeting=m,
            upload=SimpleUploadedFile("a.png", PNG),
            kind="photo",
        ),
        "cancel": lambda: services.meeting_cancel(actor=worker, meeting=m, reason="改"),
    }

    with pytest.raises(DomainError) as exc:
        calls[change]()

    assert exc.value.message == "会议记录已审定，不能再修改。"
    m.refresh_from_db()
    assert (m.topic, m.minutes, m.signin_token) == (
        "学习党的二十届四中全会精神",
        "会议学习了……",
        "",
    )
    assert statuses(m)["王芳"] == "absent"
    assert (Resolution.objects.count(), MeetingFile.objects.count()) == (0, 0)


# --- resolutions ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("votes", "quorate", "passed", "codes"),
    [
        (VoteCounts(25, 20, 13), True, True, []),
        (VoteCounts(24, 20, 12), True, False, ["VOTE-PASS"]),  # exactly half fails
        (VoteCounts(24, 12, 12), False, False, ["VOTE-QUORUM", "VOTE-PASS"]),
        (VoteCounts(10, 8, 5, written_in_favour=1), True, True, []),
    ],
)
def test_a_resolution_stores_what_the_vote_rules_say(
    tree, worker, people, votes, quorate, passed, codes
):
    m = held(worker, tree, people)

    r, findings = services.resolution_add(
        actor=worker, meeting=m, text="同意接收张三为预备党员", votes=votes, today=TODAY
    )

    assert (r.number, r.quorate, r.passed) == (1, quorate, passed)
    assert [f.code for f in findings] == codes


def test_resolutions_are_numbered_in_order(tree, worker, people):
    m = held(worker, tree, people)

    for text in ("一", "二"):
        services.resolution_add(
            actor=worker, meeting=m, text=text, votes=VoteCounts(3, 3, 2, against=1), today=TODAY
        )

    assert list(m.resolutions.values_list("number", "text")) == [(1, "一"), (2, "二")]


@pytest.mark.parametrize(
    ("votes", "message"),
    [
        (VoteCounts(3, 4, 2), "实到会人数4超过应到会人数3。"),
        (VoteCounts(5, 3, 2, against=1, abstained=1), "赞成、反对、弃权合计4票，超过实到会人数3。"),
        (VoteCounts(0, 0, 0), "应到会有表决权的正式党员人数应至少为1。"),
    ],
)
def test_impossible_counts_are_refused(tree, worker, people, votes, message):
    m = held(worker, tree, people)

    with pytest.raises(InvalidInput) as exc:
        services.resolution_add(actor=worker, meeting=m, text="决议", votes=votes, today=TODAY)

    assert exc.value.message == message
    assert Resolution.objects.count() == 0


# --- files ---------------------------------------------------------------------------------------


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_a_photo_is_kept_under_a_random_name(media, tree, worker, people):
    m = held(worker, tree, people)

    f = services.file_upload(
        actor=worker, meeting=m, upload=SimpleUploadedFile("会场.png", PNG), kind="photo"
    )

    assert (f.name, f.size, f.kind, f.uploaded_by) == ("会场.png", len(PNG), "photo", worker)
    assert f.file.name.startswith("meetings/") and f.file.name.endswith(".png")
    assert "会场" not in f.file.name
    assert f.file.read() == PNG


@pytest.mark.parametrize(
    ("name", "content", "kind", "message"),
    [
        ("a.exe", b"MZ", "document", "文件只能是"),
        ("a.png", b"GIF89a", "photo", "文件内容与扩展名.png不符。"),
        ("a.pdf", b"", "document", "文件是空的。"),
        ("a.jpg", b"\xff\xd8\xff" + b"0" * (10 * 1024 * 1024), "photo", "文件大小不能超过10MB。"),
        ("a.png", PNG, "video", "请选择附件类别。"),
    ],
)
def test_bad_files_are_refused(media, tree, worker, people, name, content, kind, message):
    m = held(worker, tree, people)

    with pytest.raises(InvalidInput) as exc:
        services.file_upload(
            actor=worker, meeting=m, upload=SimpleUploadedFile(name, content), kind=kind
        )

    assert exc.value.message.startswith(message)
    assert MeetingFile.objects.count() == 0
    assert list(media.iterdir()) == []


# --- races (PostgreSQL) ---------------------------------------------------------------------------

ON_POSTGRESQL = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="races need row locks (select_for_update) and concurrent writers: PostgreSQL only",
)


@ON_POSTGRESQL
@pytest.mark.django_db(transaction=True)
def test_a_guest_signing_in_twice_at_once_gets_one_row(tree, worker, people):
    m = plan(worker, tree.branch, kind="theme_day")  # the activist 赵六 is not expected
    m = attendance.signin_open(actor=worker, meeting=m, now=at(PLANNED_ON, 14))
    zhao = member_user("zhao", people.zhao)

    def sign():
        return attendance.signin(actor=zhao, token=m.signin_token, now=at(PLANNED_ON, 14, 1))

    results, errors = race(sign, sign)

    assert errors == [None, None]
    assert {a.pk for a in results} == {Attendance.objects.get(person=people.zhao).pk}


@ON_POSTGRESQL
@pytest.mark.django_db(transaction=True)
def test_two_resolutions_recorded_at_once_get_their_own_numbers(tree, worker, people):
    m = held(worker, tree, people)

    def add(text):
        return lambda: services.resolution_add(
            actor=worker, meeting=m, text=text, votes=VoteCounts(3, 3, 3), today=TODAY
        )

    results, errors = race(add("一"), add("二"))

    assert errors == [None, None]
    assert sorted(m.resolutions.values_list("number", flat=True)) == [1, 2]


# --- leave recorded by the organizer -------------------------------------------------------------


def test_the_organizer_records_a_phoned_in_leave_approved_at_once(tree, worker, people):
    m = plan(worker, tree.branch, date=HELD_ON)
    a = m.attendance.get(person=people.li)

    attendance.leave_record(actor=worker, attendance=a, reason=" 电话请假：出差 ", now=at(TODAY))

    a.refresh_from_db()
    assert (a.status, a.leave_state, a.leave_reason) == ("on_leave", "approved", "电话请假：出差")
    assert a.leave_decided_by == worker


def test_a_leave_recorded_before_the_meeting_waits_for_the_day(tree, worker, people):
    m = plan(worker, tree.branch)  # 2026-11-25, after today
    a = m.attendance.get(person=people.li)

    attendance.leave_record(actor=worker, attendance=a, reason="生病", now=at(TODAY))

    a.refresh_from_db()
    assert (a.status, a.leave_state) == ("", "approved")


@pytest.mark.parametrize(
    ("reason", "message"), [("  ", "请填写请假事由。"), ("长" * 201, "请假事由不能超过200字。")]
)
def test_a_recorded_leave_needs_a_reason_and_nothing_changes(tree, worker, people, reason, message):
    m = plan(worker, tree.branch, date=HELD_ON)
    a = m.attendance.get(person=people.li)

    with pytest.raises(InvalidInput) as exc:
        attendance.leave_record(actor=worker, attendance=a, reason=reason, now=at(TODAY))

    assert exc.value.message == message
    a.refresh_from_db()
    assert (a.status, a.leave_state, a.leave_reason) == ("", "", "")


def test_someone_present_cannot_be_put_on_leave(tree, worker, people):
    m = plan(worker, tree.branch, date=HELD_ON)
    attendance.attendance_record(
        actor=worker, meeting=m, statuses={people.li.pk: "present"}, today=TODAY
    )
    a = m.attendance.get(person=people.li)

    with pytest.raises(DomainError) as exc:
        attendance.leave_record(actor=worker, attendance=a, reason="出差", now=at(TODAY))

    assert exc.value.message == "李明已登记为出席，不能再登记请假。"
    a.refresh_from_db()
    assert (a.status, a.leave_state) == ("present", "")


def test_recording_a_leave_outside_the_scope_is_not_found(tree, worker, people):
    m = plan(worker, tree.branch, date=HELD_ON)
    a = m.attendance.get(person=people.li)
    stranger = factories.user_with_role("stranger", tree.sibling)

    with pytest.raises(NotFound):
        attendance.leave_record(actor=stranger, attendance=a, reason="出差", now=at(TODAY))

    a.refresh_from_db()
    assert a.leave_state == ""
