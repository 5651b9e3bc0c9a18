"""The demo organization: its shape, the consistency of every person's record, the designed
rule violations, and that ``dangwu demo`` builds once and then reuses what is there.

The demo is built once for the module inside a transaction that is rolled back at the end;
each test runs in its own savepoint inside it.
"""

import datetime as dt
import io
from collections import Counter, defaultdict

import pytest
from django.core.management import call_command
from django.db import transaction

from dangwu.accounts.models import Role, User
from dangwu.core.dates import add_months, add_years
from dangwu.core.demo import (
    DESIGNED_FINDINGS,
    REASON,
    ROOT_CODE,
    build_demo,
    demo_exists,
)
from dangwu.core.demo_development import DESIGNED as DEVELOPMENT_DESIGNED
from dangwu.core.findings import Severity
from dangwu.core.generate import TRICKY_SURNAMES
from dangwu.core.idcard import check_consistency, check_id_number
from dangwu.core.management.commands.demo import login_table
from dangwu.core.scope import scope_for
from dangwu.members.choices import Status
from dangwu.members.models import Membership, Person, Sanction, StatusChange, Transfer
from dangwu.members.rules import age_on
from dangwu.orgs.models import Organization, Post
from dangwu.orgs.selectors import organization_findings

TODAY = dt.date(2026, 11, 22)
PATH = ["applicant", "activist", "candidate", "probationary", "full"]


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        result = build_demo(today=TODAY)
        yield result
        transaction.set_rollback(True)


@pytest.fixture
def root(demo, db):
    return Organization.objects.get(code=ROOT_CODE)


def test_the_committee_has_twelve_colleges_and_about_2500_people(root):
    # Given the demo
    # Then a basic committee with approval authority, twelve general branches, 2,601 people
    assert (root.kind, root.approval_authority, root.depth) == ("basic_committee", True, 1)
    colleges = Organization.objects.filter(path__startswith=root.path, kind="general_branch")
    assert colleges.count() == 12
    assert "计算机学院党总支" in set(colleges.values_list("name", flat=True))
    people = Person.objects.filter(branch__path__startswith=root.path)
    assert people.count() == 2601 + 12  # 12 people on the way in (demo_development)
    assert Organization.objects.find_problems(root) == ([], [], [], [], [])


def test_there_are_joint_temporary_office_and_retiree_branches(root):
    branches = Organization.objects.filter(path__startswith=root.path, kind="branch")
    formations = Counter(branches.values_list("formation", flat=True))
    assert (formations["joint"], formations["temporary"]) == (1, 1)
    names = set(branches.values_list("name", flat=True))
    assert {
        "机关第一党支部",
        "离退休党支部",
        "后勤保障联合党支部",
        "2026级研究生新生临时党支部",
    } <= names
    assert branches.get(name="计算机学院教工党支部").category == "university_staff"
    assert branches.get(name="计算机学院本科生第一党支部").category == "university_student"


def test_people_are_in_every_status(root):
    statuses = set(Person.objects.values_list("status", flat=True))
    assert statuses == set(Status.values)
    inactive = Counter(Person.objects.filter(is_active=False).values_list("status", flat=True))
    # deceased retirees and one faculty member; two who left; one graduate transferred out
    assert inactive == {"deceased": 6, "left": 3, "full": 1}


def test_every_person_has_one_home_and_a_history_ending_in_their_status(root):
    memberships = defaultdict(list)
    for m in Membership.objects.order_by("started_on", "id"):
        memberships[m.person_id].append(m)
    changes = defaultdict(list)
    for c in StatusChange.objects.order_by("effective_on", "id"):
        changes[c.person_id].append(c)
    for p in Person.objects.all():
        open_rows = [m for m in memberships[p.pk] if m.ended_on is None]
        if p.is_active:
            assert [(m.branch_id, m.group_id) for m in open_rows] == [(p.branch_id, p.group_id)]
        else:
            assert open_rows == []
            assert memberships[p.pk][-1].ended_on is not None
        history = changes[p.pk]
        assert history[0].status == "applicant", p.name
        assert (history[-1].status, history[-1].effective_on) == (p.status, p.status_since)
        steps = [c.status for c in history if c.status in PATH]
        assert steps == PATH[: len(steps)], p.name
        dates = [c.effective_on for c in history]
        assert dates == sorted(dates)


def test_histories_keep_the_development_rules(root):
    dates = defaultdict(dict)
    for person_id, status, on in StatusChange.objects.values_list(
        "person_id", "status", "effective_on"
    ):
        dates[person_id][status] = on
    for p in Person.objects.all():
        on = dates[p.pk]
        assert on["applicant"] == p.applied_on >= add_years(p.birth_date, 18)  # DEV-AGE
        if "activist" in on:
            assert on["activist"] >= add_months(on["applicant"], 6)  # DEV-APP-ACT
        designed = DEVELOPMENT_DESIGNED.get(p.name, frozenset())  # historical violations
        if "candidate" in on and "DEV-CULT-1Y" not in designed:
            assert on["candidate"] >= add_years(on["activist"], 1)  # DEV-CULT-1Y
        if "probationary" in on:
            assert on["probationary"] == p.admission_date
        if "full" in on:
            assert on["full"] == p.full_since == add_years(p.admission_date, 1)  # DEV-PROBATION


def test_id_numbers_are_valid_unique_and_agree_with_birth_date_and_sex(root):
    people = list(Person.objects.values_list("id_number", "birth_date", "sex"))
    assert len({n for n, _, _ in people}) == len(people)
    for number, birth, sex in people:
        assert check_id_number(number, today=TODAY).valid, number
        assert check_consistency(number, birth_date=birth, sex=sex) == []


def test_ages_fit_students_and_retirees(root):
    students = Person.objects.filter(occupation="student")
    ages = [age_on(b, TODAY) for b in students.values_list("birth_date", flat=True)]
    assert (min(ages), max(ages)) == (18, 25)
    retirees = [
        age_on(b, TODAY)
        for b in Person.objects.filter(branch__name="离退休党支部").values_list(
            "birth_date", flat=True
        )
    ]
    assert min(retirees) >= 61


def test_names_include_the_tricky_surnames_and_minorities(root):
    names = list(Person.objects.values_list("name", "initials"))
    for surname in TRICKY_SURNAMES:
        assert sum(1 for n, _ in names if n.startswith(surname)) >= 2, surname
    # 单 reads shan as a surname, 区 ou, 曾 zeng
    assert {i[0] for n, i in names if n[0] == "单"} == {"s"}
    assert {i[0] for n, i in names if n[0] == "区"} == {"o"}
    assert {i[0] for n, i in names if n[0] == "曾"} == {"z"}
    ethnicities = Counter(Person.objects.values_list("ethnicity", flat=True))
    assert 0.85 < ethnicities["01"] / 2601 < 0.97
    assert len(ethnicities) >= 6


@pytest.mark.parametrize("code", sorted(DESIGNED_FINDINGS))
def test_designed_branches_break_exactly_their_rule(root, code):
    # Given a branch built to break a rule
    branch = Organization.objects.get(code=code)
    admin = User.objects.get(username="admin")
    # When its findings are computed
    findings = organization_findings(scope_for(admin), branch, on=TODAY)
    # Then exactly the designed codes appear
    assert {f.code for f in findings} == DESIGNED_FINDINGS[code]


def test_term_findings_are_an_error_and_a_warning(root):
    scope = scope_for(User.objects.get(username="admin"))
    expired = organization_findings(scope, Organization.objects.get(code="HBLG-JX-JZG"), on=TODAY)
    ending = organization_findings(scope, Organization.objects.get(code="HBLG-JJ-JZG"), on=TODAY)
    assert [f.severity for f in expired] == [Severity.ERROR]
    assert [f.severity for f in ending] == [Severity.WARNING]
    assert TODAY < ending[0].due <= add_months(TODAY, 6)


def test_every_other_branch_keeps_the_rules(root):
    scope = scope_for(User.objects.get(username="admin"))
    branches = Organization.objects.filter(path__startswith=root.path, kind="branch").exclude(
        code__in=DESIGNED_FINDINGS
    )
    found = {b.code: [f.code for f in organization_findings(scope, b, on=TODAY)] for b in branches}
    assert {code: codes for code, codes in found.items() if codes} == {}


def test_posts_groups_sanctions_and_transfers(root):
    leaders = Post.objects.filter(kind="group_leader", ended_on__isnull=True)
    assert set(leaders.values_list("chosen_by", flat=True)) == {
        "elected",
        "recommended",
        "designated",
    }
    designated = leaders.filter(chosen_by="designated")
    assert set(designated.values_list("designation_reason", flat=True)) == {
        "temporary_group",
        "joint_group",
    }
    assert Sanction.objects.count() == 5  # + the introducer under 留党察看 (demo_development)
    transfers = Counter(Transfer.objects.values_list("kind", "status"))
    assert transfers == {
        ("internal", "sent"): 1,
        ("outward", "sent"): 1,
        ("internal", "received"): 1,
        ("outward", "received"): 1,
    }


def test_every_row_has_its_creation_in_the_history(root):
    admin = User.objects.get(username="admin")
    created = Person.history.filter(
        history_type="+", history_user=admin, history_change_reason=REASON
    )
    assert created.count() == Person.objects.count()
    assert StatusChange.history.filter(history_type="+").count() == StatusChange.objects.count()
    assert Organization.history.filter(history_change_reason=REASON).count() == (
        Organization.objects.filter(path__startswith=root.path).count()
    )


def test_the_logins_have_their_roles_and_people(demo, db):
    logins = {row.username: (row.role, row.organization) for row in demo.logins}
    assert logins == {
        "admin": ("系统管理员", "全部"),
        "dangwei": ("党务工作者", "华北理工大学党委"),
        "zongzhi": ("书记", "计算机学院党总支"),
        "zhibu": ("党务工作者", "计算机学院本科生第一党支部"),
        "xiaozu": ("党小组长", "计算机学院教工党支部第一党小组"),
        "dangyuan": ("党员（无角色，只看本人）", "计算机学院教工党支部"),
    }
    leader = User.objects.get(username="xiaozu")
    role = Role.objects.get(user=leader)
    assert Post.objects.filter(
        organization=role.organization, person=leader.person, kind="group_leader"
    ).exists()
    secretary = User.objects.get(username="zongzhi")
    assert Post.objects.filter(
        person=secretary.person, kind="secretary", organization__code="HBLG-JSJ"
    ).exists()
    member = User.objects.get(username="dangyuan")
    assert (member.roles.count(), member.person.status) == (0, "full")
    assert member.has_usable_password()


def test_the_demo_command_reuses_what_is_there(root):
    # Given the demo is built
    before = [m.objects.count() for m in (Person, Organization, StatusChange, Post, User, Role)]
    out = io.StringIO()
    # When the command runs again
    call_command("demo", no_serve=True, stdout=out)
    # Then nothing is created and the logins are printed
    after = [m.objects.count() for m in (Person, Organization, StatusChange, Post, User, Role)]
    assert after == before
    text = out.getvalue()
    assert "演示数据已存在" in text
    assert "xiaozu    dangwu2026  党小组长" in text
    with pytest.raises(RuntimeError):
        build_demo(today=TODAY)
    assert demo_exists()


def test_login_table_aligns_chinese_columns():
    table = login_table([("admin", "pw", "系统管理员", "全部")])
    assert table.splitlines() == [
        "用户名  密码  角色        组织",
        "------  ----  ----------  ----",
        "admin   pw    系统管理员  全部",
    ]
