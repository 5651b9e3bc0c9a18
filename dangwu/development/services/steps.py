"""Recording the steps of member development (the live workflow), their corrections, scans,
and the party-status moves the steps make.

Every write runs the rules (``rules.check_timeline``) on the record before and after the
step: an error-level finding the step would add blocks a step done today (DEV-CULT-1Y, a
vote that did not pass…); a past fact that breaks a rule is kept only with a written reason
and an approver holding the approval permission on the branch, stored as ``RuleException``
rows. Party status moves only here on the way in (``members.services.apply_status``):

- ``activist`` → activist and ``candidate`` → candidate, from the step date;
- ``admission_approval`` → probationary, from the admission meeting's date (入党时间,
  MEM-ADMISSION-DATE);
- ``conversion_approval`` → full, ``full_since`` the end of probation including an
  extension (MEM-PARTY-AGE);
- ``probation_cancellation`` → probation cancelled, and the record is closed;
- ``archiving`` closes the record as done.

A vote that did not pass (VOTE-QUORUM, VOTE-PASS) moves nothing. Recording it is refused
when the meeting is today and needs an exception when it is a past fact. The approval of
an admission or a conversion whose meeting did not pass adds a VOTE-PASS finding on the
approval (the same discipline applies: refused today, an exception for a past fact, which
then moves the status as the files say it happened). A cancellation meeting whose vote did
not pass, kept as a past fact, neither cancels the membership nor closes the record.
"""

from __future__ import annotations

import copy
import datetime as dt
import os
import secrets
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction

from dangwu.core import clock
from dangwu.core.audit import as_actor, audit_event, history_reason
from dangwu.core.dates import zh_date
from dangwu.core.errors import DomainError, InvalidInput, RuleViolation
from dangwu.core.findings import Finding, Severity, errors
from dangwu.core.models import AuditAction
from dangwu.core.scope import Perm, scope_for
from dangwu.core.workcal_db import calendar as db_calendar
from dangwu.development.choices import (
    CANCELLATION,
    ActingOrg,
    EntrySource,
    PersonRole,
    RecommendedBy,
    RecordState,
)
from dangwu.development.conf import development_settings
from dangwu.development.models import (
    DevelopmentRecord,
    RuleException,
    StepEntry,
    StepFile,
    StepPerson,
    ThoughtReport,
)
from dangwu.development.rules import Timeline, TimelineError, check_timeline, parse_timeline
from dangwu.development.selectors import (
    VoteRights,
    build_timeline,
    sanction_in_effect,
    sanctions_of,
    status_before_history,
    statuses_on,
    tracks_reports,
    voting_members,
)
from dangwu.development.services.common import record_refresh
from dangwu.development.services.uploads import CONTENT_TYPES, check_scan
from dangwu.development.steps import STEP_BY_KEY, step_label
from dangwu.development.timeline import PERSON_STATUSES
from dangwu.development.votes import PASS_CITATION, check_vote_counts, vote_result
from dangwu.members import services as member_services
from dangwu.members.choices import Status
from dangwu.members.models import Person
from dangwu.members.rules import STATUS_ZH, full_membership_date
from dangwu.orgs.models import Organization

VALID_STEPS = frozenset(STEP_BY_KEY) | {CANCELLATION}
VOTE_STEPS = frozenset(
    {"admission_meeting", "conversion_meeting", "probation_extension", CANCELLATION}
)
ROLE_OF_STEP = {"contacts_assigned": PersonRole.CONTACT, "introducers": PersonRole.INTRODUCER}
ORG_STEPS = frozenset(
    {
        "activist_filing",
        "candidate_filing",
        "pre_review",
        "admission_approval",
        "admission_filing",
        "conversion_approval",
    }
)
# The steps that move a status or close the record: their date cannot be corrected.
STATUS_STEPS = frozenset(
    {
        "activist",
        "candidate",
        "admission_approval",
        "conversion_approval",
        CANCELLATION,
        "archiving",
    }
)
VOTE_FIELDS = ("should_attend", "present", "in_favour", "written_in_favour", "voters_note")
BASE_FIELDS = ("date", "conclusion", "meeting")
ALL_FIELDS = frozenset(
    {
        *BASE_FIELDS,
        "end_date",
        "recommended_by",
        "passed",
        "days",
        "hours",
        "working_days",
        "acting_org",
        "approving_org",
        *VOTE_FIELDS,
        "months",
        "approval_date",
    }
)
FIELD_ZH = {
    "date": "日期",
    "end_date": "结束日期",
    "recommended_by": "推荐方式",
    "passed": "政审结论",
    "conclusion": "结论或说明",
    "days": "培训天数",
    "hours": "培训学时",
    "working_days": "公示工作日数",
    "acting_org": "办理组织类别",
    "approving_org": "办理的党组织",
    "should_attend": "应到会有表决权党员人数",
    "present": "实到会有表决权党员人数",
    "in_favour": "赞成票数",
    "written_in_favour": "书面赞成意见数",
    "voters_note": "不计入应到会人数的说明",
    "months": "延长月数",
    "approval_date": "批准日期",
    "meeting": "会议记录",
}
MAX_FILE_BYTES = 20 * 1024 * 1024
FILE_TYPES = CONTENT_TYPES


def fields_of(step: str) -> tuple[str, ...]:
    """The ``StepEntry`` fields a step carries (what a form or the API may send)."""
    out = list(BASE_FIELDS)
    if step == "activist":
        out.append("recommended_by")
    elif step == "political_review":
        out.append("passed")
    elif step == "training":
        out += ["end_date", "days", "hours"]
    elif step == "publicity":
        out.append("working_days")
    if step in ORG_STEPS:
        out += ["acting_org", "approving_org"]
    if step in VOTE_STEPS:
        out += list(VOTE_FIELDS)
    if step == "probation_extension":
        out += ["months", "approval_date"]
    return tuple(out)


@dataclass(frozen=True, slots=True)
class StepPreview:
    """What recording a step would find, without writing.

    ``new_findings``: the findings (any severity) the step adds to the record;
    ``all_findings``: every finding on the record with the step; ``blocked``: an error is
    added and the step is dated today (it cannot be recorded); ``needs_exception``: an
    error is added to a past fact (a reason and an approver are needed).
    ``vote_rights``: VOTE-RIGHTS on the meeting date for a meeting step.
    """

    new_findings: list[Finding]
    all_findings: list[Finding]
    blocked: bool
    needs_exception: bool
    vote_rights: VoteRights | None = None
    new_errors: list[Finding] = field(default_factory=list)


@dataclass(slots=True)
class _Plan:
    person: Person
    record: DevelopmentRecord
    entry: StepEntry
    people: list[StepPerson] | None  # None: unchanged (a correction without people)
    entries: list[StepEntry]  # the record's entries after the step
    new: list[Finding]
    after: list[Finding]
    vote_rights: VoteRights | None

    @property
    def new_errors(self) -> list[Finding]:
        return errors(self.new)

    def preview(self, today: dt.date) -> StepPreview:
        errs = self.new_errors
        return StepPreview(
            new_findings=self.new,
            all_findings=self.after,
            blocked=bool(errs) and self.entry.date >= today,
            needs_exception=bool(errs) and self.entry.date < today,
            vote_rights=self.vote_rights,
            new_errors=errs,
        )


# --- validation ---------------------------------------------------------------------------


def _int(value: Any, name: str, errs: dict[str, list[str]], *, minimum: int = 0) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum or value > 32767:
        errs.setdefault(name, []).append(f"{FIELD_ZH[name]}应为不小于{minimum}的整数。")
        return None
    return value


def _date(value: Any, name: str, errs: dict[str, list[str]]) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        errs.setdefault(name, []).append(f"{FIELD_ZH[name]}应为有效日期。")
        return None
    return value


def _clean(
    step: str, data: Mapping[str, Any], *, today: dt.date, branch: Organization
) -> dict[str, Any]:
    """The fields of a step entry from ``data``, checked; raises ``InvalidInput`` naming
    every field in error (Chinese)."""
    allowed = fields_of(step)
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        names = "、".join(FIELD_ZH.get(k, k) for k in unknown)
        raise InvalidInput(
            f"{step_label_any(step)}不填写这些项目：{names}。",
            fields={k: ["该步骤没有此项。"] for k in unknown},
        )
    errs: dict[str, list[str]] = {}
    out: dict[str, Any] = {}
    day = _date(data.get("date"), "date", errs)
    if day is None and "date" not in errs:
        errs["date"] = ["请填写日期。"]
    elif day is not None and day > today:
        errs["date"] = ["日期不能晚于今天：只能登记已经发生的步骤。"]
    out["date"] = day
    out["conclusion"] = str(data.get("conclusion") or "").strip()
    if "meeting" in data:
        out["meeting"] = data["meeting"]
    if step == "activist":
        value = data.get("recommended_by") or ""
        if value not in RecommendedBy.values:
            errs["recommended_by"] = ["请选择推荐方式（党员推荐或群团组织推优）。"]
        out["recommended_by"] = value
    elif step == "political_review":
        passed = data.get("passed")
        if not isinstance(passed, bool):
            errs["passed"] = ["请选择政治审查结论（合格或不合格）。"]
        out["passed"] = passed if isinstance(passed, bool) else None
    elif step == "training":
        end = _date(data.get("end_date"), "end_date", errs)
        if end is None and "end_date" not in errs:
            errs["end_date"] = ["请填写培训结束日期。"]
        days = _int(data.get("days"), "days", errs, minimum=1)
        hours = data.get("hours")
        if hours in (None, ""):
            hours = None
        else:
            try:
                hours = Decimal(str(hours)).quantize(Decimal("0.1"))
                if hours < 0 or hours >= 10000 or isinstance(data.get("hours"), bool):
                    raise InvalidOperation
            except (InvalidOperation, ValueError):
                errs["hours"] = ["培训学时应为不小于0的数。"]
                hours = None
        if day and end:
            if end < day:
                errs["end_date"] = ["结束日期不能早于开始日期。"]
            elif end > today:
                errs["end_date"] = ["结束日期不能晚于今天。"]
            else:
                span = (end - day).days + 1
                if days is not None and days > span:
                    errs["days"] = [f"培训天数不能超过起止日期之间的{span}天。"]
                days = span if days is None else days
        out.update(end_date=end, days=days, hours=hours)
    elif step == "publicity":
        wd = _int(data.get("working_days"), "working_days", errs, minimum=1)
        if wd is None and "working_days" not in errs:
            wd = development_settings().publicity_working_days or None
            if wd is None:
                errs["working_days"] = ["请填写公示的工作日数。"]
        out["working_days"] = wd
    if step in ORG_STEPS:
        org = data.get("approving_org")
        acting = data.get("acting_org") or ""
        if org is not None and not isinstance(org, Organization):
            errs["approving_org"] = ["请选择办理的党组织。"]
            org = None
        elif org is not None and not branch.path.startswith(org.path):
            errs["approving_org"] = ["办理的党组织不存在或不是本支部的上级组织。"]
            org = None
        if not acting and org is not None and org.kind in ActingOrg.values:
            acting = org.kind
        if acting and acting not in ActingOrg.values:
            errs["acting_org"] = ["办理组织类别应为基层党委、党总支或党支部。"]
        out.update(approving_org=org, acting_org=acting)
    if step in VOTE_STEPS:
        counts = {
            name: _int(data.get(name), name, errs)
            for name in ("should_attend", "present", "in_favour", "written_in_favour")
        }
        for name in ("should_attend", "present", "in_favour"):
            if counts[name] is None and name not in errs:
                errs[name] = [f"请填写{FIELD_ZH[name]}。"]
        counts["written_in_favour"] = counts["written_in_favour"] or 0
        if not errs.keys() & set(counts):
            try:
                check_vote_counts(*counts.values())
            except ValueError as exc:
                errs["present"] = [str(exc)]
        out.update(counts)
        out["voters_note"] = str(data.get("voters_note") or "").strip()[:300]
    if step == "probation_extension":
        months = _int(data.get("months"), "months", errs, minimum=1)
        if months is None and "months" not in errs:
            errs["months"] = ["请填写延长预备期的月数。"]
        approval = _date(data.get("approval_date"), "approval_date", errs)
        if approval is not None and approval > today:
            errs["approval_date"] = ["批准日期不能晚于今天。"]
        out.update(months=months, approval_date=approval)
    if errs:
        first = next(iter(errs.values()))[0]
        raise InvalidInput(first, fields=errs)
    return out


def step_label_any(step: str) -> str:
    """``step_label`` for the 25 steps and the optional ones, and the cancellation."""
    return "「取消预备党员资格」" if step == CANCELLATION else step_label(step)


def _snapshot_people(
    person: Person, step: str, people: Sequence[Person], on: dt.date
) -> list[StepPerson]:
    """Unsaved ``StepPerson`` rows with each person's status and sanction on ``on``."""
    role = ROLE_OF_STEP[step]
    what = "培养联系人" if role == PersonRole.CONTACT else "入党介绍人"
    if not 1 <= len(people) <= 2:
        raise InvalidInput(
            f"请指定一至两名{what}。", fields={"people": [f"请指定一至两名{what}。"]}
        )
    ids = [p.pk for p in people]
    if len(set(ids)) != len(ids):
        raise InvalidInput(f"{what}不能重复。", fields={"people": [f"{what}不能重复。"]})
    if person.pk in ids:
        msg = f"{person.name}不能担任自己的{what}。"
        raise InvalidInput(msg, fields={"people": [msg]})
    statuses = statuses_on(ids, on)
    sanctions = sanctions_of(ids)
    out = []
    for i, p in enumerate(people):
        status = statuses.get(p.pk) or status_before_history(p, on)
        if status not in PERSON_STATUSES:
            msg = f"{p.name}在{zh_date(on)}为「{STATUS_ZH[status]}」，不能担任{what}。"
            raise InvalidInput(msg, fields={"people": [msg]})
        out.append(
            StepPerson(
                role=role,
                position=i,
                person=p,
                name=p.name,
                status=status,
                sanction=sanction_in_effect(sanctions.get(p.pk, []), on),
            )
        )
    return out


def _check_voters(entry: StepEntry, rights: VoteRights) -> None:
    """VOTE-RIGHTS: "should attend" is the branch's full members with voting rights on the
    meeting date, less the lawful exclusions, which must be explained."""
    n = rights.should_attend
    if entry.should_attend > n:
        msg = (
            f"应到会有表决权的正式党员{entry.should_attend}人，超过{zh_date(entry.date)}本支部"
            f"有表决权的正式党员{n}人（预备党员和受留党察看处分的党员没有表决权）。"
        )
        raise InvalidInput(msg, code="VOTE-RIGHTS", fields={"should_attend": [msg]})
    if entry.should_attend < n and not entry.voters_note:
        msg = (
            f"{zh_date(entry.date)}本支部有表决权的正式党员{n}人，应到会填写了"
            f"{entry.should_attend}人：请说明不计入应到会人数的党员及理由（经上级党组织同意并经"
            "支部大会通过的患病、自费出国半年以上、服刑、年老卧床、外出半年以上未转关系等情形）。"
        )
        raise InvalidInput(msg, code="VOTE-RIGHTS", fields={"voters_note": [msg]})


def _key(f: Finding) -> tuple[str, str, str]:
    return (f.code, f.subject, f.message)


def _timeline(record, entries, people, reports) -> Timeline:
    tracked = tracks_reports(bool(reports), ((e.step, e.source) for e in entries))
    return parse_timeline(build_timeline(record, entries, people, reports if tracked else None))


def _vote_failed(entry: StepEntry | None) -> bool:
    if entry is None or entry.should_attend is None:
        return False
    result = vote_result(
        entry.should_attend, entry.present, entry.in_favour, entry.written_in_favour
    )
    return not result.passed


def _extra_findings(entry: StepEntry, entries: list[StepEntry]) -> list[Finding]:
    """Findings outside the timeline JSON: the vote of a cancellation meeting, and an
    approval whose meeting did not pass."""
    if entry.step == CANCELLATION:
        return list(
            vote_result(
                entry.should_attend,
                entry.present,
                entry.in_favour,
                entry.written_in_favour,
                subject=CANCELLATION,
            ).findings
        )
    meeting_of = {
        "admission_approval": "admission_meeting",
        "conversion_approval": "conversion_meeting",
    }
    if entry.step in meeting_of:
        meeting = next((e for e in entries if e.step == meeting_of[entry.step]), None)
        if _vote_failed(meeting):
            return [
                Finding(
                    code="VOTE-PASS",
                    severity=Severity.ERROR,
                    message=(
                        f"{step_label(meeting.step)}（{zh_date(meeting.date)}）的表决未获通过，"
                        f"不能进行{step_label(entry.step)}。"
                    ),
                    citation=PASS_CITATION,
                    subject=entry.step,
                )
            ]
    return []


def _plan(
    *,
    actor,
    person: Person,
    step: str,
    data: Mapping[str, Any],
    people: Sequence[Person] | None,
    today: dt.date,
    lock: bool,
    correcting: StepEntry | None = None,
) -> _Plan:
    """Authorize, validate and run the rules on the record with the step (no write)."""
    people_qs = Person.objects.select_related("branch")
    records = DevelopmentRecord.objects.select_related("branch")
    if lock:
        people_qs = people_qs.select_for_update(of=("self",))
        records = records.select_for_update(of=("self",))
    person = people_qs.get(pk=person.pk)
    record = records.filter(person=person).first()
    branch = record.branch if record is not None else person.branch
    scope_for(actor).require(branch.path, Perm.DEVELOP)
    if step not in VALID_STEPS:
        raise InvalidInput(f"未知的步骤「{step}」。", fields={"step": ["未知的步骤。"]})
    if step == "application":
        if record is not None and correcting is None:
            raise DomainError(
                f"{person.name}已有发展党员记录，不能重复登记递交入党申请书；如需更正请更正该步骤。",
                code="DUPLICATE",
            )
        if record is None:
            # People already on the roll at a later stage (a roster import) have their
            # earlier steps entered as past facts; their status then moves only forward.
            if person.status not in OPENING_STATUSES or not person.is_active:
                raise DomainError(
                    f"{person.name}的政治面貌为「{STATUS_ZH[person.status]}」"
                    f"{'' if person.is_active else '且已不在册'}，"
                    "只有在册的入党申请人、入党积极分子、发展对象和预备党员才能建立发展党员记录"
                    "（正式党员的历史档案请用“导入历史记录”）。"
                )
            record = DevelopmentRecord(person=person, branch=person.branch)
    elif record is None:
        raise DomainError(f"{person.name}尚无发展党员记录：请先登记第1步「递交入党申请书」。")
    if correcting is None:
        if record.state != RecordState.OPEN:
            raise DomainError(
                f"该发展党员记录{record.get_state_display()}，不能再登记步骤；如需更正请更正已登记的步骤。"
            )
        if not person.is_active:
            raise DomainError(f"{person.name}已不在册，不能再登记发展步骤。")
    record.person = person

    entries: list[StepEntry] = []
    old_people: dict[int | None, list[StepPerson]] = defaultdict(list)
    reports: list[dt.date] = []
    if record.pk is not None:
        entries = list(StepEntry.objects.filter(record=record).order_by("step", "seq", "id"))
        for p in StepPerson.objects.filter(entry__record=record).order_by("entry_id", "position"):
            old_people[p.entry_id].append(p)
        reports = list(
            ThoughtReport.objects.filter(record=record).values_list("submitted_on", flat=True)
        )
    spec = STEP_BY_KEY.get(step)
    if correcting is None:
        same = [e for e in entries if e.step == step]
        if same and not (spec is not None and spec.repeated):
            raise DomainError(
                f"{step_label_any(step)}已登记（{zh_date(same[0].date)}），不能重复登记；"
                "如需更正请在该步骤的登记记录中选择「更正」。",
                code="DUPLICATE",
            )
        values = _clean(step, data, today=today, branch=record.branch)
        entry = StepEntry(
            record=record,
            step=step,
            seq=max((e.seq for e in same), default=-1) + 1,
            source=EntrySource.LIVE,
            recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
            **values,
        )
    else:
        current = {name: getattr(correcting, name) for name in fields_of(step)}
        if current.get("meeting") is None:
            current.pop("meeting", None)
        values = _clean(step, {**current, **data}, today=today, branch=record.branch)
        entry = copy.copy(correcting)
        for name, value in values.items():
            setattr(entry, name, value)
        _check_correction(correcting, entry, entries)

    new_people: list[StepPerson] | None = None
    if step in ROLE_OF_STEP:
        if people is not None or correcting is None:
            new_people = _snapshot_people(person, step, list(people or ()), entry.date)
        elif entry.date != correcting.date:
            # The snapshot is of the step date: take it again on the new date.
            named = [p.person for p in old_people.get(correcting.pk, []) if p.person_id]
            new_people = _snapshot_people(person, step, named, entry.date)
    elif people:
        raise InvalidInput(
            f"{step_label_any(step)}不指定人员。", fields={"people": ["该步骤不指定人员。"]}
        )

    rights = None
    if step in VOTE_STEPS:
        rights = voting_members(branch, entry.date)
        _check_voters(entry, rights)

    settings, calendar = development_settings(), db_calendar()
    after_entries = [e for e in entries if correcting is None or e.pk != correcting.pk] + [entry]
    after_people = dict(old_people)
    if new_people is not None:
        after_people[entry.pk] = new_people
    # New findings are judged as of the step's date: a deadline that has passed only since
    # then (the talk after an application recorded late) is the record being incomplete,
    # not this step breaking a rule. What the page shows is judged as of today.
    as_of = min(entry.date, today)
    try:
        t_before = _timeline(record, entries, old_people, reports)
        before = check_timeline(t_before, today=as_of, settings=settings, calendar=calendar)
    except TimelineError:
        before = []
    try:
        t_after = _timeline(record, after_entries, after_people, reports)
    except TimelineError as exc:
        raise InvalidInput(exc.message, fields={"__all__": [exc.message]}) from exc
    extra = _extra_findings(entry, after_entries)
    judged = check_timeline(t_after, today=as_of, settings=settings, calendar=calendar) + extra
    after = check_timeline(t_after, today=today, settings=settings, calendar=calendar) + extra
    seen = {_key(f) for f in before}
    if correcting is not None:
        # A past exception on this entry keeps covering the same finding.
        seen |= {(x.code, step, x.message) for x in RuleException.objects.filter(entry=correcting)}
    new = [f for f in judged if _key(f) not in seen]
    return _Plan(
        person=person,
        record=record,
        entry=entry,
        people=new_people,
        entries=after_entries,
        new=new,
        after=after,
        vote_rights=rights,
    )


def _check_correction(old: StepEntry, new: StepEntry, entries: list[StepEntry]) -> None:
    """A correction changes the data, never a status already moved: the date of a step that
    moved a status (or dated one) stays."""
    steps = {e.step for e in entries}
    fixed = old.step in STATUS_STEPS
    fixed |= old.step == "admission_meeting" and "admission_approval" in steps
    fixed |= old.step == "probation_extension" and "conversion_approval" in steps
    if not fixed:
        return
    changed = new.date != old.date
    if old.step == "probation_extension":
        changed |= new.months != old.months
    if old.step in (CANCELLATION, "admission_meeting", "conversion_meeting"):
        changed |= _vote_failed(new) != _vote_failed(old)
    if changed:
        msg = (
            f"{step_label_any(old.step)}已据以变更政治面貌或终结记录，不能更正其日期"
            "（或延长月数、表决结果）；只能更正其他内容。"
        )
        raise DomainError(msg, code="DEV-CORRECTION", fields={"date": [msg]})


def _require_exception(plan: _Plan, *, reason: str, approver, today: dt.date) -> str:
    """The discipline of new error findings: refused today; a past fact needs a written
    reason and an approver holding the approval permission on the branch."""
    errs = plan.new_errors
    if not errs:
        return ""
    if plan.entry.date >= today:
        raise RuleViolation(errs)
    reason = (reason or "").strip()
    missing: dict[str, list[str]] = {}
    if not reason:
        missing["exception_reason"] = ["请填写情况说明（为何按既往事实登记）。"]
    if approver is None:
        missing["approver"] = ["请选择批准人（具有审批权限的支部负责人或党务工作者）。"]
    elif not scope_for(approver).covers(plan.record.branch.path, Perm.APPROVE):
        missing["approver"] = [f"{approver}对本支部没有审批权限，不能批准例外登记。"]
    if missing:
        first = errs[0]
        what = "、".join(f.code for f in errs)
        raise InvalidInput(
            f"该步骤违反{what}：{first.message}（{first.citation}）登记既往事实须填写情况说明，"
            "并由具有审批权限的人批准。",
            code=first.code,
            fields=missing,
            findings=errs,
        )
    return reason


def _store_exceptions(plan: _Plan, entry: StepEntry, *, actor, reason: str, approver) -> None:
    user = actor if getattr(actor, "is_authenticated", False) else None
    rows = [
        RuleException(
            entry=entry,
            code=f.code,
            message=f.message,
            citation=f.citation[:200],
            due=f.due,
            reason=reason,
            approved_by=approver,
            recorded_by=user,
        )
        for f in plan.new_errors
    ]
    RuleException.objects.bulk_create(rows)


PIPELINE_ORDER = (
    Status.APPLICANT,
    Status.ACTIVIST,
    Status.CANDIDATE,
    Status.PROBATIONARY,
    Status.FULL,
)
OPENING_STATUSES = frozenset(PIPELINE_ORDER[:4])


# --- status moves --------------------------------------------------------------------------


def _ahead(person: Person, status: str) -> bool:
    """The roll already has ``person`` at ``status`` or later (an earlier step entered as a
    past fact for someone imported mid-way): no move, never backwards."""
    if person.status not in PIPELINE_ORDER:
        return False
    return PIPELINE_ORDER.index(person.status) >= PIPELINE_ORDER.index(status)


def _move_status(actor, plan: _Plan) -> None:
    person, entry, record = plan.person, plan.entry, plan.record
    by_step = {e.step: e for e in plan.entries}
    apply = member_services.apply_status
    reason = f"发展党员：{step_label_any(entry.step)}"
    if entry.step == "activist" and not _ahead(person, Status.ACTIVIST):
        apply(actor, person, Status.ACTIVIST, entry.date, reason=reason)
    elif entry.step == "candidate" and not _ahead(person, Status.CANDIDATE):
        apply(actor, person, Status.CANDIDATE, entry.date, reason=reason)
    elif entry.step == "admission_approval" and not _ahead(person, Status.PROBATIONARY):
        meeting = by_step.get("admission_meeting")
        if meeting is None:
            raise DomainError("尚未登记第15步「支部大会讨论」，不能审批接收预备党员。")
        apply(
            actor,
            person,
            Status.PROBATIONARY,
            meeting.date,
            reason=reason,
            admission_date=meeting.date,
        )
    elif entry.step == "conversion_approval" and not _ahead(person, Status.FULL):
        if "conversion_meeting" not in by_step:
            raise DomainError("尚未登记第23步「支部大会讨论」（转正），不能审批转正。")
        meeting = by_step.get("admission_meeting")
        admitted = meeting.date if meeting is not None else person.admission_date
        if admitted is None:
            raise DomainError("没有入党时间（接收预备党员的支部大会日期），不能审批转正。")
        months = sum(e.months or 0 for e in plan.entries if e.step == "probation_extension")
        full_since = full_membership_date(admission_date=admitted, extension_months=min(months, 12))
        apply(
            actor,
            person,
            Status.FULL,
            min(full_since, entry.date),
            reason=reason,
            full_since=full_since,
        )
    elif entry.step == CANCELLATION and not _vote_failed(entry):
        apply(actor, person, Status.PROBATION_CANCELLED, entry.date, reason=reason)
        _close(actor, record, RecordState.CANCELLED, entry.date, "取消预备党员资格")
    elif entry.step == "archiving":
        _close(actor, record, RecordState.DONE, entry.date, "材料归档")


def _close(actor, record: DevelopmentRecord, state: str, on: dt.date, reason: str) -> None:
    record.state = state
    record.closed_on = on
    record.closed_reason = reason
    as_actor(record, actor)
    record.save(update_fields=["state", "closed_on", "closed_reason"])


# --- the services --------------------------------------------------------------------------


def step_preview(
    *,
    actor,
    person: Person,
    step: str,
    data: Mapping[str, Any],
    people: Sequence[Person] = (),
    today: dt.date | None = None,
) -> StepPreview:
    """What recording ``step`` would find, without writing anything. Raises like
    ``step_record`` for a step that cannot be recorded at all (scope, input)."""
    today = today or clock.today()
    plan = _plan(
        actor=actor, person=person, step=step, data=data, people=people, today=today, lock=False
    )
    return plan.preview(today)


@transaction.atomic
def step_record(
    *,
    actor,
    person: Person,
    step: str,
    data: Mapping[str, Any],
    people: Sequence[Person] = (),
    exception_reason: str = "",
    approver=None,
    today: dt.date | None = None,
) -> StepEntry:
    """Record one step of ``person``'s development (see the module doc).

    ``data``: the step's ``StepEntry`` fields as Python values (``fields_of(step)``);
    ``people``: the contacts or introducers (``Person``). Creates the record on
    "application" (the person must be an applicant on the roll). Raises ``NotFound``
    outside the scope (``Perm.DEVELOP`` on the branch), ``InvalidInput`` for bad input and for
    a past fact breaking a rule without reason or approver, ``RuleViolation`` for a step
    done today that breaks a rule, ``DomainError`` for a step already recorded.
    The returned entry carries ``new_findings`` (what the step added, of any severity) and
    ``findings`` (the whole record as of today).
    """
    today = today or clock.today()
    plan = _plan(
        actor=actor, person=person, step=step, data=data, people=people, today=today, lock=True
    )
    reason = _require_exception(plan, reason=exception_reason, approver=approver, today=today)
    record = plan.record
    if record.pk is None:
        as_actor(record, actor)
        try:
            with transaction.atomic():
                record.save()
        except IntegrityError as exc:
            raise DomainError("该人员已有发展党员记录。", code="DUPLICATE") from exc
    entry = plan.entry
    entry.record = record
    as_actor(entry, actor)
    try:
        with transaction.atomic():
            entry.save()
    except IntegrityError as exc:
        raise DomainError(
            f"{step_label_any(step)}已登记，不能重复登记；如需更正请更正该步骤。", code="DUPLICATE"
        ) from exc
    for p in plan.people or ():
        p.entry = entry
    StepPerson.objects.bulk_create(plan.people or ())
    if reason:
        _store_exceptions(plan, entry, actor=actor, reason=reason, approver=approver)
    _move_status(actor, plan)
    record_refresh(record, today=today)
    entry.new_findings = plan.new
    entry.findings = plan.after
    return entry


@transaction.atomic
def step_correct(
    *,
    actor,
    entry: StepEntry,
    data: Mapping[str, Any],
    people: Sequence[Person] | None = None,
    exception_reason: str = "",
    approver=None,
    today: dt.date | None = None,
) -> StepEntry:
    """Correct a recorded step's data (same rule checks as recording it; the history keeps
    the old values). ``data`` holds only the fields that change; ``people`` (contacts,
    introducers) replaces the named people when given. The date of a step that moved a
    status cannot change."""
    today = today or clock.today()
    current = StepEntry.objects.select_related("record__person").get(pk=entry.pk)
    plan = _plan(
        actor=actor,
        person=current.record.person,
        step=current.step,
        data=data,
        people=people,
        today=today,
        lock=True,
        correcting=StepEntry.objects.select_for_update().get(pk=entry.pk),
    )
    reason = _require_exception(plan, reason=exception_reason, approver=approver, today=today)
    fixed = plan.entry
    as_actor(fixed, actor)
    with history_reason(fixed, "更正"):
        fixed.save()
    if plan.people is not None:
        StepPerson.objects.filter(entry=fixed).delete()
        for p in plan.people:
            p.entry = fixed
        StepPerson.objects.bulk_create(plan.people)
    if reason:
        _store_exceptions(plan, fixed, actor=actor, reason=reason, approver=approver)
    record_refresh(plan.record, today=today)
    fixed.new_findings = plan.new
    fixed.findings = plan.after
    return fixed


def _check_upload(upload: UploadedFile) -> str:
    return check_scan(upload, max_bytes=MAX_FILE_BYTES, noun="文件")


@transaction.atomic
def file_attach(*, actor, entry: StepEntry, upload: UploadedFile, title: str = "") -> StepFile:
    """Keep a scan (PDF, JPEG, PNG; at most 20MB) with a step, stored under a random name."""
    current = StepEntry.objects.select_related("record__branch").get(pk=entry.pk)
    scope_for(actor).require(current.record.branch.path, Perm.DEVELOP)
    ext = _check_upload(upload)
    original = os.path.basename(upload.name or "")[:200]
    title = (title or "").strip()[:200] or original or f"附件{ext}"
    upload.name = f"{secrets.token_hex(12)}{ext}"
    f = StepFile(
        entry=current,
        file=upload,
        title=title,
        content_type=FILE_TYPES[ext],
        size=upload.size,
        uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    f.save()
    # Files have no history table: the upload is an audit event.
    audit_event(
        actor=actor,
        action=AuditAction.IMPORT,
        subject=f"development_entry:{current.pk}",
        detail={"file": original, "size": f.size, "file_id": f.pk},
    )
    return f
