"""``/api/v1/dues``: a member's dues, payments, bases, and an organization's sheet,
summary, arrears and monthly run.

Money travels as strings with two decimals (``"45.67"``), months as ``YYYY-MM``. Writes
that record money need an ``Idempotency-Key`` header: repeating a request with the same
key returns the first result (200) and writes nothing.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from django.http import HttpRequest
from ninja import Field, Header, Query, Router, Schema, responses

from dangwu.api.schemas import ErrorOut, FindingOut, InSchema, OrgId, PersonId, Text, choices_doc
from dangwu.core.clock import today
from dangwu.core.errors import InvalidInput
from dangwu.core.money import parse_money
from dangwu.core.scope import scope_for
from dangwu.dues import selectors, services
from dangwu.dues.ledger import parse_month
from dangwu.members.choices import DuesCategory

router = Router(tags=["党费"])
CATEGORY_DOC = choices_doc("党费缴纳类别", DuesCategory)

READ_ERRORS = {401: ErrorOut, 404: ErrorOut, 422: ErrorOut}
WRITE_ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}

# Only real months: a schema-valid month must never be refused (schemathesis checks it).
MONTH_PATTERN = r"^[1-9]\d{3}-(0[1-9]|1[0-2])$"
Month = Annotated[str, Field(pattern=MONTH_PATTERN, description="月份，YYYY-MM。")]
Money = Annotated[
    str, Field(pattern=r"^\d{1,10}(\.\d{1,2})?$", description="金额（元），如 4567.00。")
]
IdempotencyKey = Annotated[
    str,
    Header(
        alias="Idempotency-Key",
        min_length=8,
        max_length=80,
        description="请求编号（如 UUID）。同一编号重复提交只记一次，返回第一次的结果。",
    ),
]


def _month(text: str | None, field: str) -> dt.date | None:
    if text is None:
        return None
    try:
        return parse_month(text)
    except ValueError as exc:
        raise InvalidInput(str(exc), fields={field: [str(exc)]}) from exc


def _money(text: str | None, field: str, label: str) -> Decimal | None:
    if text is None:
        return None
    try:
        return parse_money(text, label=label)
    except ValueError as exc:
        raise InvalidInput(str(exc), fields={field: [str(exc)]}) from exc


def _ym(m: dt.date | None) -> str | None:
    return None if m is None else f"{m:%Y-%m}"


# --- shapes ---------------------------------------------------------------------------------


class MonthAmountOut(Schema):
    month: str = Field(description="月份（YYYY-MM）。")
    amount: str = Field(description="该月应交金额（元）。")


class EntryOut(Schema):
    id: int = Field(description="台账记录 ID。")
    kind: str = Field(description="assessment 应缴；payment 实缴；voluntary 自愿多交。")
    month: str = Field(description="所属月份（YYYY-MM）。")
    amount: str = Field(description="金额；冲销记录为负数。")
    reverses_id: int | None = Field(description="冲销记录所冲销的原记录 ID。")
    method: str | None = Field(
        description="缴纳方式：cash 现金；bank_transfer 银行转账；online 线上缴纳。"
    )
    paid_by: str | None = Field(description="交纳人：member 本人；proxy 委托他人代交。")
    paid_on: dt.date | None = Field(description="交纳日期。")
    note: str = Field(description="说明。")
    recorded_at: dt.datetime = Field(description="记账时间。")


class BaseOut(Schema):
    effective_month: str = Field(description="生效月份（YYYY-MM）。")
    category: str = Field(description="党费缴纳类别。")
    base: str | None = Field(description="缴费基数（元）。")
    fixed_amount: str | None = Field(description="农民党员固定金额（元）。")
    rate: str | None = Field(description="比例（如 0.01 即1%），固定金额时为空。")
    rule_code: str = Field(description="计算所依据的规则编码。")
    standard_amount: str = Field(description="按规定每月应交（元）。")
    amount: str = Field(description="每月应交（元），减免后的金额。")
    hardship_approval: str = Field(description="减免的批准文件或批准人。")


class PersonDuesOut(Schema):
    person_id: int = Field(description="人员 ID。")
    name: str = Field(description="姓名。")
    current_base: BaseOut | None = Field(description="本月适用的缴费基数。")
    paid_through: str | None = Field(description="党费交至（YYYY-MM）。")
    arrears_months: int = Field(description="到上月为止连续未交月数（DUES-ARREARS-6）。")
    due_now: list[MonthAmountOut] = Field(description="到本月为止应交未交的月份。")
    due_total: str = Field(description="应交未交合计（元）。")
    assessed_total: str = Field(description="累计应缴（元）。")
    paid_total: str = Field(description="累计实缴（元）。")
    voluntary_total: str = Field(description="累计自愿多交（元）。")
    balance: str = Field(description="应缴减实缴；负数为预交。")
    quarterly: bool = Field(description="经党支部同意按季度交纳。")
    findings: list[FindingOut] = Field(description="规则结论（如 DUES-ARREARS-6）。")
    entries: list[EntryOut] = Field(description="台账记录，按月份倒序。")


class PaymentIn(InSchema):
    through_month: Month | None = Field(
        None, description="交至哪个月（含）；不填则交清到本月为止的全部欠缴。"
    )
    method: Literal["cash", "bank_transfer", "online"] = Field(
        "cash", description="缴纳方式：cash 现金；bank_transfer 银行转账；online 线上缴纳。"
    )
    paid_by: Literal["member", "proxy", "organization", "payroll"] = Field(
        "member", description="交纳人；organization、payroll 按 DUES-NO-ORG-PAY 拒绝。"
    )
    paid_on: dt.date | None = Field(None, description="交纳日期，默认今天。")
    note: Text = Field("", max_length=300, description="说明。")


class VoluntaryIn(InSchema):
    amount: Money
    method: Literal["cash", "bank_transfer", "online"] = Field(
        "cash", description="缴纳方式：cash 现金；bank_transfer 银行转账；online 线上缴纳。"
    )
    paid_on: dt.date | None = Field(None, description="交纳日期，默认今天。")
    note: Text = Field("", max_length=300, description="说明。")


class PaymentOut(Schema):
    repeated: bool = Field(description="同一请求编号的重复提交（未新增记录）。")
    months: list[str] = Field(description="本次交纳的月份。")
    total: str = Field(description="本次交纳合计（元）。")
    entries: list[EntryOut] = Field(description="本次写入的台账记录。")
    findings: list[FindingOut] = Field(description="规则结论（如补交超过6个月）。")


class BaseIn(InSchema):
    effective_month: Month
    category: DuesCategory = Field(description=CATEGORY_DOC)
    base: Money | None = Field(None, description="缴费基数（元）；按比例计算的类别必填。")
    fixed_amount: Money | None = Field(None, description="农民党员固定金额（0.20–1.00元）。")
    reduced_amount: Money | None = Field(None, description="减免后的每月金额（元；0为免交）。")
    hardship_reason: Text = Field("", max_length=300, description="减免原因。")
    hardship_discussed_on: dt.date | None = Field(None, description="党支部讨论日期。")
    hardship_approved_on: dt.date | None = Field(None, description="上级党委批准日期。")
    hardship_approval: Text = Field("", max_length=200, description="批准文件或批准人。")
    evidence: Text = Field("", max_length=200, description="核定依据（如工资证明）。")
    change_reason: Text = Field(
        "", max_length=200, description="年内调整基数的原因（DUES-BASE-CHANGE）。"
    )


class SheetRowOut(Schema):
    person_id: int = Field(description="人员 ID。")
    name: str = Field(description="姓名。")
    group_name: str | None = Field(description="所在党小组。")
    state: str = Field(
        description="paid 已交；unpaid 未交；not_assessed 未生成；no_base 未核定基数。"
    )
    month_amount: str | None = Field(description="本月应交（元），未生成时为空。")
    paid_through: str | None = Field(description="党费交至（YYYY-MM）。")
    arrears_months: int = Field(description="连续欠缴月数（到上月为止）。")
    due_total: str = Field(description="到该月为止应交未交合计（元）。")


class SheetOut(Schema):
    organization_id: int = Field(description="组织 ID。")
    month: str = Field(description="月份（YYYY-MM）。")
    assessed: str = Field(description="本月应缴合计（元）。")
    collected: str = Field(description="本月已交合计（元）。")
    rows: list[SheetRowOut] = Field(description="每名党员一行，按姓名拼音排序。")


class MonthFiguresOut(Schema):
    month: str = Field(description="月份（YYYY-MM）。")
    assessed_count: int = Field(description="应缴人数。")
    assessed: str = Field(description="应缴金额（元）。")
    paid_count: int = Field(description="已交人数。")
    paid: str = Field(description="该月党费的实缴金额（元）。")
    received: str = Field(description="当月实收（元，含补交、预交和自愿多交）。")
    voluntary: str = Field(description="当月实收中的自愿多交（元）。")
    rate: str | None = Field(description="收缴率（%），应缴为0时为空。")


class SummaryOut(Schema):
    organization_id: int = Field(description="组织 ID。")
    year: int = Field(description="年度。")
    members: int = Field(description="在册应交党费的党员人数。")
    months: list[MonthFiguresOut] = Field(description="1至12月。")
    total: MonthFiguresOut = Field(description="全年合计。")
    remitted: str = Field(description="本年已上缴（元）。")
    pending: str = Field(description="上次上缴以来收缴、尚未上缴的金额。")


class RunIn(InSchema):
    month: Month


class RunOut(Schema):
    month: str = Field(description="月份（YYYY-MM）。")
    created: int = Field(description="新增应缴记录数。")
    amount: str = Field(description="新增应缴金额（元）。")


# --- helpers --------------------------------------------------------------------------------


def _entry(e) -> dict:
    return {
        "id": e.pk,
        "kind": e.kind,
        "month": _ym(e.month),
        "amount": str(e.amount),
        "reverses_id": e.reverses_id,
        "method": e.method or None,
        "paid_by": e.paid_by or None,
        "paid_on": e.paid_on,
        "note": e.note,
        "recorded_at": e.recorded_at,
    }


def _base(b) -> dict | None:
    if b is None:
        return None
    return {
        "effective_month": _ym(b.effective_month),
        "category": b.category,
        "base": None if b.base is None else str(b.base),
        "fixed_amount": None if b.fixed_amount is None else str(b.fixed_amount),
        "rate": None if b.rate is None else str(b.rate.normalize()),
        "rule_code": b.rule_code,
        "standard_amount": str(b.standard_amount),
        "amount": str(b.amount),
        "hardship_approval": b.hardship_approval,
    }


def _person_dues(request: HttpRequest, person_id: int) -> dict:
    pd = selectors.person_dues(scope_for(request.user), person_id, today=today())
    s = pd.summary
    return {
        "person_id": pd.person.pk,
        "name": pd.person.name,
        "current_base": _base(pd.current_base),
        "paid_through": _ym(pd.paid_through),
        "arrears_months": pd.arrears_months,
        "due_now": [{"month": _ym(m), "amount": str(a)} for m, a in pd.due_now],
        "due_total": str(pd.due_total),
        "assessed_total": str(s.assessed_total),
        "paid_total": str(s.paid_total),
        "voluntary_total": str(s.voluntary_total),
        "balance": str(s.balance),
        "quarterly": pd.quarterly,
        "findings": [f.as_dict() for f in pd.findings],
        "entries": [_entry(e) for e in pd.entries],
    }


def _payment(result) -> dict:
    return {
        "repeated": result.repeated,
        "months": [_ym(m) for m in result.months],
        "total": str(result.total),
        "entries": [_entry(e) for e in result.entries],
        "findings": [f.as_dict() for f in result.findings],
    }


def _figures(f) -> dict:
    return {
        "month": _ym(f.month),
        "assessed_count": f.assessed_count,
        "assessed": str(f.assessed),
        "paid_count": f.paid_count,
        "paid": str(f.paid),
        "received": str(f.received),
        "voluntary": str(f.voluntary),
        "rate": None if f.rate is None else str(f.rate),
    }


# --- a member -------------------------------------------------------------------------------


@router.get(
    "/people/{int:person_id}",
    response={200: PersonDuesOut, **READ_ERRORS},
    summary="党员党费",
    description="缴费基数、党费交至月份、应交未交、连续欠缴（DUES-ARREARS-6）和全部台账记录。",
)
def person_dues(request: HttpRequest, person_id: PersonId):
    return _person_dues(request, person_id)


@router.post(
    "/people/{int:person_id}/payments",
    response={200: PaymentOut, 201: PaymentOut, **WRITE_ERRORS},
    summary="登记交纳党费",
    description="从最早欠缴的月份交起，交至 through_month（可预交至当年12月）。"
    "党小组长、党务工作者或党员本人可登记。",
)
def payment_record(
    request: HttpRequest, person_id: PersonId, payload: PaymentIn, key: IdempotencyKey
):
    person = selectors.person_get_for(scope_for(request.user), person_id)
    result = services.payment_record(
        actor=request.user,
        person=person,
        through_month=_month(payload.through_month, "through_month"),
        method=payload.method,
        paid_by=payload.paid_by,
        paid_on=payload.paid_on,
        idempotency_key=key,
        note=payload.note,
    )
    return responses.Status(200 if result.repeated else 201, _payment(result))


@router.post(
    "/people/{int:person_id}/voluntary",
    response={200: PaymentOut, 201: PaymentOut, **WRITE_ERRORS},
    summary="登记自愿多交党费",
    description="单笔1000元以上（含）的按 DUES-VOLUNTARY 标记为全额上缴中央。",
)
def voluntary_record(
    request: HttpRequest, person_id: PersonId, payload: VoluntaryIn, key: IdempotencyKey
):
    person = selectors.person_get_for(scope_for(request.user), person_id)
    result = services.voluntary_record(
        actor=request.user,
        person=person,
        amount=_money(payload.amount, "amount", "金额"),
        method=payload.method,
        paid_on=payload.paid_on,
        idempotency_key=key,
        note=payload.note,
    )
    return responses.Status(200 if result.repeated else 201, _payment(result))


@router.post(
    "/people/{int:person_id}/base",
    response={200: PersonDuesOut, **WRITE_ERRORS},
    summary="核定缴费基数",
    description="按党费规定第一至六条计算每月应交；减免须党支部讨论并经上级党委批准"
    "（DUES-HARDSHIP）；年内调整须说明原因（DUES-BASE-CHANGE）。",
)
def base_set(request: HttpRequest, person_id: PersonId, payload: BaseIn):
    person = selectors.person_get_for(scope_for(request.user), person_id)
    services.base_set(
        actor=request.user,
        person=person,
        effective_month=_month(payload.effective_month, "effective_month"),
        category=payload.category,
        base=_money(payload.base, "base", "缴费基数"),
        fixed_amount=_money(payload.fixed_amount, "fixed_amount", "农民党员的党费金额"),
        reduced_amount=_money(payload.reduced_amount, "reduced_amount", "减免后的党费"),
        hardship_reason=payload.hardship_reason,
        hardship_discussed_on=payload.hardship_discussed_on,
        hardship_approved_on=payload.hardship_approved_on,
        hardship_approval=payload.hardship_approval,
        evidence=payload.evidence,
        change_reason=payload.change_reason,
    )
    return _person_dues(request, person_id)


# --- an organization ------------------------------------------------------------------------


@router.get(
    "/orgs/{int:org_id}/sheet",
    response={200: SheetOut, **READ_ERRORS},
    summary="党费收缴表",
    description="一个月的收缴情况：每名党员本月应交、是否已交、党费交至和连续欠缴月数。",
)
def sheet(
    request: HttpRequest,
    org_id: OrgId,
    month: Annotated[
        str | None, Query(pattern=MONTH_PATTERN, description="月份，YYYY-MM；默认本月。")
    ] = None,
):
    m = _month(month, "month") or today().replace(day=1)
    s = selectors.collection_sheet(scope_for(request.user), org_id, month=m, today=today())
    return {
        "organization_id": s.organization.pk,
        "month": _ym(s.month),
        "assessed": str(s.assessed),
        "collected": str(s.collected),
        "rows": [
            {
                "person_id": r.person.pk,
                "name": r.person.name,
                "group_name": r.person.group.name if r.person.group_id else None,
                "state": r.state,
                "month_amount": None if r.month_amount is None else str(r.month_amount),
                "paid_through": _ym(r.paid_through),
                "arrears_months": r.arrears_months,
                "due_total": str(r.due_total),
            }
            for r in s.rows
        ],
    }


@router.get(
    "/orgs/{int:org_id}/summary",
    response={200: SummaryOut, **READ_ERRORS},
    summary="党费年度汇总",
    description="按月：应缴、实缴、收缴率、当月实收、自愿多交；全年合计；已上缴与待上缴。",
)
def summary(
    request: HttpRequest,
    org_id: OrgId,
    year: Annotated[int | None, Query(ge=2000, le=2100, description="年度；默认本年。")] = None,
):
    s = selectors.org_summary(
        scope_for(request.user), org_id, year=year or today().year, today=today()
    )
    return {
        "organization_id": s.organization.pk,
        "year": s.year,
        "members": s.members,
        "months": [_figures(f) for f in s.months],
        "total": _figures(s.total),
        "remitted": str(s.remitted),
        "pending": str(s.pending),
    }


@router.post(
    "/orgs/{int:org_id}/assessments",
    response={200: RunOut, **WRITE_ERRORS},
    summary="生成月度应缴党费",
    description="为本组织及下级组织的党员生成该月应缴记录。重复生成不会新增记录。",
)
def assessment_run(request: HttpRequest, org_id: OrgId, payload: RunIn):
    org = selectors.dues_org_get(scope_for(request.user), org_id)
    run = services.assessment_run(
        actor=request.user, organization=org, month=_month(payload.month, "month")
    )
    return {"month": _ym(run.month), "created": run.created, "amount": str(run.amount)}
