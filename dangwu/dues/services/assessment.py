"""The monthly assessment run: one INSERT … SELECT over an organization's subtree."""

from __future__ import annotations

import datetime as dt

from django.db import connection, transaction
from django.db.models import Count, Sum
from django.utils import timezone

from dangwu.core import clock
from dangwu.core.errors import InvalidInput
from dangwu.core.money import quantize_money
from dangwu.core.scope import Perm, scope_for
from dangwu.dues.ledger import (
    ZERO,
    month_start,
    next_month,
    zh_month,
)
from dangwu.dues.models import (
    AssessmentRun,
    DuesAccount,
    LedgerEntry,
)
from dangwu.dues.services.common import (
    refresh_account,
)
from dangwu.orgs.models import Organization

# --- The monthly assessment run (DUES-MONTHLY, DUES-PROBATIONARY) ----------------------

_ASSESS_SQL = """
INSERT INTO dues_ledgerentry
    (idempotency_key, person_id, branch_id, kind, month, slot, amount, base_id, batch,
     method, paid_by, note, run_id, recorded_by_id, recorded_at)
SELECT 'assess:' || p.id || ':' || %(ym)s, p.id, p.branch_id, 'assessment', %(month)s, 0,
       b.amount, b.id, '', '', '', '', %(run)s, %(user)s, %(now)s
FROM members_person p
JOIN orgs_organization o ON o.id = p.branch_id
JOIN dues_duesbase b ON b.person_id = p.id AND b.effective_month <= %(month)s
WHERE o.path LIKE %(prefix)s
  AND NOT EXISTS (SELECT 1 FROM dues_duesbase b2
                  WHERE b2.person_id = p.id AND b2.effective_month > b.effective_month
                    AND b2.effective_month <= %(month)s)
  AND p.is_active AND p.status IN ('probationary', 'full')
  AND (p.admission_date IS NULL OR p.admission_date <= %(month_end)s)
  AND b.amount > 0
  AND NOT EXISTS (SELECT 1 FROM dues_duesaccount a
                  WHERE a.person_id = p.id AND a.start_month > %(month)s)
ON CONFLICT DO NOTHING
"""

# One upsert: a new account starts from this month's line, an existing one adds it. A month
# already paid in advance adds nothing to the unpaid count.
_ACCOUNTS_SQL = """
INSERT INTO dues_duesaccount
    (person_id, assessed_total, paid_total, voluntary_total, balance, unpaid_months, updated_at)
SELECT e.person_id, e.amount, 0, 0, e.amount,
       CASE WHEN (SELECT COALESCE(SUM(x.amount), 0) FROM dues_ledgerentry x
                  WHERE x.person_id = e.person_id AND x.month = e.month
                    AND x.kind = 'payment') > 0 THEN 0 ELSE 1 END,
       %(now)s
FROM dues_ledgerentry e WHERE e.run_id = %(run)s
ON CONFLICT (person_id) DO UPDATE SET
    assessed_total = dues_duesaccount.assessed_total + excluded.assessed_total,
    balance = dues_duesaccount.balance + excluded.balance,
    unpaid_months = dues_duesaccount.unpaid_months + excluded.unpaid_months,
    updated_at = excluded.updated_at
"""

# Accounts paid beyond the month just assessed but not for it (a late run for an earlier
# month). Driven from the accounts: a new run's rows have no statistics yet, and a plan
# driven from them walks every account (5 s at 1M members).
_BACK_RUN_SQL = """
SELECT a.person_id FROM dues_duesaccount a
WHERE a.paid_through >= %(month)s
  AND EXISTS (SELECT 1 FROM dues_ledgerentry e
              WHERE e.person_id = a.person_id AND e.month = %(month)s
                AND e.kind = 'assessment' AND e.reverses_id IS NULL)
  AND NOT EXISTS (SELECT 1 FROM dues_ledgerentry e
                  WHERE e.person_id = a.person_id AND e.month = %(month)s
                    AND e.kind = 'payment' AND e.reverses_id IS NULL)
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
    today = today or clock.today()
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
    created = LedgerEntry.objects.filter(run=run).aggregate(n=Count("id"), s=Sum("amount"))
    run.created = created["n"]
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
    with connection.cursor() as cur:
        cur.execute(_BACK_RUN_SQL, {"month": run.month})
        stale = [row[0] for row in cur.fetchall()]
    for account in DuesAccount.objects.filter(person_id__in=stale).select_for_update():
        refresh_account(account)
