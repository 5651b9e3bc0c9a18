"""/api/v1/orgs: the visible tree, one organization, its findings; create and change."""

import datetime as dt
import json

import pytest

from dangwu.core.clock import today
from dangwu.core.scope import scope_for
from dangwu.orgs import selectors, services
from dangwu.orgs.models import Organization
from tests import factories

API = "/api/v1"
UNAUTHENTICATED = {"code": "UNAUTHENTICATED", "message": "请先登录。", "fields": {}}
NOT_FOUND = {"code": "NOT_FOUND", "message": "记录不存在或您无权查看。", "fields": {}}
MATRIX = [
    ("anonymous", 401),
    ("no_role", 404),
    ("sibling", 404),
    ("own_org", 200),
    ("ancestor", 200),
]


def as_viewer(client, user):
    if user is not None:
        client.force_login(user)
    return client


def post_json(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


def patch_json(client, url, data):
    return client.patch(url, json.dumps(data), content_type="application/json")


def assert_refused(response, status):
    expected = {401: UNAUTHENTICATED, 404: NOT_FOUND}[status]
    assert (response.status_code, response.json()) == (status, expected)


def finding_json(finding):
    """A finding as the API gives it: every key present."""
    return {"subject": "", "due": None, **finding.as_dict()}


def rows(response):
    return [(o["name"], o["parent_id"], o["members"], o["people"]) for o in response.json()]


# --- GET /orgs ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("no_role", []),
        ("sibling", [("教工党支部", None, 1, 1)]),
        ("own_org", [("本科生第一党支部", None, 0, 0), ("第一党小组", "branch", 0, 0)]),
        (
            "ancestor",
            [
                ("某大学党委", None, 1, 1),
                ("计算机学院党总支", "committee", 1, 1),
                ("本科生第一党支部", "college", 0, 0),
                ("第一党小组", "branch", 0, 0),
                ("教工党支部", "college", 1, 1),
            ],
        ),
    ],
)
def test_org_list_shows_the_visible_tree_with_parents_and_counts(
    client, tree, viewers, who, expected
):
    # given the matrix (李四, a full member, is in the sibling branch)
    as_viewer(client, viewers[who])

    # when
    response = client.get(f"{API}/orgs")

    # then parent ids name only visible parents
    assert response.status_code == 200
    expected_rows = [
        (name, getattr(tree, parent).pk if parent else None, members, people)
        for name, parent, members, people in expected
    ]
    assert rows(response) == expected_rows


def test_org_list_anonymous_is_401(client, tree):
    assert_refused(client.get(f"{API}/orgs"), 401)


def test_org_list_row_shape(client, tree, viewers):
    as_viewer(client, viewers["own_org"])

    response = client.get(f"{API}/orgs")

    assert response.json()[1] == {
        "id": tree.group.pk,
        "parent_id": tree.branch.pk,
        "path": tree.group.path,
        "depth": 4,
        "code": tree.group.code,
        "name": "第一党小组",
        "kind": "party_group",
        "kind_label": "党小组",
        "category": "other",
        "formation": "standard",
        "members": 0,
        "people": 0,
    }


@pytest.mark.parametrize(
    ("who", "status", "names"),
    [
        ("anonymous", 401, None),
        ("no_role", 404, None),
        ("sibling", 404, None),
        ("own_org", 200, ["本科生第一党支部", "第一党小组"]),
        ("ancestor", 200, ["本科生第一党支部", "第一党小组"]),
    ],
)
def test_org_list_with_root(client, tree, viewers, who, status, names):
    as_viewer(client, viewers[who])

    response = client.get(f"{API}/orgs", {"root": tree.branch.pk})

    if names is None:
        assert_refused(response, status)
    else:
        assert response.status_code == 200
        assert [o["name"] for o in response.json()] == names


def test_org_list_query_count_is_bounded(client, tree, viewers, django_assert_max_num_queries):
    # given 120 people under the tree
    for i in range(60):
        factories.person(tree.branch, name=f"甲{i}")
        factories.person(tree.sibling, name=f"乙{i}")
    as_viewer(client, viewers["ancestor"])

    # when / then: session, user, roles, organizations, head counts
    with django_assert_max_num_queries(6):
        response = client.get(f"{API}/orgs")
    assert [o["people"] for o in response.json()] == [121, 121, 60, 0, 61]


# --- GET /orgs/{id} and /orgs/{id}/findings -------------------------------------------------


@pytest.mark.parametrize(("who", "status"), MATRIX)
def test_org_detail_permission_matrix(client, tree, viewers, who, status):
    as_viewer(client, viewers[who])

    response = client.get(f"{API}/orgs/{tree.branch.pk}")

    if status == 200:
        assert (response.status_code, response.json()["name"]) == (200, "本科生第一党支部")
    else:
        assert_refused(response, status)


def test_org_detail_has_posts_and_findings(client, tree, viewers, admin_user):
    # given a secretary in the branch
    secretary = factories.person(tree.branch, name="赵书记")
    post = services.post_appoint(
        actor=admin_user,
        organization=tree.branch,
        person=secretary,
        kind="secretary",
        started_on=dt.date(2025, 1, 1),
        chosen_by="elected",
        ends_on=dt.date(2028, 1, 1),
    )
    as_viewer(client, viewers["ancestor"])

    # when
    response = client.get(f"{API}/orgs/{tree.branch.pk}")

    # then
    expected_findings = [
        finding_json(f)
        for f in selectors.organization_findings(scope_for(admin_user), tree.branch, on=today())
    ]
    body = response.json()
    assert body == {
        "id": tree.branch.pk,
        "parent_id": tree.college.pk,
        "path": tree.branch.path,
        "depth": 3,
        "code": tree.branch.code,
        "name": "本科生第一党支部",
        "kind": "branch",
        "kind_label": "党支部",
        "category": "university_student",
        "formation": "standard",
        "founded_on": None,
        "dissolved_on": None,
        "approval_authority": False,
        "posts": [
            {
                "id": post.pk,
                "organization_id": tree.branch.pk,
                "organization_name": "本科生第一党支部",
                "person_id": secretary.pk,
                "person_name": "赵书记",
                "kind": "secretary",
                "kind_label": "书记",
                "chosen_by": "elected",
                "started_on": "2025-01-01",
                "ends_on": "2028-01-01",
            }
        ],
        "findings": expected_findings,
    }
    assert [f["code"] for f in body["findings"]][0] == "ORG-BRANCH-MIN"


def test_org_detail_unknown_id_is_404(client, tree, viewers):
    as_viewer(client, viewers["ancestor"])

    assert_refused(client.get(f"{API}/orgs/999999"), 404)


@pytest.mark.parametrize(("who", "status"), MATRIX)
def test_org_findings_permission_matrix(client, tree, viewers, admin_user, who, status):
    as_viewer(client, viewers[who])

    response = client.get(f"{API}/orgs/{tree.branch.pk}/findings")

    if status == 200:
        expected = selectors.organization_findings(scope_for(admin_user), tree.branch, on=today())
        assert response.status_code == 200
        assert response.json() == [finding_json(f) for f in expected]
    else:
        assert_refused(response, status)


# --- POST /orgs -----------------------------------------------------------------------------

NEW_GROUP = {"kind": "party_group", "code": "G-NEW", "name": "第二党小组"}


@pytest.mark.parametrize(("who", "status"), [*MATRIX[:3], ("own_org", 201), ("ancestor", 201)])
def test_org_create_permission_matrix(client, tree, viewers, who, status):
    as_viewer(client, viewers[who])

    response = post_json(client, f"{API}/orgs", {"parent_id": tree.branch.pk, **NEW_GROUP})

    created = Organization.objects.filter(code="G-NEW").first()
    if status == 201:
        assert response.status_code == 201
        assert response.json()["id"] == created.pk
        assert (created.name, created.kind, created.path[:-4]) == (
            "第二党小组",
            "party_group",
            tree.branch.path,
        )
    else:
        assert_refused(response, status)
        assert created is None


def test_org_create_answers_the_new_organization(client, tree, viewers):
    as_viewer(client, viewers["own_org"])

    response = post_json(
        client,
        f"{API}/orgs",
        {"parent_id": tree.branch.pk, **NEW_GROUP, "founded_on": "2026-09-01"},
    )

    org = Organization.objects.get(code="G-NEW")
    assert response.json() == {
        "id": org.pk,
        "parent_id": tree.branch.pk,
        "path": org.path,
        "depth": 4,
        "code": "G-NEW",
        "name": "第二党小组",
        "kind": "party_group",
        "kind_label": "党小组",
        "category": "other",
        "formation": "standard",
        "founded_on": "2026-09-01",
        "dissolved_on": None,
        "approval_authority": False,
        "posts": [],
        "findings": [],
    }


def test_org_create_by_a_role_without_edit_is_404_and_creates_nothing(client, tree):
    # given a committee member (view and approve, no edit) on the branch
    member = factories.user_with_role("cm", tree.branch, kind="committee_member")
    as_viewer(client, member)

    response = post_json(client, f"{API}/orgs", {"parent_id": tree.branch.pk, **NEW_GROUP})

    assert_refused(response, 404)
    assert not Organization.objects.filter(code="G-NEW").exists()


@pytest.mark.parametrize(
    ("change", "fields"),
    [
        (
            {"kind": "cell"},
            {
                "kind": [
                    "无效的选项，可选值：basic_committee、general_branch、branch、party_group。"
                ]
            },
        ),
        ({"founded_on": "2026/09/01"}, {"founded_on": ["请填写有效日期，格式为 YYYY-MM-DD。"]}),
        ({"name": ""}, {"name": ["不能为空。"]}),
        ({"name": None}, {"name": ["应为文本。"]}),
        ({"code": "x" * 33}, {"code": ["不能超过32个字。"]}),
        ({"parent_id": "abc"}, {"parent_id": ["请填写整数。"]}),
        ({"approval_authority": "maybe"}, {"approval_authority": ["请填写 true 或 false。"]}),
    ],
)
def test_org_create_bad_values_are_422_with_field_messages(client, tree, viewers, change, fields):
    as_viewer(client, viewers["own_org"])
    before = Organization.objects.count()

    response = post_json(
        client, f"{API}/orgs", {"parent_id": tree.branch.pk, **NEW_GROUP, **change}
    )

    assert response.status_code == 422
    assert response.json() == {"code": "INVALID", "message": "提交的数据有误。", "fields": fields}
    assert Organization.objects.count() == before


def test_org_create_missing_field_is_422(client, tree, viewers):
    as_viewer(client, viewers["own_org"])

    response = post_json(client, f"{API}/orgs", {"parent_id": tree.branch.pk, "kind": "branch"})

    assert response.status_code == 422
    assert response.json() == {
        "code": "INVALID",
        "message": "提交的数据有误。",
        "fields": {"code": ["必填。"], "name": ["必填。"]},
    }


def test_org_create_refused_by_the_service_is_422_with_its_message(client, tree, viewers):
    # given a party group may only sit under a branch
    as_viewer(client, viewers["ancestor"])

    response = post_json(client, f"{API}/orgs", {"parent_id": tree.college.pk, **NEW_GROUP})

    assert response.status_code == 422
    assert response.json() == {
        "code": "INVALID",
        "message": "“党小组”不能设在“党总支”之下。",
        "fields": {"kind": ["上下级关系不符合党组织设置规定。"]},
    }
    assert not Organization.objects.filter(code="G-NEW").exists()


def test_org_create_duplicate_code_is_422(client, tree, viewers):
    as_viewer(client, viewers["own_org"])

    response = post_json(
        client, f"{API}/orgs", {"parent_id": tree.branch.pk, **NEW_GROUP, "code": tree.group.code}
    )

    assert response.status_code == 422
    assert response.json() == {
        "code": "INVALID",
        "message": f"组织编码“{tree.group.code}”已存在。",
        "fields": {"code": ["组织编码已存在。"]},
    }


# --- PATCH /orgs/{id} -----------------------------------------------------------------------


@pytest.mark.parametrize(("who", "status"), MATRIX)
def test_org_update_permission_matrix(client, tree, viewers, who, status):
    as_viewer(client, viewers[who])

    response = patch_json(client, f"{API}/orgs/{tree.branch.pk}", {"name": "新名称"})

    tree.branch.refresh_from_db()
    if status == 200:
        assert (response.status_code, response.json()["name"]) == (200, "新名称")
        assert tree.branch.name == "新名称"
    else:
        assert_refused(response, status)
        assert tree.branch.name == "本科生第一党支部"


def test_org_update_by_a_role_without_edit_is_404_and_changes_nothing(client, tree):
    member = factories.user_with_role("cm", tree.branch, kind="committee_member")
    as_viewer(client, member)

    response = patch_json(client, f"{API}/orgs/{tree.branch.pk}", {"name": "新名称"})

    assert_refused(response, 404)
    tree.branch.refresh_from_db()
    assert tree.branch.name == "本科生第一党支部"


def test_org_update_changes_only_the_fields_sent(client, tree, viewers):
    as_viewer(client, viewers["own_org"])

    response = patch_json(client, f"{API}/orgs/{tree.branch.pk}", {"founded_on": "2020-03-01"})

    tree.branch.refresh_from_db()
    assert response.status_code == 200
    assert (tree.branch.name, tree.branch.category, tree.branch.founded_on) == (
        "本科生第一党支部",
        "university_student",
        dt.date(2020, 3, 1),
    )


def test_org_update_refused_by_a_rule_is_422_and_changes_nothing(client, tree, viewers):
    as_viewer(client, viewers["own_org"])

    response = patch_json(client, f"{API}/orgs/{tree.branch.pk}", {"approval_authority": True})

    assert response.status_code == 422
    assert response.json() == {
        "code": "ORG-APPROVER",
        "message": "只有基层党委可以具有审批预备党员的权限。",
        "fields": {},
    }
    tree.branch.refresh_from_db()
    assert tree.branch.approval_authority is False


def test_org_update_null_name_is_422(client, tree, viewers):
    as_viewer(client, viewers["own_org"])

    response = patch_json(client, f"{API}/orgs/{tree.branch.pk}", {"name": None})

    assert response.status_code == 422
    assert response.json() == {
        "code": "INVALID",
        "message": "提交的数据有误。",
        "fields": {"name": ["应为文本。"]},
    }
