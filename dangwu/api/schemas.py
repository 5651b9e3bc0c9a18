"""Typed shapes of the JSON API: what goes in and what comes out, with Chinese descriptions.

Enumerations travel as the glossary code names (``full``, ``branch``), dates as ISO
``YYYY-MM-DD``. A person's resident ID number never appears in full in these shapes: only
``id_number_masked``; the full number has its own audited endpoint (``IdNumberOut``).
"""

import datetime as dt
from typing import Annotated

from django.db import models
from ninja import Field, Path, Schema
from pydantic import AfterValidator, ConfigDict

from dangwu.core.ethnicities import ETHNICITY_CHOICES
from dangwu.core.findings import Severity
from dangwu.members.choices import DuesCategory, Education, LeaveKind, Occupation, Sex, Status
from dangwu.members.models import TransferKind, TransferStatus
from dangwu.orgs.choices import Category, ChosenBy, Formation, OrgKind, PostKind

# Database ids are 64-bit; a larger number is refused before it reaches the database.
MAX_ID = 2**63 - 1
_ETHNICITY_CODES = frozenset(code for code, _label in ETHNICITY_CHOICES)


def choices_doc(title: str, choices: type[models.TextChoices]) -> str:
    """``类型：branch 党支部；…`` — the code names with their Chinese labels, for the docs."""
    return f"{title}：" + "；".join(f"{c.value} {c.label}" for c in choices)


def _no_control_chars(value: str) -> str:
    # PostgreSQL refuses NUL in text; no other control character belongs in a field either.
    if any(ord(ch) < 32 and ch not in "\t\n\r" for ch in value):
        raise ValueError("不能包含控制字符。")
    return value


def _ethnicity_code(value: str) -> str:
    if value not in _ETHNICITY_CODES:
        raise ValueError("无效的民族代码（应为GB 3304-1991的两位代码，如01 汉族）。")
    return value


Text = Annotated[str, AfterValidator(_no_control_chars)]
EthnicityCode = Annotated[str, AfterValidator(_ethnicity_code)]
Id = Annotated[int, Field(le=MAX_ID)]
OrgId = Annotated[int, Path(le=MAX_ID, description="组织 ID。")]
PersonId = Annotated[int, Path(le=MAX_ID, description="人员 ID。")]
TransferId = Annotated[int, Path(le=MAX_ID, description="转接 ID。")]


class InSchema(Schema):
    """A request body: a field the API does not know is refused, not silently ignored."""

    model_config = ConfigDict(extra="forbid")


# --- errors and findings --------------------------------------------------------------------


class FindingOut(Schema):
    code: str = Field(description="规则编码（DOMAIN.md），如 ORG-BRANCH-SIZE。")
    severity: Severity = Field(description="严重程度：error 阻止操作；warning 提示；info 说明。")
    message: str = Field(description="中文说明。")
    citation: str = Field(description="依据（法规、条款）。")
    subject: str = Field("", description="所涉对象，如 person:12、org:3。")
    due: dt.date | None = Field(None, description="期限或最早可办理日期（如有）。")


class ErrorOut(Schema):
    code: str = Field(
        description="稳定的错误编码：UNAUTHENTICATED、CSRF_FAILED、NOT_FOUND、FORBIDDEN、"
        "INVALID、MALFORMED_JSON、SERVER_ERROR，或规则编码。"
    )
    message: str = Field(description="中文错误说明。")
    fields: dict[str, list[str]] = Field(
        description="按字段列出的中文错误；与字段无关的错误在 __all__ 下。"
    )
    findings: list[FindingOut] | None = Field(None, description="规则拒绝操作时的全部结论。")


# --- organizations --------------------------------------------------------------------------

KIND_DOC = choices_doc("组织类型", OrgKind)
CATEGORY_DOC = choices_doc("单位类别", Category)
FORMATION_DOC = choices_doc("组建方式", Formation)


class OrgNodeOut(Schema):
    id: int = Field(description="组织 ID。")
    parent_id: int | None = Field(description="上级组织 ID；上级不在您的可见范围内时为空。")
    path: str = Field(description="物化路径（每级4个字符），前缀相同即为下级。")
    depth: int = Field(description="层级，最上级为1。")
    code: str = Field(description="组织编码。")
    name: str = Field(description="名称。")
    kind: OrgKind = Field(description=KIND_DOC)
    kind_label: str = Field(description="组织类型的中文名称。")
    category: Category = Field(description=CATEGORY_DOC)
    formation: Formation = Field(description=FORMATION_DOC)
    members: int = Field(description="本组织及下级的在册党员数（预备党员和正式党员）。")
    people: int = Field(description="本组织及下级的在册人员总数。")


class OrgOut(Schema):
    id: int = Field(description="组织 ID。")
    parent_id: int | None = Field(description="上级组织 ID；上级不在您的可见范围内时为空。")
    path: str = Field(description="物化路径。")
    depth: int = Field(description="层级，最上级为1。")
    code: str = Field(description="组织编码。")
    name: str = Field(description="名称。")
    kind: OrgKind = Field(description=KIND_DOC)
    kind_label: str = Field(description="组织类型的中文名称。")
    category: Category = Field(description=CATEGORY_DOC)
    formation: Formation = Field(description=FORMATION_DOC)
    founded_on: dt.date | None = Field(description="成立日期。")
    dissolved_on: dt.date | None = Field(description="撤销日期；在用组织为空。")
    approval_authority: bool = Field(description="是否具有审批预备党员的权限（仅基层党委）。")


class PostOut(Schema):
    id: int = Field(description="任职记录 ID。")
    organization_id: int = Field(description="任职的组织 ID（本组织或其党小组）。")
    organization_name: str = Field(description="任职的组织名称。")
    person_id: int = Field(description="任职人 ID。")
    person_name: str = Field(description="任职人姓名。")
    kind: PostKind = Field(description=choices_doc("职务", PostKind))
    kind_label: str = Field(description="职务的中文名称。")
    chosen_by: ChosenBy = Field(description=choices_doc("产生方式", ChosenBy))
    started_on: dt.date = Field(description="任职日期。")
    ends_on: dt.date | None = Field(description="任期届满日期。")


class OrgDetailOut(OrgOut):
    posts: list[PostOut] = Field(description="今天在任的职务（本组织及其党小组）。")
    findings: list[FindingOut] = Field(description="今天的组织设置检查结论（ORG-*、GRP-*）。")


class OrgCreateIn(InSchema):
    parent_id: Id = Field(description="上级组织 ID（须在您可编辑的范围内）。")
    kind: OrgKind = Field(description=KIND_DOC)
    code: Text = Field(min_length=1, max_length=32, description="组织编码，全系统唯一。")
    name: Text = Field(min_length=1, max_length=100, description="名称。")
    category: Category = Field(Category.OTHER, description=CATEGORY_DOC)
    formation: Formation = Field(Formation.STANDARD, description=FORMATION_DOC)
    founded_on: dt.date | None = Field(None, description="成立日期（YYYY-MM-DD）。")
    approval_authority: bool = Field(False, description="具有审批预备党员权限（仅基层党委）。")


class OrgUpdateIn(InSchema):
    """Only the fields sent are changed; the kind and the place in the tree never change here."""

    code: Text = Field(None, min_length=1, max_length=32, description="组织编码。")
    name: Text = Field(None, min_length=1, max_length=100, description="名称。")
    category: Category = Field(None, description=CATEGORY_DOC)
    formation: Formation = Field(None, description=FORMATION_DOC)
    founded_on: dt.date | None = Field(None, description="成立日期（YYYY-MM-DD），可置空。")
    approval_authority: bool = Field(None, description="具有审批预备党员权限（仅基层党委）。")


# --- people ---------------------------------------------------------------------------------

STATUS_DOC = choices_doc("政治面貌", Status)
SEX_DOC = choices_doc("性别", Sex)
EDUCATION_DOC = choices_doc("学历", Education)
OCCUPATION_DOC = choices_doc("工作岗位", Occupation)
DUES_DOC = choices_doc("党费缴纳类别", DuesCategory)
ETHNICITY_DOC = "民族代码（GB 3304-1991 两位代码，如 01 汉族、03 回族）。"


class PersonListItemOut(Schema):
    id: int = Field(description="人员 ID。")
    name: str = Field(description="姓名。")
    sex: Sex = Field(description=SEX_DOC)
    birth_date: dt.date = Field(description="出生日期。")
    id_number_masked: str = Field(description="遮蔽后的身份证号码（如 110105********002X）。")
    status: Status = Field(description=STATUS_DOC)
    status_label: str = Field(description="政治面貌的中文名称。")
    status_since: dt.date = Field(description="当前政治面貌的起始日期。")
    branch_id: int = Field(description="所在党支部 ID。")
    branch_name: str = Field(description="所在党支部名称。")
    group_id: int | None = Field(description="所在党小组 ID。")
    group_name: str | None = Field(description="所在党小组名称。")
    is_active: bool = Field(description="是否在册。")


class StatusChangeOut(Schema):
    status: Status = Field(description=STATUS_DOC)
    effective_on: dt.date = Field(description="生效日期。")
    leave_kind: LeaveKind | None = Field(description=choices_doc("出党方式", LeaveKind))
    reason: str = Field(description="说明。")


class MembershipOut(Schema):
    branch_id: int = Field(description="党支部 ID。")
    branch_name: str = Field(description="党支部名称。")
    group_id: int | None = Field(description="党小组 ID。")
    group_name: str | None = Field(description="党小组名称。")
    started_on: dt.date = Field(description="起始日期。")
    ended_on: dt.date | None = Field(description="终止日期；当前组织关系为空。")
    note: str = Field(description="说明。")


class RightsOut(Schema):
    can_vote: bool = Field(description="有表决权。")
    can_elect: bool = Field(description="有选举权。")
    can_be_elected: bool = Field(description="有被选举权。")
    can_hold_role: bool = Field(description="可担任入党介绍人、党小组长、委员等。")
    reasons: list[str] = Field(description="缺少某项权利的原因。")


class PersonPostOut(Schema):
    organization_id: int = Field(description="任职组织 ID。")
    organization_name: str = Field(description="任职组织名称。")
    kind: PostKind = Field(description=choices_doc("职务", PostKind))
    kind_label: str = Field(description="职务的中文名称。")
    started_on: dt.date = Field(description="任职日期。")
    ended_on: dt.date | None = Field(description="离任日期；在任为空。")


class PersonOut(PersonListItemOut):
    ethnicity: str = Field(description=ETHNICITY_DOC)
    phone: str = Field(description="联系电话。")
    education: Education | None = Field(description=EDUCATION_DOC)
    occupation: Occupation | None = Field(description=OCCUPATION_DOC)
    dues_category: DuesCategory | None = Field(description=DUES_DOC)
    work_unit: str = Field(description="工作单位或班级。")
    league_member: bool = Field(description="是否共青团员。")
    applied_on: dt.date | None = Field(description="申请入党日期。")
    admission_date: dt.date | None = Field(description="入党日期。")
    full_since: dt.date | None = Field(description="转正日期。")
    party_age: int | None = Field(description="党龄（正式党员，整年）。")
    rights: RightsOut = Field(description="今天的党员权利。")
    can_edit: bool = Field(description="您能否修改此人的记录。")
    can_view_id: bool = Field(description="您能否查看完整身份证号码（须另行请求并留痕）。")
    statuses: list[StatusChangeOut] = Field(description="政治面貌变更记录，按时间先后。")
    memberships: list[MembershipOut] = Field(description="组织关系记录，按时间先后。")
    posts: list[PersonPostOut] = Field(description="任职记录，最近的在前。")


_PERSON_TEXT = {
    "phone": Field(None, max_length=24, description="联系电话（手机或座机）。"),
    "work_unit": Field(None, max_length=100, description="工作单位或班级。"),
}


class PersonCreateIn(InSchema):
    branch_id: Id = Field(description="所在党支部 ID（须在您可编辑的范围内）。")
    group_id: Id | None = Field(None, description="所在党小组 ID（须属于该党支部）。")
    status: Status = Field(description=STATUS_DOC + "（不能为 left、deceased）。")
    status_since: dt.date = Field(description="当前政治面貌的起始日期。")
    joined_on: dt.date | None = Field(None, description="编入该支部的日期；默认同上。")
    name: Text = Field(min_length=1, max_length=50, description="姓名（姓在前）。")
    id_number: Text | None = Field(
        None, max_length=32, description="公民身份号码（18位，旧式15位会自动升位）。"
    )
    sex: Sex | None = Field(None, description=SEX_DOC + "；填写身份证号码时可省略。")
    birth_date: dt.date | None = Field(None, description="出生日期；填写身份证号码时可省略。")
    ethnicity: EthnicityCode = Field("01", description=ETHNICITY_DOC)
    phone: Text | None = _PERSON_TEXT["phone"]
    education: Education | None = Field(None, description=EDUCATION_DOC)
    occupation: Occupation | None = Field(None, description=OCCUPATION_DOC)
    dues_category: DuesCategory | None = Field(None, description=DUES_DOC)
    work_unit: Text | None = _PERSON_TEXT["work_unit"]
    league_member: bool = Field(False, description="是否共青团员。")
    applied_on: dt.date | None = Field(None, description="申请入党日期。")
    admission_date: dt.date | None = Field(None, description="入党日期；预备党员和正式党员必填。")
    full_since: dt.date | None = Field(None, description="转正日期；正式党员必填。")


class PersonUpdateIn(InSchema):
    """Only the fields sent are changed; status and organization have their own endpoints."""

    name: Text = Field(None, min_length=1, max_length=50, description="姓名。")
    id_number: Text | None = Field(None, max_length=32, description="公民身份号码，可置空。")
    sex: Sex = Field(None, description=SEX_DOC)
    birth_date: dt.date = Field(None, description="出生日期。")
    ethnicity: EthnicityCode = Field(None, description=ETHNICITY_DOC)
    phone: Text | None = _PERSON_TEXT["phone"]
    education: Education | None = Field(None, description=EDUCATION_DOC)
    occupation: Occupation | None = Field(None, description=OCCUPATION_DOC)
    dues_category: DuesCategory | None = Field(None, description=DUES_DOC)
    work_unit: Text | None = _PERSON_TEXT["work_unit"]
    league_member: bool = Field(None, description="是否共青团员。")
    applied_on: dt.date | None = Field(None, description="申请入党日期。")
    admission_date: dt.date | None = Field(None, description="入党日期。")
    full_since: dt.date | None = Field(None, description="转正日期。")


class StatusChangeIn(InSchema):
    status: Status = Field(description="新的" + STATUS_DOC)
    effective_on: dt.date = Field(description="生效日期（不能晚于今天）。")
    reason: Text = Field("", max_length=300, description="说明。")
    leave_kind: LeaveKind | None = Field(
        None, description=choices_doc("出党方式", LeaveKind) + "；status 为 left 时必填。"
    )


class IdNumberOut(Schema):
    id_number: str = Field(description="完整的公民身份号码；此次查看已记入审计日志。")


class HistoryChangeOut(Schema):
    field: str = Field(description="字段名称（中文）。")
    before: str = Field(description="修改前。")
    after: str = Field(description="修改后。")


class HistoryEntryOut(Schema):
    at: dt.datetime = Field(description="时间（ISO 8601，含时区）。")
    who: str = Field(description="操作人。")
    what: str = Field(description="新建、修改或删除。")
    record: str = Field(description="记录类别：人员信息、政治面貌、组织关系。")
    changes: list[HistoryChangeOut] = Field(description="修改的字段。")


# --- transfers ------------------------------------------------------------------------------


class TransferOut(Schema):
    id: int = Field(description="转接 ID。")
    kind: TransferKind = Field(description=choices_doc("类型", TransferKind))
    status: TransferStatus = Field(description=choices_doc("状态", TransferStatus))
    status_label: str = Field(description="状态的中文名称。")
    person_id: int = Field(description="人员 ID。")
    person_name: str = Field(description="姓名。")
    from_branch_id: int | None = Field(description="转出党支部 ID。")
    from_branch_name: str | None = Field(description="转出党支部名称。")
    to_branch_id: int | None = Field(description="转入党支部 ID。")
    to_branch_name: str | None = Field(description="转入党支部名称。")
    external_org: str = Field(description="系统外党组织（转出去向或转入来源）。")
    letter_number: str = Field(description="介绍信编号。")
    issued_on: dt.date = Field(description="开具日期。")
    valid_days: int = Field(description="有效期（天）。")
    reason: str = Field(description="转接原因。")
    received_on: dt.date | None = Field(description="接收日期。")


class TransferSendIn(InSchema):
    to_branch_id: Id = Field(description="转入党支部 ID（本系统内任一在用党支部）。")
    issued_on: dt.date | None = Field(None, description="介绍信开具日期；默认今天。")
    valid_days: int | None = Field(None, description="介绍信有效期（天）；默认30，最长90。")
    reason: Text = Field("", max_length=200, description="转接原因。")


class TransferReceiveIn(InSchema):
    received_on: dt.date | None = Field(None, description="接收日期；默认今天。")
