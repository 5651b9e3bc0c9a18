"""Tests of the pure member rules (MEM-*, DISC-*). No database."""

import datetime as dt

import pytest

from dangwu.core.dates import add_months, add_years, full_years
from dangwu.core.findings import Severity
from dangwu.members.rules import (
    ALLOWED_TRANSITIONS,
    FULL_RIGHTS,
    Rights,
    SanctionEffect,
    SanctionFacts,
    age_on,
    combined_no_promotion_until,
    full_membership_date,
    party_age,
    probation_end,
    rights_on,
    sanction_effect,
    status_transition_findings,
)

D = dt.date


# --- dates -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        pytest.param(D(2025, 1, 31), 1, D(2025, 2, 28), id="1月31日加1个月→2月28日"),
        pytest.param(D(2024, 1, 31), 1, D(2024, 2, 29), id="闰年1月31日加1个月→2月29日"),
        pytest.param(D(2025, 8, 31), -6, D(2025, 2, 28), id="8月31日减6个月→2月28日"),
        pytest.param(D(2025, 11, 15), 3, D(2026, 2, 15), id="跨年加月"),
        pytest.param(D(2025, 1, 15), -1, D(2024, 12, 15), id="跨年减月"),
        pytest.param(D(2025, 5, 4), 0, D(2025, 5, 4), id="加0个月不变"),
    ],
)
def test_add_months_clamps_to_month_end(start, months, expected):
    assert add_months(start, months) == expected


@pytest.mark.parametrize(
    ("start", "years", "expected"),
    [
        pytest.param(D(2024, 2, 29), 1, D(2025, 2, 28), id="2月29日加1年→2月28日"),
        pytest.param(D(2024, 2, 29), 4, D(2028, 2, 29), id="2月29日加4年→2月29日"),
        pytest.param(D(2021, 6, 8), 3, D(2024, 6, 8), id="同月同日"),
    ],
)
def test_add_years(start, years, expected):
    assert add_years(start, years) == expected


def test_full_years_refuses_a_date_before_the_start():
    with pytest.raises(ValueError, match="早于"):
        full_years(D(2025, 1, 2), D(2025, 1, 1))


# --- age and party age (MEM-PARTY-AGE) -----------------------------------------------


@pytest.mark.parametrize(
    ("birth", "on", "expected"),
    [
        pytest.param(D(2007, 3, 15), D(2025, 3, 15), 18, id="18岁生日当天→满18周岁"),
        pytest.param(D(2007, 3, 15), D(2025, 3, 14), 17, id="18岁生日前一天→17周岁"),
        pytest.param(D(2004, 2, 29), D(2022, 2, 28), 18, id="2月29日出生→平年2月28日满周岁"),
        pytest.param(D(2004, 2, 29), D(2022, 2, 27), 17, id="2月29日出生→平年2月27日未满"),
        pytest.param(D(2001, 5, 4), D(2001, 5, 4), 0, id="出生当天→0岁"),
    ],
)
def test_age_on_counts_full_years(birth, on, expected):
    assert age_on(birth, on) == expected


def test_age_on_refuses_a_date_before_birth():
    with pytest.raises(ValueError):
        age_on(D(2001, 5, 4), D(2001, 5, 3))


@pytest.mark.parametrize(
    ("admission", "extension", "expected"),
    [
        pytest.param(D(2021, 6, 8), 0, D(2022, 6, 8), id="预备期一年→次年同日转正"),
        pytest.param(D(2021, 6, 8), 6, D(2022, 12, 8), id="延长预备期6个月"),
        pytest.param(D(2021, 6, 8), 12, D(2023, 6, 8), id="延长预备期12个月"),
        pytest.param(D(2024, 2, 29), 0, D(2025, 2, 28), id="闰日入党→次年2月28日预备期满"),
        pytest.param(D(2021, 8, 31), 6, D(2023, 2, 28), id="8月31日入党延长6个月→月末"),
    ],
)
def test_probation_end_and_full_membership_date(admission, extension, expected):
    assert probation_end(admission_date=admission, extension_months=extension) == expected
    assert full_membership_date(admission_date=admission, extension_months=extension) == expected


@pytest.mark.parametrize(
    "extension",
    [pytest.param(-1, id="延长期为负数"), pytest.param(13, id="延长期超过12个月")],
)
def test_probation_end_refuses_an_impossible_extension(extension):
    with pytest.raises(ValueError, match="0至12个月"):
        probation_end(admission_date=D(2021, 6, 8), extension_months=extension)


@pytest.mark.parametrize(
    ("full_since", "today", "expected"),
    [
        pytest.param(D(2022, 6, 8), D(2032, 6, 8), 10, id="转正十周年当天→党龄10年"),
        pytest.param(D(2022, 6, 8), D(2032, 6, 7), 9, id="转正十周年前一天→党龄9年"),
        pytest.param(D(2022, 6, 8), D(2022, 6, 8), 0, id="转正当天→党龄0年"),
        pytest.param(D(2022, 6, 8), D(2022, 6, 7), 0, id="尚未转正→党龄0年"),
        pytest.param(D(2020, 2, 29), D(2021, 2, 28), 1, id="闰日转正→平年2月28日满1年"),
    ],
)
def test_party_age_counts_full_years_from_full_membership(full_since, today, expected):
    assert party_age(full_since=full_since, today=today) == expected


# --- sanctions (DISC-EFFECTS) ---------------------------------------------------------


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        pytest.param(
            SanctionFacts(kind="warning", decided_on=D(2024, 3, 10)),
            SanctionEffect("warning", D(2024, 3, 10), None, D(2025, 3, 10), None, None),
            id="警告→一年内不得提升职务",
        ),
        pytest.param(
            SanctionFacts(kind="serious_warning", decided_on=D(2024, 3, 10)),
            SanctionEffect("serious_warning", D(2024, 3, 10), None, D(2025, 9, 10), None, None),
            id="严重警告→一年半内不得提升职务",
        ),
        pytest.param(
            SanctionFacts(kind="removal_from_post", decided_on=D(2024, 3, 10)),
            SanctionEffect(
                "removal_from_post", D(2024, 3, 10), None, D(2026, 3, 10), D(2026, 3, 10), None
            ),
            id="撤销党内职务→二年内不得担任相当或更高职务",
        ),
        pytest.param(
            SanctionFacts(
                kind="probation_within_party", decided_on=D(2024, 3, 10), probation_years=1
            ),
            SanctionEffect(
                "probation_within_party", D(2024, 3, 10), D(2025, 3, 10), D(2027, 3, 10), None, None
            ),
            id="留党察看一年→恢复权利后二年内不得提升",
        ),
        pytest.param(
            SanctionFacts(
                kind="probation_within_party", decided_on=D(2024, 3, 10), probation_years=2
            ),
            SanctionEffect(
                "probation_within_party", D(2024, 3, 10), D(2026, 3, 10), D(2028, 3, 10), None, None
            ),
            id="留党察看二年",
        ),
        pytest.param(
            SanctionFacts(
                kind="probation_within_party",
                decided_on=D(2024, 3, 10),
                probation_years=1,
                extended_years=1,
            ),
            SanctionEffect(
                "probation_within_party", D(2024, 3, 10), D(2026, 3, 10), D(2028, 3, 10), None, None
            ),
            id="留党察看一年延长一年→共二年",
        ),
        pytest.param(
            SanctionFacts(kind="expulsion", decided_on=D(2024, 3, 10)),
            SanctionEffect("expulsion", D(2024, 3, 10), None, None, None, D(2029, 3, 10)),
            id="开除党籍→五年内不得重新入党",
        ),
        pytest.param(
            SanctionFacts(kind="serious_warning", decided_on=D(2024, 8, 31)),
            SanctionEffect("serious_warning", D(2024, 8, 31), None, D(2026, 2, 28), None, None),
            id="8月31日严重警告→月末截止",
        ),
        pytest.param(
            SanctionFacts(
                kind="probation_within_party",
                decided_on=D(2024, 3, 10),
                probation_years=2,
                revoked_on=D(2024, 9, 1),
            ),
            SanctionEffect(
                "probation_within_party", D(2024, 3, 10), D(2024, 9, 1), D(2024, 9, 1), None, None
            ),
            id="处分撤销→各项影响于撤销日结束",
        ),
    ],
)
def test_sanction_effect(facts, expected):
    assert sanction_effect(facts) == expected


@pytest.mark.parametrize(
    ("facts", "match"),
    [
        pytest.param(
            SanctionFacts(kind="probation_within_party", decided_on=D(2024, 3, 10)),
            "应为1年或2年",
            id="留党察看0年→不可能",
        ),
        pytest.param(
            SanctionFacts(
                kind="probation_within_party", decided_on=D(2024, 3, 10), probation_years=3
            ),
            "应为1年或2年",
            id="留党察看3年→不可能",
        ),
        pytest.param(
            SanctionFacts(
                kind="probation_within_party",
                decided_on=D(2024, 3, 10),
                probation_years=2,
                extended_years=1,
            ),
            "只有留党察看1年的才可以延长",
            id="留党察看二年再延长→不可能",
        ),
        pytest.param(
            SanctionFacts(
                kind="probation_within_party",
                decided_on=D(2024, 3, 10),
                probation_years=1,
                extended_years=2,
            ),
            "只能延长1年",
            id="延长二年→不可能",
        ),
        pytest.param(
            SanctionFacts(kind="warning", decided_on=D(2024, 3, 10), probation_years=1),
            "没有察看期",
            id="警告带察看期→不可能",
        ),
        pytest.param(
            SanctionFacts(kind="reprimand", decided_on=D(2024, 3, 10)),
            "未知的处分种类",
            id="未知处分种类",
        ),
        pytest.param(
            SanctionFacts(kind="warning", decided_on=D(2024, 3, 10), revoked_on=D(2024, 3, 9)),
            "早于处分决定日期",
            id="撤销早于决定",
        ),
    ],
)
def test_sanction_effect_refuses_impossible_sanctions(facts, match):
    with pytest.raises(ValueError, match=match):
        sanction_effect(facts)


def test_combined_no_promotion_adds_the_remaining_time_of_the_earlier_period():
    # Given a warning (no promotion until 2025-03-10) and, 100 days before its end,
    # a serious warning decided on 2024-11-30 (own end 2026-05-30)
    warning = sanction_effect(SanctionFacts(kind="warning", decided_on=D(2024, 3, 10)))
    serious = sanction_effect(SanctionFacts(kind="serious_warning", decided_on=D(2024, 11, 30)))
    assert D(2025, 3, 10) - D(2024, 11, 30) == dt.timedelta(days=100)
    # When combined (in any order)
    # Then the later period is lengthened by the 100 days still to run
    expected = D(2026, 5, 30) + dt.timedelta(days=100)
    assert combined_no_promotion_until([warning, serious]) == expected
    assert combined_no_promotion_until([serious, warning]) == expected


def test_combined_no_promotion_a_sanction_on_the_end_day_adds_nothing():
    warning = sanction_effect(SanctionFacts(kind="warning", decided_on=D(2024, 3, 10)))
    second = sanction_effect(SanctionFacts(kind="warning", decided_on=D(2025, 3, 10)))
    assert combined_no_promotion_until([warning, second]) == D(2026, 3, 10)


def test_combined_no_promotion_of_one_sanction_is_its_own_end():
    warning = sanction_effect(SanctionFacts(kind="warning", decided_on=D(2024, 3, 10)))
    assert combined_no_promotion_until([warning]) == D(2025, 3, 10)


@pytest.mark.parametrize(
    "effects",
    [
        pytest.param([], id="没有处分"),
        pytest.param(
            [sanction_effect(SanctionFacts(kind="expulsion", decided_on=D(2024, 3, 10)))],
            id="只有开除党籍→无提升限制",
        ),
    ],
)
def test_combined_no_promotion_none(effects):
    assert combined_no_promotion_until(effects) is None


# --- rights (MEM-RIGHTS, DISC-NO-ROLE) ------------------------------------------------

PROBATION_1Y = SanctionFacts(
    kind="probation_within_party", decided_on=D(2024, 3, 10), probation_years=1
)
NO_RIGHTS = (False, False, False, False)


def _flags(rights: Rights) -> tuple[bool, bool, bool, bool]:
    return (rights.can_vote, rights.can_elect, rights.can_be_elected, rights.can_hold_role)


@pytest.mark.parametrize(
    ("status", "sanctions", "on", "expected"),
    [
        pytest.param("full", [], D(2025, 1, 1), (True, True, True, True), id="正式党员→全部权利"),
        pytest.param(
            "probationary", [], D(2025, 1, 1), NO_RIGHTS, id="预备党员→无表决选举被选举权"
        ),
        pytest.param(
            "full", [PROBATION_1Y], D(2024, 3, 10), NO_RIGHTS, id="留党察看决定当天→无权利"
        ),
        pytest.param(
            "full", [PROBATION_1Y], D(2025, 3, 9), NO_RIGHTS, id="留党察看最后一天→无权利"
        ),
        pytest.param(
            "full",
            [PROBATION_1Y],
            D(2025, 3, 10),
            (True, True, True, True),
            id="恢复权利当天→全部权利",
        ),
        pytest.param(
            "full",
            [PROBATION_1Y],
            D(2024, 3, 9),
            (True, True, True, True),
            id="处分决定前一天→全部权利",
        ),
        pytest.param(
            "full",
            [SanctionFacts(kind="serious_warning", decided_on=D(2024, 3, 10))],
            D(2024, 6, 1),
            (True, True, True, True),
            id="严重警告期内→权利不受影响",
        ),
        pytest.param(
            "full",
            [SanctionFacts(kind="expulsion", decided_on=D(2024, 3, 10))],
            D(2024, 6, 1),
            NO_RIGHTS,
            id="已开除党籍→无权利",
        ),
        pytest.param("applicant", [], D(2025, 1, 1), NO_RIGHTS, id="入党申请人→无党员权利"),
        pytest.param("candidate", [], D(2025, 1, 1), NO_RIGHTS, id="发展对象→无党员权利"),
        pytest.param("suspended", [], D(2025, 1, 1), NO_RIGHTS, id="停止党籍→无权利"),
        pytest.param("left", [], D(2025, 1, 1), NO_RIGHTS, id="已出党→无权利"),
        pytest.param("deceased", [], D(2025, 1, 1), NO_RIGHTS, id="已去世→无权利"),
        pytest.param(
            "probation_cancelled", [], D(2025, 1, 1), NO_RIGHTS, id="取消预备党员资格→无权利"
        ),
    ],
)
def test_rights_on(status, sanctions, on, expected):
    assert _flags(rights_on(status=status, sanctions=sanctions, on=on)) == expected


def test_rights_on_full_member_without_sanction_has_no_reasons():
    assert rights_on(status="full", sanctions=[], on=D(2025, 1, 1)) == FULL_RIGHTS
    assert FULL_RIGHTS.reasons == ()
    assert FULL_RIGHTS.is_full


def test_rights_on_under_probation_names_the_restoration_day():
    rights = rights_on(status="full", sanctions=[PROBATION_1Y], on=D(2025, 3, 9))
    assert rights.reasons == ("正在留党察看期内（2025年3月10日恢复党员权利）",)


def test_rights_on_extended_probation_lasts_two_years():
    extended = SanctionFacts(
        kind="probation_within_party",
        decided_on=D(2024, 3, 10),
        probation_years=1,
        extended_years=1,
    )
    assert not rights_on(status="full", sanctions=[extended], on=D(2026, 3, 9)).can_vote
    assert rights_on(status="full", sanctions=[extended], on=D(2026, 3, 10)).can_vote


def test_rights_on_probationary_reason():
    rights = rights_on(status="probationary", sanctions=[], on=D(2025, 1, 1))
    assert rights.reasons == (
        "预备党员没有表决权、选举权和被选举权，不能担任入党介绍人、培养联系人、党小组长或支部委员",
    )


def test_rights_on_refuses_an_unknown_status():
    with pytest.raises(ValueError, match="未知的党籍状态"):
        rights_on(status="member", sanctions=[], on=D(2025, 1, 1))


# --- status transitions (MEM-STATUS) ------------------------------------------------


@pytest.mark.parametrize(
    ("current", "new"),
    [
        pytest.param(None, "applicant", id="新登记→入党申请人"),
        pytest.param(None, "activist", id="导入→入党积极分子"),
        pytest.param(None, "candidate", id="导入→发展对象"),
        pytest.param(None, "probationary", id="导入→预备党员"),
        pytest.param(None, "full", id="导入→正式党员"),
        pytest.param("applicant", "activist", id="申请人→积极分子"),
        pytest.param("activist", "candidate", id="积极分子→发展对象"),
        pytest.param("candidate", "probationary", id="发展对象→预备党员"),
        pytest.param("probationary", "full", id="预备党员→转正"),
        pytest.param("probationary", "probation_cancelled", id="预备党员→取消预备党员资格"),
        pytest.param("probationary", "suspended", id="预备党员→停止党籍"),
        pytest.param("probationary", "left", id="预备党员→出党"),
        pytest.param("probationary", "deceased", id="预备党员→去世"),
        pytest.param("full", "suspended", id="正式党员→停止党籍"),
        pytest.param("full", "left", id="正式党员→出党"),
        pytest.param("full", "deceased", id="正式党员→去世"),
        pytest.param("suspended", "full", id="停止党籍→恢复为正式党员"),
        pytest.param("suspended", "probationary", id="停止党籍→恢复为预备党员"),
        pytest.param("suspended", "left", id="停止党籍后仍失联→按自行脱党除名"),
        pytest.param("applicant", "deceased", id="申请人→去世"),
        pytest.param("activist", "deceased", id="积极分子→去世"),
        pytest.param("candidate", "deceased", id="发展对象→去世"),
    ],
)
def test_status_transition_allowed(current, new):
    assert status_transition_findings(current=current, new=new) == []
    assert new in ALLOWED_TRANSITIONS[current]


@pytest.mark.parametrize(
    ("current", "new", "message"),
    [
        pytest.param(
            "applicant",
            "candidate",
            "不能从「入党申请人」直接变更为「发展对象」：发展党员须依次经过入党申请人、"
            "入党积极分子、发展对象、预备党员、正式党员各阶段。",
            id="申请人跳过积极分子→不可",
        ),
        pytest.param(
            "activist",
            "probationary",
            "不能从「入党积极分子」直接变更为「预备党员」：发展党员须依次经过入党申请人、"
            "入党积极分子、发展对象、预备党员、正式党员各阶段。",
            id="积极分子直接成为预备党员→不可",
        ),
        pytest.param(
            "candidate",
            "activist",
            "不能从「发展对象」退回「入党积极分子」。",
            id="发展对象退回积极分子→不可",
        ),
        pytest.param(
            "full",
            "probationary",
            "不能从「正式党员」退回「预备党员」。",
            id="正式党员退回预备党员→不可",
        ),
        pytest.param(
            "activist",
            "left",
            "「入党积极分子」尚未入党，不能变更为「已出党」。",
            id="积极分子不能出党",
        ),
        pytest.param(
            "applicant",
            "suspended",
            "「入党申请人」尚未入党，不能变更为「停止党籍」。",
            id="申请人不能停止党籍",
        ),
        pytest.param(
            "full",
            "probation_cancelled",
            "不能从「正式党员」变更为「取消预备党员资格」。",
            id="正式党员不能取消预备党员资格",
        ),
        pytest.param(
            "left",
            "full",
            "「已出党」是终止状态，不能再变更为「正式党员」。",
            id="已出党→不能恢复",
        ),
        pytest.param(
            "deceased",
            "full",
            "「已去世」是终止状态，不能再变更为「正式党员」。",
            id="已去世→终止",
        ),
        pytest.param(
            "probation_cancelled",
            "probationary",
            "「取消预备党员资格」是终止状态，不能再变更为「预备党员」。",
            id="取消预备党员资格→终止",
        ),
        pytest.param(
            "suspended",
            "applicant",
            "不能从「停止党籍」变更为「入党申请人」。",
            id="停止党籍只能恢复为党员",
        ),
        pytest.param(
            None,
            "left",
            "新登记的人员不能直接登记为「已出党」，应登记为入党申请人至正式党员中的一个阶段。",
            id="新登记不能是终止状态",
        ),
        pytest.param("full", "full", "当前状态已是「正式党员」，状态没有变化。", id="状态未变化"),
    ],
)
def test_status_transition_refused(current, new, message):
    (finding,) = status_transition_findings(current=current, new=new)
    assert finding.code == "MEM-STATUS"
    assert finding.severity == Severity.ERROR
    assert finding.message == message
    assert finding.citation == "《中国共产党章程》；《中国共产党发展党员工作细则》"


def test_status_transition_refuses_an_unknown_status():
    with pytest.raises(ValueError, match="未知的党籍状态"):
        status_transition_findings(current="full", new="retired")
