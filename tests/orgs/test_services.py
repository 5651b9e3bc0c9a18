import datetime as dt

import pytest

from dangwu.core.errors import DomainError, InvalidInput, NotFound, RuleViolation
from dangwu.orgs import services
from dangwu.orgs.models import CommitteeTerm, Organization, Post
from tests import factories


def test_create_branch_under_general_branch_records_the_actor(tree, admin_user):
    branch = services.organization_create(
        actor=admin_user,
        parent=tree.college,
        kind="branch",
        code="CS-3",
        name="研究生党支部",
        category="university_student",
    )

    assert Organization.objects.get_parent(branch) == tree.college
    assert branch.path.startswith(tree.college.path)
    assert branch.history.get().history_user == admin_user


def test_children_created_at_once_get_distinct_paths(tree, admin_user):
    a = services.organization_create(
        actor=admin_user, parent=tree.college, kind="branch", code="A1", name="甲"
    )
    b = services.organization_create(
        actor=admin_user, parent=tree.college, kind="branch", code="A2", name="乙"
    )

    assert a.path != b.path
    assert Organization.objects.find_problems() == ([], [], [], [], [])


@pytest.mark.parametrize(
    ("parent_attr", "kind", "message"),
    [
        pytest.param(
            "group", "branch", "“党支部”不能设在“党小组”之下。", id="支部不能设在党小组下"
        ),
        pytest.param(
            "college", "general_branch", "“党总支”不能设在“党总支”之下。", id="总支不能设在总支下"
        ),
        pytest.param(
            "college", "party_group", "“党小组”不能设在“党总支”之下。", id="党小组只能设在支部下"
        ),
    ],
)
def test_wrong_place_in_the_tree_is_refused(tree, admin_user, parent_attr, kind, message):
    before = Organization.objects.count()

    with pytest.raises(InvalidInput) as exc:
        services.organization_create(
            actor=admin_user, parent=getattr(tree, parent_attr), kind=kind, code="X", name="X"
        )

    assert exc.value.message == message
    assert Organization.objects.count() == before


def test_only_a_basic_committee_may_approve(tree, admin_user):
    with pytest.raises(InvalidInput) as exc:
        services.organization_create(
            actor=admin_user,
            parent=tree.college,
            kind="branch",
            code="X",
            name="X",
            approval_authority=True,
        )
    assert exc.value.code == "ORG-APPROVER"


def test_duplicate_code_is_refused(tree, admin_user):
    with pytest.raises(InvalidInput) as exc:
        services.organization_create(
            actor=admin_user, parent=tree.college, kind="branch", code=tree.branch.code, name="重复"
        )
    assert exc.value.fields == {"code": ["组织编码已存在。"]}


def test_worker_on_a_sibling_cannot_create_under_my_branch(tree):
    outsider = factories.user_with_role("sib", tree.sibling)

    with pytest.raises(NotFound):
        services.organization_create(
            actor=outsider, parent=tree.branch, kind="party_group", code="G9", name="第九党小组"
        )
    assert not Organization.objects.filter(code="G9").exists()


def test_dissolving_a_branch_with_people_is_refused(tree, admin_user):
    factories.person(tree.sibling)

    with pytest.raises(DomainError) as exc:
        services.organization_dissolve(
            actor=admin_user, organization=tree.sibling, on=dt.date(2026, 1, 1)
        )

    assert exc.value.message == "“教工党支部”仍有在册人员，请先转接组织关系。"
    tree.sibling.refresh_from_db()
    assert tree.sibling.dissolved_on is None


def test_dissolving_an_empty_branch(tree, admin_user):
    org = services.organization_dissolve(
        actor=admin_user, organization=tree.sibling, on=dt.date(2026, 1, 1)
    )

    assert org.dissolved_on == dt.date(2026, 1, 1)
    assert org.history.first().history_user == admin_user


def test_committee_term_ends_after_the_standard_term(tree, admin_user):
    term = services.committee_term_start(
        actor=admin_user, organization=tree.branch, elected_on=dt.date(2024, 2, 29)
    )
    assert (term.number, term.ends_on) == (1, dt.date(2027, 2, 28))

    second = services.committee_term_start(
        actor=admin_user, organization=tree.branch, elected_on=dt.date(2027, 3, 1)
    )
    term.refresh_from_db()
    assert (second.number, term.closed_on) == (2, dt.date(2027, 3, 1))
    assert (
        CommitteeTerm.objects.filter(organization=tree.branch, closed_on__isnull=True).count() == 1
    )


def test_village_branch_term_is_five_years(admin_user, tree):
    village = factories.org(tree.committee, "branch", "某村党支部", category="village")
    term = services.committee_term_start(
        actor=admin_user, organization=village, elected_on=dt.date(2025, 1, 10)
    )
    assert term.ends_on == dt.date(2030, 1, 10)


def test_group_leader_elected_takes_the_committee_term_end(tree, admin_user):
    services.committee_term_start(
        actor=admin_user, organization=tree.branch, elected_on=dt.date(2024, 1, 1)
    )
    leader = factories.person(tree.branch, name="组长", group=tree.group)

    post = services.post_appoint(
        actor=admin_user,
        organization=tree.group,
        person=leader,
        kind="group_leader",
        started_on=dt.date(2024, 1, 5),
        chosen_by="elected",
    )

    assert post.ends_on == dt.date(2027, 1, 1)
    assert post.history.get().history_user == admin_user


def test_probationary_member_cannot_be_group_leader(tree, admin_user):
    candidate = factories.person(tree.branch, name="预备", status="probationary", group=tree.group)

    with pytest.raises(RuleViolation) as exc:
        services.post_appoint(
            actor=admin_user,
            organization=tree.group,
            person=candidate,
            kind="group_leader",
            started_on=dt.date(2026, 1, 5),
            chosen_by="elected",
        )

    assert exc.value.code == "GRP-LEADER-ELIG"
    assert "《中国共产党章程》第七条" in exc.value.message
    assert not Post.objects.exists()


def test_member_under_probation_within_party_cannot_be_group_leader(tree, admin_user):
    from dangwu.members.services import sanction_record

    member = factories.person(tree.branch, name="察看", group=tree.group)
    sanction_record(
        actor=admin_user,
        person=member,
        kind="probation_within_party",
        decided_on=dt.date(2026, 3, 1),
        probation_years=1,
    )

    with pytest.raises(RuleViolation) as exc:
        services.post_appoint(
            actor=admin_user,
            organization=tree.group,
            person=member,
            kind="group_leader",
            started_on=dt.date(2026, 6, 1),
            chosen_by="elected",
        )

    assert exc.value.code == "GRP-LEADER-ELIG"
    assert not Post.objects.exists()


def test_designation_without_one_of_the_three_reasons_is_refused(tree, admin_user):
    member = factories.person(tree.branch, group=tree.group)

    with pytest.raises(RuleViolation) as exc:
        services.post_appoint(
            actor=admin_user,
            organization=tree.group,
            person=member,
            kind="group_leader",
            started_on=dt.date(2026, 1, 5),
            chosen_by="designated",
            designation_reason="other",
        )

    assert exc.value.code == "GRP-LEADER-CHOICE"
    assert not Post.objects.exists()


def test_designation_of_a_temporary_group_is_allowed(tree, admin_user):
    member = factories.person(tree.branch, group=tree.group)

    post = services.post_appoint(
        actor=admin_user,
        organization=tree.group,
        person=member,
        kind="group_leader",
        started_on=dt.date(2026, 1, 5),
        chosen_by="designated",
        designation_reason="temporary_group",
    )

    assert post.designation_reason == "temporary_group"


def test_a_second_deputy_leader_is_refused(tree, admin_user):
    first = factories.person(tree.branch, name="副一", group=tree.group)
    second = factories.person(tree.branch, name="副二", group=tree.group)
    services.post_appoint(
        actor=admin_user,
        organization=tree.group,
        person=first,
        kind="deputy_group_leader",
        started_on=dt.date(2026, 1, 5),
        chosen_by="elected",
    )

    with pytest.raises(RuleViolation) as exc:
        services.post_appoint(
            actor=admin_user,
            organization=tree.group,
            person=second,
            kind="deputy_group_leader",
            started_on=dt.date(2026, 1, 5),
            chosen_by="elected",
        )

    assert exc.value.code == "GRP-DEPUTY"
    assert Post.objects.count() == 1


def test_group_leader_must_belong_to_the_group(tree, admin_user):
    outsider = factories.person(tree.branch, name="不在组")

    with pytest.raises(InvalidInput) as exc:
        services.post_appoint(
            actor=admin_user,
            organization=tree.group,
            person=outsider,
            kind="group_leader",
            started_on=dt.date(2026, 1, 5),
            chosen_by="elected",
        )
    assert exc.value.fields == {"person": ["不是本组织的党员。"]}


def test_probationary_member_cannot_hold_a_committee_post(tree, admin_user):
    member = factories.person(tree.branch, status="probationary")

    with pytest.raises(InvalidInput) as exc:
        services.post_appoint(
            actor=admin_user,
            organization=tree.branch,
            person=member,
            kind="secretary",
            started_on=dt.date(2026, 1, 5),
            chosen_by="elected",
        )
    assert exc.value.code == "MEM-RIGHTS"
    assert not Post.objects.exists()


def test_ending_a_post(tree, admin_user):
    member = factories.person(tree.branch)
    post = services.post_appoint(
        actor=admin_user,
        organization=tree.branch,
        person=member,
        kind="secretary",
        started_on=dt.date(2024, 1, 5),
        chosen_by="elected",
    )

    services.post_end(actor=admin_user, post=post, ended_on=dt.date(2026, 1, 1))

    post.refresh_from_db()
    assert post.ended_on == dt.date(2026, 1, 1)
    with pytest.raises(InvalidInput):
        services.post_end(
            actor=admin_user,
            post=services.post_appoint(
                actor=admin_user,
                organization=tree.branch,
                person=member,
                kind="secretary",
                started_on=dt.date(2026, 2, 1),
                chosen_by="elected",
            ),
            ended_on=dt.date(2026, 1, 1),
        )
