"""Meeting pages: the permission matrix (404 outside the scope), planning and its refusals,
phone attendance recording, the lock, the host's QR code and the member's sign-in, the leave
flow, votes through resolutions, files, and query counts that do not grow with the rows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from dangwu.meetings.models import Attendance, Meeting, MeetingFile, Resolution
from dangwu.meetings.services import attendance
from tests import factories
from tests.meetings.test_services_meetings import PNG, make_people
from tests.members.test_views import assert_status, login, texts

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
    monkeypatch.setattr("dangwu.meetings.views.today", lambda: TODAY)


@pytest.fixture
def people(tree):
    return make_people(tree)


@pytest.fixture
def held(tree, people):
    """A general meeting held on 2026-11-20, nobody recorded yet."""
    return factories.meeting(tree.branch, "general_meeting", dt.date(2026, 11, 20), minutes="")


@pytest.fixture
def listed(held, people):
    for p in (people.zhang, people.li, people.wang):
        Attendance.objects.create(meeting=held, person=p)
    return held


def statuses(meeting) -> dict[str, str]:
    return dict(meeting.attendance.values_list("person__name", "status"))


def user_of(person, username):
    return factories.user_with_role(username, None, person=person)


# --- permission matrix --------------------------------------------------------------------------

MEETING_PAGES = [
    "detail",
    "edit",
    "notice",
    "cancel",
    "attendance",
    "minutes",
    "signin_open",
    "resolution_add",
    "file_upload",
]


@pytest.mark.parametrize("page", MEETING_PAGES)
@pytest.mark.parametrize(("who", "expected"), MATRIX)
def test_meeting_pages_permission_matrix(client, viewers, listed, page, who, expected):
    response = login(client, viewers, who).get(reverse(f"meetings:{page}", args=[listed.pk]))

    assert_status(response, expected)


@pytest.mark.parametrize("page", ["list", "create"])
@pytest.mark.parametrize(("who", "expected"), MATRIX)
def test_organization_pages_permission_matrix(client, viewers, tree, page, who, expected):
    response = login(client, viewers, who).get(reverse(f"meetings:{page}", args=[tree.branch.pk]))

    assert_status(response, expected)


@pytest.mark.parametrize("page", ["attendance", "minutes", "edit", "signin_open"])
def test_a_member_on_the_list_sees_the_meeting_but_cannot_record_it(client, listed, people, page):
    client.force_login(user_of(people.li, "li"))

    assert client.get(reverse("meetings:detail", args=[listed.pk])).status_code == 200
    assert client.get(reverse(f"meetings:{page}", args=[listed.pk])).status_code == 404


def test_a_group_leader_records_the_group_meeting_but_cannot_approve(client, tree, people):
    leader = factories.user_with_role("leader", tree.group, kind="group_leader")
    m = factories.meeting(tree.group, "group_meeting", dt.date(2026, 11, 20), minutes="……")
    Attendance.objects.create(meeting=m, person=people.zhang, status="present")
    client.force_login(leader)

    page = client.get(reverse("meetings:attendance", args=[m.pk]))
    approve = client.post(reverse("meetings:approve", args=[m.pk]))

    assert (page.status_code, approve.status_code) == (200, 404)
    m.refresh_from_db()
    assert m.is_locked is False


def test_missing_meetings_and_files_are_404(client, admin_user):
    client.force_login(admin_user)

    assert client.get(reverse("meetings:detail", args=[999999])).status_code == 404
    assert client.get(reverse("meetings:file_download", args=[999999])).status_code == 404
    assert client.post(reverse("meetings:leave_decide", args=[999999])).status_code == 404


# --- home, lists, mine ----------------------------------------------------------------------------


def test_home_lists_the_branches_and_groups_with_this_months_meetings(
    client, tree, worker, people, django_assert_max_num_queries
):
    factories.meeting(tree.branch, "general_meeting", dt.date(2026, 11, 3), topic="十一月大会")
    factories.meeting(tree.branch, "general_meeting", dt.date(2026, 10, 3), topic="十月大会")
    client.force_login(worker)

    with django_assert_max_num_queries(12):
        response = client.get(reverse("meetings:home"))

    rows = response.context["rows"]
    assert [(o.name, [m.topic for m in ms]) for o, ms in rows] == [
        ("本科生第一党支部", ["十一月大会"]),
        ("第一党小组", []),
    ]


def test_home_links_a_committee_worker_to_the_compliance_of_the_branches_below(client, viewers):
    response = login(client, viewers, "ancestor").get(reverse("meetings:home"))

    assert [o.name for o in response.context["overseen"]] == ["某大学党委"]
    assert reverse(
        "meetings:compliance", args=[viewers["ancestor"].roles.get().organization_id]
    ) in (response.content.decode())


def test_a_branch_worker_oversees_no_committee(client, worker):
    client.force_login(worker)

    assert client.get(reverse("meetings:home")).context["overseen"] == []


def test_home_sends_a_member_without_a_role_to_their_meetings(client, viewers):
    response = login(client, viewers, "no_role").get(reverse("meetings:home"))

    assert (response.status_code, response.url) == (302, reverse("meetings:mine"))


@pytest.mark.parametrize("count", [2, 12])
def test_the_list_query_count_does_not_grow(
    client, tree, worker, people, count, django_assert_max_num_queries
):
    for i in range(count):
        factories.meeting(
            tree.branch, "theme_day", dt.date(2026, 1 + i % 11, 1), present=[people.zhang]
        )
    client.force_login(worker)

    with django_assert_max_num_queries(10):
        response = client.get(reverse("meetings:list", args=[tree.branch.pk]), {"year": 2026})

    assert len(response.context["page_obj"].object_list) == count


def test_a_bad_filter_shows_everything_with_a_warning(client, tree, worker, people):
    factories.meeting(tree.branch, "theme_day", dt.date(2025, 1, 1))
    client.force_login(worker)

    response = client.get(reverse("meetings:list", args=[tree.branch.pk]), {"year": "abc"})

    assert texts(response) == ["筛选条件有误，已显示全部会议。"]
    assert len(response.context["page_obj"].object_list) == 1


def test_mine_shows_upcoming_meetings_with_a_leave_link(client, tree, people):
    m = factories.meeting(
        tree.branch, "general_meeting", dt.date(2026, 11, 30), status="planned", topic="年底大会"
    )
    Attendance.objects.create(meeting=m, person=people.li)
    client.force_login(user_of(people.li, "li"))

    response = client.get(reverse("meetings:mine"))

    assert [a.meeting for a in response.context["mine"].upcoming] == [m]
    assert reverse("meetings:leave_request", args=[m.pk]) in response.content.decode()


# --- planning -------------------------------------------------------------------------------------


def test_create_writes_the_meeting_and_its_expected_list(client, tree, worker, people):
    client.force_login(worker)

    response = client.post(
        reverse("meetings:create", args=[tree.branch.pk]),
        {"kind": "general_meeting", "topic": "主题党日", "date": "2026-11-28", "place": "会议室"},
    )

    m = Meeting.objects.get()
    assert response.url == reverse("meetings:detail", args=[m.pk])
    assert sorted(statuses(m)) == ["张三", "李明", "王芳"]


def test_create_offers_a_group_only_its_kinds(client, tree, worker):
    client.force_login(worker)

    response = client.get(reverse("meetings:create", args=[tree.group.pk]))

    assert [v for v, _ in response.context["form"].fields["kind"].choices] == [
        "",
        "group_meeting",
        "study_session",
    ]


def test_a_bad_plan_shows_a_chinese_error_and_creates_nothing(client, tree, worker, people):
    client.force_login(worker)

    response = client.post(
        reverse("meetings:create", args=[tree.branch.pk]),
        {
            "kind": "general_meeting",
            "topic": "大会",
            "date": "2026-11-28",
            "starts_at": "15:00",
            "ends_at": "14:00",
        },
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {"ends_at": ["结束时间应晚于开始时间。"]}
    assert Meeting.objects.count() == 0


def test_notice_is_sent_from_the_page(client, tree, worker, people):
    m = factories.meeting(tree.branch, "general_meeting", dt.date(2026, 11, 28), status="planned")
    client.force_login(worker)

    client.post(reverse("meetings:notice", args=[m.pk]), {"notice": "请准时参加。"})

    m.refresh_from_db()
    assert (m.notice, m.notice_sent_at is not None) == ("请准时参加。", True)
    assert sorted(statuses(m)) == ["张三", "李明", "王芳"]


# --- attendance, minutes, the lock -------------------------------------------------------------


def test_attendance_is_recorded_with_radio_buttons(client, listed, worker, people):
    client.force_login(worker)
    url = reverse("meetings:attendance", args=[listed.pk])

    page = client.get(url).content.decode()
    response = client.post(
        url,
        {f"p{people.zhang.pk}": "present", f"p{people.li.pk}": "absent", f"p{people.wang.pk}": ""},
    )

    assert page.count('type="radio"') == 12
    assert response.status_code == 302
    assert statuses(listed) == {"张三": "present", "李明": "absent", "王芳": ""}


def test_a_row_left_out_of_the_post_keeps_its_status(client, listed, worker, people):
    Attendance.objects.filter(person=people.wang).update(status="absent")
    client.force_login(worker)

    client.post(reverse("meetings:attendance", args=[listed.pk]), {f"p{people.li.pk}": "present"})

    assert statuses(listed) == {"张三": "", "李明": "present", "王芳": "absent"}


def test_on_leave_without_approval_is_refused_and_nothing_changes(client, listed, worker, people):
    client.force_login(worker)

    response = client.post(
        reverse("meetings:attendance", args=[listed.pk]),
        {f"p{people.zhang.pk}": "present", f"p{people.li.pk}": "on_leave"},
    )

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == ["李明没有经批准的请假，不能登记为请假。"]
    assert statuses(listed) == {"张三": "", "李明": "", "王芳": ""}


def test_minutes_then_approval_lock_the_record(client, listed, worker, people):
    client.force_login(worker)
    Attendance.objects.filter(meeting=listed).update(status="present")

    client.post(reverse("meetings:minutes", args=[listed.pk]), {"minutes": "会议记录正文"})
    client.post(reverse("meetings:approve", args=[listed.pk]))
    refused = client.post(
        reverse("meetings:attendance", args=[listed.pk]), {f"p{people.li.pk}": "absent"}
    )
    detail = client.get(reverse("meetings:detail", args=[listed.pk])).content.decode()

    listed.refresh_from_db()
    assert (listed.status, listed.minutes, listed.is_locked) == ("held", "会议记录正文", True)
    assert refused.context["form"].non_field_errors() == ["会议记录已审定，不能再修改。"]
    assert statuses(listed)["李明"] == "present"
    assert reverse("meetings:attendance", args=[listed.pk]) not in detail
    assert reverse("meetings:minutes_pdf", args=[listed.pk]) in detail


def test_approving_without_minutes_says_why(client, listed, worker):
    client.force_login(worker)

    response = client.post(reverse("meetings:approve", args=[listed.pk]), follow=True)

    assert texts(response) == ["会议尚未登记会议记录，不能审定。"]


# --- sign-in ----------------------------------------------------------------------------------


@pytest.fixture
def today_meeting(tree, people):
    """A meeting on the real local date (the sign-in pages read the real clock)."""
    m = factories.meeting(tree.branch, "general_meeting", timezone.localdate(), status="planned")
    for p in (people.zhang, people.li, people.wang):
        Attendance.objects.create(meeting=m, person=p)
    return m


def test_the_host_screen_shows_an_inline_svg_qr_code_and_the_link(client, today_meeting, worker):
    client.force_login(worker)
    url = reverse("meetings:signin_open", args=[today_meeting.pk])

    client.post(url)
    page = client.get(url).content.decode()

    today_meeting.refresh_from_db()
    link = "http://testserver" + reverse("meetings:signin", args=[today_meeting.signin_token])
    svg = page[page.index("<svg") : page.index("</svg>")]
    assert link in page
    assert "style=" not in svg
    assert "<script" not in svg and svg.count("<path") == 2


def test_a_member_signs_in_with_the_link(client, today_meeting, worker, people):
    m = attendance.signin_open(actor=worker, meeting=today_meeting)
    client.force_login(user_of(people.li, "li"))
    url = reverse("meetings:signin", args=[m.signin_token])

    confirm = client.get(url)
    done = client.post(url)

    assert (confirm.status_code, done.status_code) == (200, 200)
    a = Attendance.objects.get(meeting=m, person=people.li)
    assert a.status == "present" and a.signed_in_at is not None
    assert "签到成功" in done.content.decode()


def test_an_expired_link_says_so_and_changes_nothing(client, today_meeting, worker, people):
    m = attendance.signin_open(actor=worker, meeting=today_meeting)
    Meeting.objects.filter(pk=m.pk).update(
        signin_expires_at=timezone.now() - dt.timedelta(minutes=1)
    )
    client.force_login(user_of(people.li, "li"))

    response = client.post(reverse("meetings:signin", args=[m.signin_token]))

    assert response.status_code == 400
    assert response.context["error"].startswith("签到已截止")
    assert statuses(m)["李明"] == ""


def test_an_unknown_link_says_so(client, people):
    client.force_login(user_of(people.li, "li"))

    response = client.get(reverse("meetings:signin", args=["nope"]))

    assert response.status_code == 400
    assert response.context["error"] == "签到链接无效或已被更换，请扫描主持人屏幕上最新的二维码。"


def test_signing_in_needs_a_login(client, today_meeting, worker):
    m = attendance.signin_open(actor=worker, meeting=today_meeting)

    assert_status(client.get(reverse("meetings:signin", args=[m.signin_token])), 302)


# --- leave ------------------------------------------------------------------------------------


def test_the_leave_flow_through_the_pages(client, tree, worker, people):
    m = factories.meeting(
        tree.branch,
        "general_meeting",
        timezone.localdate() + dt.timedelta(days=3),
        status="planned",
    )
    a = Attendance.objects.create(meeting=m, person=people.li)
    li = user_of(people.li, "li")

    client.force_login(li)
    empty = client.post(reverse("meetings:leave_request", args=[m.pk]), {"reason": ""})
    asked = client.post(reverse("meetings:leave_request", args=[m.pk]), {"reason": "出差"})
    cannot_decide = client.post(
        reverse("meetings:leave_decide", args=[a.pk]), {"decision": "approve"}
    )
    client.force_login(worker)
    detail = client.get(reverse("meetings:detail", args=[m.pk]))
    decided = client.post(
        reverse("meetings:leave_decide", args=[a.pk]), {"decision": "approve"}, follow=True
    )

    assert empty.context["form"].errors == {"reason": ["这个字段是必填项。"]}
    assert asked.url == reverse("meetings:mine")
    assert cannot_decide.status_code == 404
    assert [x.person for x in detail.context["d"].leave_requests] == [people.li]
    assert texts(decided) == ["已批准李明的请假。"]
    a.refresh_from_db()
    assert (a.leave_state, a.leave_reason, a.leave_decided_by) == ("approved", "出差", worker)


def test_someone_not_on_the_list_cannot_open_the_leave_page(client, listed, people):
    client.force_login(user_of(people.zhao, "zhao"))

    assert client.get(reverse("meetings:leave_request", args=[listed.pk])).status_code == 404


# --- resolutions and files --------------------------------------------------------------------


def test_a_vote_through_a_resolution_shows_the_rules_findings(client, listed, worker):
    client.force_login(worker)
    url = reverse("meetings:resolution_add", args=[listed.pk])

    initial = client.get(url).context["form"].initial
    response = client.post(
        url,
        {
            "text": "同意接收张三为预备党员",
            "should_attend": 4,
            "present": 3,
            "in_favour": 2,
            "written_in_favour": 0,
            "against": 1,
            "abstained": 0,
        },
        follow=True,
    )

    assert initial == {"should_attend": 2, "present": 0}
    r = Resolution.objects.get()
    assert (r.quorate, r.passed) == (True, False)
    assert texts(response) == [
        "决议1已登记：未通过。",
        "赞成票2票，恰好半数，未超过应到会有表决权的正式党员4人的半数（至少需要3票），"
        "未获通过。（《中国共产党发展党员工作细则》第二十一条）",
    ]


def test_impossible_vote_counts_are_refused_on_the_form(client, listed, worker):
    client.force_login(worker)

    response = client.post(
        reverse("meetings:resolution_add", args=[listed.pk]),
        {
            "text": "决议",
            "should_attend": 3,
            "present": 4,
            "in_favour": 2,
            "written_in_favour": 0,
            "against": 0,
            "abstained": 0,
        },
    )

    assert response.context["form"].errors == {"in_favour": ["实到会人数4超过应到会人数3。"]}
    assert Resolution.objects.count() == 0


def test_a_photo_is_uploaded_and_shown_to_a_member_on_the_list(
    client, settings, tmp_path, listed, worker, people
):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(worker)
    client.post(
        reverse("meetings:file_upload", args=[listed.pk]),
        {"kind": "photo", "upload": SimpleUploadedFile("会场.png", PNG)},
    )
    f = MeetingFile.objects.get()

    client.force_login(user_of(people.li, "li"))
    response = client.get(reverse("meetings:file_download", args=[f.pk]))
    client.force_login(user_of(people.outsider, "qian"))
    outside = client.get(reverse("meetings:file_download", args=[f.pk]))

    assert (response.status_code, response["Content-Type"]) == (200, "image/png")
    assert b"".join(response.streaming_content) == PNG
    assert outside.status_code == 404


def test_a_wrong_file_type_is_refused_on_the_form(client, settings, tmp_path, listed, worker):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(worker)

    response = client.post(
        reverse("meetings:file_upload", args=[listed.pk]),
        {"kind": "document", "upload": SimpleUploadedFile("a.exe", b"MZ")},
    )

    assert response.context["form"].errors["upload"] == [
        "文件只能是.doc、.docx、.et、.pdf、.ppt、.pptx、.txt、.wps、.xls、.xlsx格式。"
    ]
    assert MeetingFile.objects.count() == 0


@pytest.mark.parametrize(("who", "expected"), MATRIX)
def test_the_leave_record_page_permission_matrix(client, viewers, listed, people, who, expected):
    a = listed.attendance.get(person=people.li)

    response = login(client, viewers, who).get(reverse("meetings:leave_record", args=[a.pk]))

    assert_status(response, expected)


def test_the_organizer_records_a_phoned_in_leave_through_the_page(client, worker, listed, people):
    a = listed.attendance.get(person=people.li)
    client.force_login(worker)

    page = client.get(reverse("meetings:attendance", args=[listed.pk]))
    empty = client.post(reverse("meetings:leave_record", args=[a.pk]), {"reason": " "})
    done = client.post(
        reverse("meetings:leave_record", args=[a.pk]), {"reason": "电话请假：生病"}, follow=True
    )

    assert reverse("meetings:leave_record", args=[a.pk]) in page.content.decode()
    assert empty.context["form"].errors == {"reason": ["这个字段是必填项。"]}
    assert texts(done) == ["已为李明登记请假（已批准）。"]
    a.refresh_from_db()
    assert (a.status, a.leave_state, a.leave_reason) == ("on_leave", "approved", "电话请假：生病")
