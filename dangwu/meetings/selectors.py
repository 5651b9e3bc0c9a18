"""Every read about meetings that a page needs; each takes a ``Scope`` (or, for the shared
contract ``expected_people``, the organization itself).

Who may see a meeting: a role covering its organization, or the member who is on its
attendance list (a member without a role sees their own meetings). Anything else is
``NotFound`` — the same answer as a meeting that does not exist.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, QuerySet

from dangwu.core.errors import NotFound
from dangwu.core.findings import Finding
from dangwu.core.scope import Perm, Scope
from dangwu.development.votes import vote_result
from dangwu.meetings import rules
from dangwu.meetings.choices import (
    AttendanceStatus,
    LeaveState,
    MeetingKind,
    MeetingStatus,
)
from dangwu.meetings.models import Attendance, Meeting, MeetingFile, Resolution
from dangwu.members.choices import MEMBER_STATUSES, Status
from dangwu.members.models import Person
from dangwu.orgs.choices import COMMITTEE_POSTS, OrgKind
from dangwu.orgs.models import Organization

# The organizations that hold meetings, and the kinds each may hold.
MEETING_ORG_KINDS = (OrgKind.BRANCH, OrgKind.PARTY_GROUP)
GROUP_KINDS = (MeetingKind.GROUP_MEETING, MeetingKind.STUDY_SESSION)
BRANCH_KINDS = tuple(k for k in MeetingKind if k != MeetingKind.GROUP_MEETING)


def kinds_for(org: Organization) -> tuple[MeetingKind, ...]:
    """Kinds of meeting ``org`` holds: a party group its group meeting and study
    sessions; a branch everything else; other organizations none (their members' life
    is in their branches)."""
    if org.kind == OrgKind.PARTY_GROUP:
        return GROUP_KINDS
    if org.kind == OrgKind.BRANCH:
        return BRANCH_KINDS
    return ()


# --- who is expected (the contract shared with the other helpers) ------------------------


def _on(prefix: str, on: dt.date) -> Q:
    """Rows current on ``on``: started on or before, not yet ended (an end is exclusive)."""
    return Q(**{f"{prefix}started_on__lte": on}) & (
        Q(**{f"{prefix}ended_on__isnull": True}) | Q(**{f"{prefix}ended_on__gt": on})
    )


def expected_people_q(meeting_org: Organization, kind: str, on: dt.date) -> Q:
    """The filter behind ``expected_people`` (for callers that count or page)."""
    if kind == MeetingKind.COMMITTEE_MEETING:
        return Q(
            _on("posts__", on),
            posts__organization=meeting_org,
            posts__kind__in=list(COMMITTEE_POSTS),
            is_active=True,
        )
    where = Q(is_active=True, status__in=list(MEMBER_STATUSES)) & _on("memberships__", on)
    if kind == MeetingKind.GROUP_MEETING or meeting_org.kind == OrgKind.PARTY_GROUP:
        return where & Q(memberships__group=meeting_org)
    return where & Q(memberships__branch=meeting_org)


def expected_people(meeting_org: Organization, kind: str, on: dt.date) -> list[Person]:
    """Who should attend (应到): for a committee meeting the holders of a committee post
    on the organization on ``on``; for a group meeting (or a group's study session) the
    active probationary and full members of the group on ``on``; otherwise those of the
    branch. In roster order."""
    ids = (
        Person.objects.filter(expected_people_q(meeting_org, kind, on))
        .values_list("pk", flat=True)
        .distinct()
    )
    return list(Person.objects.filter(pk__in=list(ids)).order_by("sort_key", "id"))


def branch_of(org: Organization) -> Organization:
    """The branch a meeting's people belong to (a group's parent branch)."""
    if org.kind == OrgKind.PARTY_GROUP:
        return Organization.objects.get_parent(org)
    return org


def roster(org: Organization) -> QuerySet[Person]:
    """People on the roll of the meeting organization's branch (host, recorder, speaker)."""
    return Person.objects.filter(branch=branch_of(org), is_active=True).order_by("sort_key", "id")


# --- organizations ------------------------------------------------------------------------


def org_get_for(scope: Scope, org_id: int, perm: Perm = Perm.VIEW) -> Organization:
    """An organization that holds meetings and on which the user holds ``perm``; else 404."""
    org = Organization.objects.filter(pk=org_id, kind__in=MEETING_ORG_KINDS).first()
    if org is None or not scope.covers(org.path, perm):
        raise NotFound()
    return org


def meeting_orgs(scope: Scope) -> QuerySet[Organization]:
    """The branches and groups in the user's scope, in tree order."""
    return Organization.objects.filter(
        scope.org_q(Perm.VIEW), kind__in=MEETING_ORG_KINDS, dissolved_on__isnull=True
    ).order_by("path")


def overseen_orgs(scope: Scope) -> list[Organization]:
    """The general branches and committees at the top of the user's scope: their pages are
    the compliance table of the branches below (a superuser: the top-level organizations)."""
    qs = Organization.objects.filter(dissolved_on__isnull=True).exclude(kind__in=MEETING_ORG_KINDS)
    if scope.is_superuser:
        return list(qs.filter(depth=1).order_by("path"))
    return list(qs.filter(path__in=scope.paths(Perm.VIEW)).order_by("path"))


def month_meetings(orgs: list[Organization], month: dt.date) -> dict[int, list[Meeting]]:
    """Meetings of ``month`` for each organization of ``orgs`` (one query)."""
    first = month.replace(day=1)
    last = (first + dt.timedelta(days=32)).replace(day=1)
    out: dict[int, list[Meeting]] = defaultdict(list)
    rows = Meeting.objects.filter(
        organization__in=[o.pk for o in orgs], date__gte=first, date__lt=last
    ).order_by("date", "starts_at", "id")
    for m in rows:
        out[m.organization_id].append(m)
    return out


# --- lists -----------------------------------------------------------------------------------


def with_counts(qs: QuerySet[Meeting]) -> QuerySet[Meeting]:
    """Annotate 应到 / 实到 / 请假 (among those expected)."""
    exp = Q(attendance__expected=True)
    return qs.annotate(
        n_expected=Count("attendance", filter=exp),
        n_present=Count("attendance", filter=exp & Q(attendance__status=AttendanceStatus.PRESENT)),
        n_leave=Count("attendance", filter=exp & Q(attendance__status=AttendanceStatus.ON_LEAVE)),
    )


def meeting_list(scope: Scope, org: Organization, filters: dict | None = None) -> QuerySet[Meeting]:
    """Meetings of ``org`` and of the groups under it, newest first. ``filters``: ``kind``
    (a ``MeetingKind`` value) and ``year``."""
    if not scope.covers(org.path, Perm.VIEW):
        raise NotFound()
    filters = filters or {}
    qs = Meeting.objects.filter(organization__path__startswith=org.path).select_related(
        "organization"
    )
    if filters.get("kind"):
        qs = qs.filter(kind=filters["kind"])
    if filters.get("year"):
        qs = qs.filter(date__year=filters["year"])
    return with_counts(qs).order_by("-date", "-starts_at", "-id")


def _visible_q(scope: Scope, perm: Perm) -> Q:
    if scope.is_superuser:
        return Q()  # ``Q() | q`` would be ``q`` alone
    q = scope.org_q(perm, field="organization__path")
    if perm == Perm.VIEW and scope.person_id is not None:
        q |= Q(attendance__person_id=scope.person_id)
    return q


def meeting_get_for(scope: Scope, pk: int, perm: Perm = Perm.VIEW) -> Meeting:
    """A meeting the user may see (VIEW: a role over it, or being on its list) or act on
    with ``perm``; else 404."""
    ids = Meeting.objects.filter(_visible_q(scope, perm), pk=pk).values("pk")
    m = (
        Meeting.objects.filter(pk__in=ids)
        .select_related("organization", "host", "recorder", "speaker", "minutes_approved_by")
        .first()
    )
    if m is None:
        raise NotFound()
    return m


def can(scope: Scope, meeting: Meeting, perm: Perm) -> bool:
    return scope.covers(meeting.organization.path, perm)


# --- one meeting -----------------------------------------------------------------------------


@dataclass
class ResolutionView:
    resolution: Resolution
    findings: list[Finding]


@dataclass
class MeetingDetail:
    meeting: Meeting
    attendance: list[Attendance]
    resolutions: list[ResolutionView]
    files: list[MeetingFile]
    mine: Attendance | None  # the user's own row
    can_life: bool  # plan and record
    can_approve: bool  # approve the minutes
    expected: int = 0
    present: int = 0
    on_leave: int = 0
    absent: int = 0
    unrecorded: int = 0
    guests: int = 0
    leave_requests: list[Attendance] = field(default_factory=list)

    @property
    def rate(self) -> Decimal | None:
        return rules.attendance_rate(self.present, self.expected, self.on_leave)

    @property
    def rate_percent(self) -> Decimal | None:
        rate = self.rate
        return None if rate is None else (rate * 100).quantize(Decimal("0.1"))


def resolution_findings(r: Resolution) -> list[Finding]:
    """The VOTE-* findings of a stored vote (recomputed: the rules are pure)."""
    try:
        result = vote_result(
            r.should_attend,
            r.present,
            r.in_favour,
            r.written_in_favour,
            subject=f"resolution:{r.pk}",
        )
    except ValueError:
        return []
    return list(result.findings)


def attendance_rows(meeting: Meeting) -> list[Attendance]:
    return list(
        meeting.attendance.select_related("person", "leave_decided_by").order_by(
            "-expected", "person__sort_key", "person_id"
        )
    )


def meeting_detail(scope: Scope, pk: int) -> MeetingDetail:
    """Everything the detail page shows, in a fixed number of queries."""
    m = meeting_get_for(scope, pk)
    rows = attendance_rows(m)
    detail = MeetingDetail(
        meeting=m,
        attendance=rows,
        resolutions=[ResolutionView(r, resolution_findings(r)) for r in m.resolutions.all()],
        files=list(m.files.all()),
        mine=next((a for a in rows if a.person_id == scope.person_id), None),
        can_life=can(scope, m, Perm.LIFE),
        can_approve=can(scope, m, Perm.APPROVE),
    )
    for a in rows:
        if not a.expected:
            detail.guests += 1
            continue
        detail.expected += 1
        if a.status == AttendanceStatus.PRESENT:
            detail.present += 1
        elif a.status == AttendanceStatus.ON_LEAVE:
            detail.on_leave += 1
        elif a.status == AttendanceStatus.ABSENT:
            detail.absent += 1
        else:
            detail.unrecorded += 1
    detail.leave_requests = [a for a in rows if a.leave_state == LeaveState.REQUESTED]
    return detail


def vote_defaults(meeting: Meeting) -> dict[str, int]:
    """Initial counts for a vote: full members expected (应到) and present (实到). The
    recorder corrects them for those without voting rights (VOTE-RIGHTS)."""
    full = meeting.attendance.filter(expected=True, person__status=Status.FULL)
    counts = full.aggregate(
        should=Count("id"), present=Count("id", filter=Q(status=AttendanceStatus.PRESENT))
    )
    return {"should_attend": counts["should"], "present": counts["present"]}


def attendance_get_for(scope: Scope, attendance_id: int, perm: Perm) -> Attendance:
    """An attendance row of a meeting on which the user holds ``perm``; else 404."""
    a = (
        Attendance.objects.filter(
            scope.org_q(perm, field="meeting__organization__path"), pk=attendance_id
        )
        .select_related("meeting__organization", "person")
        .first()
    )
    if a is None:
        raise NotFound()
    return a


def my_attendance(scope: Scope, pk: int) -> Attendance:
    """The user's own row at meeting ``pk`` (to ask for leave); else 404."""
    if scope.person_id is None:
        raise NotFound()
    a = (
        Attendance.objects.filter(meeting_id=pk, person_id=scope.person_id)
        .select_related("meeting__organization", "person")
        .first()
    )
    if a is None:
        raise NotFound()
    return a


def file_get_for(scope: Scope, file_id: int) -> MeetingFile:
    f = MeetingFile.objects.filter(pk=file_id).first()
    if f is None:
        raise NotFound()
    meeting_get_for(scope, f.meeting_id)
    return f


# --- the member's own meetings ---------------------------------------------------------------


@dataclass
class MyMeetings:
    upcoming: list[Attendance]
    past: list[Attendance]


def my_meetings(scope: Scope, *, today: dt.date, past_limit: int = 50) -> MyMeetings:
    """The user's meetings: planned ones from today on (with their leave state), and the
    most recent ``past_limit`` others."""
    if scope.person_id is None:
        return MyMeetings(upcoming=[], past=[])
    rows = Attendance.objects.filter(person_id=scope.person_id).select_related(
        "meeting__organization"
    )
    upcoming = rows.filter(meeting__date__gte=today, meeting__status=MeetingStatus.PLANNED)
    past = rows.exclude(pk__in=upcoming.values("pk"))
    return MyMeetings(
        upcoming=list(upcoming.order_by("meeting__date", "meeting__starts_at", "meeting_id")),
        past=list(past.order_by("-meeting__date", "-meeting_id")[:past_limit]),
    )


# --- sign-in ---------------------------------------------------------------------------------


def signin_meeting(scope: Scope, token: str) -> Meeting | None:
    """The meeting a sign-in token opens (the token is the capability; anyone logged in
    may look, the service decides who may sign in). ``None`` when unknown."""
    if not token or scope.user_id is None:
        return None
    return Meeting.objects.filter(signin_token=token).select_related("organization").first()
