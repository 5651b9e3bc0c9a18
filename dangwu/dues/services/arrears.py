"""Handling six consecutive unpaid months (DUES-ARREARS-6, LEAVE-SELF)."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction

from dangwu.core import clock
from dangwu.core.audit import as_actor
from dangwu.core.errors import DomainError, InvalidInput
from dangwu.core.findings import Severity
from dangwu.core.scope import Perm
from dangwu.dues import rules
from dangwu.dues.ledger import (
    Summary,
    arrears_as_of,
    month_start,
    summarize,
)
from dangwu.dues.models import (
    ArrearsCase,
    ArrearsResolution,
)
from dangwu.dues.services.common import (
    dues_settings,
    lock_account,
    person_lines,
    require_person,
)
from dangwu.members.models import Person

# --- Arrears handling (DUES-ARREARS-6, LEAVE-SELF) -----------------------------------------


def consecutive_arrears(summary: Summary, as_of: dt.date) -> int:
    return rules.consecutive_unpaid_months(
        [(m.year, m.month) for m in summary.paid],
        [(m.year, m.month) for m in summary.owed],
        (as_of.year, as_of.month),
    )


@transaction.atomic
def arrears_case_open(*, actor, person: Person, today: dt.date | None = None) -> ArrearsCase:
    """Open the handling of six consecutive unpaid months (DUES-ARREARS-6)."""
    today = today or clock.today()
    require_person(actor, person, Perm.EDIT)
    account = lock_account(person)
    summary = summarize(person_lines(person.pk))
    as_of = arrears_as_of(today, quarterly=account.quarterly_consent_on is not None)
    months = consecutive_arrears(summary, as_of)
    findings = rules.arrears_findings(months, dues_settings())
    if not any(f.severity == Severity.ERROR for f in findings):
        raise DomainError(
            f"{person.name}连续未交党费{months}个月，未满6个月，无需按自行脱党程序处置。",
            code="DUES-ARREARS-6",
        )
    unpaid_from = [m for m in summary.unpaid if m <= as_of][-months]
    try:
        with transaction.atomic():
            case = ArrearsCase(
                person=person,
                opened_on=today,
                months=months,
                unpaid_from=unpaid_from,
                opened_by=actor if getattr(actor, "is_authenticated", False) else None,
            )
            as_actor(case, actor)
            case.save()
    except IntegrityError as exc:
        raise DomainError(f"{person.name}已有一件待处理的欠缴党费处置。", code="DUPLICATE") from exc
    return case


@transaction.atomic
def arrears_case_decide(
    *,
    actor,
    case: ArrearsCase,
    resolution: str,
    reason: str = "",
    approved_by: str = "",
    decided_on: dt.date | None = None,
    today: dt.date | None = None,
) -> ArrearsCase:
    """Close an arrears case: a justified reason, recorded and approved; a proposal to the
    general meeting to treat the member as having left the Party (LEAVE-SELF, 党章 第九条:
    the general meeting decides and reports for approval); or settled by back-payment."""
    today = today or clock.today()
    decided_on = decided_on or today
    case = ArrearsCase.objects.select_for_update().select_related("person").get(pk=case.pk)
    require_person(actor, case.person, Perm.EDIT)
    if case.resolution != ArrearsResolution.OPEN:
        raise DomainError("该处置已办结。", code="DUPLICATE")
    if resolution not in {
        ArrearsResolution.JUSTIFIED,
        ArrearsResolution.PROPOSED,
        ArrearsResolution.SETTLED,
    }:
        raise InvalidInput("请选择处理结果。", fields={"resolution": ["处理结果无效。"]})
    if decided_on > today or decided_on < case.opened_on:
        raise InvalidInput(
            "处理日期应在立案日期与今天之间。", fields={"decided_on": ["日期有误。"]}
        )
    errs: dict[str, list[str]] = {}
    needs_reason = {ArrearsResolution.JUSTIFIED, ArrearsResolution.PROPOSED}
    if resolution in needs_reason and not reason.strip():
        errs["reason"] = ["请写明理由或情况。"]
    if resolution == ArrearsResolution.JUSTIFIED and not approved_by.strip():
        errs["approved_by"] = ["正当理由须经批准，请填写批准人或批准文件。"]
    if resolution == ArrearsResolution.SETTLED:
        summary = summarize(person_lines(case.person_id))
        left = [m for m in summary.unpaid if m >= case.unpaid_from and m < month_start(today)]
        if left:
            errs["resolution"] = [f"尚有{len(left)}个月未补交，不能按“已补交”办结。"]
    if errs:
        raise InvalidInput(next(iter(errs.values()))[0], fields=errs)
    case.resolution = resolution
    case.reason = reason.strip()[:500]
    case.approved_by = approved_by.strip()[:200]
    case.decided_on = decided_on
    case.decided_by = actor if getattr(actor, "is_authenticated", False) else None
    as_actor(case, actor)
    case.save()
    return case
