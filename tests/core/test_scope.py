from dangwu.core.scope import ANONYMOUS, ROLE_PERMS, Grant, Perm, Scope, scope_for
from dangwu.members.models import Person
from dangwu.orgs.models import Organization
from tests import factories


def scope_with(*grants):
    return Scope(
        user_id=1,
        person_id=None,
        grants=tuple(Grant(path=p, kind=k, perms=ROLE_PERMS[k]) for p, k in grants),
    )


def test_a_role_covers_its_subtree_and_nothing_beside_it():
    scope = scope_with(("00010002", "party_worker"))

    assert scope.covers("00010002")
    assert scope.covers("000100020003")
    assert not scope.covers("00010003")
    assert not scope.covers("0001")


def test_nested_grants_collapse_to_the_outer_root():
    scope = scope_with(("0001", "party_worker"), ("00010002", "party_worker"))

    assert scope.paths(Perm.EDIT) == ("0001",)


def test_permissions_follow_the_role_kind():
    scope = scope_with(("0001", "committee_member"))

    assert scope.covers("00010001", Perm.VIEW)
    assert scope.covers("00010001", Perm.APPROVE)
    assert not scope.covers("00010001", Perm.EDIT)
    assert not scope.covers("00010001", Perm.VIEW_ID)


def test_anonymous_sees_nothing(tree):
    factories.person(tree.branch)

    assert not Organization.objects.filter(ANONYMOUS.org_q()).exists()
    assert not Person.objects.filter(ANONYMOUS.person_q()).exists()


def test_member_without_role_sees_only_themself(tree):
    me = factories.person(tree.branch, name="王五")
    factories.person(tree.branch, name="赵六")
    user = factories.user_with_role("me", None, person=me)

    visible = list(Person.objects.filter(scope_for(user).person_q()).values_list("name", flat=True))

    assert visible == ["王五"]
    assert not Organization.objects.filter(scope_for(user).org_q()).exists()


def test_group_leader_sees_only_their_group(tree):
    in_group = factories.person(tree.branch, name="组内", group=tree.group)
    factories.person(tree.branch, name="组外")
    leader = factories.user_with_role("leader", tree.group, "group_leader", person=in_group)

    visible = set(
        Person.objects.filter(scope_for(leader).person_q()).values_list("name", flat=True)
    )

    assert visible == {"组内"}


def test_role_on_ancestor_sees_people_of_all_branches_below(tree):
    factories.person(tree.branch, name="甲")
    factories.person(tree.sibling, name="乙")
    user = factories.user_with_role("anc", tree.college)

    visible = set(Person.objects.filter(scope_for(user).person_q()).values_list("name", flat=True))

    assert visible == {"甲", "乙"}
