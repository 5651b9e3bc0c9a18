"""Compliance by period: the rows of meetings, posts and attendance read into the facts of
``rules.compliance_findings`` (LIFE-GENERAL-Q, -COMMITTEE-M, -GROUP-M, -LECTURE, -THEME-DAY,
-ORG-LIFE, -APPRAISAL), for one branch or tens of thousands at once.

The facts, decided here (the rules only count):

- ``has_committee`` (DOMAIN.md ORG-COMMITTEE): a branch of 7 or more full members elects a
  committee of 3–5; a smaller branch has only a secretary and perhaps a deputy. So a
  branch "has a committee" when, on the checked day (``today``, or the year's last day
  for a past year), someone holds a committee post other than secretary or deputy
  secretary (an organization, propaganda, discipline or other committee member). A
  ``CommitteeTerm`` is not used: a branch without a committee also elects its secretary
  for a term.
- ``groups``: the branch's child party groups not dissolved on the checked day. Two
  groups of one name are told apart by their code (the rules need distinct names).
- meetings: only ``held`` ones (planned and cancelled meetings satisfy nothing) of the
  year up to ``today``: the branch's own, and its groups' ``group_meeting``s (carrying
  the group's name; other kinds held by a group are not the branch's meeting).
- a committee meeting's quorum: ``committee_size`` = its expected attendance rows (the
  committee on that day, written when it was planned), ``committee_present`` = those of
  them present; no expected rows → quorum unknown (the meeting counts).
- a party lecture's ``by_secretary``: its speaker held the branch's secretary post on the
  day (started on or before, not ended by then); ``None`` when no speaker is recorded.

Cost: ``compliance_for`` reads in chunks of branches (the SQLite parameter limit), four
``values_list`` queries a chunk — groups, posts, meetings, committee attendance — so one
branch and a few hundred take the same four queries; nothing is queried per branch.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection
from django.db.models import Count, Q
from django.db.models.functions import Left, Length
from django.utils.translation import gettext_lazy as _

from dangwu.core.errors import NotFound
from dangwu.core.findings import Finding, Severity
from dangwu.core.scope import Perm, Scope
from dangwu.meetings import rules
from dangwu.meetings.choices import AttendanceStatus, MeetingKind, MeetingStatus
from dangwu.meetings.models import Attendance, ComplianceTally, Meeting
from dangwu.meetings.periods import Period, PeriodKind, year_periods
from dangwu.orgs.choices import COMMITTEE_POSTS, OrgKind, PostKind
from dangwu.orgs.models import Organization, Post

# Posts that make a committee (ORG-COMMITTEE): a branch of fewer than 7 full members has
# a secretary and perhaps a deputy, and no committee.
COMMITTEE_MEMBER_POSTS = frozenset(
    COMMITTEE_POSTS - {PostKind.SECRETARY, PostKind.DEPUTY_SECRETARY}
)
LIFE_CODES = (
    "LIFE-GENERAL-Q",
    "LIFE-COMMITTEE-M",
    "LIFE-GROUP-M",
    "LIFE-LECTURE",
    "LIFE-THEME-DAY",
    "LIFE-ORG-LIFE",
    "LIFE-APPRAISAL",
)
# Column heads of the committee's table, in ``LIFE_CODES`` order.
CODE_LABELS = (
    _("党员大会"),
    _("支委会"),
    _("党小组会"),
    _("党课"),
    _("主题党日"),
    _("组织生活会"),
    _("民主评议"),
)
# The meeting that makes good a missing item (the "create" link on the page).
KIND_FOR_CODE = {
    "LIFE-GENERAL-Q": MeetingKind.GENERAL_MEETING,
    "LIFE-COMMITTEE-M": MeetingKind.COMMITTEE_MEETING,
    "LIFE-GROUP-M": MeetingKind.GROUP_MEETING,
    "LIFE-LECTURE": MeetingKind.PARTY_LECTURE,
    "LIFE-THEME-DAY": MeetingKind.THEME_DAY,
    "LIFE-ORG-LIFE": MeetingKind.ORG_LIFE_MEETING,
    "LIFE-APPRAISAL": MeetingKind.APPRAISAL,
}
_HELD = MeetingStatus.HELD.value
_GROUP_MEETING = MeetingKind.GROUP_MEETING.value
_COMMITTEE_MEETING = MeetingKind.COMMITTEE_MEETING.value
_LECTURE = MeetingKind.PARTY_LECTURE.value
_SECRETARY = PostKind.SECRETARY.value
_MEMBER_POSTS = frozenset(k.value for k in COMMITTEE_MEMBER_POSTS)


def compliance_settings() -> rules.ComplianceSettings:
    """The [local] policy of organizational life from ``settings.DANGWU["MEETINGS"]``."""
    conf = dict(settings.DANGWU.get("MEETINGS", {}))
    default = rules.DEFAULT_SETTINGS
    return rules.ComplianceSettings(
        **{
            f.name: int(conf.get(f.name, getattr(default, f.name)))
            for f in dataclasses.fields(rules.ComplianceSettings)
        }
    )


def _chunk_size() -> int:
    """Branches a chunk: its queries carry up to ~5 parameters a branch (the branch and
    its groups), under SQLite's limit (999); PostgreSQL takes bigger chunks."""
    limit = connection.features.max_query_params
    return max(1, (limit - 20) // 6) if limit else 5000


def _chunks(items: Sequence, size: int) -> Iterator[Sequence]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _common_prefix(paths: Iterable[str]) -> str:
    """The deepest path that every one of ``paths`` starts with ('' when none): it bounds
    the prefix scans to an indexed range."""
    paths = list(paths)
    if not paths:
        return ""
    low, high = min(paths), max(paths)
    n = 0
    while n < len(low) and n < len(high) and low[n] == high[n]:
        n += 1
    step = Organization.steplen
    return low[: n - n % step]


def _checked_on(year: int, today: dt.date) -> dt.date:
    """The day whose committee and groups apply: today, or the year's last day if past."""
    return min(today, dt.date(year, 12, 31))


def _held_on(spans: Sequence[tuple[int, dt.date, dt.date | None]], person_id, on) -> bool:
    return any(
        pid == person_id and start <= on and (end is None or end > on) for pid, start, end in spans
    )


@dataclass(slots=True)
class _Chunk:
    """What four queries return for a chunk of branches."""

    groups: dict[int, list[tuple[int, str]]] = field(default_factory=dict)  # (id, name)
    committee: set[int] = field(default_factory=set)  # branches with a committee member post
    secretaries: dict[int, list] = field(default_factory=lambda: defaultdict(list))
    meetings: dict[int, list[rules.MeetingFacts]] = field(default_factory=dict)


def _read_chunk(branches: Sequence[Organization], *, year: int, today: dt.date) -> _Chunk:
    on = _checked_on(year, today)
    start, end = dt.date(year, 1, 1), min(today, dt.date(year, 12, 31))
    by_path = {b.path: b.pk for b in branches}
    ids = list(by_path.values())
    out = _Chunk(groups={pk: [] for pk in ids}, meetings={pk: [] for pk in ids})

    # 1. Groups: children of the branches, by parent path within their common subtree.
    rows = (
        Organization.objects.filter(
            path__startswith=_common_prefix(by_path),
            kind=OrgKind.PARTY_GROUP,
        )
        .filter(Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=on))
        .annotate(parent_path=Left("path", Length("path") - Organization.steplen))
        .filter(parent_path__in=list(by_path))
        .order_by("path")
        .values_list("pk", "parent_path", "name", "code")
    )
    found: dict[int, list[tuple[int, str, str]]] = defaultdict(list)
    group_branch: dict[int, int] = {}
    for pk, parent, name, code in rows:
        found[by_path[parent]].append((pk, name, code))
        group_branch[pk] = by_path[parent]
    names: dict[int, str] = {}
    for branch_id, groups in found.items():
        seen = Counter(name for _, name, _ in groups)
        for pk, name, code in groups:
            names[pk] = name if seen[name] == 1 else f"{name}（{code}）"
            out.groups[branch_id].append((pk, names[pk]))

    # 2. Posts: committee members on the checked day; secretaries over the year.
    posts = Post.objects.filter(
        organization_id__in=ids,
        kind__in=[_SECRETARY, *_MEMBER_POSTS],
        started_on__lte=end,
    ).filter(Q(ended_on__isnull=True) | Q(ended_on__gt=start))
    for org_id, pid, kind, started, ended in posts.values_list(
        "organization_id", "person_id", "kind", "started_on", "ended_on"
    ):
        if kind == _SECRETARY:
            out.secretaries[org_id].append((pid, started, ended))
        elif started <= on and (ended is None or ended > on):
            out.committee.add(org_id)

    # 3. Held meetings of the branches and their groups in the year up to today.
    if start <= end:
        org_ids = ids + list(group_branch)
        meetings = Meeting.objects.filter(
            organization_id__in=org_ids, status=_HELD, date__gte=start, date__lte=end
        ).values_list("pk", "organization_id", "kind", "date", "speaker_id", "includes_appraisal")
        # 4. Committee quorum: expected rows and those present, per committee meeting.
        quorum = {
            pk: (present, size)
            for pk, size, present in Attendance.objects.filter(
                meeting__organization_id__in=ids,
                meeting__kind=_COMMITTEE_MEETING,
                meeting__status=_HELD,
                meeting__date__gte=start,
                meeting__date__lte=end,
                expected=True,
            )
            .values_list("meeting_id")
            .annotate(
                size=Count("pk"),
                present=Count("pk", filter=Q(status=AttendanceStatus.PRESENT)),
            )
            .order_by()
        }
        for pk, org_id, kind, date, speaker, appraisal in meetings:
            group = None
            branch_id = group_branch.get(org_id)
            if branch_id is not None:
                if kind != _GROUP_MEETING:
                    continue  # a group's other activities are not the branch's meetings
                group = names[org_id]
            else:
                branch_id = org_id
            present, size = quorum.get(pk, (None, None))
            by_secretary = None
            if kind == _LECTURE and speaker is not None:
                by_secretary = _held_on(out.secretaries.get(branch_id, ()), speaker, date)
            out.meetings[branch_id].append(
                rules.MeetingFacts(
                    kind=kind,
                    date=date,
                    group=group,
                    committee_present=present,
                    committee_size=size,
                    by_secretary=by_secretary,
                    includes_appraisal=appraisal,
                )
            )
    return out


def _facts(branch: Organization, chunk: _Chunk) -> rules.OrgFacts:
    return rules.OrgFacts(
        kind=branch.kind,
        has_committee=branch.pk in chunk.committee,
        groups=tuple(name for _, name in chunk.groups.get(branch.pk, ())),
    )


def _iter_facts(
    branches: Sequence[Organization], *, year: int, today: dt.date
) -> Iterator[tuple[Organization, rules.OrgFacts, list[rules.MeetingFacts]]]:
    for chunk_branches in _chunks(list(branches), _chunk_size()):
        chunk = _read_chunk(chunk_branches, year=year, today=today)
        for branch in chunk_branches:
            yield branch, _facts(branch, chunk), chunk.meetings.get(branch.pk, [])


def branch_facts(
    branches: Sequence[Organization], *, year: int, today: dt.date
) -> dict[int, tuple[rules.OrgFacts, list[rules.MeetingFacts]]]:
    """The facts of each branch's ``year`` up to ``today``, by organization id (module doc)."""
    return {
        b.pk: (org, meetings) for b, org, meetings in _iter_facts(branches, year=year, today=today)
    }


def iter_compliance(
    branches: Sequence[Organization],
    *,
    year: int,
    today: dt.date,
    settings: rules.ComplianceSettings | None = None,
) -> Iterator[tuple[Organization, list[Finding]]]:
    """``(branch, findings)`` for each branch in turn, reading a chunk at a time: a caller
    that only counts (the committee's table) never holds every finding at once."""
    conf = settings or compliance_settings()
    for branch, org, meetings in _iter_facts(branches, year=year, today=today):
        subject = f"org:{branch.path}"
        found = rules.compliance_findings(
            org=org, year=year, today=today, meetings=meetings, settings=conf
        )
        # Built directly: ``dataclasses.replace`` costs more, at a million findings.
        yield (
            branch,
            [
                Finding(
                    code=f.code,
                    severity=f.severity,
                    message=f.message,
                    citation=f.citation,
                    subject=subject,
                    due=f.due,
                    data=f.data,
                )
                for f in found
            ],
        )


def compliance_for(
    branches: Sequence[Organization],
    *,
    year: int,
    today: dt.date,
    settings: rules.ComplianceSettings | None = None,
) -> dict[int, list[Finding]]:
    """``rules.compliance_findings`` for each branch (by id), ``subject`` = ``org:<path>``.

    Organizations that are not branches get an empty list (the rules bind branches).
    A constant number of queries per chunk of branches (module doc); the meetings of a
    chunk are dropped before the next one is read.
    """
    return {
        branch.pk: found
        for branch, found in iter_compliance(branches, year=year, today=today, settings=settings)
    }


# --- What the pages show ----------------------------------------------------------------


def _require(scope: Scope, org: Organization) -> None:
    if not scope.covers(org.path, Perm.VIEW):
        raise NotFound()


@dataclass
class BranchRow:
    """One branch in a higher committee's table."""

    org: Organization
    errors: int = 0
    warnings: int = 0
    by_code: dict[str, int] = field(default_factory=dict)  # errors + warnings per rule
    by_period: dict[str, int] = field(default_factory=dict)  # findings per period label

    @property
    def code_counts(self) -> list[int]:
        return [self.by_code.get(code, 0) for code in LIFE_CODES]

    @property
    def ok(self) -> bool:
        return self.errors == 0 and self.warnings == 0


@dataclass
class SubtreeCompliance:
    """A higher committee's table: one row per active branch below it, worst first."""

    org: Organization
    year: int
    rows: list[BranchRow]
    errors: int
    warnings: int
    by_code: dict[str, int]
    by_period: dict[str, int]
    # Read from the daily tallies (a large subtree): the oldest day they were computed, and
    # how many branches have no tally yet. ``None`` / 0 when computed live.
    computed_on: dt.date | None = None
    untallied: int = 0

    @property
    def branch_count(self) -> int:
        return len(self.rows) + self.untallied

    @property
    def branches_ok(self) -> int:
        return sum(1 for r in self.rows if r.ok)

    @property
    def code_counts(self) -> list[int]:
        return [self.by_code.get(code, 0) for code in LIFE_CODES]


def branch_row(branch: Organization, found: Iterable[Finding]) -> BranchRow:
    """A branch's counts of errors and warnings, per rule and per period (infos left out)."""
    row = BranchRow(org=branch)
    codes: Counter[str] = Counter()
    periods: Counter[str] = Counter()
    for f in found:
        if f.severity == Severity.ERROR:
            row.errors += 1
        elif f.severity == Severity.WARNING:
            row.warnings += 1
        else:
            continue
        codes[f.code] += 1
        periods[f.data.get("period", "")] += 1
    row.by_code, row.by_period = dict(codes), dict(periods)
    return row


def live_table_limit() -> int:
    """Above this many branches a committee's table reads the daily tallies."""
    return int(settings.DANGWU.get("MEETINGS", {}).get("live_table_limit", 2000))


def _tally_rows(branches: list[Organization], year: int) -> tuple[list[BranchRow], dt.date | None]:
    """Rows from the stored tallies (``ComplianceTally``), and the oldest day they were
    computed; branches without a tally are left out (counted by the caller)."""
    by_id = {b.pk: b for b in branches}
    rows: list[BranchRow] = []
    oldest: dt.date | None = None
    for chunk in _chunks(list(by_id), _chunk_size() * 5):
        for (
            org_id,
            errors,
            warnings,
            by_code,
            by_period,
            computed_on,
        ) in ComplianceTally.objects.filter(organization_id__in=chunk, year=year).values_list(
            "organization_id", "errors", "warnings", "by_code", "by_period", "computed_on"
        ):
            rows.append(
                BranchRow(
                    org=by_id[org_id],
                    errors=errors,
                    warnings=warnings,
                    by_code=by_code,
                    by_period=by_period,
                )
            )
            oldest = computed_on if oldest is None else min(oldest, computed_on)
    return rows, oldest


def subtree_compliance(
    scope: Scope, org: Organization, *, year: int, today: dt.date
) -> SubtreeCompliance:
    """Every active branch in ``org``'s subtree with its counts of errors and warnings, per
    rule and per period, ordered by errors, then warnings (most first), then tree order.

    Up to ``live_table_limit()`` branches the counts are computed now; above it (a city or
    province: 15,000 branches take ~15 s) they are read from the tallies that
    ``dangwu worker`` refreshes daily, and ``computed_on`` says from which day."""
    _require(scope, org)
    branches = list(
        Organization.objects.filter(
            path__startswith=org.path, kind=OrgKind.BRANCH, dissolved_on__isnull=True
        ).order_by("path")
    )
    computed_on: dt.date | None = None
    if len(branches) > live_table_limit():
        rows, computed_on = _tally_rows(branches, year)
    else:
        rows = [
            branch_row(branch, found)
            for branch, found in iter_compliance(branches, year=year, today=today)
        ]
    by_code: Counter[str] = Counter()
    by_period: Counter[str] = Counter()
    for row in rows:
        by_code.update(row.by_code)
        by_period.update(row.by_period)
    rows.sort(key=lambda r: (-r.errors, -r.warnings, r.org.path))
    return SubtreeCompliance(
        org=org,
        year=year,
        rows=rows,
        errors=sum(r.errors for r in rows),
        warnings=sum(r.warnings for r in rows),
        by_code=dict(by_code),
        by_period=dict(by_period),
        computed_on=computed_on,
        untallied=len(branches) - len(rows),
    )


@dataclass
class Missing:
    """One missing item: the finding, and the meeting (kind, organization) that makes it good."""

    finding: Finding
    kind: str
    org_id: int

    @property
    def kind_label(self) -> str:
        return MeetingKind(self.kind).label


@dataclass
class PeriodBlock:
    period: Period
    items: list[Missing]

    @property
    def errors(self) -> int:
        return sum(1 for m in self.items if m.finding.severity == Severity.ERROR)


@dataclass
class GridCell:
    """One cell of the month × rule grid: ``state`` ok / error / warning / future."""

    label: str
    span: int
    state: str


@dataclass
class GridRow:
    title: str
    cells: list[GridCell]


@dataclass
class BranchCompliance:
    """A branch's (or one of its groups') year: findings by period, and the grid."""

    org: Organization
    branch: Organization
    year: int
    facts: rules.OrgFacts
    periods: list[PeriodBlock]
    grid: list[GridRow]
    errors: int
    warnings: int


_ORDER = {PeriodKind.MONTH: 0, PeriodKind.QUARTER: 1, PeriodKind.YEAR: 2}
_SPAN = {PeriodKind.MONTH: 1, PeriodKind.QUARTER: 3, PeriodKind.YEAR: 12}


def _grid(
    facts: rules.OrgFacts, findings: Sequence[Finding], year: int, today: dt.date, *, group=None
) -> list[GridRow]:
    """Rules × the year's months; a quarter's cell spans 3 months, the year's 12. For a
    ``group``: only that group's row."""
    state: dict[tuple, str] = {}
    for f in findings:
        key = (f.code, f.data.get("period"), f.data.get("group"), bool(f.data.get("by_secretary")))
        # An inquorate meeting's error and the month's missing meeting: keep the worst.
        if state.get(key) != Severity.ERROR.value:
            state[key] = str(f.severity)

    def row(title, code: str, kind: PeriodKind, name=None, secretary=False) -> GridRow:
        cells = [
            GridCell(
                label=p.label,
                span=_SPAN[kind],
                state="future"
                if not p.has_started(today)
                else state.get((code, p.label, name, secretary), "ok"),
            )
            for p in year_periods(year, kind)
        ]
        return GridRow(title, cells)

    month, quarter, the_year = PeriodKind.MONTH, PeriodKind.QUARTER, PeriodKind.YEAR
    groups = [
        row(_("%(name)s党小组会（每月）") % {"name": name}, "LIFE-GROUP-M", month, name)
        for name in facts.groups
        if group is None or name == group
    ]
    if group is not None:
        return groups
    rows = [row(_("支部党员大会（每季度）"), "LIFE-GENERAL-Q", quarter)]
    if facts.has_committee:
        rows.append(row(_("支委会（每月）"), "LIFE-COMMITTEE-M", month))
    return [
        *rows,
        *groups,
        row(_("党课（每季度）"), "LIFE-LECTURE", quarter),
        row(_("书记讲党课（每年）"), "LIFE-LECTURE", the_year, secretary=True),
        row(_("主题党日（每月）"), "LIFE-THEME-DAY", month),
        row(_("组织生活会（每年）"), "LIFE-ORG-LIFE", the_year),
        row(_("民主评议党员（每年）"), "LIFE-APPRAISAL", the_year),
    ]


def branch_compliance(
    scope: Scope, org: Organization, *, year: int, today: dt.date
) -> BranchCompliance:
    """A branch's findings grouped by period (calendar order: a month, then the quarter or
    year it closes), each with the meeting to hold and its due date. For a party group: its
    branch's findings about that group only (what a group leader answers for)."""
    _require(scope, org)
    branch = org
    if org.kind == OrgKind.PARTY_GROUP:  # its branch is the parent in the tree
        branch = Organization.objects.get(path=org.path[: -Organization.steplen])
    chunk = _read_chunk([branch], year=year, today=today)
    facts = _facts(branch, chunk)
    group_ids = {name: pk for pk, name in chunk.groups.get(branch.pk, ())}
    findings = rules.compliance_findings(
        org=facts,
        year=year,
        today=today,
        meetings=chunk.meetings.get(branch.pk, []),
        settings=compliance_settings(),
    )
    group = None
    if org.kind == OrgKind.PARTY_GROUP:
        group = next((name for name, pk in group_ids.items() if pk == org.pk), "")
        findings = [f for f in findings if f.data.get("group") == group]
    blocks: dict[str, PeriodBlock] = {}
    for f in findings:
        label = f.data.get("period", str(year))
        block = blocks.get(label)
        if block is None:
            block = blocks[label] = PeriodBlock(period=Period.parse(label), items=[])
        target = group_ids.get(f.data.get("group") or "", branch.pk)
        block.items.append(Missing(finding=f, kind=KIND_FOR_CODE[f.code], org_id=target))
    periods = sorted(blocks.values(), key=lambda b: (b.period.end, _ORDER[b.period.kind]))
    if org.kind == OrgKind.PARTY_GROUP:
        grid = _grid(facts, findings, year, today, group=group) if group else []
    elif branch.kind == OrgKind.BRANCH:
        grid = _grid(facts, findings, year, today)
    else:
        grid = []
    return BranchCompliance(
        org=org,
        branch=branch,
        year=year,
        facts=facts,
        periods=periods,
        grid=grid,
        errors=sum(1 for f in findings if f.severity == Severity.ERROR),
        warnings=sum(1 for f in findings if f.severity == Severity.WARNING),
    )
