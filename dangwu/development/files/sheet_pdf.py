"""A person's development record sheet (发展党员纪实表) as a printable PDF (WeasyPrint).

The sheet as it is filed with the person's papers: the person's particulars, the 25 steps
in their 5 stages with the date and the data of each (the recommendation, the contact
persons and introducers with their status on the date, the political-review conclusion,
the training, the publicity window, the votes, the approving organization, an
extension), who recorded each; the rule findings on the print date and the exceptions
kept on past facts (reason and approver); the signature lines. Where WeasyPrint's system
libraries are missing, ``PdfUnavailable`` (shared with the dues and meetings files) names
the Debian packages to install and the page says so.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.template.loader import render_to_string

from dangwu.core.audit import audit_event
from dangwu.core.errors import NotFound
from dangwu.core.findings import Finding, Severity
from dangwu.core.models import AuditAction
from dangwu.core.scope import Perm, Scope
from dangwu.core.workcal import CalendarDataMissing
from dangwu.core.workcal_db import calendar as db_calendar
from dangwu.development.admission import publicity_end
from dangwu.development.choices import CANCELLATION, EntrySource
from dangwu.development.conf import development_settings
from dangwu.development.context import ORG_ZH, RECOMMENDED_ZH, RuleContext
from dangwu.development.models import DevelopmentRecord, RuleException, StepEntry
from dangwu.development.rules import check_timeline, parse_timeline
from dangwu.development.selectors import build_timeline
from dangwu.development.steps import STAGE_ZH, STEP_BY_KEY, STEPS, Stage, step_label
from dangwu.meetings.files.pdf import SYSTEM_PACKAGES, PdfUnavailable, weasyprint
from dangwu.members.choices import SanctionKind, Status

__all__ = [
    "SYSTEM_PACKAGES",
    "PdfUnavailable",
    "record_for_sheet",
    "sheet_context",
    "sheet_html",
    "sheet_pdf",
]

SEVERITY_ZH = {Severity.ERROR: "错误", Severity.WARNING: "提醒", Severity.INFO: "提示"}
STATUS_ZH = dict(Status.choices)
SANCTION_ZH = dict(SanctionKind.choices)


def _day(d: dt.date | None) -> str:
    return f"{d.year}年{d.month}月{d.day}日" if d else ""


def _num(value: Decimal | float | int) -> str:
    """24.0 → 24, 24.5 → 24.5 (class hours)."""
    value = Decimal(str(value))
    return str(int(value)) if value == value.to_integral_value() else str(value)


def _subject(subject: str) -> str:
    """A finding's step as printed (``第9步「确定入党介绍人」``; the thought reports)."""
    if subject in STEP_BY_KEY:
        return step_label(subject)
    return "思想汇报" if subject == "thought_reports" else ""


def _who(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.username


@dataclass
class EntryView:
    """One dated entry of a step as printed: the date, its data, who recorded it."""

    entry: StepEntry
    date: str
    details: list[str]
    recorded_by: str
    imported: bool


@dataclass
class StepRow:
    number: int | None
    key: str
    name: str
    entries: list[EntryView] = field(default_factory=list)

    @property
    def label(self) -> str:
        return str(self.number) if self.number is not None else "—"


@dataclass
class StageRows:
    stage: Stage
    name: str
    rows: list[StepRow]


@dataclass
class FindingView:
    finding: Finding
    severity: str
    step: str
    due: str


def record_for_sheet(scope: Scope, person_id: int) -> DevelopmentRecord:
    """The development record of ``person_id`` if ``scope`` may read it: VIEW on the
    record's branch, or the person themself. Else (or without a record) ``NotFound``."""
    record = (
        DevelopmentRecord.objects.select_related(
            "person", "person__branch", "person__group", "branch"
        )
        .filter(person_id=person_id)
        .first()
    )
    if record is None:
        raise NotFound()
    person = record.person
    in_group = person.group_id is not None and scope.covers(person.group.path, Perm.VIEW)
    if not (
        scope.covers(record.branch.path, Perm.VIEW) or scope.person_id == person_id or in_group
    ):
        raise NotFound()
    return record


def _people_text(entry: StepEntry) -> str:
    parts = []
    for p in entry.people.all():  # prefetched, ordered by position
        facts = STATUS_ZH.get(p.status, p.status)
        if p.sanction:
            facts += f"，{SANCTION_ZH.get(p.sanction, p.sanction)}"
        parts.append(f"{p.name}（{facts}）")
    return "、".join(parts)


def _vote_text(e: StepEntry) -> str:
    text = (
        f"应到会有表决权党员{e.should_attend}人，实到{e.present}人，"
        f"赞成{e.in_favour}票，书面赞成意见{e.written_in_favour}份"
    )
    if e.voters_note:
        text += f"（{e.voters_note}）"
    return text


def _details(e: StepEntry, *, publicity_last: dt.date | None, calendar_missing: bool) -> list[str]:
    out: list[str] = []
    if e.recommended_by:
        out.append(f"推荐方式：{RECOMMENDED_ZH.get(e.recommended_by, e.recommended_by)}")
    if e.step == "contacts_assigned":
        out.append(f"培养联系人：{_people_text(e) or '未登记'}")
    elif e.step == "introducers":
        out.append(f"入党介绍人：{_people_text(e) or '未登记'}")
    if e.step == "political_review" or e.passed is not None:
        verdict = {True: "合格", False: "不合格", None: "未登记"}[e.passed]
        out.append(f"政审结论：{verdict}")
    if e.step == "training":
        period = f"{_day(e.date)}至{_day(e.end_date or e.date)}"
        facts = [f"{e.days}天"] if e.days is not None else []
        if e.hours is not None:
            facts.append(f"{_num(e.hours)}学时")
        out.append(f"培训时间：{period}" + (f"，{'，'.join(facts)}" if facts else ""))
    if e.step == "publicity":
        days = f"{e.working_days}个工作日" if e.working_days else "工作日数未登记"
        text = f"公示：自{_day(e.date)}起{days}"
        if publicity_last is not None:
            text += f"，至{_day(publicity_last)}止"
        elif calendar_missing:
            text += "（未载入该年节假日安排，无法计算公示截止日期）"
        out.append(text)
    if e.acting_org or e.approving_org_id:
        org = ORG_ZH.get(e.acting_org, "")
        if e.approving_org_id:
            org = f"{e.approving_org.name}（{org}）" if org else e.approving_org.name
        out.append(f"办理的党组织：{org}")
    if e.should_attend is not None:
        out.append(f"表决：{_vote_text(e)}")
    if e.months is not None:
        text = f"延长预备期{e.months}个月"
        if e.approval_date:
            text += f"，{_day(e.approval_date)}批准"
        out.append(text)
    if e.meeting_id:
        out.append(f"会议记录：{e.meeting.topic}")
    if e.conclusion:
        out.append(f"{'政审结论材料' if e.step == 'political_review' else '说明'}：{e.conclusion}")
    files = len(e.files.all())
    if files:
        out.append(f"附件{files}份")
    return out


def sheet_context(record: DevelopmentRecord, *, today: dt.date) -> dict:
    """What the sheet shows (the template only lays it out). A handful of queries."""
    entries = list(
        StepEntry.objects.filter(record=record)
        .select_related("recorded_by", "approving_org", "meeting")
        .prefetch_related("people", "files")
        .order_by("date", "step", "seq", "id")
    )
    reports = list(record.thought_reports.values_list("submitted_on", flat=True))
    people = {e.id: list(e.people.all()) for e in entries}
    tracked = bool(reports) or any(e.source == EntrySource.LIVE for e in entries)
    data = build_timeline(record, entries, people, reports if tracked else None)
    settings, calendar = development_settings(), db_calendar()
    timeline = parse_timeline(data)
    findings = check_timeline(timeline, today=today, settings=settings, calendar=calendar)
    try:
        last = publicity_end(timeline, RuleContext(today, settings, calendar))
        missing = False
    except CalendarDataMissing:
        last, missing = None, True

    by_step: dict[str, list[StepEntry]] = defaultdict(list)
    for e in entries:
        by_step[e.step].append(e)
    stages: list[StageRows] = []
    for step in STEPS:
        if step.key == "probation_extension" and not by_step[step.key]:
            continue
        row = StepRow(step.number, step.key, step.name)
        for e in sorted(by_step[step.key], key=lambda e: (e.seq, e.date)):
            row.entries.append(
                EntryView(
                    entry=e,
                    date=_day(e.date),
                    details=_details(e, publicity_last=last, calendar_missing=missing),
                    recorded_by=_who(e.recorded_by),
                    imported=e.source == EntrySource.IMPORT,
                )
            )
        if not stages or stages[-1].stage != step.stage:
            stages.append(StageRows(step.stage, STAGE_ZH[step.stage], []))
        stages[-1].rows.append(row)
    cancellation = [
        EntryView(
            entry=e,
            date=_day(e.date),
            details=_details(e, publicity_last=None, calendar_missing=False),
            recorded_by=_who(e.recorded_by),
            imported=e.source == EntrySource.IMPORT,
        )
        for e in by_step[CANCELLATION]
    ]
    exceptions = list(
        RuleException.objects.filter(entry__record=record)
        .select_related("entry", "approved_by", "recorded_by")
        .order_by("entry__date", "id")
    )
    person = record.person
    facts = [
        ("姓名", person.name),
        ("性别", person.get_sex_display()),
        ("出生日期", _day(person.birth_date)),
        ("民族", person.get_ethnicity_display()),
        ("学历", person.get_education_display() or ""),
        ("工作单位或班级", person.work_unit),
        ("所在党支部", record.branch.name),
        ("当前政治面貌", person.get_status_display()),
    ]
    return {
        "record": record,
        "person": person,
        "branch": record.branch,
        "stages": stages,
        "cancellation": cancellation,
        "findings": [
            FindingView(
                finding=f,
                severity=SEVERITY_ZH.get(f.severity, str(f.severity)),
                step=_subject(f.subject),
                due=_day(f.due),
            )
            for f in findings
        ],
        "exceptions": [
            {
                "step": _subject(x.entry.step),
                "code": x.code,
                "message": x.message,
                "citation": x.citation,
                "reason": x.reason,
                "approver": _who(x.approved_by),
                "recorded": _day(x.recorded_at.date()),
            }
            for x in exceptions
        ],
        "thought_reports": len(reports),
        "facts": facts,
        "fact_rows": [facts[i : i + 2] for i in range(0, len(facts), 2)],
        "today": today,
        "today_label": _day(today),
    }


def sheet_html(record: DevelopmentRecord, *, today: dt.date) -> str:
    return render_to_string("development/sheet_pdf.html", sheet_context(record, today=today))


def sheet_pdf(record: DevelopmentRecord, *, today: dt.date, actor, ip=None) -> tuple[bytes, str]:
    """The PDF bytes of ``record``'s sheet and its file name. The library is loaded first,
    so a server without it answers before any work is done."""
    wp = weasyprint()
    pdf = wp.HTML(string=sheet_html(record, today=today)).write_pdf()
    audit_event(
        actor=actor,
        action=AuditAction.PRINT,
        subject=f"person:{record.person_id}",
        detail={"kind": "development_sheet_pdf", "record": record.pk},
        ip=ip,
    )
    return pdf, f"{record.person.name}发展党员纪实表.pdf"
