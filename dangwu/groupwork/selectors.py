"""Every read of the group leader's workspace, always within a ``Scope``.

A group outside the scope is "not found". Notes on members are read only with a real
``Perm.NOTES`` grant on the group (its leader, the branch secretary and committee): a
party worker or a superuser without one does not see them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import F, Q, QuerySet

from dangwu.core.errors import NotFound
from dangwu.core.scope import Perm, Scope
from dangwu.development.models import StepPerson
from dangwu.development.selectors_reports import contacts_for
from dangwu.dues import selectors as dues_selectors
from dangwu.dues.ledger import ZERO
from dangwu.groupwork.models import (
    GroupTask,
    MassOpinion,
    MemberNote,
    OpinionStatus,
    PeriodSummary,
)
from dangwu.meetings.choices import MeetingKind, MeetingStatus
from dangwu.meetings.models import Meeting
from dangwu.meetings.periods import Period, PeriodKind
from dangwu.members.choices import MEMBER_STATUSES, PIPELINE_STATUSES, Status
from dangwu.members.models import Person
from dangwu.orgs.choices import GROUP_POSTS, OrgKind
from dangwu.orgs.models import Organization, Post

RECENT_NOTES = 8
# Contact persons (培养联系人) are named from the activist stage on (细则 第九条).
WITH_CONTACTS = frozenset({Status.ACTIVIST, Status.CANDIDATE})


def can_keep_notes(scope: Scope, path: str) -> bool:
    """A real ``Perm.NOTES`` grant over ``path`` (superuser status alone is not enough)."""
    return any(path.startswith(p) for p in scope.paths(Perm.NOTES))


def _parent_path(org: Organization) -> str:
    return org.path[: -Organization.steplen]


# --- groups -------------------------------------------------------------------------------


def my_groups(scope: Scope) -> list[tuple[Organization, Organization | None]]:
    """The party groups in use that the user leads or oversees, with their branch: a group
    leader's own group, the groups under a branch role; every group for a superuser.

    Two queries."""
    groups = list(
        Organization.objects.filter(scope.org_q(Perm.VIEW))
        .filter(kind=OrgKind.PARTY_GROUP, dissolved_on__isnull=True)
        .order_by("path")
    )
    parents = {
        o.path: o for o in Organization.objects.filter(path__in={_parent_path(g) for g in groups})
    }
    return [(g, parents.get(_parent_path(g))) for g in groups]


def group_get_for(scope: Scope, group_id: int, perm: Perm = Perm.VIEW) -> Organization:
    """A party group in the scope (``perm`` on its path); else 404."""
    group = Organization.objects.filter(pk=group_id, kind=OrgKind.PARTY_GROUP).first()
    if group is None or not scope.covers(group.path, perm):
        raise NotFound()
    return group


def group_branch(group: Organization) -> Organization | None:
    return Organization.objects.filter(path=_parent_path(group)).first()


def group_members(group: Organization) -> QuerySet[Person]:
    """Party members (probationary and full) on the group's roll, in pinyin order."""
    return Person.objects.filter(group=group, is_active=True, status__in=MEMBER_STATUSES).order_by(
        "sort_key", "id"
    )


# --- the records ----------------------------------------------------------------------------


def task_get_for(
    scope: Scope, task_id: int, perm: Perm = Perm.VIEW, *, own_ok: bool = False
) -> GroupTask:
    """A task on a group in the scope; with ``own_ok`` also a task given to the user."""
    task = (
        GroupTask.objects.select_related("group", "assignee", "checked_by", "created_by")
        .filter(pk=task_id)
        .first()
    )
    if task is None:
        raise NotFound()
    own = own_ok and scope.person_id is not None and scope.person_id == task.assignee_id
    if not own and not scope.covers(task.group.path, perm):
        raise NotFound()
    return task


def my_tasks(scope: Scope) -> list[GroupTask]:
    """The open tasks given to the user themself (one query)."""
    if scope.person_id is None:
        return []
    return list(
        GroupTask.objects.filter(assignee_id=scope.person_id, done_on__isnull=True)
        .select_related("group")
        .order_by("due_on", "id")
    )


def task_list(scope: Scope, group: Organization) -> QuerySet[GroupTask]:
    """All the group's tasks: open ones first, then done ones by the day they were done."""
    scope.require(group.path, Perm.VIEW)
    return (
        GroupTask.objects.filter(group=group)
        .select_related("assignee", "checked_by")
        .order_by(F("done_on").asc(nulls_first=True), "due_on", "id")
    )


def opinion_get_for(scope: Scope, opinion_id: int, perm: Perm = Perm.VIEW) -> MassOpinion:
    opinion = MassOpinion.objects.select_related("organization").filter(pk=opinion_id).first()
    if opinion is None or not scope.covers(opinion.organization.path, perm):
        raise NotFound()
    return opinion


def opinion_list(scope: Scope, group: Organization) -> QuerySet[MassOpinion]:
    scope.require(group.path, Perm.VIEW)
    return MassOpinion.objects.filter(organization=group).order_by("-received_on", "-id")


def summary_get_for(scope: Scope, summary_id: int, perm: Perm = Perm.VIEW) -> PeriodSummary:
    summary = (
        PeriodSummary.objects.select_related("group", "submitted_by").filter(pk=summary_id).first()
    )
    if summary is None or not scope.covers(summary.group.path, perm):
        raise NotFound()
    return summary


def summary_list(scope: Scope, group: Organization) -> QuerySet[PeriodSummary]:
    scope.require(group.path, Perm.VIEW)
    return PeriodSummary.objects.filter(group=group).select_related("submitted_by")


@dataclass
class MemberNotes:
    person: Person
    group: Organization
    notes: list[MemberNote]


def member_notes(scope: Scope, group: Organization, person_id: int) -> MemberNotes:
    """A member's notes, for the group's leader and the branch committee only (else 404)."""
    if not can_keep_notes(scope, group.path):
        raise NotFound()
    person = Person.objects.filter(pk=person_id, group=group).first()
    if person is None:
        raise NotFound()
    # Only this group's notes: a leader's notes do not follow the member to a new group.
    notes = list(
        MemberNote.objects.filter(person=person, group=group).select_related("author", "group")
    )
    return MemberNotes(person=person, group=group, notes=notes)


# --- the workspace ------------------------------------------------------------------------


@dataclass
class MemberRow:
    person: Person
    post: str  # 组长 / 副组长 or ""


@dataclass
class PipelineRow:
    person: Person
    record_id: int | None  # the development record, when there is one
    contacts: list[StepPerson]  # from the record's contacts_assigned step

    @property
    def has_contacts_stage(self) -> bool:
        return self.person.status in WITH_CONTACTS


@dataclass
class Workspace:
    group: Organization
    branch: Organization | None
    today: dt.date
    month: Period
    members: list[MemberRow]
    pipeline: list[PipelineRow]  # applicants, activists and candidates, with contact persons
    meetings: list[Meeting]  # this month's group meetings (planned or held)
    meeting_held: bool
    sheet: dues_selectors.Sheet
    dues_rows: list[dues_selectors.SheetRow]  # members who still owe, this month included
    open_tasks: list[GroupTask]
    to_check: list[GroupTask]  # done, not yet checked
    notes: list[MemberNote] | None  # None: the user may not read notes
    opinions: list[MassOpinion]  # open or reported, not resolved
    summaries: list[PeriodSummary]
    can_life: bool
    can_collect: bool
    can_approve: bool
    can_view_records: bool  # VIEW on the branch: the development timelines are open
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def can_notes(self) -> bool:
        return self.notes is not None

    @property
    def overdue_tasks(self) -> list[GroupTask]:
        return [t for t in self.open_tasks if t.due_on < self.today]

    @property
    def dues_total(self):
        return sum((r.due_total for r in self.dues_rows), ZERO)


def workspace(scope: Scope, group: Organization, *, today: dt.date) -> Workspace:
    """Everything the group leader works on, on one page. A bounded number of queries
    (about fifteen) whatever the size of the group."""
    scope.require(group.path, Perm.VIEW)
    month = Period.containing(PeriodKind.MONTH, today)
    people = list(
        Person.objects.filter(group=group, is_active=True)
        .annotate(dev_record_id=F("development__id"))
        .order_by("sort_key", "id")
    )
    posts = {
        p.person_id: p.get_kind_display()
        for p in Post.objects.filter(
            organization=group, kind__in=GROUP_POSTS, ended_on__isnull=True
        )
    }
    members = [
        MemberRow(p, str(posts.get(p.pk, ""))) for p in people if p.status in MEMBER_STATUSES
    ]
    members.sort(key=lambda r: (r.post == "", r.person.sort_key, r.person.pk))
    pipeline_people = [p for p in people if p.status in PIPELINE_STATUSES]
    # One query for the contact persons of every activist and candidate with a record.
    contacts = contacts_for(
        p.dev_record_id for p in pipeline_people if p.dev_record_id and p.status in WITH_CONTACTS
    )
    pipeline = [
        PipelineRow(p, p.dev_record_id, contacts.get(p.dev_record_id, [])) for p in pipeline_people
    ]
    meetings = list(
        Meeting.objects.filter(
            organization=group,
            kind=MeetingKind.GROUP_MEETING,
            status__in=[MeetingStatus.PLANNED, MeetingStatus.HELD],
            date__range=(month.start, month.end),
        ).order_by("date", "starts_at", "id")
    )
    # The dues app's collection sheet rows for the group's members, this month.
    sheet = dues_selectors.Sheet(
        organization=group,
        month=month.start,
        rows=dues_selectors.rows_for([r.person for r in members], month.start, today),
    )
    dues_rows = [r for r in sheet.rows if r.due_total > 0]
    tasks = list(
        GroupTask.objects.filter(group=group)
        .filter(Q(done_on__isnull=True) | Q(checked_at__isnull=True))
        .select_related("assignee")
        .order_by("due_on", "id")
    )
    notes = None
    if can_keep_notes(scope, group.path):
        notes = list(
            MemberNote.objects.filter(group=group)
            .select_related("person", "author")
            .order_by("-noted_on", "-id")[:RECENT_NOTES]
        )
    opinions = list(
        MassOpinion.objects.filter(
            organization=group, status__in=[OpinionStatus.OPEN, OpinionStatus.REPORTED]
        ).order_by("received_on", "id")
    )
    summaries = list(PeriodSummary.objects.filter(group=group).select_related("submitted_by")[:6])
    branch = group_branch(group)
    return Workspace(
        group=group,
        branch=branch,
        today=today,
        month=month,
        members=members,
        pipeline=pipeline,
        meetings=meetings,
        meeting_held=any(m.status == MeetingStatus.HELD for m in meetings),
        sheet=sheet,
        dues_rows=dues_rows,
        open_tasks=[t for t in tasks if t.done_on is None],
        to_check=[t for t in tasks if t.done_on is not None],
        notes=notes,
        opinions=opinions,
        summaries=summaries,
        can_life=scope.covers(group.path, Perm.LIFE),
        can_collect=scope.covers(group.path, Perm.DUES) or scope.covers(group.path, Perm.EDIT),
        can_approve=scope.covers(group.path, Perm.APPROVE),
        can_view_records=branch is not None and scope.covers(branch.path, Perm.VIEW),
        counts={
            "members": len(members),
            "probationary": sum(1 for r in members if r.person.status == "probationary"),
            "pipeline": len(pipeline),
        },
    )
