"""Every write to dues: bases, the monthly assessment run, payments, voluntary dues,
reversals, hand-overs and arrears handling.

Each service: authorize → check the rules → lock the member's account (``select_for_update``
on PostgreSQL; SQLite's IMMEDIATE transactions serialize writers) → append ledger lines →
refresh the cached account from the ledger → return. Ledger lines are never changed; a
request repeated with the same idempotency key returns what the first one wrote.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field, replace
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Max, Q, Sum
from django.utils import timezone

from dangwu.core.audit import as_actor
from dangwu.core.clock import today as _today
from dangwu.core.errors import DomainError, InvalidInput, NotFound, RuleViolation
from dangwu.core.findings import Finding, Severity, errors
from dangwu.core.money import quantize_money
from dangwu.core.scope import Perm, scope_for
from dangwu.dues import rules
from dangwu.dues.ledger import (
    ZERO,
    Line,
    Summary,
    month_start,
    months_between,
    next_month,
    prev_month,
    summarize,
    zh_month,
)
from dangwu.dues.models import (
    ArrearsCase,
    ArrearsResolution,
    AssessmentRun,
    DuesAccount,
    DuesBase,
    EntryKind,
    LedgerEntry,
    PaidBy,
    PaymentMethod,
    Remittance,
)
from dangwu.members.choices import MEMBER_STATUSES, DuesCategory
from dangwu.members.models import Person
from dangwu.orgs.models import Organization

ADVANCE_LIMIT_NOTE = "预交党费最多交至当年12月（次年缴费基数尚未核定）。"


def dues_settings() -> rules.DuesSettings:
    """The [local] dues policy from ``settings.DANGWU["DUES"]``."""
    conf = dict(settings.DANGWU.get("DUES", {}))
    return rules.DuesSettings(
        rounding_unit=Decimal(str(conf.get("rounding_unit", "0.01"))),
        base_change_month=int(conf.get("base_change_month", 1)),
        base_fixed_within_year=bool(conf.get("base_fixed_within_year", True)),
        arrears_warning_months=int(conf.get("arrears_warning_months", 3)),
    )


def new_key() -> str:
    return uuid.uuid4().hex


# --- Authorization --------------------------------------------------------------------


def require_person(actor, person: Person, perm: Perm) -> None:
    """``perm`` on the person's branch (or group, for a group leader); else 404."""
    scope = scope_for(actor)
    if scope.is_superuser:
        return
    if not Person.objects.filter(scope.person_q(perm), pk=person.pk).exists():
        raise NotFound()


def require_collect(actor, person: Person) -> None:
    """Who may record a member's payment: their group leader, a party worker over their
    branch, or the member themself."""
    if actor is not None and getattr(actor, "person_id", None) == person.pk:
        return
    require_person(actor, person, Perm.DUES)


# --- Reading a person's ledger (inside the services' transaction) ----------------------


def person_lines(person_id: int) -> list[Line]:
    return [
        Line(kind, month, amount)
        for kind, month, amount in LedgerEntry.objects.filter(person_id=person_id).values_list(
            "kind", "month", "amount"
        )
    ]


def account_figures(summary: Summary, start_month: dt.date | None) -> dict:
    """The cached fields of ``DuesAccount`` for a ledger summary.

    A member received from outside the system brings the month their letter says dues
    were paid to; until the ledger goes further, that month is their paid-through month.
    """
    paid_through = summary.paid_through
    if start_month is not None:
        carried = prev_month(start_month)
        if (paid_through is None and not summary.unpaid) or (
            paid_through is not None and paid_through < carried
        ):
            paid_through = carried
    return {
        "assessed_total": summary.assessed_total,
        "paid_total": summary.paid_total,
        "voluntary_total": summary.voluntary_total,
        "balance": summary.balance,
        "paid_through": paid_through,
        "unpaid_months": min(summary.unpaid_months, 32767),
    }


def _lock_account(person: Person) -> DuesAccount:
    DuesAccount.objects.get_or_create(person_id=person.pk)
    return DuesAccount.objects.select_for_update().get(person_id=person.pk)


def _refresh_account(account: DuesAccount) -> DuesAccount:
    figures = account_figures(summarize(person_lines(account.person_id)), account.start_month)
    for name, value in figures.items():
        setattr(account, name, value)
    account.save()
    return account


def base_for_month(person_id: int, month: dt.date) -> DuesBase | None:
    """The base that applies to ``month``: the latest one effective on or before it."""
    return (
        DuesBase.objects.filter(person_id=person_id, effective_month__lte=month)
        .order_by("-effective_month")
        .first()
    )


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
    today = today or _today()
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


# --- The monthly assessment run (DUES-MONTHLY, DUES-PROBATIONARY) ----------------------

_ASSESS_SQL = """
INSERT INTO dues_ledgerentry
    (idempotency_key, person_id, branch_id, kind, month, slot, amount, base_id, batch,
     method, paid_by, note, run_id, recorded_by_id, recorded_at)
SELECT 'assess:' || p.id || ':' || %(ym)s, p.id, p.branch_id, 'assessment', %(month)s, 0,
       b.amount, b.id, '', '', '', '', %(run)s, %(user)s, %(now)s
FROM members_person p
JOIN orgs_organization o ON o.id = p.branch_id
JOIN dues_duesbase b ON b.id = (
    SELECT b2.id FROM dues_duesbase b2
    WHERE b2.person_id = p.id AND b2.effective_month <= %(month)s
    ORDER BY b2.effective_month DESC LIMIT 1)
WHERE o.path LIKE %(prefix)s
  AND p.is_active AND p.status IN ('probationary', 'full')
  AND (p.admission_date IS NULL OR p.admission_date <= %(month_end)s)
  AND b.amount > 0
  AND NOT EXISTS (SELECT 1 FROM dues_duesaccount a
                  WHERE a.person_id = p.id AND a.start_month > %(month)s)
ON CONFLICT DO NOTHING
"""

_ACCOUNTS_SQL = """
INSERT INTO dues_duesaccount
    (person_id, assessed_total, paid_total, voluntary_total, balance, unpaid_months, updated_at)
SELECT e.person_id, 0, 0, 0, 0, 0, %(now)s FROM dues_ledgerentry e WHERE e.run_id = %(run)s
ON CONFLICT DO NOTHING
"""

_ACCOUNT_UPDATE_SQL = """
UPDATE dues_duesaccount SET
    assessed_total = dues_duesaccount.assessed_total + e.amount,
    balance = dues_duesaccount.balance + e.amount,
    unpaid_months = dues_duesaccount.unpaid_months + CASE WHEN (
        SELECT COALESCE(SUM(x.amount), 0) FROM dues_ledgerentry x
        WHERE x.person_id = e.person_id AND x.month = e.month AND x.kind = 'payment') > 0
        THEN 0 ELSE 1 END,
    updated_at = %(now)s
FROM dues_ledgerentry e
WHERE e.run_id = %(run)s AND e.person_id = dues_duesaccount.person_id
"""


@transaction.atomic
def assessment_run(
    *, actor, organization: Organization, month: dt.date, today: dt.date | None = None
) -> AssessmentRun:
    """Assess ``month``'s dues for every paying member in ``organization``'s subtree.

    Idempotent: each member's month is assessed once (the ledger's unique key), so running
    a month twice, or a college and then one of its branches, adds nothing. A member is
    assessed when they are on the roll as a probationary or full member, admitted by the
    end of the month (DUES-PROBATIONARY: from the month of admission), have a base with an
    amount above zero (an approved exemption owes nothing), and — if received from outside
    the system — the month is after the one their letter says was paid. A member who
    transferred inside the system is assessed once for the month, by whichever branch
    runs it first while they belong to it.
    """
    today = today or _today()
    scope_for(actor).require(organization.path, Perm.EDIT)
    month = month_start(month)
    if month > month_start(today):
        raise InvalidInput(
            f"不能提前生成{zh_month(month)}的应缴党费。",
            fields={"month": ["月份不能晚于本月。"]},
        )
    if organization.dissolved_on is not None:
        raise InvalidInput(f"“{organization.name}”已撤销。")
    now = timezone.now()
    run = AssessmentRun.objects.create(
        organization=organization,
        month=month,
        started_at=now,
        run_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    params = {
        "ym": f"{month:%Y-%m}",
        "month": month,
        "month_end": prev_day(next_month(month)),
        "prefix": organization.path + "%",
        "run": run.pk,
        "user": run.run_by_id,
        "now": now,
    }
    with connection.cursor() as cur:
        cur.execute(_ASSESS_SQL, params)
        cur.execute(_ACCOUNTS_SQL, params)
        cur.execute(_ACCOUNT_UPDATE_SQL, params)
    created = LedgerEntry.objects.filter(run=run).aggregate(s=Sum("amount"))
    run.created = LedgerEntry.objects.filter(run=run).count()
    run.amount = quantize_money(created["s"] or ZERO)  # SQLite sums in binary floating point
    run.finished_at = timezone.now()
    run.save(update_fields=["created", "amount", "finished_at"])
    _fix_back_runs(run)
    return run


def prev_day(d: dt.date) -> dt.date:
    return d - dt.timedelta(days=1)


def _fix_back_runs(run: AssessmentRun) -> None:
    # A month assessed behind a member's paid-through month (a late run for an earlier
    # month) moves that month back: recompute those few accounts from the ledger.
    stale = DuesAccount.objects.filter(
        person_id__in=LedgerEntry.objects.filter(run=run).values("person_id"),
        paid_through__gte=run.month,
    ).exclude(
        person_id__in=LedgerEntry.objects.filter(
            kind=EntryKind.PAYMENT, month=run.month, reverses__isnull=True
        ).values("person_id")
    )
    for account in stale.select_for_update():
        _refresh_account(account)


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
    today = today or _today()
    paid_on = paid_on or today
    key = (idempotency_key or "").strip()[:80]
    if not key:
        raise InvalidInput("缺少请求编号，请刷新页面后重试。", code="IDEMPOTENCY_KEY")
    require_collect(actor, person)
    _check_method(method, paid_by)
    if paid_on > today:
        raise InvalidInput("交纳日期不能晚于今天。", fields={"paid_on": ["日期有误。"]})
    person = Person.objects.get(pk=person.pk)
    account = _lock_account(person)
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
    _refresh_account(account)
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
    today = today or _today()
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
    account = _lock_account(person)
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
    _refresh_account(account)
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
    account = _lock_account(person)
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
    _refresh_account(account)
    return written


# --- Quarterly payment with the branch's consent (DUES-MONTHLY) ------------------------


@transaction.atomic
def quarterly_consent_set(
    *, actor, person: Person, consent_on: dt.date | None, today: dt.date | None = None
) -> DuesAccount:
    """The branch consents (a date) or withdraws consent (``None``) to quarterly payment."""
    today = today or _today()
    require_person(actor, person, Perm.EDIT)
    if consent_on is not None and consent_on > today:
        raise InvalidInput("同意日期不能晚于今天。", fields={"consent_on": ["日期有误。"]})
    account = _lock_account(person)
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
    account = _lock_account(person)
    account.start_month = next_month(month_start(paid_through))
    account.paid_through = month_start(paid_through)
    account.save(update_fields=["start_month", "paid_through", "updated_at"])


# --- Hand-over to the higher organization --------------------------------------------------


def collections_q(organization: Organization) -> Q:
    return Q(
        kind__in=[EntryKind.PAYMENT, EntryKind.VOLUNTARY],
        branch__path__startswith=organization.path,
    )


@transaction.atomic
def remittance_record(
    *,
    actor,
    organization: Organization,
    handed_on: dt.date | None = None,
    received_by: str = "",
    note: str = "",
    idempotency_key: str,
    today: dt.date | None = None,
) -> Remittance:
    """Record that ``organization`` handed its collections up: everything collected in its
    subtree since its previous hand-over (payments, voluntary dues, reversals)."""
    today = today or _today()
    handed_on = handed_on or today
    key = (idempotency_key or "").strip()[:80]
    if not key:
        raise InvalidInput("缺少请求编号，请刷新页面后重试。", code="IDEMPOTENCY_KEY")
    scope_for(actor).require(organization.path, Perm.EDIT)
    if handed_on > today:
        raise InvalidInput("上缴日期不能晚于今天。", fields={"handed_on": ["日期有误。"]})
    existing = Remittance.objects.filter(idempotency_key=key).first()
    if existing is not None:
        return existing
    Organization.objects.select_for_update().get(pk=organization.pk)
    if connection.vendor == "postgresql":
        # Wait for in-flight ledger writes, so no line below the watermark commits later.
        with connection.cursor() as cur:
            cur.execute("LOCK TABLE dues_ledgerentry IN SHARE MODE")
    previous = Remittance.objects.filter(organization=organization, next__isnull=True).first()
    start = previous.through_entry_id if previous else 0
    top = LedgerEntry.objects.aggregate(m=Max("id"))["m"] or 0
    pending = LedgerEntry.objects.filter(collections_q(organization), id__gt=start, id__lte=top)
    amount = quantize_money(pending.aggregate(s=Sum("amount"))["s"] or ZERO)
    threshold = dues_settings().voluntary_remit_threshold
    big = quantize_money(
        pending.filter(kind=EntryKind.VOLUNTARY, amount__gte=threshold).aggregate(s=Sum("amount"))[
            "s"
        ]
        or ZERO
    )
    if amount <= 0:
        raise DomainError("自上次上缴以来没有新收缴的党费。", code="NOTHING_DUE")
    row = Remittance(
        organization=organization,
        previous=previous,
        from_entry_id=start,
        through_entry_id=top,
        amount=amount,
        voluntary_remit_amount=big,
        handed_on=handed_on,
        received_by=received_by.strip()[:200],
        note=note.strip()[:300],
        idempotency_key=key,
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    row.full_clean(validate_constraints=False)
    row.save()
    return row


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
    from dangwu.dues.ledger import arrears_as_of

    today = today or _today()
    require_person(actor, person, Perm.EDIT)
    account = _lock_account(person)
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
    today = today or _today()
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
