"""Reads of an organization's development work: the pipeline board (counts per stage, the
funnel, a row per child organization), a stage's people, the to-do list and the findings
report (the historical audit).

Every entry point takes a ``Scope`` and the organization; the organization must be inside
the scope (``org_get_for``), and everything read is in its subtree, so within the scope.
The board and the to-do list read the rule cache on ``DevelopmentRecord`` (next step, due
date, counts — ``services.common.records_refresh``), one aggregate query each; the findings
report runs ``check_timeline`` live over the records, a chunk at a time.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Sum,
)

from dangwu.core.errors import NotFound
from dangwu.core.findings import Finding, Severity
from dangwu.core.scope import Perm, Scope
from dangwu.core.workcal import Calendar
from dangwu.core.workcal_db import calendar as db_calendar
from dangwu.development.admission import quarter_end, quarter_of
from dangwu.development.choices import EntrySource, RecordState
from dangwu.development.conf import development_settings
from dangwu.development.context import DevelopmentSettings
from dangwu.development.models import DevelopmentRecord, RuleException, StepEntry, ThoughtReport
from dangwu.development.rules import TimelineError, check_timeline
from dangwu.development.selectors import timelines_data
from dangwu.development.steps import STEP_BY_KEY
from dangwu.members.choices import Status
from dangwu.members.models import Person
from dangwu.orgs.choices import OrgKind
from dangwu.orgs.models import Organization

# The four stages on the way in, in the order of the funnel (Person.status).
STAGES: tuple[tuple[str, str], ...] = (
    (Status.APPLICANT, "入党申请人"),
    (Status.ACTIVIST, "入党积极分子"),
    (Status.CANDIDATE, "发展对象"),
    (Status.PROBATIONARY, "预备党员"),
)
STAGE_KEYS = tuple(key for key, _ in STAGES)
# The year's results, from the dates of the approval steps.
ADMITTED, CONVERTED = "admitted", "converted"
YEAR_STEPS = {ADMITTED: "admission_approval", CONVERTED: "conversion_approval"}
STAGE_LABELS = dict(STAGES) | {ADMITTED: "今年接收预备党员", CONVERTED: "今年转为正式党员"}

SEVERITY_ZH = {Severity.ERROR: "错误", Severity.WARNING: "警示", Severity.INFO: "提示"}
SEVERITY_ORDER = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}
# A record whose rows cannot be read as a timeline is reported, not skipped.
UNREADABLE = "DEV-RECORD"

AUDIT_CHUNK = 500


def org_get_for(scope: Scope, org_id: int) -> Organization:
    """The organization of a board page: inside the scope with ``Perm.VIEW``, else 404."""
    org = Organization.objects.filter(scope.org_q(Perm.VIEW), pk=org_id).first()
    if org is None:
        raise NotFound()
    return org


def home_org(scope: Scope) -> Organization | None:
    """Where the user starts: the highest organization they hold a role on (a superuser:
    the first top-level organization). ``None`` when there is none."""
    paths = scope.paths(Perm.VIEW)
    if paths:
        top = min(paths, key=lambda p: (len(p), p))
        return Organization.objects.filter(path=top).first()
    if scope.is_superuser:
        return Organization.objects.filter(depth=1).order_by("path").first()
    return None


def step_name(subject: str) -> str:
    """The Chinese name of a finding's step (``subject``)."""
    if subject in STEP_BY_KEY:
        return STEP_BY_KEY[subject].name
    if subject == "thought_reports":
        return "思想汇报"
    return subject


# --- the subtree ------------------------------------------------------------------------------


def _people_q(org: Organization, prefix: str = "") -> Q:
    """People in ``org``'s subtree: by branch, or by group for a party group."""
    field = "group__path" if org.kind == OrgKind.PARTY_GROUP else "branch__path"
    return Q(**{f"{prefix}{field}__startswith": org.path})


def _records_q(org: Organization, prefix: str = "") -> Q:
    """Development records in ``org``'s subtree (``prefix`` reaches the record)."""
    if org.kind == OrgKind.PARTY_GROUP:
        return _people_q(org, f"{prefix}person__")
    return Q(**{f"{prefix}branch__path__startswith": org.path})


def _year_range(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def branch_choices(org: Organization) -> list[Organization]:
    """The general branches and branches below ``org`` (the filter of the to-do list and
    the findings report), in tree order. One query."""
    if org.kind in (OrgKind.BRANCH, OrgKind.PARTY_GROUP):
        return []
    return list(
        Organization.objects.filter(
            path__startswith=org.path, kind__in=(OrgKind.GENERAL_BRANCH, OrgKind.BRANCH)
        )
        .exclude(pk=org.pk)
        .order_by("path")
    )


# --- the board --------------------------------------------------------------------------------


@dataclass
class Counts:
    """The figures of one organization (or the whole subtree) on the board."""

    applicant: int = 0
    activist: int = 0
    candidate: int = 0
    probationary: int = 0
    admitted: int = 0  # admission approvals this year
    converted: int = 0  # conversion approvals this year
    open: int = 0  # open records
    overdue: int = 0  # open records past their due date
    errors: int = 0  # error findings on open records (the cache)

    def add(self, **values: int) -> None:
        for name, n in values.items():
            setattr(self, name, getattr(self, name) + n)

    def stage(self, key: str) -> int:
        return getattr(self, key)

    @property
    def stage_counts(self) -> list[int]:
        return [getattr(self, key) for key in STAGE_KEYS]


@dataclass(frozen=True)
class BoardRow:
    org: Organization
    counts: Counts


@dataclass(frozen=True)
class FunnelBar:
    key: str
    label: str
    count: int
    x: int
    y: int
    width: int
    text_y: int


@dataclass(frozen=True)
class Funnel:
    """The funnel chart as numbers for an inline SVG (no style attributes: CSP)."""

    width: int
    height: int
    bars: tuple[FunnelBar, ...]
    bar_height: int = 40

    @property
    def center(self) -> int:
        return self.width // 2


FUNNEL_WIDTH, BAR_HEIGHT, BAR_GAP, MIN_BAR = 320, 40, 8, 6


def funnel(counts: Counts) -> Funnel:
    """Centred bars, each as wide as its stage's count against the largest stage; a stage
    with people is never thinner than ``MIN_BAR``, an empty stage has no bar."""
    largest = max(counts.stage_counts) or 1
    bars = []
    for i, (key, label) in enumerate(STAGES):
        n = counts.stage(key)
        width = max(round(FUNNEL_WIDTH * n / largest), MIN_BAR) if n else 0
        y = i * (BAR_HEIGHT + BAR_GAP)
        bars.append(
            FunnelBar(
                key=key,
                label=label,
                count=n,
                x=(FUNNEL_WIDTH - width) // 2,
                y=y,
                width=width,
                text_y=y + BAR_HEIGHT // 2 + 5,
            )
        )
    height = len(STAGES) * (BAR_HEIGHT + BAR_GAP) - BAR_GAP
    return Funnel(width=FUNNEL_WIDTH, height=height, bars=tuple(bars), bar_height=BAR_HEIGHT)


@dataclass(frozen=True)
class Board:
    org: Organization
    year: int
    today: dt.date
    totals: Counts
    rows: list[BoardRow]  # one per child organization (committees and general branches)
    own: Counts | None  # records held at ``org`` itself, when it has children rows
    funnel: Funnel = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "funnel", funnel(self.totals))


def board(scope: Scope, org: Organization, *, today: dt.date) -> Board:
    """The board of ``org``: people per stage (active people by party status), this year's
    admissions and conversions (approval step dates), open, overdue and error counts of
    the open records; for a committee or general branch, the same per child organization.
    Four queries (children, people, steps, records), whatever the size of the tree."""
    scope.require(org.path, Perm.VIEW)
    with_rows = org.kind in (OrgKind.BASIC_COMMITTEE, OrgKind.GENERAL_BRANCH)
    children = (
        list(
            Organization.objects.filter(
                path__startswith=org.path, depth=org.depth + 1, dissolved_on__isnull=True
            )
            .exclude(kind=OrgKind.PARTY_GROUP)
            .order_by("path")
        )
        if with_rows
        else []
    )
    step = Organization.steplen
    by_path: dict[str, Counts] = {}

    def counts_at(path: str) -> Counts:
        key = path[: len(org.path) + step] if with_rows and len(path) > len(org.path) else ""
        return by_path.setdefault(key, Counts())

    people = (
        Person.objects.filter(_people_q(org), is_active=True, status__in=STAGE_KEYS)
        .values_list("branch__path", "status")
        .annotate(n=Count("id"))
        .order_by()
    )
    for path, status, n in people:
        counts_at(path).add(**{status: n})
    start, end = _year_range(today.year)
    approvals = StepEntry.objects.filter(
        _records_q(org, "record__"), step__in=YEAR_STEPS.values(), date__range=(start, end)
    )
    kind_of = {v: k for k, v in YEAR_STEPS.items()}
    for path, key, n in (
        approvals.values_list("record__branch__path", "step").annotate(n=Count("id")).order_by()
    ):
        counts_at(path).add(**{kind_of[key]: n})
    records = (
        DevelopmentRecord.objects.filter(_records_q(org), state=RecordState.OPEN)
        .values_list("branch__path")
        .annotate(
            n=Count("id"),
            overdue=Count("id", filter=Q(due_on__lt=today)),
            errors=Sum("error_count"),
        )
        .order_by()
    )
    for path, n, overdue, errors in records:
        counts_at(path).add(open=n, overdue=overdue, errors=errors or 0)
    totals = Counts()
    for c in by_path.values():
        totals.add(**vars(c))
    rows = [BoardRow(org=child, counts=by_path.get(child.path, Counts())) for child in children]
    own = by_path.get("") if with_rows else None
    return Board(org=org, year=today.year, today=today, totals=totals, rows=rows, own=own)


def stage_people(
    scope: Scope, org: Organization, stage: str, *, today: dt.date
) -> QuerySet[Person]:
    """The people of one stage in ``org``'s subtree with their record's cache (next step,
    due date, errors) — or, for ``admitted`` / ``converted``, the people whose approval
    falls in this year. Ordered by name; one query a page."""
    scope.require(org.path, Perm.VIEW)
    qs = Person.objects.filter(_people_q(org))
    if stage in YEAR_STEPS:
        start, end = _year_range(today.year)
        approved = StepEntry.objects.filter(
            record__person=OuterRef("pk"), step=YEAR_STEPS[stage], date__range=(start, end)
        )
        qs = qs.filter(Exists(approved))
    elif stage in STAGE_KEYS:
        qs = qs.filter(is_active=True, status=stage)
    else:
        raise ValueError(stage)
    return qs.select_related("branch", "development").order_by("sort_key", "id")


# --- the to-do list ---------------------------------------------------------------------------


def todo_list(
    scope: Scope,
    org: Organization,
    *,
    today: dt.date,
    branch: Organization | None = None,
    overdue_only: bool = False,
) -> QuerySet[DevelopmentRecord]:
    """The open records of the subtree (or of ``branch`` below it) by due date, records
    without a due date last; each with ``is_overdue``. One query a page (the cache)."""
    scope.require(org.path, Perm.VIEW)
    where = _records_q(branch or org)
    if branch is not None and not branch.path.startswith(org.path):
        raise NotFound()
    qs = DevelopmentRecord.objects.filter(where, state=RecordState.OPEN)
    if overdue_only:
        qs = qs.filter(due_on__lt=today)
    return (
        qs.select_related("person", "branch")
        .annotate(is_overdue=ExpressionWrapper(Q(due_on__lt=today), output_field=BooleanField()))
        .order_by(F("due_on").asc(nulls_last=True), "person__sort_key", "id")
    )


@dataclass(frozen=True)
class MissingReports:
    """Open records with no thought report yet this quarter (DEV-THOUGHT-REPORT)."""

    quarter: str  # 2026年第四季度
    quarter_end: dt.date
    records: list[DevelopmentRecord]
    more: bool  # there are more than shown


QUARTER_ZH = {1: "第一季度", 2: "第二季度", 3: "第三季度", 4: "第四季度"}


def missing_reports(
    scope: Scope, org: Organization, *, today: dt.date, limit: int = 50
) -> MissingReports | None:
    """People on the way (applicant to probationary member) whose record tracks thought
    reports, who applied before this quarter and have handed in none since it began.
    ``None`` when the local rule is off. One query."""
    scope.require(org.path, Perm.VIEW)
    if not development_settings().thought_report_quarterly:
        return None
    year, quarter = quarter_of(today)
    begins = dt.date(year, 3 * quarter - 2, 1)
    reports = ThoughtReport.objects.filter(record=OuterRef("pk"))
    # selectors.tracks_reports: reports, or an application recorded live.
    live = StepEntry.objects.filter(
        record=OuterRef("pk"), step="application", source=EntrySource.LIVE
    )
    applied = StepEntry.objects.filter(record=OuterRef("pk"), step="application", date__lt=begins)
    rows = list(
        DevelopmentRecord.objects.filter(
            _records_q(org),
            state=RecordState.OPEN,
            person__status__in=STAGE_KEYS,
        )
        .filter(Exists(reports) | Exists(live))
        .filter(Exists(applied))
        .exclude(Exists(reports.filter(submitted_on__gte=begins)))
        .select_related("person", "branch")
        .order_by("branch__path", "person__sort_key", "id")[: limit + 1]
    )
    return MissingReports(
        quarter=f"{year}年{QUARTER_ZH[quarter]}",
        quarter_end=quarter_end(year, quarter),
        records=rows[:limit],
        more=len(rows) > limit,
    )


# --- the findings report (historical audit) ---------------------------------------------------


@dataclass(frozen=True)
class AuditFinding:
    finding: Finding
    excepted: bool  # an approved exception (RuleException) is on file for this code

    @property
    def step(self) -> str:
        return step_name(self.finding.subject)

    @property
    def severity_zh(self) -> str:
        return SEVERITY_ZH.get(self.finding.severity, str(self.finding.severity))


@dataclass(frozen=True)
class AuditItem:
    record: DevelopmentRecord
    findings: list[AuditFinding]


@dataclass(frozen=True)
class AuditFilters:
    severity: str = ""
    code: str = ""
    branch: Organization | None = None
    source: str = ""  # "import": records holding imported steps only
    person_id: int | None = None


@dataclass
class AuditReport:
    org: Organization
    today: dt.date
    filters: AuditFilters
    items: list[AuditItem]  # people with at least one finding left by the filters
    checked: int  # records checked
    by_code: list[tuple[str, int]]  # every code found (before the code filter), most first
    by_severity: dict[str, int]

    @property
    def finding_count(self) -> int:
        return sum(len(i.findings) for i in self.items)


def _chunks(qs: QuerySet, size: int) -> Iterator[list]:
    """``qs`` (ordered by id) in lists of ``size``: keyset paging, no offset."""
    last = 0
    while True:
        chunk = list(qs.filter(id__gt=last)[:size])
        if not chunk:
            return
        yield chunk
        last = chunk[-1].id


def _findings(
    record: DevelopmentRecord, data: dict, settings: DevelopmentSettings, calendar: Calendar, today
) -> list[Finding]:
    try:
        return check_timeline(data, today=today, settings=settings, calendar=calendar)
    except TimelineError as exc:
        return [
            Finding(
                code=UNREADABLE,
                severity=Severity.ERROR,
                message=f"记录中的步骤无法读取，未能检查：{exc.message}",
                citation="",
            )
        ]


def audit_report(
    scope: Scope,
    org: Organization,
    *,
    today: dt.date,
    filters: AuditFilters = AuditFilters(),
    settings: DevelopmentSettings | None = None,
    calendar: Calendar | None = None,
    chunk: int = AUDIT_CHUNK,
) -> AuditReport:
    """Every record of the subtree (any state) checked with ``check_timeline`` now: the
    findings per person, in branch and name order. Queries: the records a chunk at a time,
    three for the timelines and one for the exceptions of each chunk, one for the calendar."""
    scope.require(org.path, Perm.VIEW)
    if filters.branch is not None and not filters.branch.path.startswith(org.path):
        raise NotFound()
    settings = settings or development_settings()
    calendar = calendar or db_calendar()
    qs = DevelopmentRecord.objects.filter(_records_q(filters.branch or org))
    if filters.person_id is not None:
        qs = qs.filter(person_id=filters.person_id)
    if filters.source == EntrySource.IMPORT:
        qs = qs.filter(
            Exists(StepEntry.objects.filter(record=OuterRef("pk"), source=EntrySource.IMPORT))
        )
    qs = qs.select_related("person", "branch").order_by("id")
    items: list[AuditItem] = []
    by_code: Counter[str] = Counter()
    by_severity: Counter[str] = Counter()
    checked = 0
    for records in _chunks(qs, chunk):
        checked += len(records)
        data = timelines_data(records)
        excepted = set(
            RuleException.objects.filter(entry__record__in=[r.id for r in records]).values_list(
                "entry__record_id", "code"
            )
        )
        for r in records:
            found = _findings(r, data[r.id], settings, calendar, today)
            if filters.severity:
                found = [f for f in found if f.severity == filters.severity]
            by_code.update(f.code for f in found)
            if filters.code:
                found = [f for f in found if f.code == filters.code]
            by_severity.update(str(f.severity) for f in found)
            if found:
                items.append(
                    AuditItem(
                        record=r,
                        findings=[AuditFinding(f, (r.id, f.code) in excepted) for f in found],
                    )
                )
    items.sort(key=lambda i: (i.record.branch.path, i.record.person.sort_key, i.record.id))
    return AuditReport(
        org=org,
        today=today,
        filters=filters,
        items=items,
        checked=checked,
        by_code=sorted(by_code.items(), key=lambda kv: (-kv[1], kv[0])),
        by_severity=dict(by_severity),
    )


def audit_rows(report: AuditReport) -> Iterator[Sequence]:
    """The report as rows: one per finding (name, branch, code, severity, step, message,
    citation, due) — the .xlsx."""
    for item in report.items:
        for af in item.findings:
            f = af.finding
            yield (
                item.record.person.name,
                item.record.branch.name,
                f.code,
                af.severity_zh,
                af.step,
                f.message,
                f.citation,
                f.due,
            )
