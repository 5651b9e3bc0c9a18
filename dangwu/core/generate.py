"""Synthetic people and organizations: the primitives behind the demo, and the scale generator.

``generate()`` loads N members for benchmarks: one root committee, basic committees, general
branches, branches (about 40 people each) and party groups, people with valid ID numbers,
their status history (``StatusChange``) and relationship (``Membership``). It skips the
history tables (simple-history) and committee posts: it is data for measuring, not a demo.

Speed: organizations get their treebeard paths computed here (no ``add_child`` round trips);
people are generated from surname × given-name tables whose pinyin keys are computed once
per distinct name; ID numbers are plain arithmetic. On PostgreSQL rows go in with COPY
(psycopg 3), one transaction per batch; on SQLite with plain INSERTs in batches of 5,000.
"""

from __future__ import annotations

import bisect
import contextlib
import datetime as dt
import functools
import itertools
import math
import random
import re
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils import timezone

from dangwu.core.clock import today as _today
from dangwu.core.dates import add_years
from dangwu.core.pinyin import name_syllables, pinyin_initials, pinyin_key, sort_key
from dangwu.members.choices import LeaveKind, Status
from dangwu.members.models import Person
from dangwu.orgs.choices import Category, Formation, OrgKind
from dangwu.orgs.models import Organization

# --- Names ------------------------------------------------------------------------------

# Family names with rough relative frequencies; the tricky readings (曾 单 解 仇 查 区) and
# compound surnames are in on purpose: sorting and initials search must get them right.
_SURNAME_TABLE = """
王72 李70 张66 刘54 陈46 杨32 黄25 赵23 吴21 周20 徐15 孙15 马13 朱13 胡12 郭12 何11 高11
林10 罗9 郑9 梁9 谢7 宋7 唐7 许6 韩6 冯6 邓6 曹6 彭5 曾5 肖5 田5 董5 袁4 潘4 于4 蒋4 蔡4
余4 杜4 叶4 程4 苏4 魏4 吕4 丁4 任3 沈3 姚3 卢3 姜3 崔3 钟3 谭3 陆3 汪3 范3 金3 石3 廖3
贾3 夏3 韦3 付3 方3 白2 邹2 孟2 熊2 秦2 邱2 江2 尹2 薛2 闫2 段2 雷2 侯2 龙2 史2 陶2 黎2
贺2 顾2 毛2 郝2 龚2 邵2 万2 钱2 严2 覃1 武2 戴2 莫1 孔1 向1 常1 单1 解1 仇1 查1 区1 翟1
乐1 欧阳1 司马1 上官1 诸葛1
"""
SURNAMES: tuple[tuple[str, int], ...] = tuple(
    (name, int(weight))
    for name, weight in re.findall(r"(\D+?)(\d+)", "".join(_SURNAME_TABLE.split()))
)
TRICKY_SURNAMES: tuple[str, ...] = ("曾", "单", "解", "仇", "查", "区", "欧阳", "司马")

MALE_CHARS = (
    "伟强磊军洋勇杰涛超明刚平辉鹏华飞鑫波斌宇浩凯健俊帆帅旭宁龙林博文志建国兴海峰晨阳东亮"
    "成宏振家嘉天子瑞睿泽轩航昊然铭哲翔锐晓思远毅威诚卫庆永德"
)
FEMALE_CHARS = (
    "芳娜敏静丽艳娟霞秀英玲燕婷雪倩琳晶颖慧莹丹萍红梅琴云洁璐瑶欣怡佳悦诗雨涵萱妍彤婧菲薇"
    "楠蕾月思晨可馨文欢岚琪蓉"
)


def given_name(rng: random.Random, sex: str) -> str:
    """A one- or two-character given name drawn from the character pool of ``sex``."""
    pool = MALE_CHARS if sex == "male" else FEMALE_CHARS
    roll = rng.random()
    if roll < 0.25:
        return rng.choice(pool)
    first = rng.choice(pool)
    if sex == "female" and roll > 0.96:
        return first + first  # 婷婷, 丹丹
    second = rng.choice(pool)
    while second == first:
        second = rng.choice(pool)
    return first + second


class SurnamePicker:
    """Weighted draws from ``SURNAMES`` (bisect over cumulative weights)."""

    def __init__(self) -> None:
        self.names = [name for name, _ in SURNAMES]
        self.cumulative: list[int] = []
        total = 0
        for _, weight in SURNAMES:
            total += weight
            self.cumulative.append(total)
        self.total = total

    def draw(self, rng: random.Random) -> str:
        return self.names[bisect.bisect_right(self.cumulative, rng.random() * self.total)]


class NameTable:
    """Surname × a fixed list of given names, with the pinyin keys of every part cached.

    A million people share a few tens of thousands of distinct names, and a pypinyin call
    costs about a millisecond, so the keys are put together from the keys of the surname
    and of the given name, each computed once (``compose_keys``).
    """

    def __init__(self, seed: int, given_per_sex: int = 200) -> None:
        rng = random.Random(seed)  # noqa: S311 - synthetic data, not secrets
        self.surnames = SurnamePicker()
        self.given = {
            sex: [given_name(rng, sex) for _ in range(given_per_sex)] for sex in ("male", "female")
        }
        self.parts: dict[tuple[str, bool], _Part] = {}

    def _part(self, text: str, surname: bool) -> _Part:
        part = self.parts.get((text, surname))
        if part is None:
            part = self.parts[(text, surname)] = _name_part(text, surname=surname)
        return part

    def draw(self, rng: random.Random, sex: str) -> tuple[str, str, str, str]:
        """(name, pinyin, initials, sort_key)."""
        surname, given = self.surnames.draw(rng), rng.choice(self.given[sex])
        return (surname + given, *compose_keys(self._part(surname, True), self._part(given, False)))


def name_keys(name: str) -> tuple[str, str, str]:
    """The pinyin, initials and sort key, cut to the columns' lengths like ``set_name_keys``."""
    return pinyin_key(name)[:200], pinyin_initials(name)[:50], sort_key(name)[:200]


@dataclass(frozen=True)
class _Part:
    """The keys of a surname or a given name: ``fields`` and ``codes`` are the two halves of
    ``core.pinyin.sort_key`` (syllable fields, then character codes)."""

    pinyin: str
    initials: str
    fields: str
    codes: str


# An ordinary surname read on its own (not in core.pinyin's tables): after it, a given name
# reads exactly as it does after any other surname.
_PROBE = "王"
_FIELD = 6  # core.pinyin.sort_key's width of a syllable field; no syllable is longer


def _name_part(text: str, *, surname: bool) -> _Part:
    probe = text if surname else _PROBE + text
    syllables = name_syllables(probe)
    key = sort_key(probe)
    cut = _FIELD * len(syllables)
    fields, codes = key[:cut], key[cut:]
    if not surname:
        syllables, fields, codes = syllables[1:], fields[_FIELD:], codes[_FIELD:]
    return _Part("".join(syllables), "".join(s[0] for s in syllables), fields, codes)


def compose_keys(surname: _Part, given: _Part) -> tuple[str, str, str]:
    """``name_keys(surname + given)`` from the keys of the two parts (tested to agree)."""
    return (
        (surname.pinyin + given.pinyin)[:200],
        (surname.initials + given.initials)[:50],
        (surname.fields + given.fields + surname.codes + given.codes)[:200],
    )


# --- Resident ID numbers (GB 11643) -----------------------------------------------------

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_SEQ_SUMS = [
    sum(int(c) * w for c, w in zip(f"{n:03d}", _WEIGHTS[14:], strict=True)) for n in range(1000)
]


def _weighted(digits: str, weights: Sequence[int]) -> int:
    return sum(int(c) * w for c, w in zip(digits, weights, strict=True))


class IdNumbers:
    """Unique, valid 18-character ID numbers, by arithmetic.

    Each (area, birth date, sex) has at most 499 sequence numbers (odd for men, even for
    women). ``next(birth, sex, area)`` uses the area given; without one, successive people
    born on the same day are spread over ``areas`` in turn. The check character's weighted
    sum is precomputed per area, per birth date and per sequence number.
    """

    def __init__(self, areas: Sequence[str]) -> None:
        if not areas:
            raise ValueError("areas must not be empty")
        self.areas = list(areas)
        self.area_sums = {a: _weighted(a, _WEIGHTS[:6]) for a in self.areas}
        self.births: dict[int, tuple[str, int]] = {}
        self.counts: dict[tuple, int] = {}

    def _birth(self, birth: dt.date) -> tuple[str, int]:
        key = birth.toordinal()
        hit = self.births.get(key)
        if hit is None:
            text = f"{birth:%Y%m%d}"
            hit = self.births[key] = (text, _weighted(text, _WEIGHTS[6:14]))
        return hit

    def next(self, birth: dt.date, sex: str, area: str | None = None) -> str:
        male = sex == "male"
        ordinal = birth.toordinal()
        if area is None:
            key: tuple = (ordinal, male)
            count = self.counts.get(key, 0)
            area = self.areas[(count + ordinal) % len(self.areas)]
            serial = count // len(self.areas)
        else:
            key = (area, ordinal, male)
            count = self.counts.get(key, 0)
            serial = count
        if serial >= 499:
            raise ValueError(f"too many people born on {birth} in area {area}")
        self.counts[key] = count + 1
        area_sum = self.area_sums.get(area)
        if area_sum is None:
            area_sum = self.area_sums[area] = _weighted(area, _WEIGHTS[:6])
        # Shift the sequence per birth date so numbers do not all start at 001/002.
        seq = ((serial + ordinal * 7) % 499) * 2 + (1 if male else 2)
        text, birth_sum = self._birth(birth)
        check = _CHECK[(area_sum + birth_sum + _SEQ_SUMS[seq]) % 11]
        return f"{area}{text}{seq:03d}{check}"


_MOBILE_PREFIXES = (
    "130 131 132 133 135 136 137 138 139 150 151 152 155 156 157 158 159 176 177 180 181 182 "
    "185 186 187 188 189 198 199"
)
MOBILE_PREFIXES = tuple(_MOBILE_PREFIXES.split())


def mobile(rng: random.Random) -> str:
    return rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"


# --- Careers: status histories that respect the development rules ----------------------

REASONS = {
    Status.APPLICANT: "递交入党申请书",
    Status.ACTIVIST: "经支部委员会研究，确定为入党积极分子",
    Status.CANDIDATE: "经支部委员会研究，确定为发展对象",
    Status.PROBATIONARY: "经支部党员大会讨论通过，接收为预备党员",
    Status.FULL: "预备期满，经支部党员大会讨论，按期转为正式党员",
    Status.SUSPENDED: "失去联系超过六个月，经支部党员大会讨论，停止党籍",
    Status.DECEASED: "因病去世",
    Status.PROBATION_CANCELLED: "预备期内不履行党员义务，经支部党员大会讨论，取消预备党员资格",
}
LEAVE_REASONS = {
    LeaveKind.SELF_WITHDRAWAL: "连续六个月不参加党的组织生活、不交纳党费，按自行脱党除名",
    LeaveKind.WITHDREW: "本人申请退党，经支部党员大会讨论同意",
    LeaveKind.REMOVED: "经支部党员大会讨论，予以除名",
    LeaveKind.ADVISED: "经教育仍无转变，劝其退党",
    LeaveKind.EXPELLED: "受到开除党籍处分",
}
_PATH = (Status.APPLICANT, Status.ACTIVIST, Status.CANDIDATE, Status.PROBATIONARY, Status.FULL)
_MIN_AGE = {
    Status.APPLICANT: 18,
    Status.ACTIVIST: 19,
    Status.CANDIDATE: 20,
    Status.PROBATIONARY: 20,
    Status.PROBATION_CANCELLED: 21,
}


def birth_date_for(rng: random.Random, today: dt.date, youngest: int, oldest: int) -> dt.date:
    """A birth date for someone aged ``youngest`` to ``oldest`` full years today."""
    latest = add_years(today, -youngest) - dt.timedelta(days=1)
    earliest = add_years(today, -oldest - 1) + dt.timedelta(days=1)
    return earliest + dt.timedelta(days=rng.randint(0, (latest - earliest).days))


def min_age(status: str, *, recent: bool) -> int:
    """The youngest age (in full years) at which ``career`` can reach ``status`` at its pace."""
    return _MIN_AGE.get(status, 21 if recent else 23)


@dataclass
class Career:
    """A person's dated statuses, oldest first: (status, effective date, reason, leave kind)."""

    changes: list[tuple[str, dt.date, str, str]]
    applied_on: dt.date
    admission_date: dt.date | None = None
    full_since: dt.date | None = None

    @property
    def status(self) -> str:
        return self.changes[-1][0]

    @property
    def status_since(self) -> dt.date:
        return self.changes[-1][1]


def career(
    rng: random.Random,
    status: str,
    birth: dt.date,
    today: dt.date,
    *,
    recent: bool = False,
    leave_kind: str = "",
    exit_on: dt.date | None = None,
) -> Career:
    """A status history ending in ``status`` today, for a person born on ``birth``.

    Application at 18 or older (DEV-AGE), activist at least 6 months later (DEV-APP-ACT),
    candidate at least a year after that (DEV-CULT-1Y), admission 2–8 months later, full
    membership exactly one year after admission (DEV-PROBATION). ``recent``: a full member
    converted in the last three years (students); otherwise full members joined at 21–40.
    Terminal statuses (suspended, left, deceased) follow a full membership; probation
    cancelled follows a probation that began 400–700 days ago.
    """
    adult = add_years(birth, 18)
    d1, d2, d3 = rng.randint(190, 400), rng.randint(370, 540), rng.randint(60, 240)
    day = dt.timedelta
    base = status if status in _PATH else Status.FULL
    if status == Status.PROBATION_CANCELLED:
        base = Status.PROBATIONARY
    # Window for the day of entering ``base``, and the days from application to it.
    if base == Status.APPLICANT:
        lo, hi, before = today - day(540), today - day(1), 0
    elif base == Status.ACTIVIST:
        lo, hi, before = today - day(d2 - 1), today - day(1), d1
    elif base == Status.CANDIDATE:
        lo, hi, before = today - day(d3 - 1), today - day(1), d1 + d2
    elif base == Status.PROBATIONARY:
        if status == Status.PROBATION_CANCELLED:
            lo, hi = today - day(700), today - day(400)
        else:
            lo, hi = today - day(364), today - day(1)
        before = d1 + d2 + d3
    else:  # full: the window is for the admission date
        before = d1 + d2 + d3
        # A member who later left needs time as a full member before the exit.
        margin = 366 if status == Status.FULL else 366 + 60
        latest = min(today, exit_on or today) - day(margin)
        if recent:
            lo, hi = today - day(3 * 365), latest
        else:
            lo, hi = add_years(birth, 21), min(add_years(birth, 40), latest)
    lo = max(lo, adult + day(before))
    if lo > hi:  # too young for the usual pace: take the shortest allowed steps
        d1, d2, d3 = 190, 370, 60
        before = {Status.APPLICANT: 0, Status.ACTIVIST: d1, Status.CANDIDATE: d1 + d2}.get(
            base, d1 + d2 + d3
        )
        lo = min(hi, adult + day(before))
    start = lo + day(rng.randint(0, (hi - lo).days))

    steps = _PATH[: _PATH.index(base) + 1]
    gaps = {Status.ACTIVIST: d1, Status.CANDIDATE: d2, Status.PROBATIONARY: d3}
    dates: dict[str, dt.date] = {}
    when = start
    for s in reversed(steps[:4] if base == Status.FULL else steps):
        dates[s] = when
        when = when - day(gaps.get(s, 0))
    admission = dates.get(Status.PROBATIONARY)
    full_since = add_years(admission, 1) if base == Status.FULL and admission else None
    if full_since is not None:
        dates[Status.FULL] = full_since
    changes = [(s, dates[s], REASONS[s], "") for s in steps]

    if status not in _PATH:
        floor = (full_since or admission) + day(1)  # type: ignore[operator]
        if status == Status.PROBATION_CANCELLED:
            when = admission + day(rng.randint(200, 360))  # type: ignore[operator]
        elif exit_on is not None:
            when = max(exit_on, floor)
        else:
            when = floor + day(rng.randint(0, max(0, (today - floor).days - 1)))
        when = min(when, today - day(1))
        reason = LEAVE_REASONS.get(leave_kind, "") if status == Status.LEFT else REASONS[status]
        changes.append((status, when, reason, leave_kind if status == Status.LEFT else ""))
    return Career(
        changes=changes,
        applied_on=dates[Status.APPLICANT],
        admission_date=admission,
        full_since=full_since,
    )


# --- The organization tree: treebeard paths computed directly ---------------------------


def path_step(position: int) -> str:
    """The 4-character path step of the ``position``-th child (1-based), base 36."""
    key = Organization._int2str(position)
    if len(key) > Organization.steplen:
        raise ValueError(f"too many children: {position}")
    return Organization.alphabet[0] * (Organization.steplen - len(key)) + key


def next_root_position() -> int:
    last = (
        Organization.objects.filter(depth=1).order_by("-path").values_list("path", flat=True)
    ).first()
    return Organization._str2int(last) + 1 if last else 1


@dataclass
class OrgSpec:
    """An organization to create, with its children; ``path`` is filled in by ``place``."""

    code: str
    name: str
    kind: str
    category: str = Category.OTHER
    formation: str = Formation.STANDARD
    founded_on: dt.date | None = None
    approval_authority: bool = False
    children: list[OrgSpec] = field(default_factory=list)
    path: str = ""
    depth: int = 0
    obj: Organization | None = None

    def add(self, child: OrgSpec) -> OrgSpec:
        self.children.append(child)
        return child

    def walk(self) -> Iterable[OrgSpec]:
        yield self
        for child in self.children:
            yield from child.walk()


def place(root: OrgSpec, root_position: int) -> list[OrgSpec]:
    """Give every node of the tree its path and depth; returns the nodes in path order."""
    root.path, root.depth = path_step(root_position), 1
    nodes = []
    for node in root.walk():
        for index, child in enumerate(node.children, start=1):
            child.path, child.depth = node.path + path_step(index), node.depth + 1
        nodes.append(node)
    return nodes


def org_instances(nodes: Sequence[OrgSpec]) -> list[Organization]:
    objs = []
    for n in nodes:
        n.obj = Organization(
            path=n.path,
            depth=n.depth,
            numchild=len(n.children),
            code=n.code,
            name=n.name,
            kind=n.kind,
            category=n.category,
            formation=n.formation,
            founded_on=n.founded_on,
            approval_authority=n.approval_authority,
        )
        objs.append(n.obj)
    return objs


# --- The scale generator ----------------------------------------------------------------

_PROVINCES = (
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 61 62 63 64 65"
)
PROVINCES = tuple(_PROVINCES.split())


def run_areas(run: int) -> list[str]:
    """Area codes for one generator run; city codes 51–99 keep runs apart (and apart from the
    demo, whose real area codes have smaller city codes)."""
    city = 51 + run % 49
    return [f"{p}{city:02d}{county:02d}" for p in PROVINCES for county in range(1, 4)]


@dataclass(frozen=True)
class Profile:
    """How people of one kind of branch look: ages, statuses, occupation and so on."""

    category: str
    ages: tuple[int, int]
    statuses: tuple[tuple[str, int], ...]
    occupation: str
    education: tuple[str, ...]
    dues: str
    recent: bool = False


# fmt: off
PROFILES: tuple[tuple[Profile, int], ...] = (
    (Profile(Category.UNIVERSITY_STUDENT, (18, 25),
             (("applicant", 30), ("activist", 24), ("candidate", 8), ("probationary", 16),
              ("full", 22)), "student", ("bachelor", "postgraduate"), "student", True), 12),
    (Profile(Category.UNIVERSITY_STAFF, (25, 60),
             (("applicant", 5), ("activist", 4), ("candidate", 2), ("probationary", 3),
              ("full", 86)), "professional", ("postgraduate", "bachelor"), "employee"), 10),
    (Profile(Category.GOVERNMENT, (23, 60),
             (("applicant", 4), ("activist", 3), ("candidate", 2), ("probationary", 3),
              ("full", 88)), "civil_servant", ("bachelor", "postgraduate", "college"),
             "employee"), 14),
    (Profile(Category.ENTERPRISE, (20, 60),
             (("applicant", 8), ("activist", 6), ("candidate", 3), ("probationary", 4),
              ("full", 79)), "worker",
             ("college", "bachelor", "high_school", "secondary_vocational"), "employee"), 30),
    (Profile(Category.VILLAGE, (20, 85),
             (("applicant", 5), ("activist", 4), ("candidate", 2), ("probationary", 3),
              ("full", 86)), "farmer",
             ("junior_or_below", "high_school", "secondary_vocational"), "farmer"), 20),
    (Profile(Category.COMMUNITY, (25, 90),
             (("applicant", 3), ("activist", 2), ("candidate", 1), ("probationary", 2),
              ("full", 92)), "retired", ("high_school", "college", "bachelor"), "retiree"), 14),
)
# fmt: on
# Per mille of full members who are no longer ordinary full members.
TERMINAL_PER_MILLE = (("suspended", 2), ("left", 5), ("deceased", 10))
# GB 3304 codes with weights per thousand: 汉 满 回 蒙古 壮 土家 朝鲜 维吾尔 藏.
ETHNICITIES = (
    ("01", 915), ("11", 25), ("03", 15), ("02", 12), ("08", 10), ("15", 8), ("10", 5), ("05", 5),
    ("04", 5),
)  # fmt: skip

STATUS_COLUMNS = "person_id status leave_kind effective_on reason recorded_by_id recorded_at"
MEMBERSHIP_COLUMNS = "person_id branch_id group_id started_on ended_on note"
ORG_COLUMNS = (
    "path depth numchild code name kind formation category founded_on dissolved_on "
    "approval_authority"
)
PERSON_COLUMNS = " ".join(f.column for f in Person._meta.concrete_fields)
PEOPLE_TABLES = ("members_person", "members_statuschange", "members_membership")
REBUILD_INDEXES_FROM = 100_000
GROUP_NAMES = ("第一党小组", "第二党小组", "第三党小组", "第四党小组")


@dataclass
class GenerateResult:
    members: int
    organizations: int
    status_changes: int
    memberships: int
    seconds: float
    root_code: str


class Weighted:
    """Weighted draws: bisect over the cumulative weights."""

    def __init__(self, pairs: Sequence[tuple[object, int]]) -> None:
        self.values = [v for v, _ in pairs]
        self.cumulative = list(itertools.accumulate(w for _, w in pairs))

    def draw(self, rng: random.Random):
        return self.values[bisect.bisect_right(self.cumulative, rng.random() * self.cumulative[-1])]


@dataclass
class _Run:
    """What every generated person of one run shares."""

    rng: random.Random
    names: NameTable
    id_numbers: IdNumbers
    ethnicities: Weighted
    today: dt.date
    now: dt.datetime


@dataclass(frozen=True)
class _Branch:
    path: str
    group_paths: tuple[str, ...]
    profile: Profile


def generate(
    *,
    members: int,
    seed: int = 1,
    people_per_branch: int = 40,
    branches_per_general_branch: int = 10,
    general_branches_per_committee: int = 25,
    groups_per_branch: int = 2,
    batch_size: int = 50_000,
    rebuild_indexes: bool | None = None,
    today: dt.date | None = None,
    log: Callable[[str], None] | None = None,
) -> GenerateResult:
    """Load ``members`` synthetic people under a new root organization (see the module doc).

    ``rebuild_indexes`` (PostgreSQL; by default from 100,000 people): drop the people
    tables' secondary indexes, load, and build them again, all in one transaction. The
    tables are locked against every other session until it commits.
    """
    sizes = (people_per_branch, branches_per_general_branch, general_branches_per_committee)
    if members < 1 or min(sizes) < 1 or groups_per_branch < 0:
        raise ValueError("members and sizes must be at least 1 (groups at least 0)")
    started = time.perf_counter()
    log = log or (lambda message: None)
    rng = random.Random(seed)  # noqa: S311 - synthetic data, not secrets
    postgres = connection.vendor == "postgresql"
    branch_count = math.ceil(members / people_per_branch)

    with transaction.atomic():
        position = next_root_position()
        tag = f"GEN{position}"
        rows, branches = _org_rows(
            rng, position, tag, members, branch_count, branches_per_general_branch,
            general_branches_per_committee, groups_per_branch,
        )  # fmt: skip
        ids = _insert_orgs(rows, postgres, prefix=path_step(position))
    log(f"党组织 {len(rows):,} 个已写入（{time.perf_counter() - started:.1f} 秒）")

    run = _Run(
        rng=rng,
        names=NameTable(seed),
        id_numbers=IdNumbers(run_areas(position)),
        ethnicities=Weighted(ETHNICITIES),
        today=today or _today(),
        now=timezone.now(),
    )
    next_id = _reserve_person_ids(members, postgres)
    skip_triggers = postgres and _is_superuser()
    if postgres and not skip_triggers:
        log("提示：当前数据库用户不是超级用户，外键逐行检查会使写入明显变慢。")
    if rebuild_indexes is None:
        rebuild_indexes = postgres and members >= REBUILD_INDEXES_FROM

    def progress(done: int) -> None:
        log(f"人员 {done:,} / {members:,}（{time.perf_counter() - started:.1f} 秒）")

    # Rebuilding: one transaction, so an interrupted load restores the indexes with the rest.
    with transaction.atomic() if rebuild_indexes else contextlib.nullcontext():
        index_sql = _drop_indexes() if rebuild_indexes else []
        counts = _write_people(
            run, branches, members, ids, next_id, batch_size, postgres, skip_triggers, progress
        )
        if index_sql:
            log(f"重建索引 {len(index_sql)} 个…")
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
                for sql in index_sql:
                    cursor.execute(sql)
    if postgres:
        with connection.cursor() as cursor:
            cursor.execute(
                "ANALYZE orgs_organization, members_person, members_statuschange, "
                "members_membership"
            )
    return GenerateResult(
        members=counts[0],
        organizations=len(rows),
        status_changes=counts[1],
        memberships=counts[2],
        seconds=time.perf_counter() - started,
        root_code=tag,
    )


def _write_people(
    run, branches, members, ids, next_id, batch_size, postgres, skip_triggers, progress
) -> list[int]:
    """Generate and write the people branch by branch, in batches of about ``batch_size``."""
    base, extra = divmod(members, len(branches))
    counts = [0, 0, 0]
    batch: list[Callable[[], Iterable[tuple]]] = []
    size = 0
    for index, branch in enumerate(branches):
        people = base + (1 if index < extra else 0)
        groups = [ids[p] for p in branch.group_paths]
        batch.append(
            functools.partial(
                _branch_people, run, branch.profile, people, ids[branch.path], groups, next_id
            )
        )
        next_id += people
        size += people
        if size >= batch_size or index == len(branches) - 1:
            written = _write_batch(batch, postgres, skip_triggers=skip_triggers)
            counts = [a + b for a, b in zip(counts, written, strict=True)]
            batch, size = [], 0
            progress(counts[0])
    return counts


def _drop_indexes() -> list[str]:
    """Drop the secondary indexes of the people tables; return the SQL that recreates them.

    Building an index once over sorted data is many times faster than updating a dozen
    indexes row by row (what pg_restore does too). Primary keys and unique constraints stay.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT i.indexname, i.indexdef FROM pg_indexes i
            WHERE i.schemaname = current_schema() AND i.tablename = ANY(%s)
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)
            ORDER BY i.tablename, i.indexname
            """,
            [list(PEOPLE_TABLES)],
        )
        found = cursor.fetchall()
        for name, _ in found:
            cursor.execute(f'DROP INDEX "{name}"')
    return [sql for _, sql in found]


def _org_rows(
    rng, position, tag, members, branch_count, per_general, per_committee, groups
) -> tuple[list[tuple], list[_Branch]]:
    """Rows for the whole tree (root → committees → general branches → branches → groups),
    with treebeard's path, depth and numchild computed here."""
    generals = math.ceil(branch_count / per_general)
    committees = math.ceil(generals / per_committee)
    profiles = Weighted(PROFILES)
    rows: list[tuple] = []

    def add(path, numchild, code, name, kind, category=Category.OTHER, approval=False):
        depth = len(path) // Organization.steplen
        rows.append((path, depth, numchild, code, name, kind, Formation.STANDARD, category,
                     None, None, approval))  # fmt: skip

    root = path_step(position)
    add(root, committees, tag, f"规模测试党委（{members:,}人）", OrgKind.BASIC_COMMITTEE)
    branches: list[_Branch] = []
    for c in range(committees):
        general_range = range(c * per_committee, min(generals, (c + 1) * per_committee))
        cpath = root + path_step(c + 1)
        add(cpath, len(general_range), f"{tag}-C{c + 1}", f"第{c + 1}基层党委",
            OrgKind.BASIC_COMMITTEE, approval=True)  # fmt: skip
        for gi, g in enumerate(general_range, start=1):
            branch_range = range(g * per_general, min(branch_count, (g + 1) * per_general))
            gpath = cpath + path_step(gi)
            add(gpath, len(branch_range), f"{tag}-G{g + 1}", f"第{g + 1}党总支",
                OrgKind.GENERAL_BRANCH)  # fmt: skip
            for bi, b in enumerate(branch_range, start=1):
                bpath = gpath + path_step(bi)
                profile = profiles.draw(rng)
                add(bpath, groups, f"{tag}-B{b + 1}", f"第{b + 1}党支部", OrgKind.BRANCH,
                    profile.category)  # fmt: skip
                group_paths = tuple(bpath + path_step(k + 1) for k in range(groups))
                for k, gp in enumerate(group_paths):
                    name = GROUP_NAMES[k] if k < len(GROUP_NAMES) else f"第{k + 1}党小组"
                    add(gp, 0, f"{tag}-B{b + 1}-{k + 1}", name, OrgKind.PARTY_GROUP,
                        profile.category)  # fmt: skip
                branches.append(_Branch(bpath, group_paths, profile))
    return rows, branches


def _insert_orgs(rows, postgres: bool, *, prefix: str) -> dict[str, int]:
    """Insert the tree and return the database ids by path."""
    if postgres:
        connection.ensure_connection()
        with connection.connection.cursor() as cursor:
            _copy(cursor, "orgs_organization", ORG_COLUMNS, rows)
            cursor.execute(
                "SELECT path, id FROM orgs_organization WHERE path LIKE %s", (prefix + "%",)
            )
            return dict(cursor.fetchall())
    _insert("orgs_organization", ORG_COLUMNS, rows)
    return dict(Organization.objects.filter(path__startswith=prefix).values_list("path", "id"))


def _reserve_person_ids(count: int, postgres: bool) -> int:
    """The first of ``count`` consecutive person ids nobody else will take."""
    if not postgres:
        last = Person.objects.order_by("-id").values_list("id", flat=True).first() or 0
        return last + 1
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("LOCK TABLE members_person IN EXCLUSIVE MODE")
        cursor.execute("SELECT pg_get_serial_sequence('members_person', 'id')")
        sequence = cursor.fetchone()[0]
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM members_person")
        highest = cursor.fetchone()[0]
        cursor.execute("SELECT pg_sequence_last_value(%s::regclass)", [sequence])
        highest = max(highest, cursor.fetchone()[0] or 0)
        start = highest + 1
        # Move the sequence past the block: later inserts (by anyone) never collide with it.
        cursor.execute("SELECT setval(%s, %s, true)", [sequence, start + count - 1])
    return start


def _branch_people(run: _Run, profile: Profile, count, branch_id, group_ids, first_id):
    """Yield (person row, status rows, membership row) for each person of one branch."""
    rng, today, now = run.rng, run.today, run.now
    statuses_pick = Weighted(profile.statuses)
    lo_age, hi_age = profile.ages
    member_slot = 0
    for pid in range(first_id, first_id + count):
        sex = "male" if rng.random() < 0.55 else "female"
        status = statuses_pick.draw(rng)
        if status == Status.FULL:
            roll = rng.randrange(1000)
            for terminal, per_mille in TERMINAL_PER_MILLE:
                if roll < per_mille:
                    status = terminal
                    break
                roll -= per_mille
        low = max(lo_age, min_age(status, recent=profile.recent))
        birth = birth_date_for(rng, today, low, hi_age)
        leave = LeaveKind.SELF_WITHDRAWAL if status == Status.LEFT else ""
        c = career(rng, status, birth, today, recent=profile.recent, leave_kind=leave)
        name, py, initials, key = run.names.draw(rng, sex)
        active = c.status not in (Status.LEFT, Status.DECEASED)
        group_id = None
        if group_ids and c.status in (Status.PROBATIONARY, Status.FULL):
            group_id = group_ids[member_slot % len(group_ids)]
            member_slot += 1
        # In the column order of PERSON_COLUMNS (the model's field order).
        person = (
            pid, name, py, initials, key, sex, run.ethnicities.draw(rng), birth,
            run.id_numbers.next(birth, sex), mobile(rng) if rng.random() < 0.9 else "",
            rng.choice(profile.education), profile.occupation,
            profile.dues if c.admission_date else "", "", profile.recent and rng.random() < 0.9,
            c.status, c.status_since, c.applied_on, c.admission_date, c.full_since,
            branch_id, group_id, active, now, now,
        )  # fmt: skip
        statuses = [
            (pid, s, leave_kind, on, why, None, now) for s, on, why, leave_kind in c.changes
        ]
        ended = None if active else c.status_since
        note = "" if active else str(Status(c.status).label)
        yield person, statuses, (pid, branch_id, group_id, c.applied_on, ended, note)


def _is_superuser() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        row = cursor.fetchone()
    return bool(row and row[0])


def _write_batch(
    batch: Sequence[Callable[[], Iterable[tuple]]], postgres: bool, *, skip_triggers: bool = False
) -> list[int]:
    """Write the people of ``batch`` (generators of rows), their statuses and relationships,
    in one transaction.

    On PostgreSQL the people stream into COPY as they are generated, so the server's index
    work overlaps the generation; the status and relationship rows follow. With
    ``skip_triggers`` (a superuser) the per-row foreign-key triggers are off for the batch, as
    ``pg_restore --disable-triggers`` does: every id referenced here was just created or read
    back, and each check would otherwise lock and dirty the referenced person row (about a
    third of the load time). The tests check the references of a generated tree.
    """
    statuses: list[tuple] = []
    memberships: list[tuple] = []

    def people() -> Iterable[tuple]:
        for branch in batch:
            for person, changes, membership in branch():
                statuses.extend(changes)
                memberships.append(membership)
                yield person

    with transaction.atomic():
        if postgres:
            connection.ensure_connection()
            with connection.connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit = off")
                if skip_triggers:
                    cursor.execute("SET LOCAL session_replication_role = replica")
                written = _copy(cursor, "members_person", PERSON_COLUMNS, people())
                _copy(cursor, "members_statuschange", STATUS_COLUMNS, statuses)
                _copy(cursor, "members_membership", MEMBERSHIP_COLUMNS, memberships)
        else:
            rows = list(people())
            written = len(rows)
            _insert("members_person", PERSON_COLUMNS, rows)
            _insert("members_statuschange", STATUS_COLUMNS, statuses)
            _insert("members_membership", MEMBERSHIP_COLUMNS, memberships)
    return [written, len(statuses), len(memberships)]


def _copy(cursor, table: str, columns: str, rows: Iterable[tuple]) -> int:
    count = 0
    with cursor.copy(f"COPY {table} ({', '.join(columns.split())}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


def _insert(table: str, columns: str, rows: Sequence[tuple]) -> None:
    """Plain INSERTs in batches of 5,000 (SQLite). ``bulk_create`` would spend ~20 µs a value
    preparing it, most of the time at this size; these values are already clean."""
    ops = connection.ops

    def adapt(value):
        if isinstance(value, dt.datetime):
            return ops.adapt_datetimefield_value(value)
        if isinstance(value, dt.date):
            return value.isoformat()
        return value

    names = columns.split()
    # Table and column names come from the code, never from input.
    sql = f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join(['%s'] * len(names))})"  # noqa: S608
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 5000):
            cursor.executemany(sql, [tuple(map(adapt, row)) for row in rows[start : start + 5000]])
