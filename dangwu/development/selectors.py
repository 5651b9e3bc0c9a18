"""Every read of development records. Entry points take a ``Scope``; the timeline builders
turn rows into the timeline JSON of DOMAIN.md §5, which is what the rules read.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q

from dangwu.core.errors import NotFound
from dangwu.core.findings import Finding, Severity
from dangwu.core.scope import Perm, Scope
from dangwu.development.choices import CANCELLATION, EntrySource
from dangwu.development.models import (
    DevelopmentRecord,
    RuleException,
    StepEntry,
    StepFile,
    StepPerson,
    ThoughtReport,
)
from dangwu.development.steps import STAGE_ZH, STEP_BY_KEY, STEP_INDEX, STEPS, Stage, Step
from dangwu.members.choices import MEMBER_STATUSES, SanctionKind, Status
from dangwu.members.models import Membership, Person, Sanction, StatusChange
from dangwu.members.rules import SANCTION_ZH, SanctionFacts, rights_on, sanction_effect
from dangwu.orgs.models import Organization


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


def tracks_reports(has_reports: bool, entries: Iterable[tuple[str, str]]) -> bool:
    """Whether DEV-THOUGHT-REPORT is checked on a record: it has reports, or it started in
    Dangwu (its application was recorded live). An imported file is checked only for the
    reports it brought; a later live step does not make its past quarters missing.
    ``entries`` are (step, source) pairs."""
    return has_reports or any(
        step == "application" and source == EntrySource.LIVE for step, source in entries
    )


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
            **(
                {"leaves_unit_on": record.leaves_unit_on.isoformat()}
                if record.leaves_unit_on
                else {}
            ),
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
        tracked = tracks_reports(r.id in reports, ((e.step, e.source) for e in rows))
        out[r.id] = build_timeline(r, rows, people, reports[r.id] if tracked else None)
    return out


def timeline_data(record: DevelopmentRecord) -> dict[str, Any]:
    """The timeline JSON of one record (three queries)."""
    return timelines_data([record])[record.id]


# --- scoped reads ----------------------------------------------------------------------------


def record_get_for(scope: Scope, person_id: int, perm: Perm = Perm.VIEW) -> DevelopmentRecord:
    """The development record of a person, if the scope holds ``perm`` on the record's
    branch (or, for ``Perm.VIEW``, it is the user's own record); otherwise ``NotFound``
    — also when the person has no record."""
    q = scope.org_q(perm, field="branch__path")
    if perm == Perm.VIEW and scope.person_id is not None:
        q |= Q(person_id=scope.person_id)
    record = (
        DevelopmentRecord.objects.filter(q, person_id=person_id)
        .select_related("person", "branch")
        .first()
    )
    if record is None:
        raise NotFound()
    return record


def entry_get_for(scope: Scope, entry_id: int, perm: Perm = Perm.VIEW) -> StepEntry:
    """One step entry inside the scope (its record's branch), with the record and person."""
    q = scope.org_q(perm, field="record__branch__path")
    if perm == Perm.VIEW:  # the person themself, a group leader for the group's people
        q |= scope.person_q(perm, prefix="record__person__")
    entry = (
        StepEntry.objects.filter(q, pk=entry_id)
        .select_related("record__person", "record__branch", "recorded_by")
        .first()
    )
    if entry is None:
        raise NotFound()
    return entry


def file_get_for(scope: Scope, file_id: int, perm: Perm = Perm.VIEW) -> StepFile:
    """One attached scan inside the scope (its record's branch)."""
    q = scope.org_q(perm, field="entry__record__branch__path")
    if perm == Perm.VIEW:  # the person themself, a group leader for the group's people
        q |= scope.person_q(perm, prefix="entry__record__person__")
    f = (
        StepFile.objects.filter(q, pk=file_id)
        .select_related("entry__record__person", "entry__record__branch")
        .first()
    )
    if f is None:
        raise NotFound()
    return f


# --- people on a date (VOTE-RIGHTS, DEV-CONTACTS, DEV-INTRODUCERS) -----------------------------


def statuses_on(person_ids: Iterable[int], on: dt.date) -> dict[int, str]:
    """Each person's party status on ``on`` from the dated history (``StatusChange``); a
    person without a change on or before ``on`` is left out (one query)."""
    out: dict[int, str] = {}
    rows = (
        StatusChange.objects.filter(person_id__in=list(person_ids), effective_on__lte=on)
        .order_by("person_id", "effective_on", "id")
        .values_list("person_id", "status")
    )
    for pid, status in rows:
        out[pid] = status  # the last one wins
    return out


def status_before_history(person: Person, on: dt.date) -> str:
    """A person's status on ``on`` when no dated change is on or before it (people put on
    the roll at a later stage have one row, from ``status_since``): read from the roll's
    admission and conversion dates, as the historical import does; without either, the
    current status."""
    if person.full_since is None and person.admission_date is None:
        return person.status
    if person.full_since is not None and on >= person.full_since:
        return Status.FULL
    if person.admission_date is not None and on >= person.admission_date:
        return Status.PROBATIONARY
    return Status.APPLICANT


def sanctions_of(person_ids: Iterable[int]) -> dict[int, list[SanctionFacts]]:
    """The sanctions of each person as the pure rules take them (one query)."""
    out: dict[int, list[SanctionFacts]] = defaultdict(list)
    for s in Sanction.objects.filter(person_id__in=list(person_ids)).order_by("decided_on", "id"):
        out[s.person_id].append(
            SanctionFacts(
                kind=s.kind,
                decided_on=s.decided_on,
                probation_years=s.probation_years,
                extended_years=s.extended_years,
                revoked_on=s.revoked_on,
            )
        )
    return out


def sanction_in_effect(sanctions: Iterable[SanctionFacts], on: dt.date) -> str:
    """The heaviest sanction whose effect runs on ``on`` ("" for none), as a step snapshot
    records it. 留党察看 counts only while the rights are suspended (DISC-EFFECTS): after that
    the member may again be a contact or an introducer."""
    order = list(SANCTION_ZH)  # lightest first
    found = ""
    for s in sanctions:
        if s.decided_on > on:
            continue
        effect = sanction_effect(s)
        if s.kind == SanctionKind.PROBATION_WITHIN_PARTY:
            ends = [effect.rights_suspended_until]
        else:
            ends = [effect.no_promotion_until, effect.post_bar_until, effect.rejoin_bar_until]
        running = any(end is not None and on < end for end in ends)
        if running and (not found or order.index(s.kind) > order.index(found)):
            found = s.kind
    return found


@dataclass(frozen=True, slots=True)
class Excluded:
    """A member of the branch on the meeting date without the right to vote, and why."""

    person: Person
    status: str
    reasons: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class VoteRights:
    """VOTE-RIGHTS on a meeting date: the full members of the branch with voting rights
    (``should_attend`` before any lawful exclusion) and the members left out, with the
    reasons (probationary members, members under 留党察看…)."""

    branch: Organization
    on: dt.date
    voters: tuple[Person, ...]
    excluded: tuple[Excluded, ...]

    @property
    def should_attend(self) -> int:
        return len(self.voters)


def voting_members(branch: Organization, on: dt.date) -> VoteRights:
    """VOTE-RIGHTS — 细则 第二十、二十一条; 党章 第七条: who votes at a general meeting of
    ``branch`` on ``on``. The branch's members on that date are the people whose
    organizational relationship (``Membership``) was open on it; each one's status on the
    date comes from the status history and their rights from ``members.rules.rights_on``.
    Only full members not under 留党察看 vote. People not (or not yet) members are neither
    voters nor listed as excluded. Three queries."""
    rows = list(
        Membership.objects.filter(branch=branch, started_on__lte=on)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=on))
        .select_related("person")
        .order_by("person__sort_key", "person_id")
    )
    people = {m.person_id: m.person for m in rows}
    statuses = statuses_on(people, on)
    sanctions = sanctions_of(people)
    voters: list[Person] = []
    excluded: list[Excluded] = []
    for pid, person in people.items():
        status = statuses.get(pid) or status_before_history(person, on)
        if status not in MEMBER_STATUSES and status != Status.SUSPENDED:
            continue
        rights = rights_on(status=status, sanctions=sanctions.get(pid, []), on=on)
        if rights.can_vote:
            voters.append(person)
        else:
            excluded.append(Excluded(person, status, rights.reasons))
    return VoteRights(branch=branch, on=on, voters=tuple(voters), excluded=tuple(excluded))


# --- a person's timeline (the person page and the API) ----------------------------------------


class StepState:
    DONE = "done"  # recorded
    NEXT = "next"  # the next step to record
    LATE = "late"  # not recorded and its latest date has passed
    PENDING = "pending"  # later
    OPTIONAL = "optional"  # an optional step not recorded


STEP_STATE_ZH = {
    StepState.DONE: "已完成",
    StepState.NEXT: "下一步",
    StepState.LATE: "已逾期",
    StepState.PENDING: "未开始",
    StepState.OPTIONAL: "可选",
}


@dataclass(slots=True)
class EntryView:
    """One recorded entry of a step with what hangs on it."""

    entry: StepEntry
    people: list[StepPerson] = field(default_factory=list)
    files: list[StepFile] = field(default_factory=list)
    exceptions: list[RuleException] = field(default_factory=list)


@dataclass(slots=True)
class StepView:
    """One of the 25 steps (or an optional one) on a person's timeline."""

    step: Step
    state: str
    entries: list[EntryView]
    findings: list[Finding]
    deadline: Any = None  # rules.Deadline of a step not yet recorded

    @property
    def key(self) -> str:
        return self.step.key

    @property
    def state_label(self) -> str:
        return STEP_STATE_ZH[self.state]

    @property
    def has_error(self) -> bool:
        return any(f.severity == Severity.ERROR for f in self.findings)


@dataclass(slots=True)
class PersonTimeline:
    """The view-model of a person's development: the person, the record (``None`` before
    the application is recorded), every step with its state and entries, the findings
    (``check_timeline``) and the next deadlines (``next_deadlines``)."""

    person: Person
    record: DevelopmentRecord | None
    today: dt.date
    data: dict[str, Any] | None
    steps: list[StepView]
    findings: list[Finding]
    findings_by_step: dict[str, list[Finding]]
    deadlines: list[Any]
    stage: Stage | None
    next_step: str
    can_edit: bool
    can_approve: bool

    @property
    def stage_label(self) -> str:
        return STAGE_ZH[self.stage] if self.stage else ""

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == Severity.ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == Severity.WARNING]


def _visible_person(scope: Scope, person_id: int) -> tuple[Person, DevelopmentRecord | None]:
    """The person and their record when the scope sees either (two queries)."""
    person = Person.objects.filter(pk=person_id).select_related("branch", "group").first()
    if person is None:
        raise NotFound()
    record = (
        DevelopmentRecord.objects.filter(person_id=person_id)
        .select_related("branch", "person")
        .first()
    )
    own = scope.person_id == person.pk
    sees_record = record is not None and scope.covers(record.branch.path, Perm.VIEW)
    # A group leader knows the activists of the group (seed 004): VIEW on the group.
    in_group = person.group is not None and scope.covers(person.group.path, Perm.VIEW)
    if not (own or sees_record or in_group or scope.covers(person.branch.path, Perm.VIEW)):
        raise NotFound()
    if record is not None:
        record.person = person
    return person, record


def person_timeline(scope: Scope, person_id: int, today: dt.date) -> PersonTimeline:
    """Everything the person page and the timeline API show, in a fixed number of queries
    (person, record, entries, people, files, exceptions, reports, calendar)."""
    from dangwu.core.workcal_db import calendar as db_calendar
    from dangwu.development.conf import development_settings
    from dangwu.development.rules import check_timeline, next_deadlines, parse_timeline

    person, record = _visible_person(scope, person_id)
    branch_path = record.branch.path if record else person.branch.path
    can_edit = scope.covers(branch_path, Perm.DEVELOP)
    can_approve = scope.covers(branch_path, Perm.APPROVE)
    views: dict[str, list[EntryView]] = defaultdict(list)
    findings: list[Finding] = []
    deadlines: list[Any] = []
    data = None
    if record is not None:
        entries = list(
            StepEntry.objects.filter(record=record)
            .select_related("recorded_by", "approving_org")
            .order_by("step", "seq", "date", "id")
        )
        by_id = {e.id: EntryView(e) for e in entries}
        people: dict[int, list[StepPerson]] = defaultdict(list)
        for p in StepPerson.objects.filter(entry__record=record).order_by("entry_id", "position"):
            people[p.entry_id].append(p)
            by_id[p.entry_id].people.append(p)
        for f in StepFile.objects.filter(entry__record=record).order_by("uploaded_at", "id"):
            by_id[f.entry_id].files.append(f)
        for x in (
            RuleException.objects.filter(entry__record=record)
            .select_related("approved_by", "recorded_by")
            .order_by("id")
        ):
            by_id[x.entry_id].exceptions.append(x)
        reports = list(
            ThoughtReport.objects.filter(record=record).values_list("submitted_on", flat=True)
        )
        tracked = tracks_reports(bool(reports), ((e.step, e.source) for e in entries))
        data = build_timeline(record, entries, people, reports if tracked else None)
        for e in entries:
            views[e.step].append(by_id[e.id])
        settings, cal = development_settings(), db_calendar()
        t = parse_timeline(data)
        findings = check_timeline(t, today=today, settings=settings, calendar=cal)
        deadlines = next_deadlines(t, today=today, settings=settings, calendar=cal)
    by_step: dict[str, list[Finding]] = defaultdict(list)
    for f in findings:
        by_step[f.subject].append(f)
    done = {k for k, v in views.items() if v}
    last = max((k for k in done if k in STEP_INDEX), key=STEP_INDEX.__getitem__, default="")
    after = STEP_INDEX[last] if last else -1
    finished = record is not None and (record.state != "open" or "archiving" in done)
    nxt = ""
    if not finished:
        nxt = next(
            (s.key for s in STEPS[after + 1 :] if not s.optional and s.key not in done),
            "application" if record is None else "",
        )
    deadline_of = {d.step: d for d in deadlines}
    steps: list[StepView] = []
    for s in STEPS:
        d = deadline_of.get(s.key)
        if s.key in done:
            state = StepState.DONE
        elif not finished and d is not None and d.latest is not None and d.latest < today:
            state = StepState.LATE
        elif s.key == nxt:
            state = StepState.NEXT
        elif s.optional:
            state = StepState.OPTIONAL
        else:
            state = StepState.PENDING
        steps.append(StepView(s, state, views.get(s.key, []), by_step.get(s.key, []), d))
    if views.get(CANCELLATION):
        cancel = Step(CANCELLATION, None, "取消预备党员资格", Stage.PROBATION, optional=True)
        steps.append(StepView(cancel, StepState.DONE, views[CANCELLATION], [], None))
    stage_key = nxt or last
    stage = STEP_BY_KEY[stage_key].stage if stage_key in STEP_BY_KEY else None
    return PersonTimeline(
        person=person,
        record=record,
        today=today,
        data=data,
        steps=steps,
        findings=findings,
        findings_by_step=dict(by_step),
        deadlines=deadlines,
        stage=stage,
        next_step=nxt,
        can_edit=can_edit,
        can_approve=can_approve,
    )
