"""The development record sheet (发展党员纪实表) as PDF: the exact data it shows (its
context, and the text read back from the PDF with pypdf), the permission matrix, the
member's own sheet, the audit row, and the 503 page naming the packages to install."""

import datetime as dt
import io
import os

import pytest
from django.urls import reverse
from pypdf import PdfReader

from dangwu.core.models import AuditAction, AuditEvent
from dangwu.development.files import sheet_pdf as sheet
from dangwu.development.models import RuleException, StepEntry, ThoughtReport
from dangwu.meetings.files import pdf as meetings_pdf
from tests import factories
from tests.development.helpers import example_timeline
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
    monkeypatch.setattr("dangwu.development.views_sheet.today", lambda: TODAY)


def no_library(monkeypatch, error=None):
    def missing():
        raise error or OSError("cannot load library 'libpango-1.0-0'")

    monkeypatch.setattr(meetings_pdf, "_import_weasyprint", missing)


def weasyprint_works() -> bool:
    try:
        meetings_pdf.weasyprint()
    except meetings_pdf.PdfUnavailable:
        return False
    return True


needs_pdf = pytest.mark.skipif(
    not weasyprint_works() and os.environ.get("DANGWU_REQUIRE_BROWSER") != "1",
    reason="WeasyPrint的系统库（Pango、HarfBuzz、中文字体）未安装",
)


@pytest.fixture
def record(tree, worker):
    """王小明's whole record (the DOMAIN.md §5 example): contacts and introducers linked to
    the branch's members (one introducer under 留党察看, kept as an exception), the
    committee as the approving organization, a review conclusion, three thought reports."""
    zhang = factories.person(tree.branch, name="张三")
    li = factories.person(tree.branch, name="李梅", sex="female")
    wang = factories.person(
        tree.branch,
        name="王小明",
        birth_date=dt.date(2001, 5, 4),
        league_member=True,
        education="bachelor",
        work_unit="计算机2019级1班",
        admission_date=dt.date(2021, 6, 8),
        full_since=dt.date(2022, 6, 8),
    )
    data = example_timeline()
    data.pop("person")
    steps = data["steps"]
    steps["contacts_assigned"]["people"] = [
        {"status": "full", "name": "张三", "person_id": zhang.pk},
        {"status": "full", "name": "李梅", "person_id": li.pk},
    ]
    steps["introducers"]["people"] = [
        {"status": "full", "name": "张三", "person_id": zhang.pk},
        {
            "status": "full",
            "sanction": "probation_within_party",
            "name": "李梅",
            "person_id": li.pk,
        },
    ]
    data["thought_reports"] = [{"date": d} for d in ("2020-06-30", "2020-09-30", "2020-12-20")]
    rec = factories.development(wang, data, actor=worker, today=TODAY)
    entries = {e.step: e for e in StepEntry.objects.filter(record=rec)}
    StepEntry.objects.filter(pk=entries["admission_approval"].pk).update(
        approving_org=tree.committee
    )
    StepEntry.objects.filter(pk=entries["political_review"].pk).update(
        conclusion="经函调本人及家庭成员，政治历史清楚。"
    )
    StepEntry.objects.filter(pk=entries["admission_meeting"].pk).update(
        voters_note="2人出国留学6个月以上，经批准不计入应到会人数"
    )
    RuleException.objects.create(
        entry=entries["introducers"],
        code="DEV-INTRODUCERS",
        message="第2名入党介绍人（李梅）正在留党察看期内，不能担任入党介绍人。",
        citation="《中国共产党发展党员工作细则》第十四条",
        reason="历史档案如此，已报党委说明。",
        approved_by=worker,
        recorded_by=worker,
    )
    assert ThoughtReport.objects.filter(record=rec).count() == 3
    return rec


def test_the_sheet_holds_the_exact_data(record):
    # When the sheet's context is computed
    ctx = sheet.sheet_context(record, today=TODAY)
    # Then the person's particulars
    assert ctx["fact_rows"] == [
        [("姓名", "王小明"), ("性别", "男")],
        [("出生日期", "2001年5月4日"), ("民族", "汉族")],
        [("学历", "大学本科"), ("工作单位或班级", "计算机2019级1班")],
        [("所在党支部", "本科生第一党支部"), ("当前政治面貌", "正式党员")],
    ]
    # and the 25 steps (and the publicity) in the 5 stages, each with its data and recorder
    assert [(s.name, len(s.rows)) for s in ctx["stages"]] == [
        ("申请入党", 2),
        ("入党积极分子的确定和培养教育", 4),
        ("发展对象的确定和考察", 5),
        ("预备党员的接收", 8),
        ("预备党员的教育考察和转正", 7),
    ]
    rows = {r.key: r for s in ctx["stages"] for r in s.rows}
    assert [r.label for s in ctx["stages"] for r in s.rows] == [
        *[str(n) for n in range(1, 13)],
        "—",
        *[str(n) for n in range(13, 26)],
    ]

    def shown(key):
        return [(e.date, e.details, e.recorded_by, e.imported) for e in rows[key].entries]

    assert shown("application") == [("2019年10月8日", [], "worker", True)]
    assert shown("activist") == [("2020年4月20日", ["推荐方式：共青团推优"], "worker", True)]
    assert shown("contacts_assigned")[0][1] == ["培养联系人：张三（正式党员）、李梅（正式党员）"]
    assert [d for d, *_ in shown("activist_assessments")] == ["2020年10月15日", "2021年4月15日"]
    assert shown("introducers")[0][1] == [
        "入党介绍人：张三（正式党员）、李梅（正式党员，留党察看）"
    ]
    assert shown("political_review")[0][1] == [
        "政审结论：合格",
        "政审结论材料：经函调本人及家庭成员，政治历史清楚。",
    ]
    assert shown("training")[0][1] == ["培训时间：2021年5月14日至2021年5月16日，3天，24学时"]
    # five working days from Wednesday 19 May 2021: 19, 20, 21, 24, 25 May
    assert shown("publicity")[0][1] == ["公示：自2021年5月19日起5个工作日，至2021年5月25日止"]
    assert shown("pre_review")[0][1] == ["办理的党组织：基层党委"]
    assert shown("admission_meeting")[0][1] == [
        "表决：应到会有表决权党员25人，实到20人，赞成18票，书面赞成意见1份"
        "（2人出国留学6个月以上，经批准不计入应到会人数）"
    ]
    assert shown("admission_approval")[0][1] == ["办理的党组织：某大学党委（基层党委）"]
    assert shown("conversion_meeting")[0][1] == [
        "表决：应到会有表决权党员26人，实到22人，赞成22票，书面赞成意见0份"
    ]
    assert shown("archiving") == [("2022年7月20日", [], "worker", True)]
    assert "probation_extension" not in rows
    # and the findings on the print date, and the exception kept with its reason and approver
    assert [(f.finding.code, f.severity, f.step) for f in ctx["findings"]] == [
        ("DEV-INTRODUCERS", "错误", "第9步「确定入党介绍人」"),
        ("DEV-THOUGHT-REPORT", "提醒", "思想汇报"),
    ]
    assert ctx["findings"][1].finding.message == (
        "2020年第1季度、2021年第1季度至2022年第2季度（共6个季度）没有思想汇报（应每季度至少一次）。"
    )
    assert ctx["exceptions"] == [
        {
            "step": "第9步「确定入党介绍人」",
            "code": "DEV-INTRODUCERS",
            "message": "第2名入党介绍人（李梅）正在留党察看期内，不能担任入党介绍人。",
            "citation": "《中国共产党发展党员工作细则》第十四条",
            "reason": "历史档案如此，已报党委说明。",
            "approver": "worker",
            "recorded": ctx["exceptions"][0]["recorded"],
        }
    ]
    assert ctx["thought_reports"] == 3


def test_a_record_on_the_way_shows_empty_steps_and_an_extension(tree):
    # Given a probationary member whose probation was extended, with a later step missing
    p = factories.person(tree.branch, name="赵六", status="probationary")
    rec = factories.development(
        p,
        {
            "steps": {
                "admission_meeting": {
                    "date": "2025-06-10",
                    "should_attend": 20,
                    "present": 18,
                    "in_favour": 18,
                },
                "probation_extension": {
                    "date": "2026-06-12",
                    "months": 6,
                    "approval_date": "2026-06-30",
                    "should_attend": 20,
                    "present": 16,
                    "in_favour": 15,
                },
            }
        },
    )
    ctx = sheet.sheet_context(rec, today=TODAY)
    rows = {r.key: r for s in ctx["stages"] for r in s.rows}
    # Then steps not yet taken are listed without a date, and the extension is shown
    assert rows["application"].entries == []
    assert [e.details for e in rows["probation_extension"].entries] == [
        [
            "表决：应到会有表决权党员20人，实到16人，赞成15票，书面赞成意见0份",
            "延长预备期6个月，2026年6月30日批准",
        ]
    ]
    assert rows["probation_extension"].label == "—"


def exports():
    return list(
        AuditEvent.objects.filter(action=AuditAction.PRINT).values("actor", "subject", "detail")
    )


@needs_pdf
def test_the_pdf_is_a4_chinese_and_holds_the_record(client, worker, record):
    # When the party worker prints the sheet
    client.force_login(worker)
    response = client.get(reverse("development:sheet", args=[record.person_id]))
    # Then a PDF comes back
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith(
        f'inline; filename="development-sheet-{record.person_id}.pdf"'
    )
    assert response.content.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(response.content))
    box = reader.pages[0].mediabox
    assert (round(float(box.width) / 72 * 25.4), round(float(box.height) / 72 * 25.4)) == (
        210,
        297,
    )
    text = "".join("".join(p.extract_text().split()) for p in reader.pages)
    for expected in (
        "发展党员纪实表",
        "姓名王小明性别男",
        "1.申请入党",
        "5.预备党员的教育考察和转正",
        "入党介绍人：张三（正式党员）、李梅（正式党员，留党察看）",
        "应到会有表决权党员25人，实到20人，赞成18票，书面赞成意见1份",
        "DEV-INTRODUCERS",
        "DEV-THOUGHT-REPORT",
        "历史档案如此，已报党委说明。",
        "支部书记签字：",
        "党委审批意见：",
        "本表由党务工作管理系统于2026年11月22日打印。",
    ):
        assert expected in text, expected
    # and the print is audited
    assert exports() == [
        {
            "actor": worker.pk,
            "subject": f"person:{record.person_id}",
            "detail": {"kind": "development_sheet_pdf", "record": record.pk},
        }
    ]


@pytest.mark.parametrize(("who", "expected"), MATRIX)
def test_sheet_permission_matrix(client, viewers, record, who, expected, monkeypatch):
    # the scope is decided before the library is loaded: a server without it still says 404
    no_library(monkeypatch)
    response = login(client, viewers, who).get(
        reverse("development:sheet", args=[record.person_id])
    )
    assert_status(response, 503 if expected == 200 else expected)


def test_a_member_may_print_their_own_sheet_only(client, tree, record, monkeypatch):
    no_library(monkeypatch)
    own = factories.user_with_role("wang", None, person=record.person)
    client.force_login(own)
    assert client.get(reverse("development:sheet", args=[record.person_id])).status_code == 503
    other = factories.person(tree.branch, name="孙七", status="applicant")
    factories.development(other, {"steps": {"application": {"date": "2026-10-08"}}})
    assert client.get(reverse("development:sheet", args=[other.pk])).status_code == 404


def test_a_group_leader_and_a_person_without_record_get_404(client, tree, worker, monkeypatch):
    no_library(monkeypatch)
    person = factories.person(tree.branch, name="周八", status="applicant")
    client.force_login(worker)
    assert client.get(reverse("development:sheet", args=[person.pk])).status_code == 404
    assert client.get(reverse("development:sheet", args=[999999])).status_code == 404
    leader = factories.user_with_role("leader", tree.group, "group_leader")
    client.force_login(leader)
    factories.development(person, {"steps": {"application": {"date": "2026-10-08"}}})
    assert client.get(reverse("development:sheet", args=[person.pk])).status_code == 404


def test_pdf_without_the_system_libraries_says_what_to_install(client, worker, record, monkeypatch):
    no_library(monkeypatch)
    client.force_login(worker)
    response = client.get(reverse("development:sheet", args=[record.person_id]))
    assert response.status_code == 503
    page = response.content.decode()
    assert "服务器缺少生成PDF所需的系统组件" in page
    assert "发展党员纪实表" in page
    assert "sudo apt-get install libpango-1.0-0 libpangoft2-1.0-0" in page
    for package in sheet.SYSTEM_PACKAGES:
        assert f"<code>{package}</code>" in page
    assert exports() == []


def test_pdf_without_the_python_package_says_so(client, worker, record, monkeypatch):
    no_library(monkeypatch, ImportError("No module named 'weasyprint'"))
    client.force_login(worker)
    response = client.get(reverse("development:sheet", args=[record.person_id]))
    assert response.status_code == 503
    assert "pip install weasyprint" in response.content.decode()


def test_post_is_refused(client, worker, record):
    client.force_login(worker)
    response = client.post(reverse("development:sheet", args=[record.person_id]))
    assert response.status_code == 405
