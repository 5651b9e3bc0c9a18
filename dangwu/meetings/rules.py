"""Regulations of organizational life (LIFE-*): 三会一课, 主题党日, 组织生活会, 民主评议,
谈心谈话, absence and study hours.

Pure functions over plain values and small frozen dataclasses: no database, no request, no
clock (``today`` is always an argument). Each returns a list of ``Finding``s, empty when the
rule is satisfied; the caller sets ``subject`` (``dataclasses.replace``). Every finding about
a period carries ``data["period"]`` (its label: ``2025-03``, ``2025-Q2``, ``2025``) and
``data["group"]`` (a party group's name, else ``None``), and ``due`` = the period's last day.

Periods (DOMAIN.md §7): a period that has not started by ``today`` gives nothing; one that
is running (``today`` on or before its last day) gives at most a warning — the branch can
still hold the meeting; one that has ended gives the rule's full severity.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from dangwu.core.dates import add_months, zh_date
from dangwu.core.findings import Finding, Severity
from dangwu.meetings.choices import AttendanceStatus, MeetingKind
from dangwu.meetings.periods import Period, PeriodKind, quarter_of, year_periods
from dangwu.orgs.choices import OrgKind
from dangwu.orgs.rules import BRANCH_RULES, PARTY_CONSTITUTION

# DOMAIN.md marks the national source of LIFE-STUDY-HOURS [unconfirmed]: say so in the citation.
STUDY_PLAN = "《党员教育培训工作规划》（具体条款未经核实）"
LOCAL_RULES = "本地规定"

# Chinese names for messages. The ``TextChoices`` labels are lazy translations that need
# configured settings; the rules must not.
MEETING_KIND_ZH: Mapping[str, str] = {
    MeetingKind.GENERAL_MEETING: "支部党员大会",
    MeetingKind.COMMITTEE_MEETING: "支委会",
    MeetingKind.GROUP_MEETING: "党小组会",
    MeetingKind.PARTY_LECTURE: "党课",
    MeetingKind.THEME_DAY: "主题党日",
    MeetingKind.ORG_LIFE_MEETING: "组织生活会",
    MeetingKind.APPRAISAL: "民主评议党员",
    MeetingKind.STUDY_SESSION: "集中学习",
}
# Plain strings: comparing with an enum member costs an attribute lookup each time (3.11).
_GENERAL = MeetingKind.GENERAL_MEETING.value
_COMMITTEE = MeetingKind.COMMITTEE_MEETING.value
_GROUP = MeetingKind.GROUP_MEETING.value
_LECTURE = MeetingKind.PARTY_LECTURE.value
_THEME = MeetingKind.THEME_DAY.value
_ORG_LIFE = MeetingKind.ORG_LIFE_MEETING.value
_APPRAISAL = MeetingKind.APPRAISAL.value
_BRANCH = OrgKind.BRANCH.value
_ORG_KINDS = frozenset(k.value for k in OrgKind)
_ATTENDANCE = frozenset(s.value for s in AttendanceStatus)
_THIS = {PeriodKind.MONTH: "本月", PeriodKind.QUARTER: "本季度", PeriodKind.YEAR: "本年度"}

# LIFE-ABSENT-6 — 党章 第九条: six months is national, not a setting (as DUES-ARREARS-6).
ABSENCE_MONTHS = 6


def _count(value: object, label: str, *, minimum: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError(f"{label}应为不小于{minimum}的整数，实际为{value!r}。")
    return value


def _year(year: object) -> int:
    if isinstance(year, bool) or not isinstance(year, int) or not 1 <= year < dt.MAXYEAR:
        raise ValueError(f"年份应为整数，实际为{year!r}。")
    return year


def _date(value: object, label: str) -> dt.date:
    # A datetime is a date subclass but does not compare with one: refuse it here.
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise ValueError(f"{label}应为日期，实际为{value!r}。")
    return value


# --- Settings (the [local] / [unconfirmed] parts of DOMAIN.md §7) -------------------------


@dataclass(frozen=True, slots=True)
class ComplianceSettings:
    """Local policy for organizational life, each field a DOMAIN.md default.

    ``lectures_per_quarter``: LIFE-LECTURE [local] — party lectures each quarter (1).
    ``secretary_lectures_per_year``: LIFE-LECTURE — lectures the secretary gives a year (1).
    ``heart_talks_per_year``: LIFE-HEART-TALK — talks a year for each pair / person (1).
    ``absence_warning_months``: LIFE-ABSENT-6 [local] — warn from this many consecutive
    months of absence (3); six months is the national rule (党章 第九条), not a setting.
    ``study_hours_member`` / ``study_hours_cadre``: LIFE-STUDY-HOURS [unconfirmed] — study
    hours a year for members (32) and for secretaries and committee members (56).
    A count of 0 switches its check off.
    """

    lectures_per_quarter: int = 1
    secretary_lectures_per_year: int = 1
    heart_talks_per_year: int = 1
    absence_warning_months: int = 3
    study_hours_member: int = 32
    study_hours_cadre: int = 56

    def __post_init__(self) -> None:
        _count(self.lectures_per_quarter, "每季度党课次数")
        _count(self.secretary_lectures_per_year, "书记每年讲党课次数")
        _count(self.heart_talks_per_year, "每年谈心谈话次数")
        _count(self.study_hours_member, "党员每年学习学时")
        _count(self.study_hours_cadre, "书记和委员每年学习学时")
        warn = self.absence_warning_months
        if isinstance(warn, bool) or not isinstance(warn, int) or not 1 <= warn < ABSENCE_MONTHS:
            raise ValueError(
                f"未参加组织生活的预警月数应在1至{ABSENCE_MONTHS - 1}之间，实际为{warn!r}。"
            )


DEFAULT_SETTINGS = ComplianceSettings()


# --- Facts ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OrgFacts:
    """The organization whose year is checked.

    ``groups``: the names of its party groups, each checked by LIFE-GROUP-M. The rules of
    the 支部条例 bind branches (``kind`` ``branch``, joint and temporary branches included);
    for any other kind ``compliance_findings`` returns nothing — a committee's or general
    branch's members live their organizational life in their branches.
    """

    kind: str
    has_committee: bool
    groups: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.kind not in _ORG_KINDS:
            raise ValueError(f"未知的党组织类型：{self.kind!r}。")
        groups = tuple(self.groups)
        for name in groups:
            if not isinstance(name, str) or not name.strip():
                raise ValueError(f"党小组名称应为非空文字，实际为{name!r}。")
        if len(set(groups)) != len(groups):
            raise ValueError("党小组名称重复。")
        object.__setattr__(self, "groups", groups)


@dataclass(frozen=True, slots=True)
class MeetingFacts:
    """One meeting or activity that was held.

    ``group``: the party group of a ``group_meeting`` (ignored for other kinds).
    ``committee_present`` / ``committee_size``: committee members present and in office,
    for a ``committee_meeting``; the quorum is checked only when both are given.
    ``by_secretary``: for a ``party_lecture``, whether the secretary gave it; ``None`` =
    not recorded (then the secretary rule cannot be decided and says nothing).
    ``includes_appraisal``: an ``org_life_meeting`` that also carried out the democratic
    appraisal of members (LIFE-APPRAISAL may be combined with it).
    """

    kind: str
    date: dt.date
    group: str | None = None
    committee_present: int | None = None
    committee_size: int | None = None
    by_secretary: bool | None = None
    includes_appraisal: bool = False

    def __post_init__(self) -> None:
        if self.kind not in MEETING_KIND_ZH:
            raise ValueError(f"未知的会议类型：{self.kind!r}。")
        _date(self.date, "会议日期")
        present, size = self.committee_present, self.committee_size
        if present is not None:
            _count(present, "到会委员人数")
        if size is not None:
            _count(size, "委员总数", minimum=1)
        if present is not None and size is not None and present > size:
            raise ValueError(f"到会委员{present}人超过委员总数{size}人。")

    @property
    def is_quorate(self) -> bool | None:
        """LIFE-COMMITTEE-M: half or more of the committee present (支部条例 第十二条);
        ``None`` when the counts are not both known."""
        if self.committee_present is None or self.committee_size is None:
            return None
        return self.committee_present * 2 >= self.committee_size


@dataclass(slots=True)
class _Held:
    """What a year's meetings provide, by month or quarter number: one pass, O(meetings)."""

    general: set[int] = field(default_factory=set)  # quarters
    committee: set[int] = field(default_factory=set)  # months with a quorate meeting
    inquorate: dict[int, list[MeetingFacts]] = field(default_factory=dict)  # by month
    groups: dict[str, set[int]] = field(default_factory=dict)  # group -> months
    lectures: Counter[int] = field(default_factory=Counter)  # quarter -> count
    secretary_lectures: int = 0
    unknown_lectures: int = 0  # lectures with ``by_secretary`` not recorded
    theme: set[int] = field(default_factory=set)  # months
    org_life: bool = False
    appraisal: bool = False


def _collect(
    meetings: Iterable[MeetingFacts], year: int, today: dt.date, groups: tuple[str, ...]
) -> _Held:
    held = _Held(groups={name: set() for name in groups})
    for m in meetings:
        d = m.date
        # A meeting dated after today has not been held yet: it satisfies nothing.
        if d.year != year or d > today:
            continue
        kind, month = m.kind, d.month
        if kind == _GENERAL:
            held.general.add(quarter_of(month))
        elif kind == _COMMITTEE:
            if m.is_quorate is False:
                held.inquorate.setdefault(month, []).append(m)
            else:
                held.committee.add(month)
        elif kind == _GROUP:
            # A group not in ``groups`` (dissolved, or another branch's) is not checked.
            months = held.groups.get(m.group) if m.group is not None else None
            if months is not None:
                months.add(month)
        elif kind == _LECTURE:
            held.lectures[quarter_of(month)] += 1
            if m.by_secretary is None:
                held.unknown_lectures += 1
            elif m.by_secretary:
                held.secretary_lectures += 1
        elif kind == _THEME:
            held.theme.add(month)
        elif kind == _ORG_LIFE:
            held.org_life = True
            held.appraisal = held.appraisal or m.includes_appraisal
        elif kind == _APPRAISAL:
            held.appraisal = True
    return held


# --- Findings about a period ------------------------------------------------------------


def _period_finding(
    code: str,
    period: Period,
    today: dt.date,
    *,
    who: str,
    action: str,
    rule: str,
    citation: str,
    group: str | None = None,
    ended: Severity = Severity.ERROR,
    running: Severity = Severity.WARNING,
    **data: object,
) -> Finding:
    """One finding about ``period``: ``<period><who>未<action>。<rule>`` with severity
    ``ended`` once it has ended; while it runs, ``<period><who>尚未<action>，本月/本季度/本年度
    到<last day>结束。<rule>`` with the softer ``running``."""
    if period.has_ended(today):
        severity = ended
        message = f"{period.zh}{who}未{action}。{rule}"
    else:
        severity = running
        message = (
            f"{period.zh}{who}尚未{action}，{_THIS[period.kind]}到{zh_date(period.end)}结束。{rule}"
        )
    return Finding(
        code=code,
        severity=severity,
        message=message,
        citation=citation,
        due=period.end,
        data={"period": period.label, "group": group, **data},
    )


def _started(year: int, today: dt.date, kind: PeriodKind) -> tuple[Period, ...]:
    """The year's periods of ``kind`` that have started by ``today``, in order."""
    if today.year < year:
        return ()
    periods = year_periods(year, kind)
    if today.year > year:
        return periods
    last = {PeriodKind.MONTH: today.month, PeriodKind.QUARTER: quarter_of(today.month)}
    return periods[: last.get(kind, 1)]


def compliance_findings(
    *,
    org: OrgFacts,
    year: int,
    today: dt.date,
    meetings: Sequence[MeetingFacts],
    settings: ComplianceSettings = DEFAULT_SETTINGS,
) -> list[Finding]:
    """A branch's year of 三会一课, theme days, organizational life meeting and appraisal.

    LIFE-GENERAL-Q (支部条例 第十一条) a general meeting each calendar quarter;
    LIFE-COMMITTEE-M (第十二条) a committee meeting each month, for a branch with a committee,
    with half or more of the committee present — a meeting known to lack that quorum does
    not count, and is itself a finding;
    LIFE-GROUP-M (第十三、十四条) a meeting of each group in ``org.groups`` each month;
    LIFE-LECTURE (第十六条; local) ``lectures_per_quarter`` party lectures each quarter, and
    ``secretary_lectures_per_year`` of them given by the secretary — decided only when the
    lectures that could make up the number all record ``by_secretary``;
    LIFE-THEME-DAY (第十六条) a theme party day each month;
    LIFE-ORG-LIFE (第十七条) an organizational life meeting once a year (usually in Q4);
    LIFE-APPRAISAL (支部条例) democratic appraisal once a year: an ``appraisal`` meeting, or an
    ``org_life_meeting`` with ``includes_appraisal`` (DOMAIN.md: "may be combined").

    Only periods of ``year`` that have started by ``today``; ended and missing → error,
    running and missing → warning. Meetings outside ``year`` or after ``today`` are ignored.
    One kind per meeting: a general meeting that is also the organizational life meeting is
    recorded as both. Order: by rule as listed, then by period, then by group.
    Cost: one pass over the meetings, one over the started periods.
    """
    year = _year(year)
    _date(today, "今天")
    if org.kind != _BRANCH or today.year < year:
        return []
    held = _collect(meetings, year, today, org.groups)
    months = _started(year, today, PeriodKind.MONTH)
    quarters = _started(year, today, PeriodKind.QUARTER)
    the_year = year_periods(year, PeriodKind.YEAR)[0]
    out: list[Finding] = []

    general_rule = "党支部每季度至少召开1次支部党员大会。"
    for q in quarters:
        if q.number not in held.general:
            out.append(
                _period_finding(
                    "LIFE-GENERAL-Q",
                    q,
                    today,
                    who="",
                    action="召开支部党员大会",
                    rule=general_rule,
                    citation=f"{BRANCH_RULES}第十一条",
                )
            )

    if org.has_committee:
        out.extend(_committee_findings(months, today, held))

    group_rule = "每个党小组每月至少召开1次党小组会，由党小组长召集并主持。"
    for name in org.groups:
        group_months = held.groups[name]
        for m in months:
            if m.number not in group_months:
                out.append(
                    _period_finding(
                        "LIFE-GROUP-M",
                        m,
                        today,
                        who=f"党小组“{name}”",
                        action="召开党小组会",
                        rule=group_rule,
                        citation=f"{BRANCH_RULES}第十三、十四条",
                        group=name,
                    )
                )

    out.extend(_lecture_findings(quarters, the_year, today, held, settings))

    theme_rule = "党支部每月相对固定1天开展主题党日。"
    for m in months:
        if m.number not in held.theme:
            out.append(
                _period_finding(
                    "LIFE-THEME-DAY",
                    m,
                    today,
                    who="",
                    action="开展主题党日",
                    rule=theme_rule,
                    citation=f"{BRANCH_RULES}第十六条",
                )
            )

    if not held.org_life:
        out.append(
            _period_finding(
                "LIFE-ORG-LIFE",
                the_year,
                today,
                who="",
                action="召开组织生活会",
                rule="党支部每年至少召开1次组织生活会，一般安排在第四季度。",
                citation=f"{BRANCH_RULES}第十七条",
            )
        )
    if not held.appraisal:
        out.append(
            _period_finding(
                "LIFE-APPRAISAL",
                the_year,
                today,
                who="",
                action="开展民主评议党员",
                rule="党支部每年开展1次民主评议党员，可以结合组织生活会进行。",
                citation=BRANCH_RULES,
            )
        )
    return out


def _committee_findings(months: Sequence[Period], today: dt.date, held: _Held) -> list[Finding]:
    citation = f"{BRANCH_RULES}第十二条"
    rule = "支部委员会会议每月至少召开1次，须有半数以上委员到会。"
    out: list[Finding] = []
    for m in months:
        inquorate = sorted(held.inquorate.get(m.number, ()), key=lambda x: x.date)
        for meeting in inquorate:
            severity = Severity.ERROR if m.has_ended(today) else Severity.WARNING
            out.append(
                Finding(
                    code="LIFE-COMMITTEE-M",
                    severity=severity,
                    message=(
                        f"{zh_date(meeting.date)}召开的支委会到会委员{meeting.committee_present}人，"
                        f"不足委员总数{meeting.committee_size}人的半数，"
                        f"不计为{m.zh}的支委会。{rule}"
                    ),
                    citation=citation,
                    due=m.end,
                    data={
                        "period": m.label,
                        "group": None,
                        "date": meeting.date.isoformat(),
                        "present": meeting.committee_present,
                        "size": meeting.committee_size,
                    },
                )
            )
        if m.number not in held.committee:
            action = "召开到会委员达到半数的支委会" if inquorate else "召开支委会"
            out.append(
                _period_finding(
                    "LIFE-COMMITTEE-M",
                    m,
                    today,
                    who="",
                    action=action,
                    rule=rule,
                    citation=citation,
                )
            )
    return out


def _lecture_findings(
    quarters: Sequence[Period],
    the_year: Period,
    today: dt.date,
    held: _Held,
    settings: ComplianceSettings,
) -> list[Finding]:
    out: list[Finding] = []
    need = settings.lectures_per_quarter
    citation = f"{BRANCH_RULES}第十六条；{LOCAL_RULES}"
    if need:
        rule = f"按本地规定，每季度至少上{need}次党课。"
        for q in quarters:
            done = held.lectures[q.number]
            if done < need:
                action = "上党课" if done == 0 else f"上满{need}次党课（已上{done}次）"
                out.append(
                    _period_finding(
                        "LIFE-LECTURE",
                        q,
                        today,
                        who="",
                        action=action,
                        rule=rule,
                        citation=citation,
                        held=done,
                        required=need,
                    )
                )
    need = settings.secretary_lectures_per_year
    done = held.secretary_lectures
    # Unrecorded lectures might be the secretary's: only a sure shortfall is a finding.
    if need and done + held.unknown_lectures < need:
        action = "讲党课" if done == 0 else f"讲满{need}次党课（已讲{done}次）"
        out.append(
            _period_finding(
                "LIFE-LECTURE",
                the_year,
                today,
                who="书记",
                action=action,
                rule=f"党支部书记每年至少为党员讲{need}次党课。",
                citation=citation,
                held=done,
                required=need,
                by_secretary=True,
            )
        )
    return out


# --- Attendance ---------------------------------------------------------------------------


def attendance_rate(present: int, expected: int, on_leave: int = 0) -> Decimal | None:
    """出席率 = present ÷ (expected − on_leave), rounded half-up to 4 places (0.8333).

    ``expected``: the people who should attend (应到); ``on_leave``: those of them excused by
    an approved leave, who are left out of the base; ``present``: those who attended (实到).
    ``None`` when nobody is left to attend (everyone excused). Raises ``ValueError`` for
    counts that cannot describe one meeting.
    """
    _count(present, "出席人数")
    _count(expected, "应到人数")
    _count(on_leave, "请假人数")
    if present + on_leave > expected:
        raise ValueError(f"出席{present}人与请假{on_leave}人合计超过应到人数{expected}人。")
    base = expected - on_leave
    if base == 0:
        return None
    return (Decimal(present) / Decimal(base)).quantize(Decimal("0.0001"), ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class MonthAttendance:
    """A member's organizational life in one month in which they were expected to attend.

    ``status``: ``present`` when they attended any of it, else ``on_leave`` when every
    absence was excused by an approved leave, else ``absent`` (``month_status`` folds a
    month's meeting statuses that way). A month with no entry — no meeting held, before
    joining — breaks a run of absences rather than extends it.
    """

    year: int
    month: int
    status: str

    def __post_init__(self) -> None:
        Period.for_month(self.year, self.month)  # validates year and month
        if self.status not in _ATTENDANCE:
            raise ValueError(f"未知的出席情况：{self.status!r}。")


_RANK = {AttendanceStatus.ABSENT: 0, AttendanceStatus.ON_LEAVE: 1, AttendanceStatus.PRESENT: 2}


def month_status(statuses: Iterable[str]) -> str:
    """A month's status from its meetings' statuses: present beats on_leave beats absent."""
    best = AttendanceStatus.ABSENT.value
    for status in statuses:
        if status not in _ATTENDANCE:
            raise ValueError(f"未知的出席情况：{status!r}。")
        if _RANK[status] > _RANK[best]:
            best = status
    return best


@dataclass(frozen=True, slots=True)
class AbsenceRun:
    """The latest run of consecutive absent months (``months`` = 0: no run)."""

    months: int
    first: Period | None = None
    last: Period | None = None


def consecutive_absent_months(months: Iterable[MonthAttendance], today: dt.date) -> AbsenceRun:
    """The run of absent months ending with the latest month that has ended by ``today``.

    Only ended months count: the current month may still bring a meeting. Several entries
    for one month are folded with ``month_status``. A present month, an approved leave or a
    month with no entry ends the run: a finding that can lead to removal must not count
    months in which the member had nothing to attend.
    """
    _date(today, "今天")
    by_month: dict[tuple[int, int], list[str]] = defaultdict(list)
    for entry in months:
        if (entry.year, entry.month) < (today.year, today.month):
            by_month[(entry.year, entry.month)].append(entry.status)
    if not by_month:
        return AbsenceRun(0)
    year, month = max(by_month)
    last = Period.for_month(year, month)
    count = 0
    while (year, month) in by_month and month_status(by_month[(year, month)]) == "absent":
        count += 1
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    if count == 0:
        return AbsenceRun(0)
    first = Period.containing(PeriodKind.MONTH, add_months(last.start, 1 - count))
    return AbsenceRun(count, first, last)


def absence_findings(
    *,
    months: Sequence[MonthAttendance],
    today: dt.date,
    settings: ComplianceSettings = DEFAULT_SETTINGS,
) -> list[Finding]:
    """LIFE-ABSENT-6 — 党章 第九条: a member who, without a justified reason, has not taken
    part in organizational life for six consecutive months is regarded as having left the
    Party (自行脱党); the general meeting decides the removal, reported for approval (error
    at 6). Local practice warns from ``settings.absence_warning_months`` (3).

    Whether a reason is justified is for the branch to judge, so the message states the
    fact (absent and not on approved leave) and what follows if there is no such reason.
    ``due``: the last day of the sixth month of the run (past for an error).
    """
    run = consecutive_absent_months(months, today)
    n = run.months
    if n < settings.absence_warning_months or run.first is None or run.last is None:
        return []
    sixth = Period.containing(PeriodKind.MONTH, add_months(run.first.start, ABSENCE_MONTHS - 1))
    span = run.last.zh if n == 1 else f"{run.first.zh}至{run.last.zh}"
    data = {"period": run.last.label, "group": None, "months": n, "from": run.first.label}
    citation = f"{PARTY_CONSTITUTION}第九条"
    if n >= ABSENCE_MONTHS:
        return [
            Finding(
                code="LIFE-ABSENT-6",
                severity=Severity.ERROR,
                message=(
                    f"{span}已连续{n}个月未参加党的组织生活，也未请假。党员没有正当理由，"
                    "连续6个月不参加党的组织生活的，被认为是自行脱党，"
                    "由支部大会决定除名，并报上级党组织批准。"
                ),
                citation=citation,
                due=sixth.end,
                data=data,
            )
        ]
    return [
        Finding(
            code="LIFE-ABSENT-6",
            severity=Severity.WARNING,
            message=(
                f"{span}已连续{n}个月未参加党的组织生活，也未请假，党支部应及时了解情况、"
                f"教育提醒；到{zh_date(sixth.end)}仍未参加且没有正当理由的，被认为是自行脱党。"
            ),
            citation=citation,
            due=sixth.end,
            data=data,
        )
    ]


# --- Heart-to-heart talks (LIFE-HEART-TALK) ------------------------------------------------


@dataclass(frozen=True, slots=True)
class HeartTalkFacts:
    """A branch's heart-to-heart talks in one year.

    ``committee``: the committee members; ``members``: the other members (no overlap);
    ``talks``: who talked with whom, one pair per talk, in either order. A talk with
    someone in neither list (left the branch, say) counts for nobody.
    """

    committee: tuple[str, ...]
    members: tuple[str, ...]
    talks: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        committee, members = tuple(self.committee), tuple(self.members)
        both = set(committee) & set(members)
        if both:
            raise ValueError(f"{'、'.join(sorted(both))}同时列为支部委员和党员。")
        if len(set(committee)) != len(committee) or len(set(members)) != len(members):
            raise ValueError("谈心谈话名单中有重复的人。")
        talks = tuple(tuple(pair) for pair in self.talks)
        for pair in talks:
            if len(pair) != 2 or pair[0] == pair[1]:
                raise ValueError(f"谈心谈话应在两个不同的人之间进行，实际为{pair!r}。")
        object.__setattr__(self, "committee", committee)
        object.__setattr__(self, "members", members)
        object.__setattr__(self, "talks", talks)


def _names(names: Sequence[str], limit: int = 5) -> str:
    shown = "、".join(names[:limit])
    return f"{shown}等" if len(names) > limit else shown


def heart_talk_findings(
    *,
    year: int,
    today: dt.date,
    facts: HeartTalkFacts,
    settings: ComplianceSettings = DEFAULT_SETTINGS,
) -> list[Finding]:
    """LIFE-HEART-TALK — 支部条例: heart-to-heart talks at least once a year between
    committee members, between committee members and members, and between members.

    Read as coverage (N = ``settings.heart_talks_per_year``): every pair of committee
    members talked N times; every other member talked N times with committee members and,
    when the branch has two or more of them, N times with another such member. Warning once
    the year has ended, info while it runs; nothing before it starts. One finding per kind
    of talk, naming who is missing (``data["missing"]``).
    """
    year = _year(year)
    _date(today, "今天")
    need = settings.heart_talks_per_year
    the_year = year_periods(year, PeriodKind.YEAR)[0]
    if not need or not the_year.has_started(today):
        return []
    committee, members = set(facts.committee), set(facts.members)
    pairs: Counter[frozenset[str]] = Counter()
    with_committee: Counter[str] = Counter()
    with_member: Counter[str] = Counter()
    for a, b in facts.talks:
        if a in committee and b in committee:
            pairs[frozenset((a, b))] += 1
        elif a in members and b in members:
            with_member[a] += 1
            with_member[b] += 1
        elif a in committee and b in members:
            with_committee[b] += 1
        elif b in committee and a in members:
            with_committee[a] += 1

    gaps: list[tuple[str, str, list[str]]] = []
    c = facts.committee
    missing_pairs = [
        f"{a}与{b}" for i, a in enumerate(c) for b in c[i + 1 :] if pairs[frozenset((a, b))] < need
    ]
    if missing_pairs:
        gaps.append(("committee", f"支部委员之间有{len(missing_pairs)}对", missing_pairs))
    missing = [p for p in facts.members if with_committee[p] < need]
    if missing:
        gaps.append(("committee_member", f"有{len(missing)}名党员与支部委员之间", missing))
    if len(facts.members) >= 2:
        missing = [p for p in facts.members if with_member[p] < need]
        if missing:
            gaps.append(("member", f"有{len(missing)}名党员与其他党员之间", missing))

    times = "" if need == 1 else f"满{need}次"
    rule = f"党支部委员之间、党支部委员和党员之间、党员和党员之间，每年谈心谈话一般不少于{need}次。"
    return [
        _period_finding(
            "LIFE-HEART-TALK",
            the_year,
            today,
            who=who,
            action=f"谈心谈话{times}（{_names(names)}）",
            rule=rule,
            citation=BRANCH_RULES,
            ended=Severity.WARNING,
            running=Severity.INFO,
            between=kind,
            missing=names,
        )
        for kind, who, names in gaps
    ]


# --- Study hours (LIFE-STUDY-HOURS, unconfirmed) -------------------------------------------


def study_hours_findings(
    *,
    year: int,
    today: dt.date,
    hours: int | Decimal,
    is_cadre: bool,
    settings: ComplianceSettings = DEFAULT_SETTINGS,
) -> list[Finding]:
    """LIFE-STUDY-HOURS [unconfirmed] — 党员教育培训工作规划: a member's concentrated study
    and training hours in a year: members ``study_hours_member`` (32), secretaries and
    committee members (``is_cadre``) ``study_hours_cadre`` (56).

    The national article is not confirmed (DOMAIN.md), so the citation says so and
    ``data["unconfirmed"]`` is true. Warning once the year has ended, info while it runs.
    """
    year = _year(year)
    _date(today, "今天")
    if isinstance(hours, bool) or not isinstance(hours, int | Decimal) or hours < 0:
        raise ValueError(f"学习学时应为不小于0的数，实际为{hours!r}。")
    need = settings.study_hours_cadre if is_cadre else settings.study_hours_member
    the_year = year_periods(year, PeriodKind.YEAR)[0]
    if not need or hours >= need or not the_year.has_started(today):
        return []
    who = "党支部书记和委员" if is_cadre else "党员"
    shown = format(Decimal(hours).normalize(), "f") if isinstance(hours, Decimal) else str(hours)
    return [
        _period_finding(
            "LIFE-STUDY-HOURS",
            the_year,
            today,
            who="",
            action=f"达到{who}每年集中学习培训{need}学时的要求（已有{shown}学时）",
            rule=f"{who}每年集中学习培训一般不少于{need}学时（全国依据待核实）。",
            citation=STUDY_PLAN,
            ended=Severity.WARNING,
            running=Severity.INFO,
            hours=shown,
            required=need,
            unconfirmed=True,
        )
    ]
