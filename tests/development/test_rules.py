"""check_timeline on whole records (the DOMAIN.md example), next_deadlines, settings."""

import pytest

from dangwu.core.findings import Finding, Severity
from dangwu.development.rules import (
    Deadline,
    DevelopmentSettings,
    TimelineError,
    check_annual_plan,
    check_timeline,
    next_deadlines,
)
from tests.development.helpers import (
    CONSTITUTION,
    RULES,
    TODAY,
    D,
    check,
    example_timeline,
    on,
    tl,
)

# --- the DOMAIN.md example --------------------------------------------------------------


def test_domain_example_has_exactly_the_introducer_error():
    findings = check_timeline(example_timeline(), today=TODAY)

    assert findings == [
        Finding(
            code="DEV-INTRODUCERS",
            severity=Severity.ERROR,
            message="2021年4月25日确定入党介绍人时，第2名入党介绍人正在留党察看期内，不能担任入党介绍人。",
            citation=f"{RULES}第十四条；{CONSTITUTION}第五条",
            subject="introducers",
        )
    ]


def test_domain_example_with_a_report_every_quarter_still_has_only_that_error():
    data = example_timeline()
    data["thought_reports"] = [
        {"date": f"{year}-{month:02d}-15"} for year in range(2019, 2023) for month in (2, 5, 8, 11)
    ]

    findings = check_timeline(data, today=TODAY)

    assert [f.code for f in findings] == ["DEV-INTRODUCERS"]


def test_domain_example_without_the_sanction_is_clean():
    data = example_timeline()
    del data["steps"]["introducers"]["people"][1]["sanction"]

    assert check_timeline(data, today=TODAY) == []


def test_record_that_stops_early_has_no_finding_before_its_deadlines():
    findings = check({"application": on("2026-11-01")})

    assert findings == []


# --- next_deadlines ----------------------------------------------------------------------


def test_next_deadlines_of_an_activist():
    data = tl(
        {
            "application": on("2024-01-31"),
            "application_talk": on("2024-02-10"),
            "activist": on("2024-07-31", recommended_by="league"),
            "activist_assessments": [on("2025-01-20")],
        }
    )

    assert next_deadlines(data, today=D(2025, 3, 1)) == [
        Deadline("activist_assessments", None, D(2025, 7, 20), "下一次培养教育考察"),
        Deadline("candidate", D(2025, 7, 31), None, "最早可确定为发展对象"),
    ]


def test_next_deadlines_of_an_applicant_and_a_candidate_on_publicity():
    applicant = tl({"application": on("2025-01-31")}, thought_reports=[])
    candidate = tl({"committee_review": on("2025-09-26"), "publicity": {"start": "2025-09-27"}})

    assert next_deadlines(applicant, today=D(2025, 2, 10)) == [
        Deadline("application_talk", None, D(2025, 2, 28), "党组织派人谈话"),
        Deadline("activist", D(2025, 7, 31), None, "最早可确定为入党积极分子"),
        Deadline("thought_reports", None, D(2025, 3, 31), "本季度思想汇报"),
    ]
    assert next_deadlines(candidate, today=D(2025, 9, 28)) == [
        Deadline("pre_review", D(2025, 10, 11), None, "公示期满后方可预审"),
    ]


def test_next_deadlines_of_a_probationary_member_with_extension():
    data = tl(
        {
            "admission_meeting": on("2021-06-08"),
            "admission_approval": on("2021-06-28"),
            "probation_extension": on("2022-06-08", months=6),
        }
    )

    assert next_deadlines(data, today=D(2022, 7, 1)) == [
        Deadline("conversion_meeting", D(2022, 12, 8), None, "预备期满，讨论转正"),
    ]


def test_next_deadlines_of_meetings_waiting_for_approval():
    admission = tl({"admission_meeting": on("2025-01-31")})
    conversion = tl(
        {
            "admission_meeting": on("2021-06-08"),
            "admission_approval": on("2021-06-28"),
            "conversion_meeting": on("2022-06-10"),
        }
    )

    assert next_deadlines(admission, today=D(2025, 2, 1)) == [
        Deadline("admission_approval", None, D(2025, 4, 30), "上级党委审批"),
        Deadline("conversion_meeting", D(2026, 1, 31), None, "预备期满，讨论转正"),
    ]
    assert next_deadlines(conversion, today=D(2022, 6, 11)) == [
        Deadline("conversion_approval", None, D(2022, 9, 10), "转正审批"),
    ]


# --- settings and unreadable timelines ---------------------------------------------------


def test_settings_refuse_an_approval_redo_period_under_three_months():
    with pytest.raises(ValueError, match="approval_redo_months 不能少于3个月"):
        DevelopmentSettings(approval_redo_months=2)


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        pytest.param([], "timeline", "「timeline」应为 JSON 对象，实际为[]。", id="不是对象"),
        pytest.param(
            {"steps": {}}, "person", "「person」应为 JSON 对象，实际为null。", id="缺少person"
        ),
        pytest.param(
            {"person": {}, "steps": {}},
            "person.birth_date",
            "缺少「person.birth_date」（日期）。",
            id="缺少出生日期",
        ),
        pytest.param(
            tl({"application": on("2025/01/31")}),
            "steps.application.date",
            '「steps.application.date」应为 YYYY-MM-DD 格式的日期，实际为"2025/01/31"。',
            id="日期格式错误",
        ),
        pytest.param(
            tl({"application": on("2025-02-30")}),
            "steps.application.date",
            '「steps.application.date」应为 YYYY-MM-DD 格式的日期，实际为"2025-02-30"。',
            id="不存在的日期",
        ),
        pytest.param(
            tl({"aplication": on("2025-01-31")}),
            "steps.aplication",
            "未知的步骤「steps.aplication」。",
            id="拼错的步骤",
        ),
        pytest.param(
            tl({"activist_assessments": on("2025-01-31")}),
            "steps.activist_assessments",
            '「steps.activist_assessments」应为列表（每项含 date），实际为{"date": "2025-01-31"}。',
            id="重复步骤不是列表",
        ),
        pytest.param(
            tl({"activist": on("2025-01-31", recommended_by="teacher")}),
            "steps.activist.recommended_by",
            "「steps.activist.recommended_by」应为 party_members、league、mass_organization 之一，"
            '实际为"teacher"。',
            id="未知的推荐方式",
        ),
        pytest.param(
            tl({"introducers": on("2025-01-31", people=[{"sanction": "warning"}])}),
            "steps.introducers.people[0]",
            "缺少「steps.introducers.people[0].status」（党籍状态）。",
            id="介绍人缺少党籍状态",
        ),
        pytest.param(
            tl({"admission_meeting": on("2025-01-31", should_attend=25, present=20)}),
            "steps.admission_meeting.in_favour",
            "表决情况应同时填写 should_attend、present、in_favour，"
            "缺少「steps.admission_meeting.in_favour」。",
            id="表决情况不全",
        ),
        pytest.param(
            tl({"admission_meeting": on("2025-01-31", should_attend=25, present=26, in_favour=20)}),
            "steps.admission_meeting",
            "「steps.admission_meeting」的表决情况有误：实到会人数26超过应到会人数25。",
            id="实到多于应到",
        ),
        pytest.param(
            tl({"training": {"start": "2025-05-14", "end": "2025-05-13"}}),
            "steps.training.end",
            "「steps.training.end」（2025-05-13）早于开始日期（2025-05-14）。",
            id="培训结束早于开始",
        ),
        pytest.param(
            tl({"training": {"start": "2025-05-14", "end": "2025-05-15", "days": 3}}),
            "steps.training.days",
            "「steps.training.days」为3天，超过起止日期之间的2天。",
            id="培训天数超过起止日期",
        ),
        pytest.param(
            tl({"political_review": on("2025-05-14", passed="yes")}),
            "steps.political_review.passed",
            '「steps.political_review.passed」应为 true 或 false，实际为"yes"。',
            id="政审结论不是布尔值",
        ),
        pytest.param(
            tl({}, thought_reports=[{"day": "2025-01-01"}]),
            "thought_reports[0].date",
            "缺少「thought_reports[0].date」（日期）。",
            id="思想汇报缺少日期",
        ),
    ],
)
def test_unreadable_timeline_names_the_field(data, field, message):
    with pytest.raises(TimelineError) as info:
        check_timeline(data, today=TODAY)

    assert info.value.field == field
    assert info.value.message == message


# --- DEV-NO-RUSH -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("quota", "admitted", "message"),
    [
        pytest.param(
            None, 3, "尚未制定2026年度发展党员计划（3名已接收）。", id="没有年度计划 → 提示"
        ),
        pytest.param(5, 5, None, id="恰好完成计划 → 无"),
        pytest.param(
            5,
            6,
            "2026年已接收预备党员6名，超出年度发展计划5名，应严格按计划发展，防止突击发展。",
            id="超出计划1名 → 提示",
        ),
        pytest.param(0, 0, None, id="计划0名、未接收 → 无"),
    ],
)
def test_annual_plan(quota, admitted, message):
    findings = check_annual_plan(year=2026, quota=quota, admitted=admitted)
    assert [f.message for f in findings] == ([message] if message else [])
    for f in findings:
        assert (f.code, f.severity, f.citation) == (
            "DEV-NO-RUSH",
            Severity.INFO,
            "《中国共产党发展党员工作细则》第三条",
        )
