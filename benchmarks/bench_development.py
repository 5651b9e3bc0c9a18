"""Member development benchmark: the rules over 100,000 timelines, and the rule cache and
audit read of N records in a database.

    .venv/bin/python benchmarks/bench_development.py                      # both parts, SQLite
    .venv/bin/python benchmarks/bench_development.py --pure --timelines 100000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python benchmarks/bench_development.py --db --records 100000

(a) ``--pure``: generates ``--timelines`` timeline JSON objects in memory (seeded: the same
every run) — people stopped at every step of the 25, most keeping every rule, a share
(``--violations``, default 10 %) each breaking one (a late talk, a candidate named early,
an introducer under 留党察看, a vote with exactly half in favour, a conversion meeting
before the probation end, an activist named early) — and times ``rules.check_timeline``
over all of them with the calendar and the settings built once (the shipped holiday
schedules, the default settings). Reports the seconds, timelines a second, the findings by
code, the process's peak RSS, and (a second pass, not timed) the tracemalloc peak of the
check loop.

(b) ``--db``: on a throwaway database — the SQLite file ``--sqlite`` (default
``/tmp/dangwu_bench_dev.sqlite3``, recreated) or, with a PostgreSQL DATABASE_URL, the
database ``dangwu_bench_dev`` on that server (only ``dangwu_bench…`` names are ever
dropped) — migrates, creates ``--records`` people in branches of 40 with a development
record each, writes their timelines with ``writer.write_timeline`` (three bulk inserts a
record), then times ``services.common.records_refresh`` over all records in chunks of
``--chunk`` (2,000) and the audit read (``selectors.timelines_data`` + ``check_timeline``
per chunk). Calendar from the ``HolidaySchedule`` table and settings loaded once.

Without ``--pure`` or ``--db`` both parts run. DEBUG is off, as in production.
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
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TODAY = dt.date(2026, 11, 22)
SEED = 2026
VIOLATIONS = ("talk_late", "candidate_early", "introducer", "half_vote", "early_conversion",
              "activist_early")  # fmt: skip
DAY = dt.timedelta


def rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


# --- timelines ------------------------------------------------------------------------------


def _months(d: dt.date, n: int) -> dt.date:
    from dangwu.core.dates import add_months

    return add_months(d, n)


def _vote(rng: random.Random, *, half: bool = False) -> dict:
    should = rng.randint(8, 40)
    if half:
        should += should % 2
        return {"should_attend": should, "present": should - 1, "in_favour": should // 2}
    present = should - rng.randint(0, min(3, should // 2 - 1))
    in_favour = max(should // 2 + 1, present - rng.randint(0, 1))
    return {"should_attend": should, "present": present, "in_favour": in_favour}


def _people(rng: random.Random, *, sanctioned: bool = False) -> list[dict]:
    people = [{"status": "full", "name": "甲"}, {"status": "full", "name": "乙"}]
    if sanctioned:
        people[1]["sanction"] = "probation_within_party"
    return people


def timeline(rng: random.Random, calendar, today: dt.date, violation: str | None) -> dict:
    """One person's record, stopped at a random step (with the dates up to ``today``)."""
    from dangwu.core.dates import add_years
    from dangwu.core.workcal import CalendarDataMissing

    iso = dt.date.isoformat
    app = today - DAY(rng.randint(20, 6 * 365))
    birth = add_years(app, -18) - DAY(rng.randint(0, 4000))
    league = rng.random() < 0.6
    s: dict[str, object] = {}
    talk = app + DAY(40 if violation == "talk_late" else rng.randint(3, 27))
    ac = _months(app, 3 if violation == "activist_early" else 6) + DAY(rng.randint(0, 120))
    cand = (_months(ac, 10) if violation == "candidate_early" else add_years(ac, 1)) + DAY(
        rng.randint(0, 150)
    )
    s["application"] = {"date": iso(app)}
    s["application_talk"] = {"date": iso(talk)}
    s["activist"] = {"date": iso(ac), "recommended_by": "league" if league else "party_members"}
    s["activist_filing"] = {"date": iso(ac + DAY(rng.randint(1, 10)))}
    s["contacts_assigned"] = {"date": iso(ac + DAY(rng.randint(0, 5))), "people": _people(rng)}
    assess, d = [], _months(ac, 5)
    while d < cand:
        assess.append({"date": iso(d)})
        d = _months(d, 5)
    s["activist_assessments"] = assess
    s["candidate"] = {"date": iso(cand)}
    s["candidate_filing"] = {"date": iso(cand + DAY(rng.randint(1, 7)))}
    s["introducers"] = {
        "date": iso(cand + DAY(rng.randint(0, 5))),
        "people": _people(rng, sanctioned=violation == "introducer"),
    }
    review = cand + DAY(rng.randint(5, 20))
    s["political_review"] = {"date": iso(review), "passed": True}
    train = cand + DAY(rng.randint(10, 25))
    s["training"] = {"start": iso(train), "end": iso(train + DAY(2)), "days": 3, "hours": 24}
    committee = max(review, train + DAY(2)) + DAY(rng.randint(2, 10))
    s["committee_review"] = {"date": iso(committee)}
    start = committee + DAY(1)
    s["publicity"] = {"start": iso(start), "working_days": 5}
    try:
        pre = calendar.end_of_workdays(start, 5) + DAY(rng.randint(1, 10))
    except CalendarDataMissing:  # a year without a schedule: after today, cut below
        pre = start + DAY(12)
    s["pre_review"] = {"date": iso(pre), "by": "basic_committee"}
    form = pre + DAY(rng.randint(1, 5))
    s["application_form"] = {"date": iso(form)}
    meeting = form + DAY(rng.randint(1, 10))
    s["admission_meeting"] = {"date": iso(meeting), **_vote(rng, half=violation == "half_vote")}
    talk2 = meeting + DAY(rng.randint(1, 20))
    s["approval_talk"] = {"date": iso(talk2)}
    approval = talk2 + DAY(rng.randint(1, 30))
    s["admission_approval"] = {"date": iso(approval), "by": "basic_committee"}
    s["admission_filing"] = {"date": iso(approval + DAY(rng.randint(1, 10)))}
    s["placement"] = {"date": iso(approval + DAY(rng.randint(0, 5)))}
    s["oath"] = {"date": iso(approval + DAY(rng.randint(0, 20)))}
    end = add_years(meeting, 1)
    s["probation_assessments"] = [
        {"date": iso(_months(meeting, 5))},
        {"date": iso(_months(meeting, 10))},
    ]
    s["conversion_application"] = {"date": iso(end - DAY(rng.randint(5, 30)))}
    conversion = end - DAY(10) if violation == "early_conversion" else end + DAY(rng.randint(0, 20))
    s["conversion_meeting"] = {"date": iso(conversion), **_vote(rng)}
    conv_approval = conversion + DAY(rng.randint(5, 60))
    s["conversion_approval"] = {"date": iso(conv_approval), "by": "basic_committee"}
    s["archiving"] = {"date": iso(conv_approval + DAY(rng.randint(5, 40)))}

    # Stop at a random step, and keep nothing after today.
    keys = list(s)
    stop = rng.randrange(len(keys))
    steps: dict[str, object] = {}
    for key in keys[: stop + 1]:
        value = s[key]
        if isinstance(value, list):
            value = [v for v in value if dt.date.fromisoformat(v["date"]) <= today]
            if value:
                steps[key] = value
            continue
        last = value.get("end") or value.get("date") or value.get("start")
        if dt.date.fromisoformat(last) > today:
            break
        steps[key] = value
    data: dict[str, object] = {
        "person": {"birth_date": iso(birth), "league_member": league},
        "steps": steps,
    }
    if rng.random() < 0.5:  # half the records track thought reports, every quarter
        done = steps.get("conversion_approval")
        until = dt.date.fromisoformat(done["date"]) if done else today
        d, reports = dt.date(app.year, (app.month - 1) // 3 * 3 + 1, 15), []
        while True:
            d = _months(d, 3)
            if d > until:
                break
            if d + DAY(30) <= today:
                reports.append({"date": iso(d + DAY(30))})
        data["thought_reports"] = reports
    return data


def timelines(n: int, share: float, calendar, today: dt.date = TODAY) -> list[dict]:
    rng = random.Random(SEED)
    out = []
    for i in range(n):
        violation = VIOLATIONS[i % len(VIOLATIONS)] if rng.random() < share else None
        out.append(timeline(rng, calendar, today, violation))
    return out


# --- (a) the rules alone ---------------------------------------------------------------------


def bench_pure(args) -> dict:
    from dangwu.core.workcal import known_calendar
    from dangwu.development.rules import DEFAULT, check_timeline, parse_timeline

    calendar, settings = known_calendar(), DEFAULT
    before = rss_mib()
    started = time.perf_counter()
    data = timelines(args.timelines, args.violations, calendar)
    generated = time.perf_counter() - started
    steps = sum(len(d["steps"]) for d in data)
    print(f"  generated {len(data):,} timelines ({steps:,} steps) in {generated:.1f} s", flush=True)

    codes: Counter[str] = Counter()
    with_errors = 0
    started, cpu = time.perf_counter(), time.process_time()
    for d in data:
        findings = check_timeline(d, today=TODAY, settings=settings, calendar=calendar)
        codes.update(f.code for f in findings)
        with_errors += any(f.severity == "error" for f in findings)
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    peak_rss = rss_mib()

    started = time.perf_counter()
    for d in data:
        parse_timeline(d)
    parse = time.perf_counter() - started

    traced = 0.0
    if not args.no_tracemalloc:
        tracemalloc.start()
        for d in data:
            check_timeline(d, today=TODAY, settings=settings, calendar=calendar)
        traced = tracemalloc.get_traced_memory()[1] / 1048576
        tracemalloc.stop()
    return {
        "timelines": len(data),
        "steps": steps,
        "generate_s": round(generated, 2),
        "check_s": round(wall, 2),
        "check_cpu_s": round(cpu, 2),
        "per_second": round(len(data) / wall),
        "parse_only_s": round(parse, 2),
        "with_errors": with_errors,
        "findings": dict(codes.most_common()),
        "rss_before_mib": round(before, 1),
        "rss_peak_mib": round(peak_rss, 1),
        "tracemalloc_peak_check_mib": round(traced, 2),
    }


# --- (b) in a database -----------------------------------------------------------------------


def database_url(args) -> str:
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        import psycopg

        name = args.db_name
        if not name.startswith("dangwu_bench"):
            raise SystemExit(f"拒绝删除数据库 {name!r}：只会重建以 dangwu_bench 开头的数据库。")
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
        return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))
    path = Path(args.sqlite)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return f"sqlite:///{path}"


def bench_db(args) -> dict:
    os.environ["DATABASE_URL"] = database_url(args)
    import django

    django.setup()
    from django.conf import settings as django_settings
    from django.core.management import call_command
    from django.db import connection, transaction

    django_settings.DEBUG = False
    from dangwu.accounts.models import User
    from dangwu.core.workcal_db import calendar as db_calendar
    from dangwu.development.conf import development_settings
    from dangwu.development.models import DevelopmentRecord, StepEntry
    from dangwu.development.rules import check_timeline
    from dangwu.development.selectors import timelines_data
    from dangwu.development.services.common import records_refresh
    from dangwu.development.writer import write_timeline
    from dangwu.members.models import Person
    from dangwu.orgs.models import Organization

    rows: dict[str, float] = {}
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    rows["migrate_s"] = time.perf_counter() - started
    calendar, settings = db_calendar(), development_settings()
    data = timelines(args.records, args.violations, calendar)
    admin = User.objects.create_superuser(username="bench", password="bench-only-pw", email="")

    started = time.perf_counter()
    with transaction.atomic():
        orgs = Organization.objects
        root = orgs.add_root({"code": "DEVB", "name": "基准测试党委", "kind": "basic_committee"})
        branches = []
        for b in range((args.records + 39) // 40):
            branches.append(
                orgs.add_child(
                    orgs.get(pk=root.pk),
                    {"code": f"DEVB{b:05d}", "name": f"第{b + 1}党支部", "kind": "branch"},
                )
            )
        people = Person.objects.bulk_create(
            (
                Person(
                    name=f"人员{i}",
                    sex="male" if i % 2 else "female",
                    birth_date=dt.date.fromisoformat(d["person"]["birth_date"]),
                    league_member=d["person"]["league_member"],
                    status="applicant",
                    status_since=dt.date.fromisoformat(d["steps"]["application"]["date"]),
                    branch=branches[i // 40],
                )
                for i, d in enumerate(data)
            ),
            batch_size=2000,
        )
        records = DevelopmentRecord.objects.bulk_create(
            (DevelopmentRecord(person=p, branch=p.branch) for p in people), batch_size=2000
        )
    rows["people_and_records_s"] = time.perf_counter() - started

    started = time.perf_counter()
    for chunk in range(0, len(records), args.chunk):
        with transaction.atomic():
            for record, d in zip(
                records[chunk : chunk + args.chunk], data[chunk : chunk + args.chunk], strict=True
            ):
                write_timeline(record, d, actor=admin)
    rows["write_timeline_s"] = time.perf_counter() - started
    entries = StepEntry.objects.count()
    print(f"  wrote {len(records):,} records, {entries:,} step entries", flush=True)

    ids = [r.pk for r in records]
    started = time.perf_counter()
    for chunk in range(0, len(ids), args.chunk):
        batch = list(
            DevelopmentRecord.objects.select_related("person").filter(
                pk__in=ids[chunk : chunk + args.chunk]
            )
        )
        records_refresh(batch, today=TODAY, settings=settings, calendar=calendar)
    rows["records_refresh_s"] = time.perf_counter() - started

    codes: Counter[str] = Counter()
    started = time.perf_counter()
    for chunk in range(0, len(ids), args.chunk):
        batch = list(
            DevelopmentRecord.objects.select_related("person").filter(
                pk__in=ids[chunk : chunk + args.chunk]
            )
        )
        for timeline_json in timelines_data(batch).values():
            codes.update(
                f.code
                for f in check_timeline(
                    timeline_json, today=TODAY, settings=settings, calendar=calendar
                )
            )
    rows["audit_read_s"] = time.perf_counter() - started
    errors = DevelopmentRecord.objects.filter(error_count__gt=0).count()
    return {
        "vendor": connection.vendor,
        "records": len(records),
        "step_entries": entries,
        **{k: round(v, 2) for k, v in rows.items()},
        "refresh_per_second": round(len(records) / rows["records_refresh_s"]),
        "audit_per_second": round(len(records) / rows["audit_read_s"]),
        "records_with_errors": errors,
        "findings": dict(codes.most_common()),
        "rss_peak_mib": round(rss_mib(), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pure", action="store_true", help="only (a): the rules in memory")
    parser.add_argument("--db", action="store_true", help="only (b): the database part")
    parser.add_argument("--timelines", type=int, default=100_000)
    parser.add_argument("--records", type=int, default=20_000, help="(b): e.g. 100000")
    parser.add_argument("--violations", type=float, default=0.10, help="share with a violation")
    parser.add_argument("--chunk", type=int, default=2_000)
    parser.add_argument("--sqlite", default="/tmp/dangwu_bench_dev.sqlite3")
    parser.add_argument("--db-name", default="dangwu_bench_dev")
    parser.add_argument("--no-tracemalloc", action="store_true")
    args = parser.parse_args()
    both = not (args.pure or args.db)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangwu.settings")
    result: dict[str, object] = {}
    if args.pure or both:
        print("(a) check_timeline over generated timelines", flush=True)
        result["pure"] = bench_pure(args)
        for key, value in result["pure"].items():
            if key != "findings":
                print(f"  {key:28} {value}")
    if args.db or both:
        print("(b) records in a database", flush=True)
        result["db"] = bench_db(args)
        for key, value in result["db"].items():
            if key != "findings":
                print(f"  {key:28} {value}")
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
