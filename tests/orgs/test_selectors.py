import datetime as dt

from dangwu.core.scope import scope_for
from dangwu.orgs import selectors, services
from tests import factories


def test_tree_counts_people_of_every_branch_below(tree, admin_user):
    factories.person(tree.branch, name="甲")
    factories.person(tree.branch, name="乙", status="activist")
    factories.person(tree.sibling, name="丙")

    rows = {
        r.org.pk: (r.members, r.people) for r in selectors.organization_tree(scope_for(admin_user))
    }

    assert rows[tree.committee.pk] == (2, 3)
    assert rows[tree.branch.pk] == (1, 2)
    assert rows[tree.sibling.pk] == (1, 1)


def test_tree_is_two_queries_whatever_its_size(tree, admin_user, django_assert_max_num_queries):
    for i in range(20):
        branch = factories.org(tree.college, "branch", f"支部{i}")
        factories.person(branch, name=f"党员{i}")

    with django_assert_max_num_queries(3):
        rows = selectors.organization_tree(scope_for(admin_user))

    assert len(rows) == 25


def test_tree_of_a_branch_worker_is_only_their_subtree(tree):
    worker = factories.user_with_role("w", tree.branch)

    rows = selectors.organization_tree(scope_for(worker))

    assert [r.org.pk for r in rows] == [tree.branch.pk, tree.group.pk]


def test_findings_for_a_small_branch_with_a_probationary_group_leader(tree, admin_user):
    from dangwu.orgs.models import Post

    services.committee_term_start(
        actor=admin_user, organization=tree.branch, elected_on=dt.date(2023, 1, 1)
    )
    leader = factories.person(tree.branch, name="预备组长", status="probationary", group=tree.group)
    # An old record that the live service would refuse.
    Post.objects.create(
        organization=tree.group,
        person=leader,
        kind="group_leader",
        started_on=dt.date(2025, 1, 1),
        chosen_by="elected",
    )

    findings = selectors.organization_findings(
        scope_for(admin_user), tree.branch, on=dt.date(2026, 11, 22)
    )

    codes = sorted((f.code, str(f.severity)) for f in findings)
    assert ("ORG-BRANCH-MIN", "warning") in codes
    assert ("ORG-TERM", "error") in codes
    assert ("GRP-LEADER-ELIG", "error") in codes
    assert ("GRP-TERM", "warning") in codes
    elig = next(f for f in findings if f.code == "GRP-LEADER-ELIG")
    assert elig.message.startswith("【第一党小组】预备组长：")
