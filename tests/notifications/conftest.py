"""Reminder fixtures: the tree with people in their roles, and a day to run on.

On 2026-11-25 (``DAY``) nothing has been held this year, so the LIFE-* rules find, inside
the reminder windows (the last 7 days of a month; periods ended at most 45 days ago): the
theme days of October (overdue) and November (due on the 30th) of every branch, and the
group meetings of October and November of 第一党小组."""

import datetime as dt
from dataclasses import dataclass

import pytest

from tests import factories

DAY = dt.date(2026, 11, 25)


@dataclass
class People:
    worker: object  # party_worker on the branch
    leader: object  # group_leader on the group
    anc: object  # party_worker on the committee (above)
    sib: object  # party_worker on the sibling branch
    member: object  # a member of the branch with a login, no role
    person: object  # the member's person


@pytest.fixture
def people(tree):
    person = factories.person(tree.branch, name="王芳", group=tree.group, sex="female")
    return People(
        worker=factories.user_with_role("worker", tree.branch),
        leader=factories.user_with_role("leader", tree.group, kind="group_leader"),
        anc=factories.user_with_role("anc", tree.committee),
        sib=factories.user_with_role("sib", tree.sibling),
        member=factories.user_with_role("wangfang", None, person=person),
        person=person,
    )
