"""Shared fixtures: a small university tree and the five kinds of viewer of the permission matrix.

tree:  committee (basic committee)
       ├── college (general branch)
       │   ├── branch (branch) ── group (party group)
       │   └── sibling (branch)
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest

from dangwu.dues import services as dues_services
from tests import factories


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _holiday_schedules(request):
    """The holiday schedules the seed migration wrote (CAL-DATA), back in place for a
    transactional test: the flush after an earlier one empties every table."""
    marker = request.node.get_closest_marker("django_db")
    if marker is None or not marker.kwargs.get("transaction"):
        return
    request.getfixturevalue("transactional_db")
    import json
    from importlib import resources

    from dangwu.core.models import HolidaySchedule

    if HolidaySchedule.objects.exists():
        return
    text = resources.files("dangwu.core").joinpath("data/holidays.json").read_text("utf-8")
    HolidaySchedule.objects.bulk_create(
        HolidaySchedule(year=int(y), rest_days=s["rest"], makeup_workdays=s["makeup"])
        for y, s in json.loads(text)["years"].items()
    )


@pytest.fixture
def today() -> dt.date:
    return dt.date(2026, 11, 22)


@dataclass
class Tree:
    committee: object
    college: object
    branch: object
    group: object
    sibling: object


@pytest.fixture
def tree(db) -> Tree:
    committee = factories.org(None, "basic_committee", "某大学党委", approval_authority=True)
    college = factories.org(committee, "general_branch", "计算机学院党总支")
    branch = factories.org(college, "branch", "本科生第一党支部", category="university_student")
    group = factories.org(branch, "party_group", "第一党小组")
    sibling = factories.org(college, "branch", "教工党支部", category="university_staff")
    return Tree(committee, college, branch, group, sibling)


@pytest.fixture
def admin_user(db):
    return factories.superuser("admin")


@pytest.fixture
def viewers(tree):
    """The permission matrix: who is asking. ``None`` is the anonymous visitor."""
    member = factories.person(tree.sibling, name="李四")
    return {
        "anonymous": None,
        "no_role": factories.user_with_role("norole", None, person=member),
        "sibling": factories.user_with_role("sib", tree.sibling),
        "own_org": factories.user_with_role("own", tree.branch),
        "ancestor": factories.user_with_role("anc", tree.committee),
    }


@pytest.fixture
def worker(tree):
    return factories.user_with_role("worker", tree.branch)


@pytest.fixture
def member(tree, worker):
    """张三, a full member in the branch's first group, base 4567.00 → 45.67 a month from
    January 2026."""
    p = factories.person(tree.branch, name="张三", group=tree.group)
    dues_services.base_set(
        actor=worker,
        person=p,
        effective_month=dt.date(2026, 1, 1),
        category="employee",
        base=Decimal("4567.00"),
        today=dt.date(2026, 1, 5),
    )
    return p
