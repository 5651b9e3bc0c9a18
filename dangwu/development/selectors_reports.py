"""Every read of thought reports (思想汇报, DEV-THOUGHT-REPORT [local]) and of the contact
persons (培养联系人) of a record.

Who reads a person's reports: a user with ``Perm.VIEW`` on the record's branch (or on the
person's party group: its leader), the person themself, and the contact persons named at
the record's ``contacts_assigned`` step. Anyone else gets "not found" (404).

Which quarters are missing is the pure rule's to say (``admission.check_thought_reports``):
the quarter of the application owes nothing, every quarter that is over since then owes a
report, the quarter we are in is due by its last day, and nothing is owed after the
conversion approval.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from dangwu.core import workcal_db
from dangwu.core.errors import NotFound
from dangwu.core.findings import Finding
from dangwu.core.scope import Perm, Scope
from dangwu.development.admission import check_thought_reports, quarter_end, quarter_of
from dangwu.development.choices import PersonRole, RecordState
from dangwu.development.conf import development_settings
from dangwu.development.context import RuleContext
from dangwu.development.models import DevelopmentRecord, StepEntry, StepPerson, ThoughtReport
from dangwu.development.selectors import tracks_reports
from dangwu.development.steps import step_label
from dangwu.development.timeline import parse_timeline
from dangwu.members.choices import Status
from dangwu.members.models import Person
from dangwu.orgs.models import Organization

# Who hands in thought reports (DOMAIN.md §5, DEV-THOUGHT-REPORT).
REPORTING_STATUSES = frozenset(
    {Status.APPLICANT, Status.ACTIVIST, Status.CANDIDATE, Status.PROBATIONARY}
)
CONTACTS_STEP = "contacts_assigned"

# The state of one quarter in the grid.
HANDED_IN = "handed_in"  # at least one report dated in the quarter
MISSING = "missing"  # over, owed, none (the rule's finding)
CURRENT = "current"  # the quarter we are in, none yet: due by its last day
NOT_REQUIRED = "not_required"  # the application's quarter, before tracking, after conversion
OUTSIDE = "outside"  # before the application's quarter or after today's: an empty cell


# --- access ---------------------------------------------------------------------------------


def contacts_for(record_ids: Iterable[int]) -> dict[int, list[StepPerson]]:
    """The contact persons of each record, from its latest ``contacts_assigned`` entry, in
    their order (one query; records without contacts are left out)."""
    ids = list(record_ids)
    if not ids:
        return {}
    rows = (
        StepPerson.objects.filter(
            entry__record_id__in=ids, entry__step=CONTACTS_STEP, role=PersonRole.CONTACT
        )
        .select_related("entry")
        .order_by("entry__record_id", "-entry__date", "-entry__seq", "position")
    )
    out: dict[int, list[StepPerson]] = defaultdict(list)
    entry_of: dict[int, int] = {}
    for p in rows:
        rid = p.entry.record_id
        if entry_of.setdefault(rid, p.entry_id) == p.entry_id:
            out[rid].append(p)
    return dict(out)


def is_contact(record: DevelopmentRecord, person_id: int | None) -> bool:
    """Whether ``person_id`` is a contact person of ``record`` (one query)."""
    if person_id is None:
        return False
    return any(p.person_id == person_id for p in contacts_for([record.pk]).get(record.pk, ()))


def covers_record(scope: Scope, record: DevelopmentRecord, perm: Perm = Perm.VIEW) -> bool:
    """``perm`` on the record's branch, or (for reading) on the person's party group.
    ``record.branch`` and ``record.person.group`` must be loaded."""
    if scope.covers(record.branch.path, perm):
        return True
    group = record.person.group
    return perm == Perm.VIEW and group is not None and scope.covers(group.path, perm)


def can_read(scope: Scope, record: DevelopmentRecord) -> bool:
    """The person themself, a user with VIEW over them, or a contact person."""
    if scope.person_id is not None and scope.person_id == record.person_id:
        return True
    return covers_record(scope, record) or is_contact(record, scope.person_id)


def can_submit(scope: Scope, record: DevelopmentRecord) -> bool:
    """Hand in a report: the person themself, or ``Perm.DEVELOP`` on the branch."""
    return scope.person_id == record.person_id or scope.covers(record.branch.path, Perm.DEVELOP)


def can_comment(scope: Scope, record: DevelopmentRecord, *, contact: bool) -> bool:
    """Comment on a report: a contact person, or NOTES / EDIT on the branch; never the
    person on their own report, and only a user linked to a person (who signs it)."""
    if scope.person_id is None or scope.person_id == record.person_id:
        return False
    return (
        contact
        or scope.covers(record.branch.path, Perm.NOTES)
        or scope.covers(record.branch.path, Perm.DEVELOP)
    )


def is_reporting(record: DevelopmentRecord) -> bool:
    """An open record of a person who hands in reports (applicant … probationary)."""
    return record.state == RecordState.OPEN and record.person.status in REPORTING_STATUSES


def _records() -> QuerySet[DevelopmentRecord]:
    return DevelopmentRecord.objects.select_related("person__group", "person__branch", "branch")


# --- the quarter grid -----------------------------------------------------------------------


@dataclass(frozen=True)
class QuarterCell:
    year: int
    quarter: int
    state: str
    count: int = 0  # reports dated in the quarter

    @property
    def key(self) -> str:
        return f"{self.year}-Q{self.quarter}"

    @property
    def end(self) -> dt.date:
        return quarter_end(self.year, self.quarter)


@dataclass(frozen=True)
class QuarterYear:
    year: int
    cells: list[QuarterCell]


@dataclass(frozen=True)
class Coverage:
    """Which quarters have a report, from the start of tracking to today's quarter."""

    start: dt.date | None  # the application (or the later start of tracking)
    today: dt.date
    years: list[QuarterYear]
    missing: list[str]  # "2025-Q3", in order
    finding: Finding | None  # the rule's DEV-THOUGHT-REPORT warning, if any
    current_due: dt.date  # the last day of today's quarter

    @property
    def current(self) -> str:
        return "{}-Q{}".format(*quarter_of(self.today))

    @property
    def handed_in(self) -> list[str]:
        return [c.key for y in self.years for c in y.cells if c.state == HANDED_IN]

    @property
    def findings(self) -> list[Finding]:
        return [self.finding] if self.finding else []

    @property
    def current_state(self) -> str:
        return next(
            (c.state for y in self.years for c in y.cells if c.key == self.current), OUTSIDE
        )


def quarter_coverage(
    *,
    application: dt.date | None,
    reports: Iterable[dt.date],
    today: dt.date,
    tracking_start: dt.date | None = None,
    conversion: dt.date | None = None,
    birth_date: dt.date | None = None,
) -> Coverage:
    """The quarter grid of one person: the missing quarters are those of the pure rule
    ``check_thought_reports`` run from ``max(application, tracking_start)`` with the
    deployment's settings and the calendar table; a ``conversion`` approval ends what is
    owed. With the local rule switched off nothing is missing or due."""
    dates = sorted(reports)
    current_due = quarter_end(*quarter_of(today))
    if application is None:
        return Coverage(None, today, [], [], None, current_due)
    start = max(application, tracking_start) if tracking_start else application
    steps: dict = {"application": {"date": start.isoformat()}}
    if conversion is not None:
        steps["conversion_approval"] = {"date": conversion.isoformat()}
    timeline = parse_timeline(
        {
            "person": {"birth_date": (birth_date or dt.date(1900, 1, 1)).isoformat()},
            "steps": steps,
            "thought_reports": [{"date": d.isoformat()} for d in dates],
        }
    )
    settings = development_settings()
    context = RuleContext(today=today, settings=settings, calendar=workcal_db.calendar())
    findings = check_thought_reports(timeline, context)
    finding = findings[0] if findings else None
    missing = list(finding.data.get("quarters", [])) if finding else []
    counts: dict[tuple[int, int], int] = defaultdict(int)
    for d in dates:
        counts[quarter_of(d)] += 1
    first, now = quarter_of(application), quarter_of(today)
    years = []
    for year in range(first[0], now[0] + 1):
        cells = []
        for q in range(1, 5):
            key, n = (year, q), counts.get((year, q), 0)
            if n:
                state = HANDED_IN
            elif key < first or key > now:
                state = OUTSIDE
            elif f"{year}-Q{q}" in missing:
                state = MISSING
            elif key == now and conversion is None and settings.thought_report_quarterly:
                state = CURRENT
            else:
                state = NOT_REQUIRED
            cells.append(QuarterCell(year, q, state, n))
        years.append(QuarterYear(year, cells))
    return Coverage(start, today, years, missing, finding, current_due)


def record_coverage(
    record: DevelopmentRecord, reports: Iterable[dt.date], *, today: dt.date
) -> Coverage:
    """The quarter grid of a record (one query for its dates, one for the calendar).

    A record imported without any report and without a live step is not tracked by the
    rule (``selectors.timelines_data``); its grid starts when the record was created."""
    dates = list(reports)
    rows = list(
        StepEntry.objects.filter(
            record=record, step__in=["application", "conversion_approval"]
        ).values_list("step", "date", "source")
    )
    found = {step: day for step, day, _ in rows}
    application = found.get("application") or record.person.applied_on
    tracked = tracks_reports(bool(dates), ((step, source) for step, _, source in rows))
    tracking_start = None if tracked else timezone.localdate(record.created_at)
    return quarter_coverage(
        application=application,
        reports=dates,
        today=today,
        tracking_start=tracking_start,
        conversion=found.get("conversion_approval"),
        birth_date=record.person.birth_date,
    )


# --- pages ----------------------------------------------------------------------------------


@dataclass
class PersonReports:
    """A person's thought reports as the reader may see and act on them."""

    record: DevelopmentRecord
    person: Person
    reports: list[ThoughtReport]
    coverage: Coverage
    contacts: list[StepPerson]
    is_self: bool
    is_contact: bool
    can_submit: bool
    can_comment: bool
    reporting: bool  # the person hands in reports now (open record, reporting status)
    staff: bool  # VIEW on the record's branch: the timeline page is open to the reader


def _reports(record: DevelopmentRecord) -> list[ThoughtReport]:
    return list(
        ThoughtReport.objects.filter(record=record)
        .select_related("commented_by")
        .order_by("-submitted_on", "-id")
    )


def person_reports(scope: Scope, record: DevelopmentRecord, *, today: dt.date) -> PersonReports:
    """The reports page of a record already known to be readable (a few queries)."""
    contacts = contacts_for([record.pk]).get(record.pk, [])
    contact = scope.person_id is not None and any(p.person_id == scope.person_id for p in contacts)
    reports = _reports(record)
    coverage = record_coverage(record, [r.submitted_on for r in reports], today=today)
    reporting = is_reporting(record)
    return PersonReports(
        record=record,
        person=record.person,
        reports=reports,
        coverage=coverage,
        contacts=contacts,
        is_self=scope.person_id == record.person_id,
        is_contact=contact,
        can_submit=reporting and can_submit(scope, record),
        can_comment=can_comment(scope, record, contact=contact),
        reporting=reporting,
        staff=scope.covers(record.branch.path, Perm.VIEW),
    )


def report_list_for(scope: Scope, person_id: int, *, today: dt.date) -> PersonReports:
    """A person's reports and quarter grid; 404 outside the scope or without a record."""
    record = _records().filter(person_id=person_id).first()
    if record is None or not can_read(scope, record):
        raise NotFound()
    return person_reports(scope, record, today=today)


def report_get_for(scope: Scope, report_id: int) -> ThoughtReport:
    """One report with its record (branch, person) loaded; 404 outside the scope."""
    report = (
        ThoughtReport.objects.select_related(
            "record__branch", "record__person__group", "record__person__branch", "commented_by"
        )
        .filter(pk=report_id)
        .first()
    )
    if report is None or not can_read(scope, report.record):
        raise NotFound()
    return report


# --- the person's own page ------------------------------------------------------------------


@dataclass
class MyDevelopment:
    person: Person
    record: DevelopmentRecord | None
    last_label: str
    next_label: str
    page: PersonReports | None


def my_development(scope: Scope, *, today: dt.date) -> MyDevelopment | None:
    """The user's own development: status, last and next step (the record's cache), the
    contact persons and the reports. ``None`` for a user without a linked person."""
    if scope.person_id is None:
        return None
    person = Person.objects.select_related("branch", "group").filter(pk=scope.person_id).first()
    if person is None:
        return None
    record = _records().filter(person=person).first()
    if record is None:
        return MyDevelopment(person, None, "", "", None)
    page = person_reports(scope, record, today=today)
    last = step_label(record.last_step) if record.last_step else ""
    nxt = record.next_label or (step_label(record.next_step) if record.next_step else "")
    return MyDevelopment(person, record, last, nxt, page)


# --- organizations --------------------------------------------------------------------------


def missing_this_quarter(
    scope: Scope, org: Organization, today: dt.date
) -> list[DevelopmentRecord]:
    """Open records in ``org``'s subtree whose person hands in reports and has none dated
    in today's quarter, by branch and pinyin (one query; ``person`` and ``branch``
    loaded). 404 outside the scope; empty when the local rule is switched off."""
    scope.require(org.path, Perm.VIEW)
    if not development_settings().thought_report_quarterly:
        return []
    year, quarter = quarter_of(today)
    start = dt.date(year, 3 * quarter - 2, 1)
    handed_in = ThoughtReport.objects.filter(
        record=OuterRef("pk"), submitted_on__range=(start, quarter_end(year, quarter))
    )
    return list(
        DevelopmentRecord.objects.filter(
            state=RecordState.OPEN,
            branch__path__startswith=org.path,
            person__status__in=REPORTING_STATUSES,
            person__is_active=True,
        )
        .filter(scope.org_q(Perm.VIEW, field="branch__path"))
        .filter(~Exists(handed_in))
        .select_related("person", "branch")
        .order_by("branch__path", "person__sort_key", "person_id")
    )
