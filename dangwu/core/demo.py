"""The demo organization: a university party committee with about 2,500 people.

华北理工大学党委 (a basic committee with approval authority) with twelve colleges as general
branches, each with student branches, a graduate branch and a faculty branch; office, retiree,
joint and temporary branches under the committee. People in every status with consistent
histories, committee terms and posts, party groups and their leaders, a few sanctions and
transfers, and some deliberate past violations for the checks to find (``DESIGNED_FINDINGS``).

Everything is written in one transaction with bulk inserts (the services would take minutes
for 2,500 people); every row of an audited model gets its creation entry in the history,
attributed to ``admin`` with the reason "演示数据". The random generator is seeded and every
date is relative to ``today``, so the demo is the same each time and its deadlines stay real.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from dangwu.accounts.models import Role, RoleKind, User
from dangwu.core.clock import today as _today
from dangwu.core.dates import add_years
from dangwu.core.generate import (
    TRICKY_SURNAMES,
    Career,
    IdNumbers,
    OrgSpec,
    SurnamePicker,
    Weighted,
    birth_date_for,
    career,
    given_name,
    min_age,
    mobile,
    next_root_position,
    org_instances,
    place,
)
from dangwu.members.choices import LeaveKind, SanctionKind, Status
from dangwu.members.models import (
    Membership,
    Person,
    Sanction,
    StatusChange,
    Transfer,
    TransferKind,
    TransferStatus,
)
from dangwu.members.services import set_name_keys
from dangwu.orgs.choices import Category, ChosenBy, DesignationReason, Formation, OrgKind
from dangwu.orgs.choices import PostKind as PK
from dangwu.orgs.models import CommitteeTerm, Organization, Post
from dangwu.orgs.rules import standard_term_years

ROOT_CODE = "HBLG"
ROOT_NAME = "华北理工大学党委"
PASSWORD = "dangwu2026"  # noqa: S105 - the local demo's printed password
REASON = "演示数据"
SEED = 2026

# Branches built to break one rule each, and the exact finding codes they must produce.
DESIGNED_FINDINGS: dict[str, frozenset[str]] = {
    "HBLG-WY-YJS": frozenset({"ORG-BRANCH-MIN"}),  # 2 full members
    "HBLG-JSJ-JZG": frozenset({"ORG-BRANCH-MAX", "ORG-GENERAL-BRANCH"}),  # 56 members
    "HBLG-JX-JZG": frozenset({"ORG-TERM"}),  # term expired (error)
    "HBLG-JJ-JZG": frozenset({"ORG-TERM"}),  # term ends within 6 months (warning)
    "HBLG-DQ-YJS": frozenset({"GRP-LEADER-ELIG"}),  # a probationary group leader
    "HBLG-TM-JZG": frozenset({"GRP-DEPUTY"}),  # a group with two deputies
    "HBLG-HG-JZG": frozenset({"GRP-SPLIT"}),  # 20+ members and no groups
}

# (code, college, undergraduate majors, faculty departments, third undergraduate branch)
# fmt: off
COLLEGES = (
    ("JSJ", "计算机学院", ("计算机科学与技术", "软件工程"), ("计算机科学系", "软件工程系"), True),
    ("JX", "机械工程学院", ("机械设计制造及其自动化", "车辆工程"), ("机械设计系", "车辆工程系"),
     True),
    ("JJ", "经济管理学院", ("工商管理", "会计学"), ("工商管理系", "会计系"), True),
    ("WY", "外国语学院", ("英语", "日语"), ("英语系", "大学外语教学部"), False),
    ("MY", "马克思主义学院", ("思想政治教育", "马克思主义理论"), ("原理教研室", "纲要教研室"),
     False),
    ("DQ", "电气工程学院", ("电气工程及其自动化", "自动化"), ("电气工程系", "自动化系"), False),
    ("TM", "土木工程学院", ("土木工程", "工程管理"), ("土木工程系", "工程管理系"), False),
    ("HG", "化学工程学院", ("化学工程与工艺", "应用化学"), ("化学工程系", "应用化学系"), False),
    ("YJ", "冶金与能源学院", ("冶金工程", "能源与动力工程"), ("冶金工程系", "能源工程系"), False),
    ("CL", "材料科学与工程学院", ("材料科学与工程", "无机非金属材料工程"),
     ("材料科学系", "材料工程系"), False),
    ("LX", "理学院", ("数学与应用数学", "应用物理学"), ("数学系", "物理系"), False),
    ("RW", "人文法律学院", ("法学", "汉语言文学"), ("法学系", "中文系"), False),
)
# fmt: on

A, C, D, P, F = (Status.APPLICANT, Status.ACTIVIST, Status.CANDIDATE, Status.PROBATIONARY,
                 Status.FULL)  # fmt: skip
MIXES: dict[str, dict[str, int]] = {
    "undergrad": {A: 20, C: 15, D: 6, P: 10, F: 6},
    "grad": {A: 4, C: 4, D: 2, P: 5, F: 18},
    "faculty": {A: 2, C: 2, D: 1, P: 1, F: 31},
    "office": {A: 1, C: 1, D: 1, P: 2, F: 26},
    "retiree": {F: 40, Status.DECEASED: 5},
    "joint": {C: 1, P: 2, F: 9},
    "temporary": {P: 9, F: 5},
}


@dataclass(frozen=True)
class Profile:
    ages: tuple[int, int]
    occupation: str
    education: tuple[str, ...]
    dues: str
    recent: bool = False  # full members converted in the last three years (students)


# fmt: off
PROFILES = {
    "undergrad": Profile((18, 22), "student", ("bachelor",), "student", True),
    "grad": Profile((22, 25), "student", ("postgraduate",), "student", True),
    "temporary": Profile((22, 25), "student", ("postgraduate",), "student", True),
    "counselor": Profile((26, 35), "professional", ("postgraduate",), "employee"),
    "faculty": Profile((25, 60), "professional", ("postgraduate",) * 3 + ("bachelor",),
                       "employee"),
    "office": Profile((25, 60), "manager", ("bachelor", "postgraduate"), "employee"),
    "joint": Profile((25, 58), "worker", ("college", "bachelor", "secondary_vocational"),
                     "employee"),
    "retiree": Profile((61, 90), "retired", ("bachelor", "college", "high_school"), "retiree"),
}
# fmt: on

# Area codes (ID numbers): mostly Hebei, some elsewhere; minorities from their regions.
_HAN_AREAS = (
    "130203 130202 130204 130205 130207 130208 130281 130283 130102 130104 130602 130902 "
    "131002 130402 130502 130302 130702 130802 131102 110105 120101 140105 370102 410105 "
    "210102 320102 420102 510104 610102"
)
HAN_AREAS = tuple(_HAN_AREAS.split())
MINORITY_AREAS = {
    "11": ("130826", "130828", "210102"), "03": ("640104", "130203"), "02": ("150102", "150202"),
    "08": ("450102",), "15": ("422801",), "10": ("222401",), "05": ("650102", "650104"),
    "04": ("540102",), "06": ("522601",),
}  # fmt: skip
ETHNICITIES = (("01", 900), ("11", 30), ("03", 20), ("02", 12), ("08", 8), ("15", 8), ("10", 6),
               ("05", 6), ("04", 5), ("06", 5))  # fmt: skip
# Names that do not follow the Han surname-first pattern.
OWN_NAMES = {
    ("05", "male"): ("艾克拉木·吐尔逊", "买买提江·热合曼", "阿不都热合曼·艾力", "伊力哈木·吐尔洪"),
    ("05", "female"): ("阿依古丽·买买提", "古丽米热·阿不都", "迪丽娜尔·艾力", "热依拉·吐尔逊"),
    ("04", "male"): ("扎西多吉", "次仁顿珠", "格桑旺堆"),
    ("04", "female"): ("卓玛", "央金拉姆", "次仁卓嘎"),
}  # fmt: skip


@dataclass
class BranchPlan:
    spec: OrgSpec
    profile: str
    mix: dict[str, int]
    college: str = ""
    majors: tuple[str, ...] = ()
    units: tuple[str, ...] = ()
    groups: int | None = None  # None: 2–4 groups when the branch has 20 or more members
    group_names: tuple[str, ...] = ()
    term: str = "ok"  # ok / expired / ending / new
    # Extra people: (status, leave kind, flag)
    extras: list[tuple[str, str, str]] = field(default_factory=list)
    drafts: list[Draft] = field(default_factory=list)


@dataclass
class Draft:
    """A person before saving: fields, career, relationship and what the builder decided."""

    plan: BranchPlan
    fields: dict
    career: Career
    start: dt.date
    kind: str
    surname: str = ""
    flags: set[str] = field(default_factory=set)
    group: OrgSpec | None = None
    end: dt.date | None = None
    previous: list[tuple[OrgSpec, dt.date, dt.date, str]] = field(default_factory=list)
    note: str = ""
    posts: list[str] = field(default_factory=list)
    letter: str = ""
    person: Person | None = None

    @property
    def active(self) -> bool:
        return self.fields["is_active"]

    @property
    def status(self) -> str:
        return self.career.status

    def available_from(self) -> dt.date:
        """The first day this person is a full member of the branch (for a post)."""
        return max(self.career.full_since or self.career.admission_date, self.start)


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    role: str
    organization: str


@dataclass
class DemoResult:
    logins: list[DemoLogin]
    counts: dict[str, int]


def demo_exists() -> bool:
    return Organization.objects.filter(code=ROOT_CODE).exists()


@transaction.atomic
def build_demo(*, today: dt.date | None = None, password: str = PASSWORD) -> DemoResult:
    """Build the demo organization (refuses when it is there already)."""
    if demo_exists():
        raise RuntimeError("演示数据已存在。")
    builder = _Builder(today or _today(), password)
    builder.build()
    return DemoResult(logins=demo_logins(password), counts=builder.counts)


USERNAMES = ("admin", "dangwei", "zongzhi", "zhibu", "xiaozu", "dangyuan")


def demo_logins(password: str = PASSWORD) -> list[DemoLogin]:
    """The demo's logins as they are in the database (for printing)."""
    users = {u.username: u for u in User.objects.filter(username__in=USERNAMES)}
    roles = {
        r.user_id: r
        for r in Role.objects.filter(user__username__in=USERNAMES).select_related("organization")
    }
    rows = []
    for username in USERNAMES:
        user = users.get(username)
        if user is None:
            continue
        role = roles.get(user.pk)
        if user.is_superuser:
            label, org = "系统管理员", "全部"
        elif role is not None:
            label, org = str(role.get_kind_display()), _org_label(role.organization)
        else:
            branch = user.person.branch.name if user.person_id else ""
            label, org = "党员（无角色，只看本人）", branch
        rows.append(DemoLogin(username, password, label, org))
    return rows


def _org_label(org: Organization) -> str:
    """A group's name says little alone: 第一党小组 → 计算机学院教工党支部第一党小组."""
    if org.kind == OrgKind.PARTY_GROUP:
        parent = Organization.objects.get(path=org.path[: -Organization.steplen])
        return f"{parent.name}{org.name}"
    return org.name


class _Builder:
    def __init__(self, today: dt.date, password: str) -> None:
        self.rng = random.Random(SEED)  # noqa: S311 - demo data, not secrets
        self.today = today
        self.now = timezone.now()
        # One hash for every demo account (same password; Argon2 takes ~0.5 s a hash).
        self.password = make_password(password)
        self.surnames = SurnamePicker()
        self.ethnicities = Weighted(ETHNICITIES)
        self.ids = IdNumbers(HAN_AREAS)
        # The academic year that started in the last September (new students on 10 September).
        self.year = today.year if (today.month, today.day) >= (9, 10) else today.year - 1
        self.specs: dict[str, OrgSpec] = {}
        self.plans: list[BranchPlan] = []
        self.terms: dict[str, CommitteeTerm] = {}
        self.posts: list[Post] = []
        self.sanctions: list[Sanction] = []
        self.transfers: list[Transfer] = []
        self.counts: dict[str, int] = {}
        self.admin: User | None = None
        self.letters = 0

    def _letter(self, issued: dt.date) -> str:
        """An introduction letter number; the D keeps them apart from the service's numbers."""
        self.letters += 1
        return f"{issued:%Y}-D{self.letters:05d}"

    # --- the whole build ---------------------------------------------------------------

    def build(self) -> None:
        self.admin = self._admin()
        root = self._plan()
        for plan in self.plans:
            self._people(plan)
        self._tricky_surnames()
        for plan in self.plans:
            self._groups(plan)
        self._save_orgs(root)
        self._save_people()
        self._terms_and_posts(root)
        self._sanctions()
        self._transfers()
        self._save_rest()
        self._users()
        from dangwu.core.demo_dues import build_demo_dues  # dues builds on the people above

        self.counts.update(build_demo_dues(admin=self.admin, today=self.today))
        # Organizational life needs the people and posts; the group workspace sums it up.
        from dangwu.core.demo_groupwork import build_demo_groupwork
        from dangwu.core.demo_meetings import build_demo_meetings

        self.counts.update(build_demo_meetings(admin=self.admin, today=self.today))
        self.counts.update(build_demo_groupwork(admin=self.admin, today=self.today))
        from dangwu.core.demo_development import build_demo_development  # people on the way in

        development = build_demo_development(admin=self.admin, today=self.today)
        self.counts.update(development)
        self.counts["person"] = self.counts.get("person", 0) + development["person_development"]
        # The reminders the daily job would have left this morning (the inbox is not empty).
        from dangwu.notifications.services import reminders_run

        self.counts["notification"] = reminders_run(today=self.today)["created"]

    def _history(self, model, objs) -> None:
        model.history.bulk_history_create(
            objs, default_user=self.admin, default_change_reason=REASON, default_date=self.now
        )

    def _bulk(self, model, objs) -> list:
        saved = model.objects.bulk_create(objs, batch_size=2000)
        self._history(model, saved)
        self.counts[model._meta.model_name] = self.counts.get(model._meta.model_name, 0) + len(
            saved
        )
        return saved

    def _admin(self) -> User:
        admin = User.objects.filter(username="admin").first()
        if admin is None:
            admin = User(
                username="admin", first_name="系统管理员", is_staff=True, is_superuser=True
            )
            admin.password = self.password
            admin._change_reason = REASON
            admin.save()
        return admin

    # --- the plan: organizations and who is in them -------------------------------------

    def _plan(self) -> OrgSpec:
        root = self._spec(
            None,
            ROOT_CODE,
            ROOT_NAME,
            OrgKind.BASIC_COMMITTEE,
            Category.UNIVERSITY_STAFF,
            approval=True,
            founded=dt.date(1958, 9, 1),
        )
        for code, college, majors, departments, third in COLLEGES:
            general = self._spec(
                root,
                f"{ROOT_CODE}-{code}",
                f"{college}党总支",
                OrgKind.GENERAL_BRANCH,
                Category.UNIVERSITY_STAFF,
            )
            for n in (1, 2, 3) if third else (1, 2):
                self._branch(
                    general,
                    f"BK{n}",
                    f"{college}本科生第{'一二三'[n - 1]}党支部",
                    "undergrad",
                    college=college,
                    majors=majors,
                )
            self._branch(
                general, "YJS", f"{college}研究生党支部", "grad", college=college, majors=majors
            )
            self._branch(
                general,
                "JZG",
                f"{college}教工党支部",
                "faculty",
                college=college,
                units=tuple(f"{college}{d}" for d in departments),
            )
        jsj = self.specs[f"{ROOT_CODE}-JSJ"]
        self._branch(
            jsj,
            "LS",
            f"{self.year}级研究生新生临时党支部",
            "temporary",
            college="计算机学院",
            majors=COLLEGES[0][2],
            formation=Formation.TEMPORARY,
            founded=dt.date(self.year, 9, 10),
            term="new",
            group_names=("第一临时党小组", "第二临时党小组"),
            groups=2,
        )
        self._branch(
            root,
            "JG1",
            "机关第一党支部",
            "office",
            category=Category.GOVERNMENT,
            units=("党委办公室", "党委组织部", "党委宣传部", "纪委办公室"),
        )
        self._branch(
            root,
            "JG2",
            "机关第二党支部",
            "office",
            category=Category.GOVERNMENT,
            units=("教务处", "学生工作处", "人事处", "财务处"),
        )
        self._branch(root, "LTX", "离退休党支部", "retiree", units=("离退休工作处",))
        self._branch(
            root,
            "HQLH",
            "后勤保障联合党支部",
            "joint",
            formation=Formation.JOINT,
            units=("后勤管理处", "校医院", "图书馆"),
            groups=2,
            group_names=("后勤党小组", "校医院与图书馆党小组"),
        )
        self._design()
        return root

    def _spec(
        self,
        parent,
        code,
        name,
        kind,
        category=Category.OTHER,
        *,
        approval=False,
        formation=Formation.STANDARD,
        founded=None,
    ) -> OrgSpec:
        spec = OrgSpec(
            code=code,
            name=name,
            kind=kind,
            category=category,
            formation=formation,
            founded_on=founded,
            approval_authority=approval,
        )
        if parent is not None:
            parent.add(spec)
        self.specs[code] = spec
        return spec

    def _branch(
        self,
        parent,
        suffix,
        name,
        profile,
        *,
        category=None,
        formation=None,
        founded=None,
        term="ok",
        **plan,
    ) -> BranchPlan:
        if category is None:
            staff = profile in ("faculty", "counselor")
            student = profile in ("undergrad", "grad", "temporary")
            category = (
                Category.UNIVERSITY_STUDENT
                if student
                else Category.UNIVERSITY_STAFF
                if staff
                else Category.OTHER
            )
        spec = self._spec(
            parent,
            f"{parent.code}-{suffix}",
            name,
            OrgKind.BRANCH,
            category,
            formation=formation or Formation.STANDARD,
            founded=founded,
        )
        mix = MIXES[profile]
        if term == "ok" and profile not in ("temporary", "joint", "retiree"):
            # Vary the sizes a little; the designed branches get exact sizes in _design.
            mix = {s: max(0, n + self.rng.randint(-2, 2)) for s, n in mix.items()}
        branch = BranchPlan(spec=spec, profile=profile, mix=dict(mix), term=term, **plan)
        self.plans.append(branch)
        return branch

    def _design(self) -> None:
        """The deliberate violations and the special people (see DESIGNED_FINDINGS)."""
        plan = {p.spec.code: p for p in self.plans}
        plan["HBLG-WY-YJS"].mix = {A: 4, C: 3, P: 2, F: 2}
        plan["HBLG-JSJ-JZG"].mix = {A: 2, C: 2, P: 4, F: 52}
        plan["HBLG-JX-JZG"].term = "expired"
        plan["HBLG-JJ-JZG"].term = "ending"
        plan["HBLG-HG-JZG"].groups = 0
        for code in ("HBLG-DQ-YJS", "HBLG-TM-JZG", "HBLG-HG-JZG", "HBLG-JX-JZG", "HBLG-JJ-JZG"):
            plan[code].mix = dict(MIXES[plan[code].profile])
        plan["HBLG-YJ-JZG"].extras.append((Status.SUSPENDED, "", ""))
        plan["HBLG-LX-JZG"].extras.append((Status.SUSPENDED, "", ""))
        plan["HBLG-CL-JZG"].extras.append((Status.LEFT, LeaveKind.SELF_WITHDRAWAL, ""))
        plan["HBLG-RW-JZG"].extras.append((Status.LEFT, LeaveKind.WITHDREW, ""))
        plan["HBLG-JG2"].extras.append((Status.LEFT, LeaveKind.EXPELLED, "expelled"))
        plan["HBLG-MY-JZG"].extras.append((Status.DECEASED, "", ""))
        plan["HBLG-DQ-BK1"].extras.append((Status.PROBATION_CANCELLED, "", ""))
        plan["HBLG-LX-YJS"].extras.append((Status.FULL, "", "moved_out"))
        plan["HBLG-RW-JZG"].extras.append((Status.FULL, "", "moved_in"))

    # --- people -----------------------------------------------------------------------

    def _people(self, plan: BranchPlan) -> None:
        for status, count in plan.mix.items():
            for _ in range(count):
                self._person(plan, status)
        for status, leave_kind, flag in plan.extras:
            self._person(plan, status, leave_kind=leave_kind, flag=flag)
        if plan.profile == "undergrad":
            self._person(plan, Status.FULL, kind="counselor", flag="counselor")

    def _person(self, plan, status, *, kind=None, leave_kind="", flag="") -> Draft:
        rng, today, day = self.rng, self.today, dt.timedelta
        kind = kind or plan.profile
        profile = PROFILES[kind]
        sex = "male" if rng.random() < (0.5 if profile.recent else 0.56) else "female"
        low = max(profile.ages[0], min_age(status, recent=profile.recent))
        birth = birth_date_for(rng, today, low, profile.ages[1])
        start, previous = self._relationship(plan, kind, birth, sex, flag)
        exit_on = None
        if status in (Status.SUSPENDED, Status.LEFT, Status.DECEASED):
            first = max(start, add_years(birth, 24), today - day(3 * 365)) + day(30)
            exit_on = first + day(rng.randint(0, max(0, (today - first).days - 10)))
        c = career(
            rng, status, birth, today, recent=profile.recent, leave_kind=leave_kind, exit_on=exit_on
        )
        ethnicity = self.ethnicities.draw(rng)
        surname, name = self._name(ethnicity, sex)
        areas = MINORITY_AREAS.get(ethnicity, HAN_AREAS)
        admitted = c.admission_date is not None
        draft = Draft(
            plan=plan,
            kind=kind,
            career=c,
            start=start,
            surname=surname,
            previous=previous,
            flags={flag} if flag else set(),
            fields=dict(  # noqa: C408 - the Person fields, as keywords
                name=name,
                sex=sex,
                ethnicity=ethnicity,
                birth_date=birth,
                id_number=self.ids.next(birth, sex, area=rng.choice(areas)),
                phone=mobile(rng) if rng.random() < 0.95 else "",
                education=rng.choice(profile.education),
                occupation=self._occupation(plan, kind),
                dues_category=profile.dues if admitted else "",
                work_unit=self._work_unit(plan, kind, birth),
                league_member=profile.recent and rng.random() < 0.9,
                status=c.status,
                status_since=c.status_since,
                applied_on=c.applied_on,
                admission_date=c.admission_date,
                full_since=c.full_since,
                is_active=c.status not in (Status.LEFT, Status.DECEASED),
            ),
        )
        if not draft.active:
            draft.end, draft.note = c.status_since, str(Status(c.status).label)
        if flag == "moved_out":  # graduated last July, relationship transferred out
            draft.end = dt.date(self.year, 7, 5)
            draft.fields["is_active"] = False
            draft.letter = self._letter(draft.end - day(7))
            draft.note = f"转出系统（{draft.letter}）"
        elif flag == "moved_in":  # transferred from an office branch, with a letter
            draft.letter = self._letter(start - day(7))
            draft.note = f"转入（{draft.letter}）"
            branch, since, until, _ = previous[0]
            draft.previous = [(branch, since, until, f"转出（{draft.letter}）")]
        plan.drafts.append(draft)
        return draft

    def _relationship(self, plan, kind, birth, sex, flag):
        """When the person joined the branch, and any earlier relationships in the demo."""
        rng, day, today = self.rng, dt.timedelta, self.today
        age = (today - birth).days // 365
        if flag == "moved_out":
            return dt.date(self.year - 3, 9, 1), []
        if kind == "temporary":
            return dt.date(self.year, 9, 10), []
        if kind == "undergrad":
            return dt.date(self.year - min(3, max(0, age - 18)), 9, 1), []
        if kind == "grad":
            return dt.date(self.year - min(2, max(0, age - 22)), 9, 1), []
        hired = min(add_years(birth, rng.randint(24, 30)), today - day(60))
        if kind == "retiree":
            retired = min(add_years(birth, 60 if sex == "male" else 55), today - day(30))
            colleges = [s for c, s in self.specs.items() if c.endswith("-JZG")]
            return retired, [(rng.choice(colleges), hired, retired, "退休，转入离退休党支部")]
        if flag == "moved_in":
            moved = today - day(rng.randint(300, 500))
            hired = min(hired, moved - day(400))
            return moved, [(self.specs["HBLG-JG2"], hired, moved, "")]
        return hired, []

    def _name(self, ethnicity: str, sex: str) -> tuple[str, str]:
        own = OWN_NAMES.get((ethnicity, sex))
        if own:
            return "", self.rng.choice(own)
        surname = self.surnames.draw(self.rng)
        return surname, surname + given_name(self.rng, sex)

    def _occupation(self, plan, kind) -> str:
        if kind == "joint":
            return "professional" if self.rng.random() < 0.5 else "worker"
        return PROFILES[kind].occupation

    def _work_unit(self, plan: BranchPlan, kind: str, birth: dt.date) -> str:
        rng = self.rng
        age = (self.today - birth).days // 365
        if kind == "undergrad":
            grade = self.year - min(3, max(0, age - 18))
            return f"{rng.choice(plan.majors)}{grade}级{rng.randint(1, 4)}班"
        if kind in ("grad", "temporary"):
            grade = self.year if kind == "temporary" else self.year - min(2, max(0, age - 22))
            return f"{rng.choice(plan.majors)}专业{grade}级硕士研究生"
        if kind == "counselor":
            return f"{plan.college}学生工作办公室"
        return rng.choice(plan.units)

    def _tricky_surnames(self) -> None:
        """Make sure the surnames that pinyin gets wrong are there, each at least twice."""
        han = [d for p in self.plans for d in p.drafts if d.surname and not d.flags]
        for surname in TRICKY_SURNAMES:
            for draft in self.rng.sample(han, 2):
                given = draft.fields["name"][len(draft.surname) :]
                draft.surname, draft.fields["name"] = surname, surname + given
                han.remove(draft)

    def _groups(self, plan: BranchPlan) -> None:
        members = [d for d in plan.drafts if d.active and d.status in (P, F)]
        count = plan.groups
        if count is None:
            count = 0 if len(members) < 20 else max(2, min(4, len(members) // 12))
        names = plan.group_names or ("第一党小组", "第二党小组", "第三党小组", "第四党小组")
        groups = [
            plan.spec.add(
                OrgSpec(
                    code=f"{plan.spec.code}-X{n + 1}",
                    name=names[n],
                    kind=OrgKind.PARTY_GROUP,
                    category=plan.spec.category,
                    formation=plan.spec.formation,
                )
            )
            for n in range(count)
        ]
        if not groups:
            return
        full = [d for d in members if d.status == F]
        probationary = [d for d in members if d.status == P]
        self.rng.shuffle(full)
        self.rng.shuffle(probationary)
        for index, draft in enumerate(full + probationary):
            draft.group = groups[index % len(groups)]

    # --- saving ------------------------------------------------------------------------

    def _save_orgs(self, root: OrgSpec) -> None:
        nodes = place(root, next_root_position())
        self._bulk(Organization, org_instances(nodes))

    def _save_people(self) -> None:
        drafts = [d for p in self.plans for d in p.drafts]
        for d in drafts:
            d.person = Person(**d.fields, branch=d.plan.spec.obj, group=d.group and d.group.obj)
            set_name_keys(d.person)
        self._bulk(Person, [d.person for d in drafts])
        changes, memberships = [], []
        for d in drafts:
            for status, on, reason, leave_kind in d.career.changes:
                changes.append(
                    StatusChange(
                        person=d.person,
                        status=status,
                        effective_on=on,
                        reason=reason,
                        leave_kind=leave_kind,
                        recorded_by=self.admin,
                    )
                )
            for spec, start, end, note in d.previous:
                memberships.append(
                    Membership(
                        person=d.person, branch=spec.obj, started_on=start, ended_on=end, note=note
                    )
                )
            memberships.append(
                Membership(
                    person=d.person,
                    branch=d.plan.spec.obj,
                    group=d.group and d.group.obj,
                    started_on=d.start,
                    ended_on=d.end,
                    note=d.note,
                )
            )
        self._bulk(StatusChange, changes)
        self._bulk(Membership, memberships)

    # --- committee terms and posts ------------------------------------------------------

    def _term(self, spec: OrgSpec, how: str) -> CommitteeTerm:
        rng, today, day = self.rng, self.today, dt.timedelta
        years = standard_term_years(spec.kind, spec.category)
        if how == "expired":
            elected = add_years(today, -years) - day(90)
        elif how == "ending":
            elected = add_years(today, -years) + day(100)
        elif how == "new":
            elected = min(dt.date(self.year, 9, 20), today)
        elif spec.kind == OrgKind.BASIC_COMMITTEE:
            elected = add_years(today, -2) - day(80)
        else:
            elected = today - day(rng.randint(30, 850))
        terms = []
        if how != "new":
            before = add_years(elected, -years)
            terms.append(
                CommitteeTerm(
                    organization=spec.obj,
                    number=1,
                    elected_on=before,
                    ends_on=add_years(before, years),
                    closed_on=elected,
                )
            )
        current = CommitteeTerm(
            organization=spec.obj,
            number=len(terms) + 1,
            elected_on=elected,
            ends_on=add_years(elected, years),
        )
        self.terms[spec.code] = current
        return [*terms, current]

    def _terms_and_posts(self, root: OrgSpec) -> None:
        terms = self._term(root, "ok")
        for plan in self.plans:
            terms += self._term(plan.spec, plan.term)
        for spec in root.children:
            if spec.kind == OrgKind.GENERAL_BRANCH:
                terms += self._term(spec, "ok")
        self._bulk(CommitteeTerm, terms)
        for plan in self.plans:
            self._branch_posts(plan)
        for spec in root.children:
            if spec.kind == OrgKind.GENERAL_BRANCH:
                faculty = next(p for p in self.plans if p.spec.code == f"{spec.code}-JZG")
                self._committee(
                    spec,
                    faculty.drafts,
                    (PK.SECRETARY, PK.DEPUTY_SECRETARY, PK.ORGANIZATION_MEMBER),
                )
        office = [d for p in self.plans if p.profile == "office" for d in p.drafts]
        faculty = [d for p in self.plans if p.profile == "faculty" for d in p.drafts]
        self._committee(
            root,
            office,
            (
                PK.SECRETARY,
                PK.DEPUTY_SECRETARY,
                PK.DEPUTY_SECRETARY,
                PK.ORGANIZATION_MEMBER,
                PK.PROPAGANDA_MEMBER,
                PK.DISCIPLINE_MEMBER,
            ),
        )
        self._committee(root, faculty, (PK.COMMITTEE_MEMBER,) * 3)
        self._bulk(Post, self.posts)

    def _eligible(self, drafts, on: dt.date, *, exclude_posts=True) -> list[Draft]:
        """Active full members, those who already were on ``on`` first."""
        found = [
            d
            for d in drafts
            if d.active
            and d.status == F
            and not d.flags - {"counselor"}
            and not (exclude_posts and d.posts)
        ]
        self.rng.shuffle(found)
        return sorted(found, key=lambda d: max(d.available_from(), on))

    def _appoint(self, spec, draft, kind, term, *, chosen_by=ChosenBy.ELECTED, reason=""):
        """A post from the election (or from the day the person became eligible) to the end of
        the committee's term; a group leader's term is the branch committee's (GRP-TERM)."""
        started = max(term.elected_on, draft.available_from())
        if started >= term.ends_on:
            raise RuntimeError(f"演示数据：{spec.name}没有可任职的人选。")
        draft.posts.append(kind)
        committee = spec.kind != OrgKind.PARTY_GROUP
        self.posts.append(
            Post(
                organization=spec.obj,
                person=draft.person,
                kind=kind,
                term=term if committee else None,
                started_on=started,
                ends_on=term.ends_on,
                chosen_by=chosen_by,
                designation_reason=reason,
                created_by=self.admin,
            )
        )

    def _committee(self, spec, drafts, kinds) -> None:
        term = self.terms[spec.code]
        people = self._eligible(drafts, term.elected_on)
        for kind, draft in zip(kinds, people, strict=False):
            self._appoint(spec, draft, kind, term)

    def _branch_posts(self, plan: BranchPlan) -> None:
        spec, drafts = plan.spec, plan.drafts
        full = [d for d in drafts if d.active and d.status == F]
        counselor = [d for d in drafts if "counselor" in d.flags]
        if len(full) >= 7:  # ORG-COMMITTEE: a committee of 3 to 5
            kinds = (PK.SECRETARY, PK.ORGANIZATION_MEMBER, PK.PROPAGANDA_MEMBER)
            if plan.profile not in ("undergrad", "joint"):
                kinds += (PK.DEPUTY_SECRETARY, PK.DISCIPLINE_MEMBER)
        else:
            kinds = (PK.SECRETARY,)
        if counselor:
            self._appoint(spec, counselor[0], PK.SECRETARY, self.terms[spec.code])
            kinds = kinds[1:]
        self._committee(spec, drafts, kinds)
        for group in spec.children:
            self._group_posts(plan, group)

    def _group_posts(self, plan: BranchPlan, group: OrgSpec) -> None:
        code, rng = plan.spec.code, self.rng
        members = [d for d in plan.drafts if d.group is group]
        term = self.terms[code]
        how = {"chosen_by": ChosenBy.ELECTED}
        if plan.profile == "temporary":
            how = {"chosen_by": ChosenBy.DESIGNATED, "reason": DesignationReason.TEMPORARY_GROUP}
        elif plan.profile == "joint" and group is plan.spec.children[0]:
            how = {"chosen_by": ChosenBy.DESIGNATED, "reason": DesignationReason.JOINT_GROUP}
        elif rng.random() < 0.25:
            how = {"chosen_by": ChosenBy.RECOMMENDED}
        first = group is plan.spec.children[0]
        if code == "HBLG-DQ-YJS" and first:
            # GRP-LEADER-ELIG: an old record of a probationary leader, which the service refuses.
            leader = next(d for d in members if d.status == P)
            self._appoint(group, leader, PK.GROUP_LEADER, term)
        else:
            leader = (
                self._eligible(members, term.elected_on)
                or self._eligible(members, term.elected_on, exclude_posts=False)
            )[0]
            self._appoint(group, leader, PK.GROUP_LEADER, term, **how)
        deputies = 0
        if code == "HBLG-TM-JZG" and first:
            deputies = 2  # GRP-DEPUTY: two deputies, inserted as an old record
        elif len(members) >= 10 and rng.random() < 0.5:
            deputies = 1
        for draft in self._eligible(members, term.elected_on)[:deputies]:
            self._appoint(group, draft, PK.DEPUTY_GROUP_LEADER, term)

    # --- sanctions, transfers, users --------------------------------------------------

    def _pick(self, code: str, before: dt.date) -> Draft:
        plan = next(p for p in self.plans if p.spec.code == code)
        found = [d for d in self._eligible(plan.drafts, before) if d.career.full_since < before]
        draft = found[0]
        draft.flags.add("picked")
        return draft

    def _sanctions(self) -> None:
        day = dt.timedelta
        cases = (
            (
                "HBLG-YJ-JZG",
                SanctionKind.WARNING,
                add_years(self.today, -3) - day(20),
                0,
                "违反中央八项规定精神，公款吃喝",
            ),
            (
                "HBLG-LX-JZG",
                SanctionKind.SERIOUS_WARNING,
                self.today - day(300),
                0,
                "违规收受礼品礼金",
            ),
            (
                "HBLG-CL-JZG",
                SanctionKind.PROBATION_WITHIN_PARTY,
                self.today - day(120),
                1,
                "违反工作纪律，造成不良影响",
            ),
        )
        for n, (code, kind, decided, years, why) in enumerate(cases, start=1):
            draft = self._pick(code, decided)
            self.sanctions.append(self._sanction(draft, kind, decided, years, why, n))
        expelled = next(d for p in self.plans for d in p.drafts if "expelled" in d.flags)
        self.sanctions.append(
            self._sanction(
                expelled,
                SanctionKind.EXPULSION,
                expelled.career.status_since,
                0,
                "严重违纪，拒不改正",
                9,
            )
        )

    def _sanction(self, draft, kind, decided, years, why, n) -> Sanction:
        return Sanction(
            person=draft.person,
            kind=kind,
            decided_on=decided,
            probation_years=years,
            document=f"华理纪〔{decided.year}〕{n}号",
            reason=why,
            recorded_by=self.admin,
        )

    def _transfers(self) -> None:
        day, today = dt.timedelta, self.today
        moving = self._pick("HBLG-JX-YJS", today)
        issued = today - day(6)
        self.transfers.append(
            Transfer(
                person=moving.person,
                kind=TransferKind.INTERNAL,
                from_branch=moving.plan.spec.obj,
                to_branch=self.specs["HBLG-JSJ-YJS"].obj,
                letter_number=self._letter(issued),
                issued_on=issued,
                valid_days=30,
                reason="考取本校计算机学院博士研究生",
                created_by=self.admin,
            )
        )
        leaving = self._pick("HBLG-TM-YJS", today)
        issued = today - day(12)
        self.transfers.append(
            Transfer(
                person=leaving.person,
                kind=TransferKind.OUTWARD,
                from_branch=leaving.plan.spec.obj,
                external_org="中共中铁十八局集团有限公司委员会",
                letter_number=self._letter(issued),
                issued_on=issued,
                valid_days=60,
                reason="毕业就业",
                created_by=self.admin,
            )
        )
        for draft in (d for p in self.plans for d in p.drafts if d.letter):
            outward = "moved_out" in draft.flags
            received = draft.end if outward else draft.start
            source = draft.plan.spec if outward else draft.previous[0][0]
            self.transfers.append(
                Transfer(
                    person=draft.person,
                    kind=TransferKind.OUTWARD if outward else TransferKind.INTERNAL,
                    status=TransferStatus.RECEIVED,
                    from_branch=source.obj,
                    to_branch=None if outward else draft.plan.spec.obj,
                    external_org="中共北京市海淀区委组织部" if outward else "",
                    letter_number=draft.letter,
                    issued_on=received - day(7),
                    valid_days=30,
                    received_on=received,
                    reason="毕业，转往工作单位" if outward else "工作调动",
                    created_by=self.admin,
                    received_by=self.admin,
                )
            )

    def _save_rest(self) -> None:
        self._bulk(Sanction, self.sanctions)
        self._bulk(Transfer, self.transfers)

    def _users(self) -> None:
        def find(code, test) -> Draft:
            plan = next(p for p in self.plans if p.spec.code == code)
            plain = [d for d in plan.drafts if d.active and d.status == F and not d.posts]
            return next((d for d in plan.drafts if test(d)), plain[0])

        jsj_group = self.specs["HBLG-JSJ-JZG"].children[0]
        college = self.specs["HBLG-JSJ"]
        secretary = next(
            p.person for p in self.posts if p.organization == college.obj and p.kind == PK.SECRETARY
        )
        leader = next(
            p.person
            for p in self.posts
            if p.organization == jsj_group.obj and p.kind == PK.GROUP_LEADER
        )
        worker = find(
            "HBLG-JG1",
            lambda d: (
                d.active and d.status == F and not d.posts and d.fields["work_unit"] == "党委组织部"
            ),
        )
        counselor = find("HBLG-JSJ-BK1", lambda d: "counselor" in d.flags)
        member = find(
            "HBLG-JSJ-JZG",
            lambda d: d.group is jsj_group and d.status == F and not d.posts and not d.flags,
        )
        spec = self.specs
        accounts = (
            ("dangwei", worker.person, spec[ROOT_CODE], RoleKind.PARTY_WORKER),
            ("zongzhi", secretary, college, RoleKind.SECRETARY),
            ("zhibu", counselor.person, spec["HBLG-JSJ-BK1"], RoleKind.PARTY_WORKER),
            ("xiaozu", leader, jsj_group, RoleKind.GROUP_LEADER),
            ("dangyuan", member.person, None, None),
        )
        roles = []
        for username, person, org, kind in accounts:
            if User.objects.filter(username=username).exists():
                continue
            user = User(username=username, first_name=person.name, person=person)
            user.password = self.password
            user._history_user, user._change_reason = self.admin, REASON
            user.save()
            if org is not None:
                roles.append(Role(user=user, organization=org.obj, kind=kind))
        self._bulk(Role, roles)
