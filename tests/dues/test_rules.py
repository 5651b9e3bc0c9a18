"""Tests of the pure dues rules (DUES-*). No database, no clock."""

import datetime as dt
from decimal import Decimal

import pytest

from dangwu.core.findings import Finding, Severity
from dangwu.dues.rules import (
    DEFAULT_SETTINGS,
    DuesAmount,
    DuesSettings,
    PaidBy,
    arrears_findings,
    back_payment_findings,
    base_change_findings,
    consecutive_unpaid_months,
    hardship_findings,
    monthly_dues,
    org_payment_findings,
    probationary_first_month,
    voluntary_findings,
)

D = Decimal
ERROR = Severity.ERROR
WARNING = Severity.WARNING
INFO = Severity.INFO

RULES = "《关于中国共产党党费收缴、使用和管理的规定》（中组发〔2008〕3号）"
JIAO = DuesSettings(rounding_unit="0.10")


# --- monthly_dues: DOMAIN.md §6 examples -----------------------------------------------


RULE_OF = {
    "employee": ("DUES-EMPLOYEE", f"{RULES}第一、二条"),
    "retiree": ("DUES-RETIREE", f"{RULES}第五条"),
}


@pytest.mark.parametrize(
    ("category", "base", "amount", "rate"),
    [
        pytest.param("employee", "3000.00", "15.00", "0.005", id="基数3000.00元→按0.5%交15.00元"),
        pytest.param("employee", "3000.01", "30.00", "0.01", id="基数3000.01元→按1%交30.00元"),
        pytest.param("employee", "4567.00", "45.67", "0.01", id="基数4567.00元→按1%交45.67元"),
        pytest.param("employee", "5000.00", "50.00", "0.01", id="基数5000.00元→按1%交50.00元"),
        pytest.param("employee", "10000", "150.00", "0.015", id="基数10000.00元→按1.5%交150.00元"),
        pytest.param("employee", "12000.00", "240.00", "0.02", id="基数12000.00元→按2%交240.00元"),
        pytest.param("retiree", "5000", "25.00", "0.005", id="离退休费5000.00元→按0.5%交25.00元"),
        pytest.param("retiree", "6000.00", "60.00", "0.01", id="离退休费6000.00元→按1%交60.00元"),
    ],
)
def test_monthly_dues_matches_the_domain_examples(category, base, amount, rate):
    code, citation = RULE_OF[category]

    result = monthly_dues(category, D(base))

    assert result == DuesAmount(amount=D(amount), rate=D(rate), code=code, citation=citation)
    assert str(result.amount) == amount


@pytest.mark.parametrize(
    "category",
    [
        pytest.param("student", id="学生党员→每月交0.20元"),
        pytest.param("unemployed", id="下岗失业党员→每月交0.20元"),
        pytest.param("relief", id="依靠救济或低保生活的党员→每月交0.20元"),
    ],
)
def test_low_income_categories_pay_twenty_fen(category):
    assert monthly_dues(category, None) == DuesAmount(
        amount=D("0.20"), rate=None, code="DUES-LOW", citation=f"{RULES}第六条"
    )


def test_low_income_base_is_ignored_but_still_checked():
    assert monthly_dues("student", D("8000")).amount == D("0.20")
    with pytest.raises(ValueError, match="缴费基数不能为负数：-1。"):
        monthly_dues("student", D("-1"))


# --- band edges: the whole base at one rate ---------------------------------------------


@pytest.mark.parametrize(
    ("category", "base", "amount", "rate"),
    [
        pytest.param("employee", "0", "0.00", "0.005", id="基数0元→交0.00元"),
        pytest.param("employee", "3000", "15.00", "0.005", id="恰好3000元→仍按0.5%"),
        pytest.param("employee", "3000.01", "30.00", "0.01", id="超过3000元1分→整个基数按1%"),
        pytest.param("employee", "5000", "50.00", "0.01", id="恰好5000元→仍按1%"),
        pytest.param("employee", "5000.01", "75.00", "0.015", id="超过5000元1分→整个基数按1.5%"),
        pytest.param("employee", "10000", "150.00", "0.015", id="恰好10000元→仍按1.5%"),
        pytest.param("employee", "10000.01", "200.00", "0.02", id="超过10000元1分→整个基数按2%"),
        pytest.param("annual_salary", "5000.01", "75.00", "0.015", id="年薪制人员按同一比例"),
        pytest.param("self_employed", "3000.01", "30.00", "0.01", id="无固定工资人员按同一比例"),
        pytest.param("retiree", "5000", "25.00", "0.005", id="离退休费恰好5000元→仍按0.5%"),
        pytest.param("retiree", "5000.01", "50.00", "0.01", id="离退休费超过5000元1分→按1%"),
        pytest.param("retiree", "12000", "120.00", "0.01", id="离退休费再高也按1%"),
    ],
)
def test_band_edges(category, base, amount, rate):
    result = monthly_dues(category, D(base))

    assert (str(result.amount), str(result.rate)) == (amount, rate)


@pytest.mark.parametrize(
    ("category", "code", "article"),
    [
        ("annual_salary", "DUES-ANNUAL-SALARY", "第三条"),
        ("self_employed", "DUES-SELF-EMPLOYED", "第四条"),
    ],
)
def test_each_wage_category_names_its_own_rule(category, code, article):
    result = monthly_dues(category, D("4567"))

    assert (result.code, result.citation) == (code, f"{RULES}{article}")


# --- rounding (DUES-ROUND) ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("base", "policy", "amount"),
    [
        pytest.param("3001.50", DEFAULT_SETTINGS, "30.02", id="30.015元按分四舍五入→30.02元"),
        pytest.param("3001.49", DEFAULT_SETTINGS, "30.01", id="30.0149元按分→30.01元"),
        pytest.param("1001", DEFAULT_SETTINGS, "5.01", id="5.005元按分四舍五入→5.01元"),
        pytest.param("4567", JIAO, "45.70", id="按角：45.67元→45.70元"),
        pytest.param("3005", JIAO, "30.10", id="按角：30.05元恰好半角→30.10元"),
        pytest.param("3004.99", JIAO, "30.00", id="按角：30.0499元→30.00元"),
        pytest.param("3001.50", JIAO, "30.00", id="按角：30.015元不先按分进位→30.00元"),
    ],
)
def test_rounding_half_up_to_the_unit(base, policy, amount):
    assert str(monthly_dues("employee", D(base), policy).amount) == amount


def test_fixed_amounts_are_not_rounded_to_the_jiao():
    assert str(monthly_dues("farmer", None, JIAO, fixed=D("0.25")).amount) == "0.25"
    assert str(monthly_dues("student", None, JIAO).amount) == "0.20"


# --- farmers (DUES-FARMER) --------------------------------------------------------------


@pytest.mark.parametrize(
    "fixed",
    [
        pytest.param("0.20", id="下限0.20元→可以"),
        pytest.param("0.5", id="0.5元→0.50元"),
        pytest.param("1.00", id="上限1.00元→可以"),
    ],
)
def test_farmer_pays_the_fixed_amount_set_by_the_branch(fixed):
    assert monthly_dues("farmer", None, fixed=D(fixed)) == DuesAmount(
        amount=D(fixed).quantize(D("0.01")),
        rate=None,
        code="DUES-FARMER",
        citation=f"{RULES}第六条",
    )


@pytest.mark.parametrize(
    ("fixed", "shown"),
    [
        pytest.param("0.19", "0.19", id="0.19元低于下限→不行"),
        pytest.param("1.01", "1.01", id="1.01元高于上限→不行"),
        pytest.param("0", "0.00", id="0元→不行（免交须走困难减免）"),
    ],
)
def test_farmer_amount_outside_the_range_is_refused(fixed, shown):
    with pytest.raises(ValueError) as excinfo:
        monthly_dues("farmer", None, fixed=D(fixed))

    assert str(excinfo.value) == f"农民党员每月交纳党费0.20元至1.00元，{shown}元超出了这一范围。"


def test_farmer_needs_the_amount():
    with pytest.raises(ValueError) as excinfo:
        monthly_dues("farmer", D("2000"))

    assert str(excinfo.value) == (
        "农民党员每月交纳党费0.20元至1.00元，具体金额由党支部确定，须提供该金额。"
    )


def test_farmer_amount_has_at_most_two_decimals():
    with pytest.raises(ValueError, match="农民党员的党费金额最多保留两位小数：0.255。"):
        monthly_dues("farmer", None, fixed=D("0.255"))


# --- bad input ----------------------------------------------------------------------------


def test_unknown_category_is_refused_in_chinese():
    with pytest.raises(
        ValueError, match=r"^未知的党费缴纳类别：worker。可选：employee（在职职工）、"
    ):
        monthly_dues("worker", D("4567"))


def test_negative_base_is_refused():
    with pytest.raises(ValueError) as excinfo:
        monthly_dues("employee", D("-0.01"))

    assert str(excinfo.value) == "缴费基数不能为负数：-0.01。"


def test_rate_category_needs_a_base():
    with pytest.raises(ValueError) as excinfo:
        monthly_dues("retiree", None)

    assert str(excinfo.value) == "离退休人员须提供缴费基数。"


def test_fixed_amount_only_for_farmers():
    with pytest.raises(ValueError) as excinfo:
        monthly_dues("employee", D("4567"), fixed=D("0.50"))

    assert str(excinfo.value) == "在职职工的党费不是固定金额，只有农民党员由党支部确定固定金额。"


@pytest.mark.parametrize("base", [4567.0, "4567", True])
def test_base_must_be_decimal_never_float(base):
    with pytest.raises(TypeError, match="缴费基数须为 Decimal 或整数"):
        monthly_dues("employee", base)


def test_integer_base_is_accepted():
    assert monthly_dues("employee", 4567).amount == D("45.67")


def test_amount_as_dict_gives_strings_and_null_rate():
    assert monthly_dues("employee", D("4567")).as_dict() == {
        "amount": "45.67",
        "rate": "0.01",
        "code": "DUES-EMPLOYEE",
        "citation": f"{RULES}第一、二条",
    }
    assert monthly_dues("student", None).as_dict()["rate"] is None


# --- settings -------------------------------------------------------------------------------


def test_default_settings_are_the_domain_defaults():
    assert (
        DuesSettings(
            rounding_unit=D("0.01"),
            arrears_warning_months=3,
            base_change_month=1,
            base_fixed_within_year=True,
            back_payment_max_months=6,
            voluntary_remit_threshold=D("1000"),
        )
        == DEFAULT_SETTINGS
    )


def test_settings_accept_the_unit_as_text():
    assert JIAO.rounding_unit == D("0.10")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"rounding_unit": "0.05"}, "党费舍入单位应为0.01（分）或0.10（角），实际为0.05。"),
        ({"arrears_warning_months": 6}, "欠缴党费预警月数应在1至5之间，实际为6。"),
        ({"arrears_warning_months": 0}, "欠缴党费预警月数应在1至5之间，实际为0。"),
        ({"base_change_month": 13}, "核定缴费基数的月份应在1至12之间，实际为13。"),
        ({"back_payment_max_months": 0}, "补交党费的最多月数应至少为1，实际为0。"),
        ({"voluntary_remit_threshold": D("0")}, "自愿多交党费上缴中央的起点应大于0，实际为0。"),
    ],
)
def test_settings_refuse_bad_values(kwargs, message):
    with pytest.raises(ValueError) as excinfo:
        DuesSettings(**kwargs)

    assert str(excinfo.value) == message


# --- DUES-HARDSHIP -------------------------------------------------------------------------

HARDSHIP = f"{RULES}第七条"


def _hardship(message: str) -> Finding:
    return Finding(code="DUES-HARDSHIP", severity=ERROR, message=message, citation=HARDSHIP)


def test_hardship_with_discussion_and_approval_is_fine():
    assert (
        hardship_findings(
            standard_amount=D("45.67"),
            reduced_amount=D("0"),
            branch_discussed_on=dt.date(2026, 3, 2),
            approved_on=dt.date(2026, 3, 10),
        )
        == []
    )


def test_hardship_without_the_higher_approval_is_an_error():
    findings = hardship_findings(
        standard_amount=D("45.67"),
        reduced_amount=D("10.00"),
        branch_discussed_on=dt.date(2026, 3, 2),
        approved_on=None,
    )

    assert findings == [_hardship("减交党费须经党支部讨论并报上级党委批准，尚缺：上级党委批准。")]
    assert findings[0].data["missing"] == ["上级党委批准"]


def test_exemption_without_discussion_or_approval_names_both():
    findings = hardship_findings(
        standard_amount=D("45.67"),
        reduced_amount=D("0"),
        branch_discussed_on=None,
        approved_on=None,
    )

    assert findings == [
        _hardship("免交党费须经党支部讨论并报上级党委批准，尚缺：党支部讨论、上级党委批准。")
    ]


def test_hardship_approval_before_the_discussion_is_an_error():
    findings = hardship_findings(
        standard_amount=D("45.67"),
        reduced_amount=D("0"),
        branch_discussed_on=dt.date(2026, 3, 10),
        approved_on=dt.date(2026, 3, 2),
    )

    assert findings == [
        _hardship(
            "上级党委批准日期（2026-03-02）早于党支部讨论日期（2026-03-10）；"
            "免交党费应先经党支部讨论，再报上级党委批准。"
        )
    ]


def test_no_reduction_needs_no_approval():
    assert (
        hardship_findings(
            standard_amount=D("45.67"),
            reduced_amount=D("45.67"),
            branch_discussed_on=None,
            approved_on=None,
        )
        == []
    )


def test_hardship_amount_above_the_standard_is_refused():
    with pytest.raises(
        ValueError, match="减免后的党费（50.00元）不能高于按规定应交的党费（45.67元）。"
    ):
        hardship_findings(
            standard_amount=D("45.67"),
            reduced_amount=D("50.00"),
            branch_discussed_on=None,
            approved_on=None,
        )


# --- DUES-PROBATIONARY -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("admitted", "first"),
    [
        pytest.param(dt.date(2026, 6, 30), (2026, 6), id="6月30日支部大会接收→当月起交纳"),
        pytest.param(dt.date(2026, 1, 1), (2026, 1), id="1月1日接收→1月起交纳"),
        pytest.param(dt.date(2025, 12, 31), (2025, 12), id="12月31日接收→12月起交纳"),
    ],
)
def test_probationary_member_pays_from_the_month_of_admission(admitted, first):
    assert probationary_first_month(admitted) == first


# --- DUES-BASE-CHANGE ---------------------------------------------------------------------

BASE_CHANGE = f"{RULES}第十条；本地做法：每年1月核定缴费基数，年内不作调整"


def test_base_change_in_january_is_fine():
    assert base_change_findings((2026, 1)) == []


def test_base_change_within_the_year_is_a_warning_under_the_default_policy():
    assert base_change_findings((2026, 7)) == [
        Finding(
            code="DUES-BASE-CHANGE",
            severity=WARNING,
            message=(
                "按本单位规定，党费缴纳基数每年1月核定一次，年内不作调整；"
                "本次基数变更自2026年7月起生效，应自2027年1月起执行。"
            ),
            citation=BASE_CHANGE,
            due=dt.date(2027, 1, 1),
        )
    ]


def test_base_change_before_a_later_change_month_waits_for_that_month():
    settings = DuesSettings(base_change_month=7)

    findings = base_change_findings((2026, 3), settings)

    assert [(f.severity, f.due) for f in findings] == [(WARNING, dt.date(2026, 7, 1))]
    assert findings[0].citation == f"{RULES}第十条；本地做法：每年7月核定缴费基数，年内不作调整"


def test_base_change_any_month_when_the_policy_is_off():
    assert base_change_findings((2026, 7), DuesSettings(base_fixed_within_year=False)) == []


def test_base_change_refuses_a_month_out_of_range():
    with pytest.raises(ValueError, match="月份应在1至12之间，实际为2026年13月。"):
        base_change_findings((2026, 13))


# --- DUES-VOLUNTARY -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "flagged"),
    [
        pytest.param("999.99", False, id="999.99元→不须上缴中央"),
        pytest.param("1000", True, id="恰好1000元→全额上缴中央"),
        pytest.param("5000.50", True, id="5000.50元→全额上缴中央"),
    ],
)
def test_voluntary_payment_of_1000_or_more_is_flagged(amount, flagged):
    findings = voluntary_findings(D(amount))

    assert [(f.code, f.severity) for f in findings] == (
        [("DUES-VOLUNTARY", INFO)] if flagged else []
    )


def test_voluntary_finding_message():
    assert voluntary_findings(D("1000")) == [
        Finding(
            code="DUES-VOLUNTARY",
            severity=INFO,
            message="本次自愿多交党费1000.00元，单笔1000元以上（含），须全额上缴中央。",
            citation=f"{RULES}第十一条",
        )
    ]


def test_voluntary_payment_must_be_positive():
    with pytest.raises(ValueError, match="自愿多交的党费金额应大于0。"):
        voluntary_findings(D("0"))


# --- DUES-MONTHLY (back-payment) ----------------------------------------------------------


@pytest.mark.parametrize(
    ("months", "warned"),
    [
        pytest.param(1, False, id="补交1个月→可以"),
        pytest.param(6, False, id="补交6个月→可以"),
        pytest.param(7, True, id="补交7个月→超过6个月，提醒"),
    ],
)
def test_back_payment_over_six_months_is_a_warning(months, warned):
    findings = back_payment_findings(months)

    assert [(f.code, f.severity) for f in findings] == (
        [("DUES-MONTHLY", WARNING)] if warned else []
    )


def test_back_payment_finding_message():
    assert back_payment_findings(8) == [
        Finding(
            code="DUES-MONTHLY",
            severity=WARNING,
            message="本次补交党费8个月，超过6个月；党员应按月交纳党费，补交党费时间一般不超过6个月。",
            citation=f"{RULES}第十二条",
        )
    ]


def test_back_payment_refuses_negative_months():
    with pytest.raises(ValueError, match="补交的月数应为非负整数，实际为-1。"):
        back_payment_findings(-1)


# --- DUES-ARREARS-6 -------------------------------------------------------------------------

ARREARS = f"{RULES}第十三条；《中国共产党章程》第九条"


@pytest.mark.parametrize(
    ("months", "severity"),
    [
        pytest.param(0, None, id="没有欠缴→无提示"),
        pytest.param(2, None, id="连续2个月未交→尚不提醒"),
        pytest.param(3, WARNING, id="连续3个月未交→预警"),
        pytest.param(5, WARNING, id="连续5个月未交→预警"),
        pytest.param(6, ERROR, id="连续6个月未交→按自行脱党处理"),
        pytest.param(9, ERROR, id="连续9个月未交→按自行脱党处理"),
    ],
)
def test_arrears_warn_at_three_and_error_at_six(months, severity):
    findings = arrears_findings(months)

    assert [f.severity for f in findings] == ([] if severity is None else [severity])
    assert all(f.code == "DUES-ARREARS-6" and f.citation == ARREARS for f in findings)


def test_arrears_messages():
    assert arrears_findings(6)[0].message == (
        "已连续6个月未交纳党费。党员连续6个月不交纳党费，又没有正当理由的，"
        "按自行脱党处理，由支部大会决定除名并报上级批准。"
    )
    assert arrears_findings(3)[0].message == (
        "已连续3个月未交纳党费，党支部应及时了解情况、提醒督促；"
        "连续6个月不交纳党费，又没有正当理由的，按自行脱党处理。"
    )


def test_arrears_warning_threshold_is_a_setting():
    settings = DuesSettings(arrears_warning_months=2)

    assert [f.severity for f in arrears_findings(2, settings)] == [WARNING]
    assert [f.severity for f in arrears_findings(1, settings)] == []


def test_arrears_refuses_negative_months():
    with pytest.raises(ValueError, match="连续未交党费的月数应为非负整数，实际为-1。"):
        arrears_findings(-1)


# --- consecutive_unpaid_months ---------------------------------------------------------------


def _months(*pairs):
    return list(pairs)


YEAR_2026 = [(2026, m) for m in range(1, 13)]


@pytest.mark.parametrize(
    ("paid", "owed", "as_of", "expected"),
    [
        pytest.param(set(YEAR_2026[:6]), YEAR_2026, (2026, 6), 0, id="交到6月→截至6月无欠缴"),
        pytest.param(set(YEAR_2026[:3]), YEAR_2026, (2026, 6), 3, id="交到3月→截至6月连续3个月"),
        pytest.param(set(), YEAR_2026, (2026, 6), 6, id="一直未交→截至6月连续6个月"),
        pytest.param({(2026, 1), (2026, 4)}, YEAR_2026, (2026, 6), 2, id="4月交过→只算5、6两个月"),
        pytest.param(set(), YEAR_2026, (2025, 12), 0, id="截至月份早于应交月份→0"),
        pytest.param(
            set(),
            [(2025, 11), (2025, 12), (2026, 1), (2026, 2)],
            (2026, 2),
            4,
            id="跨年连续4个月",
        ),
        pytest.param(
            set(),
            [(2026, 1), (2026, 2), (2026, 4), (2026, 5)],
            (2026, 5),
            2,
            id="3月不需交纳（如已批准免交）→中断连续",
        ),
        pytest.param(
            {(2026, 6)}, YEAR_2026[:5], (2026, 12), 5, id="截至月之后没有应交月份→按最后应交月份计"
        ),
    ],
)
def test_consecutive_unpaid_months(paid, owed, as_of, expected):
    assert consecutive_unpaid_months(paid, owed, as_of) == expected


def test_consecutive_unpaid_months_feeds_arrears():
    months = consecutive_unpaid_months(set(), YEAR_2026, (2026, 6))

    assert [f.severity for f in arrears_findings(months)] == [ERROR]


def test_consecutive_unpaid_months_refuses_a_bad_month():
    with pytest.raises(ValueError, match="月份应在1至12之间，实际为2026年0月。"):
        consecutive_unpaid_months(set(), [(2026, 0)], (2026, 6))


# --- DUES-NO-ORG-PAY -------------------------------------------------------------------------

NO_ORG_PAY = f"{RULES}第十四条"


@pytest.mark.parametrize(
    ("paid_by", "message"),
    [
        pytest.param("member", None, id="党员本人交纳→可以"),
        pytest.param(PaidBy.PROXY, None, id="经支部同意由他人代交→可以"),
        pytest.param(
            "organization",
            "党组织或单位不得为党员代交党费，党费应由党员本人交纳。",
            id="组织代交→不行",
        ),
        pytest.param(
            "payroll",
            "不得从党员工资中直接扣缴党费，党费应由党员本人主动交纳。",
            id="从工资中扣缴→不行",
        ),
    ],
)
def test_org_payment(paid_by, message):
    expected = (
        []
        if message is None
        else [Finding(code="DUES-NO-ORG-PAY", severity=ERROR, message=message, citation=NO_ORG_PAY)]
    )

    assert org_payment_findings(paid_by) == expected


def test_org_payment_refuses_an_unknown_payer():
    with pytest.raises(
        ValueError, match="未知的交纳方式：bank。可选：member、proxy、organization、payroll。"
    ):
        org_payment_findings("bank")
