"""Compliance benchmark: a year's LIFE-* findings for 60,000 branches on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test \\
        .venv/bin/python benchmarks/bench_compliance.py              # builds, then times
    DATABASE_URL=… .venv/bin/python benchmarks/bench_compliance.py --reuse   # times only

It (re)creates the database ``dangwu_bench_life`` on the server of DATABASE_URL (only names
starting with ``dangwu_bench`` are ever dropped; ``--reuse`` keeps an existing one), and
loads with COPY:

- the tree of ``core.generate`` with ``--branches`` branches (60,000) under a few basic
  committees (``--committees``, 4), each branch with ``--groups`` party groups (3) and
  ``--people`` people (6);
- committee posts: ``--committee-share`` of the branches (60 %) have a committee (secretary
  and 2–4 committee members), the others a secretary only;
- a year of meetings (``--year``, default last year) with realistic gaps: each quarter a
  general meeting (85 %) and a party lecture (80 %, given by the secretary one time in
  three), each month a theme day (75 %), a committee meeting for branches with a committee
  (80 %) and a meeting of each group (55 %), an organizational life meeting (90 %, half of
  them with the appraisal); 3 % of the meetings are cancelled or still planned (they must
  not count); attendance rows only for committee meetings (the quorum: 8 % of them lack it).

Then it times ``meetings.compliance.compliance_for`` over all branches for the year (wall
time, queries, peak RSS growth; with ``--tracemalloc`` a second run gives the peak of Python
allocations), and ``subtree_compliance`` for one basic committee (the page's table).

Prints a table and one JSON line.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import resource
import sys
import time
import tracemalloc
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

MEETING_COLUMNS = (
    "id organization_id kind topic date starts_at ends_at place host_id recorder_id "
    "speaker_id agenda notice notice_sent_at status includes_appraisal minutes "
    "minutes_approved_at minutes_approved_by_id signin_token signin_expires_at created_by_id "
    "created_at updated_at"
)
ATTENDANCE_COLUMNS = (
    "meeting_id person_id expected status signed_in_at leave_reason leave_state "
    "leave_requested_at leave_decided_by_id leave_decided_at recorded_by_id"
)
POST_COLUMNS = (
    "organization_id person_id kind term_id started_on ends_on ended_on chosen_by "
    "designation_reason note created_by_id"
)
OTHER_POSTS = ("organization_member", "propaganda_member", "discipline_member", "committee_member")


def server_url(db_name: str) -> tuple[str, str]:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        raise SystemExit("需要 PostgreSQL：设置 DATABASE_URL=postgres://…")
    return url, urlunsplit(urlsplit(url)._replace(path=f"/{db_name}"))


def recreate(url: str, db_name: str) -> None:
    import psycopg

    if not db_name.startswith("dangwu_bench"):
        raise SystemExit(f"拒绝删除数据库 {db_name!r}：只会重建以 dangwu_bench 开头的数据库。")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{db_name}"')
        conn.execute(f'CREATE DATABASE "{db_name}"')


def exists(url: str, db_name: str) -> bool:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db_name]).fetchone()
    return row is not None


def reserve_ids(cursor, table: str, count: int) -> int:
    """The first of ``count`` consecutive ids of ``table`` that nobody else will take."""
    cursor.execute(f"LOCK TABLE {table} IN EXCLUSIVE MODE")
    cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
    sequence = cursor.fetchone()[0]
    cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
    start = cursor.fetchone()[0] + 1
    cursor.execute("SELECT setval(%s, %s, true)", [sequence, start + count - 1])
    return start


def month_day(rng: random.Random, year: int, month: int) -> dt.date:
    return dt.date(year, month, rng.randint(1, 28))


def branch_meetings(rng, year, branch_id, group_ids, committee, secretary):
    """Yield (org_id, kind, date, speaker_id, includes_appraisal) for one branch's year."""
    for q in range(1, 5):
        months = range(3 * q - 2, 3 * q + 1)
        if rng.random() < 0.85:
            yield (
                branch_id,
                "general_meeting",
                month_day(rng, year, rng.choice(months)),
                None,
                False,
            )
        if rng.random() < 0.80:
            speaker = secretary if rng.random() < 1 / 3 else None
            yield (
                branch_id,
                "party_lecture",
                month_day(rng, year, rng.choice(months)),
                speaker,
                False,
            )
    for month in range(1, 13):
        if rng.random() < 0.75:
            yield branch_id, "theme_day", month_day(rng, year, month), None, False
        if committee and rng.random() < 0.80:
            yield branch_id, "committee_meeting", month_day(rng, year, month), None, False
        for gid in group_ids:
            if rng.random() < 0.55:
                yield gid, "group_meeting", month_day(rng, year, month), None, False
    if rng.random() < 0.90:
        both = rng.random() < 0.5
        yield branch_id, "org_life_meeting", month_day(rng, year, rng.randint(10, 12)), None, both


def load_life(cursor, rng: random.Random, year: int, share: float, now: dt.datetime) -> dict:
    """Posts, meetings and committee attendance for every generated branch, with COPY."""
    cursor.execute(
        "SELECT id, path FROM orgs_organization WHERE kind IN ('branch', 'party_group') "
        "ORDER BY path"
    )
    branches: dict[str, list] = {}
    for org_id, path in cursor.fetchall():
        if len(path) % 4 == 0 and path[:-4] in branches:
            branches[path[:-4]][1].append(org_id)
        else:
            branches[path] = [org_id, []]
    cursor.execute(
        "SELECT branch_id, array_agg(id ORDER BY id) FROM members_person GROUP BY branch_id"
    )
    people = dict(cursor.fetchall())
    started_on = dt.date(year - 2, 6, 1)
    posts: list[tuple] = []
    plan: list[tuple] = []  # (branch_id, groups, committee ids, secretary id)
    for branch_id, group_ids in branches.values():
        ids = people.get(branch_id, [])
        if not ids:
            continue
        secretary = ids[0]
        committee: list[int] = []
        if len(ids) >= 3 and rng.random() < share:
            committee = ids[: rng.randint(3, min(5, len(ids)))]
        for i, pid in enumerate(committee or [secretary]):
            kind = "secretary" if i == 0 else OTHER_POSTS[(i - 1) % len(OTHER_POSTS)]
            posts.append(
                (branch_id, pid, kind, None, started_on, None, None, "elected", "", "", None)
            )
        plan.append((branch_id, group_ids, committee, secretary))

    meetings: list[tuple] = []
    attendance_plan: list[tuple] = []  # (meeting index, committee ids, present count)
    for branch_id, group_ids, committee, secretary in plan:
        for org_id, kind, date, speaker, appraisal in branch_meetings(
            rng, year, branch_id, group_ids, bool(committee), secretary
        ):
            roll = rng.random()
            status = "cancelled" if roll < 0.02 else "planned" if roll < 0.03 else "held"
            if kind == "committee_meeting":
                size = len(committee)
                present = rng.randint(0, size // 2 - (1 if size % 2 == 0 else 0))
                if rng.random() >= 0.08:
                    present = rng.randint((size + 1) // 2, size)
                attendance_plan.append((len(meetings), committee, present))
            meetings.append((org_id, kind, date, speaker, appraisal, status))

    with cursor.copy(f"COPY orgs_post ({', '.join(POST_COLUMNS.split())}) FROM STDIN") as copy:
        for row in posts:
            copy.write_row(row)
    first = reserve_ids(cursor, "meetings_meeting", len(meetings))
    columns = ", ".join(MEETING_COLUMNS.split())
    with cursor.copy(f"COPY meetings_meeting ({columns}) FROM STDIN") as copy:
        for i, (org_id, kind, date, speaker, appraisal, status) in enumerate(meetings):
            copy.write_row((
                first + i, org_id, kind, f"{date:%Y年%m月}{kind}", date, None, None, "", None,
                None, speaker, "", "", None, status, appraisal, "", None, None, "", None, None,
                now, now,
            ))  # fmt: skip
    rows = 0
    columns = ", ".join(ATTENDANCE_COLUMNS.split())
    with cursor.copy(f"COPY meetings_attendance ({columns}) FROM STDIN") as copy:
        for index, committee, present in attendance_plan:
            for i, pid in enumerate(committee):
                status = "present" if i < present else "absent"
                copy.write_row(
                    (first + index, pid, True, status, None, "", "", None, None, None, None)
                )
                rows += 1
    cursor.execute("ANALYZE orgs_post, meetings_meeting, meetings_attendance")
    return {"posts": len(posts), "meetings": len(meetings), "attendance": rows}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db-name", default="dangwu_bench_life")
    parser.add_argument("--branches", type=int, default=60_000)
    parser.add_argument("--committees", type=int, default=4)
    parser.add_argument("--groups", type=int, default=3)
    parser.add_argument("--people", type=int, default=6, help="people per branch")
    parser.add_argument("--committee-share", type=float, default=0.6)
    parser.add_argument("--year", type=int, default=None, help="default: last year")
    parser.add_argument("--today", default=None, help="YYYY-MM-DD (default: today)")
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--reuse", action="store_true", help="time an existing database")
    parser.add_argument(
        "--tracemalloc", action="store_true", help="a second run under tracemalloc (slow)"
    )
    args = parser.parse_args()

    url, bench = server_url(args.db_name)
    reuse = args.reuse and exists(url, args.db_name)
    if not reuse:
        recreate(url, args.db_name)
    os.environ["DATABASE_URL"] = bench
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangwu.settings")

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from dangwu.core.clock import today as _today
    from dangwu.core.generate import generate
    from dangwu.core.scope import Scope
    from dangwu.meetings import compliance
    from dangwu.meetings.services.tally import compliance_tally_refresh
    from dangwu.orgs.models import Organization

    today = dt.date.fromisoformat(args.today) if args.today else _today()
    year = args.year or today.year - 1
    rows: list[tuple[str, float]] = []
    loaded: dict = {}
    started = time.perf_counter()
    call_command("migrate", verbosity=0)  # a reused database gets the newer tables too
    rows.append(("migrate", time.perf_counter() - started))
    if not reuse:
        per_general = 10
        generals = -(-args.branches // per_general)
        started = time.perf_counter()
        result = generate(
            members=args.branches * args.people,
            seed=args.seed,
            people_per_branch=args.people,
            branches_per_general_branch=per_general,
            general_branches_per_committee=-(-generals // args.committees),
            groups_per_branch=args.groups,
            log=lambda line: print(f"  {line}", flush=True),
        )
        rows.append(("generate tree and people", time.perf_counter() - started))
        started = time.perf_counter()
        with transaction.atomic():
            connection.ensure_connection()
            with connection.connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit = off")
                loaded = load_life(
                    cursor, random.Random(args.seed), year, args.committee_share, timezone.now()
                )
        rows.append(("posts, meetings, attendance", time.perf_counter() - started))
        print(f"  {loaded}（{rows[-1][1]:.1f} 秒）", flush=True)
        loaded["organizations"] = result.organizations
        loaded["people"] = result.members

    branches = list(Organization.objects.filter(kind="branch").order_by("path"))
    print(f"{len(branches):,} 个党支部；{year}年；今天 {today}", flush=True)

    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with CaptureQueriesContext(connection) as ctx:
        started = time.perf_counter()
        found = compliance.compliance_for(branches, year=year, today=today)
        seconds = time.perf_counter() - started
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    rows.append(("compliance_for (all branches)", seconds))
    print(f"  compliance_for: {seconds:.1f} s, {len(ctx.captured_queries)} queries", flush=True)
    queries = len(ctx.captured_queries)
    findings = sum(len(v) for v in found.values())
    errors = sum(1 for v in found.values() for f in v if f.severity == "error")
    codes: dict[str, int] = {}
    for v in found.values():
        for f in v:
            codes[f.code] = codes.get(f.code, 0) + 1
    del found

    peak_mb = None
    if args.tracemalloc:
        tracemalloc.start()
        started = time.perf_counter()
        found = compliance.compliance_for(branches, year=year, today=today)
        rows.append(("compliance_for under tracemalloc", time.perf_counter() - started))
        peak_mb = tracemalloc.get_traced_memory()[1] / 2**20
        print(f"  tracemalloc peak: {peak_mb:.0f} MB", flush=True)
        tracemalloc.stop()
        del found

    committee = (
        Organization.objects.filter(kind="basic_committee", depth=2).order_by("path").first()
    )
    superuser = Scope(user_id=None, person_id=None, is_superuser=True)
    # The committee's table computed live (what a subtree under the limit gets) …
    dangwu_conf = settings.DANGWU
    settings.DANGWU = {
        **dangwu_conf,
        "MEETINGS": {**dangwu_conf["MEETINGS"], "live_table_limit": 10**9},
    }
    started = time.perf_counter()
    table = compliance.subtree_compliance(superuser, committee, year=year, today=today)
    rows.append(
        (f"subtree_compliance live ({len(table.rows):,} branches)", time.perf_counter() - started)
    )
    settings.DANGWU = dangwu_conf
    # … the daily job that stores every branch's counts (dangwu worker) …
    started = time.perf_counter()
    tallied = compliance_tally_refresh(year=year, today=today)
    rows.append((f"compliance_tally_refresh ({tallied:,} branches)", time.perf_counter() - started))
    # … and the table read from those tallies (a subtree above the limit).
    with CaptureQueriesContext(connection) as ctx:
        started = time.perf_counter()
        table = compliance.subtree_compliance(superuser, committee, year=year, today=today)
        rows.append(
            (
                f"subtree_compliance from tallies ({len(table.rows):,})",
                time.perf_counter() - started,
            )
        )
    table_queries = len(ctx.captured_queries)

    print()
    print(f"{'step':<44} {'seconds':>9}")
    for label, s in rows:
        print(f"{label:<44} {s:>9.1f}")
    print(f"{'queries (compliance_for)':<44} {queries:>9}")
    print(f"{'queries (subtree_compliance)':<44} {table_queries:>9}")
    print(f"{'peak RSS growth (MB)':<44} {(rss_after - rss_before) / 1024:>9.0f}")
    print(f"{'peak RSS (MB)':<44} {rss_after / 1024:>9.0f}")
    if peak_mb is not None:
        print(f"{'tracemalloc peak (MB)':<44} {peak_mb:>9.0f}")
    print(f"{'findings (errors)':<44} {findings:>9,} ({errors:,})")
    for code, n in sorted(codes.items()):
        print(f"  {code:<42} {n:>9,}")
    print(
        json.dumps(
            {
                "benchmark": "compliance",
                "database": connection.vendor,
                "branches": len(branches),
                "year": year,
                "today": today.isoformat(),
                "loaded": loaded,
                "queries": queries,
                "findings": findings,
                "errors": errors,
                "by_code": codes,
                "peak_rss_mb": round(rss_after / 1024),
                "rss_growth_mb": round((rss_after - rss_before) / 1024),
                "tracemalloc_peak_mb": round(peak_mb) if peak_mb is not None else None,
                "seconds": {label: round(s, 2) for label, s in rows},
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
