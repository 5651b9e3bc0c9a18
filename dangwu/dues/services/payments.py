"""Payments, voluntary dues, reversing entries, quarterly consent, and the paid-through
month that a transfer carries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from dangwu.core import clock
from dangwu.core.errors import DomainError, InvalidInput, RuleViolation
from dangwu.core.findings import Finding, errors
from dangwu.core.scope import Perm
from dangwu.dues import rules
from dangwu.dues.ledger import (
    ZERO,
    Summary,
    month_start,
    months_between,
    next_month,
    prev_month,
    summarize,
    zh_month,
)
from dangwu.dues.models import (
    DuesAccount,
    DuesBase,
    EntryKind,
    LedgerEntry,
    PaidBy,
    PaymentMethod,
)
from dangwu.dues.services.common import (
    ADVANCE_LIMIT_NOTE,
    account_figures,
    base_for_month,
    dues_settings,
    lock_account,
    person_lines,
    refresh_account,
    require_collect,
    require_person,
)
from dangwu.members.choices import MEMBER_STATUSES
from dangwu.members.models import Person

# --- Payments (DUES-MONTHLY, DUES-NO-ORG-PAY, DUES-VOLUNTARY) ---------------------------


@dataclass
class PaymentResult:
    entries: list[LedgerEntry]
    findings: list[Finding] = field(default_factory=list)
    repeated: bool = False

    @property
    def total(self) -> Decimal:
        return sum((e.amount for e in self.entries), ZERO)

    @property
    def months(self) -> list[dt.date]:
        return [e.month for e in self.entries]


def _check_method(method: str, paid_by: str) -> None:
    if method not in PaymentMethod.values:
        raise InvalidInput("请选择缴纳方式。", fields={"method": ["缴纳方式无效。"]})
    findings = []
    try:
        findings = rules.org_payment_findings(paid_by)
    except ValueError as exc:
        raise InvalidInput(str(exc), fields={"paid_by": [str(exc)]}) from exc
    if errors(findings):
        raise RuleViolation(findings, field="paid_by")
    if paid_by not in PaidBy.values:
        raise InvalidInput("请选择交纳人。", fields={"paid_by": ["交纳人无效。"]})


def _existing_batch(person: Person, key: str) -> PaymentResult | None:
    rows = list(LedgerEntry.objects.filter(person=person, batch=key).order_by("month", "id"))
    if not rows:
        return None
    return PaymentResult(entries=rows, repeated=True)


def _next_slot(person_id: int, month: dt.date, kind: str) -> int:
    top = LedgerEntry.objects.filter(
        person_id=person_id, month=month, kind=kind, reverses__isnull=True
    ).aggregate(m=Max("slot"))["m"]
    return 0 if top is None else top + 1


@transaction.atomic
def payment_record(
    *,
    actor,
    person: Person,
    through_month: dt.date | None = None,
    method: str = PaymentMethod.CASH,
    paid_by: str = PaidBy.MEMBER,
    paid_on: dt.date | None = None,
    idempotency_key: str,
    note: str = "",
    today: dt.date | None = None,
) -> PaymentResult:
    """Record that a member paid their dues up to ``through_month``.

    Pays every owed, unpaid month from the oldest (a back-payment, DUES-MONTHLY: more
    than six months is flagged) and, when ``through_month`` lies beyond the last assessed
    month, the months after it in advance at the current base (at most to December:
    next year's base is not yet set). Without ``through_month`` it pays everything owed
    up to this month. Organizations may not pay for members (DUES-NO-ORG-PAY, blocks).

    The same ``idempotency_key`` returns the first result and writes nothing. Two people
    recording the same month at once: the account lock makes the second find it paid,
    and the database's one-payment-per-month constraint backs that up.
    """
    today = today or clock.today()
    paid_on = paid_on or today
    key = (idempotency_key or "").strip()[:80]
    if not key:
        raise InvalidInput("缺少请求编号，请刷新页面后重试。", code="IDEMPOTENCY_KEY")
    require_collect(actor, person)
    _check_method(method, paid_by)
    if paid_on > today:
        raise InvalidInput("交纳日期不能晚于今天。", fields={"paid_on": ["日期有误。"]})
    person = Person.objects.get(pk=person.pk)
    account = lock_account(person)
    repeated = _existing_batch(person, key)
    if repeated is not None:
        return repeated

    summary = summarize(person_lines(person.pk))
    this_month = month_start(today)
    unpaid = summary.unpaid
    if through_month is None:
        through = max([m for m in unpaid if m <= this_month], default=None)
        if through is None:
            raise DomainError(_nothing_due_message(person, summary), code="NOTHING_DUE")
    else:
        through = month_start(through_month)
    months = [m for m in unpaid if m <= through]
    advance_from = next_month(max([*summary.owed, *summary.paid], default=prev_month(this_month)))
    if account.start_month is not None and advance_from < account.start_month:
        advance_from = account.start_month
    advance = [
        m for m in months_between(advance_from, through) if m not in summary.paid and m > this_month
    ]
    # Months between the last owed one and this month that were never assessed (a branch
    # that has not run yet) are paid like advance months, at the base of that month.
    catch_up = [
        m
        for m in months_between(advance_from, min(through, this_month))
        if m not in summary.paid and m not in summary.owed
    ]
    if advance and advance[-1] > dt.date(today.year, 12, 1):
        raise InvalidInput(ADVANCE_LIMIT_NOTE, fields={"through_month": [ADVANCE_LIMIT_NOTE]})

    lines: list[tuple[dt.date, Decimal, DuesBase | None]] = []
    for m in months:
        lines.append((m, summary.owed[m], None))
    for m in sorted(set(catch_up) | set(advance)):
        if person.status not in MEMBER_STATUSES or not person.is_active:
            break
        if person.admission_date and m < month_start(person.admission_date):
            continue
        b = base_for_month(person.pk, m)
        if b is None:
            raise InvalidInput(
                f"{person.name}尚未核定{zh_month(m)}的党费缴纳基数，不能预交。",
                code="DUES-NO-BASE",
                fields={"through_month": ["请先核定缴费基数。"]},
            )
        if b.amount > 0:
            lines.append((m, b.amount, b))
    if not lines:
        raise DomainError(_nothing_due_message(person, summary), code="NOTHING_DUE")

    overdue = [m for m, _, _ in lines if m < this_month]
    findings = rules.back_payment_findings(len(overdue), dues_settings())
    findings = [replace(f, subject=f"person:{person.pk}") for f in findings]
    now = timezone.now()
    rows = [
        LedgerEntry(
            idempotency_key=f"{key}:{m:%Y-%m}",
            person=person,
            branch_id=person.branch_id,
            kind=EntryKind.PAYMENT,
            month=m,
            slot=_next_slot(person.pk, m, EntryKind.PAYMENT),
            amount=amount,
            base=b,
            batch=key,
            method=method,
            paid_by=paid_by,
            paid_on=paid_on,
            note=note.strip()[:300],
            recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
            recorded_at=now,
        )
        for m, amount, b in lines
    ]
    try:
        with transaction.atomic():
            LedgerEntry.objects.bulk_create(rows)
    except IntegrityError as exc:
        raise DomainError(
            f"{person.name}的党费刚刚已由他人登记，请刷新后查看。", code="DUPLICATE"
        ) from exc
    refresh_account(account)
    return PaymentResult(entries=rows, findings=findings)


def _nothing_due_message(person: Person, summary: Summary) -> str:
    if summary.paid_through is not None:
        through = zh_month(summary.paid_through)
        return f"{person.name}的党费已交至{through}，目前没有应交未交的党费。"
    return f"{person.name}目前没有应交未交的党费。"


@transaction.atomic
def voluntary_record(
    *,
    actor,
    person: Person,
    amount: Decimal,
    method: str = PaymentMethod.CASH,
    paid_on: dt.date | None = None,
    idempotency_key: str,
    note: str = "",
    today: dt.date | None = None,
) -> PaymentResult:
    """Record voluntary extra dues (DUES-VOLUNTARY): unlimited; a single payment of 1,000
    yuan or more is flagged for remitting in full to the Centre."""
    today = today or clock.today()
    paid_on = paid_on or today
    key = (idempotency_key or "").strip()[:80]
    if not key:
        raise InvalidInput("缺少请求编号，请刷新页面后重试。", code="IDEMPOTENCY_KEY")
    require_collect(actor, person)
    _check_method(method, PaidBy.MEMBER)
    if paid_on > today:
        raise InvalidInput("交纳日期不能晚于今天。", fields={"paid_on": ["日期有误。"]})
    try:
        findings = rules.voluntary_findings(amount, dues_settings())
    except (ValueError, TypeError) as exc:
        raise InvalidInput(str(exc), fields={"amount": [str(exc)]}) from exc
    person = Person.objects.get(pk=person.pk)
    account = lock_account(person)
    repeated = _existing_batch(person, key)
    if repeated is not None:
        return repeated
    row = LedgerEntry(
        idempotency_key=f"{key}:v",
        person=person,
        branch_id=person.branch_id,
        kind=EntryKind.VOLUNTARY,
        month=month_start(paid_on),
        amount=Decimal(amount).quantize(Decimal("0.01")),
        batch=key,
        method=method,
        paid_by=PaidBy.MEMBER,
        paid_on=paid_on,
        note=note.strip()[:300],
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
        recorded_at=timezone.now(),
    )
    row.save(force_insert=True)
    refresh_account(account)
    return PaymentResult(
        entries=[row], findings=[replace(f, subject=f"person:{person.pk}") for f in findings]
    )


# --- Corrections: reversing entries -------------------------------------------------------


@transaction.atomic
def entry_reverse(
    *,
    actor,
    entry: LedgerEntry,
    reason: str,
    reassess: bool = False,
    today: dt.date | None = None,
) -> list[LedgerEntry]:
    """Correct a ledger line by appending its reversal (and, for a payment, the other
    lines of the same payment). ``reassess`` re-assesses a reversed month at the base
    that now applies (a base entered wrongly). Returns the lines written."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("冲销须写明原因。", fields={"reason": ["请填写冲销原因。"]})
    person = entry.person
    require_person(actor, person, Perm.EDIT)
    account = lock_account(person)
    if entry.reverses_id is not None:
        raise InvalidInput("冲销记录本身不能再冲销。")
    targets = [entry]
    if entry.kind == EntryKind.PAYMENT and entry.batch:
        targets = list(
            LedgerEntry.objects.filter(
                person=person, batch=entry.batch, reverses__isnull=True
            ).order_by("month")
        )
    already = set(
        LedgerEntry.objects.filter(reverses__in=targets).values_list("reverses_id", flat=True)
    )
    targets = [t for t in targets if t.pk not in already]
    if not targets:
        raise DomainError("该记录已冲销。", code="DUPLICATE")
    now = timezone.now()
    user = actor if getattr(actor, "is_authenticated", False) else None
    written = []
    for t in targets:
        r = LedgerEntry(
            idempotency_key=f"reverse:{t.pk}",
            person=person,
            branch_id=person.branch_id,
            kind=t.kind,
            month=t.month,
            slot=t.slot,
            amount=-t.amount,
            reverses=t,
            batch=f"reverse:{t.batch or t.pk}",
            note=f"冲销：{reason}"[:300],
            recorded_by=user,
            recorded_at=now,
        )
        r.save(force_insert=True)
        written.append(r)
        if reassess and t.kind == EntryKind.ASSESSMENT:
            b = base_for_month(person.pk, t.month)
            if b is not None and b.amount > 0:
                slot = _next_slot(person.pk, t.month, EntryKind.ASSESSMENT)
                again = LedgerEntry(
                    idempotency_key=f"assess:{person.pk}:{t.month:%Y-%m}:{slot}",
                    person=person,
                    branch_id=person.branch_id,
                    kind=EntryKind.ASSESSMENT,
                    month=t.month,
                    slot=slot,
                    amount=b.amount,
                    base=b,
                    note=f"重新核算：{reason}"[:300],
                    recorded_by=user,
                    recorded_at=now,
                )
                again.save(force_insert=True)
                written.append(again)
    refresh_account(account)
    return written


# --- Quarterly payment with the branch's consent (DUES-MONTHLY) ------------------------


@transaction.atomic
def quarterly_consent_set(
    *, actor, person: Person, consent_on: dt.date | None, today: dt.date | None = None
) -> DuesAccount:
    """The branch consents (a date) or withdraws consent (``None``) to quarterly payment."""
    today = today or clock.today()
    require_person(actor, person, Perm.EDIT)
    if consent_on is not None and consent_on > today:
        raise InvalidInput("同意日期不能晚于今天。", fields={"consent_on": ["日期有误。"]})
    account = lock_account(person)
    account.quarterly_consent_on = consent_on
    account.save(update_fields=["quarterly_consent_on", "updated_at"])
    return account


def paid_through_for(person_id: int) -> dt.date | None:
    """The month a member's dues are paid to, as an introduction letter states it."""
    account = DuesAccount.objects.filter(person_id=person_id).first()
    start = account.start_month if account else None
    return account_figures(summarize(person_lines(person_id)), start)["paid_through"]


def account_open_from_letter(*, person: Person, paid_through: dt.date | None) -> None:
    """A member received from outside the system: dues start the month after the one
    their introduction letter says was paid (called inside ``transfer_in``)."""
    if paid_through is None:
        return
    account = lock_account(person)
    account.start_month = next_month(month_start(paid_through))
    account.paid_through = month_start(paid_through)
    account.save(update_fields=["start_month", "paid_through", "updated_at"])
