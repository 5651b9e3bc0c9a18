"""Setting a member's dues category and base (DUES-EMPLOYEE … DUES-LOW, DUES-HARDSHIP,
DUES-BASE-CHANGE)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction

from dangwu.core import clock
from dangwu.core.audit import as_actor
from dangwu.core.errors import DomainError, InvalidInput, RuleViolation
from dangwu.core.findings import errors
from dangwu.core.scope import Perm
from dangwu.dues import rules
from dangwu.dues.ledger import (
    month_start,
    next_month,
    zh_month,
)
from dangwu.dues.models import (
    DuesBase,
    LedgerEntry,
)
from dangwu.dues.services.common import (
    dues_settings,
    require_person,
)
from dangwu.members.choices import MEMBER_STATUSES, DuesCategory
from dangwu.members.models import Person

# --- Bases (DUES-EMPLOYEE … DUES-LOW, DUES-HARDSHIP, DUES-BASE-CHANGE) ---------------------


@transaction.atomic
def base_set(
    *,
    actor,
    person: Person,
    effective_month: dt.date,
    category: str,
    base: Decimal | None = None,
    fixed_amount: Decimal | None = None,
    reduced_amount: Decimal | None = None,
    hardship_reason: str = "",
    hardship_discussed_on: dt.date | None = None,
    hardship_approved_on: dt.date | None = None,
    hardship_approval: str = "",
    evidence: str = "",
    change_reason: str = "",
    today: dt.date | None = None,
) -> DuesBase:
    """Set a member's dues category and base from ``effective_month`` on.

    The month's amount follows 党费规定 第一至六条 (``rules.monthly_dues``). A reduction or
    exemption needs the branch's discussion and the higher committee's approval
    (DUES-HARDSHIP, blocks). Under the default local policy a change inside the year is
    refused unless ``change_reason`` says why (DUES-BASE-CHANGE: a new wage changes the
    base from the month it is first received). Months already assessed keep their amount.
    """
    today = today or clock.today()
    require_person(actor, person, Perm.EDIT)
    effective_month = month_start(effective_month)
    person = Person.objects.select_for_update().get(pk=person.pk)
    if person.status not in MEMBER_STATUSES or not person.is_active:
        raise InvalidInput(f"{person.name}不是在册党员，无需核定党费缴纳基数。")
    if effective_month > next_month(month_start(today)) and effective_month.year > today.year + 1:
        raise InvalidInput("生效月份过远。", fields={"effective_month": ["生效月份最多为下一年。"]})
    conf = dues_settings()
    try:
        standard = rules.monthly_dues(category, base, conf, fixed=fixed_amount)
    except (ValueError, TypeError) as exc:
        field_name = "fixed_amount" if category == DuesCategory.FARMER else "base"
        if category not in DuesCategory.values:
            field_name = "category"
        raise InvalidInput(str(exc), fields={field_name: [str(exc)]}) from exc
    amount = standard.amount
    if reduced_amount is not None:
        try:
            findings = rules.hardship_findings(
                standard_amount=standard.amount,
                reduced_amount=reduced_amount,
                branch_discussed_on=hardship_discussed_on,
                approved_on=hardship_approved_on,
            )
        except (ValueError, TypeError) as exc:
            raise InvalidInput(str(exc), fields={"reduced_amount": [str(exc)]}) from exc
        if errors(findings):
            raise RuleViolation(findings, field="reduced_amount")
        if reduced_amount != standard.amount and not hardship_reason.strip():
            raise InvalidInput(
                "减免党费须写明困难情况。", fields={"hardship_reason": ["请填写减免原因。"]}
            )
        amount = Decimal(reduced_amount).quantize(Decimal("0.01"))

    earlier = DuesBase.objects.filter(
        person=person,
        effective_month__lt=effective_month,
        effective_month__year=effective_month.year,
    ).exists()
    if earlier:
        change = rules.base_change_findings((effective_month.year, effective_month.month), conf)
        if change and not change_reason.strip():
            raise RuleViolation(change, field="change_reason")
        if change_reason.strip():
            evidence = f"{evidence}（年内调整：{change_reason.strip()}）".strip()

    row = DuesBase.objects.filter(person=person, effective_month=effective_month).first()
    if row is not None:
        if LedgerEntry.objects.filter(base=row).exists():
            raise DomainError(
                f"{zh_month(effective_month)}起的缴费基数已用于计算应缴党费，不能直接修改；"
                "请从下一个月起核定新的基数，或冲销后重新计算。",
                code="DUES-BASE-USED",
            )
    else:
        row = DuesBase(person=person, effective_month=effective_month)
    row.category = category
    row.base = None if base is None else Decimal(base).quantize(Decimal("0.01"))
    row.fixed_amount = fixed_amount
    row.rate = standard.rate
    row.rule_code = standard.code
    row.standard_amount = standard.amount
    row.amount = amount
    row.hardship_reason = hardship_reason.strip() if amount != standard.amount else ""
    row.hardship_discussed_on = hardship_discussed_on if amount != standard.amount else None
    row.hardship_approved_on = hardship_approved_on if amount != standard.amount else None
    row.hardship_approval = hardship_approval.strip() if amount != standard.amount else ""
    row.evidence = evidence[:300]
    row.set_by = actor if getattr(actor, "is_authenticated", False) else None
    row.full_clean()
    as_actor(row, actor)
    row.save()
    if person.dues_category != category:
        person.dues_category = category
        as_actor(person, actor)
        person.save(update_fields=["dues_category", "updated_at"])
    return row
