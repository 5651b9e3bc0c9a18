"""Every read of development records. Entry points take a ``Scope``; the timeline builders
turn rows into the timeline JSON of DOMAIN.md §5, which is what the rules read.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from dangwu.development.choices import CANCELLATION, EntrySource
from dangwu.development.models import DevelopmentRecord, StepEntry, StepPerson, ThoughtReport
from dangwu.development.steps import STEP_BY_KEY, STEP_INDEX


def _iso(d: dt.date | None) -> str | None:
    return d.isoformat() if d else None


def entry_json(entry: StepEntry, people: Iterable[StepPerson] = ()) -> dict[str, Any]:
    """One step entry as its object in the timeline JSON (only the fields it carries)."""
    if entry.step in ("training", "publicity"):
        out: dict[str, Any] = {"start": entry.date.isoformat()}
        if entry.step == "training":
            if entry.end_date:
                out["end"] = entry.end_date.isoformat()
            if entry.days is not None:
                out["days"] = entry.days
            if entry.hours is not None:
                out["hours"] = float(entry.hours)
        elif entry.working_days is not None:
            out["working_days"] = entry.working_days
        return out
    out = {"date": entry.date.isoformat()}
    if entry.recommended_by:
        out["recommended_by"] = entry.recommended_by
    if entry.passed is not None:
        out["passed"] = entry.passed
    if entry.acting_org:
        out["by"] = entry.acting_org
    if entry.should_attend is not None:
        out["should_attend"] = entry.should_attend
        out["present"] = entry.present
        out["in_favour"] = entry.in_favour
        out["written_in_favour"] = entry.written_in_favour
    if entry.months is not None:
        out["months"] = entry.months
    if entry.approval_date is not None:
        out["approval_date"] = entry.approval_date.isoformat()
    people = list(people)
    if people or entry.step in ("contacts_assigned", "introducers"):
        out["people"] = [
            {"name": p.name, "status": p.status, **({"sanction": p.sanction} if p.sanction else {})}
            for p in sorted(people, key=lambda p: p.position)
        ]
    return out


def build_timeline(
    record: DevelopmentRecord,
    entries: Iterable[StepEntry],
    people: dict[int, list[StepPerson]],
    report_dates: list[dt.date] | None,
) -> dict[str, Any]:
    """The timeline JSON of one record from its rows (``record.person`` must be loaded).

    ``report_dates`` is ``None`` when the record does not track thought reports (a
    historical import without them): the rule is then not checked.
    """
    person = record.person
    steps: dict[str, Any] = {}
    by_key: dict[str, list[StepEntry]] = defaultdict(list)
    for e in entries:
        if e.step != CANCELLATION:
            by_key[e.step].append(e)
    for key in sorted(by_key, key=STEP_INDEX.__getitem__):
        rows = sorted(by_key[key], key=lambda e: (e.seq, e.date))
        objs = [entry_json(e, people.get(e.id, ())) for e in rows]
        if STEP_BY_KEY[key].repeated or len(objs) > 1:
            steps[key] = objs
        else:
            steps[key] = objs[0]
    data: dict[str, Any] = {
        "person": {
            "birth_date": person.birth_date.isoformat(),
            "league_member": person.league_member,
        },
        "steps": steps,
    }
    if report_dates is not None:
        data["thought_reports"] = [{"date": d.isoformat()} for d in sorted(report_dates)]
    return data


def timelines_data(records: list[DevelopmentRecord]) -> dict[int, dict[str, Any]]:
    """The timeline JSON of each record, by record id: three queries for any number of
    records (entries, people, reports). ``records`` must have ``person`` loaded
    (``select_related("person")``); call it in chunks of a few thousand."""
    ids = [r.id for r in records]
    entries: dict[int, list[StepEntry]] = defaultdict(list)
    for e in StepEntry.objects.filter(record_id__in=ids).order_by("record_id", "step", "seq"):
        entries[e.record_id].append(e)
    people: dict[int, list[StepPerson]] = defaultdict(list)
    for p in StepPerson.objects.filter(entry__record_id__in=ids).order_by("entry_id", "position"):
        people[p.entry_id].append(p)
    reports: dict[int, list[dt.date]] = defaultdict(list)
    for rid, day in ThoughtReport.objects.filter(record_id__in=ids).values_list(
        "record_id", "submitted_on"
    ):
        reports[rid].append(day)
    out = {}
    for r in records:
        rows = entries.get(r.id, [])
        tracked = r.id in reports or any(e.source == EntrySource.LIVE for e in rows)
        out[r.id] = build_timeline(r, rows, people, reports[r.id] if tracked else None)
    return out


def timeline_data(record: DevelopmentRecord) -> dict[str, Any]:
    """The timeline JSON of one record (three queries)."""
    return timelines_data([record])[record.id]
