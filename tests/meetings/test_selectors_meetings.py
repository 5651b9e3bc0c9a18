"""Meeting selectors: who is expected (the shared contract), who may see a meeting, an
organization's list with counts, the detail figures and rate, and a member's own meetings."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from dangwu.core.errors import NotFound
from dangwu.core.scope import Perm, scope_for
from dangwu.meetings import selectors
from dangwu.members import services as member_services
from dangwu.orgs.models import Post
from tests import factories
from tests.meetings.test_services_meetings import make_people

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 22)


@pytest.fixture
def people(tree):
    return make_people(tree)


def names(people_list) -> list[str]:
    return [p.name for p in people_list]


# --- expected_people ---------------------------------------------------------------------------


def test_expected_people_by_kind(tree, people):
    on = TODAY

    assert sorted(names(selectors.expected_people(tree.branch, "general_meeting", on))) == [
        "张三",
        "李明",
        "王芳",
    ]
    assert sorted(names(selectors.expected_people(tree.branch, "committee_meeting", on))) == [
        "张三",
        "王芳",
    ]
    assert sorted(names(selectors.expected_people(tree.group, "group_meeting", on))) == [
        "张三",
        "李明",
    ]


def test_a_post_that_ended_is_not_expected(tree, people):
    Post.objects.filter(person=people.wang).update(ended_on=dt.date(2026, 6, 30))

    before = selectors.expected_people(tree.branch, "committee_meeting", dt.date(2026, 6, 29))
    after = selectors.expected_people(tree.branch, "committee_meeting", dt.date(2026, 6, 30))

    assert sorted(names(before)) == ["张三", "王芳"]
    assert names(after) == ["张三"]


def test_a_member_who_moved_group_is_expected_where_they_were_that_day(tree, people, admin_user):
    second = factories.org(tree.branch, "party_group", "第二党小组")
    member_services.person_group_assign(
        actor=admin_user, person=people.li, group=second, on=dt.date(2026, 9, 1)
    )

    august = selectors.expected_people(tree.group, "group_meeting", dt.date(2026, 8, 20))
    october = selectors.expected_people(tree.group, "group_meeting", dt.date(2026, 10, 20))

    assert sorted(names(august)) == ["张三", "李明"]
    assert names(october) == ["张三"]
    assert names(selectors.expected_people(second, "group_meeting", dt.date(2026, 10, 20))) == [
        "李明"
    ]


# --- visibility --------------------------------------------------------------------------------


def test_a_meeting_is_seen_by_roles_over_it_and_by_the_people_on_its_list(tree, people, viewers):
    m = factories.meeting(tree.branch, "general_meeting", TODAY, present=[people.zhang])
    zhang = factories.user_with_role("zhang", None, person=people.zhang)
    li = factories.user_with_role("li", None, person=people.li)

    seen = {
        who: _sees(scope_for(user), m.pk)
        for who, user in {**viewers, "zhang": zhang, "li": li}.items()
        if user is not None
    }

    assert seen == {
        "no_role": False,
        "sibling": False,
        "own_org": True,
        "ancestor": True,
        "zhang": True,
        "li": False,
    }


def _sees(scope, pk) -> bool:
    try:
        selectors.meeting_get_for(scope, pk)
    except NotFound:
        return False
    return True


def test_being_on_the_list_does_not_give_the_right_to_record(tree, people):
    m = factories.meeting(tree.branch, "general_meeting", TODAY, present=[people.zhang])
    zhang = factories.user_with_role("zhang", None, person=people.zhang)

    with pytest.raises(NotFound):
        selectors.meeting_get_for(scope_for(zhang), m.pk, Perm.LIFE)


def test_org_get_for_refuses_organizations_that_hold_no_meetings(tree, admin_user):
    scope = scope_for(admin_user)

    assert selectors.org_get_for(scope, tree.group.pk) == tree.group
    with pytest.raises(NotFound):
        selectors.org_get_for(scope, tree.college.pk)


# --- lists and detail --------------------------------------------------------------------------


def test_meeting_list_filters_and_counts(tree, people, worker):
    factories.meeting(
        tree.branch,
        "general_meeting",
        dt.date(2026, 3, 5),
        present=[people.zhang, people.li],
        on_leave=[people.wang],
    )
    factories.meeting(tree.group, "group_meeting", dt.date(2026, 4, 5), present=[people.zhang])
    factories.meeting(tree.branch, "general_meeting", dt.date(2025, 3, 5))
    scope = scope_for(worker)

    this_year = list(selectors.meeting_list(scope, tree.branch, {"year": 2026}))
    general = list(selectors.meeting_list(scope, tree.branch, {"kind": "general_meeting"}))
    group_only = list(selectors.meeting_list(scope, tree.group, {}))

    assert [(m.kind, m.n_expected, m.n_present, m.n_leave) for m in this_year] == [
        ("group_meeting", 1, 1, 0),
        ("general_meeting", 3, 2, 1),
    ]
    assert [m.date.year for m in general] == [2026, 2025]
    assert [m.kind for m in group_only] == ["group_meeting"]


def test_meeting_detail_counts_the_expected_and_the_rate(tree, people, worker):
    m = factories.meeting(
        tree.branch,
        "general_meeting",
        TODAY,
        present=[people.zhang],
        on_leave=[people.wang],
        absent=[people.li],
    )
    m.attendance.create(person=people.zhao, expected=False, status="present")

    d = selectors.meeting_detail(scope_for(worker), m.pk)

    assert (d.expected, d.present, d.on_leave, d.absent, d.unrecorded, d.guests) == (
        3,
        1,
        1,
        1,
        0,
        1,
    )
    assert d.rate == Decimal("0.5000")
    assert d.rate_percent == Decimal("50.0")
    assert (d.can_life, d.can_approve, d.mine) == (True, True, None)


def test_vote_defaults_count_full_members_expected_and_present(tree, people):
    m = factories.meeting(
        tree.branch,
        "general_meeting",
        TODAY,
        present=[people.zhang, people.wang],
        absent=[people.li],
    )

    assert selectors.vote_defaults(m) == {"should_attend": 2, "present": 1}


def test_my_meetings_splits_upcoming_and_past(tree, people):
    soon = factories.meeting(
        tree.branch, "general_meeting", dt.date(2026, 11, 30), status="planned"
    )
    soon.attendance.create(person=people.li, leave_state="requested", leave_reason="出差")
    old = factories.meeting(tree.group, "group_meeting", dt.date(2026, 10, 9), absent=[people.li])
    factories.meeting(tree.branch, "theme_day", dt.date(2026, 11, 30), status="planned")
    li = factories.user_with_role("li", None, person=people.li)

    mine = selectors.my_meetings(scope_for(li), today=TODAY)

    assert [(a.meeting, a.leave_state) for a in mine.upcoming] == [(soon, "requested")]
    assert [(a.meeting, a.status) for a in mine.past] == [(old, "absent")]


def test_month_meetings_groups_by_organization(tree, people):
    a = factories.meeting(tree.branch, "general_meeting", dt.date(2026, 11, 3))
    b = factories.meeting(tree.group, "group_meeting", dt.date(2026, 11, 28), status="planned")
    factories.meeting(tree.branch, "theme_day", dt.date(2026, 12, 1), status="planned")

    out = selectors.month_meetings([tree.branch, tree.group], TODAY)

    assert dict(out) == {tree.branch.pk: [a], tree.group.pk: [b]}


def test_a_superuser_linked_to_a_person_still_sees_every_meeting(tree, people):
    m = factories.meeting(tree.sibling, "general_meeting", TODAY)
    root = factories.superuser("root2")
    root.person = people.zhang
    root.save()

    assert selectors.meeting_get_for(scope_for(root), m.pk) == m
