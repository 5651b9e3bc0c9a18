"""Member development for the demo (发展党员): people at every step of the 25, with their
records, thought reports, contact persons and introducers, and some historical violations
for the rules to find.

Called by ``demo._Builder.build()`` after the group work and before the reminders, inside
its transaction. Two kinds of subject:

- Twelve new people on the way in (``DESIGNED``), put on the roll of 计算机学院本科生第一
  党支部 (the ``zhibu`` user's branch) and its sister branch with
  ``members.services.person_create`` as applicants on their application date, then moved
  to activist and candidate on those steps' dates with ``members.services.apply_status``
  (what the development workflow calls; ``person_status_change`` refuses moves on the way
  in); their recent records are written as if recorded live, with their thought reports.
  Three steps go through the live service ``development.services.steps.step_record``
  (the talk with a new applicant, the approving committee's talk with a candidate, and a
  talk 40 days late entered as a past fact with the reason and the college secretary's
  approval).
- Probationary and recently converted members already on the demo's roll (they have dues
  and meetings): their records are rebuilt from their status history (application,
  activist, candidate, admission and probation-end dates) and written as historical
  imports; an admission or conversion voted at a demo meeting links that meeting and its
  counts.

Records are written with ``writer.write_timeline`` and the rule cache is filled with
``records_refresh``. Dates are relative to ``today`` and in the past. ``DESIGNED`` names
each designed person's findings (error and warning codes) for the tests.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from dangwu.accounts.models import User
from dangwu.core.dates import add_months, add_years
from dangwu.core.findings import Severity
from dangwu.core.generate import IdNumbers, mobile
from dangwu.core.workcal import CalendarDataMissing
from dangwu.core.workcal_db import calendar as db_calendar
from dangwu.development.choices import EntrySource, RecordState
from dangwu.development.conf import development_settings
from dangwu.development.models import DevelopmentRecord, RuleException, StepEntry
from dangwu.development.rules import check_timeline
from dangwu.development.services.common import records_refresh
from dangwu.development.services.steps import step_record
from dangwu.development.writer import write_timeline
from dangwu.meetings.models import Resolution
from dangwu.members import services as member_services
from dangwu.members.choices import SanctionKind, Status
from dangwu.members.models import Person, StatusChange
from dangwu.orgs.models import Organization, Post

SEED = 2026_07
REASON = "演示数据"
BRANCH = "HBLG-JSJ-BK1"  # the zhibu user's branch: the whole pipeline
SISTER = "HBLG-JSJ-BK2"
STUDENT_BRANCHES = ("HBLG-JSJ-BK1", "HBLG-JSJ-BK2", "HBLG-JSJ-BK3", "HBLG-JSJ-YJS")
AREA = "130209"  # 曹妃甸区: not used by the demo's roll, so the ID numbers stay unique
APPROVER = "zongzhi"  # the college's secretary approves the exceptions
# The college's faculty branch: its teachers stand in as contact persons and introducers
# where a student branch has too few full members on the day (most students convert and
# graduate); one of them, under 留党察看, is named as an introducer.
FACULTY = "HBLG-JSJ-JZG"

# Each designed person: the error and warning codes their record must show on ``today``.
DESIGNED: dict[str, frozenset[str]] = {
    "林晓雨": frozenset(),  # applied ten days ago
    "陈思远": frozenset(),  # applied and talked to
    "黄子轩": frozenset({"DEV-TALK-1M"}),  # the talk is overdue
    "郑浩然": frozenset({"DEV-TALK-1M"}),  # talked to 40 days after the application
    "周雨萱": frozenset(),  # an activist in cultivation, reports every quarter
    "吴俊杰": frozenset({"DEV-ASSESS-6M", "DEV-THOUGHT-REPORT"}),  # no assessment, quarters missing
    "孙嘉怡": frozenset(),  # an activist of more than a year, ready to be a candidate
    "马一鸣": frozenset(),  # a candidate: introducers, political review, training
    "朱雅婷": frozenset({"DEV-CULT-1Y"}),  # named a candidate 10 months after the activist
    "胡晨阳": frozenset({"DEV-INTRODUCERS"}),  # an introducer under 留党察看
    "高诗涵": frozenset(),  # in publicity now
    "罗文博": frozenset(),  # admitted by the general meeting, waiting for approval
}
# Members already on the roll whose records are rebuilt (chosen by the builder), by kind:
# in probation; admitted with exactly half in favour, kept with an exception (VOTE-PASS);
# probation extended by six months; converted and archived; the conversion meeting before
# the probation end (DEV-PROBATION).
EXISTING_CODES = {
    "probationary": frozenset(),
    "half_vote": frozenset({"VOTE-PASS"}),
    "extension": frozenset(),
    "full": frozenset(),
    "early_conversion": frozenset({"DEV-PROBATION"}),
}


@dataclass
class _Subject:
    person: Person
    data: dict[str, Any]
    source: str
    actor: User
    kind: str = ""
    exception: tuple[str, str] | None = None  # (step, reason) of a past fact kept
    live: tuple[str, dict, str] | None = None  # (step, data, exception reason): step_record
    meetings: dict[str, int] = field(default_factory=dict)  # step → meeting id


def build_demo_development(*, admin: User, today: dt.date) -> dict[str, int]:
    """Add the development records to the demo; return the row counts."""
    builder = _Builder(admin, today)
    builder.build()
    return builder.counts


class _Builder:
    def __init__(self, admin: User, today: dt.date) -> None:
        self.rng = random.Random(SEED)  # noqa: S311 - demo data, not secrets
        self.admin = admin
        self.today = today
        self.calendar = db_calendar()
        self.settings = development_settings()
        self.ids = IdNumbers((AREA,))
        codes = (*STUDENT_BRANCHES, FACULTY)
        self.branches = {o.code: o for o in Organization.objects.filter(code__in=codes)}
        users = {u.username: u for u in User.objects.filter(username__in=("zhibu", APPROVER))}
        self.recorder = users.get("zhibu", admin)
        self.approver = users.get(APPROVER, admin)
        self.subjects: list[_Subject] = []
        self.counts: dict[str, int] = {}
        self.created: list[int] = []  # people put on the roll here
        self._load_roll()

    # --- the roll: full members (contacts, introducers) and status histories -------------

    def _load_roll(self) -> None:
        posts = set(Post.objects.filter(ended_on__isnull=True).values_list("person_id", flat=True))
        self.posts = posts
        self.full: dict[int, list[Person]] = defaultdict(list)
        people = Person.objects.filter(branch__in=self.branches.values(), is_active=True).order_by(
            "sort_key", "id"
        )
        self.roll = list(people)
        for p in self.roll:
            if p.status == Status.FULL and p.full_since is not None:
                self.full[p.branch_id].append(p)
        self.history: dict[int, dict[str, dt.date]] = defaultdict(dict)
        for pid, status, on in StatusChange.objects.filter(
            person__in=[p.pk for p in self.roll]
        ).values_list("person_id", "status", "effective_on"):
            self.history[pid][status] = on

    def _full_members(self, branch: Organization, on: dt.date, n: int, *, skip=()) -> list[dict]:
        """``n`` full members of ``branch`` on ``on`` (not under sanction), as step people;
        the college's teachers make up the number where the branch has too few."""

        def pool(org):
            return [
                p
                for p in self.full[org.pk]
                if p.full_since <= on and p.pk not in skip and p.pk != self.culprit.pk
            ]

        found = pool(branch)
        picked = self.rng.sample(found, min(n, len(found)))
        if len(picked) < n:
            picked += self.rng.sample(pool(self.branches[FACULTY]), n - len(picked))
        return [{"status": "full", "name": p.name, "person_id": p.pk} for p in picked]

    def _day(self, days: int) -> dt.date:
        return self.today - dt.timedelta(days=days)

    # --- the whole build -------------------------------------------------------------------

    def build(self) -> None:
        self._sanction()
        self._new_people()
        self._existing_people()
        self._rest_of_roll()
        self._write()
        # The demo's rows name their reason in the history, like demo.py's bulk rows.
        Person.history.filter(id__in=self.created).update(history_change_reason=REASON)
        StatusChange.history.filter(person_id__in=self.created).update(history_change_reason=REASON)
        self.counts["person_development"] = len(self.created)

    def _sanction(self) -> None:
        """A full member of the branch under 留党察看 for a year, decided 200 days ago
        (through the members service, as the discipline committee's decision is entered)."""
        branch = self.branches[FACULTY]
        logins = set(User.objects.exclude(person=None).values_list("person_id", flat=True))
        decided = self._day(200)
        found = [
            p
            for p in self.full[branch.pk]
            if p.full_since < decided - dt.timedelta(days=365)
            and p.pk not in self.posts
            and p.pk not in logins
        ]
        culprit = found[0]
        member_services.sanction_record(
            actor=self.admin,
            person=culprit,
            kind=SanctionKind.PROBATION_WITHIN_PARTY,
            decided_on=decided,
            probation_years=1,
            document=f"华理纪〔{decided.year}〕5号",
            reason="考试作弊，造成不良影响",
        )
        self.culprit = culprit
        self.counts["sanction_development"] = 1

    # --- new people on the way in ----------------------------------------------------------

    def _person(self, name: str, sex: str, branch: Organization, app: dt.date, **extra):
        """A student put on the roll as an applicant on ``app`` (aged 18 to 19 then)."""
        rng = self.rng
        birth = add_years(app, -18) - dt.timedelta(days=rng.randint(20, 500))
        number = self.ids.next(birth, sex)
        while Person.objects.filter(id_number=number).exists():
            number = self.ids.next(birth, sex)
        grade = min(self.today.year, app.year if app.month >= 9 else app.year - 1)
        person = member_services.person_create(
            actor=self.admin,
            branch=branch,
            status=Status.APPLICANT,
            status_since=app,
            joined_on=app,
            today=self.today,
            name=name,
            sex=sex,
            birth_date=birth,
            id_number=number,
            phone=mobile(rng),
            education="bachelor",
            occupation="student",
            work_unit=f"计算机科学与技术{grade}级{rng.randint(1, 4)}班",
            league_member=extra.get("league", True),
            applied_on=app,
        )
        self.created.append(person.pk)
        return person

    def _move(self, person: Person, status: str, on: dt.date) -> Person:
        """The status move the step made (the members service the development workflow
        uses; ``person_status_change`` refuses moves on the way in)."""
        locked = Person.objects.select_for_update().get(pk=person.pk)
        return member_services.apply_status(
            self.admin, locked, status, on, reason=f"发展党员：{STEP_REASONS[status]}"
        )

    def _reports(self, app: dt.date, until: dt.date, *, skip: int = 0) -> list[dict]:
        """A thought report in the middle of each quarter after the application's (the
        last ``skip`` quarters before ``until`` missing)."""
        out = []
        d = dt.date(app.year, ((app.month - 1) // 3) * 3 + 1, 1)
        while True:
            d = add_months(d, 3)
            day = d + dt.timedelta(days=40 + self.rng.randint(0, 20))
            if day > until:
                break
            out.append({"date": day.isoformat()})
        return out[: len(out) - skip] if skip else out

    def _new(
        self, name, sex, branch, app, steps, *, until_status, reports, live=True, step=None, **kw
    ):
        person = self._person(name, sex, branch, app, **kw)
        history = {
            Status.ACTIVIST: steps.get("activist", {}).get("date"),
            Status.CANDIDATE: steps.get("candidate", {}).get("date"),
        }
        for status in (Status.ACTIVIST, Status.CANDIDATE):
            if history[status] and _rank(until_status) >= _rank(status):
                person = self._move(person, status, dt.date.fromisoformat(history[status]))
        data = {"steps": steps}
        if reports is not None:
            data["thought_reports"] = reports
        subject = _Subject(
            person=person,
            data=data,
            source=EntrySource.LIVE if live else EntrySource.IMPORT,
            actor=self.recorder if branch.code == BRANCH else self.admin,
            kind=name,
        )
        if step is not None:  # the last step, recorded through the live workflow
            key, reason = step
            obj = steps.pop(key)
            subject.live = (key, {"date": dt.date.fromisoformat(obj["date"])}, reason)
        self.subjects.append(subject)
        return subject

    def _new_people(self) -> None:
        b, sister = self.branches[BRANCH], self.branches[SISTER]
        day, T = self._day, self.today
        A, C, D = Status.APPLICANT, Status.ACTIVIST, Status.CANDIDATE

        # Stage 1: applicants.
        self._new("林晓雨", "female", b, day(10), _app(day(10)), until_status=A, reports=[])
        app = day(25)
        self._new(
            "陈思远",
            "male",
            b,
            app,
            _app(app, day(12)),
            until_status=A,
            reports=[],
            step=("application_talk", ""),
        )
        app = add_months(T, -1) - dt.timedelta(days=12)  # the month for the talk is over
        self._new("黄子轩", "male", sister, app, _app(app), until_status=A, reports=[])
        # Talked to 40 days after the application: entered now as a past fact, kept with
        # the written reason and the college secretary's approval (a RuleException).
        app = day(150)
        self._new(
            "郑浩然",
            "male",
            b,
            app,
            _app(app, app + dt.timedelta(days=40)),
            until_status=A,
            reports=self._reports(app, T),
            live=False,
            step=(
                "application_talk",
                "谈话人当时外出培训，支部未及时另行指派，谈话推迟；已补正并由总支书记批准。",
            ),
        )

        # Stage 2: activists in cultivation.
        app = add_months(T, -14)
        ac = add_months(T, -7)
        steps = {
            **_app(app, app + dt.timedelta(days=14)),
            **self._activist(b, ac, [add_months(ac, 5)], recommended_by="league"),
        }
        self._new("周雨萱", "female", b, app, steps, until_status=C, reports=self._reports(app, T))
        app = add_months(T, -17)
        ac = add_months(T, -9)  # no assessment since: overdue (a warning)
        steps = {**_app(app, app + dt.timedelta(days=20)), **self._activist(b, ac, [])}
        self._new(
            "吴俊杰", "male", b, app, steps, until_status=C, reports=self._reports(app, T, skip=2)
        )
        app = add_months(T, -21)
        ac = add_months(T, -14)
        steps = {
            **_app(app, app + dt.timedelta(days=9)),
            **self._activist(sister, ac, [add_months(ac, 5), add_months(ac, 10)]),
        }
        self._new(
            "孙嘉怡", "female", sister, app, steps, until_status=C, reports=self._reports(app, T)
        )

        # Stage 3: candidates.
        app = add_months(T, -27)
        ac = add_months(T, -20)
        c = day(75)
        steps = {
            **_app(app, app + dt.timedelta(days=15)),
            **self._activist(b, ac, [add_months(ac, 5), add_months(ac, 10), add_months(ac, 15)]),
            **self._candidate(b, c, review=day(50), training=day(40)),
        }
        self._new("马一鸣", "male", b, app, steps, until_status=D, reports=self._reports(app, T))
        # Named a candidate ten months after the activist date (an import, found by the audit).
        app = add_months(T, -24)
        ac = add_months(T, -16)
        c = add_months(ac, 10)
        steps = {
            **_app(app, app + dt.timedelta(days=18)),
            **self._activist(b, ac, [add_months(ac, 5)]),
            **self._candidate(b, c, review=c + dt.timedelta(days=20)),
        }
        self._new("朱雅婷", "female", b, app, steps, until_status=D, reports=None, live=False)
        # An introducer under 留党察看 on the day the introducers were named.
        app = add_months(T, -26)
        ac = add_months(T, -18)
        c = day(150)
        steps = {
            **_app(app, app + dt.timedelta(days=10)),
            **self._activist(b, ac, [add_months(ac, 5), add_months(ac, 10)]),
            **self._candidate(b, c, review=day(120), training=day(110)),
        }
        steps["introducers"]["people"][1] = {
            "status": "full",
            "sanction": "probation_within_party",
            "name": self.culprit.name,
            "person_id": self.culprit.pk,
        }
        self._new("胡晨阳", "male", b, app, steps, until_status=D, reports=self._reports(app, T))

        # Stage 4: in publicity now; admitted by the meeting and waiting for the approval.
        app = add_months(T, -28)
        ac = add_months(T, -21)
        c = day(90)
        steps = {
            **_app(app, app + dt.timedelta(days=12)),
            **self._activist(b, ac, [add_months(ac, 5), add_months(ac, 10), add_months(ac, 15)]),
            **self._candidate(b, c, review=day(60), training=day(45)),
            **self._publicity_now(),
        }
        self._new("高诗涵", "female", b, app, steps, until_status=D, reports=self._reports(app, T))
        app = add_months(T, -30)
        ac = add_months(T, -23)
        c = day(120)
        steps = {
            **_app(app, app + dt.timedelta(days=16)),
            **self._activist(b, ac, [add_months(ac, 5), add_months(ac, 10), add_months(ac, 15)]),
            **self._candidate(b, c, review=day(100), training=day(95)),
            **self._admission(b, day(70), meeting=day(20), until=T),
        }
        self._new(
            "罗文博",
            "male",
            b,
            app,
            steps,
            until_status=D,
            reports=self._reports(app, T),
            step=("approval_talk", ""),
        )

    def _publicity_now(self) -> dict:
        """A publicity window that began three days ago — or, where the calendar cannot
        count it (the next year's schedule not loaded yet, CAL-DATA), one that has ended."""
        days = self.settings.publicity_working_days or 5
        for back in (3, 12, 20):
            start = self._day(back)
            try:
                self.calendar.end_of_workdays(start, days)
            except CalendarDataMissing:
                continue
            break
        return {
            "committee_review": {"date": (start - dt.timedelta(days=1)).isoformat()},
            "publicity": {"start": start.isoformat(), "working_days": days},
        }

    # --- the steps of each stage -----------------------------------------------------------

    def _activist(self, branch, ac: dt.date, assessments, *, recommended_by="league"):
        return {
            "activist": {"date": ac.isoformat(), "recommended_by": recommended_by},
            "activist_filing": {"date": (ac + dt.timedelta(days=6)).isoformat()},
            "contacts_assigned": {
                "date": ac.isoformat(),
                "people": self._full_members(branch, ac, 2),
            },
            "activist_assessments": [{"date": d.isoformat()} for d in assessments],
        }

    def _candidate(self, branch, c: dt.date, *, review=None, training=None):
        out = {
            "candidate": {"date": c.isoformat()},
            "candidate_filing": {"date": (c + dt.timedelta(days=3)).isoformat()},
            "introducers": {"date": c.isoformat(), "people": self._full_members(branch, c, 2)},
        }
        if review is not None:
            out["political_review"] = {"date": review.isoformat(), "passed": True}
        if training is not None:
            out["training"] = {
                "start": training.isoformat(),
                "end": (training + dt.timedelta(days=2)).isoformat(),
                "days": 3,
                "hours": 24,
            }
        return out

    def _admission(self, branch, review: dt.date, *, meeting: dt.date, until: dt.date, vote=None):
        """From the committee review to the admission (approval within three weeks of the
        meeting when that is before ``until``)."""
        publicity = review + dt.timedelta(days=1)
        try:
            end = self.calendar.end_of_workdays(publicity, self.settings.publicity_working_days)
        except CalendarDataMissing:
            end = publicity + dt.timedelta(days=9)
        pre = end + dt.timedelta(days=3)
        out = {
            "committee_review": {"date": review.isoformat()},
            "publicity": {
                "start": publicity.isoformat(),
                "working_days": self.settings.publicity_working_days or 5,
            },
            "pre_review": {"date": pre.isoformat(), "by": "basic_committee"},
            "application_form": {"date": (pre + dt.timedelta(days=2)).isoformat()},
            "admission_meeting": {
                "date": meeting.isoformat(),
                **(vote or self._vote(branch, meeting)),
            },
        }
        steps = [
            ("approval_talk", meeting + dt.timedelta(days=7), {}),
            ("admission_approval", meeting + dt.timedelta(days=21), {"by": "basic_committee"}),
            ("admission_filing", meeting + dt.timedelta(days=28), {}),
            ("placement", meeting + dt.timedelta(days=22), {}),
            ("oath", meeting + dt.timedelta(days=30), {}),
        ]
        for key, d, extra in steps:
            if d <= until:
                out[key] = {"date": d.isoformat(), **extra}
        return out

    def _vote(self, branch, on: dt.date) -> dict:
        should = max(3, sum(1 for p in self.full[branch.pk] if p.full_since <= on))
        present = should - (1 if should > 8 else 0)
        return {"should_attend": should, "present": present, "in_favour": present}

    # --- members already on the roll -------------------------------------------------------

    def _existing_people(self) -> None:
        T = self.today
        resolutions = {}
        for r in Resolution.objects.select_related("meeting").filter(
            meeting__organization__in=self.branches.values()
        ):
            resolutions[(r.meeting.organization_id, r.meeting.date)] = r
        choices: dict[str, list[Person]] = defaultdict(list)
        students = {self.branches[c].pk for c in STUDENT_BRANCHES}
        for p in self.roll:
            if p.branch_id not in students:
                continue
            on = self.history[p.pk]
            if not {"applicant", "activist", "candidate", "probationary"} <= set(on):
                continue
            if on["probationary"] - on["candidate"] < dt.timedelta(days=60):
                continue
            if p.status == Status.PROBATIONARY and p.admission_date <= T - dt.timedelta(days=40):
                choices["probationary"].append(p)
            elif (
                p.status == Status.FULL
                and p.full_since is not None
                and p.full_since <= T - dt.timedelta(days=75)
                and p.pk not in self.posts
            ):
                choices["full"].append(p)
        probationary = sorted(choices["probationary"], key=lambda p: (p.admission_date, p.pk))
        full = sorted(choices["full"], key=lambda p: (-p.full_since.toordinal(), p.pk))
        picks = {
            "extension": [probationary.pop(0)],  # the longest in probation
        }
        voted = [p for p in probationary if (p.branch_id, p.admission_date) in resolutions]
        plain = [p for p in probationary if p not in voted]
        picks["probationary"] = (voted[:1] + plain)[:2]
        picks["half_vote"] = [p for p in plain if p not in picks["probationary"]][:1]
        picks["full"] = full[:2]
        picks["early_conversion"] = full[2:3]
        for kind, people in picks.items():
            for p in people:
                self._existing(p, kind, resolutions)

    def _existing(self, p: Person, kind: str, resolutions) -> None:
        T, on = self.today, self.history[p.pk]
        branch = p.branch
        app, ac, c, adm = on["applicant"], on["activist"], on["candidate"], on["probationary"]
        steps: dict[str, Any] = _app(app, app + dt.timedelta(days=14))
        assess, d = [], add_months(ac, 5)
        while d < c - dt.timedelta(days=10):
            assess.append(d)
            d = add_months(d, 5)
        steps.update(self._activist(branch, ac, assess, recommended_by="league"))
        steps.update(
            self._candidate(
                branch, c, review=c + dt.timedelta(days=10), training=c + dt.timedelta(days=14)
            )
        )
        meetings: dict[str, int] = {}
        vote = None
        r = resolutions.get((branch.pk, adm))
        if r is not None and p.name in r.text:
            vote = {
                "should_attend": r.should_attend,
                "present": r.present,
                "in_favour": r.in_favour,
            }
            meetings["admission_meeting"] = r.meeting_id
        if kind == "half_vote":  # exactly half of those who should attend: VOTE-PASS fails
            should = max(6, self._vote(branch, adm)["should_attend"])
            should += should % 2
            vote = {"should_attend": should, "present": should - 2, "in_favour": should // 2}
        steps.update(
            self._admission(branch, c + dt.timedelta(days=20), meeting=adm, until=T, vote=vote)
        )
        end = add_years(adm, 1)
        d = add_months(adm, 5)
        probation = []
        while d <= min(T, end - dt.timedelta(days=20)):
            probation.append(d)
            d = add_months(d, 5)
        if probation:
            steps["probation_assessments"] = [{"date": x.isoformat()} for x in probation]
        if kind == "extension":
            decided = min(add_months(adm, 11), T - dt.timedelta(days=3))
            steps["conversion_application"] = {"date": (decided - dt.timedelta(days=5)).isoformat()}
            steps["probation_extension"] = {
                "date": decided.isoformat(),
                "months": 6,
                "approval_date": min(decided + dt.timedelta(days=10), T).isoformat(),
                **self._vote(branch, decided),
            }
        if p.status == Status.FULL:
            meeting = end - dt.timedelta(days=12) if kind == "early_conversion" else end
            approval = end + dt.timedelta(days=20)
            steps["conversion_application"] = {
                "date": (meeting - dt.timedelta(days=10)).isoformat()
            }
            conv_vote = self._vote(branch, meeting)
            r = resolutions.get((branch.pk, p.full_since))
            if r is not None and p.name in r.text and kind != "early_conversion":
                conv_vote = {
                    "should_attend": r.should_attend,
                    "present": r.present,
                    "in_favour": r.in_favour,
                }
                meetings["conversion_meeting"] = r.meeting_id
            steps["conversion_meeting"] = {"date": meeting.isoformat(), **conv_vote}
            steps["conversion_approval"] = {"date": approval.isoformat(), "by": "basic_committee"}
            archive = approval + dt.timedelta(days=30)
            if archive <= T:
                steps["archiving"] = {"date": archive.isoformat()}
        data: dict[str, Any] = {"steps": steps}
        if kind in ("probationary", "full") and len(self.subjects) % 2 == 0:
            until = min(
                T,
                dt.date.fromisoformat(
                    steps.get("conversion_approval", {"date": T.isoformat()})["date"]
                ),
            )
            data["thought_reports"] = self._reports(app, until)
        exception = None
        if kind == "half_vote":
            exception = (
                "admission_meeting",
                "历史记录：当时误以实到会人数为基数计算赞成票，经党委复核，"
                "该同志入党材料齐全、表现一贯良好，予以认可并责成支部整改。",
            )
        self.subjects.append(
            _Subject(
                person=p,
                data=data,
                source=EntrySource.IMPORT,
                actor=self.recorder if branch.code == BRANCH else self.admin,
                kind=kind,
                exception=exception,
                meetings=meetings,
            )
        )

    def _rest_of_roll(self) -> None:
        """Every other applicant, activist and candidate of the student branches gets a
        record rebuilt from their status history, kept within the rules, so that the
        boards and to-do lists of the demo are full. People whose history cannot be kept
        within them (a candidate named less than a year after the activist date) are left
        without a record: the branch opens it on their next step."""
        T = self.today
        taken = {s.person.pk for s in self.subjects}
        students = {self.branches[c].pk for c in STUDENT_BRANCHES}
        n = 0
        for p in self.roll:
            if p.pk in taken or p.branch_id not in students or p.status not in _RANK:
                continue
            on = self.history[p.pk]
            app = p.applied_on or on.get("applicant")
            if app is None or app > T:
                continue
            talk = app + dt.timedelta(days=10 + p.pk % 15)
            steps: dict[str, Any] = _app(app, talk if talk <= T else None)
            try:
                if p.status in (Status.ACTIVIST, Status.CANDIDATE):
                    ac = on["activist"]
                    if ac < add_months(app, self.settings.app_to_activist_months) or ac < talk:
                        continue
                    c = on.get("candidate") if p.status == Status.CANDIDATE else None
                    if c is not None and c < add_years(ac, 1):
                        continue
                    end = c or T
                    assess, d = [], add_months(ac, 5)
                    while d < end - dt.timedelta(days=7):
                        assess.append(d)
                        d = add_months(d, 5)
                    steps.update(self._activist(p.branch, ac, assess, recommended_by="league"))
                    if c is not None:
                        review = c + dt.timedelta(days=12)
                        training = c + dt.timedelta(days=20)
                        steps.update(
                            self._candidate(
                                p.branch,
                                c,
                                review=review if review <= T else None,
                                training=training if training + dt.timedelta(days=2) <= T else None,
                            )
                        )
            except (KeyError, ValueError):  # no history, or too few full members then
                continue
            self.subjects.append(
                _Subject(
                    person=p,
                    data={"steps": steps},
                    source=EntrySource.IMPORT,
                    actor=self.recorder if p.branch_id == self.branches[BRANCH].pk else self.admin,
                    kind="roll",
                )
            )
            n += 1
        self.counts["roll_records"] = n

    # --- writing ---------------------------------------------------------------------------

    def _write(self) -> None:
        records = []
        for s in self.subjects:
            record = DevelopmentRecord(person=s.person, branch=s.person.branch)
            archived = s.data["steps"].get("archiving")
            if archived is not None:  # archiving closes the record (as the workflow does)
                record.state = RecordState.DONE
                record.closed_on = dt.date.fromisoformat(archived["date"])
                record.closed_reason = "材料归档"
            record._history_user = self.admin
            record._change_reason = REASON
            record.save()
            data = {
                "person": {
                    "birth_date": s.person.birth_date.isoformat(),
                    "league_member": s.person.league_member,
                },
                **s.data,
            }
            entries = write_timeline(record, data, actor=s.actor, source=s.source)
            for step, meeting_id in s.meetings.items():
                StepEntry.objects.filter(record=record, step=step).update(meeting_id=meeting_id)
            if s.exception is not None:
                self._exception(record, data, entries, *s.exception)
            record.person = s.person
            records.append(record)
        for s in self.subjects:
            if s.live is not None:
                step, values, reason = s.live
                step_record(
                    actor=s.actor,
                    person=Person.objects.get(pk=s.person.pk),
                    step=step,
                    data=values,
                    exception_reason=reason,
                    approver=self.approver if reason else None,
                    today=self.today,
                )
        for record in records:  # the status the live steps moved
            record.refresh_from_db()
            record.person = Person.objects.get(pk=record.person_id)
        records_refresh(records, today=self.today, settings=self.settings, calendar=self.calendar)
        self.counts["developmentrecord"] = len(records)
        self.counts["stepentry"] = StepEntry.objects.filter(record__in=records).count()
        self.counts["ruleexception"] = RuleException.objects.filter(
            entry__record__in=records
        ).count()

    def _exception(self, record, data, entries, step: str, reason: str) -> None:
        """Keep the error findings on ``step`` as a past fact with the approver's consent."""
        entry = next(e for e in entries if e.step == step)
        findings = check_timeline(
            data, today=self.today, settings=self.settings, calendar=self.calendar
        )
        RuleException.objects.bulk_create(
            RuleException(
                entry=entry,
                code=f.code,
                message=f.message,
                citation=f.citation,
                due=f.due,
                reason=reason,
                approved_by=self.approver,
                recorded_by=self.recorder,
            )
            for f in findings
            if f.subject == step and f.severity == Severity.ERROR
        )


_RANK = {Status.APPLICANT: 0, Status.ACTIVIST: 1, Status.CANDIDATE: 2}
STEP_REASONS = {
    Status.ACTIVIST: "第3步「推荐和确定入党积极分子」",
    Status.CANDIDATE: "第7步「确定发展对象」",
}


def _rank(status: str) -> int:
    return _RANK[status]


def _app(app: dt.date, talk: dt.date | None = None) -> dict:
    out: dict[str, Any] = {"application": {"date": app.isoformat()}}
    if talk is not None:
        out["application_talk"] = {"date": talk.isoformat()}
    return out
