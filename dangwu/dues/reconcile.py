"""Prove that the ledger adds up to every figure the system reports (党费对账).

The ledger (``LedgerEntry``) is the truth; ``DuesAccount`` caches per-person figures and a
``Remittance`` states what an organization handed up. ``reconcile`` recomputes them from
the ledger and names every difference, in Chinese:

(a) each account's totals and balance against the ledger sums — one aggregate query that
    returns only the rows that differ, and the people with ledger lines but no account;
(b) each reversal is the exact opposite of the line it reverses;
(c) each hand-over equals the collections in its organization's subtree inside its entry
    range, and follows on from the previous hand-over without a gap;
(d) ``deep``: each account's unpaid months and paid-through month, recomputed in Python by
    ``ledger.summarize`` and ``services.account_figures`` — the same code the services use.

Money read back from SQLite is a binary float: both sides are rounded to the fen in SQL
and quantized before they are compared or shown.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection

from dangwu.core.money import quantize_money
from dangwu.dues.ledger import Line, summarize, zh_month
from dangwu.dues.models import DuesAccount, LedgerEntry
from dangwu.members.models import Person
from dangwu.orgs.models import Organization

CHUNK_SIZE = 20_000

FIELD_ZH = {
    "assessed_total": "累计应缴",
    "paid_total": "累计实缴",
    "voluntary_total": "累计自愿多交",
    "balance": "欠缴余额",
    "paid_through": "党费交至",
    "unpaid_months": "未交月数",
    "account": "党费账户",
    "reversal_amount": "冲销金额",
    "reversal_target": "冲销对象",
    "amount": "上缴金额",
    "from_entry_id": "起始台账记录号",
    "previous": "上一次上缴",
}
KIND_ZH = {"assessment": "应缴", "payment": "实缴", "voluntary": "自愿多交"}


@dataclass(frozen=True, slots=True)
class Difference:
    """One reported figure that the ledger does not bear out."""

    subject: str  # "person:12", "entry:340", "remittance:7"
    name: str  # who or what, in Chinese: 张三（计算机学院教工党支部）
    field: str
    cached: str  # the reported value, formatted
    ledger: str  # what the ledger gives, formatted

    @property
    def message(self) -> str:
        label = FIELD_ZH.get(self.field, self.field)
        return f"{self.name}：{label}记为{self.cached}，台账为{self.ledger}。"

    def __str__(self) -> str:
        return self.message


@dataclass(slots=True)
class ReconcileReport:
    organization: Organization | None = None
    deep: bool = False
    differences: list[Difference] = field(default_factory=list)
    checked: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.differences

    def summary(self) -> str:
        where = self.organization.name if self.organization else "全部党组织"
        c = self.checked
        parts = [
            f"党费账户{c.get('accounts', 0):,}个",
            f"台账记录{c.get('entries', 0):,}条",
            f"冲销记录{c.get('reversals', 0):,}条",
            f"上缴记录{c.get('remittances', 0):,}条",
        ]
        if self.deep:
            parts.append(f"逐人重算{c.get('people', 0):,}人")
        head = f"{where}党费对账：核对{'，'.join(parts)}"
        if self.ok:
            return f"{head}，全部与台账一致。"
        return f"{head}，发现{len(self.differences)}处不一致。"


def _money(value) -> Decimal:
    """A database amount (``Decimal``, or a float on SQLite) as exact yuan."""
    return quantize_money(str(value if value is not None else 0))


def _yuan(value) -> str:
    return "无" if value is None else f"{_money(value)}元"


def _month(value: dt.date | None) -> str:
    return "无" if value is None else zh_month(value)


def _as_date(value) -> dt.date | None:
    """A date from a raw cursor (SQLite returns ``"2026-11-01"``)."""
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def _scope_sql(organization: Organization | None, column: str) -> tuple[str, dict]:
    """``column`` (a person id) restricted to people whose current branch is in the subtree."""
    if organization is None:
        return "1 = 1", {}
    sql = (
        f"{column} IN (SELECT p.id FROM members_person p "  # noqa: S608 - column is ours
        "JOIN orgs_organization o ON o.id = p.branch_id WHERE o.path LIKE %(prefix)s)"
    )
    return sql, {"prefix": organization.path + "%"}


def reconcile(organization: Organization | None = None, *, deep: bool = False) -> ReconcileReport:
    """Recompute every reported dues figure in ``organization``'s subtree (all when
    ``None``) from the ledger; ``report.ok`` when all agree."""
    report = ReconcileReport(organization=organization, deep=deep)
    people: dict[int, list[tuple[str, str, str, str]]] = {}  # person → (field, cached, ledger)
    _check_accounts(organization, report, people)
    _check_reversals(organization, report, people)
    if deep:
        _check_deep(organization, report, people)
    names = _person_names(people)
    for person_id, rows in sorted(people.items()):
        for subject, fld, cached, ledger in rows:
            report.differences.append(Difference(subject, names[person_id], fld, cached, ledger))
    report.differences.extend(_check_remittances(organization, report))
    return report


def _person_names(people: dict[int, list]) -> dict[int, str]:
    names = {pk: f"人员编号{pk}" for pk in people}
    rows = Person.objects.filter(pk__in=list(people)).values_list("pk", "name", "branch__name")
    for pk, name, branch in rows:
        names[pk] = f"{name}（{branch}）"
    return names


# --- (a) account totals against the ledger sums ------------------------------------------

_ACCOUNTS_SQL = """
WITH sums AS (
    SELECT e.person_id AS person_id,
           SUM(CASE WHEN e.kind = 'assessment' THEN e.amount ELSE 0 END) AS assessed,
           SUM(CASE WHEN e.kind = 'payment' THEN e.amount ELSE 0 END) AS paid,
           SUM(CASE WHEN e.kind = 'voluntary' THEN e.amount ELSE 0 END) AS voluntary
    FROM dues_ledgerentry e
    WHERE {scope_e}
    GROUP BY e.person_id
)
SELECT a.person_id, 1, a.assessed_total, a.paid_total, a.voluntary_total, a.balance,
       COALESCE(s.assessed, 0), COALESCE(s.paid, 0), COALESCE(s.voluntary, 0)
FROM dues_duesaccount a LEFT JOIN sums s ON s.person_id = a.person_id
WHERE {scope_a} AND (
       ROUND(a.assessed_total, 2) <> ROUND(COALESCE(s.assessed, 0), 2)
    OR ROUND(a.paid_total, 2) <> ROUND(COALESCE(s.paid, 0), 2)
    OR ROUND(a.voluntary_total, 2) <> ROUND(COALESCE(s.voluntary, 0), 2)
    OR ROUND(a.balance, 2) <> ROUND(COALESCE(s.assessed, 0) - COALESCE(s.paid, 0), 2))
UNION ALL
SELECT s.person_id, 0, NULL, NULL, NULL, NULL, s.assessed, s.paid, s.voluntary
FROM sums s
WHERE NOT EXISTS (SELECT 1 FROM dues_duesaccount a WHERE a.person_id = s.person_id)
ORDER BY 1
"""


def _check_accounts(organization, report: ReconcileReport, people: dict) -> None:
    scope_e, params = _scope_sql(organization, "e.person_id")
    scope_a, _ = _scope_sql(organization, "a.person_id")
    sql = _ACCOUNTS_SQL.format(scope_e=scope_e, scope_a=scope_a)
    with connection.cursor() as cur:
        cur.execute(sql, params)
        rows = cur.fetchall()
    for person_id, has_account, *cached_and_ledger in rows:
        cached = [None if v is None else _money(v) for v in cached_and_ledger[:4]]
        assessed, paid, voluntary = (_money(v) for v in cached_and_ledger[4:])
        out = people.setdefault(person_id, [])
        subject = f"person:{person_id}"
        if not has_account:
            ledger = f"应缴{assessed}元、实缴{paid}元、自愿多交{voluntary}元"
            out.append((subject, "account", "无", ledger))
            continue
        expected = (assessed, paid, voluntary, assessed - paid)
        names = ("assessed_total", "paid_total", "voluntary_total", "balance")
        for name, have, want in zip(names, cached, expected, strict=True):
            if have != want:
                out.append((subject, name, _yuan(have), _yuan(want)))
    accounts = DuesAccount.objects.all()
    entries = LedgerEntry.objects.all()
    if organization is not None:
        accounts = accounts.filter(person__branch__path__startswith=organization.path)
        entries = entries.filter(person__branch__path__startswith=organization.path)
    report.checked["accounts"] = accounts.count()
    report.checked["entries"] = entries.count()


# --- (b) reversals -----------------------------------------------------------------------

_REVERSALS_SQL = """
SELECT r.id, r.person_id, r.amount, r.kind, r.month, o.id, o.amount, o.kind, o.month,
       o.person_id
FROM dues_ledgerentry r JOIN dues_ledgerentry o ON o.id = r.reverses_id
WHERE {scope} AND (ROUND(r.amount + o.amount, 2) <> 0 OR r.kind <> o.kind
                   OR r.person_id <> o.person_id OR r.month <> o.month)
ORDER BY r.id
"""


def _check_reversals(organization, report: ReconcileReport, people: dict) -> None:
    scope, params = _scope_sql(organization, "r.person_id")
    with connection.cursor() as cur:
        cur.execute(_REVERSALS_SQL.format(scope=scope), params)
        rows = cur.fetchall()
    for entry_id, person_id, amount, kind, month, original_id, *original in rows:
        o_amount, o_kind, o_month, o_person = original
        out = people.setdefault(person_id, [])
        subject = f"entry:{entry_id}"
        if _money(amount) != -_money(o_amount):
            have = f"{_yuan(amount)}（记录#{entry_id}）"
            want = f"{_yuan(-_money(o_amount))}（被冲销记录#{original_id}金额的相反数）"
            out.append((subject, "reversal_amount", have, want))
        if (kind, _as_date(month), person_id) != (o_kind, _as_date(o_month), o_person):
            have = f"人员编号{person_id}{_month(_as_date(month))}{KIND_ZH.get(kind, kind)}"
            want = f"人员编号{o_person}{_month(_as_date(o_month))}{KIND_ZH.get(o_kind, o_kind)}"
            out.append((subject, "reversal_target", have, f"{want}（被冲销记录#{original_id}）"))
    reversals = LedgerEntry.objects.filter(reverses__isnull=False)
    if organization is not None:
        reversals = reversals.filter(person__branch__path__startswith=organization.path)
    report.checked["reversals"] = reversals.count()


# --- (c) hand-overs ----------------------------------------------------------------------

_REMITTANCES_SQL = """
SELECT r.id, r.organization_id, r.handed_on, r.amount, r.from_entry_id, r.through_entry_id,
       r.previous_id, pr.through_entry_id, pr.organization_id,
       (SELECT COALESCE(SUM(e.amount), 0)
        FROM dues_ledgerentry e JOIN orgs_organization b ON b.id = e.branch_id
        WHERE e.id > r.from_entry_id AND e.id <= r.through_entry_id
          AND e.kind IN ('payment', 'voluntary') AND b.path LIKE o.path || '%%')
FROM dues_remittance r
JOIN orgs_organization o ON o.id = r.organization_id
LEFT JOIN dues_remittance pr ON pr.id = r.previous_id
WHERE o.path LIKE %(prefix)s
ORDER BY o.path, r.id
"""


def _check_remittances(organization, report: ReconcileReport) -> list[Difference]:
    prefix = (organization.path if organization else "") + "%"
    with connection.cursor() as cur:
        cur.execute(_REMITTANCES_SQL, {"prefix": prefix})
        rows = cur.fetchall()
    report.checked["remittances"] = len(rows)
    found = []
    for rid, org_id, on, amount, start, _through, prev_id, prev_through, prev_org, total in rows:
        head = (org_id, f"remittance:{rid}", on, rid)
        if _money(amount) != _money(total):
            found.append((*head, "amount", _yuan(amount), _yuan(total)))
        expected_start = 0 if prev_id is None else prev_through
        if start != expected_start:
            want = f"{prev_through}（上一次上缴的截止记录号）" if prev_id else "0（首次上缴）"
            found.append((*head, "from_entry_id", str(start), want))
        if prev_id is not None and prev_org != org_id:
            found.append((*head, "previous", f"其他组织的上缴#{prev_id}", "本组织的上一次上缴"))
    names = dict(
        Organization.objects.filter(pk__in={f[0] for f in found}).values_list("pk", "name")
    )
    return [
        Difference(
            subject, f"{names[org_id]}{_as_date(on):%Y-%m-%d}的党费上缴（#{rid}）", fld, have, want
        )
        for org_id, subject, on, rid, fld, have, want in found
    ]


# --- (d) deep: unpaid months and paid-through month, recomputed per person -----------------


def _entries_by_person(organization) -> Iterator[tuple[int, list[Line]]]:
    entries = LedgerEntry.objects.order_by("person_id", "id")
    if organization is not None:
        entries = entries.filter(person__branch__path__startswith=organization.path)
    rows = entries.values_list("person_id", "kind", "month", "amount").iterator(
        chunk_size=CHUNK_SIZE
    )
    for person_id, group in itertools.groupby(rows, key=lambda r: r[0]):
        yield person_id, [Line(kind, month, amount) for _, kind, month, amount in group]


def _check_deep(organization, report: ReconcileReport, people: dict) -> None:
    from dangwu.dues.services import account_figures

    accounts = DuesAccount.objects.order_by("person_id")
    if organization is not None:
        accounts = accounts.filter(person__branch__path__startswith=organization.path)
    rows = accounts.values_list("person_id", "paid_through", "unpaid_months", "start_month")
    lines = _entries_by_person(organization)
    pending = next(lines, None)
    checked = 0
    for person_id, paid_through, unpaid_months, start_month in rows.iterator(chunk_size=CHUNK_SIZE):
        # Merge the two person-ordered streams; ledger-only people were named in (a).
        while pending is not None and pending[0] < person_id:
            pending = next(lines, None)
        mine: list[Line] = []
        if pending is not None and pending[0] == person_id:
            mine = pending[1]
            pending = next(lines, None)
        figures = account_figures(summarize(mine), start_month)
        checked += 1
        subject = f"person:{person_id}"
        if figures["unpaid_months"] != unpaid_months:
            people.setdefault(person_id, []).append(
                (
                    subject,
                    "unpaid_months",
                    f"{unpaid_months}个月",
                    f"{figures['unpaid_months']}个月",
                )
            )
        if figures["paid_through"] != paid_through:
            people.setdefault(person_id, []).append(
                (subject, "paid_through", _month(paid_through), _month(figures["paid_through"]))
            )
    report.checked["people"] = checked
