"""The development pipeline as data: 5 stages, 25 steps and what each step depends on.

DOMAIN.md §5 — 《中国共产党发展党员工作细则》 第二章至第六章. Step keys are used in code, in the
timeline JSON format and as the ``subject`` of findings. The prerequisite table is what
DEV-ORDER checks and what the workflow will allow: a step may be recorded only on or after
the date of every step it depends on (equal dates allowed). It is a partial order, not the
table order: the filing of an activist and the assignment of contacts, for instance, may
come in either order.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from types import MappingProxyType


class Stage(StrEnum):
    APPLICATION = "application"
    ACTIVIST = "activist"
    CANDIDATE = "candidate"
    ADMISSION = "admission"
    PROBATION = "probation"


STAGE_ZH: Mapping[Stage, str] = MappingProxyType(
    {
        Stage.APPLICATION: "申请入党",
        Stage.ACTIVIST: "入党积极分子的确定和培养教育",
        Stage.CANDIDATE: "发展对象的确定和考察",
        Stage.ADMISSION: "预备党员的接收",
        Stage.PROBATION: "预备党员的教育考察和转正",
    }
)


@dataclass(frozen=True, slots=True)
class Step:
    """One step. ``number`` is the step's number in the 25 steps (``None`` for the optional
    ones); ``repeated`` steps are a list of dated entries; ``local`` steps are local
    practice rather than national regulation."""

    key: str
    number: int | None
    name: str
    stage: Stage
    repeated: bool = False
    optional: bool = False
    local: bool = False


# In the order of DOMAIN.md §5; the optional steps sit where they happen.
STEPS: tuple[Step, ...] = (
    Step("application", 1, "递交入党申请书", Stage.APPLICATION),
    Step("application_talk", 2, "党组织派人谈话", Stage.APPLICATION),
    Step("activist", 3, "推荐和确定入党积极分子", Stage.ACTIVIST),
    Step("activist_filing", 4, "上级党委备案", Stage.ACTIVIST),
    Step("contacts_assigned", 5, "指定培养联系人", Stage.ACTIVIST),
    Step("activist_assessments", 6, "培养教育考察", Stage.ACTIVIST, repeated=True),
    Step("candidate", 7, "确定发展对象", Stage.CANDIDATE),
    Step("candidate_filing", 8, "报上级党委备案", Stage.CANDIDATE),
    Step("introducers", 9, "确定入党介绍人", Stage.CANDIDATE),
    Step("political_review", 10, "进行政治审查", Stage.CANDIDATE),
    Step("training", 11, "开展集中培训", Stage.CANDIDATE),
    Step("committee_review", 12, "支部委员会审查", Stage.ADMISSION),
    Step("publicity", None, "公示", Stage.ADMISSION, optional=True, local=True),
    Step("pre_review", 13, "上级党委预审", Stage.ADMISSION),
    Step("application_form", 14, "填写入党志愿书", Stage.ADMISSION),
    Step("admission_meeting", 15, "支部大会讨论", Stage.ADMISSION),
    Step("approval_talk", 16, "上级党委派人谈话", Stage.ADMISSION),
    Step("admission_approval", 17, "上级党委审批", Stage.ADMISSION),
    Step("admission_filing", 18, "再上一级党委组织部门备案", Stage.ADMISSION),
    Step("placement", 19, "编入党支部和党小组", Stage.PROBATION),
    Step("oath", 20, "入党宣誓", Stage.PROBATION),
    Step("probation_assessments", 21, "继续教育考察", Stage.PROBATION, repeated=True),
    Step("conversion_application", 22, "提出转正申请", Stage.PROBATION),
    Step("probation_extension", None, "延长预备期", Stage.PROBATION, optional=True),
    Step("conversion_meeting", 23, "支部大会讨论", Stage.PROBATION),
    Step("conversion_approval", 24, "上级党委审批", Stage.PROBATION),
    Step("archiving", 25, "材料归档", Stage.PROBATION),
)

STEP_BY_KEY: Mapping[str, Step] = MappingProxyType({s.key: s for s in STEPS})
STEP_KEYS: tuple[str, ...] = tuple(s.key for s in STEPS)
STEP_INDEX: Mapping[str, int] = MappingProxyType({k: i for i, k in enumerate(STEP_KEYS)})

# step → the steps it directly depends on (it cannot be dated before any of them).
PREREQUISITES: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "application": (),
        "application_talk": ("application",),
        "activist": ("application_talk",),
        "activist_filing": ("activist",),
        "contacts_assigned": ("activist",),
        "activist_assessments": ("activist",),
        "candidate": ("activist_filing", "contacts_assigned"),
        "candidate_filing": ("candidate",),
        "introducers": ("candidate",),
        "political_review": ("candidate",),
        "training": ("candidate",),
        "committee_review": ("candidate_filing", "introducers"),
        "publicity": ("committee_review",),
        # Political review and training before the pre-review: 细则 第十六、十七条.
        "pre_review": ("committee_review", "publicity", "political_review", "training"),
        "application_form": ("pre_review",),
        "admission_meeting": ("application_form",),
        "approval_talk": ("admission_meeting",),
        "admission_approval": ("approval_talk",),
        "admission_filing": ("admission_approval",),
        "placement": ("admission_approval",),
        "oath": ("admission_approval",),
        "probation_assessments": ("admission_approval",),
        "conversion_application": ("admission_approval",),
        "probation_extension": ("admission_approval",),
        "conversion_meeting": ("conversion_application", "probation_extension"),
        "conversion_approval": ("conversion_meeting",),
        "archiving": ("conversion_approval",),
    }
)


@cache
def ancestors(key: str) -> frozenset[str]:
    """Every step ``key`` depends on, directly or through other steps.

    When a direct prerequisite is missing from a record (an optional step, or an old
    record), the steps before it still bind.
    """
    out: set[str] = set()
    for parent in PREREQUISITES[key]:
        out.add(parent)
        out |= ancestors(parent)
    return frozenset(out)


def step_label(key: str) -> str:
    """``第15步「支部大会讨论」`` (``「公示」`` for an optional step) — a step in a message."""
    step = STEP_BY_KEY[key]
    if step.number is None:
        return f"「{step.name}」"
    return f"第{step.number}步「{step.name}」"
