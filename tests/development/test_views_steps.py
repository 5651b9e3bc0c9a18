"""A person's development timeline and the step forms: done / next / overdue on the page,
the permission matrix (404 outside the scope), recording a step through the form (the
rule that refuses it today, the exception that keeps a past fact), the "检查" preview,
corrections, scans, and query counts that do not grow with the entries."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dangwu.core.models import AuditAction, AuditEvent
from dangwu.development.models import DevelopmentRecord, RuleException, StepEntry, StepFile
from dangwu.development.services import steps as step_services
from dangwu.members.models import Person
from tests import factories
from tests.members.test_views import assert_status, login, texts

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 22)
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
MATRIX = [
    ("anonymous", 302),
    ("no_role", 404),
    ("sibling", 404),
    ("own_org", 200),
    ("ancestor", 200),
]
CULT_1Y = "《中国共产党发展党员工作细则》第十三条"


@pytest.fixture(autouse=True)
def frozen(monkeypatch):
    monkeypatch.setattr("dangwu.development.views_steps.today", lambda: TODAY)


def activist_steps(activist: str = "2025-09-10", assessments: int = 1) -> dict:
    """An activist's record up to the assessments (one every month from the activist date)."""
    start = dt.date.fromisoformat(activist)
    dates = [
        dt.date(start.year + (start.month + i - 1) // 12, (start.month + i - 1) % 12 + 1, 1)
        for i in range(1, assessments + 1)
    ]
    return {
        "application": {"date": "2025-03-01"},
        "application_talk": {"date": "2025-03-20"},
        "activist": {"date": activist, "recommended_by": "party_members"},
        "activist_filing": {"date": activist},
        "contacts_assigned": {"date": activist, "people": [{"status": "full", "name": "张三"}]},
        "activist_assessments": [{"date": d.isoformat()} for d in dates],
    }


@pytest.fixture
def wang(tree):
    """王五, an activist in the branch (born 2003), with 张三 a full member beside him."""
    return factories.person(
        tree.branch, name="王五", status="activist", birth_date=dt.date(2003, 1, 1)
    )


@pytest.fixture
def zhang(tree):
    return factories.person(tree.branch, name="张三")


@pytest.fixture
def record(wang):
    """Activist since 2025-09-10, last assessed 2026-03-01: the next assessment was due by
    2026-09-01 (overdue on 2026-11-22) and the candidate may be named from 2026-09-10."""
    steps = activist_steps()
    steps["activist_assessments"] = [{"date": "2026-03-01"}]
    return factories.development(wang, {"steps": steps}, today=TODAY)


@pytest.fixture
def young(wang):
    """Activist since 2026-01-10: a candidate cannot be named before 2027-01-10."""
    steps = activist_steps("2026-01-10")
    steps["activist_assessments"] = [{"date": "2026-07-01"}]
    return factories.development(wang, {"steps": steps}, today=TODAY)


def page(client, person):
    return client.get(reverse("development:person", args=[person.pk]))


def html(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def step_url(person, step: str) -> str:
    return reverse("development:step", args=[person.pk, step])


# --- the timeline page --------------------------------------------------------------------------


def test_the_timeline_shows_done_next_and_overdue_steps(client, worker, wang, record):
    client.force_login(worker)

    response = page(client, wang)

    body = html(response)
    assert response.status_code == 200
    states = {r.sv.key: r.sv.state for r in response.context["rows"]}
    assert [k for k, s in states.items() if s == "done"] == [
        "application",
        "application_talk",
        "activist",
        "activist_filing",
        "contacts_assigned",
        "activist_assessments",
    ]
    assert states["candidate"] == "next"
    assert states["candidate_filing"] == "pending"
    assert states["publicity"] == "optional"
    # The next step's window, and the overdue assessment.
    assert '<p class="dev-window">最早可确定为发展对象：2026-09-10</p>' in body
    assert (
        '<p class="dev-window dev-window-late">下一次培养教育考察：2026-09-01前 '
        '<span class="badge badge-error">已逾期</span></p>'
    ) in body
    # A done step: event date, data, people, who recorded it (event date ≠ entry date).
    assert "<strong>2025-09-10</strong>" in body
    assert "<dt>推荐方式</dt><dd>党员推荐</dd>" in body
    assert '<span class="muted">培养联系人</span> 张三' in body
    assert "历史导入：factory · " in body
    # Findings grouped by step with code, message, citation and due date.
    assert '<div class="dev-findings-group" id="findings-activist_assessments">' in body
    assert "自2026年3月1日以来已超过半年没有培养教育考察，应在2026年9月1日前考察。" in body
    assert "<cite>《中国共产党发展党员工作细则》第十一条</cite> · 期限 2026-09-01" in body
    # Links: the next step, reports, the PDF sheet, the board.
    assert f'href="{step_url(wang, "candidate")}">登记下一步</a>' in body
    assert reverse("development:reports", args=[wang.pk]) in body
    assert reverse("development:sheet", args=[wang.pk]) in body
    assert reverse("development:board", args=[wang.branch.pk]) in body


def test_a_late_step_not_recorded_is_marked_overdue(client, tree, worker):
    applicant = factories.person(tree.branch, name="赵六", status="applicant")
    factories.development(applicant, {"steps": {"application": {"date": "2026-09-01"}}})
    client.force_login(worker)

    response = page(client, applicant)

    body = html(response)
    states = {r.sv.key: r.sv.state for r in response.context["rows"]}
    assert states["application_talk"] == "late"
    assert (
        '<p class="dev-window dev-window-late">党组织派人谈话：2026-10-01前 '
        '<span class="badge badge-error">已逾期</span></p>'
    ) in body
    assert "DEV-TALK-1M" in body


def test_a_person_without_a_record_gets_the_application_button(client, tree, worker):
    applicant = factories.person(tree.branch, name="赵六", status="applicant")
    client.force_login(worker)

    response = page(client, applicant)

    body = html(response)
    assert "尚未建立发展党员记录" in body
    assert f'href="{step_url(applicant, "application")}">登记递交入党申请书</a>' in body


def test_a_member_sees_their_own_timeline_without_buttons(client, wang, record):
    client.force_login(factories.user_with_role("wang", None, person=wang))

    response = page(client, wang)

    body = html(response)
    assert response.status_code == 200
    assert "最早可确定为发展对象：2026-09-10" in body
    assert "登记下一步" not in body
    assert "btn-small" not in body  # no 登记 / 再登记一次 buttons
    assert reverse("development:board", args=[wang.branch.pk]) not in body


@pytest.mark.parametrize(("who", "expected"), MATRIX)
def test_person_page_permission_matrix(client, viewers, wang, record, who, expected):
    response = page(login(client, viewers, who), wang)

    assert_status(response, expected)


@pytest.mark.parametrize("assessments", [2, 20])
def test_the_timeline_query_count_does_not_grow(
    client, worker, wang, assessments, django_assert_max_num_queries
):
    factories.development(wang, {"steps": activist_steps("2025-01-10", assessments)}, today=TODAY)
    client.force_login(worker)

    with django_assert_max_num_queries(12):
        response = page(client, wang)

    row = next(r for r in response.context["rows"] if r.sv.key == "activist_assessments")
    assert len(row.sv.entries) == assessments


# --- the step form: who may open it -------------------------------------------------------------


@pytest.mark.parametrize(("who", "expected"), MATRIX)
def test_step_form_permission_matrix(client, viewers, wang, record, who, expected):
    response = login(client, viewers, who).get(step_url(wang, "candidate"))

    assert_status(response, expected)


def test_step_form_is_404_for_roles_without_develop_and_for_the_person(client, tree, wang, record):
    leader = factories.user_with_role("gl", tree.branch, "group_leader")
    own = factories.user_with_role("wang", None, person=wang)

    for user in (leader, own):
        client.force_login(user)
        assert client.get(step_url(wang, "candidate")).status_code == 404
        assert client.post(step_url(wang, "candidate"), {"date": "2026-11-22"}).status_code == 404
    assert StepEntry.objects.filter(step="candidate").count() == 0


def test_an_unknown_step_is_404(client, worker, wang, record):
    client.force_login(worker)

    assert client.get(step_url(wang, "graduation")).status_code == 404


def test_the_form_shows_the_rules_and_the_window(client, worker, wang, young):
    client.force_login(worker)

    response = client.get(step_url(wang, "candidate"))

    body = html(response)
    assert (
        '<code class="finding-code">DEV-CULT-1Y</code> '
        "确定发展对象须在确定为入党积极分子一年以上。 "
        f'<cite class="muted small">{CULT_1Y}</cite>'
    ) in body
    assert '<p class="dev-window" id="step-window">最早可确定为发展对象：2027-01-10</p>' in body
    assert 'name="date" value="2026-11-22"' in body


def test_a_meeting_step_shows_the_voting_rights_and_prefills_should_attend(
    client, tree, worker, wang, record
):
    factories.person(tree.branch, name="张三")
    factories.person(tree.branch, name="李四")
    factories.person(tree.branch, name="孙七", status="probationary")
    client.force_login(worker)

    response = client.get(step_url(wang, "admission_meeting"))

    body = html(response)
    assert "2026-11-22本支部有表决权的正式党员 <strong>2</strong> 名。" in body
    assert "<li>孙七：" in body
    assert response.context["form"]["should_attend"].value() == 2
    assert "VOTE-QUORUM" in body
    assert "VOTE-PASS" in body
    assert "DEV-PRE-REVIEW" in body


# --- recording a step ---------------------------------------------------------------------------


def test_posting_a_valid_step_records_it_and_moves_the_status(client, worker, wang, record):
    client.force_login(worker)

    response = client.post(step_url(wang, "candidate"), {"date": "2026-11-20"}, follow=True)

    assert response.redirect_chain == [(reverse("development:person", args=[wang.pk]), 302)]
    assert texts(response) == ["已登记第7步「确定发展对象」（2026-11-20）。"]
    entry = StepEntry.objects.get(record=record, step="candidate")
    assert entry.date == dt.date(2026, 11, 20)
    assert entry.recorded_by == worker
    wang.refresh_from_db()
    assert wang.status == "candidate"


def test_a_repeated_step_adds_an_entry(client, worker, wang, record):
    client.force_login(worker)

    client.post(step_url(wang, "activist_assessments"), {"date": "2026-11-20"})

    assert list(
        StepEntry.objects.filter(record=record, step="activist_assessments").values_list(
            "seq", "date"
        )
    ) == [(0, dt.date(2026, 3, 1)), (1, dt.date(2026, 11, 20))]


def test_people_pickers_record_the_contacts(client, tree, worker, zhang):
    applicant = factories.person(tree.branch, name="赵六", status="activist")
    steps = activist_steps("2026-11-01")
    del steps["contacts_assigned"], steps["activist_assessments"]
    rec = factories.development(applicant, {"steps": steps}, today=TODAY)
    client.force_login(worker)

    client.post(
        step_url(applicant, "contacts_assigned"), {"date": "2026-11-20", "contacts_1": zhang.pk}
    )

    entry = StepEntry.objects.get(record=rec, step="contacts_assigned")
    assert list(entry.people.values_list("person__name", "status", "role")) == [
        ("张三", "full", "contact")
    ]


def test_a_step_that_breaks_cult_1y_today_is_refused_with_the_earliest_date(
    client, worker, wang, young
):
    client.force_login(worker)

    response = client.post(step_url(wang, "candidate"), {"date": "2026-11-22"})

    body = html(response)
    message = (
        "确定为发展对象（2026年11月22日）距确定为入党积极分子（2026年1月10日）不满一年，"
        "最早可于2027年1月10日确定。"
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [f"{message}（{CULT_1Y}）"]
    assert f'<p class="field-error">{message}（{CULT_1Y}）</p>' in body
    assert "最早可确定为发展对象：2027-01-10" in body
    assert 'name="date" value="2026-11-22"' in body  # the input is kept
    assert "exception-fields" not in body  # dated today: no exception possible
    assert not StepEntry.objects.filter(step="candidate").exists()
    wang.refresh_from_db()
    assert wang.status == "activist"


def test_a_past_fact_breaking_a_rule_needs_a_reason_and_an_approver(client, worker, wang, young):
    client.force_login(worker)

    response = client.post(step_url(wang, "candidate"), {"date": "2026-11-02"})

    body = html(response)
    assert response.context["form"].errors["exception_reason"] == [
        "请填写情况说明（为何按既往事实登记）。"
    ]
    assert response.context["form"].errors["approver"] == [
        "请选择批准人（具有审批权限的支部负责人或党务工作者）。"
    ]
    assert 'id="exception-fields"' in body
    assert "DEV-CULT-1Y" in body
    assert not StepEntry.objects.filter(step="candidate").exists()


def test_a_past_fact_with_reason_and_approver_is_kept_with_the_exception(
    client, tree, worker, wang, young
):
    secretary = factories.user_with_role("sec", tree.branch, "secretary")
    client.force_login(worker)

    response = client.post(
        step_url(wang, "candidate"),
        {
            "date": "2026-11-02",
            "exception_reason": "按当时支部大会决定补录。",
            "approver": secretary.pk,
        },
    )

    assert response.status_code == 302
    entry = StepEntry.objects.get(step="candidate")
    assert list(entry.exceptions.values_list("code", "reason", "approved_by")) == [
        ("DEV-CULT-1Y", "按当时支部大会决定补录。", secretary.pk)
    ]
    body = html(page(client, wang))
    assert '<code class="finding-code">DEV-CULT-1Y</code>' in body
    assert "情况说明：</span>按当时支部大会决定补录。" in body
    assert "批准人：sec" in body


def test_the_approver_list_holds_only_users_with_approve_on_the_branch(
    client, tree, worker, wang, record, viewers
):
    factories.user_with_role("leader", tree.group, "group_leader")
    client.force_login(worker)

    response = client.get(step_url(wang, "candidate"))

    approvers = response.context["form"].fields["approver"].queryset
    assert sorted(u.username for u in approvers) == ["anc", "own", "worker"]


def test_the_preview_returns_findings_without_writing(client, worker, wang, young):
    client.force_login(worker)

    response = client.post(
        step_url(wang, "candidate"),
        {"date": "2026-11-02", "preview": "1"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="step-form-card",
    )

    body = html(response)
    assert response.status_code == 200
    assert body.lstrip().startswith('<section class="card" id="step-form-card"')
    assert "<html" not in body
    assert "检查结果：须填写例外说明" in body
    assert "最早可于2027年1月10日确定。" in body
    assert 'id="exception-fields"' in body
    assert not StepEntry.objects.filter(step="candidate").exists()
    assert RuleException.objects.count() == 0


def test_the_preview_of_a_clean_step(client, worker, wang, record):
    client.force_login(worker)

    response = client.post(
        step_url(wang, "candidate"), {"date": "2026-11-20", "preview": "1"}, HTTP_HX_REQUEST="true"
    )

    assert "检查结果：可以登记" in html(response) or "检查结果：未发现新的问题" in html(response)
    assert not StepEntry.objects.filter(step="candidate").exists()


@pytest.mark.parametrize(
    ("step", "data", "field", "message"),
    [
        ("candidate", {"date": "2026-13-01"}, "date", "输入一个有效的日期。"),
        (
            "candidate",
            {"date": "2026-11-23"},
            "date",
            "日期不能晚于今天：只能登记已经发生的步骤。",
        ),
        ("candidate", {}, "date", "这个字段是必填项。"),
        (
            "activist_assessments",
            {"date": "2026-11-30"},
            "date",
            "日期不能晚于今天：只能登记已经发生的步骤。",
        ),
        (
            "political_review",
            {"date": "2026-11-20"},
            "passed",
            "这个字段是必填项。",
        ),
    ],
)
def test_bad_input_shows_a_chinese_error_and_changes_nothing(
    client, worker, wang, record, step, data, field, message
):
    client.force_login(worker)
    before = StepEntry.objects.count()

    response = client.post(step_url(wang, step), data)

    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    assert StepEntry.objects.count() == before
    wang.refresh_from_db()
    assert wang.status == "activist"


def test_a_missing_recommendation_is_refused_beside_the_field(client, tree, worker):
    applicant = factories.person(tree.branch, name="赵六", status="applicant")
    factories.development(
        applicant,
        {
            "steps": {
                "application": {"date": "2025-03-01"},
                "application_talk": {"date": "2025-03-20"},
            }
        },
    )
    client.force_login(worker)

    response = client.post(step_url(applicant, "activist"), {"date": "2026-11-20"})

    assert response.context["form"].errors["recommended_by"] == [
        "请选择推荐方式（党员推荐或群团组织推优）。"
    ]
    assert not StepEntry.objects.filter(step="activist").exists()


def test_recording_the_application_opens_the_record(client, tree, worker):
    applicant = factories.person(tree.branch, name="赵六", status="applicant")
    client.force_login(worker)

    response = client.post(step_url(applicant, "application"), {"date": "2026-11-20"})

    assert response.status_code == 302
    rec = DevelopmentRecord.objects.get(person=applicant)
    assert list(rec.steps.values_list("step", "date")) == [("application", dt.date(2026, 11, 20))]


def test_a_step_before_the_application_is_sent_back_to_the_person_page(client, tree, worker):
    applicant = factories.person(tree.branch, name="赵六", status="applicant")
    client.force_login(worker)

    response = client.get(step_url(applicant, "activist"), follow=True)

    assert texts(response) == ["尚未登记递交入党申请书，请先登记第1步。"]
    assert not DevelopmentRecord.objects.exists()


# --- one entry: correction, files ---------------------------------------------------------------


def test_entry_detail_corrects_an_entry(client, worker, wang, record):
    entry = StepEntry.objects.get(record=record, step="activist_assessments")
    client.force_login(worker)

    response = client.post(
        reverse("development:entry", args=[entry.pk]),
        {"date": "2026-03-02", "conclusion": "表现良好。"},
    )

    assert response.status_code == 302
    entry.refresh_from_db()
    assert (entry.date, entry.conclusion) == (dt.date(2026, 3, 2), "表现良好。")


@pytest.mark.parametrize(("who", "expected"), MATRIX)
def test_entry_page_permission_matrix(client, viewers, wang, record, who, expected):
    entry = StepEntry.objects.get(record=record, step="activist")

    response = login(client, viewers, who).get(reverse("development:entry", args=[entry.pk]))

    assert_status(response, expected)


@pytest.fixture
def scan(settings, tmp_path, worker, record):
    settings.MEDIA_ROOT = tmp_path
    entry = StepEntry.objects.get(record=record, step="activist")
    return step_services.file_attach(
        actor=worker,
        entry=entry,
        upload=SimpleUploadedFile("推荐表.png", PNG, content_type="image/png"),
        title="推荐表",
    )


@pytest.mark.parametrize(("who", "expected"), MATRIX)
def test_file_download_permission_matrix(client, viewers, scan, who, expected):
    response = login(client, viewers, who).get(reverse("development:file", args=[scan.pk]))

    assert_status(response, expected)
    if expected == 200:
        assert b"".join(response.streaming_content) == PNG
        assert AuditEvent.objects.filter(action=AuditAction.EXPORT).count() == 1


def test_file_upload_through_the_entry_page(client, settings, tmp_path, worker, record):
    settings.MEDIA_ROOT = tmp_path
    entry = StepEntry.objects.get(record=record, step="activist")
    client.force_login(worker)

    response = client.post(
        reverse("development:file_upload", args=[entry.pk]),
        {"title": "推荐表", "upload": SimpleUploadedFile("a.png", PNG, content_type="image/png")},
        follow=True,
    )

    assert texts(response) == ["已上传：推荐表"]
    assert list(StepFile.objects.values_list("title", "entry")) == [("推荐表", entry.pk)]


def test_a_bad_upload_is_refused_and_nothing_kept(client, settings, tmp_path, worker, record):
    settings.MEDIA_ROOT = tmp_path
    entry = StepEntry.objects.get(record=record, step="activist")
    client.force_login(worker)

    response = client.post(
        reverse("development:file_upload", args=[entry.pk]),
        {"upload": SimpleUploadedFile("a.exe", b"MZ" + b"\0" * 20)},
        follow=True,
    )

    assert texts(response) == ["附件只能是PDF、JPEG或PNG格式。"]
    assert not StepFile.objects.exists()


def test_file_upload_is_404_outside_edit(client, viewers, settings, tmp_path, record):
    settings.MEDIA_ROOT = tmp_path
    entry = StepEntry.objects.get(record=record, step="activist")
    client.force_login(viewers["sibling"])

    response = client.post(
        reverse("development:file_upload", args=[entry.pk]),
        {"upload": SimpleUploadedFile("a.png", PNG)},
    )

    assert response.status_code == 404
    assert not StepFile.objects.exists()
    assert Person.objects.filter(name="王五").count() == 1
