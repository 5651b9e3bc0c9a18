"""Rows from the timeline JSON: the inverse of ``selectors.build_timeline``.

Used by the historical import and the demo to write a whole record at once (bulk SQL, no
rules: the caller has parsed the JSON with ``parse_timeline`` and reports findings
afterwards). The live workflow records one step at a time through ``services``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from dangwu.development.choices import EntrySource, PersonRole
from dangwu.development.models import DevelopmentRecord, StepEntry, StepPerson, ThoughtReport
from dangwu.development.steps import STEP_INDEX

ROLE_OF_STEP = {"contacts_assigned": PersonRole.CONTACT, "introducers": PersonRole.INTRODUCER}


def _d(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def entry_from_json(
    record: DevelopmentRecord, key: str, seq: int, obj: dict[str, Any], *, actor, source: str
) -> StepEntry:
    """An unsaved ``StepEntry`` for one object of the timeline JSON."""
    if key in ("training", "publicity"):
        start = _d(obj["start"])
        end = _d(obj.get("end"))
        hours = obj.get("hours")
        return StepEntry(
            record=record,
            step=key,
            seq=seq,
            date=start,
            end_date=end,
            days=obj.get("days"),
            hours=Decimal(str(hours)) if hours is not None else None,
            working_days=obj.get("working_days"),
            source=source,
            recorded_by=actor,
        )
    return StepEntry(
        record=record,
        step=key,
        seq=seq,
        date=_d(obj["date"]),
        recommended_by=obj.get("recommended_by") or "",
        passed=obj.get("passed"),
        acting_org=obj.get("by") or "",
        should_attend=obj.get("should_attend"),
        present=obj.get("present"),
        in_favour=obj.get("in_favour"),
        written_in_favour=obj.get("written_in_favour") or 0,
        months=obj.get("months"),
        approval_date=_d(obj.get("approval_date")),
        conclusion=str(obj.get("note") or ""),
        source=source,
        recorded_by=actor,
    )


def people_from_json(entry: StepEntry, obj: dict[str, Any]) -> list[StepPerson]:
    role = ROLE_OF_STEP.get(entry.step)
    if role is None:
        return []
    return [
        StepPerson(
            entry=entry,
            role=role,
            position=i,
            person_id=p.get("person_id"),
            name=str(p.get("name") or "")[:50] or f"第{i + 1}人",
            status=p["status"],
            sanction=p.get("sanction") or "",
        )
        for i, p in enumerate(obj.get("people") or [])
    ]


def write_timeline(
    record: DevelopmentRecord,
    data: dict[str, Any],
    *,
    actor,
    source: str = EntrySource.IMPORT,
) -> list[StepEntry]:
    """Write the steps (and thought reports) of a timeline JSON onto ``record``, which has
    none yet. ``data`` must already pass ``parse_timeline``. Three bulk inserts (PostgreSQL
    and SQLite both return the new ids)."""
    entries: list[StepEntry] = []
    objs: list[dict[str, Any]] = []
    for key in sorted(data.get("steps", {}), key=STEP_INDEX.__getitem__):
        value = data["steps"][key]
        items = value if isinstance(value, list) else [value]
        for seq, obj in enumerate(items):
            entries.append(entry_from_json(record, key, seq, obj, actor=actor, source=source))
            objs.append(obj)
    StepEntry.objects.bulk_create(entries)
    people = [p for e, obj in zip(entries, objs, strict=True) for p in people_from_json(e, obj)]
    StepPerson.objects.bulk_create(people)
    reports = [
        ThoughtReport(
            record=record,
            submitted_on=_d(r["date"]),
            text=str(r.get("text") or "（历史导入：仅有提交日期）"),
            recorded_by=actor,
        )
        for r in data.get("thought_reports") or []
    ]
    ThoughtReport.objects.bulk_create(reports)
    return entries
