"""The scale generator and the primitives it shares with the demo."""

import datetime as dt
import io
import random
from collections import Counter, defaultdict

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from dangwu.core.dates import add_months, add_years
from dangwu.core.generate import (
    SURNAMES,
    IdNumbers,
    NameTable,
    birth_date_for,
    career,
    compose_keys,
    generate,
    min_age,
    name_keys,
    path_step,
)
from dangwu.core.idcard import check_consistency, check_id_number
from dangwu.members.models import Membership, Person, StatusChange
from dangwu.members.rules import age_on
from dangwu.orgs.models import Organization

TODAY = dt.date(2026, 11, 22)
PATH = ["applicant", "activist", "candidate", "probationary", "full"]


# --- primitives (no database) -------------------------------------------------------


def test_composed_name_keys_equal_the_real_ones():
    # Given every surname with a sample of given names
    table = NameTable(seed=7)
    given = table.given["male"][:15] + table.given["female"][:15] + ["单", "曾", "长江", "乐"]
    for surname, _ in SURNAMES:
        for name in given:
            # Then the keys put together from the parts are the keys of the whole name
            composed = compose_keys(table._part(surname, True), table._part(name, False))
            assert composed == name_keys(surname + name), surname + name


def test_id_numbers_are_unique_valid_and_carry_the_sex():
    ids = IdNumbers(["130203", "110105"])
    birth = dt.date(2001, 2, 28)
    numbers = [ids.next(birth, "male") for _ in range(600)]
    numbers += [ids.next(birth, "female", area="130203") for _ in range(400)]
    assert len(set(numbers)) == 1000
    for n, number in enumerate(numbers):
        sex = "male" if n < 600 else "female"
        assert check_id_number(number, today=TODAY).valid, number
        assert check_consistency(number, birth_date=birth, sex=sex) == []
    assert {n[:6] for n in numbers[:600]} == {"130203", "110105"}


def test_too_many_people_on_one_day_in_one_area_is_refused():
    ids = IdNumbers(["130203"])
    for _ in range(499):
        ids.next(dt.date(2000, 1, 1), "female", area="130203")
    with pytest.raises(ValueError, match="too many people"):
        ids.next(dt.date(2000, 1, 1), "female", area="130203")


def test_path_steps_are_treebeard_base36():
    assert [path_step(1), path_step(36), path_step(1295)] == ["0001", "0010", "00ZZ"]
    with pytest.raises(ValueError):
        path_step(36**4)


@pytest.mark.parametrize("status", PATH + ["suspended", "left", "deceased", "probation_cancelled"])
@pytest.mark.parametrize("recent", [True, False])
def test_careers_keep_the_development_rules(status, recent):
    rng = random.Random(status)
    for _ in range(200):
        birth = birth_date_for(rng, TODAY, min_age(status, recent=recent), 60)
        c = career(rng, status, birth, TODAY, recent=recent, leave_kind="withdrew")
        on = {s: d for s, d, _, _ in c.changes}
        assert c.status == status
        assert [s for s, *_ in c.changes if s in PATH] == PATH[: len(on) - (status not in PATH)]
        assert [d for _, d, _, _ in c.changes] == sorted(d for _, d, _, _ in c.changes)
        assert c.changes[-1][1] < TODAY
        assert c.applied_on >= add_years(birth, 18)  # DEV-AGE
        if "activist" in on:
            assert on["activist"] >= add_months(on["applicant"], 6)  # DEV-APP-ACT
        if "candidate" in on:
            assert on["candidate"] >= add_years(on["activist"], 1)  # DEV-CULT-1Y
        if "full" in on:
            assert on["full"] == add_years(c.admission_date, 1)  # DEV-PROBATION
        if status == "probationary":
            assert add_years(c.admission_date, 1) > TODAY  # still on probation
        if status == "left":
            assert c.changes[-1][3] == "withdrew"


# --- the generator ------------------------------------------------------------------


def _check_people(root):
    people = list(Person.objects.filter(branch__path__startswith=root.path))
    branches = dict(Organization.objects.filter(kind="branch").values_list("pk", "path"))
    groups = dict(Organization.objects.filter(kind="party_group").values_list("pk", "path"))
    changes = defaultdict(list)
    for c in StatusChange.objects.filter(person__in=people).order_by("effective_on", "id"):
        changes[c.person_id].append((c.status, c.effective_on))
    open_rows = Counter(
        Membership.objects.filter(person__in=people, ended_on__isnull=True).values_list(
            "person_id", flat=True
        )
    )
    for p in people:
        assert branches[p.branch_id].startswith(root.path)
        if p.group_id is not None:
            assert groups[p.group_id].startswith(branches[p.branch_id])
            assert p.status in ("probationary", "full")
        assert changes[p.pk][-1] == (p.status, p.status_since)
        assert open_rows[p.pk] == (1 if p.is_active else 0)
        assert check_id_number(p.id_number, today=TODAY).valid
        assert check_consistency(p.id_number, birth_date=p.birth_date, sex=p.sex) == []
        assert (p.pinyin, p.initials, p.sort_key) == name_keys(p.name)
    return people


def test_generate_builds_a_consistent_tree_with_n_people(db):
    # When 500 people are generated
    result = generate(members=500, seed=5, today=TODAY)
    # Then 500 people in a sound tree: root → committee → general branch → 13 branches
    root = Organization.objects.get(code=result.root_code)
    assert (result.members, result.memberships) == (500, 500)
    assert Organization.objects.find_problems() == ([], [], [], [], [])
    kinds = Counter(
        Organization.objects.filter(path__startswith=root.path).values_list("kind", flat=True)
    )
    assert kinds == {"basic_committee": 2, "general_branch": 2, "branch": 13, "party_group": 26}
    people = _check_people(root)
    assert len(people) == 500
    assert StatusChange.objects.filter(person__in=people).count() == result.status_changes
    sizes = Counter(p.branch_id for p in people)
    assert set(sizes.values()) == {38, 39}


def test_generate_twice_makes_a_second_root_and_new_ids(db):
    first = generate(members=60, seed=1, today=TODAY)
    second = generate(members=60, seed=1, today=TODAY)
    assert first.root_code != second.root_code
    assert Person.objects.count() == 120
    assert Organization.objects.find_problems() == ([], [], [], [], [])
    # A person added afterwards gets a fresh id (the sequence moved past the loaded block).
    branch = Person.objects.first().branch
    person = Person.objects.create(
        name="王", sex="male", birth_date=dt.date(1990, 1, 1), status="full",
        status_since=dt.date(2020, 1, 1), branch=branch,
    )  # fmt: skip
    assert person.pk > max(Person.objects.exclude(pk=person.pk).values_list("pk", flat=True))


def test_students_are_young_and_everyone_is_an_adult(db):
    generate(members=400, seed=9, today=TODAY)
    for birth, occupation in Person.objects.values_list("birth_date", "occupation"):
        age = age_on(birth, TODAY)
        assert 18 <= age <= 90
        if occupation == "student":
            assert age <= 25


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only")
def test_rebuilding_indexes_puts_every_index_back(db):
    def indexes():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT indexdef FROM pg_indexes WHERE tablename LIKE 'members_%%' ORDER BY 1"
            )
            return cursor.fetchall()

    before = indexes()
    result = generate(members=200, seed=3, today=TODAY, rebuild_indexes=True)
    assert indexes() == before
    _check_people(Organization.objects.get(code=result.root_code))


def test_the_command_reports_what_it_made(db):
    out = io.StringIO()
    call_command("generate", members=80, seed=2, stdout=out)
    assert "已生成：人员 80 人" in out.getvalue()
    assert Person.objects.count() == 80


def test_the_command_refuses_a_bad_size(db):
    with pytest.raises(CommandError, match="参数有误"):
        call_command("generate", members=0, stdout=io.StringIO())
    assert Person.objects.count() == 0
