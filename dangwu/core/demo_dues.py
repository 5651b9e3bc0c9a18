"""A year of party dues for the demo organization (党费): bases, twelve monthly runs,
payments, hand-overs, a correction and the arrears that a branch really meets.

Called at the end of ``demo._Builder.build()``, inside its transaction. The twelve months
end with ``today``'s month. Every member on the roll gets the base of the previous year
(for the months before January) and of this year, effective from the month of admission
when that is later (DUES-PROBATIONARY). The monthly runs go through
``services.assessment_run``. Payments are written in bulk — a service call per payment
would take most of a minute for ~1,500 members — as the rows ``services.payment_record``
writes (owed months without a base, months paid in advance with theirs; idempotency keys
``<batch>:<YYYY-MM>``), in the order they were paid, so the hand-overs' entry-id watermarks
follow the calendar; then every account is set from the ledger by
``services.account_figures``, and ``reconcile(deep=True)`` proves it. The few actions
worth showing step by step (a payment reversed and recorded again, the arrears cases)
go through the services.

Designed arrears on ``today`` (consecutive overdue months, ``DESIGNED_ARREARS``): three
members of the ``xiaozu`` user's group are 3, 4 and 7 months behind (the 7 has an open
case); elsewhere members are 3, 4, 5, 6 (no case yet) and 8 (a justified case) behind.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from dangwu.accounts.models import Role, User
from dangwu.core.findings import errors
from dangwu.dues import rules, services
from dangwu.dues.ledger import Line, arrears_as_of, month_start, months_between, summarize
from dangwu.dues.models import (
    ArrearsResolution,
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
from dangwu.orgs.models import Organization, Post

SEED = 2026_04
REASON = "演示数据"
# (months behind on today, in the group leader's group)
DESIGNED_ARREARS = ((3, True), (4, True), (7, True), (3, False), (4, False), (5, False),
                    (6, False), (8, False))  # fmt: skip
CASH, BANK, ONLINE = PaymentMethod.CASH, PaymentMethod.BANK_TRANSFER, PaymentMethod.ONLINE
# Post-tax monthly pay by occupation (yuan), and the band edges some members sit on.
WAGES = {"professional": (5000, 15000), "manager": (5500, 12000), "worker": (3000, 6500)}
EDGES = (Decimal("3000.00"), Decimal("5000.00"), Decimal("10000.00"))


def add_months(m: dt.date, n: int) -> dt.date:
    index = m.year * 12 + m.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


@dataclass
class Payer:
    person: Person
    plan: str = "monthly"  # monthly | quarterly | advance | behind | dangyuan
    behind: int = 0
    recorder: User | None = None
    methods: tuple[str, ...] = (CASH,)
    bases: list[DuesBase] = field(default_factory=list)

    def amount(self, m: dt.date) -> Decimal:
        found = [b for b in self.bases if b.effective_month <= m]
        return found[-1].amount if found else Decimal("0")

    def base_for(self, m: dt.date) -> DuesBase | None:
        found = [b for b in self.bases if b.effective_month <= m]
        return found[-1] if found else None


def build_demo_dues(*, admin: User, today: dt.date) -> dict[str, int]:
    """Build the demo's year of dues; returns row counts by model name."""
    return _DuesBuilder(admin, today).build()


class _DuesBuilder:
    def __init__(self, admin: User, today: dt.date) -> None:
        from dangwu.core.demo import ROOT_CODE  # demo imports this module

        self.rng = random.Random(SEED)  # noqa: S311 - demo data, not secrets
        self.admin, self.today = admin, today
        self.root = Organization.objects.get(code=ROOT_CODE)
        self.this_month = month_start(today)
        self.first = add_months(self.this_month, -11)
        self.months = months_between(self.first, self.this_month)
        self.january = dt.date(today.year, 1, 1)
        self.users = {u.username: u for u in User.objects.filter(username__in=_USERNAMES)}
        self.counts: dict[str, int] = {}
        self.rows: list[LedgerEntry] = []
        self.quarterly: set[int] = set()
        self.cases: dict[int, int] = {}  # person id → months behind, for the arrears cases

    def user(self, name: str) -> User:
        return self.users.get(name, self.admin)

    def build(self) -> dict[str, int]:
        payers = self._payers()
        self._bases(payers)
        for m in self.months:
            services.assessment_run(
                actor=self.admin, organization=self.root, month=m, today=self.today
            )
        self._payments(payers)
        self._write_payments()
        self._accounts()
        self._remittances()
        self._correction(payers)
        self._arrears_cases(payers)
        return self.counts

    # --- who pays how ------------------------------------------------------------------

    def _payers(self) -> list[Payer]:
        rng = self.rng
        people = list(
            Person.objects.filter(
                branch__path__startswith=self.root.path,
                is_active=True,
                status__in=MEMBER_STATUSES,
            )
            .select_related("branch")
            .order_by("pk")
        )
        with_posts = set(
            Post.objects.filter(ended_on__isnull=True).values_list("person_id", flat=True)
        )
        leader_role = Role.objects.filter(user=self.users.get("xiaozu")).first()
        group_id = leader_role.organization_id if leader_role else None
        own = {u.person_id: u for u in self.users.values() if u.person_id}
        dangyuan = self.users.get("dangyuan")
        zhibu = Role.objects.filter(user=self.users.get("zhibu")).first()
        payers = []
        for p in people:
            payer = Payer(p, recorder=self.user("dangwei"))
            if p.dues_category == DuesCategory.STUDENT:
                payer.methods = (ONLINE, CASH)
            elif p.dues_category == DuesCategory.RETIREE:
                payer.methods = (CASH, CASH, BANK)
            else:
                payer.methods = (CASH, ONLINE, ONLINE, BANK)
            if p.group_id is not None and p.group_id == group_id:
                payer.recorder, payer.methods = self.user("xiaozu"), (CASH, CASH, ONLINE)
            elif zhibu is not None and p.branch_id == zhibu.organization_id:
                payer.recorder = self.user("zhibu")
            if dangyuan is not None and p.pk == dangyuan.person_id:
                payer.plan, payer.recorder, payer.methods = "dangyuan", dangyuan, (ONLINE,)
            payers.append(payer)
        # Plain members for the designed cases: a full year on the roll, no post, no login.
        plain = [
            x
            for x in payers
            if x.plan == "monthly"
            and x.person.admission_date <= self.first
            and x.person.pk not in with_posts
            and x.person.pk not in own
        ]
        in_group = [x for x in plain if x.person.group_id == group_id]
        elsewhere = [x for x in plain if x.person.group_id != group_id]
        rng.shuffle(in_group)
        rng.shuffle(elsewhere)
        for behind, mine in DESIGNED_ARREARS:
            x = (in_group if mine else elsewhere).pop()
            x.plan, x.behind = "behind", behind
        staff = [x for x in elsewhere if x.person.dues_category != DuesCategory.STUDENT]
        self.hardship = [
            next(x for x in staff if x.person.dues_category == DuesCategory.RETIREE),
            next(x for x in staff if x.person.branch.code.endswith("-HQLH")),
        ]
        staff = [x for x in staff if x not in self.hardship]
        for x in [in_group.pop(), *rng.sample(staff, len(staff) // 20)]:
            x.plan = "quarterly"
            x.methods = (BANK, CASH)
        staff = [x for x in staff if x.plan == "monthly"]
        for x in [in_group.pop(), *rng.sample(staff, len(staff) // 30)]:
            x.plan = "advance"
            x.methods = (BANK,)
        monthly = [x for x in staff if x.plan == "monthly"]
        retired = [x.person.dues_category == DuesCategory.RETIREE for x in monthly]
        self.generous = (  # voluntary dues on 1 July: 1,000 yuan (flagged) and 300 yuan
            next(x for x, r in zip(monthly, retired, strict=True) if r),
            next(x for x, r in zip(monthly, retired, strict=True) if not r),
        )
        return payers

    # --- bases -------------------------------------------------------------------------

    def _base_value(self, p: Person, n: int) -> Decimal | None:
        rng = self.rng
        if p.dues_category == DuesCategory.STUDENT:
            return None
        if p.dues_category == DuesCategory.RETIREE:
            return Decimal(rng.randrange(300_000, 900_000)) / 100 if n % 17 else EDGES[1]
        if n % 23 == 0:
            return EDGES[(n // 23) % len(EDGES)]
        low, high = WAGES.get(p.occupation, WAGES["professional"])
        return Decimal(rng.randrange(low * 100, high * 100)) / 100

    def _bases(self, payers: list[Payer]) -> None:
        rows = []
        reduced = {id(self.hardship[0]): Decimal("5.00"), id(self.hardship[1]): Decimal("0.00")}
        for n, x in enumerate(payers):
            p = x.person
            start = max(self.first, month_start(p.admission_date))
            value = self._base_value(p, n)
            effective = [start] + ([self.january] if start < self.january else [])
            for month in effective:
                this_year = month.year == self.today.year or value in EDGES
                base = value if value is None or this_year else _last_year(value)
                standard = rules.monthly_dues(p.dues_category, base)
                row = DuesBase(
                    person=p,
                    effective_month=month,
                    category=p.dues_category,
                    base=base,
                    rate=standard.rate,
                    rule_code=standard.code,
                    standard_amount=standard.amount,
                    amount=standard.amount,
                    evidence=_evidence(p.dues_category, month.year),
                    set_by=self.admin,
                )
                if id(x) in reduced and month == self.january:
                    self._hardship(row, reduced[id(x)])
                rows.append(row)
                x.bases.append(row)
        saved = DuesBase.objects.bulk_create(rows, batch_size=2000)
        DuesBase.history.bulk_history_create(
            saved, default_user=self.admin, default_change_reason=REASON
        )
        self.counts["duesbase"] = len(saved)

    def _hardship(self, row: DuesBase, amount: Decimal) -> None:
        discussed = self.january - dt.timedelta(days=20)
        approved = self.january - dt.timedelta(days=9)
        findings = rules.hardship_findings(
            standard_amount=row.standard_amount,
            reduced_amount=amount,
            branch_discussed_on=discussed,
            approved_on=approved,
        )
        if errors(findings):
            raise RuntimeError(f"演示数据：减免党费不符合规定：{findings}")
        row.amount = amount
        row.hardship_reason = (
            "患重病长期住院治疗，医疗费用负担重，本人申请减交"
            if amount
            else "家庭遭遇重大变故，生活困难，本人申请免交"
        )
        row.hardship_discussed_on, row.hardship_approved_on = discussed, approved
        row.hardship_approval = f"华北理工大学党委组织部（华理组字〔{approved.year}〕41号）"

    # --- payments ----------------------------------------------------------------------

    def _day(self, m: dt.date, first: int = 2, last: int = 25) -> dt.date | None:
        """A day in ``m`` (never after today; ``None`` when none is left)."""
        end = min(last, self.today.day - 1) if m == self.this_month else last
        if end < first:
            return None
        return m + dt.timedelta(days=self.rng.randint(first, end) - 1)

    def _pay(self, x: Payer, on: dt.date | None, months, method=None, recorder=None) -> None:
        months = [m for m in months if x.amount(m) > 0]
        if on is None or not months:
            return
        batch = f"demo-{x.person.pk}-{on:%Y%m%d}"
        at = timezone.make_aware(dt.datetime.combine(on, dt.time(8)))
        at += dt.timedelta(minutes=self.rng.randint(0, 600))
        recorder = recorder or x.recorder
        for m in months:
            self.rows.append(
                LedgerEntry(
                    idempotency_key=f"{batch}:{m:%Y-%m}",
                    person=x.person,
                    branch_id=x.person.branch_id,
                    kind=EntryKind.PAYMENT,
                    month=m,
                    amount=x.amount(m),
                    base=x.base_for(m) if m > month_start(on) else None,  # paid in advance
                    batch=batch,
                    method=method or self.rng.choice(x.methods),
                    paid_by=PaidBy.MEMBER,
                    paid_on=on,
                    recorded_by=recorder,
                    recorded_at=at,
                )
            )

    def _voluntary(self, x: Payer, on: dt.date, amount: Decimal, method: str, note: str) -> None:
        batch = f"demo-v-{x.person.pk}-{on:%Y%m%d}"
        self.rows.append(
            LedgerEntry(
                idempotency_key=f"{batch}:v",
                person=x.person,
                branch_id=x.person.branch_id,
                kind=EntryKind.VOLUNTARY,
                month=month_start(on),
                amount=amount,
                batch=batch,
                method=method,
                paid_by=PaidBy.MEMBER,
                paid_on=on,
                note=note,
                recorded_by=x.recorder,
                recorded_at=timezone.make_aware(dt.datetime.combine(on, dt.time(10))),
            )
        )

    def _payments(self, payers: list[Payer]) -> None:
        as_of = arrears_as_of(self.today)
        for x in payers:
            own = [m for m in self.months if m >= month_start(x.person.admission_date)]
            if x.plan == "quarterly":
                self.quarterly.add(x.person.pk)
                for m in own:
                    if m.month % 3 == 0:  # the quarter's last month
                        self._pay(x, self._day(m, 15, 26), [q for q in own if q <= m])
                        own = [q for q in own if q > m]
            elif x.plan == "advance":
                for year in sorted({m.year for m in own}):
                    first = min(m for m in own if m.year == year)
                    months = months_between(first, dt.date(year, 12, 1))
                    self._pay(x, self._day(first, 3, 12), months)
            elif x.plan == "dangyuan":
                gap = [add_months(self.this_month, -k) for k in (8, 7, 6)]
                for m in own[:-1]:  # this month: recorded, reversed and recorded again below
                    if m in gap:
                        continue
                    if m == add_months(gap[-1], 1):
                        months = [*gap, m]
                        self._pay(x, self._day(m), months, BANK, self.user("dangwei"))
                    else:
                        self._pay(x, self._day(m), [m])
            else:
                last = add_months(as_of, -x.behind) if x.plan == "behind" else self.this_month
                pending: list[dt.date] = []
                for m in own:
                    if m > last:
                        break
                    pending.append(m)
                    late = self.rng.random() < 0.08 and m < add_months(last, -1)
                    if late or (m == self.this_month and self.rng.random() < 0.35):
                        continue  # paid with next month's dues, or not yet this month
                    self._pay(x, self._day(m), pending)
                    pending = []
        july = dt.date(self.today.year if self.today.month >= 7 else self.today.year - 1, 7, 1)
        self._voluntary(self.generous[0], july, Decimal("1000.00"), CASH, "七一前夕自愿多交党费")
        self._voluntary(self.generous[1], july, Decimal("300.00"), ONLINE, "七一自愿多交党费")
        dangyuan = next((x for x in payers if x.plan == "dangyuan"), None)
        if dangyuan is not None:
            self._voluntary(dangyuan, july, Decimal("200.00"), ONLINE, "七一自愿多交党费")

    def _write_payments(self) -> None:
        # In the order they were paid: a hand-over's watermark (entry id) follows the calendar.
        self.rows.sort(key=lambda e: (e.paid_on, e.person_id, e.month))
        self.rows = LedgerEntry.objects.bulk_create(self.rows, batch_size=2000)

    def _accounts(self) -> None:
        """Set every account from the ledger, as the services would have left it."""
        entries = (
            LedgerEntry.objects.filter(person__branch__path__startswith=self.root.path)
            .order_by("person_id", "id")
            .values_list("person_id", "kind", "month", "amount")
        )
        lines: dict[int, list[Line]] = defaultdict(list)
        for person_id, kind, month, amount in entries:
            lines[person_id].append(Line(kind, month, amount))
        existing = set(DuesAccount.objects.filter(person_id__in=lines).values_list("pk", flat=True))
        DuesAccount.objects.bulk_create(
            [DuesAccount(person_id=p) for p in lines if p not in existing]
        )
        accounts = list(DuesAccount.objects.filter(person_id__in=lines))
        consent = add_months(self.first, -2) + dt.timedelta(days=4)
        for a in accounts:
            for name, value in services.account_figures(summarize(lines[a.pk]), None).items():
                setattr(a, name, value)
            a.quarterly_consent_on = consent if a.pk in self.quarterly else None
        fields = [*services.account_figures(summarize([]), None), "quarterly_consent_on"]
        DuesAccount.objects.bulk_update(accounts, fields, batch_size=500)

    # --- hand-overs to the committee, every quarter -------------------------------------

    def _remittances(self) -> None:
        collected = [e for e in self.rows if e.kind in (EntryKind.PAYMENT, EntryKind.VOLUNTARY)]
        ends = [m for m in self.months if m.month % 3 == 0]
        branches = list(Organization.objects.filter(path__startswith=self.root.path, kind="branch"))
        previous: dict[int, Remittance] = {}
        threshold = services.dues_settings().voluntary_remit_threshold
        total = 0
        for end in ends:
            handed = add_months(end, 1) + dt.timedelta(days=9)
            if handed > self.today:
                continue
            upto = [e for e in collected if e.paid_on <= handed]
            if not upto:
                continue
            through = max(e.pk for e in upto)
            batch = []
            for org in branches:
                prev = previous.get(org.pk)
                start = prev.through_entry_id if prev else 0
                mine = [e for e in upto if e.branch_id == org.pk and start < e.pk <= through]
                amount = sum((e.amount for e in mine), Decimal("0.00"))
                if amount <= 0:
                    continue
                big = [e.amount for e in mine if e.kind == "voluntary" and e.amount >= threshold]
                quarter = (end.month - 1) // 3 + 1
                batch.append(
                    Remittance(
                        organization=org,
                        previous=prev,
                        from_entry_id=start,
                        through_entry_id=through,
                        amount=amount,
                        voluntary_remit_amount=sum(big, Decimal("0.00")),
                        handed_on=handed,
                        received_by="华北理工大学党委组织部",
                        note=f"{end.year}年第{quarter}季度党费",
                        idempotency_key=f"demo-remit-{org.code}-{handed:%Y%m%d}",
                        recorded_by=self.user("dangwei"),
                    )
                )
            for r in Remittance.objects.bulk_create(batch):
                previous[r.organization_id] = r
            total += len(batch)
        self.counts["remittance"] = total

    # --- through the services: a correction and the arrears cases ---------------------------

    def _correction(self, payers: list[Payer]) -> None:
        """The ``dangyuan`` member's payment this month: recorded as cash by the group leader,
        reversed by the party worker (it was a bank transfer) and recorded again."""
        x = next((x for x in payers if x.plan == "dangyuan"), None)
        if x is None:
            return
        on = min(self.today, self.this_month + dt.timedelta(days=9))
        leader, worker = self.user("xiaozu"), self.user("dangwei")
        cash = services.payment_record(
            actor=leader,
            person=x.person,
            method=CASH,
            paid_on=on,
            idempotency_key="demo-dangyuan-cash",
            today=self.today,
        )
        services.entry_reverse(
            actor=worker,
            entry=cash.entries[0],
            reason="缴纳方式登记有误：本人实为银行转账（有转账凭证），冲销后重新登记",
            today=self.today,
        )
        services.payment_record(
            actor=worker,
            person=x.person,
            method=BANK,
            paid_on=on,
            idempotency_key="demo-dangyuan-bank",
            note="更正登记",
            today=self.today,
        )

    def _arrears_cases(self, payers: list[Payer]) -> None:
        worker = self.user("dangwei")
        behind = {x.behind: x.person for x in payers if x.plan == "behind"}
        services.arrears_case_open(
            actor=worker, person=behind[7], today=self.today - dt.timedelta(days=5)
        )
        earlier = self.today - dt.timedelta(days=40)
        justified = services.arrears_case_open(actor=worker, person=behind[8], today=earlier)
        services.arrears_case_decide(
            actor=worker,
            case=justified,
            resolution=ArrearsResolution.JUSTIFIED,
            reason="因病在外地长期住院治疗，无法按月交纳；本人承诺病愈后补交",
            approved_by="所在党总支委员会讨论同意，报校党委组织部备案",
            decided_on=earlier + dt.timedelta(days=14),
            today=self.today,
        )
        self.counts["arrearscase"] = 2


_USERNAMES = ("dangwei", "zhibu", "xiaozu", "dangyuan")


def _last_year(value: Decimal) -> Decimal:
    """Last year's pay: a little lower, rounded to ten yuan."""
    return (value * Decimal("0.96") / 10).quantize(Decimal("1")) * 10


def _evidence(category: str, year: int) -> str:
    if category == DuesCategory.STUDENT:
        return "在校学生"
    if category == DuesCategory.RETIREE:
        return f"{year}年养老金发放记录"
    return f"{year}年1月工资条（税后固定收入部分）"
