"""What a step form tells the user before saving: the rules that apply to a step, each
with a short statement and its citation, and the data the step carries. Pure: no database.

The statements say the regulation in one line (DOMAIN.md §5); the codes are the codes of
the findings ``rules.check_timeline`` produces, so the page can put a rule next to the
finding it explains. [local] rules read their numbers from ``DevelopmentSettings``.
VOTE-RIGHTS (the base of the vote counts) and the cancellation of a probationary
membership have no finding code of their own; they are shown with their articles.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from dangwu.development.choices import CANCELLATION
from dangwu.development.context import CITATIONS, DEFAULT, DevelopmentSettings
from dangwu.development.steps import (
    PREREQUISITES,
    STAGE_ZH,
    STEP_BY_KEY,
    STEP_KEYS,
    step_label,
)
from dangwu.members.rules import DEVELOPMENT_RULES, PARTY_CONSTITUTION

# Rules that produce no finding of their own but belong beside a step.
EXTRA_CITATIONS: Mapping[str, str] = MappingProxyType(
    {
        "VOTE-RIGHTS": f"{PARTY_CONSTITUTION}第七条；{DEVELOPMENT_RULES}第二十条",
        "DEV-CANCELLATION": f"{DEVELOPMENT_RULES}第三十四条",
    }
)

# code → the rule in one sentence; ``{months}``, ``{days}``, ``{age}``, ``{redo}`` are the
# [local] settings.
STATEMENTS: Mapping[str, str] = MappingProxyType(
    {
        "DEV-AGE": "递交入党申请书时须年满18周岁。",
        "DEV-ORDER": "各步骤须按规定顺序进行，不得早于其前置步骤（可以同日）。",
        "DEV-TALK-1M": "党组织应在收到入党申请书后一个月内派人同申请人谈话。",
        "DEV-APP-ACT": "递交入党申请书{months}个月以上方可确定为入党积极分子（本地规定）。",
        "DEV-RECOMMEND": "入党积极分子由党员推荐或群团组织推优产生，须记录推荐方式。",
        "DEV-LEAGUE": "{age}周岁以下的共青团员一般应经团组织推优（本地规定）。",
        "DEV-CONTACTS": "指定一至两名正式党员作培养联系人，受留党察看处分期间的不能担任。",
        "DEV-ASSESS-6M": "对入党积极分子每半年至少进行一次考察，间隔不得超过半年。",
        "DEV-CULT-1Y": "确定发展对象须在确定为入党积极分子一年以上。",
        "DEV-INTRODUCERS": "须有两名正式党员作入党介绍人，受留党察看处分期间的不能担任。",
        "DEV-REVIEW": "上级党委预审前须有合格的书面政治审查结论。",
        "DEV-TRAINING": "预审前须经集中培训，时间不少于3天或不少于24学时。",
        "DEV-PUBLICITY": "支部委员会审查后公示{days}个工作日，公示期满后方可预审（本地规定）。",
        "CAL-DATA": "工作日按国务院当年节假日安排计算；未载入该年安排时无法计算。",
        "DEV-PRE-REVIEW": "支部大会讨论前须经具有审批权限的基层党委预审。",
        "DEV-LEAVING-3M": "三个月内将离开工作、学习单位的发展对象，一般不办理接收手续。",
        "DEV-APPROVAL-3M": "上级党委应在支部大会通过后3个月内审批，特殊情况最长不超过{redo}个月。",
        "DEV-APPROVAL-TALK": "上级党委审批前，须派党委委员或组织员同发展对象谈话。",
        "DEV-PROBATION": "预备期一年，自支部大会通过之日起算；预备期满方可讨论转正。",
        "DEV-EXTENSION": "预备期只能延长一次，不少于6个月、不超过12个月，经支部大会决议并报批。",
        "DEV-CONVERSION": "转正须有本人书面申请，经支部大会表决通过，上级党委3个月内审批。",
        "DEV-ARCHIVE": "转正后将入党材料归入本人人事档案。",
        "DEV-THOUGHT-REPORT": "入党申请人至预备党员每季度至少递交一次思想汇报（本地规定）。",
        "VOTE-QUORUM": "到会有表决权的正式党员须超过应到会人数的半数。",
        "VOTE-PASS": (
            "赞成票（含会前正式提交的书面赞成意见）须超过应到会有表决权正式党员的半数，"
            "恰好半数不通过。"
        ),
        "DEV-NO-RUSH": "发展党员须按年度计划进行，严禁突击发展。",
        "VOTE-RIGHTS": "只有正式党员有表决权；受留党察看处分期间、被羁押期间的不参加表决。",
        "DEV-CANCELLATION": (
            "预备期内不履行党员义务、不具备党员条件的，经支部大会讨论取消预备党员资格。"
        ),
    }
)

# step → codes of the rules checked when it is recorded (most specific first; DEV-ORDER
# is added to every step that has prerequisites).
STEP_RULES: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "application": ("DEV-AGE", "DEV-THOUGHT-REPORT"),
        "application_talk": ("DEV-TALK-1M",),
        "activist": ("DEV-APP-ACT", "DEV-RECOMMEND", "DEV-LEAGUE"),
        "activist_filing": (),
        "contacts_assigned": ("DEV-CONTACTS",),
        "activist_assessments": ("DEV-ASSESS-6M", "DEV-THOUGHT-REPORT"),
        "candidate": ("DEV-CULT-1Y", "DEV-ASSESS-6M"),
        "candidate_filing": (),
        "introducers": ("DEV-INTRODUCERS",),
        "political_review": ("DEV-REVIEW",),
        "training": ("DEV-TRAINING",),
        "committee_review": ("DEV-PUBLICITY",),
        "publicity": ("DEV-PUBLICITY", "CAL-DATA"),
        "pre_review": ("DEV-PRE-REVIEW", "DEV-REVIEW", "DEV-TRAINING", "DEV-PUBLICITY"),
        "application_form": (),
        "admission_meeting": (
            "VOTE-RIGHTS",
            "VOTE-QUORUM",
            "VOTE-PASS",
            "DEV-PRE-REVIEW",
            "DEV-INTRODUCERS",
            "DEV-LEAVING-3M",
        ),
        "approval_talk": ("DEV-APPROVAL-TALK",),
        "admission_approval": ("DEV-APPROVAL-3M", "DEV-APPROVAL-TALK", "DEV-NO-RUSH"),
        "admission_filing": (),
        "placement": (),
        "oath": (),
        "probation_assessments": ("DEV-THOUGHT-REPORT",),
        "conversion_application": ("DEV-CONVERSION",),
        "probation_extension": ("DEV-EXTENSION", "VOTE-RIGHTS", "VOTE-QUORUM", "VOTE-PASS"),
        "conversion_meeting": (
            "DEV-PROBATION",
            "DEV-CONVERSION",
            "VOTE-RIGHTS",
            "VOTE-QUORUM",
            "VOTE-PASS",
        ),
        "conversion_approval": ("DEV-CONVERSION",),
        "archiving": ("DEV-ARCHIVE",),
        CANCELLATION: ("DEV-CANCELLATION", "VOTE-RIGHTS", "VOTE-QUORUM", "VOTE-PASS"),
    }
)

# The data a step carries: StepEntry field names (and ``contacts``/``introducers`` for the
# people named at the step). ``date`` is always first.
VOTES = ("should_attend", "present", "in_favour", "written_in_favour", "voters_note")
STEP_FIELDS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "application": ("date",),
        "application_talk": ("date", "conclusion"),
        "activist": ("date", "recommended_by"),
        "activist_filing": ("date",),
        "contacts_assigned": ("date", "contacts"),
        "activist_assessments": ("date", "conclusion"),
        "candidate": ("date",),
        "candidate_filing": ("date",),
        "introducers": ("date", "introducers"),
        "political_review": ("date", "passed", "conclusion"),
        "training": ("date", "end_date", "days", "hours"),
        "committee_review": ("date", "conclusion"),
        "publicity": ("date", "working_days"),
        "pre_review": ("date", "acting_org", "approving_org"),
        "application_form": ("date",),
        "admission_meeting": ("date", *VOTES),
        "approval_talk": ("date", "conclusion"),
        "admission_approval": ("date", "acting_org", "approving_org"),
        "admission_filing": ("date",),
        "placement": ("date",),
        "oath": ("date",),
        "probation_assessments": ("date", "conclusion"),
        "conversion_application": ("date",),
        "probation_extension": ("date", *VOTES, "months", "approval_date"),
        "conversion_meeting": ("date", *VOTES),
        "conversion_approval": ("date", "acting_org", "approving_org"),
        "archiving": ("date",),
        CANCELLATION: ("date", *VOTES, "conclusion"),
    }
)

FIELD_LABELS: Mapping[str, str] = MappingProxyType(
    {
        "date": "日期",
        "end_date": "结束日期",
        "recommended_by": "推荐方式",
        "passed": "政治审查结论合格",
        "conclusion": "情况说明",
        "days": "培训天数",
        "hours": "培训学时",
        "working_days": "公示工作日数",
        "acting_org": "办理组织类别",
        "approving_org": "办理的党组织",
        "should_attend": "应到会有表决权的正式党员",
        "present": "实到会有表决权的正式党员",
        "in_favour": "赞成票",
        "written_in_favour": "书面赞成意见",
        "voters_note": "不计入应到会人数的说明",
        "months": "延长月数",
        "approval_date": "上级党委批准日期",
        "contacts": "培养联系人",
        "introducers": "入党介绍人",
    }
)

# Labels that read better for one step than the generic ones.
STEP_FIELD_LABELS: Mapping[tuple[str, str], str] = MappingProxyType(
    {
        ("application", "date"): "递交日期",
        ("application_talk", "date"): "谈话日期",
        ("application_talk", "conclusion"): "谈话情况",
        ("activist", "date"): "确定日期",
        ("activist_filing", "date"): "备案日期",
        ("contacts_assigned", "date"): "指定日期",
        ("activist_assessments", "date"): "考察日期",
        ("activist_assessments", "conclusion"): "考察意见",
        ("candidate", "date"): "确定日期",
        ("candidate_filing", "date"): "备案日期",
        ("introducers", "date"): "确定日期",
        ("political_review", "date"): "结论日期",
        ("political_review", "conclusion"): "政治审查结论",
        ("training", "date"): "开始日期",
        ("committee_review", "date"): "审查日期",
        ("committee_review", "conclusion"): "审查意见",
        ("publicity", "date"): "公示开始日期",
        ("pre_review", "date"): "预审日期",
        ("application_form", "date"): "填写日期",
        ("admission_meeting", "date"): "会议日期",
        ("approval_talk", "date"): "谈话日期",
        ("approval_talk", "conclusion"): "谈话情况",
        ("admission_approval", "date"): "审批日期",
        ("admission_filing", "date"): "备案日期",
        ("placement", "date"): "编入日期",
        ("oath", "date"): "宣誓日期",
        ("probation_assessments", "date"): "考察日期",
        ("probation_assessments", "conclusion"): "考察意见",
        ("conversion_application", "date"): "申请日期",
        ("probation_extension", "date"): "支部大会决定日期",
        ("conversion_meeting", "date"): "会议日期",
        ("conversion_approval", "date"): "审批日期",
        ("archiving", "date"): "归档日期",
        (CANCELLATION, "date"): "会议日期",
        (CANCELLATION, "conclusion"): "取消理由",
    }
)

# The people a step names, and how many (DEV-CONTACTS, DEV-INTRODUCERS).
PEOPLE_COUNT: Mapping[str, tuple[int, int]] = MappingProxyType(
    {"contacts": (1, 2), "introducers": (2, 2)}
)
MEETING_STEPS = frozenset(
    {"admission_meeting", "conversion_meeting", "probation_extension", CANCELLATION}
)
GUIDED_STEPS: tuple[str, ...] = (*STEP_KEYS, CANCELLATION)


@dataclass(frozen=True, slots=True)
class RuleNote:
    """One rule beside a step form: ``checked`` is False for a rule that gives no finding
    of its own (the cancellation article)."""

    code: str
    statement: str
    citation: str
    checked: bool = True


@dataclass(frozen=True, slots=True)
class StepGuide:
    key: str
    label: str  # 第7步「确定发展对象」
    name: str  # 确定发展对象
    stage: str  # the stage's Chinese name
    rules: tuple[RuleNote, ...]
    fields: tuple[str, ...]
    repeated: bool
    is_meeting: bool
    prerequisites: tuple[str, ...]

    def field_label(self, field: str) -> str:
        return field_label(self.key, field)


def field_label(step: str, field: str) -> str:
    return STEP_FIELD_LABELS.get((step, field), FIELD_LABELS[field])


def rule_note(code: str, settings: DevelopmentSettings = DEFAULT) -> RuleNote:
    """The statement and citation of one rule, with the [local] numbers filled in."""
    statement = STATEMENTS[code].format(
        months=settings.app_to_activist_months,
        days=settings.publicity_working_days,
        age=settings.league_age,
        redo=settings.approval_redo_months,
    )
    if code in CITATIONS:
        return RuleNote(code, statement, CITATIONS[code])
    return RuleNote(code, statement, EXTRA_CITATIONS[code], checked=code == "VOTE-RIGHTS")


def _applies(code: str, settings: DevelopmentSettings) -> bool:
    if code == "DEV-APP-ACT":
        return settings.app_to_activist_months > 0
    if code in ("DEV-PUBLICITY", "CAL-DATA"):
        return settings.publicity_working_days > 0
    if code == "DEV-THOUGHT-REPORT":
        return settings.thought_report_quarterly
    return True


def step_guide(step: str, settings: DevelopmentSettings = DEFAULT) -> StepGuide:
    """The guide of one step (``KeyError`` for an unknown key). A [local] rule switched
    off in the settings is left out."""
    codes = list(STEP_RULES[step])
    prerequisites = PREREQUISITES.get(step, ())
    if prerequisites:
        codes.append("DEV-ORDER")
    rules = tuple(rule_note(c, settings) for c in codes if _applies(c, settings))
    if step == CANCELLATION:
        label = name = "取消预备党员资格"
        stage = STEP_BY_KEY["conversion_meeting"].stage
        repeated = False
    else:
        s = STEP_BY_KEY[step]
        label, name, stage, repeated = step_label(step), s.name, s.stage, s.repeated
    return StepGuide(
        key=step,
        label=label,
        name=name,
        stage=STAGE_ZH[stage],
        rules=rules,
        fields=STEP_FIELDS[step],
        repeated=repeated,
        is_meeting=step in MEETING_STEPS,
        prerequisites=prerequisites,
    )


def rules_by_code(settings: DevelopmentSettings = DEFAULT) -> dict[str, RuleNote]:
    """Every rule the guides name, by code (for a findings list that wants the statement)."""
    return {c: rule_note(c, settings) for c in STATEMENTS}
