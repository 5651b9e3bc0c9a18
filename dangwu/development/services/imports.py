"""The historical import: development records from a workbook or from timeline JSON files.

All or nothing (ARCHITECTURE "Imports are all-or-nothing"). A check pass reads every record
(a row, or an object of a JSON file) and checks it against the roll of the importing
organization's subtree, 1,000 at a time:

- the person: the ID number must be on the roll of the organization (else "该身份证号码不在
  本组织名册中，请先导入名册"), the name must agree, each person once per import;
- the contact persons and introducers: found on the roll by name (workbook) or ID number
  (JSON) and then checked with the roll's status and sanction on the step date; otherwise
  kept with the status the file states (see ``imports.roll`` and ``imports.columns``);
- the timeline: ``parse_timeline`` must read it (a ``TimelineError`` is a problem at the
  column or JSON field it names); the values must fit the tables;
- the roll must agree with the record: the current status with the last step (an activist
  has step 3 and not step 7, a candidate step 7 and not step 17, a probationary member
  step 17 and not step 24, a full member step 24; a probationary member whose membership
  was cancelled, or a member whose membership is suspended, also fits), and the roll's
  申请入党日期 and 入党日期 with steps 1 and 15 where both are known;
- a person who already has a record: an identical timeline is "unchanged" (importing a
  file twice writes nothing the second time); a different one is a problem — records are
  never merged.

Only when no record has a problem does the write pass create, in ONE transaction, each
record (branch = the person's branch; state ``done`` with step 25 archiving — as the live
workflow closes a record — ``cancelled`` when the roll says the probationary membership
was cancelled, else ``open``), write its steps with ``writer.write_timeline`` (source
``import``), refresh the rules cache and record one ``AuditEvent`` (``IMPORT``). The rule
findings of the imported records are reported, not refused: finding them is the point of
a historical audit.
"""

from __future__ import annotations

import datetime as dt
import pickle
import tempfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from simple_history.utils import bulk_create_with_history

from dangwu.core.audit import audit_event
from dangwu.core.clock import today as _today
from dangwu.core.idcard import check_id_number
from dangwu.core.models import AuditAction
from dangwu.core.scope import Perm, scope_for
from dangwu.core.workcal_db import calendar as db_calendar
from dangwu.development.choices import EntrySource, RecordState
from dangwu.development.conf import development_settings
from dangwu.development.imports import jsonfiles, xlsx
from dangwu.development.imports.candidates import Candidate, RolePerson
from dangwu.development.imports.columns import SANCTION_LABEL, SMALLINT_MAX, STATUS_LABEL
from dangwu.development.imports.report import ImportResult
from dangwu.development.imports.roll import Roll, is_timeline_status
from dangwu.development.models import DevelopmentRecord
from dangwu.development.rules import check_timeline
from dangwu.development.selectors import timelines_data
from dangwu.development.services.common import records_refresh
from dangwu.development.steps import STEP_INDEX, step_label
from dangwu.development.timeline import Timeline, TimelineError, parse_timeline
from dangwu.development.writer import write_timeline
from dangwu.members.models import Person
from dangwu.members.roster.columns import bad_file
from dangwu.orgs.models import Organization

CHUNK = 1_000
CHANGE_REASON = "历史导入"

# --- the entry points ---------------------------------------------------------------------


def import_xlsx(*, actor, org: Organization, upload, today: dt.date | None = None) -> ImportResult:
    """Import the development records of a workbook (one row per person) into ``org``'s
    subtree. File problems raise ``InvalidInput`` on ``file``; bad rows come back in
    ``result.errors`` and nothing is written."""
    today = today or _today()
    scope_for(actor).require(org.path, Perm.DEVELOP)
    result = ImportResult(kind="xlsx")
    records = xlsx.read_rows(upload, today=today)
    return _import(actor, org, records, result, today, files=[getattr(upload, "name", "")])


def import_json(*, actor, org: Organization, uploads, today: dt.date | None = None) -> ImportResult:
    """Import timeline JSON files (see ``imports.jsonfiles`` for the format); the same
    all-or-nothing report, by file name and JSON field path."""
    today = today or _today()
    scope_for(actor).require(org.path, Perm.DEVELOP)
    result = ImportResult(kind="json")
    records, problems = jsonfiles.read_files(list(uploads), today=today)
    result.errors.extend(problems)
    names = [getattr(u, "name", "") for u in uploads]
    return _import(actor, org, iter(records), result, today, files=names)


def _chunks(items: Iterator[Candidate]) -> Iterator[list[Candidate]]:
    chunk: list[Candidate] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


@dataclass(frozen=True, slots=True)
class _Planned:
    """A checked new record, spilled between the passes."""

    person_id: int
    branch_id: int
    status: str
    data: dict[str, Any]
    state: str
    closed_on: dt.date | None
    closed_reason: str


def _import(actor, org, records, result: ImportResult, today, *, files) -> ImportResult:
    check = _Checker(org, today, result)
    with tempfile.TemporaryFile() as spill:
        for chunk in _chunks(records):
            planned = check.chunk(chunk)
            if result.ok:
                pickle.dump(planned, spill, protocol=pickle.HIGHEST_PROTOCOL)
        if result.rows == 0 and result.ok:
            raise bad_file(
                "文件中没有发展记录：只有表头，或每行只有姓名和身份证号码（至少填写一个步骤的日期）。"
            )
        if not result.ok:
            result.findings, result.severities = {}, {}
            result.record_ids = []
            return result
        result.findings = dict(sorted(check.codes.items()))
        result.severities = dict(check.severities)
        try:
            with transaction.atomic():
                _write(spill, actor=actor, today=today, result=result)
                if result.created:
                    audit_event(
                        actor=actor,
                        action=AuditAction.IMPORT,
                        subject=f"org:{org.code}",
                        detail={
                            "kind": f"development_{result.kind}",
                            "files": files,
                            "rows": result.rows,
                            "created": result.created,
                            "unchanged": result.unchanged,
                        },
                    )
        except IntegrityError:
            raise bad_file(
                "导入期间有人登记了其中某人的发展记录，本次未导入任何数据，请重新导入。"
            ) from None
    return result


# --- the check pass -----------------------------------------------------------------------

# The status the last step gives, and the statuses of the roll that fit it.
_STAGES = (
    ("conversion_approval", "full", {"full", "suspended"}),
    ("admission_approval", "probationary", {"probationary", "probation_cancelled", "suspended"}),
    ("candidate", "candidate", {"candidate"}),
    ("activist", "activist", {"activist"}),
)
# The step a roll status needs (to name the column when the record is behind the roll).
_STEP_OF_STATUS = {
    "full": "conversion_approval",
    "suspended": "conversion_approval",
    "probationary": "admission_approval",
    "probation_cancelled": "admission_approval",
    "candidate": "candidate",
    "activist": "activist",
}
_INT_FIELDS = (
    "days",
    "working_days",
    "should_attend",
    "present",
    "in_favour",
    "written_in_favour",
    "months",
)


class _Checker:
    def __init__(self, org: Organization, today: dt.date, result: ImportResult) -> None:
        self.roll = Roll(org)
        self.today = today
        self.result = result
        self.seen: dict[str, str] = {}
        self.codes: Counter[str] = Counter()
        self.severities: Counter[str] = Counter()
        self.settings = development_settings()
        self.calendar = db_calendar()

    def chunk(self, chunk: list[Candidate]) -> list[_Planned]:
        self.result.rows += len(chunk)
        for cand in chunk:
            self._identify(cand)
        ids = [c.id_number for c in chunk if not _failed(c, c.id_column)]
        people = self.roll.by_id_number(ids)
        persons: dict[int, Person] = {}  # id(cand) → person
        for cand in chunk:
            if _failed(cand, cand.id_column):
                continue
            person = people.get(cand.id_number)
            if person is None:
                cand.error(
                    cand.id_column, "该身份证号码不在本组织名册中，请先导入名册。", cand.id_number
                )
                continue
            if cand.name and cand.name != person.name:
                cand.error(
                    cand.name_column,
                    f"姓名与名册不一致：名册中该身份证号码的姓名为“{person.name}”。",
                    cand.name,
                )
            persons[id(cand)] = person
        self._resolve_people(chunk, persons)
        existing = {
            r.person_id: r
            for r in DevelopmentRecord.objects.filter(
                person_id__in=[p.pk for p in persons.values()]
            ).select_related("person")
        }
        existing_data = timelines_data(list(existing.values())) if existing else {}
        planned = []
        for cand in chunk:
            person = persons.get(id(cand))
            if person is not None and not cand.problems:
                plan = self._check(cand, person, existing.get(person.pk), existing_data)
                if plan is not None and not cand.problems:
                    planned.append(plan)
            self.result.errors.extend(cand.problems)
        return planned

    def _identify(self, cand: Candidate) -> None:
        if _failed(cand, cand.id_column) or not cand.id_number:
            return
        checked = check_id_number(cand.id_number, today=self.today)
        if not checked.valid:
            cand.error(cand.id_column, checked.findings[0].message, cand.id_number)
            return
        cand.id_number = checked.normalized
        first = self.seen.setdefault(cand.id_number, cand.where)
        if first != cand.where:
            cand.error(
                cand.id_column,
                f"与{first}的公民身份号码重复：每人只能有一条发展记录。",
                cand.id_number,
            )

    # -- contact persons and introducers --

    def _resolve_people(self, chunk: list[Candidate], persons: dict[int, Person]) -> None:
        named = {p.name for c in chunk for p in c.people if p.by_name}
        linked = set()
        for c in chunk:
            for p in c.people:
                if p.id_number:
                    checked = check_id_number(p.id_number, today=self.today)
                    p.id_number = checked.normalized
                    linked.add(p.id_number)
        by_name = self.roll.by_name(named)
        by_id = self.roll.by_id_number(linked)
        self.roll.load_histories(
            [p.pk for ps in by_name.values() for p in ps] + [p.pk for p in by_id.values()]
        )
        for cand in chunk:
            person = persons.get(id(cand))
            if person is None or not cand.people:
                continue
            steps = cand.data.get("steps")
            counters: Counter[str] = Counter()
            for rp in cand.people:
                obj = steps[rp.step]
                position = counters[rp.step]
                counters[rp.step] += 1
                obj["people"].append(
                    self._person_json(cand, person, rp, obj, position, by_name, by_id)
                )

    def _person_json(self, cand, person, rp: RolePerson, obj, position, by_name, by_id) -> dict:
        out: dict[str, Any] = {"name": rp.name or f"第{position + 1}人"}
        match = None
        if rp.id_number:
            match = by_id.get(rp.id_number)
            if match is None:
                cand.error(rp.column, "该人员的身份证号码不在本组织名册中。", rp.id_number)
                return out
        elif rp.by_name:
            found = [p for p in by_name.get(rp.name, []) if p.pk != person.pk]
            same_branch = [p for p in found if p.branch_id == person.branch_id]
            found = same_branch if len(same_branch) == 1 else found
            if len(found) == 1:
                match = found[0]
            elif rp.status is None:
                why = "本组织名册中没有此人" if not found else f"本组织名册中有{len(found)}人同名"
                cand.error(
                    rp.column,
                    f"“{rp.name}”：{why}，请在姓名后写明其当时的政治面貌，如“{rp.name}（正式党员）”。",
                    rp.name,
                )
                return out
        if match is None:
            if rp.status is not None:
                out["status"] = rp.status
            if rp.sanction is not None:
                out["sanction"] = rp.sanction
            return out
        day = _iso_date(obj.get("date"))
        if day is None:
            return out  # parse_timeline reports the date
        status = self.roll.status_on(match, day)
        sanction = self.roll.sanction_on(match, day)
        out["name"] = match.name
        out["person_id"] = match.pk
        if not is_timeline_status(status):
            cand.error(
                rp.column,
                f"名册记载“{match.name}”在{day.isoformat()}的政治面貌为“{STATUS_LABEL[status]}”，"
                "不能作为培养联系人或入党介绍人导入，请核实。",
                rp.name,
            )
            return out
        if rp.status is not None and (
            rp.status != status or (rp.sanction is not None and rp.sanction != sanction)
        ):
            stated = STATUS_LABEL.get(rp.status, str(rp.status))
            if rp.sanction:
                stated += f"，{SANCTION_LABEL.get(rp.sanction, rp.sanction)}"
            roll = STATUS_LABEL[status] + (f"，{SANCTION_LABEL[sanction]}" if sanction else "")
            cand.error(
                rp.column,
                f"“{match.name}”：文件写明{day.isoformat()}时为“{stated}”，"
                f"名册记载为“{roll}”，两者不一致。",
                rp.name,
            )
        out["status"] = status
        if sanction:
            out["sanction"] = sanction
        return out

    # -- one record --

    def _check(self, cand: Candidate, person: Person, record, existing_data) -> _Planned | None:
        data = cand.data
        data["person"] = {
            "birth_date": person.birth_date.isoformat(),
            "league_member": person.league_member,
        }
        for key, ours in data["person"].items():
            if key in cand.facts and cand.facts[key] != ours:
                cand.field_error(
                    f"person.{key}",
                    f"「person.{key}」为{cand.facts[key]!r}，名册记载为{ours!r}，两者不一致。",
                )
        try:
            timeline = parse_timeline(data)
        except TimelineError as exc:
            cand.field_error(exc.field or "steps", exc.message)
            return None
        if not timeline.records:
            cand.field_error("steps", "没有任何步骤的日期。")
            return None
        self._storable(cand, data)
        if cand.problems:
            return None
        if record is not None:
            self._compare(cand, timeline, record, existing_data[record.id])
            return None
        self._consistent(cand, person, timeline)
        if cand.problems:
            return None
        self._count(timeline)
        state, closed_on, reason = RecordState.OPEN, None, ""
        if timeline.has("archiving"):
            state, closed_on = RecordState.DONE, timeline.step("archiving").date
        elif person.status == "probation_cancelled":
            state, closed_on = RecordState.CANCELLED, person.status_since
            reason = "名册记载已取消预备党员资格"
        return _Planned(person.pk, person.branch_id, person.status, data, state, closed_on, reason)

    def _count(self, timeline: Timeline | dict) -> None:
        for f in check_timeline(
            timeline, today=self.today, settings=self.settings, calendar=self.calendar
        ):
            self.codes[f.code] += 1
            self.severities[str(f.severity)] += 1

    def _storable(self, cand: Candidate, data: dict) -> None:
        """Values the timeline format allows but the tables cannot hold as written."""
        for key, value in data["steps"].items():
            for i, obj in enumerate(value if isinstance(value, list) else [value]):
                path = f"steps.{key}[{i}]" if isinstance(value, list) else f"steps.{key}"
                for name in _INT_FIELDS:
                    if isinstance(obj.get(name), int) and obj[name] > SMALLINT_MAX:
                        cand.field_error(f"{path}.{name}", f"「{path}.{name}」的数值过大。")
                hours = obj.get("hours")
                if isinstance(hours, int | float) and not isinstance(hours, bool):
                    exact = Decimal(str(hours))
                    if exact >= 10000 or exact != exact.quantize(Decimal("0.1")):
                        cand.field_error(
                            f"{path}.hours", f"「{path}.hours」应小于10000且最多保留一位小数。"
                        )
                note = obj.get("note")
                if note is not None and not isinstance(note, str):
                    cand.field_error(f"{path}.note", f"「{path}.note」应为字符串。")
                for j, p in enumerate(obj.get("people") or []):
                    if len(str(p.get("name") or "")) > 50:
                        cand.field_error(f"{path}.people[{j}]", "姓名超过50个字。")

    def _compare(self, cand: Candidate, ours: Timeline, record, existing: dict) -> None:
        theirs = parse_timeline(existing)
        keys = sorted(set(ours.records) | set(theirs.records), key=STEP_INDEX.__getitem__)
        differ = [k for k in keys if ours.records.get(k) != theirs.records.get(k)]
        if "thought_reports" in cand.data and ours.thought_reports != theirs.thought_reports:
            differ.append("thought_reports")
        if not differ:
            self.result.unchanged += 1
            self.result.record_ids.append(record.pk)
            self._count(theirs)
            return
        labels = "、".join(step_label(k) if k in STEP_INDEX else "思想汇报" for k in differ[:5])
        more = "等" if len(differ) > 5 else ""
        first = differ[0]
        cand.field_error(
            _step_path(cand, first) if first in STEP_INDEX else first,
            f"该人员已有发展记录，与本{'行' if cand.row else '条'}内容不一致（{labels}{more}），"
            "未作合并；如需修改，请在该人员的发展记录页面逐步登记。",
        )

    def _consistent(self, cand: Candidate, person: Person, t: Timeline) -> None:
        last, expected, fits = None, "applicant", {"applicant"}
        for key, status, allowed in _STAGES:
            if t.has(key):
                last, expected, fits = key, status, allowed
                break
        if person.status not in fits:
            roll = STATUS_LABEL.get(person.status, person.status)
            if last:
                where = f"记录的最后一步是{step_label(last)}（应为“{STATUS_LABEL[expected]}”）"
            else:
                where = "记录中没有确定入党积极分子及以后的步骤（应为“入党申请人”）"
            behind = _STEP_OF_STATUS.get(person.status)
            column = (
                behind
                if behind and (last is None or STEP_INDEX[behind] > STEP_INDEX[last])
                else last
            )
            cand.field_error(
                _step_path(cand, column or "application"),
                f"名册中该人员的政治面貌为“{roll}”，而{where}，两者不一致；请先核实名册或本记录。",
            )
        for key, label, known in (
            ("application", "申请入党日期", person.applied_on),
            ("admission_meeting", "入党日期", person.admission_date),
        ):
            entry = t.step(key)
            if entry is not None and known is not None and entry.date != known:
                cand.field_error(
                    _step_path(cand, key),
                    f"名册中的{label}为{known.isoformat()}，与{step_label(key)}的日期"
                    f"{entry.date.isoformat()}不一致。",
                )


def _step_path(cand: Candidate, key: str) -> str:
    """Where a problem with a whole step is reported: the step's date column in a
    workbook (not a meeting's vote columns), the step in a JSON file."""
    return f"steps.{key}.date" if cand.row is not None else f"steps.{key}"


def _failed(cand: Candidate, column: str) -> bool:
    return any(p.column == column for p in cand.problems)


def _iso_date(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


# --- the write pass -----------------------------------------------------------------------


def _spilled(spill) -> Iterator[list[_Planned]]:
    spill.seek(0)
    while True:
        try:
            yield pickle.load(spill)  # noqa: S301 - our own temporary file, written above
        except EOFError:
            return


def _write(spill, *, actor, today: dt.date, result: ImportResult) -> None:
    settings, calendar = development_settings(), db_calendar()
    recorded_by = actor if getattr(actor, "is_authenticated", False) else None
    for chunk in _spilled(spill):
        if not chunk:
            continue
        # Lock the people; a status moved since the check means the check no longer holds.
        ids = sorted(p.person_id for p in chunk)
        people = {
            p.pk: p for p in Person.objects.select_for_update().filter(pk__in=ids).order_by("pk")
        }
        records = []
        for plan in chunk:
            person = people.get(plan.person_id)
            if person is None or person.status != plan.status:
                raise bad_file(
                    "导入期间名册有变化（有人员的政治面貌被修改），本次未导入任何数据，请重新导入。"
                )
            record = DevelopmentRecord(
                person=person,
                branch_id=plan.branch_id,
                state=plan.state,
                closed_on=plan.closed_on,
                closed_reason=plan.closed_reason,
            )
            records.append(record)
        bulk_create_with_history(
            records,
            DevelopmentRecord,
            batch_size=CHUNK,
            default_user=recorded_by,
            default_change_reason=CHANGE_REASON,
        )
        for record, plan in zip(records, chunk, strict=True):
            write_timeline(record, plan.data, actor=recorded_by, source=EntrySource.IMPORT)
        records_refresh(records, today=today, settings=settings, calendar=calendar)
        result.created += len(records)
        result.record_ids.extend(r.pk for r in records)


# --- the template -------------------------------------------------------------------------

TEMPLATE_STATUSES = ("applicant", "activist", "candidate", "probationary")


def import_template(*, actor, org: Organization, out, ip: str | None = None) -> int:
    """Write the import template for ``org``, prefilled with the applicants, activists,
    candidates and probationary members of its subtree (name and ID number); the full ID
    numbers shown are recorded as an ``AuditEvent`` (``EXPORT``). Returns the rows."""
    scope = scope_for(actor)
    scope.require(org.path, Perm.DEVELOP)
    people = (
        Person.objects.filter(
            branch__path__startswith=org.path, is_active=True, status__in=TEMPLATE_STATUSES
        )
        .select_related("branch")
        .order_by("branch__path", "sort_key", "pk")
    )
    rows = []
    sees_id: dict[str, bool] = {}
    for p in people.iterator(chunk_size=2000):
        if p.branch.path not in sees_id:
            sees_id[p.branch.path] = scope.covers(p.branch.path, Perm.VIEW_ID)
        if sees_id[p.branch.path] and p.id_number:
            rows.append((p.name, p.id_number, p.branch.name, STATUS_LABEL[p.status]))
    xlsx.write_template(out, rows)
    audit_event(
        actor=actor,
        action=AuditAction.EXPORT,
        subject=f"org:{org.code}",
        detail={
            "kind": "development_import_template",
            "rows": len(rows),
            "full_id_numbers": len(rows),
        },
        ip=ip,
    )
    return len(rows)
