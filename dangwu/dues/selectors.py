"""Every read of dues that a page, a file or the API needs; each takes a ``Scope``.

Per-person figures for a page of people come from their ledger lines in one query and
``ledger.summarize``; subtree totals are SQL aggregates over the ledger joined to the
organization path (one indexed prefix filter).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field, replace
from decimal import Decimal

from django.db.models import Count, Max, Q, Sum
from django.db.models.functions import ExtractMonth

from dangwu.core.errors import NotFound
from dangwu.core.findings import Finding
from dangwu.core.money import quantize_money
from dangwu.core.scope import Perm, Scope
from dangwu.dues import rules
from dangwu.dues.ledger import (
    ZERO,
    Line,
    Summary,
    arrears_as_of,
    month_start,
    prev_month,
    summarize,
)
from dangwu.dues.models import (
    ArrearsCase,
    ArrearsResolution,
    DuesAccount,
    DuesBase,
    EntryKind,
    LedgerEntry,
    Remittance,
)
from dangwu.dues.services import account_figures, collections_q, consecutive_arrears, dues_settings
from dangwu.members.choices import MEMBER_STATUSES
from dangwu.members.models import Person
from dangwu.orgs.choices import OrgKind
from dangwu.orgs.models import Organization


def _q(total) -> Decimal:
    return quantize_money(total or ZERO)


# --- Organizations -------------------------------------------------------------------------


def dues_org_get(scope: Scope, org_id: int, perm: Perm = Perm.VIEW) -> Organization:
    """An organization the user may see dues of (VIEW) or collect in (DUES); else 404."""
    org = Organization.objects.filter(pk=org_id).first()
    if org is None:
        raise NotFound()
    if not (scope.covers(org.path, perm) or scope.covers(org.path, Perm.DUES)):
        raise NotFound()
    return org


def members_q(org: Organization) -> Q:
    """Members on the roll who pay dues, in ``org`` (a group: its members)."""
    where = Q(is_active=True, status__in=MEMBER_STATUSES)
    if org.kind == OrgKind.PARTY_GROUP:
        return where & Q(group=org)
    return where & Q(branch__path__startswith=org.path)


# --- One person ------------------------------------------------------------------------------


@dataclass
class PersonDues:
    person: Person
    account: DuesAccount | None
    summary: Summary
    paid_through: dt.date | None
    entries: list[LedgerEntry]
    bases: list[DuesBase]
    current_base: DuesBase | None
    arrears_months: int
    findings: list[Finding]
    open_case: ArrearsCase | None
    cases: list[ArrearsCase]
    quarterly: bool
    due_now: list[tuple[dt.date, Decimal]]  # owed and unpaid up to this month

    @property
    def due_total(self) -> Decimal:
        return sum((a for _, a in self.due_now), ZERO)


def person_get_for(scope: Scope, person_id: int) -> Person:
    q = scope.person_q(Perm.VIEW) | scope.person_q(Perm.DUES)
    person = Person.objects.filter(q, pk=person_id).select_related("branch", "group").first()
    if person is None:
        raise NotFound()
    return person


def person_dues(scope: Scope, person_id: int, *, today: dt.date) -> PersonDues:
    """A member's dues: what they owe, what they paid, bases, arrears and cases."""
    person = person_get_for(scope, person_id)
    account = DuesAccount.objects.filter(person=person).first()
    entries = list(
        LedgerEntry.objects.filter(person=person)
        .select_related("recorded_by", "branch")
        .order_by("-month", "-id")
    )
    summary = summarize(Line(e.kind, e.month, e.amount) for e in entries)
    figures = account_figures(summary, account.start_month if account else None)
    quarterly = bool(account and account.quarterly_consent_on)
    months = consecutive_arrears(summary, arrears_as_of(today, quarterly=quarterly))
    findings = [
        replace(f, subject=f"person:{person.pk}")
        for f in rules.arrears_findings(months, dues_settings())
    ]
    this_month = month_start(today)
    bases = list(DuesBase.objects.filter(person=person).order_by("-effective_month"))
    current = next((b for b in bases if b.effective_month <= this_month), None)
    cases = list(ArrearsCase.objects.filter(person=person))
    return PersonDues(
        person=person,
        account=account,
        summary=summary,
        paid_through=figures["paid_through"],
        entries=entries,
        bases=bases,
        current_base=current,
        arrears_months=months,
        findings=findings,
        open_case=next((c for c in cases if c.resolution == ArrearsResolution.OPEN), None),
        cases=cases,
        quarterly=quarterly,
        due_now=[(m, summary.owed[m]) for m in summary.unpaid if m <= this_month],
    )


# --- The collection sheet (a group or a branch, one month) --------------------------------


@dataclass
class SheetRow:
    person: Person
    month_amount: Decimal | None  # this month's assessment (None: not assessed)
    month_paid: bool
    unpaid: list[tuple[dt.date, Decimal]]  # owed, unpaid, up to the sheet's month
    arrears_months: int  # consecutive, overdue (the rule's count)
    paid_through: dt.date | None
    quarterly: bool
    has_base: bool
    findings: list[Finding] = field(default_factory=list)

    @property
    def due_total(self) -> Decimal:
        return sum((a for _, a in self.unpaid), ZERO)

    @property
    def state(self) -> str:
        if not self.has_base:
            return "no_base"
        if self.month_amount is None:
            return "paid" if self.month_paid else "not_assessed"
        return "paid" if self.month_paid else "unpaid"


@dataclass
class Sheet:
    organization: Organization
    month: dt.date
    rows: list[SheetRow]

    @property
    def assessed(self) -> Decimal:
        return sum((r.month_amount or ZERO for r in self.rows), ZERO)

    @property
    def collected(self) -> Decimal:
        return sum((r.month_amount or ZERO for r in self.rows if r.month_paid), ZERO)

    @property
    def paid_count(self) -> int:
        return sum(1 for r in self.rows if r.month_paid)

    @property
    def unpaid_count(self) -> int:
        return sum(1 for r in self.rows if r.state == "unpaid")

    @property
    def arrears_count(self) -> int:
        warn = dues_settings().arrears_warning_months
        return sum(1 for r in self.rows if r.arrears_months >= warn)


def rows_for(people: list[Person], month: dt.date, today: dt.date) -> list[SheetRow]:
    """Sheet rows for a page of people: three queries whatever their number."""
    ids = [p.pk for p in people]
    lines: dict[int, list[Line]] = defaultdict(list)
    for pid, kind, m, amount in LedgerEntry.objects.filter(person_id__in=ids).values_list(
        "person_id", "kind", "month", "amount"
    ):
        lines[pid].append(Line(kind, m, amount))
    accounts = {a.person_id: a for a in DuesAccount.objects.filter(person_id__in=ids)}
    based = set(
        DuesBase.objects.filter(person_id__in=ids, effective_month__lte=month).values_list(
            "person_id", flat=True
        )
    )
    conf = dues_settings()
    rows = []
    for p in people:
        s = summarize(lines.get(p.pk, ()))
        account = accounts.get(p.pk)
        quarterly = bool(account and account.quarterly_consent_on)
        months = consecutive_arrears(s, arrears_as_of(today, quarterly=quarterly))
        figures = account_figures(s, account.start_month if account else None)
        rows.append(
            SheetRow(
                person=p,
                month_amount=s.owed.get(month),
                month_paid=month in s.paid,
                unpaid=[(m, s.owed[m]) for m in s.unpaid if m <= month],
                arrears_months=months,
                paid_through=figures["paid_through"],
                quarterly=quarterly,
                has_base=p.pk in based,
                findings=[
                    replace(f, subject=f"person:{p.pk}")
                    for f in rules.arrears_findings(months, conf)
                ],
            )
        )
    return rows


def sheet_people(scope: Scope, org: Organization):
    """The people of a collection sheet, in pinyin order (a queryset, for paging)."""
    q = scope.person_q(Perm.VIEW) | scope.person_q(Perm.DUES)
    return (
        Person.objects.filter(members_q(org))
        .filter(q)
        .select_related("group", "branch")
        .order_by("sort_key", "id")
    )


def collection_sheet(
    scope: Scope, org_id: int, *, month: dt.date, today: dt.date, people=None
) -> Sheet:
    """The group leader's monthly collection sheet: who owes what, who has paid.

    ``people`` is a page of ``sheet_people`` (default: all of them)."""
    org = dues_org_get(scope, org_id)
    month = month_start(month)
    if people is None:
        people = list(sheet_people(scope, org))
    return Sheet(organization=org, month=month, rows=rows_for(list(people), month, today))


# --- Summaries for an organization -------------------------------------------------------


@dataclass
class MonthFigures:
    month: dt.date
    assessed_count: int = 0
    assessed: Decimal = ZERO
    paid_count: int = 0
    paid: Decimal = ZERO  # paid for this month's dues (whenever paid)
    received: Decimal = ZERO  # cash received this calendar month (any dues month)
    voluntary: Decimal = ZERO

    @property
    def unpaid(self) -> Decimal:
        return self.assessed - self.paid

    @property
    def rate(self) -> Decimal | None:
        """Collection rate in percent (paid / assessed), one decimal."""
        if not self.assessed:
            return None
        return (self.paid * 100 / self.assessed).quantize(Decimal("0.1"))


@dataclass
class OrgSummary:
    organization: Organization
    year: int
    months: list[MonthFigures]
    remittances: list[Remittance]
    pending: Decimal  # collected since the last hand-over, not yet handed up
    members: int
    arrears_warning: int  # members with this many unpaid months or more, this month included
    children: list[tuple[Organization, MonthFigures]]

    @property
    def total(self) -> MonthFigures:
        t = MonthFigures(month=dt.date(self.year, 1, 1))
        for m in self.months:
            t.assessed_count += m.assessed_count
            t.assessed += m.assessed
            t.paid_count += m.paid_count
            t.paid += m.paid
            t.received += m.received
            t.voluntary += m.voluntary
        return t

    @property
    def remitted(self) -> Decimal:
        return sum((r.amount for r in self.remittances), ZERO)


def _year_rows(org: Organization, year: int) -> dict[int, MonthFigures]:
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 1)
    under = Q(branch__path__startswith=org.path)
    months = {m: MonthFigures(month=dt.date(year, m, 1)) for m in range(1, 13)}
    by_month = (
        LedgerEntry.objects.filter(under, month__gte=first, month__lte=last)
        .filter(kind__in=[EntryKind.ASSESSMENT, EntryKind.PAYMENT])
        .values("month", "kind")
        .annotate(total=Sum("amount"), n=Count("person", distinct=True))
    )
    for row in by_month:
        f = months[row["month"].month]
        if row["kind"] == EntryKind.ASSESSMENT:
            f.assessed, f.assessed_count = _q(row["total"]), row["n"]
        else:
            f.paid, f.paid_count = _q(row["total"]), row["n"]
    received = (
        LedgerEntry.objects.filter(under, paid_on__year=year)
        .annotate(m=ExtractMonth("paid_on"))
        .values("m", "kind")
        .annotate(total=Sum("amount"))
    )
    for row in received:
        f = months[row["m"]]
        if row["kind"] == EntryKind.VOLUNTARY:
            f.voluntary = _q(f.voluntary + _q(row["total"]))
        f.received = _q(f.received + _q(row["total"]))
    return months


def org_summary(scope: Scope, org_id: int, *, year: int, today: dt.date) -> OrgSummary:
    """A year of an organization's dues by month: assessed, paid, received, rate; what was
    handed up and what is still to hand up; per child organization for committees."""
    org = dues_org_get(scope, org_id)
    months = _year_rows(org, year)
    remittances = list(
        Remittance.objects.filter(organization=org, handed_on__year=year).order_by("handed_on")
    )
    last = Remittance.objects.filter(organization=org).aggregate(m=Max("through_entry_id"))["m"]
    pending = _q(
        LedgerEntry.objects.filter(collections_q(org), id__gt=last or 0).aggregate(s=Sum("amount"))[
            "s"
        ]
    )
    members = Person.objects.filter(members_q(org)).count()
    warn = dues_settings().arrears_warning_months
    arrears = DuesAccount.objects.filter(
        person__in=Person.objects.filter(members_q(org)), unpaid_months__gte=warn
    ).count()
    children = []
    if org.kind != OrgKind.PARTY_GROUP:
        kids = list(
            Organization.objects.filter(
                path__startswith=org.path, depth=org.depth + 1, dissolved_on__isnull=True
            )
            .exclude(kind=OrgKind.PARTY_GROUP)
            .order_by("path")
        )
        if kids:
            children = _children_year(kids, year)
    return OrgSummary(
        organization=org,
        year=year,
        months=[months[m] for m in range(1, 13)],
        remittances=remittances,
        pending=pending,
        members=members,
        arrears_warning=arrears,
        children=children,
    )


def _children_year(kids: list[Organization], year: int) -> list[tuple[Organization, MonthFigures]]:
    """The year's totals per child organization, in one query over the ledger."""
    totals = {k.pk: MonthFigures(month=dt.date(year, 1, 1)) for k in kids}
    steplen = Organization.steplen
    prefix_len = len(kids[0].path)
    by_prefix = {k.path: k.pk for k in kids}
    rows = (
        LedgerEntry.objects.filter(
            month__year=year,
            kind__in=[EntryKind.ASSESSMENT, EntryKind.PAYMENT],
            branch__path__startswith=kids[0].path[:-steplen],
        )
        .values("branch__path", "kind")
        .annotate(total=Sum("amount"))
    )
    for row in rows:
        pk = by_prefix.get(row["branch__path"][:prefix_len])
        if pk is None:
            continue
        f = totals[pk]
        if row["kind"] == EntryKind.ASSESSMENT:
            f.assessed = _q(f.assessed + _q(row["total"]))
        else:
            f.paid = _q(f.paid + _q(row["total"]))
    return [(k, totals[k.pk]) for k in kids]


# --- Arrears -----------------------------------------------------------------------------


@dataclass
class ArrearsRow:
    person: Person
    months: int
    unpaid: list[tuple[dt.date, Decimal]]
    findings: list[Finding]
    open_case: ArrearsCase | None

    @property
    def due_total(self) -> Decimal:
        return sum((a for _, a in self.unpaid), ZERO)


def arrears_list(scope: Scope, org_id: int, *, today: dt.date) -> list[ArrearsRow]:
    """Members at or over the warning threshold of consecutive unpaid months, worst first.

    The cached ``unpaid_months`` pre-selects candidates by index; the rule's consecutive
    count is then computed from each candidate's ledger lines."""
    org = dues_org_get(scope, org_id)
    warn = dues_settings().arrears_warning_months
    people = list(
        Person.objects.filter(members_q(org))
        .filter(scope.person_q(Perm.VIEW) | scope.person_q(Perm.DUES))
        .filter(dues_account__unpaid_months__gte=warn)
        .select_related("branch", "group")
        .order_by("sort_key", "id")
    )
    rows = rows_for(people, month_start(today), today)
    cases = {
        c.person_id: c
        for c in ArrearsCase.objects.filter(
            person_id__in=[p.pk for p in people], resolution=ArrearsResolution.OPEN
        )
    }
    out = [
        ArrearsRow(
            person=r.person,
            months=r.arrears_months,
            unpaid=r.unpaid,
            findings=r.findings,
            open_case=cases.get(r.person.pk),
        )
        for r in rows
        if r.arrears_months >= warn
    ]
    out.sort(key=lambda r: (-r.months, r.person.sort_key))
    return out


def arrears_case_get_for(scope: Scope, case_id: int) -> ArrearsCase:
    """An arrears case of a member the user may edit; else 404."""
    case = (
        ArrearsCase.objects.filter(scope.person_q(Perm.EDIT, prefix="person__"), pk=case_id)
        .select_related("person")
        .first()
    )
    if case is None:
        raise NotFound()
    return case


# --- Members without a base ------------------------------------------------------------------


def unbased_members(scope: Scope, org_id: int, *, month: dt.date):
    """Members on the roll with no base for ``month`` (the run cannot assess them)."""
    org = dues_org_get(scope, org_id)
    return (
        Person.objects.filter(members_q(org))
        .filter(scope.person_q(Perm.VIEW))
        .exclude(dues_bases__effective_month__lte=month_start(month))
        .select_related("branch")
        .order_by("sort_key", "id")
    )


def month_choices(today: dt.date, back: int = 12) -> list[dt.date]:
    """This month and the ``back`` months before it, newest first (for a month picker)."""
    out = [month_start(today)]
    for _ in range(back):
        out.append(prev_month(out[-1]))
    return out
