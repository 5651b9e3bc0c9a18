"""A year of organizational life for the demo organization (三会一课, 主题党日, 组织生活会,
民主评议, 谈心谈话): meetings with their attendance, minutes, resolutions and talks.

Called at the end of ``demo._Builder.build()`` (after the dues), inside its transaction. The
twelve months end with ``today``'s month; meetings dated before ``today`` are held, those in
the next six weeks are planned with their notice sent. Rows are written in bulk, as the
services would have left them (a service call per attendance row would take minutes), and
every row of an audited model gets its creation entry in the history, as in ``demo.py``.

Who is expected (the contract of ``meetings.selectors.expected_people``): the committee
posts on the meeting's date for a committee meeting, the group's probationary and full
members for a group meeting, the branch's for the rest — read from ``Membership`` and the
status history on the meeting's date. The demo records only the current committee term's
posts, so before the first post of a branch's current committee its members of that time
stand in for the committee of the previous term.

Most branches keep every rule; ``DESIGNED_GAPS`` names the branches that break one each,
so that each LIFE-* code shows somewhere. Most branches plan their organizational life
meeting for December; ``EARLY_ORG_LIFE`` held it already. Designed absences
(``DESIGNED_ABSENCES``, LIFE-ABSENT-6): in the ``xiaozu`` user's group one member has missed
the last 3 ended months; elsewhere members have missed 4, 6 (no case yet) and 7 (an open
case). Random absences never run two months, so no one else has a finding.
"""

from __future__ import annotations

import bisect
import calendar
import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connection
from django.utils import timezone

from dangwu.accounts.models import Role, User
from dangwu.core.dates import add_months
from dangwu.development.votes import vote_result
from dangwu.meetings.choices import AttendanceStatus, LeaveState, MeetingKind, MeetingStatus
from dangwu.meetings.models import AbsenceCase, Attendance, HeartTalk, Meeting, Resolution
from dangwu.members.choices import Status
from dangwu.members.models import Membership, Person, StatusChange
from dangwu.orgs.choices import COMMITTEE_POSTS, OrgKind
from dangwu.orgs.choices import PostKind as PK
from dangwu.orgs.models import Organization, Post

SEED = 2026_05
REASON = "演示数据"
PLAN_DAYS = 42  # planned meetings this far ahead

K = MeetingKind
PRESENT, ON_LEAVE, ABSENT = (AttendanceStatus.PRESENT.value, AttendanceStatus.ON_LEAVE.value,
                             AttendanceStatus.ABSENT.value)  # fmt: skip
MEMBER = frozenset({Status.PROBATIONARY.value, Status.FULL.value})

# Branches built to miss one LIFE-* rule in the current year (the rule's code), and how.
DESIGNED_GAPS: dict[str, str] = {
    "HBLG-JX-BK2": "LIFE-GENERAL-Q",  # no general meeting in the last ended quarter
    "HBLG-MY-JZG": "LIFE-COMMITTEE-M",  # a committee meeting without a quorum
    "HBLG-YJ-YJS": "LIFE-GROUP-M",  # the second group skipped two months in summer
    "HBLG-CL-BK1": "LIFE-LECTURE",  # no lecture last quarter, none by the secretary
    "HBLG-LX-BK2": "LIFE-LECTURE",  # lectures every quarter, none by the secretary
    "HBLG-TM-BK2": "LIFE-THEME-DAY",  # no theme day in July and August
    "HBLG-RW-BK1": "LIFE-THEME-DAY",
}
# Held their organizational life meeting in October/November (the rest plan December);
# the first two combined the appraisal with it, JG2 plans a separate appraisal.
EARLY_ORG_LIFE = ("HBLG-JG1", "HBLG-MY-JZG", "HBLG-JG2")
# (consecutive ended months absent, in the xiaozu user's group, with an open case)
DESIGNED_ABSENCES = ((3, True, False), (4, False, False), (6, False, False), (7, False, True))

LEAVE_REASONS = {
    "student": ("参加学科竞赛", "外出实习", "生病", "家中有事", "参加学术会议", "就医"),
    "staff": ("出差", "外出开会", "生病", "家中有事", "带学生实习", "参加学术会议", "就医"),
    "retiree": ("生病", "住院治疗", "家中有事", "外出探亲", "行动不便"),
}


@dataclass
class _Person:
    pk: int
    name: str
    kind: str  # student / staff / retiree (leave reasons)


@dataclass
class _Branch:
    org: Organization
    profile: str  # undergrad / grad / faculty / office / retiree / joint / temporary
    groups: list[Organization]
    committee_today: list[int]  # people holding a committee post today
    founded: dt.date | None
    college: str = ""
    gap: str = ""
    theme_nth: int = 2  # the theme day is on a fixed day: the nth weekday of the month
    theme_weekday: int = 4
    combined: bool = False  # the appraisal is held with the organizational life meeting
    secretary_lectures: set[int] = field(default_factory=set)  # years

    @property
    def students(self) -> bool:
        return self.profile in ("undergrad", "grad", "temporary")

    @property
    def has_committee(self) -> bool:
        return len(self.committee_today) >= 3


@dataclass(slots=True)
class _Row:
    """An attendance row before it is written (a model instance each costs too much)."""

    meeting: Meeting
    person_id: int
    starts_at: dt.time
    status: str = ""
    signed_in_at: dt.datetime | None = None
    leave_reason: str = ""
    leave_state: str = ""
    leave_requested_at: dt.datetime | None = None
    leave_decided_by_id: int | None = None
    leave_decided_at: dt.datetime | None = None
    recorded_by_id: int | None = None

    def values(self) -> dict:
        return {
            "meeting_id": self.meeting.pk,
            "person_id": self.person_id,
            "expected": True,
            "status": self.status,
            "signed_in_at": self.signed_in_at,
            "leave_reason": self.leave_reason,
            "leave_state": self.leave_state,
            "leave_requested_at": self.leave_requested_at,
            "leave_decided_by_id": self.leave_decided_by_id,
            "leave_decided_at": self.leave_decided_at,
            "recorded_by_id": self.recorded_by_id,
        }


@dataclass
class _Plan:
    meeting: Meeting
    branch: _Branch
    group: Organization | None = None
    rows: list[_Row] = field(default_factory=list)
    resolution: str = ""


def build_demo_meetings(*, admin: User, today: dt.date) -> dict[str, int]:
    """Build the demo's year of organizational life; returns row counts by model name."""
    return _MeetingsBuilder(admin, today).build()


def month_start(d: dt.date) -> dt.date:
    return d.replace(day=1)


def nth_weekday(month: dt.date, n: int, weekday: int) -> dt.date:
    """The ``n``th ``weekday`` (0 = Monday) of ``month``; ``n`` = -1: the last one."""
    if n < 0:
        last = month.replace(day=calendar.monthrange(month.year, month.month)[1])
        return last - dt.timedelta(days=(last.weekday() - weekday) % 7)
    first = month + dt.timedelta(days=(weekday - month.weekday()) % 7)
    return first + dt.timedelta(weeks=n - 1)


def working_day(d: dt.date) -> dt.date:
    """``d``, or the Monday after when it falls on a weekend."""
    return d + dt.timedelta(days=(7 - d.weekday()) % 7) if d.weekday() >= 5 else d


class _MeetingsBuilder:
    def __init__(self, admin: User, today: dt.date) -> None:
        from dangwu.core.demo import ROOT_CODE  # demo imports this module

        self.rng = random.Random(SEED)  # noqa: S311 - demo data, not secrets
        self.admin, self.today = admin, today
        self.now = timezone.now()
        self.root = Organization.objects.get(code=ROOT_CODE)
        self.this_month = month_start(today)
        self.first = add_months(self.this_month, -11)
        self.horizon = today + dt.timedelta(days=PLAN_DAYS)
        self.users = {
            u.username: u for u in User.objects.filter(username__in=("xiaozu", "zhibu", "dangwei"))
        }
        roles = {
            r.user.username: r.organization_id
            for r in Role.objects.filter(user__in=self.users.values()).select_related("user")
        }
        self.leader_group = roles.get("xiaozu")
        self.zhibu_branch = roles.get("zhibu")
        self.plans: list[_Plan] = []
        self.counts: dict[str, int] = {}
        self.designed: dict[int, tuple[int, bool]] = {}  # person → (months, open case)

    def build(self) -> dict[str, int]:
        self._load()
        for branch in self.branches:
            self._schedule(branch)
        self._admissions()
        self._designed_absences()
        self._no_long_random_absence()
        self._pending_leave()
        self._write()
        self._heart_talks()
        self._absence_cases()
        return self.counts

    # --- what the demo holds -------------------------------------------------------------

    def _load(self) -> None:
        orgs = list(
            Organization.objects.filter(
                path__startswith=self.root.path, kind__in=(OrgKind.BRANCH, OrgKind.PARTY_GROUP)
            ).order_by("path")
        )
        groups: dict[str, list[Organization]] = defaultdict(list)
        colleges = dict(
            Organization.objects.filter(
                path__startswith=self.root.path, kind=OrgKind.GENERAL_BRANCH
            ).values_list("path", "name")
        )
        for o in orgs:
            if o.kind == OrgKind.PARTY_GROUP:
                groups[o.path[: -Organization.steplen]].append(o)
        self.orgs = {o.pk: o for o in orgs}
        posts = list(Post.objects.filter(organization__in=orgs).order_by("started_on", "pk"))
        # (person, start, end) by organization and kind
        self.posts: dict[int, list[tuple[str, int, dt.date, dt.date | None]]] = defaultdict(list)
        for p in posts:
            self.posts[p.organization_id].append((p.kind, p.person_id, p.started_on, p.ended_on))
        self.people: dict[int, _Person] = {}
        for pk, name, dues in Person.objects.filter(
            branch__path__startswith=self.root.path
        ).values_list("pk", "name", "dues_category"):
            kind = "student" if dues == "student" else "retiree" if dues == "retiree" else "staff"
            self.people[pk] = _Person(pk, name, kind)
        self.changes: dict[int, tuple[list[dt.date], list[str]]] = {}
        rows = defaultdict(list)
        for pk, on, status in StatusChange.objects.filter(person_id__in=self.people).values_list(
            "person_id", "effective_on", "status"
        ):
            rows[pk].append((on, status))
        for pk, found in rows.items():
            found.sort()
            self.changes[pk] = ([d for d, _ in found], [s for _, s in found])
        # (person, group, started, ended) by branch, in the order lists are shown
        self.members: dict[int, list[tuple[int, int | None, dt.date, dt.date | None]]] = (
            defaultdict(list)
        )
        for pk, branch, group, start, end in (
            Membership.objects.filter(person_id__in=self.people)
            .order_by("person__sort_key", "person_id")
            .values_list("person_id", "branch_id", "group_id", "started_on", "ended_on")
        ):
            self.members[branch].append((pk, group, start, end))
        self.branches = []
        for o in orgs:
            if o.kind != OrgKind.BRANCH:
                continue
            committee = sorted(
                {pid for kind, pid, s, e in self.posts[o.pk]
                 if kind in COMMITTEE_POSTS and s <= self.today and e is None}
            )  # fmt: skip
            b = _Branch(
                org=o,
                profile=_profile(o),
                groups=groups[o.path],
                committee_today=committee,
                founded=o.founded_on,
                college=colleges.get(o.path[: -Organization.steplen], "").removesuffix("党总支"),
                gap=DESIGNED_GAPS.get(o.code, ""),
                theme_nth=self.rng.choice((1, 2, 2, 3, -1)),
                theme_weekday=self.rng.choice((1, 2, 3, 4, 4)),
                combined=self.rng.random() < 0.4,
            )
            if o.code in EARLY_ORG_LIFE:
                b.combined = o.code != "HBLG-JG2"
            self.branches.append(b)
        self.branch_by_id = {b.org.pk: b for b in self.branches}
        self.homes: dict[int, list[tuple[int, dt.date, dt.date | None]]] = defaultdict(list)
        for branch, rows in self.members.items():
            for pk, _, start, end in rows:
                self.homes[pk].append((branch, start, end))

    def status_on(self, pk: int, d: dt.date) -> str:
        dates, statuses = self.changes.get(pk, ((), ()))
        i = bisect.bisect_right(dates, d)
        return statuses[i - 1] if i else ""

    def expected(self, branch: _Branch, d: dt.date, group: Organization | None = None) -> list[int]:
        """Probationary and full members of the branch (or group) on ``d``."""
        gid = group.pk if group is not None else None
        return [
            pk
            for pk, g, start, end in self.members[branch.org.pk]
            if start <= d
            and (end is None or d < end)
            and (gid is None or g == gid)
            and self.status_on(pk, d) in MEMBER
        ]

    def holders(self, org_id: int, d: dt.date, kinds) -> list[int]:
        return [
            pid
            for kind, pid, s, e in self.posts[org_id]
            if kind in kinds and s <= d and (e is None or d < e)
        ]

    def committee(self, branch: _Branch, d: dt.date) -> list[int]:
        found = self.holders(branch.org.pk, d, COMMITTEE_POSTS)
        if len(found) >= 2 or not branch.has_committee:
            return found
        members = set(self.expected(branch, d))  # the previous term, not in the demo
        return [pk for pk in branch.committee_today if pk in members]

    def secretary(self, branch: _Branch, d: dt.date) -> int | None:
        found = self.holders(branch.org.pk, d, {PK.SECRETARY})
        return found[0] if found else None

    # --- the schedule --------------------------------------------------------------------

    def _months(self) -> list[dt.date]:
        months, m = [], self.first
        while m <= self.horizon:
            months.append(m)
            m = add_months(m, 1)
        return months

    def _schedule(self, b: _Branch) -> None:
        rng, year = self.rng, self.today.year
        this_quarter = add_months(self.this_month, -((self.today.month - 1) % 3))
        gap_quarter = add_months(this_quarter, -3)  # the last ended quarter (its first month)
        if gap_quarter.year != year:
            gap_quarter = this_quarter
        summer = (dt.date(year, 7, 1), dt.date(year, 8, 1))
        skipped_group = (add_months(self.this_month, -4), add_months(self.this_month, -3))
        inquorate_month = add_months(self.this_month, -2)
        for m in self._months():
            month, quarter_first = m.month, add_months(m, -((m.month - 1) % 3))
            # Theme day, on the branch's fixed day.
            if not (b.gap == "LIFE-THEME-DAY" and m in summer):
                self._meeting(b, K.THEME_DAY, nth_weekday(m, b.theme_nth, b.theme_weekday))
            # Committee meeting early in the month.
            if b.has_committee:
                day = nth_weekday(m, 1, 1) + dt.timedelta(days=rng.choice((0, 0, 1, 7)))
                inquorate = b.gap == "LIFE-COMMITTEE-M" and m == inquorate_month
                self._meeting(b, K.COMMITTEE_MEETING, day, inquorate=inquorate)
            # Each group, once a month.
            for n, g in enumerate(b.groups):
                if b.gap == "LIFE-GROUP-M" and n == 1 and m in skipped_group:
                    continue
                day = working_day(m + dt.timedelta(days=rng.randint(7, 24)))
                self._meeting(b, K.GROUP_MEETING, day, group=g)
            # The quarter's general meeting and party lecture.
            skip_general = b.gap == "LIFE-GENERAL-Q" and quarter_first == gap_quarter
            if month in (3, 5, 9, 11) and not skip_general:
                day = working_day(m + dt.timedelta(days=rng.randint(4, 19)))
                self._meeting(b, K.GENERAL_MEETING, day)
            skip_lecture = b.org.code == "HBLG-CL-BK1" and quarter_first == gap_quarter
            if month in (3, 6, 9, 11) and not skip_lecture:
                day = working_day(m + dt.timedelta(days=rng.randint(8, 24)))
                self._meeting(b, K.PARTY_LECTURE, day)
            if month in (4, 10) and b.profile in ("faculty", "office"):
                day = working_day(m + dt.timedelta(days=rng.randint(10, 20)))
                self._meeting(b, K.STUDY_SESSION, day)
            # The year's organizational life meeting and appraisal.
            early = b.org.code in EARLY_ORG_LIFE and m.year == year
            org_life_month = (10 if b.org.code == "HBLG-JG1" else 11) if early else 12
            if month == org_life_month:
                day = working_day(m + dt.timedelta(days=rng.randint(2, 14)))
                self._meeting(b, K.ORG_LIFE_MEETING, day, appraisal=b.combined)
                if not b.combined:
                    later = m if month == 12 else dt.date(m.year, 12, 1)
                    day = working_day(later + dt.timedelta(days=rng.randint(15, 22)))
                    self._meeting(b, K.APPRAISAL, day)

    def _meeting(
        self,
        b: _Branch,
        kind: str,
        d: dt.date,
        *,
        group: Organization | None = None,
        inquorate: bool = False,
        appraisal: bool = False,
    ) -> _Plan | None:
        if d < self.first or d > self.horizon or (b.founded and d < b.founded):
            return None
        org = group or b.org
        committee = self.committee(b, d)
        people = committee if kind == K.COMMITTEE_MEETING else self.expected(b, d, group)
        held = d < self.today
        secretary = self.secretary(b, d)
        if group is not None:
            leaders = self.holders(group.pk, d, {PK.GROUP_LEADER})
            host = leaders[0] if leaders else (people[0] if people else None)
        else:
            host = secretary or (committee[0] if committee else (people[0] if people else None))
        others = [p for p in (committee if group is None else people) if p != host]
        recorder = others[0] if others else host
        speaker = None
        if kind == K.PARTY_LECTURE:
            # The secretary's lecture before 1 July, or late in the year when there was none.
            by_secretary = d.month == 6 or (d.month >= 9 and d.year not in b.secretary_lectures)
            if b.gap == "LIFE-LECTURE":
                by_secretary = False
            if by_secretary and secretary:
                speaker = secretary
                b.secretary_lectures.add(d.year)
            else:
                pool = [p for p in committee if p != secretary] or [
                    p for p in people if p != secretary
                ]
                speaker = self.rng.choice(pool) if pool else None
        topic, agenda = _texts(kind, d, b, group, self.rng, speaker and self.people[speaker].name)
        starts = dt.time(19, 0) if b.students and kind != K.COMMITTEE_MEETING else dt.time(14, 30)
        if b.profile == "retiree":
            starts = dt.time(9, 0)
        length = {K.COMMITTEE_MEETING: 60, K.GROUP_MEETING: 60, K.ORG_LIFE_MEETING: 150,
                  K.THEME_DAY: 120}.get(kind, 90)  # fmt: skip
        ends = (dt.datetime.combine(d, starts) + dt.timedelta(minutes=length)).time()
        notice_at = self._at(max(d - dt.timedelta(days=self.rng.randint(3, 7)), self.first), 9)
        if not held:
            notice_at = min(notice_at, self._at(self.today - dt.timedelta(days=1), 17))
        place = _place(kind, b, group, d, self.rng)
        m = Meeting(
            organization=org,
            kind=kind,
            topic=topic,
            date=d,
            starts_at=starts,
            ends_at=ends,
            place=place,
            host_id=host,
            recorder_id=recorder,
            speaker_id=speaker,
            agenda=agenda,
            notice=(
                f"定于{d.month}月{d.day}日{starts:%H:%M}在{place}召开{topic}，"
                "请按时参加；因故不能参加的，请提前向党支部请假。"
            ),
            notice_sent_at=notice_at,
            status=MeetingStatus.HELD if held else MeetingStatus.PLANNED,
            includes_appraisal=appraisal,
            created_by=self.admin,
        )
        plan = _Plan(meeting=m, branch=b, group=group)
        decider = self._decider(b, group)
        for pk in people:
            row = _Row(m, pk, starts)
            if held:
                row.recorded_by_id = decider.pk
                self._attend(row, d, b, decider)
            plan.rows.append(row)
        if inquorate:
            # Three of the five away on business: the meeting cannot decide for the committee.
            for row in plan.rows[: max(0, len(plan.rows) - (len(plan.rows) - 1) // 2)]:
                self._leave(row, d, decider, "出差")
        elif kind == K.COMMITTEE_MEETING and held:
            self._quorate(plan)
        self.plans.append(plan)
        return plan

    def _decider(self, b: _Branch, group: Organization | None) -> User:
        if group is not None and group.pk == self.leader_group:
            return self.users.get("xiaozu", self.admin)
        if b.org.pk == self.zhibu_branch:
            return self.users.get("zhibu", self.admin)
        return self.admin

    def _at(self, d: dt.date, hour: int, minute: int = 0) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(d, dt.time(hour, minute)))

    def _attend(self, row: _Row, d: dt.date, b: _Branch, decider: User) -> None:
        r = self.rng.random()
        summer = b.students and d.month in (7, 8)
        leave = 0.16 if summer or b.profile == "retiree" else 0.07
        if r < 1 - leave - 0.03:
            row.status = PRESENT
            if d >= self.first + dt.timedelta(days=120) and self.rng.random() < 0.6:
                minute = self.rng.randint(0, 14)
                start = row.starts_at
                row.signed_in_at = self._at(d, start.hour, start.minute) - dt.timedelta(
                    minutes=minute
                )
        elif r < 0.97:
            kind = self.people[row.person_id].kind
            self._leave(row, d, decider, self.rng.choice(LEAVE_REASONS[kind]))
        else:
            row.status = ABSENT

    def _leave(self, row: _Row, d: dt.date, decider: User, reason: str) -> None:
        row.status = ON_LEAVE
        row.signed_in_at = None
        row.leave_reason = reason
        row.leave_state = LeaveState.APPROVED
        row.leave_requested_at = self._at(d - dt.timedelta(days=1), 10, self.rng.randint(0, 59))
        row.leave_decided_by_id = decider.pk
        row.leave_decided_at = self._at(d - dt.timedelta(days=1), 16, self.rng.randint(0, 59))

    def _quorate(self, plan: _Plan) -> None:
        """A committee meeting of a compliant branch has half or more of its members."""
        rows = plan.rows
        for row in rows:
            if sum(r.status == PRESENT for r in rows) * 2 >= len(rows):
                break
            if row.status != PRESENT:
                _present(row)

    # --- votes: admissions and conversions at general meetings -----------------------------

    def _admissions(self) -> None:
        """A few general meetings that voted on an admission or a conversion, on its date."""
        events = []
        for pk, (dates, statuses) in sorted(self.changes.items()):
            for d, s in zip(dates, statuses, strict=True):
                if self.first <= d < self.today - dt.timedelta(days=7) and s in MEMBER:
                    events.append((d, pk, s))
        self.rng.shuffle(events)
        done = 0
        for d, pk, s in events:
            branch = next(
                (
                    self.branch_by_id.get(b)
                    for b, start, end in self.homes[pk]
                    if start <= d and (end is None or d < end)
                ),
                None,
            )
            if branch is None or branch.gap or d.weekday() >= 5:
                continue
            voters = [p for p in self.expected(branch, d) if self.status_on(p, d) == Status.FULL]
            if len(voters) < 3:
                continue
            name = self.people[pk].name
            text = (
                f"同意接收{name}同志为中共预备党员。"
                if s == Status.PROBATIONARY
                else f"同意{name}同志按期转为中共正式党员。"
            )
            plan = self._meeting(branch, K.GENERAL_MEETING, d)
            if plan is None:
                continue
            what = "接收预备党员" if s == Status.PROBATIONARY else "预备党员转正"
            plan.meeting.topic = f"讨论{name}同志{what}"
            plan.meeting.agenda = (
                f"一、{name}同志汇报思想、工作、学习情况\n二、入党介绍人介绍情况\n"
                f"三、支部委员会报告审查情况\n四、与会党员讨论并表决"
            )
            plan.resolution = text
            done += 1
            if done == 6:
                break

    def _vote(self, plan: _Plan) -> dict:
        d = plan.meeting.date
        voters = [r for r in plan.rows if self.status_on(r.person_id, d) == Status.FULL]
        should = len(voters)
        need = should // 2 + 1
        for row in voters:
            if sum(r.status == PRESENT for r in voters) >= need:
                break
            if row.status != PRESENT and row.person_id not in self.designed:
                _present(row)
        present = sum(r.status == PRESENT for r in voters)
        abstained = 1 if present > need and self.rng.random() < 0.3 else 0
        in_favour = present - abstained
        result = vote_result(should, present, in_favour)
        return dict(  # noqa: C408 - the Resolution fields, as keywords
            number=1,
            text=plan.resolution,
            should_attend=should,
            present=present,
            in_favour=in_favour,
            abstained=abstained,
            quorate=result.quorate,
            passed=result.passed,
        )

    # --- designed absences (LIFE-ABSENT-6) -----------------------------------------------

    def _by_person(self) -> dict[int, dict[dt.date, list[_Row]]]:
        out: dict[int, dict[dt.date, list[_Row]]] = defaultdict(lambda: defaultdict(list))
        for plan in self.plans:
            if plan.meeting.status == MeetingStatus.HELD:
                m = month_start(plan.meeting.date)
                for row in plan.rows:
                    out[row.person_id][m].append(row)
        return out

    def _designed_absences(self) -> None:
        by_person = self._by_person()
        posts = {pid for rows in self.posts.values() for _, pid, _, _ in rows}
        logins = set(User.objects.exclude(person=None).values_list("person_id", flat=True))
        months = [add_months(self.this_month, -k) for k in range(11, 0, -1)]
        candidates: dict[bool, list[int]] = {True: [], False: []}
        for b in self.branches:
            if b.gap or b.profile in ("temporary",):
                continue
            for pk, g, start, end in self.members[b.org.pk]:
                if (
                    end is None
                    and start < self.first
                    and pk not in posts
                    and pk not in logins
                    and self.status_on(pk, self.first - dt.timedelta(days=1)) == Status.FULL
                    and self.status_on(pk, self.today) == Status.FULL
                    and all(by_person[pk].get(m) for m in months)
                ):
                    candidates[g is not None and g == self.leader_group].append(pk)
        used_branches = set()
        for n, mine, case in DESIGNED_ABSENCES:
            pool = candidates[mine]
            self.rng.shuffle(pool)
            pk = next(p for p in pool if mine or self._branch_of(p) not in used_branches)
            pool.remove(pk)
            used_branches.add(self._branch_of(pk))
            self.designed[pk] = (n, case)
            run = months[-n:]
            for m in [*run, self.this_month]:
                for row in by_person[pk].get(m, ()):
                    _absent(row)
            for row in by_person[pk][add_months(run[0], -1)]:
                _present(row)

    def _branch_of(self, pk: int) -> int:
        return next(b for b, _, end in self.homes[pk] if end is None)

    def _no_long_random_absence(self) -> None:
        """Random absences never make two absent months in a row (only the designed do)."""
        for pk, months in self._by_person().items():
            if pk in self.designed:
                continue
            previous_absent, previous = False, None
            for m in sorted(months):
                rows = months[m]
                absent = all(r.status == ABSENT for r in rows)
                if absent and previous_absent and previous == add_months(m, -1):
                    _present(rows[0])
                    absent = False
                previous_absent, previous = absent, m

    def _pending_leave(self) -> None:
        """A few leave requests waiting for a decision, for meetings still to come."""
        planned = [p for p in self.plans if p.meeting.status == MeetingStatus.PLANNED]
        mine = [p for p in planned if p.group is not None and p.group.pk == self.leader_group]
        zhibu = [p for p in planned if p.branch.org.pk == self.zhibu_branch]
        picks = mine[:1] + zhibu[:1] + self.rng.sample(planned, min(4, len(planned)))
        self.pending = 0
        for plan in picks:
            rows = [r for r in plan.rows if r.person_id not in self.designed and not r.leave_state]
            if not rows:
                continue
            row = self.rng.choice(rows)
            kind = self.people[row.person_id].kind
            row.leave_reason = self.rng.choice(LEAVE_REASONS[kind])
            row.leave_state = LeaveState.REQUESTED
            row.leave_requested_at = self._at(self.today - dt.timedelta(days=1), 20, 15)
            self.pending += 1

    # --- writing ---------------------------------------------------------------------------

    def _write(self) -> None:
        votes = [(p, self._vote(p)) for p in self.plans if p.resolution]  # changes attendance
        meetings = [p.meeting for p in self.plans]
        for plan in self.plans:
            m = plan.meeting
            if m.status == MeetingStatus.HELD:
                m.minutes = _minutes(m, plan.rows, self.people)
                lag = self.rng.randint(1, 3)
                if m.date + dt.timedelta(days=lag) < self.today:
                    m.minutes_approved_at = self._at(m.date + dt.timedelta(days=lag), 10)
                    m.minutes_approved_by = self.admin
        self._save(Meeting, meetings)
        rows = [r.values() for p in self.plans for r in p.rows]
        _insert(Attendance, rows)
        found = Attendance.objects.filter(meeting__gte=meetings[0].pk, meeting__lte=meetings[-1].pk)
        ids = {(m, p): pk for pk, m, p in found.values_list("pk", "meeting_id", "person_id")}
        for row in rows:
            row["id"] = ids[(row["meeting_id"], row["person_id"])]
        self._history(Attendance, rows)
        self.counts["attendance"] = len(rows)
        self._save(Resolution, [Resolution(meeting_id=p.meeting.pk, **kw) for p, kw in votes])

    def _history(self, model, rows: list[dict]) -> None:
        """The creation entries, written straight to the history table (fast)."""
        extra = {
            "history_date": self.now,
            "history_change_reason": REASON,
            "history_type": "+",
            "history_user_id": self.admin.pk,
        }
        _insert(model.history.model, [{**row, **extra} for row in rows])

    def _save(self, model, objs: list) -> None:
        """Write model instances (their ids set) and their creation entries."""
        auto = [f.attname for f in model._meta.concrete_fields if getattr(f, "auto_now", False)
                or getattr(f, "auto_now_add", False)]  # fmt: skip
        rows = []
        for obj in objs:
            row = _fields(obj)
            row.update(dict.fromkeys(auto, self.now))
            rows.append(row)
        for obj, row, pk in zip(objs, rows, _insert(model, rows, returning=True), strict=True):
            obj.pk = row["id"] = pk
        self._history(model, rows)
        name = model._meta.model_name
        self.counts[name] = self.counts.get(name, 0) + len(objs)

    # --- heart-to-heart talks --------------------------------------------------------------

    def _heart_talks(self) -> None:
        """This year's talks: every pair of the committee, each member with a committee
        member and with another member; in every fourth branch a few are still missing."""
        year_start = dt.date(self.today.year, 1, 1)
        days = max(1, (self.today - year_start).days)
        talks = []
        self.missing_talks: dict[int, list[int]] = {}
        for n, b in enumerate(self.branches):
            start = b.founded if b.founded and b.founded > year_start else year_start
            span = max(1, (self.today - start).days)
            members_today = self.expected(b, self.today - dt.timedelta(days=1))
            committee = [p for p in b.committee_today if p in members_today] or (
                [s] if (s := self.secretary(b, self.today)) in members_today else []
            )
            members = [p for p in members_today if p not in committee]
            skip: set[int] = set()
            if n % 4 == 1 and len(members) > 4:
                skip = set(self.rng.sample(members, 2))
                self.missing_talks[b.org.pk] = sorted(skip)
            pairs = [
                (a, c)
                for i, a in enumerate(committee)
                for c in committee[i + 1 :]
                if not (skip and i == 0 and c == committee[-1])
            ]
            for i, p in enumerate(members):
                if committee and p not in skip:
                    pairs.append((committee[i % len(committee)], p))
            others = [p for p in members if p not in skip]
            for i in range(0, len(others) - 1, 2):
                pairs.append((others[i], others[i + 1]))
            if len(others) % 2 and len(others) > 1:
                pairs.append((others[-1], others[0]))
            for a, c in pairs:
                d = start + dt.timedelta(days=self.rng.randrange(span if span < days else days))
                topic, note = self.rng.choice(TALK_TOPICS[b.students])
                talks.append(
                    HeartTalk(
                        organization=b.org,
                        date=min(d, self.today - dt.timedelta(days=1)),
                        person_id=a,
                        other_id=c,
                        topic=topic,
                        note=note,
                        recorded_by=self._decider(b, None),
                    )
                )
        self._save(HeartTalk, talks)

    def _absence_cases(self) -> None:
        cases = []
        for pk, (n, case) in self.designed.items():
            if not case:
                continue
            first = add_months(self.this_month, -n)
            cases.append(
                AbsenceCase(
                    person_id=pk,
                    opened_on=self.today - dt.timedelta(days=min(10, self.today.day - 1)),
                    months=n,
                    absent_from=first,
                    reason="本人长期在外地，电话联系不上，支部正在了解情况",
                    opened_by=self.users.get("dangwei", self.admin),
                )
            )
        self._save(AbsenceCase, cases)


def _fields(obj) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


def _insert(model, rows: list[dict], *, returning: bool = False) -> list[int]:
    """INSERT the rows (attname → value; missing fields get their default) with one
    ``executemany``: bulk_create prepares every value through the ORM, which for tens of
    thousands of rows takes most of the demo's time. Types here: None, bool, int, str,
    date, time and aware datetimes."""
    if not rows:
        return []
    ops = connection.ops
    fields = [f for f in model._meta.concrete_fields if f is not model._meta.pk]
    adapt = []
    for f in fields:
        kind = f.get_internal_type()
        if kind == "DateTimeField":
            adapt.append(ops.adapt_datetimefield_value)
        elif kind == "DateField":
            adapt.append(ops.adapt_datefield_value)
        elif kind == "TimeField":
            adapt.append(ops.adapt_timefield_value)
        else:
            adapt.append(None)
    defaults = {f.attname: f.get_default() for f in fields}
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    table = ops.quote_name(model._meta.db_table)  # names from the model, not from input
    sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608
    names = [f.attname for f in fields]
    adapted: dict = {}  # the same history date on every row: adapt it once

    def prepare(fn, value):
        if fn is None or value is None:
            return value
        if value not in adapted:
            adapted[value] = fn(value)
        return adapted[value]

    params = [
        [
            prepare(fn, row[name] if name in row else defaults[name])
            for name, fn in zip(names, adapt, strict=True)
        ]
        for row in rows
    ]
    with connection.cursor() as cursor:
        if not returning:
            for start in range(0, len(params), 5000):
                cursor.executemany(sql, params[start : start + 5000])
            return []
        # Many rows a statement, RETURNING their ids in order (as bulk_create relies on).
        size = min(500, (connection.features.max_query_params or 50_000) // len(fields))
        ids: list[int] = []
        pk = ops.quote_name(model._meta.pk.column)
        for start in range(0, len(params), size):
            batch = params[start : start + size]
            many = ", ".join([f"({marks})"] * len(batch))
            cursor.execute(
                f"INSERT INTO {table} ({columns}) VALUES {many} RETURNING {pk}",  # noqa: S608
                [v for values in batch for v in values],
            )
            ids.extend(r[0] for r in cursor.fetchall())
        return ids


def _present(row: _Row) -> None:
    row.status = PRESENT
    row.leave_reason, row.leave_state = "", ""
    row.leave_requested_at = row.leave_decided_at = row.leave_decided_by_id = None


def _absent(row: _Row) -> None:
    _present(row)
    row.status = ABSENT
    row.signed_in_at = None


def _profile(org: Organization) -> str:
    code = org.code.rsplit("-", 1)[-1]
    if code.startswith("BK"):
        return "undergrad"
    return {"YJS": "grad", "JZG": "faculty", "LS": "temporary", "JG1": "office",
            "JG2": "office", "LTX": "retiree", "HQLH": "joint"}.get(code, "faculty")  # fmt: skip


# --- texts ---------------------------------------------------------------------------------

THEME_DAYS = {
    1: "走访慰问困难党员和离退休老同志",
    2: "“寒假返乡看变化”线上交流",
    3: "学雷锋志愿服务",
    4: "清明祭扫革命烈士陵园",
    5: "青春心向党 建功新时代",
    6: "重温入党誓词",
    7: "庆祝中国共产党成立{n}周年",
    8: "暑期社会实践线上交流",
    9: "迎新志愿服务",
    10: "参观李大钊纪念馆",
    11: "学习贯彻党的二十届四中全会精神",
    12: "“12·9”爱国主义教育",
}
STUDY = (
    "学习《中国共产党章程》",
    "学习《中国共产党纪律处分条例》",
    "学习《中国共产党支部工作条例（试行）》",
    "学习党的二十届四中全会精神",
    "学习习近平新时代中国特色社会主义思想",
    "学习深入贯彻中央八项规定精神相关要求",
    "学习“十五五”规划建议",
)
COMMITTEE = {
    1: "研究本年度党建工作计划",
    3: "研究发展党员工作",
    4: "研究主题党日活动方案",
    6: "研究“七一”表彰推荐工作",
    9: "研究新学期党建工作安排",
    10: "研究党费收缴情况",
    11: "研究组织生活会准备工作",
    12: "研究民主评议党员工作",
}
GENERAL = {
    3: "通报上年度党建工作总结和本年度工作计划",
    5: "发展党员讨论",
    9: "学习贯彻党的二十届四中全会精神",
    11: "通报党费收缴情况，讨论推荐入党积极分子",
}
LECTURES = (
    "坚定理想信念 争做合格党员",
    "从党史中汲取奋进力量",
    "以党的创新理论武装头脑",
    "新时代青年的使命担当",
    "全面从严治党永远在路上",
    "弘扬教育家精神 践行立德树人",
)
TALK_TOPICS = {
    True: (
        ("谈学习和思想状况", "交流了专业学习和思想状况，鼓励其发挥党员先锋模范作用。"),
        ("毕业去向与职业规划", "了解了毕业去向打算，提醒处理好学业与就业的关系。"),
        ("谈党员义务和作用发挥", "交流了在班级中发挥作用的情况，提出了改进意见。"),
    ),
    False: (
        ("谈思想、谈工作、谈学习", "交流了近期思想和工作情况，相互提出了意见建议。"),
        ("教学科研与家庭情况", "了解了教学科研压力和家庭情况，表示支部会尽力协调。"),
        ("开展批评与自我批评", "相互指出了存在的不足，明确了整改方向。"),
    ),
}


def _texts(kind, d, b, group, rng, speaker) -> tuple[str, str]:
    study = STUDY[(d.month + d.year) % len(STUDY)]
    if kind == K.THEME_DAY:
        what = THEME_DAYS[d.month].format(n=d.year - 1921)
        topic = what
        agenda = f"一、集体学习：{study[2:]}\n二、{what}\n三、交流心得体会"
    elif kind == K.COMMITTEE_MEETING:
        topic = f"{COMMITTEE.get(d.month, '研究本月党建工作安排')}"
        agenda = "一、传达上级党组织有关通知\n二、研究本月党建工作安排\n三、其他事项"
    elif kind == K.GROUP_MEETING:
        topic = study
        agenda = f"一、{study}\n二、交流思想和工作情况\n三、收缴本月党费\n四、布置下月学习任务"
    elif kind == K.GENERAL_MEETING:
        topic = f"{GENERAL.get(d.month, '通报支部工作')}"
        agenda = f"一、{GENERAL.get(d.month, '通报支部工作')}\n二、党员讨论\n三、支部书记总结"
    elif kind == K.PARTY_LECTURE:
        title = LECTURES[(d.month // 3 + d.year) % len(LECTURES)]
        topic = title
        agenda = f"一、{speaker or '授课人'}同志讲授党课“{title}”\n二、交流讨论"
    elif kind == K.STUDY_SESSION:
        topic = study[2:]
        agenda = f"一、领学{study[2:]}\n二、专题研讨\n三、交流发言"
    elif kind == K.ORG_LIFE_MEETING:
        topic = f"{d.year}年度组织生活会"
        agenda = (
            "一、通报会前学习研讨、征求意见、谈心谈话情况\n二、支部委员会对照检查\n"
            "三、党员逐一对照检查，开展批评与自我批评\n四、支部书记总结"
        )
    else:
        topic = f"{d.year}年度民主评议党员"
        agenda = "一、党员个人总结\n二、党员互评\n三、民主测评\n四、支部委员会提出评议意见"
    return topic, agenda


def _place(kind, b, group, d, rng) -> str:
    if b.students and d.month in (1, 2, 7, 8) and kind in (K.GROUP_MEETING, K.THEME_DAY):
        return "线上（腾讯会议）"
    if kind == K.THEME_DAY and d.month in (4, 10):
        return "冀东烈士陵园" if d.month == 4 else "乐亭县李大钊纪念馆"
    if b.profile == "retiree":
        return "离退休活动中心"
    if not b.college:
        return "行政楼第二会议室"
    return f"{b.college}{'党员活动室' if group is not None else '会议室'}"


def _minutes(m: Meeting, rows: list[_Row], people: dict[int, _Person]) -> str:
    present = [r for r in rows if r.status == PRESENT]
    leave = [r for r in rows if r.status == ON_LEAVE]
    absent = [r for r in rows if r.status == ABSENT]
    host = people[m.host_id].name if m.host_id else "支部书记"
    names = "、".join(f"{people[r.person_id].name}（{r.leave_reason}）" for r in leave[:6])
    lines = [
        f"会议由{host}同志主持。应到{len(rows)}人，实到{len(present)}人，"
        f"请假{len(leave)}人，缺席{len(absent)}人。",
    ]
    if leave:
        lines.append(f"请假：{names}{'等' if len(leave) > 6 else ''}。")
    if absent:
        lines.append("缺席：" + "、".join(people[r.person_id].name for r in absent[:6]) + "。")
    lines.append(f"会议围绕“{m.topic.split('：', 1)[-1]}”进行，与会党员结合实际作了交流发言。")
    lines.append("会议要求全体党员认真落实会议精神，做好本职工作，发挥先锋模范作用。")
    return "\n".join(lines)
