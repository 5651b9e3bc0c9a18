"""Stages 4–5 (DEV-PUBLICITY … DEV-THOUGHT-REPORT): 细则 第十九至第三十七条, 党章 第五、七条."""

import pytest

from dangwu.core.findings import Finding, Severity
from dangwu.core.workcal import Calendar, YearSchedule
from dangwu.development.rules import DevelopmentSettings, TimelineError, check_timeline
from tests.development.helpers import (
    CONSTITUTION,
    GOOD_REVIEW,
    GOOD_TRAINING,
    PRE,
    RULES,
    TODAY,
    D,
    check,
    on,
    tl,
    with_code,
)

# --- DEV-PUBLICITY -----------------------------------------------------------------------


def publicity_steps(start, pre_review, working_days=5):
    return {
        "committee_review": on("2025-09-26"),
        "publicity": {"start": start, "working_days": working_days},
        "pre_review": on(pre_review, by="basic_committee"),
        "political_review": on("2025-09-01", passed=True),
        "training": {"start": "2025-09-01", "end": "2025-09-03"},
    }


@pytest.mark.parametrize(
    ("start", "pre_review", "due"),
    [
        pytest.param(
            "2025-09-27",
            "2025-10-11",
            None,
            id="9月27日起公示5个工作日至10月10日、调休的10月11日预审",
        ),
        pytest.param(
            "2025-09-27", "2025-10-10", D(2025, 10, 11), id="公示最后一天10月10日预审 → 提醒"
        ),
        pytest.param("2025-09-27", "2025-10-08", D(2025, 10, 11), id="国庆假期中预审 → 提醒"),
        pytest.param("2025-09-30", "2025-10-14", None, id="9月30日起公示至10月13日、10月14日预审"),
        pytest.param(
            "2025-09-30", "2025-10-13", D(2025, 10, 14), id="9月30日起公示、10月13日预审 → 提醒"
        ),
    ],
)
def test_publicity_across_national_day_2025(start, pre_review, due):
    findings = with_code(check(publicity_steps(start, pre_review)), "DEV-PUBLICITY")

    assert [(f.severity, f.due, f.subject) for f in findings] == (
        [(Severity.WARNING, due, "pre_review")] if due else []
    )


def test_publicity_message_names_the_end_and_the_earliest_pre_review():
    [finding] = with_code(check(publicity_steps("2025-09-27", "2025-10-10")), "DEV-PUBLICITY")

    assert finding.message == (
        "上级党委预审（2025年10月10日）未在公示期满（2025年10月10日）之后，最早可于2025年10月11日预审。"
    )
    assert finding.citation == "本地规定"


def test_publicity_shorter_than_the_setting_is_a_warning():
    findings = with_code(check(publicity_steps("2025-06-03", "2025-06-30", 3)), "DEV-PUBLICITY")

    assert [f.message for f in findings] == ["公示3个工作日，少于规定的5个工作日。"]


def test_pre_review_without_publicity_is_a_warning_unless_switched_off():
    steps = {**PRE, **GOOD_REVIEW, **GOOD_TRAINING}

    warned = with_code(check(steps), "DEV-PUBLICITY")
    off = with_code(
        check(steps, settings=DevelopmentSettings(publicity_working_days=0)), "DEV-PUBLICITY"
    )

    assert [f.message for f in warned] == [
        "上级党委预审（2025年5月28日）前没有记录对发展对象的公示。"
    ]
    assert off == []


def test_publicity_in_a_year_without_schedule_is_a_cal_data_finding():
    steps = {"committee_review": on("2027-03-01"), "publicity": {"start": "2027-03-02"}}

    findings = check(steps, today=D(2027, 3, 5))

    assert findings == [
        Finding(
            code="CAL-DATA",
            severity=Severity.WARNING,
            message="未载入2027年节假日安排，无法计算工作日。",
            citation="《全国年节及纪念日放假办法》；国务院办公厅当年节假日安排通知",
            subject="publicity",
        )
    ]


def test_publicity_uses_the_calendar_given():
    only_weekends = Calendar({2025: YearSchedule(2025, frozenset(), frozenset())})
    steps = publicity_steps("2025-09-27", "2025-10-04")

    findings = with_code(check(steps, calendar=only_weekends), "DEV-PUBLICITY")

    assert findings == []  # 9/29–10/3 are five working days without the holiday


# --- DEV-PRE-REVIEW ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("by", "message"),
    [
        pytest.param("basic_committee", None, id="基层党委预审 → 可以"),
        pytest.param(
            "general_branch",
            "预审（2025年5月28日）由党总支进行，应由具有审批权限的基层党委预审。",
            id="党总支预审 → 不可以",
        ),
        pytest.param(
            None,
            "预审（2025年5月28日）未记录由哪一级党组织进行，应由具有审批权限的基层党委预审。",
            id="未记录预审组织",
        ),
    ],
)
def test_pre_review_by_basic_committee(by, message):
    pre = on("2025-05-28", by=by) if by else on("2025-05-28")

    findings = with_code(check({"pre_review": pre}), "DEV-PRE-REVIEW")

    assert [f.message for f in findings] == ([message] if message else [])


@pytest.mark.parametrize(
    ("pre_review", "message"),
    [
        pytest.param("2025-06-08", None, id="预审与支部大会同一天 → 可以"),
        pytest.param(
            None,
            "支部大会讨论接收预备党员（2025年6月8日）前没有上级党委预审。",
            id="没有预审 → 不得讨论接收",
        ),
        pytest.param(
            "2025-06-09",
            "上级党委预审（2025年6月9日）晚于支部大会讨论接收预备党员（2025年6月8日）。",
            id="预审晚于支部大会 → 不可以",
        ),
    ],
)
def test_pre_review_before_admission_meeting(pre_review, message):
    steps = {"admission_meeting": on("2025-06-08")}
    if pre_review:
        steps["pre_review"] = on(pre_review, by="basic_committee")

    findings = with_code(check(steps), "DEV-PRE-REVIEW")

    assert [(f.message, f.due, f.citation) for f in findings] == (
        [(message, D(2025, 6, 8), f"{RULES}第十九条")] if message else []
    )


# --- DEV-APPROVAL-3M, DEV-APPROVAL-TALK --------------------------------------------------


@pytest.mark.parametrize(
    ("approval", "today", "expected"),
    [
        pytest.param("2025-04-30", TODAY, [], id="3个月内审批 → 可以"),
        pytest.param(
            "2025-05-01", TODAY, [(Severity.WARNING, D(2025, 4, 30))], id="超过3个月 → 提醒"
        ),
        pytest.param(
            "2025-07-31", TODAY, [(Severity.WARNING, D(2025, 4, 30))], id="恰好6个月 → 仍为提醒"
        ),
        pytest.param(
            "2025-08-01", TODAY, [(Severity.ERROR, D(2025, 7, 31))], id="超过6个月 → 重新履行手续"
        ),
        pytest.param(None, D(2025, 4, 30), [], id="未审批、3个月期限当天"),
        pytest.param(
            None, D(2025, 5, 1), [(Severity.WARNING, D(2025, 4, 30))], id="未审批、已超过3个月"
        ),
        pytest.param(
            None, D(2025, 8, 1), [(Severity.ERROR, D(2025, 7, 31))], id="未审批、已超过6个月"
        ),
    ],
)
def test_approval_within_three_months(approval, today, expected):
    steps = {"admission_meeting": on("2025-01-31")}
    if approval:
        steps["admission_approval"] = on(approval)
        steps["approval_talk"] = on("2025-02-10")

    findings = with_code(check(steps, today=today), "DEV-APPROVAL-3M")

    assert [(f.severity, f.due) for f in findings] == expected
    assert all(f.citation == f"{RULES}第四章" for f in findings)


def test_approval_messages():
    steps = {"admission_meeting": on("2025-01-31")}

    [late] = with_code(check(steps, today=D(2025, 5, 1)), "DEV-APPROVAL-3M")
    [redo] = with_code(check(steps, today=D(2025, 8, 1)), "DEV-APPROVAL-3M")

    assert late.message == (
        "支部大会讨论接收预备党员（2025年1月31日）后至今未经上级党委审批，已超过3个月（2025年4月30日），"
        "须有特殊原因，最长不超过6个月（2025年7月31日）。"
    )
    assert redo.message == (
        "支部大会讨论接收预备党员（2025年1月31日）后至今未经上级党委审批，已超过6个月（2025年7月31日），"
        "应重新履行接收预备党员的手续。"
    )


def test_approval_redo_period_is_a_setting():
    steps = {"admission_meeting": on("2025-01-31"), "admission_approval": on("2025-08-01")}
    steps["approval_talk"] = on("2025-08-01")

    findings = with_code(
        check(steps, settings=DevelopmentSettings(approval_redo_months=12)), "DEV-APPROVAL-3M"
    )

    assert [(f.severity, f.due) for f in findings] == [(Severity.WARNING, D(2025, 4, 30))]


@pytest.mark.parametrize(
    ("talk", "message"),
    [
        pytest.param("2025-06-28", None, id="审批当天谈话 → 可以"),
        pytest.param(
            None,
            "上级党委审批（2025年6月28日）前没有记录上级党委派人谈话。",
            id="没有谈话 → 不得审批",
        ),
        pytest.param(
            "2025-06-29",
            "上级党委派人谈话（2025年6月29日）晚于上级党委审批（2025年6月28日）。",
            id="谈话晚于审批",
        ),
    ],
)
def test_approval_talk_before_approval(talk, message):
    steps = {"admission_approval": on("2025-06-28")}
    if talk:
        steps["approval_talk"] = on(talk)

    findings = with_code(check(steps), "DEV-APPROVAL-TALK")

    assert [(f.message, f.subject, f.citation) for f in findings] == (
        [(message, "approval_talk", f"{CONSTITUTION}第五条")] if message else []
    )


# --- DEV-PROBATION, DEV-EXTENSION ---------------------------------------------------------


def conversion_steps(meeting, conversion, extension=None):
    steps = {
        "admission_meeting": on(meeting),
        "conversion_application": on(meeting),
        "conversion_meeting": on(conversion),
    }
    if extension is not None:
        steps["probation_extension"] = extension
    return steps


@pytest.mark.parametrize(
    ("meeting", "conversion", "extension", "due"),
    [
        pytest.param("2021-06-08", "2022-06-08", None, None, id="预备期满一年当天讨论转正 → 可以"),
        pytest.param("2021-06-08", "2022-06-07", None, D(2022, 6, 8), id="差一天满一年 → 不得转正"),
        pytest.param("2024-02-29", "2025-02-28", None, None, id="2月29日接收、次年2月28日期满"),
        pytest.param(
            "2021-06-08",
            "2022-12-07",
            on("2022-06-08", months=6, approval_date="2022-06-20"),
            D(2022, 12, 8),
            id="延长6个月、差一天期满 → 不得转正",
        ),
        pytest.param(
            "2021-06-08",
            "2022-12-08",
            on("2022-06-08", months=6, approval_date="2022-06-20"),
            None,
            id="延长6个月期满当天 → 可以",
        ),
    ],
)
def test_probation_of_one_year(meeting, conversion, extension, due):
    findings = with_code(check(conversion_steps(meeting, conversion, extension)), "DEV-PROBATION")

    assert [(f.severity, f.due) for f in findings] == ([(Severity.ERROR, due)] if due else [])


def test_probation_message():
    [finding] = with_code(check(conversion_steps("2021-06-08", "2022-06-07")), "DEV-PROBATION")

    assert finding.message == "讨论转正的支部大会（2022年6月7日）早于预备期满（2022年6月8日）。"
    assert finding.citation == f"{CONSTITUTION}第七条；{RULES}第三十二条"


@pytest.mark.parametrize(
    ("extension", "messages"),
    [
        pytest.param(
            on("2022-06-08", months=6, approval_date="2022-06-20"), [], id="延长6个月 → 可以"
        ),
        pytest.param(
            on("2022-06-08", months=12, approval_date="2022-06-20"), [], id="延长12个月 → 可以"
        ),
        pytest.param(
            on("2022-06-08", months=5, approval_date="2022-06-20"),
            ["延长预备期（2022年6月8日）5个月，应至少6个月、最长12个月。"],
            id="延长5个月 → 不可以",
        ),
        pytest.param(
            on("2022-06-08", months=13, approval_date="2022-06-20"),
            ["延长预备期（2022年6月8日）13个月，应至少6个月、最长12个月。"],
            id="延长13个月 → 不可以",
        ),
        pytest.param(
            [
                on("2022-06-08", months=6, approval_date="2022-06-20"),
                on("2022-12-08", months=6, approval_date="2022-12-20"),
            ],
            ["预备期只能延长一次，记录了2次延长。"],
            id="延长两次 → 不可以",
        ),
        pytest.param(
            on("2022-06-08", months=6),
            ["延长预备期（2022年6月8日）未记录上级党委审批。"],
            id="未经审批即讨论转正 → 不可以",
        ),
        pytest.param(
            on("2022-06-08", months=6, approval_date="2022-06-01"),
            ["延长预备期的审批（2022年6月1日）早于支部大会决定（2022年6月8日）。"],
            id="审批早于支部大会决定 → 不可以",
        ),
    ],
)
def test_extension_once_by_six_to_twelve_months(extension, messages):
    steps = conversion_steps("2021-06-08", "2024-01-10", extension)

    findings = with_code(check(steps), "DEV-EXTENSION")

    assert [f.message for f in findings] == messages
    assert all(f.citation == f"{RULES}第三十二条" for f in findings)


def test_extension_without_months_is_unreadable():
    with pytest.raises(TimelineError) as info:
        check(conversion_steps("2021-06-08", "2023-01-10", on("2022-06-08", months=0)))

    assert info.value.field == "steps.probation_extension.months"
    assert info.value.message == "「steps.probation_extension.months」应为不小于1的整数，实际为0。"


# --- DEV-CONVERSION, DEV-ARCHIVE ---------------------------------------------------------


@pytest.mark.parametrize(
    ("approval", "today", "due"),
    [
        pytest.param("2022-09-10", TODAY, None, id="3个月内批准转正 → 可以"),
        pytest.param("2022-09-11", TODAY, D(2022, 9, 10), id="超过3个月批准 → 提醒"),
        pytest.param(None, D(2022, 9, 10), None, id="未批准、期限当天"),
        pytest.param(None, D(2022, 9, 11), D(2022, 9, 10), id="未批准、已超过3个月 → 提醒"),
    ],
)
def test_conversion_approval_within_three_months(approval, today, due):
    steps = conversion_steps("2021-06-08", "2022-06-10")
    if approval:
        steps["conversion_approval"] = on(approval)
        steps["archiving"] = on(approval)

    findings = with_code(check(steps, today=today), "DEV-CONVERSION")

    assert [(f.severity, f.due, f.subject) for f in findings] == (
        [(Severity.WARNING, due, "conversion_approval")] if due else []
    )


def test_conversion_meeting_without_written_application_is_an_error():
    steps = {"admission_meeting": on("2021-06-08"), "conversion_meeting": on("2022-06-10")}

    findings = with_code(check(steps, today=D(2022, 6, 11)), "DEV-CONVERSION")

    assert findings == [
        Finding(
            code="DEV-CONVERSION",
            severity=Severity.ERROR,
            message="讨论转正的支部大会（2022年6月10日）前没有书面转正申请。",
            citation=f"{RULES}第三十三条",
            subject="conversion_application",
            due=D(2022, 6, 10),
        )
    ]


def test_archive_reminder_after_conversion():
    steps = {"conversion_approval": on("2022-07-01")}

    assert check(steps) == [
        Finding(
            code="DEV-ARCHIVE",
            severity=Severity.INFO,
            message="已于2022年7月1日批准转正，应将入党申请书、入党志愿书、政治审查材料、转正申请书和培养教育考察材料等归档。",
            citation=f"{RULES}第三十七条",
            subject="archiving",
        )
    ]
    assert check({**steps, "archiving": on("2022-07-20")}) == []


# --- DEV-THOUGHT-REPORT ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reports", "today", "message"),
    [
        pytest.param(["2025-05-01", "2025-08-01"], D(2025, 10, 1), None, id="每季度都有 → 可以"),
        pytest.param(
            ["2025-05-01"],
            D(2025, 10, 1),
            "2025年第3季度没有思想汇报（应每季度至少一次）。",
            id="第3季度没有 → 提醒",
        ),
        pytest.param(["2025-05-01"], D(2025, 9, 30), None, id="本季度还没结束 → 不提醒"),
        pytest.param(
            [],
            D(2025, 7, 1),
            "2025年第2季度没有思想汇报（应每季度至少一次）。",
            id="申请当季不要求",
        ),
        pytest.param(
            ["2025-11-01"],
            D(2026, 4, 1),
            "2025年第2季度至2025年第3季度（共2个季度）、2026年第1季度没有思想汇报（应每季度至少一次）。",
            id="连续缺交的季度合并表述",
        ),
    ],
)
def test_thought_report_every_quarter(reports, today, message):
    data = tl({"application": on("2025-01-15"), "application_talk": on("2025-01-20")})
    data["thought_reports"] = [{"date": d} for d in reports]

    findings = with_code(check_timeline(data, today=today), "DEV-THOUGHT-REPORT")

    assert [f.message for f in findings] == ([message] if message else [])


def test_thought_reports_are_checked_only_when_present_and_switched_on():
    data = tl({"application": on("2025-01-15"), "application_talk": on("2025-01-20")})
    with_reports = {**data, "thought_reports": []}

    assert check_timeline(data, today=TODAY) == []
    assert (
        check_timeline(
            with_reports, today=TODAY, settings=DevelopmentSettings(thought_report_quarterly=False)
        )
        == []
    )


def test_thought_reports_stop_at_full_membership():
    data = tl(
        {
            "application": on("2025-01-15"),
            "conversion_approval": on("2025-07-01"),
            "archiving": on("2025-07-01"),
        }
    )
    data["thought_reports"] = [{"date": "2025-05-01"}]

    assert with_code(check_timeline(data, today=TODAY), "DEV-THOUGHT-REPORT") == []


# --- DEV-LEAVING-3M ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("leaves", "warned"),
    [
        pytest.param(None, False, id="未记录离开日期 → 不检查"),
        pytest.param("2025-09-08", False, id="会后恰好3个月离开 → 不提醒"),
        pytest.param("2025-09-07", True, id="会后3个月差1天离开 → 提醒"),
        pytest.param("2025-06-08", True, id="会议当天离开 → 提醒"),
        pytest.param("2025-06-07", False, id="会前已离开 → 不属本条"),
    ],
)
def test_leaving_within_three_months_of_admission(leaves, warned):
    t = tl({"admission_meeting": on("2025-06-08")})
    if leaves:
        t["person"]["leaves_unit_on"] = leaves
    found = with_code(check_timeline(t, today=TODAY), "DEV-LEAVING-3M")
    assert bool(found) == warned
    if warned:
        (f,) = found
        assert f.severity == Severity.WARNING
        assert f.subject == "admission_meeting"
        assert f.citation == f"{RULES}第十九条"
        assert f.due == D.fromisoformat(leaves)
        assert "不满3个月" in f.message


def test_leaves_unit_on_must_be_a_date():
    t = tl({"admission_meeting": on("2025-06-08")})
    t["person"]["leaves_unit_on"] = "下个月"
    with pytest.raises(TimelineError) as exc:
        check_timeline(t, today=TODAY)
    assert exc.value.field == "person.leaves_unit_on"
