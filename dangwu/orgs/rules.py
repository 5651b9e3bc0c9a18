"""Regulations about organizations, committees, terms and party groups (ORG-*, GRP-*).

Pure functions over plain values and small frozen dataclasses: no database, no request,
no clock (``today`` is always an argument). Each returns a list of ``Finding``s, empty
when the rule is satisfied; the caller sets ``subject`` (``dataclasses.replace``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from dangwu.core.dates import add_months, add_years, zh_date
from dangwu.core.findings import Finding, Severity
from dangwu.members.choices import Status
from dangwu.members.rules import STATUS_ZH, Rights
from dangwu.orgs.choices import (
    COMMITTEE_POSTS,
    Category,
    ChosenBy,
    DesignationReason,
    Formation,
    OrgKind,
    PostKind,
)

PARTY_CONSTITUTION = "《中国共产党章程》"
BRANCH_RULES = "《中国共产党支部工作条例（试行）》"
ELECTION_RULES = "《中国共产党基层组织选举工作条例》"
ORGAN_RULES = "《中国共产党党和国家机关基层组织工作条例》"
DISCIPLINE_RULES = "《中国共产党纪律处分条例》"
GROUP_WORK_RULES = "《中央和国家机关党小组工作规则》"
# Seed 004 is practice literature, not a regulation: cite it as local practice.
SEED_004 = "本地做法：《怎样当好党小组长》（党务实务）"

KIND_ZH: Mapping[str, str] = {
    OrgKind.BASIC_COMMITTEE: "基层党委",
    OrgKind.GENERAL_BRANCH: "党总支",
    OrgKind.BRANCH: "党支部",
    OrgKind.PARTY_GROUP: "党小组",
}
POST_ZH: Mapping[str, str] = {
    PostKind.SECRETARY: "书记",
    PostKind.DEPUTY_SECRETARY: "副书记",
    PostKind.ORGANIZATION_MEMBER: "组织委员",
    PostKind.PROPAGANDA_MEMBER: "宣传委员",
    PostKind.DISCIPLINE_MEMBER: "纪检委员",
    PostKind.COMMITTEE_MEMBER: "其他委员",
    PostKind.GROUP_LEADER: "党小组长",
    PostKind.DEPUTY_GROUP_LEADER: "副组长",
}


def _check_kind(kind: str) -> None:
    if kind not in KIND_ZH:
        raise ValueError(f"未知的党组织类型：{kind!r}。")


# --- Size and kind (ORG-BRANCH-MIN, ORG-BRANCH-MAX, ORG-GENERAL-BRANCH) -----------------

BRANCH_MIN_FULL_MEMBERS = 3
BRANCH_MAX_MEMBERS = 50
GENERAL_BRANCH_MIN_MEMBERS = 50
GENERAL_BRANCH_MAX_MEMBERS = 100
BASIC_COMMITTEE_MIN_MEMBERS = 100


def branch_size_findings(
    *, kind: str, formation: str, full_members: int, members: int
) -> list[Finding]:
    """Whether an organization's size fits its kind.

    ORG-BRANCH-MIN — 支部条例 第四条 (warning): a standard branch has at least 3 full
    members; with fewer, units form a joint branch (a joint branch is exempt).
    ORG-BRANCH-MAX — 支部条例 第四条 (warning): a branch generally has at most 50 members.
    ORG-GENERAL-BRANCH — 机关条例 第五、六条 (info): a general branch for 50–100 members, a
    basic committee for 100 or more; either may be set up below that with approval, so a
    size outside the kind's range is only a suggestion. Party groups are not organizations
    of a level: no findings.
    """
    _check_kind(kind)
    if full_members < 0 or members < 0 or full_members > members:
        raise ValueError(f"党员人数不正确：党员{members}人，其中正式党员{full_members}人。")
    if kind == OrgKind.PARTY_GROUP:
        return []

    findings: list[Finding] = []
    if (
        kind == OrgKind.BRANCH
        and formation == Formation.STANDARD
        and full_members < BRANCH_MIN_FULL_MEMBERS
    ):
        findings.append(
            Finding(
                code="ORG-BRANCH-MIN",
                severity=Severity.WARNING,
                message=(
                    f"党支部正式党员{full_members}人，不足3人；正式党员不足3人的单位，"
                    "一般应与邻近单位联合成立党支部（联合党支部一般不超过5个单位）。"
                ),
                citation=f"{BRANCH_RULES}第四条",
                data={"full_members": full_members},
            )
        )
    if kind == OrgKind.BRANCH and members > BRANCH_MAX_MEMBERS:
        findings.append(
            Finding(
                code="ORG-BRANCH-MAX",
                severity=Severity.WARNING,
                message=(
                    f"党支部党员{members}人，超过50人；党员人数一般不超过50人，"
                    "超过的应分设党支部，或经上级党组织批准成立党总支。"
                ),
                citation=f"{BRANCH_RULES}第四条",
                data={"members": members},
            )
        )
    suggestion = _kind_suggestion(kind, members)
    if suggestion:
        findings.append(
            Finding(
                code="ORG-GENERAL-BRANCH",
                severity=Severity.INFO,
                message=suggestion,
                citation=f"{ORGAN_RULES}第五、六条",
                data={"members": members},
            )
        )
    return findings


def _kind_suggestion(kind: str, members: int) -> str:
    if kind == OrgKind.BRANCH:
        if members >= BASIC_COMMITTEE_MIN_MEMBERS:
            return f"党支部党员{members}人，达到100人以上，建议经批准设立基层党委。"
        if members > BRANCH_MAX_MEMBERS:
            return f"党支部党员{members}人，在50至100人之间，建议经批准设立党总支。"
    elif kind == OrgKind.GENERAL_BRANCH:
        if members > GENERAL_BRANCH_MAX_MEMBERS:
            return f"党总支党员{members}人，超过100人，建议经批准设立基层党委。"
        if members < GENERAL_BRANCH_MIN_MEMBERS:
            return (
                f"党总支党员{members}人，不足50人；党员50至100人的一般设立党总支，"
                "不足50人的一般设立党支部（确有需要的经批准也可设立党总支）。"
            )
    elif kind == OrgKind.BASIC_COMMITTEE and members < BASIC_COMMITTEE_MIN_MEMBERS:
        return (
            f"基层党委党员{members}人，不足100人；党员100人以上的一般设立基层党委，"
            "不足100人的一般设立党总支或党支部（确有需要的经批准也可设立基层党委）。"
        )
    return ""


# --- Committee (ORG-COMMITTEE) ----------------------------------------------------------

COMMITTEE_MIN_FULL_MEMBERS = 7
COMMITTEE_MIN_SIZE = 3
COMMITTEE_USUAL_MAX_SIZE = 5
COMMITTEE_MAX_SIZE = 7


def committee_findings(*, full_members: int, posts: Mapping[str, int]) -> list[Finding]:
    """Whether a branch's committee posts fit its number of full members.

    ORG-COMMITTEE — 支部条例 第六章: a branch with 7 or more full members has a committee of
    3 to 5 members (at most 7): a secretary, the organization, propaganda and discipline
    members and at most one deputy secretary. Below 7 full members there is no committee:
    one secretary and, if needed, one deputy secretary.

    ``posts`` counts the current holders by ``PostKind`` value; each committee member is
    counted once, under one post (group posts are ignored). Errors: a committee outside
    3–7 members, committee posts without a committee, more than one secretary or deputy
    secretary. Warnings: a committee of 6 or 7 (above the usual 3–5), no secretary (the
    branch may be between elections).
    """
    if full_members < 0:
        raise ValueError(f"正式党员人数不正确：{full_members}。")
    for post, count in posts.items():
        if post not in POST_ZH:
            raise ValueError(f"未知的职务：{post!r}。")
        if count < 0:
            raise ValueError(f"{POST_ZH[post]}人数不正确：{count}。")
    counts = {post: posts.get(post, 0) for post in COMMITTEE_POSTS}
    secretaries = counts[PostKind.SECRETARY]
    deputies = counts[PostKind.DEPUTY_SECRETARY]
    citation = f"{BRANCH_RULES}第六章"
    data = {"full_members": full_members, "posts": {k: v for k, v in posts.items() if v}}

    def finding(severity: Severity, message: str) -> Finding:
        return Finding(
            code="ORG-COMMITTEE",
            severity=severity,
            message=message,
            citation=citation,
            data=data,
        )

    findings: list[Finding] = []
    if full_members >= COMMITTEE_MIN_FULL_MEMBERS:
        size = sum(counts.values())
        if size < COMMITTEE_MIN_SIZE or size > COMMITTEE_MAX_SIZE:
            findings.append(
                finding(
                    Severity.ERROR,
                    f"党支部正式党员{full_members}人，应设立支部委员会；支委会现有{size}人，"
                    "应由3至5人组成，最多不超过7人。",
                )
            )
        elif size > COMMITTEE_USUAL_MAX_SIZE:
            findings.append(
                finding(
                    Severity.WARNING,
                    f"支委会现有{size}人；支委会一般由3至5人组成，最多不超过7人。",
                )
            )
    else:
        other = {
            post: counts[post]
            for post in COMMITTEE_POSTS
            if post not in (PostKind.SECRETARY, PostKind.DEPUTY_SECRETARY) and counts[post]
        }
        if other:
            listed = "、".join(f"{POST_ZH[p]}{n}人" for p, n in sorted(other.items()))
            findings.append(
                finding(
                    Severity.ERROR,
                    f"党支部正式党员{full_members}人，不足7人，不设支部委员会，"
                    f"只设书记1人、必要时设副书记1人；现有{listed}。",
                )
            )
    if secretaries > 1:
        findings.append(finding(Severity.ERROR, f"现有书记{secretaries}人，书记只能设1人。"))
    if deputies > 1:
        findings.append(finding(Severity.ERROR, f"现有副书记{deputies}人，副书记最多设1人。"))
    if secretaries == 0:
        findings.append(
            finding(
                Severity.WARNING,
                "党支部未配备书记；应及时由党员大会或支委会选举产生书记并报上级党组织批准。",
            )
        )
    return findings


# --- Terms (ORG-TERM) ---------------------------------------------------------------

TERM_REMINDER_MONTHS = 6
TERM_MAX_EXTENSION_YEARS = 1
_FIVE_YEAR_CATEGORIES = frozenset({Category.VILLAGE, Category.COMMUNITY})
_TERM_CITATION = f"{BRANCH_RULES}第二十一条；{PARTY_CONSTITUTION}；{ELECTION_RULES}第三条"


def standard_term_years(kind: str, category: str) -> int:
    """The term of a committee (or a branch secretary where there is no committee), in years.

    ORG-TERM — 支部条例 第二十一条; 党章: a branch or general branch 3 years, 5 for village
    and community ones; a basic committee 5 years. Party groups have no term of their own
    (see ``group_term_findings``): ``ValueError``.
    """
    _check_kind(kind)
    if kind == OrgKind.PARTY_GROUP:
        raise ValueError("党小组不是一级党组织，没有单独的任期；党小组长任期与支委会相同。")
    if kind == OrgKind.BASIC_COMMITTEE:
        return 5
    return 5 if category in _FIVE_YEAR_CATEGORIES else 3


def term_findings(
    *,
    kind: str,
    category: str,
    elected_on: dt.date,
    ends_on: dt.date | None,
    today: dt.date,
    extension_approved_until: dt.date | None = None,
) -> list[Finding]:
    """Whether a committee's term is about to end or has ended.

    ORG-TERM — 支部条例 第二十一条; 党章; 选举条例 第三条. The term ends on ``ends_on``, by
    default ``elected_on`` plus the standard term (the same day and month; 29 February
    becomes 28 February). From 6 calendar months before the end up to the end day itself:
    a warning; from the day after the end: an error. An approved extension (at most 1
    year beyond the end) moves the end; an extension of more than 1 year is itself an
    error and counts only up to 1 year. ``due`` is the (effective) end.
    """
    years = standard_term_years(kind, category)
    end = ends_on if ends_on is not None else add_years(elected_on, years)
    if end < elected_on:
        raise ValueError(f"任期届满日期{zh_date(end)}早于选举日期{zh_date(elected_on)}。")
    name = KIND_ZH[kind]
    findings: list[Finding] = []
    if extension_approved_until is not None:
        if extension_approved_until <= end:
            raise ValueError(
                f"批准延期至{zh_date(extension_approved_until)}，"
                f"应晚于原任期届满日期{zh_date(end)}。"
            )
        latest = add_years(end, TERM_MAX_EXTENSION_YEARS)
        if extension_approved_until > latest:
            findings.append(
                Finding(
                    code="ORG-TERM",
                    severity=Severity.ERROR,
                    message=(
                        f"{name}任期于{zh_date(end)}届满，批准延期至"
                        f"{zh_date(extension_approved_until)}，超过1年；"
                        f"延期换届最长不超过1年，即最迟至{zh_date(latest)}。"
                    ),
                    citation=_TERM_CITATION,
                    due=latest,
                    data={"original_end": end, "extension_until": extension_approved_until},
                )
            )
            end = latest
        else:
            end = extension_approved_until

    data = {"elected_on": elected_on, "term_years": years, "ends_on": end}
    if today > end:
        findings.append(
            Finding(
                code="ORG-TERM",
                severity=Severity.ERROR,
                message=(
                    f"{name}（{zh_date(elected_on)}选举，每届任期{years}年）任期已于"
                    f"{zh_date(end)}届满，应按期换届；确需延期换届的须经上级党组织批准，"
                    "延期不超过1年。"
                ),
                citation=_TERM_CITATION,
                due=end,
                data=data,
            )
        )
    elif today >= add_months(end, -TERM_REMINDER_MONTHS):
        findings.append(
            Finding(
                code="ORG-TERM",
                severity=Severity.WARNING,
                message=(
                    f"{name}（{zh_date(elected_on)}选举，每届任期{years}年）任期将于"
                    f"{zh_date(end)}届满，距届满不足6个月，应做好换届选举准备。"
                ),
                citation=_TERM_CITATION,
                due=end,
                data=data,
            )
        )
    return findings


# --- Party groups (GRP-*) -------------------------------------------------------------

GROUP_SPLIT_MIN_BRANCH_MEMBERS = 20
GROUP_MIN_MEMBERS = 3


@dataclass(frozen=True, slots=True)
class GroupSize:
    """A party group's name and size, for GRP-SPLIT."""

    name: str
    members: int
    full_members: int


@dataclass(frozen=True, slots=True)
class GroupPolicy:
    """Local policy for choosing group leaders (GRP-LEADER-CHOICE, [local], seed 004).

    ``designation_requires_reason``: a branch may designate a leader only for one of the
    three reasons of seed 004 (default ``True``).
    """

    designation_requires_reason: bool = True


DESIGNATION_REASONS = frozenset(
    {
        DesignationReason.TEMPORARY_GROUP,
        DesignationReason.JOINT_GROUP,
        DesignationReason.SINGLE_FULL_MEMBER,
    }
)


def group_split_findings(*, branch_members: int, groups: Sequence[GroupSize]) -> list[Finding]:
    """Reminders about dividing a branch into party groups.

    GRP-SPLIT — 支部条例 第十三条; 中央和国家机关党小组工作规则 (info): a branch with many or
    scattered members is divided into groups; as a guide, a branch of 20 or more members
    has groups, and each group has at least 3 members with at least 1 full member.
    """
    citation = f"{BRANCH_RULES}第十三条；{GROUP_WORK_RULES}"
    findings: list[Finding] = []
    if branch_members >= GROUP_SPLIT_MIN_BRANCH_MEMBERS and not groups:
        findings.append(
            Finding(
                code="GRP-SPLIT",
                severity=Severity.INFO,
                message=(
                    f"党支部有党员{branch_members}人（20人以上），尚未划分党小组；"
                    "党员人数较多或者党员工作地、居住地比较分散的党支部，应当划分若干党小组。"
                ),
                citation=citation,
                data={"branch_members": branch_members},
            )
        )
    for group in groups:
        if group.members < GROUP_MIN_MEMBERS:
            findings.append(
                Finding(
                    code="GRP-SPLIT",
                    severity=Severity.INFO,
                    message=(
                        f"党小组「{group.name}」只有党员{group.members}人，"
                        "党小组一般不少于3名党员，可考虑与其他党小组合并。"
                    ),
                    citation=citation,
                    data={"group": group.name, "members": group.members},
                )
            )
        if group.full_members < 1:
            findings.append(
                Finding(
                    code="GRP-SPLIT",
                    severity=Severity.INFO,
                    message=(
                        f"党小组「{group.name}」没有正式党员，"
                        "党小组至少应有1名正式党员（党小组长须由正式党员担任）。"
                    ),
                    citation=citation,
                    data={"group": group.name, "full_members": group.full_members},
                )
            )
    return findings


def leader_eligibility_findings(*, status: str, rights: Rights) -> list[Finding]:
    """Whether a person may be a group leader or deputy leader.

    GRP-LEADER-ELIG — 党章 第七条 (a probationary member has no right to be elected); 处分条例;
    seed 004 (error): the leader and the deputy are full members, not probationary and not
    under 留党察看. ``rights`` is ``members.rules.rights_on`` for the date of the choice.
    """
    citation = f"{PARTY_CONSTITUTION}第七条；{DISCIPLINE_RULES}；{SEED_004}"
    if status not in STATUS_ZH:
        raise ValueError(f"未知的党籍状态：{status!r}。")
    if status == Status.PROBATIONARY:
        why = "是预备党员，没有被选举权"
    elif status != Status.FULL:
        why = f"不是正式党员（当前状态：{STATUS_ZH[status]}）"
    elif not (rights.can_hold_role and rights.can_be_elected):
        why = "；".join(rights.reasons) or "没有被选举权"
    else:
        return []
    return [
        Finding(
            code="GRP-LEADER-ELIG",
            severity=Severity.ERROR,
            message=f"该同志{why}，不能担任党小组长或副组长；党小组长须由正式党员担任。",
            citation=citation,
            data={"status": status, "reasons": list(rights.reasons)},
        )
    ]


def leader_choice_findings(
    *, chosen_by: str, reason: str | None, policy: GroupPolicy
) -> list[Finding]:
    """Whether a group leader was chosen in an allowed way.

    GRP-LEADER-CHOICE — 支部条例 第十三条; seed 004 (error under the default policy): the
    group's members elect or recommend the leader, or the branch designates one. The
    default local policy allows designation only for a newly formed temporary group, a
    joint group whose members do not know each other, or a group with only one full
    member; with ``designation_requires_reason=False`` any designation is accepted.
    """
    if chosen_by not in ChosenBy.values:
        raise ValueError(f"未知的产生方式：{chosen_by!r}。")
    if chosen_by != ChosenBy.DESIGNATED or not policy.designation_requires_reason:
        return []
    if reason in DESIGNATION_REASONS:
        return []
    given = "未填写原因" if not reason else "所填原因不属于上述情形"
    return [
        Finding(
            code="GRP-LEADER-CHOICE",
            severity=Severity.ERROR,
            message=(
                "党小组长一般由本小组党员选举或推选产生；由党支部指定的，须属于以下三种情形"
                "之一：临时组建的党小组、组建时党员互不熟悉的联合党小组、只有一名正式党员的"
                f"党小组（{given}）。"
            ),
            citation=f"{BRANCH_RULES}第十三条；{SEED_004}",
            data={"chosen_by": chosen_by, "reason": reason, "local": True},
        )
    ]


def deputy_findings(*, deputies: int) -> list[Finding]:
    """At most one deputy group leader.

    GRP-DEPUTY — seed 004 (error if more than one): a group has one leader and, when it is
    large, scattered or the work needs it, one deputy.
    """
    if deputies <= 1:
        return []
    return [
        Finding(
            code="GRP-DEPUTY",
            severity=Severity.ERROR,
            message=f"党小组现有副组长{deputies}人；党小组一般设组长1人，必要时可增设副组长1人。",
            citation=SEED_004,
            data={"deputies": deputies, "local": True},
        )
    ]


def group_term_findings(
    *, leader_term_end: dt.date | None, committee_term_end: dt.date | None
) -> list[Finding]:
    """Whether a group leader's term outlives the branch committee's.

    GRP-TERM — seed 004 [unconfirmed nationally] (warning): the leader's term equals the
    committee's and the leader is re-chosen when the committee is re-elected. ``due`` is
    the committee's term end.
    """
    if committee_term_end is None:
        return []
    if leader_term_end is not None and leader_term_end <= committee_term_end:
        return []
    leader = "未设任期届满日期" if leader_term_end is None else f"任期至{zh_date(leader_term_end)}"
    return [
        Finding(
            code="GRP-TERM",
            severity=Severity.WARNING,
            message=(
                f"党小组长{leader}，晚于支委会任期届满日期{zh_date(committee_term_end)}；"
                "党小组长任期与支委会相同，应在支委会换届时改选。"
            ),
            citation=SEED_004,
            due=committee_term_end,
            data={"local": True, "unconfirmed": True},
        )
    ]
