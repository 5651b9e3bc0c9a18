"""Files of organizational life: the year's calendar (.ics, read back with icalendar), the
meetings register (.xlsx, exact cells), the printable minutes (PDF, text read back with
pypdf); the permission matrix of each; bad years; formula escaping; the audit rows."""

import datetime as dt
import io
import os

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar
from openpyxl import load_workbook
from pypdf import PdfReader

from dangwu.core.models import AuditAction, AuditEvent
from dangwu.meetings.files import pdf
from dangwu.meetings.models import Attendance, Resolution
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
def year(tree):
    """2026 of the branch: a held general meeting with times, an all-day group meeting,
    a planned lecture, a cancelled theme day; 2025's meeting and the sibling's are elsewhere."""
    zhang = factories.person(tree.branch, name="张三", group=tree.group)
    li = factories.person(tree.branch, name="李梅", group=tree.group, sex="female")
    wang = factories.person(tree.branch, name="王强")
    general = factories.meeting(
        tree.branch,
        "general_meeting",
        dt.date(2026, 3, 12),
        topic='=HYPERLINK("http://x")讨论发展对象',
        starts_at=dt.time(14, 30),
        ends_at=dt.time(16, 0),
        place="学院会议室",
        host=zhang,
        recorder=li,
        minutes="会议讨论了发展对象的确定。",
        present=(zhang, li),
        absent=(wang,),
    )
    group = factories.meeting(
        tree.group, "group_meeting", dt.date(2026, 5, 8), topic="学习党章", present=(zhang,)
    )
    lecture = factories.meeting(
        tree.branch,
        "party_lecture",
        dt.date(2026, 12, 3),
        status="planned",
        topic="书记讲党课",
        starts_at=dt.time(9, 0),
    )
    factories.meeting(tree.branch, "theme_day", dt.date(2026, 4, 1), status="cancelled")
    factories.meeting(tree.branch, "theme_day", dt.date(2025, 12, 1), topic="去年的")
    factories.meeting(tree.sibling, "theme_day", dt.date(2026, 6, 1), topic="别的支部")
    return {"general": general, "group": group, "lecture": lecture, "people": (zhang, li, wang)}


def exports():
    return list(AuditEvent.objects.filter(action=AuditAction.EXPORT).values("subject", "detail"))


# --- .ics ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("who", "expected"), MATRIX)
def test_ics_permission_matrix(client, tree, viewers, who, expected):
    url = reverse("meetings:calendar_ics", args=[tree.branch.pk])
    assert_status(login(client, viewers, who).get(url), expected)


def test_ics_holds_the_years_meetings(client, tree, worker, year):
    client.force_login(worker)
    response = client.get(reverse("meetings:calendar_ics", args=[tree.branch.pk]), {"year": 2026})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"].startswith(
        f'attachment; filename="calendar-{tree.branch.pk}-2026.ics"'
    )
    cal = Calendar.from_ical(response.content)
    assert str(cal["X-WR-CALNAME"]) == "本科生第一党支部组织生活2026"
    assert [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")] == ["Asia/Shanghai"]
    events = {str(e["UID"]): e for e in cal.walk("VEVENT")}
    g, grp, lec = year["general"], year["group"], year["lecture"]
    assert sorted(events) == sorted(
        [f"meeting-{g.pk}@dangwu", f"meeting-{grp.pk}@dangwu", f"meeting-{lec.pk}@dangwu"]
    )
    general = events[f"meeting-{g.pk}@dangwu"]
    assert str(general["SUMMARY"]) == '【支部党员大会】=HYPERLINK("http://x")讨论发展对象'
    start, end = general.decoded("DTSTART"), general.decoded("DTEND")
    assert start.isoformat() == "2026-03-12T14:30:00+08:00"
    assert str(start.tzinfo) == "Asia/Shanghai"
    assert end.isoformat() == "2026-03-12T16:00:00+08:00"
    assert str(general["LOCATION"]) == "学院会议室"
    assert str(general["DESCRIPTION"]) == "本科生第一党支部\n状态：已召开\n主持人：张三"
    assert str(general["URL"]) == f"http://testserver/meetings/{g.pk}/"
    # no time → an all-day event (DATE values, the next day as the exclusive end)
    group = events[f"meeting-{grp.pk}@dangwu"]
    assert group.decoded("DTSTART") == dt.date(2026, 5, 8)
    assert group.decoded("DTEND") == dt.date(2026, 5, 9)
    assert str(group["SUMMARY"]) == "【党小组会】学习党章"
    assert (
        str(events[f"meeting-{lec.pk}@dangwu"]["DESCRIPTION"]) == "本科生第一党支部\n状态：计划召开"
    )


def test_ics_uids_are_stable(client, tree, worker, year):
    client.force_login(worker)
    url = reverse("meetings:calendar_ics", args=[tree.branch.pk])
    first = client.get(url, {"year": 2026}).content
    assert client.get(url, {"year": 2026}).content == first


def test_ics_of_another_year_and_bad_year(client, tree, worker, year):
    client.force_login(worker)
    url = reverse("meetings:calendar_ics", args=[tree.branch.pk])
    cal = Calendar.from_ical(client.get(url, {"year": 2025}).content)
    assert [str(e["SUMMARY"]) for e in cal.walk("VEVENT")] == ["【主题党日】去年的"]
    response = client.get(url, {"year": "二〇二六"})
    assert response.status_code == 400
    assert "年份应为2000至2027之间的四位数字，收到：二〇二六。" in response.content.decode()


def test_group_ics_has_only_the_groups_meetings(client, tree, admin_user, year):
    client.force_login(admin_user)
    response = client.get(reverse("meetings:calendar_ics", args=[tree.group.pk]))
    cal = Calendar.from_ical(response.content)
    assert [str(e["SUMMARY"]) for e in cal.walk("VEVENT")] == ["【党小组会】学习党章"]


# --- the register (.xlsx) -------------------------------------------------------------------


@pytest.mark.parametrize(("who", "expected"), MATRIX)
def test_register_permission_matrix(client, tree, viewers, who, expected):
    url = reverse("meetings:register_xlsx", args=[tree.branch.pk])
    assert_status(login(client, viewers, who).get(url), expected)


def rows_of(response):
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return [list(r) for r in wb.worksheets[0].iter_rows(values_only=True)], wb


def test_register_cells(client, tree, worker, year):
    g = year["general"]
    g.minutes_approved_at = timezone.make_aware(dt.datetime(2026, 3, 20, 10, 0))
    g.save()
    Attendance.objects.create(
        meeting=year["group"],
        person=year["people"][1],
        status="on_leave",
        leave_state="approved",
        leave_reason="出差",
    )
    client.force_login(worker)
    response = client.get(reverse("meetings:register_xlsx", args=[tree.branch.pk]), {"year": 2026})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    rows, wb = rows_of(response)
    assert wb.sheetnames == ["2026年会议台账"]
    assert rows[0][0] == "本科生第一党支部2026年会议台账"
    assert rows[1] == [
        "序号", "日期", "时间", "党组织", "会议类型", "主题", "地点", "主持人", "记录人",
        "状态", "应到", "实到", "请假", "缺席", "记录审定",
    ]  # fmt: skip
    assert rows[2:] == [
        [
            1, dt.datetime(2026, 3, 12), "14:30–16:00", "本科生第一党支部", "支部党员大会",
            "'=HYPERLINK(\"http://x\")讨论发展对象", "学院会议室", "张三", "李梅",
            "已召开", 3, 2, 0, 1, "2026-03-20审定",
        ],
        [
            2, dt.datetime(2026, 4, 1), None, "本科生第一党支部", "主题党日",
            "2026年04月theme_day", None, None, None, "已取消", 0, 0, 0, 0, "未记录",
        ],
        [
            3, dt.datetime(2026, 5, 8), None, "第一党小组", "党小组会", "学习党章",
            None, None, None, "已召开", 2, 1, 1, 0, "未记录",
        ],
        [
            4, dt.datetime(2026, 12, 3), "09:00", "本科生第一党支部", "党课", "书记讲党课",
            None, None, None, "计划召开", 0, 0, 0, 0, "未记录",
        ],
    ]  # fmt: skip
    assert exports() == [
        {
            "subject": f"org:{tree.branch.code}",
            "detail": {"kind": "meetings_register_xlsx", "year": 2026, "rows": 4},
        }
    ]


def test_register_bad_year_is_400_and_not_exported(client, tree, worker):
    client.force_login(worker)
    url = reverse("meetings:register_xlsx", args=[tree.branch.pk])
    response = client.get(url, {"year": "2030"})
    assert response.status_code == 400
    assert "年份应为2000至2027之间的四位数字，收到：2030。" in response.content.decode()
    assert exports() == []


def test_register_queries_do_not_grow(client, tree, worker, django_assert_max_num_queries):
    people = [factories.person(tree.branch, name=f"党员{i}") for i in range(3)]
    for month in range(1, 13):
        factories.meeting(tree.branch, "theme_day", dt.date(2026, month, 5), present=people)
    client.force_login(worker)
    with django_assert_max_num_queries(6):  # session, user, roles, org, meetings, audit
        response = client.get(reverse("meetings:register_xlsx", args=[tree.branch.pk]))
        rows, _ = rows_of(response)
    assert len(rows) == 14


# --- the minutes (PDF) -------------------------------------------------------------------------


def weasyprint_works() -> bool:
    try:
        pdf.weasyprint()
    except pdf.PdfUnavailable:
        return False
    return True


needs_pdf = pytest.mark.skipif(
    not weasyprint_works() and os.environ.get("DANGWU_REQUIRE_BROWSER") != "1",
    reason="WeasyPrint的系统库（Pango、HarfBuzz、中文字体）未安装",
)


@pytest.mark.parametrize(("who", "expected"), MATRIX)
def test_minutes_pdf_permission_matrix(client, tree, viewers, who, expected, monkeypatch):
    # the scope is decided before the library is loaded: a server without it still says 404
    monkeypatch.setattr(pdf, "_import_weasyprint", lambda: (_ for _ in ()).throw(OSError("x")))
    m = factories.meeting(tree.branch, "general_meeting", dt.date(2026, 3, 1))
    response = login(client, viewers, who).get(reverse("meetings:minutes_pdf", args=[m.pk]))
    assert_status(response, 503 if expected == 200 else expected)


def pdf_text(response) -> str:
    pages = PdfReader(io.BytesIO(response.content)).pages
    return "".join("".join(page.extract_text().split()) for page in pages)  # no layout spaces


@needs_pdf
def test_minutes_pdf_holds_the_record(client, tree, worker, year):
    g = year["general"]
    Resolution.objects.create(
        meeting=g,
        number=1,
        text="同意确定李梅为发展对象",
        should_attend=3,
        present=2,
        in_favour=2,
        quorate=True,
        passed=True,
    )
    g.minutes_approved_at = timezone.make_aware(dt.datetime(2026, 3, 20, 10, 0))
    g.minutes_approved_by = worker
    g.save()
    client.force_login(worker)
    response = client.get(reverse("meetings:minutes_pdf", args=[g.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith(f'inline; filename="minutes-{g.pk}.pdf"')
    assert response.content.startswith(b"%PDF-")
    text = pdf_text(response)
    for expected in (
        "支部党员大会记录",
        "本科生第一党支部",
        '会议主题=HYPERLINK("http://x")讨论发展对象',
        "时间2026年3月12日14:30–16:00地点学院会议室",
        "主持人张三记录人李梅",
        "应到3人，实到2人，请假0人，缺席1人",
        "出席人员李梅、张三",  # roster (pinyin) order
        "请假人员无",
        "缺席人员王强",
        "会议讨论了发展对象的确定。",
        "1同意确定李梅为发展对象32200通过",
        "主持人签字：记录人签字：",
        "本记录已于2026年3月20日由worker审定。",
        "本记录由党务工作管理系统于2026年11月22日打印。",
    ):
        assert expected in text
    assert "会议记录尚未审定" not in text
    assert exports() == [
        {"subject": f"meeting:{g.pk}", "detail": {"kind": "meeting_minutes_pdf", "locked": True}}
    ]


@needs_pdf
def test_minutes_pdf_of_unapproved_record_says_so(client, tree, worker, year):
    client.force_login(worker)
    response = client.get(reverse("meetings:minutes_pdf", args=[year["group"].pk]))
    text = pdf_text(response)
    assert "党小组会记录" in text
    assert "会议记录尚未审定" in text


@needs_pdf
def test_a_member_on_the_list_may_print_their_meeting(client, tree, year):
    zhang = year["people"][0]
    user = factories.user_with_role("zhang", None, person=zhang)
    client.force_login(user)
    assert client.get(reverse("meetings:minutes_pdf", args=[year["group"].pk])).status_code == 200
    assert client.get(reverse("meetings:minutes_pdf", args=[year["lecture"].pk])).status_code == 404


def test_pdf_without_the_system_libraries_says_what_to_install(client, tree, worker, monkeypatch):
    def missing():
        raise OSError("cannot load library 'libpango-1.0-0'")

    monkeypatch.setattr(pdf, "_import_weasyprint", missing)
    m = factories.meeting(tree.branch, "general_meeting", dt.date(2026, 3, 1))
    client.force_login(worker)
    response = client.get(reverse("meetings:minutes_pdf", args=[m.pk]))
    assert response.status_code == 503
    page = response.content.decode()
    assert "服务器缺少生成PDF所需的系统组件" in page
    assert "sudo apt-get install libpango-1.0-0 libpangoft2-1.0-0" in page
    for package in pdf.SYSTEM_PACKAGES:
        assert f"<code>{package}</code>" in page
    assert exports() == []


def test_pdf_without_the_python_package_says_so(client, tree, worker, monkeypatch):
    def missing():
        raise ImportError("No module named 'weasyprint'")

    monkeypatch.setattr(pdf, "_import_weasyprint", missing)
    m = factories.meeting(tree.branch, "general_meeting", dt.date(2026, 3, 1))
    client.force_login(worker)
    response = client.get(reverse("meetings:minutes_pdf", args=[m.pk]))
    assert response.status_code == 503
    assert "pip install weasyprint" in response.content.decode()
