"""Tests of the pure organization rules (ORG-*, GRP-*). No database."""

import datetime as dt

import pytest

from dangwu.core.findings import Severity
from dangwu.members.rules import FULL_RIGHTS, SanctionFacts, rights_on
from dangwu.orgs.rules import (
    GroupPolicy,
    GroupSize,
    branch_size_findings,
    committee_findings,
    deputy_findings,
    group_split_findings,
    group_term_findings,
    leader_choice_findings,
    leader_eligibility_findings,
    standard_term_years,
    term_findings,
)

D = dt.date
WARNING = Severity.WARNING
ERROR = Severity.ERROR
INFO = Severity.INFO

BRANCH_RULES = "《中国共产党支部工作条例（试行）》"
SEED_004 = "本地做法：《怎样当好党小组长》（党务实务）"
TERM_CITATION = (
    "《中国共产党支部工作条例（试行）》第二十一条；《中国共产党章程》；"
    "《中国共产党基层组织选举工作条例》第三条"
)


def _codes(findings):
    return [(f.code, f.severity) for f in findings]


# --- ORG-BRANCH-MIN, ORG-BRANCH-MAX, ORG-GENERAL-BRANCH -------------------------------


@pytest.mark.parametrize(
    ("kind", "formation", "full_members", "members", "expected"),
    [
        pytest.param("branch", "standard", 3, 3, [], id="正式党员3人→可以成立党支部"),
        pytest.param(
            "branch",
            "standard",
            2,
            5,
            [("ORG-BRANCH-MIN", WARNING)],
            id="正式党员2人→应成立联合党支部",
        ),
        pytest.param("branch", "joint", 2, 2, [], id="联合党支部正式党员2人→不提示"),
        pytest.param("branch", "standard", 40, 50, [], id="党员恰好50人→不超员"),
        pytest.param(
            "branch",
            "standard",
            40,
            51,
            [("ORG-BRANCH-MAX", WARNING), ("ORG-GENERAL-BRANCH", INFO)],
            id="党员51人→超过50人并建议设党总支",
        ),
        pytest.param(
            "branch",
            "temporary",
            40,
            51,
            [("ORG-BRANCH-MAX", WARNING), ("ORG-GENERAL-BRANCH", INFO)],
            id="临时党支部51人→同样超员",
        ),
        pytest.param(
            "branch",
            "standard",
            90,
            100,
            [("ORG-BRANCH-MAX", WARNING), ("ORG-GENERAL-BRANCH", INFO)],
            id="党支部100人→超员并建议设基层党委",
        ),
        pytest.param(
            "general_branch",
            "standard",
            40,
            49,
            [("ORG-GENERAL-BRANCH", INFO)],
            id="党总支49人→建议设党支部",
        ),
        pytest.param("general_branch", "standard", 40, 50, [], id="党总支50人→合适"),
        pytest.param("general_branch", "standard", 90, 100, [], id="党总支100人→合适"),
        pytest.param(
            "general_branch",
            "standard",
            90,
            101,
            [("ORG-GENERAL-BRANCH", INFO)],
            id="党总支101人→建议设基层党委",
        ),
        pytest.param(
            "basic_committee",
            "standard",
            90,
            99,
            [("ORG-GENERAL-BRANCH", INFO)],
            id="基层党委99人→提示一般设党总支",
        ),
        pytest.param("basic_committee", "standard", 90, 100, [], id="基层党委100人→合适"),
        pytest.param("party_group", "standard", 0, 2, [], id="党小组→不适用"),
    ],
)
def test_branch_size_findings(kind, formation, full_members, members, expected):
    findings = branch_size_findings(
        kind=kind, formation=formation, full_members=full_members, members=members
    )
    assert _codes(findings) == expected


def test_branch_min_message_and_citation():
    (finding,) = branch_size_findings(
        kind="branch", formation="standard", full_members=2, members=5
    )
    assert finding.message == (
        "党支部正式党员2人，不足3人；正式党员不足3人的单位，"
        "一般应与邻近单位联合成立党支部（联合党支部一般不超过5个单位）。"
    )
    assert finding.citation == f"{BRANCH_RULES}第四条"


def test_branch_max_and_general_branch_messages():
    max_finding, suggestion = branch_size_findings(
        kind="branch", formation="standard", full_members=40, members=51
    )
    assert max_finding.message == (
        "党支部党员51人，超过50人；党员人数一般不超过50人，"
        "超过的应分设党支部，或经上级党组织批准成立党总支。"
    )
    assert max_finding.citation == f"{BRANCH_RULES}第四条"
    assert suggestion.message == "党支部党员51人，在50至100人之间，建议经批准设立党总支。"
    assert suggestion.citation == "《中国共产党党和国家机关基层组织工作条例》第五、六条"


@pytest.mark.parametrize(
    ("full_members", "members"),
    [
        pytest.param(-1, 3, id="负数"),
        pytest.param(6, 5, id="正式党员多于党员总数"),
    ],
)
def test_branch_size_refuses_impossible_counts(full_members, members):
    with pytest.raises(ValueError, match="党员人数不正确"):
        branch_size_findings(
            kind="branch", formation="standard", full_members=full_members, members=members
        )


# --- ORG-COMMITTEE ----------------------------------------------------------------

FULL_COMMITTEE_3 = {"secretary": 1, "organization_member": 1, "propaganda_member": 1}
COMMITTEE_5 = {
    "secretary": 1,
    "deputy_secretary": 1,
    "organization_member": 1,
    "propaganda_member": 1,
    "discipline_member": 1,
}


@pytest.mark.parametrize(
    ("full_members", "posts", "expected"),
    [
        pytest.param(
            7,
            {"secretary": 1, "organization_member": 1},
            [ERROR],
            id="正式党员7人→应设支委会，支委2人不足3人",
        ),
        pytest.param(7, FULL_COMMITTEE_3, [], id="正式党员7人→支委3人合规"),
        pytest.param(20, COMMITTEE_5, [], id="支委5人合规"),
        pytest.param(
            20, {**COMMITTEE_5, "committee_member": 1}, [WARNING], id="支委6人→超过一般的5人"
        ),
        pytest.param(20, {**COMMITTEE_5, "committee_member": 2}, [WARNING], id="支委7人→最多7人"),
        pytest.param(20, {**COMMITTEE_5, "committee_member": 3}, [ERROR], id="支委8人→超过7人"),
        pytest.param(7, {"secretary": 1}, [ERROR], id="正式党员7人只设书记→应设支委会"),
        pytest.param(6, {"secretary": 1}, [], id="正式党员6人→只设书记"),
        pytest.param(
            6, {"secretary": 1, "deputy_secretary": 1}, [], id="正式党员6人→书记和副书记各1人"
        ),
        pytest.param(6, FULL_COMMITTEE_3, [ERROR], id="正式党员6人→不设支委会"),
        pytest.param(
            6, {"secretary": 1, "deputy_secretary": 2}, [ERROR], id="正式党员6人→副书记2人"
        ),
        pytest.param(
            20, {**FULL_COMMITTEE_3, "deputy_secretary": 2}, [ERROR], id="支委会副书记2人→最多1人"
        ),
        pytest.param(
            20,
            {"secretary": 2, "organization_member": 1, "propaganda_member": 1},
            [ERROR],
            id="书记2人→只能1人",
        ),
        pytest.param(6, {}, [WARNING], id="正式党员6人无书记→提示"),
        pytest.param(
            7,
            {"deputy_secretary": 1, "organization_member": 1, "propaganda_member": 1},
            [WARNING],
            id="支委会无书记→提示（可能在换届间隙）",
        ),
        pytest.param(6, {"secretary": 1, "group_leader": 3}, [], id="党小组长不计入支委"),
    ],
)
def test_committee_findings(full_members, posts, expected):
    findings = committee_findings(full_members=full_members, posts=posts)
    assert [f.code for f in findings] == ["ORG-COMMITTEE"] * len(expected)
    assert [f.severity for f in findings] == expected


def test_committee_too_small_message():
    (finding,) = committee_findings(
        full_members=7, posts={"secretary": 1, "organization_member": 1}
    )
    assert finding.message == (
        "党支部正式党员7人，应设立支部委员会；支委会现有2人，应由3至5人组成，最多不超过7人。"
    )
    assert finding.citation == f"{BRANCH_RULES}第六章"


def test_committee_posts_without_committee_message():
    (finding,) = committee_findings(full_members=6, posts=FULL_COMMITTEE_3)
    assert finding.message == (
        "党支部正式党员6人，不足7人，不设支部委员会，只设书记1人、必要时设副书记1人；"
        "现有组织委员1人、宣传委员1人。"
    )


def test_committee_refuses_unknown_posts():
    with pytest.raises(ValueError, match="未知的职务"):
        committee_findings(full_members=7, posts={"chairman": 1})


# --- ORG-TERM -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "category", "years"),
    [
        pytest.param("branch", "university_student", 3, id="党支部→3年"),
        pytest.param("general_branch", "enterprise", 3, id="党总支→3年"),
        pytest.param("branch", "village", 5, id="村党支部→5年"),
        pytest.param("branch", "community", 5, id="社区党支部→5年"),
        pytest.param("general_branch", "village", 5, id="村党总支→5年"),
        pytest.param("basic_committee", "university_staff", 5, id="基层党委→5年"),
    ],
)
def test_standard_term_years(kind, category, years):
    assert standard_term_years(kind, category) == years


def test_party_group_has_no_term_of_its_own():
    with pytest.raises(ValueError, match="党小组"):
        standard_term_years("party_group", "other")


@pytest.mark.parametrize(
    ("kind", "category", "elected_on", "today", "expected", "due"),
    [
        pytest.param(
            "branch",
            "enterprise",
            D(2023, 6, 10),
            D(2025, 12, 9),
            [],
            None,
            id="届满前6个月前一天→不提示",
        ),
        pytest.param(
            "branch",
            "enterprise",
            D(2023, 6, 10),
            D(2025, 12, 10),
            [WARNING],
            D(2026, 6, 10),
            id="届满前恰好6个月→提示换届",
        ),
        pytest.param(
            "branch",
            "enterprise",
            D(2023, 6, 10),
            D(2026, 6, 10),
            [WARNING],
            D(2026, 6, 10),
            id="届满当天→仍为提示",
        ),
        pytest.param(
            "branch",
            "enterprise",
            D(2023, 6, 10),
            D(2026, 6, 11),
            [ERROR],
            D(2026, 6, 10),
            id="届满次日→已到期",
        ),
        pytest.param(
            "branch",
            "village",
            D(2021, 6, 10),
            D(2026, 6, 10),
            [WARNING],
            D(2026, 6, 10),
            id="村党支部任期5年→届满当天",
        ),
        pytest.param(
            "branch",
            "village",
            D(2021, 6, 10),
            D(2024, 6, 11),
            [],
            None,
            id="村党支部满3年→未到期",
        ),
        pytest.param(
            "basic_committee",
            "enterprise",
            D(2021, 6, 10),
            D(2026, 6, 11),
            [ERROR],
            D(2026, 6, 10),
            id="基层党委任期5年→届满次日到期",
        ),
        pytest.param(
            "branch",
            "enterprise",
            D(2024, 2, 29),
            D(2027, 2, 28),
            [WARNING],
            D(2027, 2, 28),
            id="闰日选举→2月28日届满当天",
        ),
        pytest.param(
            "branch",
            "enterprise",
            D(2024, 2, 29),
            D(2027, 3, 1),
            [ERROR],
            D(2027, 2, 28),
            id="闰日选举→3月1日已到期",
        ),
        pytest.param(
            "branch",
            "enterprise",
            D(2024, 2, 29),
            D(2026, 8, 28),
            [WARNING],
            D(2027, 2, 28),
            id="闰日选举→届满前恰好6个月",
        ),
        pytest.param(
            "branch",
            "enterprise",
            D(2024, 2, 29),
            D(2026, 8, 27),
            [],
            None,
            id="闰日选举→届满前6个月前一天",
        ),
    ],
)
def test_term_findings(kind, category, elected_on, today, expected, due):
    findings = term_findings(
        kind=kind, category=category, elected_on=elected_on, ends_on=None, today=today
    )
    assert [f.code for f in findings] == ["ORG-TERM"] * len(expected)
    assert [f.severity for f in findings] == expected
    assert [f.due for f in findings] == ([due] if expected else [])


def test_term_warning_message_and_citation():
    (finding,) = term_findings(
        kind="branch",
        category="enterprise",
        elected_on=D(2023, 6, 10),
        ends_on=None,
        today=D(2026, 1, 1),
    )
    assert finding.message == (
        "党支部（2023年6月10日选举，每届任期3年）任期将于2026年6月10日届满，"
        "距届满不足6个月，应做好换届选举准备。"
    )
    assert finding.citation == TERM_CITATION


def test_term_expired_message():
    (finding,) = term_findings(
        kind="branch",
        category="enterprise",
        elected_on=D(2023, 6, 10),
        ends_on=None,
        today=D(2026, 6, 11),
    )
    assert finding.message == (
        "党支部（2023年6月10日选举，每届任期3年）任期已于2026年6月10日届满，应按期换届；"
        "确需延期换届的须经上级党组织批准，延期不超过1年。"
    )


def test_term_explicit_end_overrides_the_standard_term():
    (finding,) = term_findings(
        kind="branch",
        category="enterprise",
        elected_on=D(2023, 6, 10),
        ends_on=D(2026, 3, 31),
        today=D(2026, 4, 1),
    )
    assert (finding.severity, finding.due) == (ERROR, D(2026, 3, 31))


@pytest.mark.parametrize(
    ("extension", "today", "expected"),
    [
        pytest.param(
            D(2027, 6, 10),
            D(2026, 6, 11),
            [],
            id="批准延期1年→原届满次日不算到期",
        ),
        pytest.param(
            D(2027, 6, 10),
            D(2026, 12, 10),
            [(WARNING, D(2027, 6, 10))],
            id="批准延期1年→新届满前恰好6个月提示",
        ),
        pytest.param(
            D(2027, 6, 10),
            D(2027, 6, 11),
            [(ERROR, D(2027, 6, 10))],
            id="延期届满次日→已到期",
        ),
        pytest.param(
            D(2027, 6, 11),
            D(2026, 6, 11),
            [(ERROR, D(2027, 6, 10))],
            id="延期超过1年→违规且只按1年计",
        ),
        pytest.param(
            D(2027, 6, 11),
            D(2027, 6, 11),
            [(ERROR, D(2027, 6, 10)), (ERROR, D(2027, 6, 10))],
            id="延期超过1年且已过1年→违规并已到期",
        ),
    ],
)
def test_term_extension(extension, today, expected):
    findings = term_findings(
        kind="branch",
        category="enterprise",
        elected_on=D(2023, 6, 10),
        ends_on=None,
        today=today,
        extension_approved_until=extension,
    )
    assert [(f.severity, f.due) for f in findings] == expected
    assert {f.code for f in findings} <= {"ORG-TERM"}


def test_term_extension_too_long_message():
    (too_long,) = term_findings(
        kind="branch",
        category="enterprise",
        elected_on=D(2023, 6, 10),
        ends_on=None,
        today=D(2026, 6, 11),
        extension_approved_until=D(2027, 6, 11),
    )
    assert too_long.message == (
        "党支部任期于2026年6月10日届满，批准延期至2027年6月11日，超过1年；"
        "延期换届最长不超过1年，即最迟至2027年6月10日。"
    )


def test_term_refuses_an_extension_before_the_end():
    with pytest.raises(ValueError, match="应晚于原任期届满日期"):
        term_findings(
            kind="branch",
            category="enterprise",
            elected_on=D(2023, 6, 10),
            ends_on=None,
            today=D(2026, 1, 1),
            extension_approved_until=D(2026, 6, 10),
        )


# --- GRP-SPLIT ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("branch_members", "groups", "expected"),
    [
        pytest.param(19, [], [], id="党员19人未分组→不提示"),
        pytest.param(20, [], [{}], id="党员20人未分组→建议划分党小组"),
        pytest.param(
            20,
            [GroupSize("一组", 10, 8), GroupSize("二组", 10, 7)],
            [],
            id="党员20人已分两组→合适",
        ),
        pytest.param(
            20,
            [GroupSize("一组", 18, 15), GroupSize("二组", 2, 1)],
            [{"group": "二组", "members": 2}],
            id="党小组只有2人→提示不少于3人",
        ),
        pytest.param(
            20,
            [GroupSize("一组", 17, 15), GroupSize("二组", 3, 0)],
            [{"group": "二组", "full_members": 0}],
            id="党小组没有正式党员→提示",
        ),
        pytest.param(
            5,
            [GroupSize("一组", 2, 0)],
            [{"group": "一组", "members": 2}, {"group": "一组", "full_members": 0}],
            id="2人且无正式党员→两项提示",
        ),
    ],
)
def test_group_split_findings(branch_members, groups, expected):
    findings = group_split_findings(branch_members=branch_members, groups=groups)
    assert [(f.code, f.severity) for f in findings] == [("GRP-SPLIT", INFO)] * len(expected)
    for finding, data in zip(findings, expected, strict=True):
        for key, value in data.items():
            assert finding.data[key] == value
    for finding in findings:
        assert finding.citation == f"{BRANCH_RULES}第十三条；《中央和国家机关党小组工作规则》"


def test_group_split_message_names_the_numbers():
    (finding,) = group_split_findings(branch_members=20, groups=[])
    assert finding.message.startswith("党支部有党员20人（20人以上），尚未划分党小组；")
    (small,) = group_split_findings(branch_members=20, groups=[GroupSize("二组", 2, 1)])
    assert (
        small.message
        == "党小组「二组」只有党员2人，党小组一般不少于3名党员，可考虑与其他党小组合并。"
    )


# --- GRP-LEADER-ELIG ----------------------------------------------------------------

ON = D(2025, 1, 1)
UNDER_PROBATION = SanctionFacts(
    kind="probation_within_party", decided_on=D(2024, 6, 1), probation_years=1
)


@pytest.mark.parametrize(
    ("status", "sanctions", "message"),
    [
        pytest.param("full", [], None, id="正式党员→可以担任党小组长"),
        pytest.param(
            "full",
            [SanctionFacts(kind="warning", decided_on=D(2024, 6, 1))],
            None,
            id="受警告处分的正式党员→可以担任",
        ),
        pytest.param(
            "probationary",
            [],
            "该同志是预备党员，没有被选举权，不能担任党小组长或副组长；党小组长须由正式党员担任。",
            id="预备党员→不能担任",
        ),
        pytest.param(
            "full",
            [UNDER_PROBATION],
            "该同志正在留党察看期内（2025年6月1日恢复党员权利），不能担任党小组长或副组长；"
            "党小组长须由正式党员担任。",
            id="留党察看期内→不能担任",
        ),
        pytest.param(
            "activist",
            [],
            "该同志不是正式党员（当前状态：入党积极分子），不能担任党小组长或副组长；"
            "党小组长须由正式党员担任。",
            id="入党积极分子→不是党员",
        ),
        pytest.param(
            "suspended",
            [],
            "该同志不是正式党员（当前状态：停止党籍），不能担任党小组长或副组长；"
            "党小组长须由正式党员担任。",
            id="停止党籍→不能担任",
        ),
    ],
)
def test_leader_eligibility_findings(status, sanctions, message):
    rights = rights_on(status=status, sanctions=sanctions, on=ON)
    findings = leader_eligibility_findings(status=status, rights=rights)
    if message is None:
        assert findings == []
        return
    (finding,) = findings
    assert (finding.code, finding.severity) == ("GRP-LEADER-ELIG", ERROR)
    assert finding.message == message
    assert finding.citation == (f"《中国共产党章程》第七条；《中国共产党纪律处分条例》；{SEED_004}")


def test_leader_eligibility_restored_on_the_restoration_day():
    rights = rights_on(status="full", sanctions=[UNDER_PROBATION], on=D(2025, 6, 1))
    assert rights == FULL_RIGHTS
    assert leader_eligibility_findings(status="full", rights=rights) == []


# --- GRP-LEADER-CHOICE, GRP-DEPUTY, GRP-TERM ------------------------------------------


@pytest.mark.parametrize(
    ("chosen_by", "reason", "policy", "has_error"),
    [
        pytest.param("elected", None, GroupPolicy(), False, id="小组党员选举→可以"),
        pytest.param("recommended", None, GroupPolicy(), False, id="小组党员推选→可以"),
        pytest.param(
            "designated", "temporary_group", GroupPolicy(), False, id="临时党小组→可以指定"
        ),
        pytest.param("designated", "joint_group", GroupPolicy(), False, id="联合党小组→可以指定"),
        pytest.param(
            "designated", "single_full_member", GroupPolicy(), False, id="只有一名正式党员→可以指定"
        ),
        pytest.param("designated", "other", GroupPolicy(), True, id="其他原因指定→不符合本地规定"),
        pytest.param("designated", None, GroupPolicy(), True, id="指定未填原因→不符合本地规定"),
        pytest.param(
            "designated",
            None,
            GroupPolicy(designation_requires_reason=False),
            False,
            id="本地不要求指定原因→可以指定",
        ),
    ],
)
def test_leader_choice_findings(chosen_by, reason, policy, has_error):
    findings = leader_choice_findings(chosen_by=chosen_by, reason=reason, policy=policy)
    assert _codes(findings) == ([("GRP-LEADER-CHOICE", ERROR)] if has_error else [])


def test_leader_choice_message_and_citation():
    (finding,) = leader_choice_findings(chosen_by="designated", reason=None, policy=GroupPolicy())
    assert finding.message == (
        "党小组长一般由本小组党员选举或推选产生；由党支部指定的，须属于以下三种情形之一："
        "临时组建的党小组、组建时党员互不熟悉的联合党小组、只有一名正式党员的党小组"
        "（未填写原因）。"
    )
    assert finding.citation == f"{BRANCH_RULES}第十三条；{SEED_004}"
    assert finding.data["local"] is True


def test_group_policy_default_requires_a_reason():
    assert GroupPolicy() == GroupPolicy(designation_requires_reason=True)


@pytest.mark.parametrize(
    ("deputies", "has_error"),
    [
        pytest.param(0, False, id="不设副组长→可以"),
        pytest.param(1, False, id="副组长1人→可以"),
        pytest.param(2, True, id="副组长2人→最多1人"),
    ],
)
def test_deputy_findings(deputies, has_error):
    findings = deputy_findings(deputies=deputies)
    assert _codes(findings) == ([("GRP-DEPUTY", ERROR)] if has_error else [])
    if has_error:
        assert findings[0].message == (
            "党小组现有副组长2人；党小组一般设组长1人，必要时可增设副组长1人。"
        )
        assert findings[0].citation == SEED_004


@pytest.mark.parametrize(
    ("leader_end", "committee_end", "has_warning"),
    [
        pytest.param(D(2026, 6, 10), D(2026, 6, 10), False, id="与支委会同时届满→合适"),
        pytest.param(D(2026, 6, 9), D(2026, 6, 10), False, id="早于支委会届满→合适"),
        pytest.param(D(2026, 6, 11), D(2026, 6, 10), True, id="晚于支委会届满一天→提示"),
        pytest.param(None, D(2026, 6, 10), True, id="党小组长无届满日期→提示"),
        pytest.param(D(2026, 6, 11), None, False, id="支委会无届满日期→不比较"),
        pytest.param(None, None, False, id="都无届满日期→不比较"),
    ],
)
def test_group_term_findings(leader_end, committee_end, has_warning):
    findings = group_term_findings(leader_term_end=leader_end, committee_term_end=committee_end)
    assert [(f.code, f.severity, f.due) for f in findings] == (
        [("GRP-TERM", WARNING, committee_end)] if has_warning else []
    )


def test_group_term_message():
    (finding,) = group_term_findings(
        leader_term_end=D(2027, 1, 1), committee_term_end=D(2026, 6, 10)
    )
    assert finding.message == (
        "党小组长任期至2027年1月1日，晚于支委会任期届满日期2026年6月10日；"
        "党小组长任期与支委会相同，应在支委会换届时改选。"
    )
    assert finding.citation == SEED_004
    assert finding.data == {"local": True, "unconfirmed": True}
