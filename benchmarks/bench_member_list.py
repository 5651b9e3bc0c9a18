"""Member-list benchmark: p50/p95 of the member-list page on a large database.

    DATABASE_URL=postgres://root@127.0.0.1:5432/test \\
        .venv/bin/python benchmarks/bench_member_list.py            # the dangwu_bench database
    .venv/bin/python benchmarks/bench_member_list.py --generate 20000   # SQLite file

It reads the data that ``bench_generate.py`` left (PostgreSQL: the database ``dangwu_bench``
on the server of DATABASE_URL; otherwise the SQLite file ``/tmp/dangwu_bench.sqlite3``);
``--generate N`` first loads N members when there is no generated tree yet.

Two users are measured, each through Django's test ``Client`` (``force_login``, the whole
middleware stack, DEBUG off): a party worker on the generated root and one on a single
branch. For each, four cases, ``--requests`` times each after two warm-up requests:
the first page, a pinyin-initials search, page 100, and the list filtered by an
organization (a basic committee for the root worker, a party group for the branch worker).
``--selector`` also times ``members.selectors.person_list`` plus the paginator alone, to
separate the query from the page rendering (``--no-page``: only that); ``--users root`` or
``--users branch`` measures one worker. Prints a table and one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def database_url(db_name: str, sqlite: str) -> str:
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        return urlunsplit(urlsplit(url)._replace(path=f"/{db_name}"))
    return f"sqlite:///{sqlite}"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _time_page(client, label: str, case: str, params: dict, requests: int) -> dict:
    times = []
    for n in range(requests + 2):  # two warm-up requests
        started = time.perf_counter()
        response = client.get("/members/", params)
        elapsed = time.perf_counter() - started
        if response.status_code != 200:
            raise SystemExit(f"{label} {case}: HTTP {response.status_code}")
        if n >= 2:
            times.append(elapsed * 1000)
    row = {
        "user": label,
        "case": case,
        "via": "page",
        "p50_ms": round(statistics.median(times), 1),
        "p95_ms": round(percentile(times, 0.95), 1),
        "bytes": len(response.content),
    }
    print(f"  {label:<14} {case:<16} page      p50 {row['p50_ms']:>8} ms", flush=True)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--db-name", default="dangwu_bench")
    parser.add_argument("--sqlite", default="/tmp/dangwu_bench.sqlite3")
    parser.add_argument("--generate", type=int, default=0, help="load N members if none yet")
    parser.add_argument("--selector", action="store_true", help="also time selector+paginator")
    parser.add_argument("--no-page", action="store_true", help="time only selector+paginator")
    parser.add_argument(
        "--users", default="root,branch", help="which workers: root, branch or both (default)"
    )
    parser.add_argument("--search", default="wj", help="pinyin initials to search for")
    args = parser.parse_args()

    os.environ["DATABASE_URL"] = database_url(args.db_name, args.sqlite)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangwu.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.core.paginator import Paginator
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    from dangwu.accounts.models import Role, User
    from dangwu.core.generate import generate
    from dangwu.core.scope import scope_for
    from dangwu.members import selectors
    from dangwu.members.models import Person
    from dangwu.orgs.models import Organization

    call_command("migrate", verbosity=0)
    root = Organization.objects.filter(depth=1, code__startswith="GEN").order_by("-path").first()
    if root is None:
        if not args.generate:
            raise SystemExit("没有规模测试数据：先运行 bench_generate.py，或加 --generate N。")
        generate(members=args.generate, log=lambda line: print(f"  {line}", flush=True))
        root = Organization.objects.filter(depth=1, code__startswith="GEN").order_by("-path")[0]
    # As in production: no query log, no debug pages. (Storage was chosen at start-up.)
    settings.DEBUG = False
    setup_test_environment()  # the test Client's template hooks, as in a test run
    settings.DEBUG = False

    orgs = Organization.objects.filter(path__startswith=root.path)
    committee = orgs.filter(depth=2).order_by("path").first()
    branch = orgs.filter(kind="branch").order_by("path").first()
    group = orgs.filter(kind="party_group", path__startswith=branch.path).order_by("path").first()
    members = Person.objects.filter(branch__path__startswith=root.path).count()

    def worker(username: str, org: Organization) -> User:
        user, _ = User.objects.get_or_create(username=username)
        Role.objects.get_or_create(user=user, organization=org, kind="party_worker")
        return user

    users = [
        ("root worker", worker("bench_root", root), committee),
        ("branch worker", worker("bench_branch", branch), group),
    ]
    wanted = {u.strip() for u in args.users.split(",")}
    users = [u for u in users if u[0].split()[0] in wanted]
    if args.no_page:
        args.selector = True
    cases = [
        ("first page", {}),
        (f"search {args.search}", {"q": args.search}),
        ("page 100", {"page": "100"}),
        ("filtered by org", None),
    ]
    results = []
    for label, user, filter_org in users:
        client = Client()
        client.force_login(user)
        for case, params in cases:
            params = {"org": str(filter_org.pk)} if params is None else params
            if not args.no_page:
                results.append(_time_page(client, label, case, params, args.requests))
            if not args.selector:
                continue
            scope = scope_for(User.objects.get(pk=user.pk))
            filters = {"q": params.get("q", ""), "org": filter_org if "org" in params else None}
            times = []
            for n in range(args.requests + 2):
                started = time.perf_counter()
                page = Paginator(selectors.person_list(scope, **filters), 30).get_page(
                    params.get("page", 1)
                )
                list(page.object_list)
                elapsed = time.perf_counter() - started
                if n >= 2:
                    times.append(elapsed * 1000)
            row = {
                "user": label,
                "case": case,
                "via": "selector",
                "p50_ms": round(statistics.median(times), 1),
                "p95_ms": round(percentile(times, 0.95), 1),
                "rows": page.paginator.count,
            }
            results.append(row)
            print(f"  {label:<14} {case:<16} selector  p50 {row['p50_ms']:>8} ms", flush=True)

    print()
    print(f"{'user':<14} {'case':<16} {'via':<9} {'p50 ms':>9} {'p95 ms':>9}")
    for r in results:
        print(f"{r['user']:<14} {r['case']:<16} {r['via']:<9} {r['p50_ms']:>9} {r['p95_ms']:>9}")
    print(
        json.dumps(
            {
                "benchmark": "member_list",
                "database": connection.vendor,
                "members": members,
                "organizations": orgs.count(),
                "requests": args.requests,
                "results": results,
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
