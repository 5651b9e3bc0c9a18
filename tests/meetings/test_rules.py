"""Tests of the pure rules of organizational life (LIFE-*). No database, no clock."""

import datetime as dt
from decimal import Decimal

import pytest

from dangwu.core.dates import add_months
from dangwu.core.findings import Finding, Severity
from dangwu.meetings.periods import Period
from dangwu.meetings.rules import (
    AbsenceRun,
    ComplianceSettings,
    HeartTalkFacts,
    MeetingFacts,
    MonthAttendance,
    OrgFacts,
    absence_findings,
    attendance_rate,
    compliance_findings,
    consecutive_absent_months,
    heart_talk_findings,
    month_status,
    study_hours_findings,
)

D = dt.date
ERROR = Severity.ERROR
WARNING = Severity.WARNING
INFO = Severity.INFO

BRANCH_RULES = "《中国共产党支部工作条例（试行）》"
CONSTITUTION = "《中国共产党章程》"

# A branch without groups or committee: only the branch-wide rules speak.
PLAIN = OrgFacts("branch", has_committee=False)
WITH_COMMITTEE = OrgFacts("branch", has_committee=True)


def meeting(kind, d, **kw):
    return MeetingFacts(kind, d, **kw)


def full_year(year=2025, groups=(), committee=True):
    """Every meeting the rules ask for, on the 15th of each month."""
    out = []
    for month in range(1, 13):
        d = D(year, month, 15)
        out.append(meeting("theme_day", d))
        if committee:
            out.append(meeting("committee_meeting", d))
        out.extend(meeting("group_meeting", d, group=g) for g in groups)
        if month % 3 == 0:
            out.append(meeting("general_meeting", d))
            out.append(meeting("party_lecture", d, by_secretary=month == 12))
    out.append(meeting("org_life_meeting", D(year, 12, 20), includes_appraisal=True))
    return out


def without(meetings, kind, *dates):
    return [m for m in meetings if not (m.kind == kind and (not dates or m.date in dates))]


def of(findings, code):
    return [(f.data["period"], f.severity) for f in findings if f.code == code]


YEAR_END = D(2026, 1, 1)  # 2025 has ended: every missing meeting is an error


def check(org=PLAIN, today=YEAR_END, meetings=(), year=2025, **kw):
    return compliance_findings(org=org, year=year, today=today, meetings=list(meetings), **kw)


# --- The whole year -------------------------------------------------------------------


def test_a_year_with_every_meeting_held_has_no_finding():
    org = OrgFacts("branch", has_committee=True, groups=("第一党小组", "第二党小组"))

    findings = check(org, meetings=full_year(groups=org.groups))

    assert findings == []


def test_an_empty_year_that_has_ended_is_all_errors_in_rule_order():
    org = OrgFacts("branch", has_committee=True, groups=("第一党小组",))

    findings = check(org, today=D(2026, 1, 1))

    counts = {}
    for f in findings:
        counts[f.code] = counts.get(f.code, 0) + 1
    assert counts == {
        "LIFE-GENERAL-Q": 4,
        "LIFE-COMMITTEE-M": 12,
        "LIFE-GROUP-M": 12,
        "LIFE-LECTURE": 5,  # four quarters and the secretary's lecture
        "LIFE-THEME-DAY": 12,
        "LIFE-ORG-LIFE": 1,
        "LIFE-APPRAISAL": 1,
    }
    assert {f.severity for f in findings} == {ERROR}
    assert [f.code for f in findings][:5] == ["LIFE-GENERAL-Q"] * 4 + ["LIFE-COMMITTEE-M"]


def test_a_year_that_has_not_started_gives_nothing():
    assert check(WITH_COMMITTEE, today=D(2024, 12, 31)) == []


@pytest.mark.parametrize(
    "kind",
    [
        pytest.param("basic_committee", id="基层党委 → 无"),
        pytest.param("general_branch", id="党总支 → 无"),
        pytest.param("party_group", id="党小组 → 无"),
    ],
)
def test_only_branches_are_checked(kind):
    assert check(OrgFacts(kind, has_committee=True)) == []


def test_an_unknown_organization_kind_is_refused():
    with pytest.raises(ValueError, match="未知的党组织类型：'club'。"):
        OrgFacts("club", has_committee=False)


def test_an_unknown_meeting_kind_is_refused():
    with pytest.raises(ValueError, match="未知的会议类型：'party'。"):
        MeetingFacts("party", D(2025, 3, 1))


def test_a_datetime_is_not_a_meeting_date():
    with pytest.raises(ValueError, match="会议日期应为日期"):
        MeetingFacts("theme_day", dt.datetime(2025, 3, 1, 9, 0, tzinfo=dt.UTC))


# --- LIFE-GENERAL-Q ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("dates", "today", "expected"),
    [
        pytest.param(
            [D(2025, 2, 10), D(2025, 7, 5)],
            D(2025, 7, 15),
            [("2025-Q2", ERROR)],
            id="第二季度已结束且未召开党员大会 → 错误",
        ),
        pytest.param(
            [D(2025, 2, 10)],
            D(2025, 5, 20),
            [("2025-Q2", WARNING)],
            id="本季度尚未结束 → 警告",
        ),
        pytest.param(
            [],
            D(2025, 1, 15),
            [("2025-Q1", WARNING)],
            id="未来的季度 → 无",
        ),
        pytest.param(
            [D(2025, 3, 31), D(2025, 6, 30)],
            D(2025, 7, 1),
            [("2025-Q3", WARNING)],
            id="季度最后一天召开 → 计入该季度",
        ),
        pytest.param(
            [D(2025, 4, 1)],
            D(2025, 7, 1),
            [("2025-Q1", ERROR), ("2025-Q3", WARNING)],
            id="下季度第一天召开 → 不计入上季度",
        ),
        pytest.param(
            [],
            D(2025, 3, 31),
            [("2025-Q1", WARNING)],
            id="季度最后一天当天 → 仍是警告",
        ),
        pytest.param(
            [],
            D(2025, 4, 1),
            [("2025-Q1", ERROR), ("2025-Q2", WARNING)],
            id="季度结束后第一天 → 错误",
        ),
        pytest.param(
            [D(2025, 1, 5), D(2025, 4, 5), D(2025, 7, 5)],
            D(2026, 3, 1),
            [("2025-Q4", ERROR)],
            id="次年检查上一年 → 第四季度已结束 → 错误",
        ),
        pytest.param(
            [D(2024, 12, 31), D(2026, 1, 1)],
            D(2025, 2, 1),
            [("2025-Q1", WARNING)],
            id="上一年和下一年的会议 → 不计入",
        ),
        pytest.param(
            [D(2025, 5, 30)],
            D(2025, 5, 20),
            [("2025-Q1", ERROR), ("2025-Q2", WARNING)],
            id="今天之后的日期尚未召开 → 不计入",
        ),
    ],
)
def test_general_meeting_each_quarter(dates, today, expected):
    findings = check(today=today, meetings=[meeting("general_meeting", d) for d in dates])

    assert of(findings, "LIFE-GENERAL-Q") == expected


def test_general_meeting_finding_in_full():
    findings = check(meetings=without(full_year(), "general_meeting", D(2025, 6, 15)))

    assert findings == [
        Finding(
            code="LIFE-GENERAL-Q",
            severity=ERROR,
            message="2025年第二季度未召开支部党员大会。党支部每季度至少召开1次支部党员大会。",
            citation=f"{BRANCH_RULES}第十一条",
            due=D(2025, 6, 30),
            data={"period": "2025-Q2", "group": None},
        )
    ]
    assert findings[0].data == {"period": "2025-Q2", "group": None}


def test_running_period_message_names_its_last_day():
    findings = check(today=D(2025, 5, 20), meetings=without(full_year(), "general_meeting"))

    assert [f.message for f in findings if f.code == "LIFE-GENERAL-Q"] == [
        "2025年第一季度未召开支部党员大会。党支部每季度至少召开1次支部党员大会。",
        "2025年第二季度尚未召开支部党员大会，本季度到2025年6月30日结束。"
        "党支部每季度至少召开1次支部党员大会。",
    ]


# --- LIFE-COMMITTEE-M -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("dates", "today", "expected"),
    [
        pytest.param(
            [D(2025, 1, 9), D(2025, 2, 9), D(2025, 4, 9)],
            D(2025, 4, 20),
            [("2025-03", ERROR)],
            id="三月已结束且未召开支委会 → 错误",
        ),
        pytest.param(
            [D(2025, 1, 9)],
            D(2025, 2, 20),
            [("2025-02", WARNING)],
            id="本月尚未结束 → 警告",
        ),
        pytest.param(
            [D(2025, 1, 9)],
            D(2025, 1, 20),
            [],
            id="未来的月份 → 无",
        ),
        pytest.param(
            [D(2025, 1, 31)],
            D(2025, 2, 1),
            [("2025-02", WARNING)],
            id="月末最后一天召开 → 计入该月",
        ),
        pytest.param(
            [D(2025, 2, 1)],
            D(2025, 2, 1),
            [("2025-01", ERROR)],
            id="下月第一天召开 → 不计入上月",
        ),
    ],
)
def test_committee_meeting_each_month(dates, today, expected):
    findings = check(
        WITH_COMMITTEE, today=today, meetings=[meeting("committee_meeting", d) for d in dates]
    )

    assert of(findings, "LIFE-COMMITTEE-M") == expected


def test_a_branch_without_a_committee_gets_no_committee_finding():
    findings = check(PLAIN, meetings=without(full_year(committee=False), "committee_meeting"))

    assert findings == []


@pytest.mark.parametrize(
    ("present", "size", "counts"),
    [
        pytest.param(3, 5, True, id="5名委员到会3人 → 计入"),
        pytest.param(3, 6, True, id="6名委员到会3人恰好半数 → 计入"),
        pytest.param(2, 5, False, id="5名委员到会2人不足半数 → 不计入"),
        pytest.param(None, 5, True, id="到会人数未记录 → 计入"),
        pytest.param(2, None, True, id="委员总数未记录 → 计入"),
    ],
)
def test_committee_quorum_is_half_or_more(present, size, counts):
    meetings = without(full_year(), "committee_meeting", D(2025, 3, 15)) + [
        meeting("committee_meeting", D(2025, 3, 15), committee_present=present, committee_size=size)
    ]

    findings = check(WITH_COMMITTEE, meetings=meetings)

    assert of(findings, "LIFE-COMMITTEE-M") == ([] if counts else [("2025-03", ERROR)] * 2)


def test_an_inquorate_committee_meeting_in_full():
    meetings = without(full_year(), "committee_meeting", D(2025, 3, 15)) + [
        meeting("committee_meeting", D(2025, 3, 5), committee_present=2, committee_size=5)
    ]

    findings = check(WITH_COMMITTEE, meetings=meetings)

    rule = "支部委员会会议每月至少召开1次，须有半数以上委员到会。"
    assert [(f.code, f.severity, f.message, f.citation, f.due, f.data) for f in findings] == [
        (
            "LIFE-COMMITTEE-M",
            ERROR,
            f"2025年3月5日召开的支委会到会委员2人，不足委员总数5人的半数，不计为2025年3月的支委会。{rule}",
            f"{BRANCH_RULES}第十二条",
            D(2025, 3, 31),
            {"period": "2025-03", "group": None, "date": "2025-03-05", "present": 2, "size": 5},
        ),
        (
            "LIFE-COMMITTEE-M",
            ERROR,
            f"2025年3月未召开到会委员达到半数的支委会。{rule}",
            f"{BRANCH_RULES}第十二条",
            D(2025, 3, 31),
            {"period": "2025-03", "group": None},
        ),
    ]


def test_an_inquorate_meeting_beside_a_proper_one_is_still_named():
    meetings = [
        *full_year(),
        meeting("committee_meeting", D(2025, 3, 2), committee_present=1, committee_size=5),
    ]

    findings = check(WITH_COMMITTEE, meetings=meetings)

    assert [(f.data["period"], f.data.get("date")) for f in findings] == [("2025-03", "2025-03-02")]


def test_inquorate_in_the_running_month_is_a_warning():
    meetings = [meeting("committee_meeting", D(2025, 1, 5), committee_present=1, committee_size=3)]

    findings = check(WITH_COMMITTEE, today=D(2025, 1, 20), meetings=meetings)

    assert of(findings, "LIFE-COMMITTEE-M") == [("2025-01", WARNING), ("2025-01", WARNING)]


@pytest.mark.parametrize(
    ("present", "size", "message"),
    [
        pytest.param(6, 5, "到会委员6人超过委员总数5人。", id="到会多于委员总数"),
        pytest.param(-1, 5, "到会委员人数应为不小于0的整数，实际为-1。", id="负数"),
        pytest.param(0, 0, "委员总数应为不小于1的整数，实际为0。", id="委员总数为0"),
    ],
)
def test_impossible_committee_counts_are_refused(present, size, message):
    with pytest.raises(ValueError) as excinfo:
        meeting("committee_meeting", D(2025, 1, 5), committee_present=present, committee_size=size)

    assert str(excinfo.value) == message


# --- LIFE-GROUP-M -----------------------------------------------------------------------


def test_each_group_is_checked_separately():
    org = OrgFacts("branch", has_committee=False, groups=("第一党小组", "第二党小组"))
    meetings = without(full_year(groups=org.groups), "group_meeting", D(2025, 3, 15))
    meetings.append(meeting("group_meeting", D(2025, 3, 15), group="第一党小组"))

    findings = check(org, meetings=meetings)

    assert findings == [
        Finding(
            code="LIFE-GROUP-M",
            severity=ERROR,
            message=(
                "2025年3月党小组“第二党小组”未召开党小组会。"
                "每个党小组每月至少召开1次党小组会，由党小组长召集并主持。"
            ),
            citation=f"{BRANCH_RULES}第十三、十四条",
            due=D(2025, 3, 31),
            data={"period": "2025-03", "group": "第二党小组"},
        )
    ]
    assert findings[0].data["group"] == "第二党小组"


def test_group_findings_are_by_group_then_month():
    org = OrgFacts("branch", has_committee=False, groups=("甲", "乙"))

    findings = check(org, today=D(2025, 2, 10), meetings=without(full_year(), "group_meeting"))

    groups = [f for f in findings if f.code == "LIFE-GROUP-M"]
    assert [(f.data["group"], f.data["period"], f.severity) for f in groups] == [
        ("甲", "2025-01", ERROR),
        ("甲", "2025-02", WARNING),
        ("乙", "2025-01", ERROR),
        ("乙", "2025-02", WARNING),
    ]


def test_meetings_of_unlisted_or_unnamed_groups_count_for_nobody():
    org = OrgFacts("branch", has_committee=False, groups=("甲",))
    meetings = [
        *full_year(),
        meeting("group_meeting", D(2025, 1, 10), group="乙"),
        meeting("group_meeting", D(2025, 1, 11)),
    ]

    findings = check(org, today=D(2025, 1, 31), meetings=meetings)

    assert of(findings, "LIFE-GROUP-M") == [("2025-01", WARNING)]


# --- LIFE-LECTURE -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("dates", "today", "expected"),
    [
        pytest.param(
            [D(2025, 3, 31)],
            D(2025, 7, 1),
            [("2025-Q2", ERROR), ("2025-Q3", WARNING)],
            id="第二季度已结束且未上党课 → 错误",
        ),
        pytest.param(
            [D(2025, 4, 1)],
            D(2025, 5, 1),
            [("2025-Q1", ERROR)],
            id="4月1日的党课不计入第一季度",
        ),
        pytest.param([], D(2025, 2, 1), [("2025-Q1", WARNING)], id="本季度尚未结束 → 警告"),
    ],
)
def test_party_lecture_each_quarter(dates, today, expected):
    lectures = [meeting("party_lecture", d, by_secretary=True) for d in dates]

    findings = check(today=today, meetings=lectures)

    assert [x for x in of(findings, "LIFE-LECTURE") if x[0] != "2025"] == expected


@pytest.mark.parametrize(
    ("by_secretary", "today", "expected"),
    [
        pytest.param((True, False, False, False), D(2026, 1, 1), [], id="书记讲了1次 → 无"),
        pytest.param(
            (False, False, False, False),
            D(2026, 1, 1),
            [("2025", ERROR)],
            id="全年结束书记未讲党课 → 错误",
        ),
        pytest.param(
            (False, False, False, False),
            D(2025, 12, 31),
            [("2025", WARNING)],
            id="年末最后一天书记尚未讲 → 警告",
        ),
        pytest.param(
            (False, None, False, False),
            D(2026, 1, 1),
            [],
            id="有一次党课未记录主讲人 → 无法判断 → 无",
        ),
    ],
)
def test_secretary_gives_a_lecture_a_year(by_secretary, today, expected):
    meetings = without(full_year(), "party_lecture") + [
        meeting("party_lecture", D(2025, 3 * q, 10), by_secretary=s)
        for q, s in enumerate(by_secretary, start=1)
    ]

    findings = check(today=today, meetings=meetings)

    assert [x for x in of(findings, "LIFE-LECTURE") if x[0] == "2025"] == expected


def test_no_lecture_at_all_is_a_secretary_finding_too():
    findings = check(meetings=without(full_year(), "party_lecture"))

    secretary = [f for f in findings if f.code == "LIFE-LECTURE" and f.data["period"] == "2025"]
    assert [(f.message, f.citation, f.due) for f in secretary] == [
        (
            "2025年度书记未讲党课。党支部书记每年至少为党员讲1次党课。",
            f"{BRANCH_RULES}第十六条；本地规定",
            D(2025, 12, 31),
        )
    ]


def test_two_lectures_a_quarter_by_local_setting():
    settings = ComplianceSettings(lectures_per_quarter=2)

    findings = check(today=D(2025, 4, 1), meetings=full_year(), settings=settings)

    quarterly = [f for f in findings if f.code == "LIFE-LECTURE" and f.data["period"] != "2025"]
    assert [(f.severity, f.message, f.data) for f in quarterly] == [
        (
            ERROR,
            "2025年第一季度未上满2次党课（已上1次）。按本地规定，每季度至少上2次党课。",
            {"period": "2025-Q1", "group": None, "held": 1, "required": 2},
        ),
        (
            WARNING,
            "2025年第二季度尚未上党课，本季度到2025年6月30日结束。按本地规定，每季度至少上2次党课。",
            {"period": "2025-Q2", "group": None, "held": 0, "required": 2},
        ),
    ]


def test_lecture_checks_can_be_switched_off():
    settings = ComplianceSettings(lectures_per_quarter=0, secretary_lectures_per_year=0)

    findings = check(meetings=without(full_year(), "party_lecture"), settings=settings)

    assert findings == []


# --- LIFE-THEME-DAY ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("dates", "today", "expected"),
    [
        pytest.param(
            [D(2025, 1, 1)],
            D(2025, 3, 1),
            [("2025-02", ERROR), ("2025-03", WARNING)],
            id="二月已结束且未开展主题党日 → 错误",
        ),
        pytest.param([D(2025, 1, 1)], D(2025, 1, 31), [], id="未来的月份 → 无"),
        pytest.param(
            [D(2025, 2, 28)],
            D(2025, 3, 1),
            [("2025-01", ERROR), ("2025-03", WARNING)],
            id="2月28日开展 → 计入二月",
        ),
    ],
)
def test_theme_day_each_month(dates, today, expected):
    findings = check(today=today, meetings=[meeting("theme_day", d) for d in dates])

    assert of(findings, "LIFE-THEME-DAY") == expected


def test_theme_day_finding_in_full():
    findings = check(meetings=without(full_year(), "theme_day", D(2025, 8, 15)))

    assert [(f.message, f.citation, f.due, f.data) for f in findings] == [
        (
            "2025年8月未开展主题党日。党支部每月相对固定1天开展主题党日。",
            f"{BRANCH_RULES}第十六条",
            D(2025, 8, 31),
            {"period": "2025-08", "group": None},
        )
    ]


# --- LIFE-ORG-LIFE and LIFE-APPRAISAL ---------------------------------------------------


@pytest.mark.parametrize(
    ("meetings", "today", "org_life", "appraisal"),
    [
        pytest.param(
            [meeting("org_life_meeting", D(2025, 12, 20), includes_appraisal=True)],
            D(2026, 1, 1),
            [],
            [],
            id="组织生活会结合民主评议 → 两项都满足",
        ),
        pytest.param(
            [meeting("org_life_meeting", D(2025, 12, 20))],
            D(2026, 1, 1),
            [],
            [("2025", ERROR)],
            id="组织生活会未结合民主评议 → 缺民主评议",
        ),
        pytest.param(
            [meeting("org_life_meeting", D(2025, 3, 20)), meeting("appraisal", D(2025, 3, 21))],
            D(2026, 1, 1),
            [],
            [],
            id="第一季度召开也计入（一般在第四季度）",
        ),
        pytest.param(
            [meeting("appraisal", D(2025, 12, 21))],
            D(2026, 1, 1),
            [("2025", ERROR)],
            [],
            id="单独开展民主评议不等于召开组织生活会",
        ),
        pytest.param(
            [],
            D(2025, 12, 31),
            [("2025", WARNING)],
            [("2025", WARNING)],
            id="本年度尚未结束 → 警告",
        ),
        pytest.param(
            [meeting("org_life_meeting", D(2024, 12, 20), includes_appraisal=True)],
            D(2026, 1, 1),
            [("2025", ERROR)],
            [("2025", ERROR)],
            id="上一年的组织生活会 → 不计入",
        ),
    ],
)
def test_org_life_meeting_and_appraisal_once_a_year(meetings, today, org_life, appraisal):
    base = without(without(full_year(), "org_life_meeting"), "appraisal")

    findings = check(today=today, meetings=base + meetings)

    assert (of(findings, "LIFE-ORG-LIFE"), of(findings, "LIFE-APPRAISAL")) == (org_life, appraisal)


def test_yearly_findings_in_full():
    findings = check(meetings=without(full_year(), "org_life_meeting"))

    assert [(f.code, f.message, f.citation, f.due) for f in findings] == [
        (
            "LIFE-ORG-LIFE",
            "2025年度未召开组织生活会。党支部每年至少召开1次组织生活会，一般安排在第四季度。",
            f"{BRANCH_RULES}第十七条",
            D(2025, 12, 31),
        ),
        (
            "LIFE-APPRAISAL",
            "2025年度未开展民主评议党员。党支部每年开展1次民主评议党员，可以结合组织生活会进行。",
            BRANCH_RULES,
            D(2025, 12, 31),
        ),
    ]


# --- Cost -------------------------------------------------------------------------------


def test_a_year_is_one_pass_over_the_meetings():
    # The meetings are read once: a one-shot iterator gives the same answer as a list.
    org = OrgFacts("branch", has_committee=True, groups=("甲",))
    meetings = full_year(groups=org.groups)

    once = compliance_findings(org=org, year=2025, today=D(2026, 1, 1), meetings=iter(meetings))

    assert once == []


# --- attendance_rate --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("present", "expected", "on_leave", "rate"),
    [
        pytest.param(8, 10, 0, Decimal("0.8000"), id="应到10人实到8人 → 80%"),
        pytest.param(8, 10, 2, Decimal("1.0000"), id="2人请假其余都到 → 100%"),
        pytest.param(5, 6, 0, Decimal("0.8333"), id="5/6四舍五入 → 0.8333"),
        pytest.param(2, 3, 0, Decimal("0.6667"), id="2/3四舍五入 → 0.6667"),
        pytest.param(0, 3, 3, None, id="全部请假 → 无出席率"),
        pytest.param(0, 0, 0, None, id="无应到人员 → 无出席率"),
    ],
)
def test_attendance_rate_leaves_approved_leave_out_of_the_base(present, expected, on_leave, rate):
    assert attendance_rate(present, expected, on_leave) == rate


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param((9, 10, 2), "出席9人与请假2人合计超过应到人数10人。", id="出席加请假超过应到"),
        pytest.param((-1, 10, 0), "出席人数应为不小于0的整数，实际为-1。", id="负数"),
        pytest.param((1.5, 10, 0), "出席人数应为不小于0的整数，实际为1.5。", id="小数"),
    ],
)
def test_attendance_rate_refuses_impossible_counts(args, message):
    with pytest.raises(ValueError) as excinfo:
        attendance_rate(*args)

    assert str(excinfo.value) == message


# --- LIFE-ABSENT-6 ----------------------------------------------------------------------


def absent_run(first_month, n, year=2025):
    firsts = (add_months(D(year, first_month, 1), i) for i in range(n))
    return [MonthAttendance(d.year, d.month, "absent") for d in firsts]


@pytest.mark.parametrize(
    ("months", "today", "expected"),
    [
        pytest.param(absent_run(1, 2), D(2025, 3, 5), [], id="连续2个月 → 无"),
        pytest.param(absent_run(1, 3), D(2025, 4, 5), [(WARNING, 3)], id="连续3个月 → 警告"),
        pytest.param(absent_run(1, 5), D(2025, 6, 5), [(WARNING, 5)], id="连续5个月 → 警告"),
        pytest.param(absent_run(1, 6), D(2025, 7, 5), [(ERROR, 6)], id="连续6个月 → 错误"),
        pytest.param(absent_run(1, 8), D(2025, 9, 5), [(ERROR, 8)], id="连续8个月 → 错误"),
        pytest.param(
            [*absent_run(1, 3), MonthAttendance(2025, 4, "on_leave"), *absent_run(5, 3)],
            D(2025, 8, 5),
            [(WARNING, 3)],
            id="中间一个月请假获准 → 重新计算",
        ),
        pytest.param(
            [*absent_run(1, 3), MonthAttendance(2025, 4, "present"), *absent_run(5, 2)],
            D(2025, 7, 5),
            [],
            id="中间一个月出席 → 重新计算",
        ),
        pytest.param(
            [*absent_run(1, 3), *absent_run(5, 3)],
            D(2025, 8, 5),
            [(WARNING, 3)],
            id="中间一个月没有组织生活 → 不连续",
        ),
        pytest.param(
            absent_run(1, 6),
            D(2025, 6, 30),
            [(WARNING, 5)],
            id="本月尚未结束 → 不计入本月",
        ),
        pytest.param(
            [*absent_run(10, 3, year=2024), *absent_run(1, 3)],
            D(2025, 4, 1),
            [(ERROR, 6)],
            id="跨年连续6个月 → 错误",
        ),
        pytest.param(
            [*absent_run(1, 6), MonthAttendance(2025, 3, "on_leave")],
            D(2025, 7, 5),
            [(WARNING, 3)],
            id="同月既缺席又请假 → 按请假",
        ),
    ],
)
def test_consecutive_absence(months, today, expected):
    findings = absence_findings(months=months, today=today)

    assert [(f.severity, f.data["months"]) for f in findings] == expected


def test_absence_warning_in_full():
    findings = absence_findings(months=absent_run(2, 3), today=D(2025, 5, 1))

    assert findings == [
        Finding(
            code="LIFE-ABSENT-6",
            severity=WARNING,
            message=(
                "2025年2月至2025年4月已连续3个月未参加党的组织生活，也未请假，"
                "党支部应及时了解情况、教育提醒；到2025年7月31日仍未参加且没有正当理由的，"
                "被认为是自行脱党。"
            ),
            citation=f"{CONSTITUTION}第九条",
            due=D(2025, 7, 31),
            data={"period": "2025-04", "group": None, "months": 3, "from": "2025-02"},
        )
    ]
    assert findings[0].data["from"] == "2025-02"


def test_absence_error_in_full():
    findings = absence_findings(months=absent_run(1, 6), today=D(2025, 7, 1))

    assert [(f.severity, f.message, f.citation, f.due, f.data) for f in findings] == [
        (
            ERROR,
            "2025年1月至2025年6月已连续6个月未参加党的组织生活，也未请假。"
            "党员没有正当理由，连续6个月不参加党的组织生活的，被认为是自行脱党，"
            "由支部大会决定除名，并报上级党组织批准。",
            f"{CONSTITUTION}第九条",
            D(2025, 6, 30),
            {"period": "2025-06", "group": None, "months": 6, "from": "2025-01"},
        )
    ]


def test_absence_warning_months_is_a_local_setting():
    later = ComplianceSettings(absence_warning_months=4)

    assert absence_findings(months=absent_run(1, 3), today=D(2025, 4, 5), settings=later) == []


@pytest.mark.parametrize("months", [0, 6, 7])
def test_absence_warning_must_come_before_six_months(months):
    with pytest.raises(ValueError, match="预警月数应在1至5之间"):
        ComplianceSettings(absence_warning_months=months)


def test_the_run_is_reported_with_its_months():
    run = consecutive_absent_months(absent_run(11, 4, year=2024), D(2025, 3, 1))

    assert run == AbsenceRun(4, Period.for_month(2024, 11), Period.for_month(2025, 2))


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        pytest.param(["absent", "present"], "present", id="出席过一次 → 出席"),
        pytest.param(["absent", "on_leave"], "on_leave", id="缺席和请假 → 请假"),
        pytest.param(["absent", "absent"], "absent", id="都缺席 → 缺席"),
    ],
)
def test_month_status_folds_a_months_meetings(statuses, expected):
    assert month_status(statuses) == expected


def test_an_unknown_attendance_status_is_refused():
    with pytest.raises(ValueError, match="未知的出席情况：'late'。"):
        MonthAttendance(2025, 1, "late")


# --- LIFE-HEART-TALK --------------------------------------------------------------------


COMMITTEE = ("张书记", "李委员", "王委员")
MEMBERS = ("赵一", "钱二", "孙三")
ALL_TALKS = (
    ("张书记", "李委员"),
    ("王委员", "张书记"),
    ("李委员", "王委员"),
    ("张书记", "赵一"),
    ("钱二", "李委员"),
    ("王委员", "孙三"),
    ("赵一", "钱二"),
    ("孙三", "赵一"),
)


def talks(*, drop=()):
    return HeartTalkFacts(COMMITTEE, MEMBERS, tuple(t for t in ALL_TALKS if t not in drop))


def test_every_kind_of_talk_held_gives_nothing():
    assert heart_talk_findings(year=2025, today=D(2026, 1, 1), facts=talks()) == []


def test_missing_talks_of_each_kind_are_named():
    facts = talks(drop=(("李委员", "王委员"), ("王委员", "孙三"), ("孙三", "赵一")))

    findings = heart_talk_findings(year=2025, today=D(2026, 1, 1), facts=facts)

    rule = "党支部委员之间、党支部委员和党员之间、党员和党员之间，每年谈心谈话一般不少于1次。"
    assert [(f.severity, f.message, f.citation, f.data) for f in findings] == [
        (
            WARNING,
            f"2025年度支部委员之间有1对未谈心谈话（李委员与王委员）。{rule}",
            BRANCH_RULES,
            {
                "period": "2025",
                "group": None,
                "between": "committee",
                "missing": ["李委员与王委员"],
            },
        ),
        (
            WARNING,
            f"2025年度有1名党员与支部委员之间未谈心谈话（孙三）。{rule}",
            BRANCH_RULES,
            {"period": "2025", "group": None, "between": "committee_member", "missing": ["孙三"]},
        ),
        (
            WARNING,
            f"2025年度有1名党员与其他党员之间未谈心谈话（孙三）。{rule}",
            BRANCH_RULES,
            {"period": "2025", "group": None, "between": "member", "missing": ["孙三"]},
        ),
    ]


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        pytest.param(D(2024, 12, 31), [], id="年度未开始 → 无"),
        pytest.param(D(2025, 6, 1), [INFO], id="年度进行中 → 提示"),
        pytest.param(D(2025, 12, 31), [INFO], id="年末最后一天 → 仍是提示"),
        pytest.param(D(2026, 1, 1), [WARNING], id="年度已结束 → 警告"),
    ],
)
def test_heart_talk_severity_follows_the_year(today, expected):
    facts = talks(drop=(("李委员", "王委员"),))

    findings = heart_talk_findings(year=2025, today=today, facts=facts)

    assert [f.severity for f in findings] == expected


def test_a_single_ordinary_member_needs_no_talk_between_members():
    facts = HeartTalkFacts(("张书记",), ("赵一",), (("张书记", "赵一"),))

    assert heart_talk_findings(year=2025, today=D(2026, 1, 1), facts=facts) == []


def test_talks_with_people_outside_the_lists_count_for_nobody():
    facts = HeartTalkFacts(("张书记",), ("赵一",), (("已调出的委员", "赵一"),))

    findings = heart_talk_findings(year=2025, today=D(2026, 1, 1), facts=facts)

    assert [f.data["missing"] for f in findings] == [["赵一"]]


def test_more_than_five_missing_people_are_shortened():
    members = tuple(f"党员{i}" for i in range(1, 8))
    facts = HeartTalkFacts(("张书记",), members, tuple(zip(members, members[1:], strict=False)))

    findings = heart_talk_findings(year=2025, today=D(2026, 1, 1), facts=facts)

    assert findings[0].message.startswith(
        "2025年度有7名党员与支部委员之间未谈心谈话（党员1、党员2、党员3、党员4、党员5等）。"
    )


@pytest.mark.parametrize(
    ("committee", "members", "pairs", "message"),
    [
        pytest.param(("甲",), ("甲",), (), "甲同时列为支部委员和党员。", id="同一人两处都列"),
        pytest.param(
            ("甲",),
            ("乙",),
            (("乙", "乙"),),
            "谈心谈话应在两个不同的人之间进行，实际为('乙', '乙')。",
            id="自己和自己谈",
        ),
        pytest.param(("甲", "甲"), (), (), "谈心谈话名单中有重复的人。", id="名单重复"),
    ],
)
def test_impossible_heart_talk_facts_are_refused(committee, members, pairs, message):
    with pytest.raises(ValueError) as excinfo:
        HeartTalkFacts(committee, members, pairs)

    assert str(excinfo.value) == message


# --- LIFE-STUDY-HOURS -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hours", "is_cadre", "today", "expected"),
    [
        pytest.param(31, False, D(2026, 1, 1), [WARNING], id="党员31学时 → 警告"),
        pytest.param(32, False, D(2026, 1, 1), [], id="党员恰好32学时 → 无"),
        pytest.param(55, True, D(2026, 1, 1), [WARNING], id="书记和委员55学时 → 警告"),
        pytest.param(56, True, D(2026, 1, 1), [], id="书记和委员恰好56学时 → 无"),
        pytest.param(40, True, D(2026, 1, 1), [WARNING], id="书记和委员按56学时计"),
        pytest.param(10, False, D(2025, 6, 1), [INFO], id="年度进行中 → 提示"),
        pytest.param(0, False, D(2024, 12, 1), [], id="年度未开始 → 无"),
    ],
)
def test_study_hours(hours, is_cadre, today, expected):
    findings = study_hours_findings(year=2025, today=today, hours=hours, is_cadre=is_cadre)

    assert [f.severity for f in findings] == expected


def test_study_hours_finding_says_the_source_is_unconfirmed():
    findings = study_hours_findings(
        year=2025, today=D(2026, 1, 1), hours=Decimal("31.50"), is_cadre=False
    )

    assert [(f.code, f.message, f.citation, f.due, f.data) for f in findings] == [
        (
            "LIFE-STUDY-HOURS",
            "2025年度未达到党员每年集中学习培训32学时的要求（已有31.5学时）。"
            "党员每年集中学习培训一般不少于32学时（全国依据待核实）。",
            "《党员教育培训工作规划》（具体条款未经核实）",
            D(2025, 12, 31),
            {"period": "2025", "group": None, "hours": "31.5", "required": 32, "unconfirmed": True},
        )
    ]


def test_negative_study_hours_are_refused():
    with pytest.raises(ValueError, match="学习学时应为不小于0的数，实际为-1。"):
        study_hours_findings(year=2025, today=D(2026, 1, 1), hours=-1, is_cadre=False)
