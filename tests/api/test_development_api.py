"""/api/v1/development: a person's timeline, the recorded steps, recording a step."""

import datetime as dt

import pytest

from dangwu.accounts.models import User
from dangwu.development.models import DevelopmentRecord, RuleException, StepEntry
from dangwu.development.services.steps import step_record
from dangwu.members.models import Person, StatusChange
from tests import factories
from tests.api.test_members_api import MATRIX, as_viewer, assert_refused, post_json

API = "/api/v1/development"
D = dt.date
TODAY = D(2026, 11, 22)
pytestmark = pytest.mark.django_db
WRITE_MATRIX = [
    ("anonymous", 401),
    ("no_role", 404),
    ("sibling", 404),
    ("group_leader", 404),
    ("committee_member", 201),
    ("own_org", 201),
    ("ancestor", 201),
]


@pytest.fixture
def frozen(monkeypatch):
    monkeypatch.setattr("dangwu.api.development.today", lambda: TODAY)
    monkeypatch.setattr("dangwu.core.clock.today", lambda: TODAY)


@pytest.fixture
def applicant(tree, worker, frozen):
    """王小明, who applied on 2026-09-01 (recorded live)."""
    person = factories.person(
        tree.branch, name="王小明", status="applicant", birth_date=D(2000, 1, 1)
    )
    step_record(
        actor=worker, person=person, step="application", data={"date": D(2026, 9, 1)}, today=TODAY
    )
    return person


@pytest.fixture
def activist(tree, frozen):
    """刘积极, an activist since 2026-01-05 with one contact (an imported record)."""
    contact = factories.person(tree.branch, name="赵一")
    person = factories.person(
        tree.branch, name="刘积极", status="activist", birth_date=D(2000, 1, 1)
    )
    factories.development(
        person,
        {
            "steps": {
                "application": {"date": "2025-01-31"},
                "application_talk": {"date": "2025-02-10"},
                "activist": {"date": "2026-01-05", "recommended_by": "party_members"},
                "activist_filing": {"date": "2026-01-06"},
                "contacts_assigned": {
                    "date": "2026-01-06",
                    "people": [{"name": "赵一", "status": "full", "person_id": contact.pk}],
                },
                "activist_assessments": [{"date": "2026-07-01"}],
            }
        },
    )
    return person


def counts():
    return (
        DevelopmentRecord.objects.count(),
        StepEntry.objects.count(),
        RuleException.objects.count(),
        StatusChange.objects.count(),
    )


def viewer(viewers, tree, who):
    if who in ("committee_member", "group_leader"):
        existing = User.objects.filter(username=who).first()
        return existing or factories.user_with_role(who, tree.branch, kind=who)
    return viewers[who]


# --- GET ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("who", "status"), MATRIX)
def test_timeline_matrix(client, viewers, applicant, who, status):
    response = as_viewer(client, viewers[who]).get(f"{API}/people/{applicant.pk}/timeline")

    if status != 200:
        assert_refused(response, status)
        return
    body = response.json()
    assert body["timeline"] == {
        "person": {"birth_date": "2000-01-01", "league_member": False},
        "steps": {"application": {"date": "2026-09-01"}},
        "thought_reports": [],
    }
    assert (body["state"], body["stage"], body["next_step"]) == (
        "open",
        "application",
        "application_talk",
    )
    assert body["findings"] == [
        {
            "code": "DEV-TALK-1M",
            "severity": "error",
            "step": "application_talk",
            "message": "递交入党申请书（2026年9月1日）已满一个月，尚未记录党组织派人谈话，"
            "应在2026年10月1日前谈话。",
            "citation": "《中国共产党发展党员工作细则》第七条",
            "due": "2026-10-01",
        }
    ]
    talk = next(d for d in body["deadlines"] if d["step"] == "application_talk")
    assert talk == {
        "step": "application_talk",
        "label": "党组织派人谈话",
        "earliest": None,
        "latest": "2026-10-01",
        "overdue": True,
    }


def test_timeline_of_a_person_without_a_record_is_empty(client, worker, tree, frozen):
    person = factories.person(tree.branch, name="新申请", status="applicant")
    client.force_login(worker)

    body = client.get(f"{API}/people/{person.pk}/timeline").json()

    assert (body["timeline"], body["state"], body["findings"], body["next_step"]) == (
        None,
        None,
        [],
        "application",
    )


@pytest.mark.parametrize(("who", "status"), MATRIX)
def test_steps_matrix(client, viewers, activist, who, status):
    response = as_viewer(client, viewers[who]).get(f"{API}/people/{activist.pk}/steps")

    if status != 200:
        assert_refused(response, status)
        return
    body = response.json()
    assert [(e["step"], e["date"], e["source"]) for e in body] == [
        ("application", "2025-01-31", "import"),
        ("application_talk", "2025-02-10", "import"),
        ("activist", "2026-01-05", "import"),
        ("activist_filing", "2026-01-06", "import"),
        ("contacts_assigned", "2026-01-06", "import"),
        ("activist_assessments", "2026-07-01", "import"),
    ]
    assert body[4]["people"] == [
        {
            "person_id": body[4]["people"][0]["person_id"],
            "name": "赵一",
            "role": "contact",
            "status": "full",
            "sanction": "",
        }
    ]


def test_unknown_person_is_404(client, worker, frozen):
    client.force_login(worker)

    assert_refused(client.get(f"{API}/people/999999/timeline"), 404)
    assert_refused(client.get(f"{API}/people/999999/steps"), 404)


# --- POST -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("who", "status"), WRITE_MATRIX)
def test_record_a_step_matrix(client, viewers, tree, applicant, who, status):
    rows = counts()

    response = as_viewer(client, viewer(viewers, tree, who)).post(
        f"{API}/people/{applicant.pk}/steps/application_talk",
        '{"date": "2026-09-10", "conclusion": "谈话了解入党动机"}',
        content_type="application/json",
    )

    if status != 201:
        assert_refused(response, status)
        assert counts() == rows
        return
    body = response.json()
    assert response.status_code == 201
    assert (body["entry"]["step"], body["entry"]["date"], body["entry"]["conclusion"]) == (
        "application_talk",
        "2026-09-10",
        "谈话了解入党动机",
    )
    assert body["entry"]["recorded_by"] == viewer(viewers, tree, who).username
    assert [f["code"] for f in body["findings"] if f["severity"] == "error"] == []


def test_a_step_refused_today_answers_the_rule_with_the_earliest_date(client, worker, activist):
    client.force_login(worker)
    rows = counts()

    response = post_json(
        client, f"{API}/people/{activist.pk}/steps/candidate", {"date": "2026-11-22"}
    )

    body = response.json()
    assert (response.status_code, body["code"]) == (422, "DEV-CULT-1Y")
    assert body["message"] == (
        "确定为发展对象（2026年11月22日）距确定为入党积极分子（2026年1月5日）不满一年，"
        "最早可于2027年1月5日确定。（《中国共产党发展党员工作细则》第十三条）"
    )
    assert [(f["code"], f["due"]) for f in body["findings"]] == [("DEV-CULT-1Y", "2027-01-05")]
    assert counts() == rows
    assert Person.objects.get(pk=activist.pk).status == "activist"


def test_a_past_fact_needs_a_reason_and_an_approver(client, worker, tree, activist):
    client.force_login(worker)
    secretary = factories.user_with_role("sec", tree.branch, kind="secretary")
    url = f"{API}/people/{activist.pk}/steps/candidate"
    rows = counts()

    refused = post_json(client, url, {"date": "2026-11-02"})
    assert (refused.status_code, refused.json()["code"]) == (422, "DEV-CULT-1Y")
    assert set(refused.json()["fields"]) == {"exception_reason", "approver_id"}
    assert counts() == rows

    response = post_json(
        client,
        url,
        {"date": "2026-11-02", "exception_reason": "档案记载", "approver_id": secretary.pk},
    )

    body = response.json()
    assert response.status_code == 201
    assert [(x["code"], x["reason"], x["approved_by"]) for x in body["entry"]["exceptions"]] == [
        ("DEV-CULT-1Y", "档案记载", "sec")
    ]
    assert [f["code"] for f in body["new_findings"] if f["severity"] == "error"] == ["DEV-CULT-1Y"]
    assert Person.objects.get(pk=activist.pk).status == "candidate"


@pytest.mark.parametrize(
    ("step", "data", "field", "message"),
    [
        (
            "activist",
            {"date": "2026-09-10"},
            "recommended_by",
            "请选择推荐方式（党员推荐或群团组织推优）。",
        ),
        (
            "application_talk",
            {"date": "2026-11-23"},
            "date",
            "日期不能晚于今天：只能登记已经发生的步骤。",
        ),
        ("application_talk", {"date": "2026-09-10", "passed": True}, "passed", "该步骤没有此项。"),
        ("application_talk", {"date": "2026-09-10", "colour": "red"}, "colour", "不允许的字段。"),
        ("application_talk", {"date": "2026-13-01"}, "date", "请填写有效日期，格式为 YYYY-MM-DD。"),
        (
            "contacts_assigned",
            {"date": "2026-09-10", "people": [999999]},
            "people",
            "第1名人员（ID 999999）不存在或您无权查看。",
        ),
        (
            "application_talk",
            {"date": "2026-09-10", "approver_id": 999999},
            "approver_id",
            "批准人不存在。",
        ),
    ],
    ids=[
        "缺推荐方式",
        "将来日期",
        "本步骤无此项",
        "未知字段",
        "无效日期",
        "人员不存在",
        "批准人不存在",
    ],
)
def test_bad_input_is_a_chinese_error_and_changes_nothing(
    client, worker, applicant, step, data, field, message
):
    client.force_login(worker)
    rows = counts()

    response = post_json(client, f"{API}/people/{applicant.pk}/steps/{step}", data)

    body = response.json()
    assert response.status_code == 422
    assert body["fields"][field] == [message]
    assert counts() == rows


def test_an_unknown_step_is_refused(client, worker, applicant):
    client.force_login(worker)

    response = post_json(client, f"{API}/people/{applicant.pk}/steps/party", {"date": "2026-09-10"})

    assert response.status_code == 422
    assert response.json()["fields"]["step"][0].startswith("无效的选项")
