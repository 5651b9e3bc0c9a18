"""Scale-data benchmark: wall time of ``dangwu generate --members N`` on a fresh database.

    DATABASE_URL=postgres://root@127.0.0.1:5432/test \\
        .venv/bin/python benchmarks/bench_generate.py --members 1000000
    .venv/bin/python benchmarks/bench_generate.py --members 20000          # SQLite file

On PostgreSQL it (re)creates the database ``dangwu_bench`` on the server of DATABASE_URL
(``--db-name`` to change; only names starting with ``dangwu_bench`` are ever dropped),
migrates it and loads N members there, leaving it for ``bench_member_list.py``. Without a
PostgreSQL DATABASE_URL it uses the SQLite file ``/tmp/dangwu_bench.sqlite3`` (``--sqlite``).
Prints a small table and one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def bench_url(server_url: str, db_name: str) -> str:
    parts = urlsplit(server_url)
    return urlunsplit(parts._replace(path=f"/{db_name}"))


def recreate_postgres(server_url: str, db_name: str) -> None:
    import psycopg

    if not db_name.startswith("dangwu_bench"):
        raise SystemExit(f"拒绝删除数据库 {db_name!r}：只会重建以 dangwu_bench 开头的数据库。")
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{db_name}"')
        conn.execute(f'CREATE DATABASE "{db_name}"')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--db-name", default="dangwu_bench")
    parser.add_argument("--sqlite", default="/tmp/dangwu_bench.sqlite3")
    parser.add_argument("--batch-size", type=int, default=50_000)
    args = parser.parse_args()

    server_url = os.environ.get("DATABASE_URL", "")
    postgres = server_url.startswith(("postgres://", "postgresql://"))
    if postgres:
        recreate_postgres(server_url, args.db_name)
        os.environ["DATABASE_URL"] = bench_url(server_url, args.db_name)
    else:
        path = Path(args.sqlite)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangwu.settings")

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from dangwu.core.generate import generate

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    migrate_seconds = time.perf_counter() - started

    result = generate(
        members=args.members,
        seed=args.seed,
        batch_size=args.batch_size,
        log=lambda line: print(f"  {line}", flush=True),
    )
    rows = result.members + result.organizations + result.status_changes + result.memberships
    figures = {
        "benchmark": "generate",
        "database": connection.vendor,
        "database_name": connection.settings_dict["NAME"],
        "members": result.members,
        "organizations": result.organizations,
        "status_changes": result.status_changes,
        "memberships": result.memberships,
        "migrate_seconds": round(migrate_seconds, 1),
        "generate_seconds": round(result.seconds, 1),
        "rows_per_second": round(rows / result.seconds),
    }
    print()
    print(f"{'figure':<18} {'value':>14}")
    for key in ("members", "organizations", "status_changes", "memberships"):
        print(f"{key:<18} {figures[key]:>14,}")
    print(f"{'migrate (s)':<18} {figures['migrate_seconds']:>14}")
    print(f"{'generate (s)':<18} {figures['generate_seconds']:>14}")
    print(f"{'rows / s':<18} {figures['rows_per_second']:>14,}")
    print(json.dumps(figures, ensure_ascii=False))


if __name__ == "__main__":
    main()
