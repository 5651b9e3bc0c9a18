"""Roster import benchmark: build an N-row .xlsx and report import wall time and peak memory.

    .venv/bin/python benchmarks/bench_import.py [--rows 10000]
    DATABASE_URL=postgres://root@127.0.0.1:5432/test .venv/bin/python benchmarks/bench_import.py

It runs on the server of the current DATABASE_URL but in a throwaway database
(``<name>_bench_import``; for SQLite a temporary file, not ``:memory:``), created and dropped
here, so neither the real data nor a concurrent test run's database is touched. The same file
is imported three times:

1. with tracemalloc on (Python heap peak), rolled back — tracemalloc slows Python down, so its
   time is not the figure to quote;
2. the real import, committed: the time and memory to quote;
3. again: every row "unchanged" (the check pass alone, with its ID look-ups).

Every step runs in its own process started by a parent that never loads Django: on Linux a
child's ``ru_maxrss`` keeps the parent's peak across fork and exec, so a fat parent would hide
the import's own figure. ``ru_maxrss`` (peak resident set) therefore covers the interpreter,
Django, pypinyin's dictionaries and the import; the figure right after Django's set-up is
printed beside it. DEBUG is turned off in the steps, as in production (with DEBUG on, Django
keeps the SQL of the last 9,000 queries). Wall time on a busy machine is noisy: CPU time is
printed too.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"  # noqa: E501
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚华建国志红文辉玉海燕鑫宇浩然子轩梓涵欣怡"
BRANCHES = 20
TODAY = dt.date(2026, 11, 22)


def rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def setup_django(test_db: dict | None = None):
    """Django under the project's settings; inside a child, pointed at the benchmark database."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangwu.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    settings.DEBUG = False  # as in production: DEBUG keeps every query's SQL in memory

    if test_db:
        connection.settings_dict.update(test_db)
    return connection


# --- steps, each in its own process -------------------------------------------------------


def step_setup(args) -> dict:
    connection = setup_django()
    if connection.vendor == "sqlite":
        connection.settings_dict["TEST"]["NAME"] = str(args.tmp / "bench.sqlite3")
    else:  # never the test database a test run on the same server may be using
        connection.settings_dict["TEST"]["NAME"] = (
            f"{connection.settings_dict['NAME']}_bench_import"
        )
    old_name = connection.settings_dict["NAME"]
    test_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    branches = build_tree()
    started = time.perf_counter()
    build_file(args.tmp / "roster.xlsx", args.rows, branches)
    return {
        "vendor": connection.vendor,
        "old_name": old_name,
        "test_name": test_name,
        "built": time.perf_counter() - started,
    }


def step_teardown(args) -> dict:
    connection = setup_django({"NAME": args.state["test_name"]})
    connection.creation.destroy_test_db(args.state["old_name"], verbosity=0)
    return {}


def step_trace(args) -> dict:
    setup_django({"NAME": args.state["test_name"]})
    from dangwu.core.pinyin import pinyin_key
    from dangwu.members import roster  # noqa: F401 - imported before tracing starts
    from dangwu.members.models import Person

    pinyin_key("曾国藩")  # pypinyin's dictionaries are loaded once per process, not per import
    tracemalloc.start()
    _, wall, _ = timed_import(args.tmp / "roster.xlsx", rollback=True)
    peak = tracemalloc.get_traced_memory()[1] / 1048576
    tracemalloc.stop()
    assert Person.objects.count() == 0
    return {"traced_peak": peak, "traced_wall": wall}


def step_import(args) -> dict:
    setup_django({"NAME": args.state["test_name"]})
    from dangwu.core.pinyin import pinyin_key

    pinyin_key("曾国藩")  # load pypinyin's dictionaries before the baseline
    baseline = rss_mib()
    report, wall, cpu = timed_import(args.tmp / "roster.xlsx")
    peak = rss_mib()
    again, again_wall, again_cpu = timed_import(args.tmp / "roster.xlsx")
    return {
        "rows": report.rows,
        "created": report.created,
        "wall": wall,
        "cpu": cpu,
        "baseline_rss": baseline,
        "rss": peak,
        "unchanged": again.unchanged,
        "again_created": again.created,
        "again_wall": again_wall,
        "again_cpu": again_cpu,
    }


STEPS = {"setup": step_setup, "teardown": step_teardown, "trace": step_trace, "import": step_import}


# --- data ---------------------------------------------------------------------------------


def build_tree() -> list[tuple[str, list[str]]]:
    from dangwu.accounts.models import Role, User
    from dangwu.orgs.models import Organization

    orgs = Organization.objects
    root = orgs.add_root({"code": "BENCH", "name": "基准测试党委", "kind": "basic_committee"})
    branches = []
    for b in range(BRANCHES):
        code = f"B{b:03d}"
        branch = orgs.add_child(
            orgs.get(pk=root.pk), {"code": code, "name": f"第{b + 1}党支部", "kind": "branch"}
        )
        groups = [f"{code}G{g}" for g in range(2)]
        for g, group in enumerate(groups):
            orgs.add_child(
                orgs.get(pk=branch.pk),
                {"code": group, "name": f"第{g + 1}党小组", "kind": "party_group"},
            )
        branches.append((code, groups))
    user = User.objects.create_user(username="bench", password="bench-only-pw")
    Role.objects.create(user=user, organization=root, kind="party_worker")
    return branches


def id_number(n: int) -> tuple[str, dt.date, str]:
    from dangwu.core.idcard import check_char

    birth = dt.date(1960, 1, 1) + dt.timedelta(days=(n * 7) % 14000)
    seq = n % 1000
    first17 = f"{110101 + (n // 1000) % 800:06d}{birth:%Y%m%d}{seq:03d}"
    return first17 + check_char(first17), birth, "男" if seq % 2 else "女"


def build_file(path: Path, rows: int, branches) -> None:
    from openpyxl import Workbook

    from dangwu.members import roster

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(roster.DATA_SHEET)
    headers = [c.header for c in roster.COLUMNS]
    ws.append(headers)
    for n in range(rows):
        number, birth, sex = id_number(n)
        branch, groups = branches[n % len(branches)]
        full = n % 3 != 0
        name = SURNAMES[n % len(SURNAMES)] + GIVEN[(n // 7) % len(GIVEN)]
        values = {
            "姓名": name + GIVEN[(n // 13) % len(GIVEN)],
            "性别": sex,
            "民族": "汉族" if n % 10 else "回族",
            "出生日期": birth,
            "公民身份号码": number,
            "联系电话": f"138{n:08d}",
            "学历": "大学本科",
            "工作岗位": "专业技术人员",
            "党费缴纳类别": "在职职工",
            "工作单位或班级": f"单位{n % 50}",
            "共青团员(是/否)": "否",
            "政治面貌": "正式党员" if full else "入党申请人",
            "申请入党日期": birth.replace(year=birth.year + 20),
            "入党日期": dt.date(birth.year + 22, 7, 1) if full else None,
            "转正日期": dt.date(birth.year + 23, 7, 1) if full else None,
            "所在党支部编码": branch,
            "党小组编码": groups[n % 2],
            "加入本支部日期": "2020-01-01",
        }
        ws.append([values[h] for h in headers])
    wb.save(path)


def timed_import(path: Path, *, rollback: bool = False):
    from django.db import transaction

    from dangwu.accounts.models import User
    from dangwu.members import roster

    user = User.objects.get(username="bench")
    with open(path, "rb") as file:
        started, cpu = time.perf_counter(), time.process_time()
        with transaction.atomic():
            report = roster.roster_import(actor=user, file=file, today=TODAY)
            transaction.set_rollback(rollback)
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    assert report.ok, [e for _, e in zip(range(5), report.errors, strict=False)]
    return report, wall, cpu


# --- the parent ---------------------------------------------------------------------------


def run_step(name: str, args, state: dict) -> dict:
    command = [sys.executable, "-W", "ignore", __file__, "--step", name, "--rows", str(args.rows)]
    command += ["--tmp", str(args.tmp), "--state", json.dumps(state)]
    done = subprocess.run(command, check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--no-trace", action="store_true", help="skip the (slow) tracemalloc run")
    parser.add_argument("--step", choices=list(STEPS), help=argparse.SUPPRESS)
    parser.add_argument("--tmp", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--state", type=json.loads, default={}, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        print(json.dumps(STEPS[args.step](args)))
        return
    args.tmp = Path(tempfile.mkdtemp(prefix="dangwu-bench-"))
    state = run_step("setup", args, {})
    try:
        size = (args.tmp / "roster.xlsx").stat().st_size / 1048576
        print(
            f"database: {state['vendor']}; rows: {args.rows:,}; file {size:.1f} MiB"
            f" (built in {state['built']:.1f} s)"
        )
        traced = None if args.no_trace else run_step("trace", args, state)
        r = run_step("import", args, state)
        print(
            f"import (committed):        {r['wall']:6.1f} s wall, {r['cpu']:6.1f} s CPU"
            f"  ({r['created'] / r['wall']:,.0f} rows/s; created {r['created']:,})"
        )
        print(
            f"re-import (all unchanged): {r['again_wall']:6.1f} s wall, {r['again_cpu']:6.1f} s CPU"
            f"  (unchanged {r['unchanged']:,}; created {r['again_created']})"
        )
        if traced:
            print(
                f"tracemalloc peak:          {traced['traced_peak']:6.1f} MiB"
                f"  (traced run, rolled back: {traced['traced_wall']:.1f} s)"
            )
        print(
            f"ru_maxrss:                 {r['rss']:6.1f} MiB"
            f"  (after Django set-up and pypinyin: {r['baseline_rss']:.1f} MiB)"
        )
    finally:
        run_step("teardown", args, state)
        for f in args.tmp.iterdir():
            f.unlink()
        args.tmp.rmdir()


if __name__ == "__main__":
    main()
