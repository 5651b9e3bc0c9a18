"""``/api/v1/development``: a person's development record — the timeline JSON of DOMAIN.md §5
with the rules' findings and deadlines, the recorded steps, and recording a step.

Reads go through ``development.selectors`` with the user's scope (Perm.VIEW on the
record's branch, or one's own record), the write through
``development.services.steps.step_record`` (Perm.DEVELOP); anything outside the scope is a
404. A step that breaks a rule is refused with the findings (422); a past fact that breaks
one is recorded with ``exception_reason`` and ``approver_id`` (a user holding the approval
permission on the branch).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from ninja import Field, Path, Router, Schema, responses

from dangwu.accounts.models import User
from dangwu.api.schemas import ErrorOut, Id, InSchema, PersonId, Text
from dangwu.core.clock import today
from dangwu.core.errors import DomainError, InvalidInput
from dangwu.core.findings import Finding, Severity
from dangwu.core.scope import Perm, scope_for
from dangwu.development import selectors
from dangwu.development.choices import STEP_CHOICES
from dangwu.development.models import DevelopmentRecord
from dangwu.development.services import steps as services
from dangwu.members.models import Person
from dangwu.members.selectors import person_get_for
from dangwu.orgs.models import Organization

router = Router(tags=["发展党员"])

READ_ERRORS = {401: ErrorOut, 404: ErrorOut, 422: ErrorOut}
WRITE_ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}

StepKey = Literal[tuple(key for key, _name in STEP_CHOICES)]  # type: ignore[valid-type]
STEP_DOC = "步骤：" + "；".join(f"{key} {name}" for key, name in STEP_CHOICES)
# The service names people and organizations by their objects; the API by their ids.
_FIELDS = {"approving_org": "approving_org_id", "approver": "approver_id", "people": "people"}


# --- shapes ---------------------------------------------------------------------------------


class DevFindingOut(Schema):
    code: str = Field(description="规则编码（DOMAIN.md §5），如 DEV-CULT-1Y、VOTE-PASS。")
    severity: Severity = Field(description="严重程度：error 错误；warning 提醒；info 说明。")
    step: str = Field(description="所涉步骤的编码（如 candidate），无则为空。")
    message: str = Field(description="中文说明。")
    citation: str = Field(description="依据（法规、条款）。")
    due: dt.date | None = Field(description="期限或最早可办理日期（如有）。")


class DeadlineOut(Schema):
    step: str = Field(description="尚未登记的步骤编码（thought_reports 为思想汇报）。")
    label: str = Field(description="中文说明。")
    earliest: dt.date | None = Field(description="最早可办理日期（如有）。")
    latest: dt.date | None = Field(description="最迟办理日期（如有）。")
    overdue: bool = Field(description="最迟日期已过。")


class TimelineOut(Schema):
    person_id: int = Field(description="人员 ID。")
    name: str = Field(description="姓名。")
    status: str = Field(description="政治面貌（术语表编码，如 activist）。")
    state: str | None = Field(
        description="记录状态：open 进行中；done 已转正归档；cancelled 已取消预备党员资格；"
        "stopped 已终止；尚未建立记录时为空。"
    )
    stage: str | None = Field(
        description="所处阶段：application、activist、candidate、admission、probation。"
    )
    next_step: str = Field(description="下一步骤编码；已完成时为空。")
    timeline: dict[str, Any] | None = Field(
        description="DOMAIN.md §5 的时间线 JSON（person、steps、thought_reports）；"
        "尚未建立记录时为空。"
    )
    findings: list[DevFindingOut] = Field(
        description="规则检查结论（check_timeline），按步骤排序。"
    )
    deadlines: list[DeadlineOut] = Field(description="下一步骤的最早和最迟日期。")


class StepPersonOut(Schema):
    person_id: int | None = Field(description="人员 ID（历史导入的名单外人员为空）。")
    name: str = Field(description="姓名。")
    role: str = Field(description="contact 培养联系人；introducer 入党介绍人。")
    status: str = Field(description="步骤当日的政治面貌。")
    sanction: str = Field(
        description="步骤当日在影响期内的党纪处分（如 probation_within_party），无则为空。"
    )


class StepFileOut(Schema):
    id: int = Field(description="附件 ID。")
    title: str = Field(description="名称。")
    content_type: str = Field(description="文件类型（application/pdf、image/jpeg、image/png）。")
    size: int = Field(description="大小（字节）。")
    uploaded_at: dt.datetime = Field(description="上传时间。")


class RuleExceptionOut(Schema):
    code: str = Field(description="被违反的规则编码。")
    message: str = Field(description="规则结论。")
    citation: str = Field(description="依据。")
    due: dt.date | None = Field(description="期限或最早日期（如有）。")
    reason: str = Field(description="情况说明。")
    approved_by: str = Field(description="批准人（用户名）。")
    recorded_at: dt.datetime = Field(description="登记时间。")


class EntryOut(Schema):
    id: int = Field(description="步骤记录 ID。")
    step: str = Field(description="步骤编码。")
    step_name: str = Field(description="步骤名称。")
    seq: int = Field(description="重复步骤（培养考察）的序号，从0开始；其他步骤为0。")
    date: dt.date = Field(description="步骤日期（培训、公示为开始日期）。")
    end_date: dt.date | None = Field(description="培训结束日期。")
    recommended_by: str = Field(
        description="推荐方式：party_members 党员推荐；league 共青团推优；"
        "mass_organization 群团组织推优。"
    )
    passed: bool | None = Field(description="政治审查是否合格。")
    conclusion: str = Field(description="结论或说明。")
    days: int | None = Field(description="培训天数。")
    hours: float | None = Field(description="培训学时。")
    working_days: int | None = Field(description="公示工作日数。")
    acting_org: str = Field(
        description="办理组织类别：basic_committee 基层党委；general_branch 党总支；branch 党支部。"
    )
    approving_org_id: int | None = Field(description="办理的党组织 ID。")
    should_attend: int | None = Field(description="应到会有表决权的正式党员人数。")
    present: int | None = Field(description="实到会有表决权的正式党员人数。")
    in_favour: int | None = Field(description="赞成票数。")
    written_in_favour: int = Field(description="会前提交的书面赞成意见数。")
    voters_note: str = Field(description="不计入应到会人数的党员及理由。")
    months: int | None = Field(description="延长预备期的月数。")
    approval_date: dt.date | None = Field(description="延长预备期的批准日期。")
    source: str = Field(description="来源：live 在线登记；import 历史导入。")
    recorded_by: str | None = Field(description="登记人（用户名）。")
    recorded_at: dt.datetime = Field(description="登记时间（与步骤日期不同）。")
    people: list[StepPersonOut] = Field(description="培养联系人或入党介绍人。")
    files: list[StepFileOut] = Field(description="附件（扫描件）。")
    exceptions: list[RuleExceptionOut] = Field(description="按既往事实登记时批准的规则例外。")


class StepIn(InSchema):
    date: dt.date = Field(description="步骤日期（培训、公示为开始日期），不能晚于今天。")
    end_date: dt.date | None = Field(None, description="培训结束日期（training 必填）。")
    recommended_by: Literal["party_members", "league", "mass_organization"] | None = Field(
        None, description="推荐方式（activist 必填）：党员推荐、共青团推优或群团组织推优。"
    )
    passed: bool | None = Field(None, description="政治审查是否合格（political_review 必填）。")
    conclusion: Text = Field("", max_length=2000, description="结论或说明。")
    days: int | None = Field(None, ge=1, le=366, description="培训天数；默认为起止日期间的天数。")
    hours: float | None = Field(None, ge=0, le=9999, description="培训学时。")
    working_days: int | None = Field(
        None, ge=1, le=100, description="公示工作日数（publicity）；默认按本地规定（5个工作日）。"
    )
    acting_org: Literal["basic_committee", "general_branch", "branch"] | None = Field(
        None, description="办理组织类别（预审、审批、备案）；默认取办理的党组织的类别。"
    )
    approving_org_id: Id | None = Field(None, description="办理的党组织 ID（预审、审批、备案）。")
    should_attend: int | None = Field(
        None, ge=0, le=32767, description="应到会有表决权的正式党员人数（支部大会必填）。"
    )
    present: int | None = Field(None, ge=0, le=32767, description="实到会有表决权的正式党员人数。")
    in_favour: int | None = Field(None, ge=0, le=32767, description="赞成票数。")
    written_in_favour: int | None = Field(
        None, ge=0, le=32767, description="会前正式提交的书面赞成意见数，默认0。"
    )
    voters_note: Text = Field(
        "",
        max_length=300,
        description="应到会人数少于本支部有表决权党员人数时，说明不计入的党员及理由。",
    )
    months: int | None = Field(None, ge=1, le=24, description="延长预备期的月数（6至12个月）。")
    approval_date: dt.date | None = Field(None, description="延长预备期的上级党委批准日期。")
    people: list[Id] = Field(
        [], max_length=2, description="培养联系人或入党介绍人的人员 ID（一至两人）。"
    )
    exception_reason: Text = Field(
        "", max_length=2000, description="按既往事实登记违反规则的步骤时的情况说明。"
    )
    approver_id: Id | None = Field(
        None, description="批准例外登记的用户 ID（须对本支部具有审批权限）。"
    )


class StepRecordedOut(Schema):
    entry: EntryOut = Field(description="新登记的步骤。")
    new_findings: list[DevFindingOut] = Field(description="本步骤新增的规则结论。")
    findings: list[DevFindingOut] = Field(description="登记后整个记录的规则结论。")


# --- helpers --------------------------------------------------------------------------------


def _finding(f: Finding) -> dict:
    return {
        "code": f.code,
        "severity": f.severity,
        "step": f.subject,
        "message": f.message,
        "citation": f.citation,
        "due": f.due,
    }


def _entry(view: selectors.EntryView) -> dict:
    e = view.entry
    return {
        "id": e.pk,
        "step": e.step,
        "step_name": e.get_step_display(),
        "seq": e.seq,
        "date": e.date,
        "end_date": e.end_date,
        "recommended_by": e.recommended_by,
        "passed": e.passed,
        "conclusion": e.conclusion,
        "days": e.days,
        "hours": None if e.hours is None else float(e.hours),
        "working_days": e.working_days,
        "acting_org": e.acting_org,
        "approving_org_id": e.approving_org_id,
        "should_attend": e.should_attend,
        "present": e.present,
        "in_favour": e.in_favour,
        "written_in_favour": e.written_in_favour,
        "voters_note": e.voters_note,
        "months": e.months,
        "approval_date": e.approval_date,
        "source": e.source,
        "recorded_by": e.recorded_by.username if e.recorded_by_id else None,
        "recorded_at": e.recorded_at,
        "people": [
            {
                "person_id": p.person_id,
                "name": p.name,
                "role": p.role,
                "status": p.status,
                "sanction": p.sanction,
            }
            for p in view.people
        ],
        "files": [
            {
                "id": f.pk,
                "title": f.title,
                "content_type": f.content_type,
                "size": f.size,
                "uploaded_at": f.uploaded_at,
            }
            for f in view.files
        ],
        "exceptions": [
            {
                "code": x.code,
                "message": x.message,
                "citation": x.citation,
                "due": x.due,
                "reason": x.reason,
                "approved_by": x.approved_by.username,
                "recorded_at": x.recorded_at,
            }
            for x in view.exceptions
        ],
    }


def _entries(timeline: selectors.PersonTimeline) -> list[selectors.EntryView]:
    views = [v for s in timeline.steps for v in s.entries]
    return sorted(views, key=lambda v: (v.entry.date, v.entry.pk))


def _renamed(exc: DomainError) -> DomainError:
    exc.fields = {_FIELDS.get(k, k): v for k, v in exc.fields.items()}
    return exc


def _people(request: HttpRequest, ids: list[int]) -> list[Person]:
    scope = scope_for(request.user)
    out = []
    for i, pk in enumerate(ids):
        try:
            out.append(person_get_for(scope, pk))
        except DomainError:
            msg = f"第{i + 1}名人员（ID {pk}）不存在或您无权查看。"
            raise InvalidInput(msg, fields={"people": [msg]}) from None
    return out


def _data(payload: StepIn) -> dict:
    data = payload.dict(
        exclude={"people", "exception_reason", "approver_id", "approving_org_id"},
        exclude_none=True,
    )
    for name in ("conclusion", "voters_note"):
        if not data.get(name):
            data.pop(name, None)
    if payload.approving_org_id is not None:
        org = Organization.objects.filter(pk=payload.approving_org_id).first()
        if org is None:
            msg = "办理的党组织不存在或不是本支部的上级组织。"
            raise InvalidInput(msg, fields={"approving_org_id": [msg]})
        data["approving_org"] = org
    return data


# --- endpoints ------------------------------------------------------------------------------


@router.get(
    "/people/{int:person_id}/timeline",
    response={200: TimelineOut, **READ_ERRORS},
    summary="发展党员时间线",
    description="一个人的发展党员记录（DOMAIN.md §5 的时间线 JSON）、按规则检查的结论"
    "（DEV-*、VOTE-*，含依据和期限）和下一步骤的最早、最迟日期。",
)
def timeline_get(request: HttpRequest, person_id: PersonId):
    now = today()
    t = selectors.person_timeline(scope_for(request.user), person_id, now)
    return {
        "person_id": t.person.pk,
        "name": t.person.name,
        "status": t.person.status,
        "state": t.record.state if t.record else None,
        "stage": str(t.stage) if t.stage else None,
        "next_step": t.next_step,
        "timeline": t.data,
        "findings": [_finding(f) for f in t.findings],
        "deadlines": [
            {
                "step": d.step,
                "label": d.label,
                "earliest": d.earliest,
                "latest": d.latest,
                "overdue": d.latest is not None and d.latest < now,
            }
            for d in t.deadlines
        ],
    }


@router.get(
    "/people/{int:person_id}/steps",
    response={200: list[EntryOut], **READ_ERRORS},
    summary="已登记的发展步骤",
    description="按日期排列的步骤记录：各步骤的数据、联系人和介绍人（当日的政治面貌和处分）、"
    "附件、例外登记，以及登记人和登记时间。",
)
def steps_list(request: HttpRequest, person_id: PersonId):
    t = selectors.person_timeline(scope_for(request.user), person_id, today())
    return [_entry(v) for v in _entries(t)]


@router.post(
    "/people/{int:person_id}/steps/{step}",
    response={201: StepRecordedOut, **WRITE_ERRORS},
    summary="登记发展步骤",
    description="登记一个步骤并检查规则。当天办理的步骤违反规则（错误级）即被拒绝，并给出依据和"
    "最早可办理日期；按既往事实登记违反规则的步骤须填写 exception_reason 并指定有审批权限的"
    "approver_id。确定积极分子、确定发展对象、审批接收预备党员、审批转正、取消预备党员资格"
    "同时变更政治面貌。",
)
def step_record(
    request: HttpRequest,
    person_id: PersonId,
    step: Annotated[StepKey, Path(description=STEP_DOC)],
    payload: StepIn,
):
    scope = scope_for(request.user)
    person = person_get_for(scope, person_id)
    # 404 before any lookup of the payload's ids (an organization, an approver, people).
    branch_path = (
        DevelopmentRecord.objects.filter(person=person)
        .values_list("branch__path", flat=True)
        .first()
    )
    scope.require(branch_path or person.branch.path, Perm.DEVELOP)
    try:
        approver = None
        if payload.approver_id is not None:
            approver = User.objects.filter(pk=payload.approver_id, is_active=True).first()
            if approver is None:
                msg = "批准人不存在。"
                raise InvalidInput(msg, fields={"approver": [msg]})
        entry = services.step_record(
            actor=request.user,
            person=person,
            step=step,
            data=_data(payload),
            people=_people(request, payload.people),
            exception_reason=payload.exception_reason,
            approver=approver,
        )
    except DomainError as exc:
        raise _renamed(exc) from None
    t = selectors.person_timeline(scope, person_id, today())
    view = next(v for v in _entries(t) if v.entry.pk == entry.pk)
    return responses.Status(
        201,
        {
            "entry": _entry(view),
            "new_findings": [_finding(f) for f in entry.new_findings],
            "findings": [_finding(f) for f in t.findings],
        },
    )
