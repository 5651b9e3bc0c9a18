"""Stages 1–3 (DEV-AGE … DEV-TRAINING): 细则 第五至第十七条, 党章 第一、五条."""

import pytest

from dangwu.core.findings import Finding, Severity
from dangwu.development.rules import DevelopmentSettings
from tests.development.helpers import (
    CONSTITUTION,
    FULL,
    GOOD_REVIEW,
    GOOD_TRAINING,
    PRE,
    RULES,
    TODAY,
    D,
    check,
    on,
    with_code,
)

# --- DEV-AGE -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("birth", "application", "due"),
    [
        pytest.param("2001-05-04", "2019-05-04", None, id="年满18周岁当天 → 可以申请入党"),
        pytest.param("2001-05-04", "2019-05-03", D(2019, 5, 4), id="差一天满18周岁 → 不得申请"),
        pytest.param("2004-02-29", "2022-02-28", None, id="闰日出生者平年2月28日满18周岁"),
        pytest.param("2004-02-29", "2022-02-27", D(2022, 2, 28), id="闰日出生者2月27日未满18周岁"),
    ],
)
def test_age_on_application(birth, application, due):
    findings = with_code(check({"application": on(application)}, birth=birth), "DEV-AGE")

    assert [f.due for f in findings] == ([due] if due else [])


def test_age_finding_says_the_age_and_the_birthday():
    findings = check({"application": on("2019-05-03")}, birth="2001-05-04", today=D(2019, 5, 10))

    assert findings == [
        Finding(
            code="DEV-AGE",
            severity=Severity.ERROR,
            message="递交入党申请书时（2019年5月3日）年仅17周岁，未满18周岁；2019年5月4日年满18周岁。",
            citation=f"{CONSTITUTION}第一条；{RULES}第五条",
            subject="application",
            due=D(2019, 5, 4),
        )
    ]


# --- DEV-ORDER ---------------------------------------------------------------------------


def test_order_finding_names_both_steps():
    findings = check({"application": on("2025-03-01"), "application_talk": on("2025-02-20")})

    assert findings == [
        Finding(
            code="DEV-ORDER",
            severity=Severity.ERROR,
            message="第2步「党组织派人谈话」（2025年2月20日）早于其前置步骤第1步「递交入党申请书」（2025年3月1日）。",
            citation=RULES,
            subject="application_talk",
            due=D(2025, 3, 1),
        )
    ]


@pytest.mark.parametrize(
    ("steps", "subjects"),
    [
        pytest.param(
            {"application": on("2025-03-01"), "application_talk": on("2025-03-01")},
            [],
            id="同一天 → 顺序允许",
        ),
        pytest.param(
            {
                "application": on("2024-03-01"),
                "activist": on("2024-02-01", recommended_by="league"),
            },
            ["activist"],
            id="缺少中间步骤时仍不得早于更前的步骤",
        ),
        pytest.param(
            {
                "candidate": on("2025-05-01"),
                "training": {"start": "2025-04-30", "end": "2025-05-02", "days": 3},
            },
            ["training"],
            id="集中培训不得在确定发展对象之前开始",
        ),
        pytest.param(
            {
                "activist": on("2024-01-10", recommended_by="league"),
                "activist_assessments": [on("2024-01-09"), on("2024-06-01")],
            },
            ["activist_assessments"],
            id="重复步骤的每一次都不得早于前置步骤",
        ),
        pytest.param(
            {
                "placement": on("2025-07-01"),
                "oath": on("2025-07-01"),
                "admission_approval": on("2025-07-01"),
            },
            [],
            id="编入支部与入党宣誓同一天、与审批同一天",
        ),
        pytest.param(
            {"admission_filing": on("2025-06-30"), "placement": on("2025-06-29")},
            [],
            id="备案与编入支部之间没有先后要求",
        ),
    ],
)
def test_order(steps, subjects):
    findings = with_code(check(steps, today=D(2025, 3, 2)), "DEV-ORDER")

    assert [f.subject for f in findings] == subjects


# --- DEV-TALK-1M -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("talk", "today", "due"),
    [
        pytest.param("2025-02-28", TODAY, None, id="1月31日申请、2月28日谈话 → 在一个月内"),
        pytest.param("2025-03-01", TODAY, D(2025, 2, 28), id="3月1日谈话 → 超过一个月"),
        pytest.param(None, D(2025, 2, 28), None, id="尚未谈话、期限当天 → 不是问题"),
        pytest.param(None, D(2025, 3, 1), D(2025, 2, 28), id="尚未谈话、期限已过 → 问题"),
    ],
)
def test_talk_within_one_month(talk, today, due):
    steps = {"application": on("2025-01-31")}
    if talk:
        steps["application_talk"] = on(talk)

    findings = with_code(check(steps, today=today), "DEV-TALK-1M")

    assert [(f.severity, f.due, f.subject) for f in findings] == (
        [(Severity.ERROR, due, "application_talk")] if due else []
    )


def test_talk_missing_message_names_the_deadline():
    [finding] = check({"application": on("2025-01-31")}, today=D(2025, 3, 1))

    assert finding.message == (
        "递交入党申请书（2025年1月31日）已满一个月，尚未记录党组织派人谈话，应在2025年2月28日前谈话。"
    )
    assert finding.citation == f"{RULES}第七条"


# --- DEV-APP-ACT -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("activist", "months", "due"),
    [
        pytest.param("2025-07-31", 6, None, id="满6个月 → 可以确定为积极分子"),
        pytest.param("2025-07-30", 6, D(2025, 7, 31), id="差一天满6个月 → 提醒"),
        pytest.param("2025-02-01", 0, None, id="本地设置为0个月 → 不检查"),
        pytest.param("2025-04-30", 3, None, id="本地设置为3个月、恰好3个月"),
    ],
)
def test_application_to_activist(activist, months, due):
    steps = {
        "application": on("2025-01-31"),
        "application_talk": on("2025-01-31"),
        "activist": on(activist, recommended_by="party_members"),
    }
    settings = DevelopmentSettings(app_to_activist_months=months)

    findings = with_code(check(steps, settings=settings), "DEV-APP-ACT")

    assert [(f.severity, f.due, f.citation) for f in findings] == (
        [(Severity.WARNING, due, "本地规定")] if due else []
    )


# --- DEV-RECOMMEND, DEV-LEAGUE -----------------------------------------------------------


def test_activist_without_recommendation_is_an_error():
    findings = check({"activist": on("2025-07-31")}, today=D(2025, 8, 1))

    assert findings == [
        Finding(
            code="DEV-RECOMMEND",
            severity=Severity.ERROR,
            message="确定入党积极分子未记录推荐方式（党员推荐或群团组织推优）。",
            citation=f"{RULES}第八条",
            subject="activist",
        )
    ]


@pytest.mark.parametrize(
    ("birth", "league", "recommended_by", "warned"),
    [
        pytest.param(
            "1996-08-01",
            True,
            "party_members",
            True,
            id="差一天满29周岁的团员由党员推荐 → 提醒推优",
        ),
        pytest.param("1996-07-31", True, "party_members", False, id="已满29周岁 → 不提醒"),
        pytest.param("2000-01-01", True, "league", False, id="团员经团组织推优 → 不提醒"),
        pytest.param("2000-01-01", False, "party_members", False, id="不是团员 → 不提醒"),
        pytest.param(
            "2000-01-01", True, "mass_organization", True, id="团员由其他群团组织推优 → 提醒"
        ),
    ],
)
def test_league_members_are_recommended_by_the_league(birth, league, recommended_by, warned):
    steps = {"activist": on("2025-07-31", recommended_by=recommended_by)}

    findings = with_code(check(steps, birth=birth, league=league), "DEV-LEAGUE")

    assert [f.severity for f in findings] == ([Severity.WARNING] if warned else [])


def test_league_age_is_a_setting():
    steps = {"activist": on("2025-07-31", recommended_by="party_members")}
    settings = DevelopmentSettings(league_age=30)

    findings = check(steps, birth="1995-07-31", league=True, settings=settings, today=D(2025, 8, 1))

    assert [f.message for f in findings] == [
        "确定入党积极分子时（2025年7月31日）为30周岁的共青团员，30周岁以下的团员一般应经团组织推优，"
        "记录为「党员推荐」。"
    ]


# --- DEV-CONTACTS, DEV-INTRODUCERS -------------------------------------------------------


@pytest.mark.parametrize(
    ("people", "messages"),
    [
        pytest.param([FULL], [], id="一名正式党员 → 可以"),
        pytest.param([FULL, FULL], [], id="两名正式党员 → 可以"),
        pytest.param(
            [],
            ["2024年4月20日指定培养联系人时记录了0名培养联系人，应为一至两名正式党员。"],
            id="没有联系人 → 不可以",
        ),
        pytest.param(
            [FULL, FULL, FULL],
            ["2024年4月20日指定培养联系人时记录了3名培养联系人，应为一至两名正式党员。"],
            id="三名 → 不可以",
        ),
        pytest.param(
            [FULL, {"status": "probationary", "name": "李四"}],
            [
                "2024年4月20日指定培养联系人时，第2名培养联系人（李四）是预备党员，不是正式党员，不能担任培养联系人。"
            ],
            id="预备党员 → 不能担任",
        ),
        pytest.param(
            [{"status": "full", "sanction": "probation_within_party"}],
            [
                "2024年4月20日指定培养联系人时，第1名培养联系人正在留党察看期内，不能担任培养联系人。"
            ],
            id="留党察看期内 → 不能担任",
        ),
        pytest.param(
            [{"status": "full", "sanction": "serious_warning"}], [], id="严重警告 → 仍可担任"
        ),
        pytest.param(
            [{"status": "full", "sanction": "expulsion"}],
            ["2024年4月20日指定培养联系人时，第1名培养联系人已被开除党籍，不能担任培养联系人。"],
            id="开除党籍 → 不能担任",
        ),
    ],
)
def test_contacts(people, messages):
    findings = check({"contacts_assigned": on("2024-04-20", people=people)})

    assert [f.message for f in findings] == messages
    assert {(f.code, f.citation, f.subject) for f in findings} <= {
        ("DEV-CONTACTS", f"{RULES}第九条", "contacts_assigned")
    }


@pytest.mark.parametrize(
    ("people", "count"),
    [
        pytest.param([FULL, FULL], 0, id="两名正式党员 → 可以"),
        pytest.param([FULL], 1, id="只有一名 → 不可以"),
        pytest.param([FULL, FULL, FULL], 1, id="三名 → 不可以"),
        pytest.param([FULL, {"status": "candidate"}], 1, id="发展对象 → 不能担任"),
        pytest.param(
            [FULL, {"status": "full", "sanction": "probation_within_party"}],
            1,
            id="留党察看 → 不能担任",
        ),
        pytest.param([{"status": "probationary"}], 2, id="一名且为预备党员 → 两个问题"),
    ],
)
def test_introducers(people, count):
    findings = with_code(check({"introducers": on("2025-04-25", people=people)}), "DEV-INTRODUCERS")

    assert len(findings) == count
    assert all(f.severity == Severity.ERROR and f.subject == "introducers" for f in findings)


def test_admission_meeting_without_introducers_is_an_error():
    findings = with_code(check({"admission_meeting": on("2025-06-08")}), "DEV-INTRODUCERS")

    assert [(f.message, f.due) for f in findings] == [
        ("支部大会讨论接收预备党员（2025年6月8日）前没有确定入党介绍人。", D(2025, 6, 8))
    ]


# --- DEV-ASSESS-6M -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("assessments", "candidate", "today", "dues"),
    [
        pytest.param(["2024-07-31"], "2025-01-31", TODAY, [], id="每半年考察一次 → 可以"),
        pytest.param(
            ["2024-08-01"], "2025-02-01", TODAY, [D(2024, 7, 31)], id="间隔半年零一天 → 提醒"
        ),
        pytest.param(
            ["2024-07-31"],
            "2025-02-01",
            TODAY,
            [D(2025, 1, 31)],
            id="末次考察至确定发展对象超过半年 → 提醒",
        ),
        pytest.param(
            ["2024-07-31"], None, D(2025, 1, 31), [], id="尚未确定发展对象、末次考察未满半年"
        ),
        pytest.param(
            ["2024-07-31"],
            None,
            D(2025, 2, 1),
            [D(2025, 1, 31)],
            id="尚未确定发展对象、已超过半年未考察",
        ),
        pytest.param([], None, D(2024, 8, 1), [D(2024, 7, 31)], id="确定积极分子后从未考察"),
    ],
)
def test_assessments_every_half_year(assessments, candidate, today, dues):
    steps = {
        "activist": on("2024-01-31", recommended_by="league"),
        "activist_assessments": [on(d) for d in assessments],
    }
    if candidate:
        steps["candidate"] = on(candidate)

    findings = with_code(check(steps, today=today), "DEV-ASSESS-6M")

    assert [(f.severity, f.due) for f in findings] == [(Severity.WARNING, d) for d in dues]


# --- DEV-CULT-1Y -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("activist", "candidate", "due"),
    [
        pytest.param("2024-04-20", "2025-04-20", None, id="恰好一年 → 可以确定为发展对象"),
        pytest.param("2024-04-20", "2025-04-19", D(2025, 4, 20), id="差一天 → 不得确定"),
        pytest.param("2024-02-29", "2025-02-28", None, id="2月29日确定的积极分子次年2月28日满一年"),
        pytest.param("2024-04-20", "2024-04-20", D(2025, 4, 20), id="同一天 → 不得确定"),
    ],
)
def test_cultivation_of_one_year(activist, candidate, due):
    steps = {
        "activist": on(activist, recommended_by="league"),
        "activist_assessments": [],
        "candidate": on(candidate),
    }

    findings = with_code(check(steps), "DEV-CULT-1Y")

    assert [(f.severity, f.due) for f in findings] == ([(Severity.ERROR, due)] if due else [])


def test_cultivation_message_names_the_earliest_date():
    steps = {"activist": on("2024-04-20", recommended_by="league"), "candidate": on("2025-04-19")}

    [finding] = with_code(check(steps), "DEV-CULT-1Y")

    assert finding.message == (
        "确定为发展对象（2025年4月19日）距确定为入党积极分子（2024年4月20日）不满一年，最早可于2025年4月20日确定。"
    )
    assert finding.citation == f"{RULES}第十三条"


# --- DEV-REVIEW, DEV-TRAINING ------------------------------------------------------------


@pytest.mark.parametrize(
    ("review", "message"),
    [
        pytest.param(on("2025-05-28", passed=True), None, id="政审结论与预审同一天 → 可以"),
        pytest.param(
            None, "上级党委预审（2025年5月28日）前没有政治审查结论。", id="没有政审 → 不得预审"
        ),
        pytest.param(
            on("2025-05-10", passed=False),
            "政治审查结论（2025年5月10日）不合格，不能进行预审。",
            id="政审不合格 → 不得预审",
        ),
        pytest.param(
            on("2025-05-10"),
            "政治审查结论（2025年5月10日）未记录是否合格，不能进行预审。",
            id="未记录结论 → 不得预审",
        ),
        pytest.param(
            on("2025-05-29", passed=True),
            "政治审查结论（2025年5月29日）晚于上级党委预审（2025年5月28日）。",
            id="政审晚于预审 → 不可以",
        ),
    ],
)
def test_political_review_before_pre_review(review, message):
    steps = {**PRE, **GOOD_TRAINING}
    if review:
        steps["political_review"] = review

    findings = with_code(
        check(steps, settings=DevelopmentSettings(publicity_working_days=0)), "DEV-REVIEW"
    )

    assert [(f.message, f.due, f.citation) for f in findings] == (
        [(message, D(2025, 5, 28), f"{RULES}第十六条")] if message else []
    )


@pytest.mark.parametrize(
    ("training", "messages"),
    [
        pytest.param({"start": "2025-05-14", "end": "2025-05-16"}, [], id="起止三天 → 满3天"),
        pytest.param(
            {"start": "2025-05-14", "end": "2025-05-15", "hours": 24},
            [],
            id="两天24学时 → 满24学时",
        ),
        pytest.param(
            {"start": "2025-05-14", "end": "2025-05-15", "hours": 23.5},
            ["集中培训2天、23.5学时，不足3天且不足24学时。"],
            id="两天23.5学时 → 不足",
        ),
        pytest.param(
            {"start": "2025-05-26", "end": "2025-05-29", "days": 3},
            ["集中培训结束（2025年5月29日）晚于上级党委预审（2025年5月28日）。"],
            id="培训在预审之后结束 → 不可以",
        ),
        pytest.param(
            {"start": "2025-05-26", "end": "2025-05-28"}, [], id="培训在预审当天结束 → 可以"
        ),
    ],
)
def test_training(training, messages):
    steps = {**PRE, **GOOD_REVIEW, "training": training}

    findings = with_code(
        check(steps, settings=DevelopmentSettings(publicity_working_days=0)), "DEV-TRAINING"
    )

    assert [f.message for f in findings] == messages
    assert all(f.citation == f"{RULES}第十七条" for f in findings)


def test_pre_review_without_training_is_an_error():
    findings = with_code(check({**PRE, **GOOD_REVIEW}), "DEV-TRAINING")

    assert [(f.message, f.due) for f in findings] == [
        ("上级党委预审（2025年5月28日）前没有集中培训。", D(2025, 5, 28))
    ]
