"""Dues benchmark: the monthly assessment run and reconcile on a large database.

    DATABASE_URL=postgres://root@127.0.0.1:5432/test \\
        .venv/bin/python benchmarks/bench_dues.py                 # the dangwu_bench database
    .venv/bin/python benchmarks/bench_dues.py --generate 20000    # SQLite file

It reads the tree that ``bench_generate.py`` left (PostgreSQL: the database ``dangwu_bench``
on the server of DATABASE_URL; otherwise the SQLite file ``/tmp/dangwu_bench.sqlite3``);
``--generate N`` first loads N members when there is no generated tree yet.

Steps, each timed: empty the dues tables (only in a database named ``dangwu_bench…``); give
every probationary and full member on the roll a base effective in January with one
INSERT…SELECT (category from the person's dues category or occupation; employees 2,000–
16,000 yuan, retirees 2,500–8,500, farmers a fixed 0.50, students 0.20; the amount is
computed in SQL in whole fen, half-up, and a sample is checked against
``rules.monthly_dues``); ``services.assessment_run`` for the root organization and
``--month`` (default: this month; ``--months N``: the N months up to it, one run each, as
the ledger grows over a year); the last month again (must add nothing); ``reconcile()``;
``reconcile(deep=True)`` unless ``--no-deep``. Prints a table and one JSON line.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DUES_TABLES = (
    "dues_ledgerentry",
    "dues_remittance",
    "dues_arrearscase",
    "dues_historicalarrearscase",
    "dues_duesaccount",
    "dues_assessmentrun",
    "dues_historicalduesbase",
    "dues_duesbase",
)

# Base in whole yuan, deterministic per person; rate in per mille (DUES-EMPLOYEE bands:
# ≤3000 5‰, ≤5000 10‰, ≤10000 15‰, above 20‰; DUES-RETIREE: ≤5000 5‰, above 10‰).
# Amount in fen = base × rate‰ / 10, half-up: (base × ‰ + 5) / 10 in integers.
_BASES_SQL = """
INSERT INTO dues_duesbase
    (person_id, effective_month, category, base, fixed_amount, rate, rule_code,
     standard_amount, amount, hardship_reason, hardship_approval, evidence, set_by_id, set_at)
SELECT x.id, %(month)s, x.category,
       x.base, CASE WHEN x.category = 'farmer' THEN 0.50 END,
       x.permille / 1000.0,
       CASE x.category WHEN 'employee' THEN 'DUES-EMPLOYEE' WHEN 'retiree' THEN 'DUES-RETIREE'
                       WHEN 'farmer' THEN 'DUES-FARMER' ELSE 'DUES-LOW' END,
       x.fen / 100.0, x.fen / 100.0, '', '', '基准测试', NULL, %(now)s
FROM (
    SELECT y.id, y.category, y.base, y.permille,
           CASE WHEN y.category = 'farmer' THEN 50
                WHEN y.permille IS NULL THEN 20
                ELSE (y.base * y.permille + 5) / 10 END AS fen
    FROM (
        SELECT z.id, z.category, z.base,
               CASE WHEN z.category = 'employee' THEN
                        CASE WHEN z.base <= 3000 THEN 5 WHEN z.base <= 5000 THEN 10
                             WHEN z.base <= 10000 THEN 15 ELSE 20 END
                    WHEN z.category = 'retiree' THEN
                        CASE WHEN z.base <= 5000 THEN 5 ELSE 10 END
               END AS permille
        FROM (
            SELECT p.id, c.category,
                   CASE c.category WHEN 'employee' THEN 2000 + (p.id * 7919) %% 14001
                                   WHEN 'retiree' THEN 2500 + (p.id * 104729) %% 6001
                   END AS base
            FROM members_person p
            JOIN (SELECT id, CASE
                    WHEN dues_category IN ('employee', 'retiree', 'farmer', 'student')
                        THEN dues_category
                    WHEN occupation = 'retired' THEN 'retiree'
                    WHEN occupation IN ('student', 'farmer') THEN occupation
                    ELSE 'employee' END AS category
                  FROM members_person) c ON c.id = p.id
            WHERE p.is_active AND p.status IN ('probationary', 'full')
        ) z
    ) y
) x
"""


def database_url(db_name: str, sqlite: str) -> str:
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        return urlunsplit(urlsplit(url)._replace(path=f"/{db_name}"))
    return f"sqlite:///{sqlite}"


def timed(label: str, fn, rows: list) -> object:
    print(f"  {label} ...", flush=True)
    started = time.perf_counter()
    result = fn()
    rows.append((label, time.perf_counter() - started))
    print(f"  {label}: {rows[-1][1]:.1f} s", flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db-name", default="dangwu_bench")
    parser.add_argument("--sqlite", default="/tmp/dangwu_bench.sqlite3")
    parser.add_argument("--generate", type=int, default=0, help="load N members if none yet")
    parser.add_argument("--month", default=None, help="YYYY-MM (default: this month)")
    parser.add_argument("--months", type=int, default=1, help="runs for the N months up to it")
    parser.add_argument("--no-deep", action="store_true", help="skip reconcile(deep=True)")
    args = parser.parse_args()

    os.environ["DATABASE_URL"] = database_url(args.db_name, args.sqlite)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangwu.settings")

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from dangwu.accounts.models import User
    from dangwu.core.clock import today as _today
    from dangwu.dues import rules, services
    from dangwu.dues.ledger import months_between, parse_month
    from dangwu.dues.models import DuesBase, LedgerEntry
    from dangwu.dues.reconcile import reconcile
    from dangwu.members.models import Person
    from dangwu.orgs.models import Organization

    postgres = connection.vendor == "postgresql"
    name = connection.settings_dict["NAME"]
    if postgres and not str(name).startswith("dangwu_bench"):
        raise SystemExit(
            f"拒绝清空数据库 {name!r} 的党费表：只在 dangwu_bench 开头的数据库上运行。"
        )
    call_command("migrate", verbosity=0)
    root = Organization.objects.filter(code__startswith="GEN", depth=1).order_by("path").first()
    if root is None and args.generate:
        from dangwu.core.generate import generate

        generate(members=args.generate, log=lambda line: print(f"  {line}", flush=True))
        root = Organization.objects.filter(code__startswith="GEN", depth=1).first()
    if root is None:
        raise SystemExit("没有生成的数据：先运行 bench_generate.py，或加 --generate N。")
    today = _today()
    month = parse_month(args.month) if args.month else today.replace(day=1)
    january = dt.date(month.year, 1, 1)
    index = month.year * 12 + month.month - args.months
    first_month = max(january, dt.date(index // 12, index % 12 + 1, 1))
    months = months_between(first_month, month)
    admin = User.objects.filter(is_superuser=True).order_by("pk").first()
    if admin is None:
        admin = User.objects.create_superuser(username="bench_admin", password=None, email="")

    people = Person.objects.filter(branch__path__startswith=root.path).count()
    print(f"{root.name}：{people:,} 人；月份 {first_month:%Y-%m}–{month:%Y-%m}", flush=True)
    rows: list[tuple[str, float]] = []

    def reset() -> None:
        with connection.cursor() as cur:
            if postgres:
                cur.execute(f"TRUNCATE {', '.join(DUES_TABLES)} RESTART IDENTITY")
            else:
                for table in DUES_TABLES:
                    cur.execute(f"DELETE FROM {table}")

    def bases() -> int:
        with connection.cursor() as cur:
            cur.execute(_BASES_SQL, {"month": january, "now": timezone.now()})
            count = cur.rowcount
            if postgres:
                cur.execute("ANALYZE dues_duesbase")
        return count

    timed("reset dues tables", reset, rows)
    based = timed("bases (one INSERT…SELECT)", bases, rows)
    # The SQL amounts must be what the rule gives.
    sample = DuesBase.objects.order_by("?")[:5000]
    if postgres:  # ORDER BY random() sorts every row; a block sample does not
        sample = DuesBase.objects.raw("SELECT * FROM dues_duesbase TABLESAMPLE SYSTEM (1)")
    wrong = 0
    for b in sample:
        fixed = b.fixed_amount if b.category == "farmer" else None
        expected = rules.monthly_dues(b.category, b.base, fixed=fixed)
        if (expected.amount, expected.rate, expected.code) != (b.amount, b.rate, b.rule_code):
            wrong += 1
    if wrong:
        raise SystemExit(f"{wrong} 条缴费基数的金额与 rules.monthly_dues 不符。")

    for m in months:
        first = timed(
            f"assessment_run (root, {m:%Y-%m})",
            lambda m=m: services.assessment_run(
                actor=admin, organization=root, month=m, today=today
            ),
            rows,
        )
    second = timed(
        "assessment_run again (adds 0)",
        lambda: services.assessment_run(actor=admin, organization=root, month=month, today=today),
        rows,
    )
    if second.created != 0:
        raise SystemExit(f"再次生成新增了 {second.created} 条，应为0。")
    report = timed("reconcile()", lambda: reconcile(), rows)
    deep = None
    if not args.no_deep:
        deep = timed("reconcile(deep=True)", lambda: reconcile(deep=True), rows)
    if not report.ok or (deep is not None and not deep.ok):
        for d in (deep or report).differences[:20]:
            print(d.message)
        raise SystemExit("对账未通过。")

    entries = LedgerEntry.objects.count()
    print()
    print(f"{'step':<34} {'seconds':>9}")
    for label, seconds in rows:
        print(f"{label:<34} {seconds:>9.1f}")
    print(f"{'bases':<34} {based:>9,}")
    print(f"{'assessed, last month (rows, yuan)':<34} {first.created:>9,} {first.amount:>14,}")
    print(f"{'ledger entries':<34} {entries:>9,}")
    print(
        json.dumps(
            {
                "benchmark": "dues",
                "database": connection.vendor,
                "people": people,
                "bases": based,
                "months": [f"{m:%Y-%m}" for m in months],
                "created": first.created,
                "amount": str(first.amount),
                "seconds": {label: round(s, 1) for label, s in rows},
                "deep": deep is not None,
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
