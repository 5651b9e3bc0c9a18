"""Attendance per member and LIFE-ABSENT-6, read in bulk from held meetings.

A person's part in a held meeting is read from their *expected* ``Attendance`` row:
present, on approved leave (``on_leave``, or a blank status with an approved leave), or
absent — a blank status without an approved leave counts as absent once the meeting is
held, and a refused or unanswered request is no leave. Guests (``expected=False``) and
planned or cancelled meetings count for nothing.

Every function takes a list of person ids and costs a fixed number of queries per chunk of
``CHUNK`` ids, whatever the number of meetings. The scoped reads for the pages are at the
end (``rate_rows``, ``absence_case_get_for``, ``absence_person_get_for``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Case, CharField, Count, Q, Value, When
from django.db.models.functions import ExtractMonth, ExtractYear

from dangwu.core.dates import add_months
from dangwu.core.errors import NotFound
from dangwu.core.findings import Finding, Severity
from dangwu.core.scope import Perm, Scope
from dangwu.meetings import rules
from dangwu.meetings.choices import AbsenceResolution, AttendanceStatus, LeaveState, MeetingStatus
from dangwu.meetings.compliance import compliance_settings
from dangwu.meetings.models import AbsenceCase, Attendance
from dangwu.members.choices import MEMBER_STATUSES
from dangwu.members.models import Person
from dangwu.orgs.choices import OrgKind
from dangwu.orgs.models import Organization

# Ids per query: well under SQLite's limit on bound parameters.
CHUNK = 900
# Months read back for a run of absences; a run reaching further is read again in full.
ABSENCE_WINDOW = 24

_PRESENT = AttendanceStatus.PRESENT.value
_ON_LEAVE = AttendanceStatus.ON_LEAVE.value
_ABSENT = AttendanceStatus.ABSENT.value
_APPROVED = LeaveState.APPROVED.value
# An approved leave excuses, whether or not the status was filled in.
_LEAVE_Q = Q(status=_ON_LEAVE) | Q(status="", leave_state=_APPROVED)
_EFFECTIVE = Case(
    When(status=_PRESENT, then=Value(_PRESENT)),
    When(_LEAVE_Q, then=Value(_ON_LEAVE)),
    default=Value(_ABSENT),
    output_field=CharField(),
)


def _chunks(ids: Iterable[int]) -> Iterator[list[int]]:
    ids = sorted(set(ids))
    for i in range(0, len(ids), CHUNK):
        yield ids[i : i + CHUNK]


def _held_rows(ids: list[int]):
    return Attendance.objects.filter(
        person_id__in=ids, expected=True, meeting__status=MeetingStatus.HELD
    ).order_by()


def _month_start(d: dt.date) -> dt.date:
    return d.replace(day=1)


# --- Attendance rate ------------------------------------------------------------------------


def attendance_rates(
    people_ids: Iterable[int], *, year: int, today: dt.date
) -> dict[int, Decimal | None]:
    """出席率 of each person over the held meetings of ``year`` up to ``today``:
    present ÷ (expected − approved leave) (``rules.attendance_rate``). ``None`` when they
    were expected at nothing (or excused from everything). One query per chunk."""
    out: dict[int, Decimal | None] = {}
    first, last = dt.date(year, 1, 1), min(dt.date(year, 12, 31), today)
    for ids in _chunks(people_ids):
        for pid in ids:
            out[pid] = None
        if last < first:
            continue
        counts = (
            _held_rows(ids)
            .filter(meeting__date__range=(first, last))
            .values("person_id")
            .annotate(
                expected=Count("id"),
                present=Count("id", filter=Q(status=_PRESENT)),
                on_leave=Count("id", filter=_LEAVE_Q),
            )
        )
        for row in counts:
            out[row["person_id"]] = rules.attendance_rate(
                row["present"], row["expected"], row["on_leave"]
            )
    return out


# --- Months of attendance and LIFE-ABSENT-6 ----------------------------------------------


def month_attendance(
    people_ids: Iterable[int], *, today: dt.date, months: int | None = 12
) -> dict[int, list[rules.MonthAttendance]]:
    """Each person's months with a held meeting they were expected at, oldest first, from
    ``months`` months before this month up to ``today`` (``None``: from the first meeting).
    A month's status folds its meetings (``rules.month_status``). One query per chunk."""
    out: dict[int, list[rules.MonthAttendance]] = {}
    start = None if months is None else add_months(_month_start(today), -months)
    for ids in _chunks(people_ids):
        rows = _held_rows(ids).filter(meeting__date__lte=today)
        if start is not None:
            rows = rows.filter(meeting__date__gte=start)
        found = (
            rows.annotate(
                y=ExtractYear("meeting__date"), m=ExtractMonth("meeting__date"), eff=_EFFECTIVE
            )
            .values_list("person_id", "y", "m", "eff")
            .distinct()
        )
        statuses: dict[int, dict[tuple[int, int], list[str]]] = defaultdict(
            lambda: defaultdict(list)
        )
        for pid, y, m, eff in found:
            statuses[pid][(y, m)].append(eff)
        for pid in ids:
            by_month = statuses.get(pid, {})
            out[pid] = [
                rules.MonthAttendance(y, m, rules.month_status(by_month[(y, m)]))
                for y, m in sorted(by_month)
            ]
    return out


@dataclass(frozen=True)
class AbsenceState:
    """A person's latest run of absent months and the LIFE-ABSENT-6 findings about it."""

    run: rules.AbsenceRun
    findings: list[Finding]

    @property
    def is_error(self) -> bool:
        return any(f.severity == Severity.ERROR for f in self.findings)


def absence_states(people_ids: Iterable[int], *, today: dt.date) -> dict[int, AbsenceState]:
    """LIFE-ABSENT-6 for each person (``rules.absence_findings``), subject ``person:<id>``.

    Reads ``ABSENCE_WINDOW`` months; the few people whose run reaches back to the window's
    first month are read again without a limit, so a long run is counted in full."""
    conf = compliance_settings()
    ids = sorted(set(people_ids))
    months = month_attendance(ids, today=today, months=ABSENCE_WINDOW)
    window_start = add_months(_month_start(today), -ABSENCE_WINDOW)
    runs = {pid: rules.consecutive_absent_months(months[pid], today) for pid in ids}
    longer = [
        pid for pid, r in runs.items() if r.first is not None and r.first.start <= window_start
    ]
    if longer:
        months.update(month_attendance(longer, today=today, months=None))
        for pid in longer:
            runs[pid] = rules.consecutive_absent_months(months[pid], today)
    out = {}
    for pid in ids:
        findings = rules.absence_findings(months=months[pid], today=today, settings=conf)
        out[pid] = AbsenceState(
            run=runs[pid],
            findings=[dataclasses.replace(f, subject=f"person:{pid}") for f in findings],
        )
    return out


def absence_for(people_ids: Iterable[int], *, today: dt.date) -> dict[int, list[Finding]]:
    """LIFE-ABSENT-6 findings per person id (empty list: nothing to say)."""
    return {pid: s.findings for pid, s in absence_states(people_ids, today=today).items()}


# --- Scoped reads for the pages -------------------------------------------------------------


RATE_ORG_KINDS = {OrgKind.BRANCH, OrgKind.PARTY_GROUP}


@dataclass
class RateRow:
    """One member on the attendance page."""

    person: Person
    rate: Decimal | None
    absence: AbsenceState
    open_case: AbsenceCase | None
    last_case: AbsenceCase | None  # the latest decided case

    @property
    def months(self) -> int:
        return self.absence.run.months

    @property
    def percent(self) -> str:
        if self.rate is None:
            return ""
        return f"{(self.rate * 100).quantize(Decimal('0.1'))}%"

    @property
    def can_open(self) -> bool:
        return self.open_case is None and self.absence.is_error


def rate_org_get(scope: Scope, org_id: int) -> Organization:
    """A branch or party group the user may see; else 404."""
    org = Organization.objects.filter(pk=org_id, kind__in=RATE_ORG_KINDS).first()
    if org is None or not scope.covers(org.path, Perm.VIEW):
        raise NotFound()
    return org


def _members(org: Organization):
    where = Q(is_active=True, status__in=MEMBER_STATUSES)
    if org.kind == OrgKind.PARTY_GROUP:
        return Person.objects.filter(where, group=org)
    return Person.objects.filter(where, branch=org)


def rate_rows(scope: Scope, org: Organization, *, year: int, today: dt.date) -> list[RateRow]:
    """The members of a branch or group with their year's attendance rate and their
    LIFE-ABSENT-6 state and cases, in roll order. A fixed number of queries."""
    scope.require(org.path, Perm.VIEW)
    people: Sequence[Person] = list(
        _members(org).select_related("branch", "group").order_by("sort_key", "id")
    )
    ids = [p.pk for p in people]
    rates = attendance_rates(ids, year=year, today=today)
    states = absence_states(ids, today=today)
    open_cases: dict[int, AbsenceCase] = {}
    last_cases: dict[int, AbsenceCase] = {}
    for chunk in _chunks(ids):
        for case in AbsenceCase.objects.filter(person_id__in=chunk).order_by("opened_on", "id"):
            if case.resolution == AbsenceResolution.OPEN:
                open_cases[case.person_id] = case
            else:
                last_cases[case.person_id] = case
    return [
        RateRow(
            person=p,
            rate=rates[p.pk],
            absence=states[p.pk],
            open_case=open_cases.get(p.pk),
            last_case=last_cases.get(p.pk),
        )
        for p in people
    ]


def _handling_q(scope: Scope, prefix: str = "") -> Q:
    return scope.person_q(Perm.EDIT, prefix=prefix) | scope.person_q(Perm.APPROVE, prefix=prefix)


def absence_person_get_for(scope: Scope, person_id: int) -> Person:
    """A person whose absence the user may handle (EDIT or APPROVE over them); else 404."""
    person = (
        Person.objects.filter(_handling_q(scope), pk=person_id)
        .select_related("branch", "group")
        .first()
    )
    if person is None:
        raise NotFound()
    return person


def absence_case_get_for(scope: Scope, case_id: int) -> AbsenceCase:
    """An absence case of a member the user may decide on (APPROVE); else 404."""
    case = (
        AbsenceCase.objects.filter(scope.person_q(Perm.APPROVE, prefix="person__"), pk=case_id)
        .select_related("person", "person__branch", "person__group")
        .first()
    )
    if case is None:
        raise NotFound()
    return case
