"""Group work fixtures: the group's leader (a group_leader role on the group, with the
person 王组长 in it), a second member 李明, and an activist 赵积极 in the group."""

import datetime as dt

import pytest

from tests import factories


@pytest.fixture
def leader_person(tree, admin_user):
    return factories.person(tree.branch, name="王组长", group=tree.group)


@pytest.fixture
def leader(tree, leader_person):
    return factories.user_with_role("leader", tree.group, "group_leader", person=leader_person)


@pytest.fixture
def secretary(tree):
    return factories.user_with_role("shuji", tree.branch, "secretary")


@pytest.fixture
def liming(tree, admin_user):
    return factories.person(tree.branch, name="李明", group=tree.group, status="probationary")


@pytest.fixture
def activist(tree, admin_user):
    return factories.person(
        tree.branch,
        name="赵积极",
        group=tree.group,
        status="activist",
        applied_on=dt.date(2025, 3, 1),
    )
