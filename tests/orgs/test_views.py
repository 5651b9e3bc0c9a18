"""Organization pages: permission matrix, forms (bad and good input), query bounds, CSP."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from dangwu.members import services as member_services
from dangwu.orgs import services
from dangwu.orgs.models import CommitteeTerm, Organization, Post
from tests import factories

GROUP_LEADER_CITATION = (
    "（《中国共产党章程》第七条；《中国共产党纪律处分条例》；"
    "本地做法：《怎样当好党小组长》（党务实务））"
)


def _get(client, user, url, **extra):
    if user is not None:
        client.force_login(user)
    return client.get(url, **extra)


def _post(client, user, url, data):
    client.force_login(user)
    return client.post(url, data)


def _html(response) -> str:
    return response.content.decode()


def _assert_no_inline_code(html: str) -> None:
    inline_scripts = [
        m.group(0)
        for m in re.finditer(r"<script\b([^>]*)>(.*?)</script>", html, re.S)
        if "src=" not in m.group(1) or m.group(2).strip()
    ]
    assert inline_scripts == []
    assert "style=" not in html
    assert "<style" not in html


# --- permission matrix ------------------------------------------------------------------


def _branch_pages(tree):
    post = Post.objects.create(
        organization=tree.branch,
        person=factories.person(tree.branch, name="陈书记"),
        kind="secretary",
        started_on=dt.date(2025, 1, 1),
        chosen_by="elected",
    )
    return [
        reverse("orgs:detail", args=[tree.branch.pk]),
        reverse("orgs:create", args=[tree.branch.pk]),
        reverse("orgs:edit", args=[tree.branch.pk]),
        reverse("orgs:term_start", args=[tree.branch.pk]),
        reverse("orgs:post_appoint", args=[tree.branch.pk]),
        reverse("orgs:post_end", args=[post.pk]),
    ]


def test_anonymous_is_sent_to_login_from_every_org_page(client, tree):
    urls = [reverse("orgs:tree"), *_branch_pages(tree)]

    responses = [client.get(url) for url in urls]

    assert [(r.status_code, r.url) for r in responses] == [
        (302, f"{reverse('login')}?next={url}") for url in urls
    ]


@pytest.mark.parametrize("who", ["no_role", "sibling"])
def test_branch_pages_are_not_found_outside_the_scope(client, viewers, tree, who):
    urls = _branch_pages(tree)

    client.force_login(viewers[who])
    codes = [client.get(url).status_code for url in urls]

    assert codes == [404] * len(urls)


@pytest.mark.parametrize("who", ["own_org", "ancestor"])
def test_branch_pages_open_inside_the_scope(client, viewers, tree, who):
    urls = _branch_pages(tree)

    client.force_login(viewers[who])
    codes = [client.get(url).status_code for url in urls]

    assert codes == [200] * len(urls)


def test_a_role_without_edit_sees_the_page_but_no_actions(client, tree):
    secretary = factories.user_with_role("sec", tree.branch, kind="secretary")

    detail = _get(client, secretary, reverse("orgs:detail", args=[tree.branch.pk]))
    edit = client.get(reverse("orgs:edit", args=[tree.branch.pk]))

    assert detail.status_code == 200
    assert reverse("orgs:edit", args=[tree.branch.pk]) not in _html(detail)
    assert reverse("orgs:post_appoint", args=[tree.branch.pk]) not in _html(detail)
    assert edit.status_code == 404


# --- the tree ---------------------------------------------------------------------------


def test_tree_shows_only_the_visible_subtree(client, viewers, tree):
    for who, shown, hidden in [
        ("no_role", [], ["某大学党委", "本科生第一党支部", "教工党支部"]),
        ("sibling", ["教工党支部"], ["某大学党委", "本科生第一党支部", "第一党小组"]),
        ("own_org", ["本科生第一党支部", "第一党小组"], ["某大学党委", "教工党支部"]),
        (
            "ancestor",
            ["某大学党委", "计算机学院党总支", "本科生第一党支部", "第一党小组", "教工党支部"],
            [],
        ),
    ]:
        html = _html(_get(client, viewers[who], reverse("orgs:tree")))
        assert [name for name in shown if f">{name}</a>" in html] == shown, who
        assert [name for name in hidden if name in html] == [], who
    assert "暂无可查看的组织。" in _html(_get(client, viewers["no_role"], reverse("orgs:tree")))


def test_tree_rows_show_kind_code_and_counts(client, viewers, tree):
    factories.person(tree.branch, name="王五", group=tree.group)
    factories.person(tree.branch, name="赵六", status="activist")

    html = _html(_get(client, viewers["own_org"], reverse("orgs:tree")))

    branch_row = (
        f'<a class="tree-name" href="/orgs/{tree.branch.pk}/">本科生第一党支部</a>\n'
        '<span class="badge kind-branch">党支部</span>\n'
        '<span class="tree-meta">\n'
        f"  <code>{tree.branch.code}</code>\n"
        "  <span>党员 <strong>1</strong></span>\n"
        "  <span>人员 2</span>"
    )
    group_row = (
        f'<a class="tree-name" href="/orgs/{tree.group.pk}/">第一党小组</a>\n'
        '<span class="badge kind-party_group">党小组</span>\n'
        '<span class="tree-meta">\n'
        f"  <code>{tree.group.code}</code>\n"
        "  <span>党员 <strong>1</strong></span>\n"
        "  <span>人员 1</span>"
    )
    assert branch_row in html
    assert group_row in html
    assert "<details open>" in html


def test_tree_filter_keeps_matches_and_their_ancestors(client, viewers, tree):
    html = _html(_get(client, viewers["ancestor"], reverse("orgs:tree"), data={"q": "教工"}))

    assert ">教工党支部</a>" in html
    assert ">计算机学院党总支</a>" in html
    assert ">某大学党委</a>" in html
    assert "本科生第一党支部" not in html
    assert "筛选结果（含上级组织）：3 个组织" in html


def test_tree_filter_by_code_over_htmx_returns_only_the_tree(client, viewers, tree):
    html = _html(
        _get(
            client,
            viewers["ancestor"],
            reverse("orgs:tree"),
            data={"q": tree.group.code.lower()},
            HTTP_HX_REQUEST="true",
        )
    )

    assert html.lstrip().startswith('<div id="tree-body">')
    assert "<html" not in html
    assert ">第一党小组</a>" in html
    assert "教工党支部" not in html


# --- the organization page --------------------------------------------------------------


def test_org_page_shows_details_posts_term_counts_and_findings(client, viewers, tree):
    leader = factories.person(tree.branch, name="王五", group=tree.group)
    factories.person(
        tree.branch, name="赵六", status="probationary", admission_date=dt.date(2026, 6, 1)
    )
    admin = factories.superuser("boss")
    services.committee_term_start(
        actor=admin, organization=tree.branch, elected_on=dt.date(2025, 3, 1)
    )
    services.post_appoint(
        actor=admin,
        organization=tree.branch,
        person=leader,
        kind="secretary",
        started_on=dt.date(2025, 3, 1),
        chosen_by="elected",
    )
    services.post_appoint(
        actor=admin,
        organization=tree.group,
        person=leader,
        kind="group_leader",
        started_on=dt.date(2025, 3, 1),
        chosen_by="recommended",
    )

    for who in ["own_org", "ancestor"]:
        html = _html(_get(client, viewers[who], reverse("orgs:detail", args=[tree.branch.pk])))

        assert '<h1>本科生第一党支部 <span class="badge kind-branch">党支部</span>' in html
        assert f"<code>{tree.branch.code}</code>" in html
        assert "<dt>单位类别</dt><dd>高校学生</dd>" in html
        assert "<dt>届次</dt><dd>第1届</dd>" in html
        assert "<dt>任期届满</dt><dd>2028-03-01</dd>" in html
        assert f'<a href="/members/{leader.pk}/">王五</a>' in html
        assert '<td class="nowrap">第一党小组</td>' in html
        assert '<span class="stat-value">2</span><span class="stat-label">党员合计</span>' in html
        assert f'href="/members/?org={tree.branch.pk}"' in html
        assert f'<a href="/orgs/{tree.group.pk}/">第一党小组</a>' in html  # sub-organization
        assert '<code class="finding-code">ORG-BRANCH-MIN</code>' in html
        assert "党支部正式党员1人，不足3人" in html
        assert "<cite>《中国共产党支部工作条例（试行）》第四条</cite>" in html
        _assert_no_inline_code(html)


def test_org_page_links_ancestors_only_inside_the_scope(client, viewers, tree):
    own = _html(_get(client, viewers["own_org"], reverse("orgs:detail", args=[tree.branch.pk])))
    anc = _html(_get(client, viewers["ancestor"], reverse("orgs:detail", args=[tree.branch.pk])))

    assert "<li>计算机学院党总支</li>" in own
    assert f'href="/orgs/{tree.college.pk}/"' not in own
    assert f'<li><a href="/orgs/{tree.college.pk}/">计算机学院党总支</a></li>' in anc


def test_group_page_counts_the_group_members(client, viewers, tree):
    factories.person(tree.branch, name="王五", group=tree.group)
    factories.person(tree.branch, name="钱七")

    html = _html(_get(client, viewers["own_org"], reverse("orgs:detail", args=[tree.group.pk])))

    assert '<span class="stat-value">1</span><span class="stat-label">党员合计</span>' in html
    assert "党小组不设委员会" in html
    assert reverse("orgs:term_start", args=[tree.group.pk]) not in html


# --- forms: create ----------------------------------------------------------------------


def test_create_refuses_a_duplicate_code(client, viewers, tree):
    before = Organization.objects.count()

    response = _post(
        client,
        viewers["own_org"],
        reverse("orgs:create", args=[tree.branch.pk]),
        {
            "kind": "party_group",
            "name": "第二党小组",
            "code": tree.sibling.code,
            "category": "other",
            "formation": "standard",
        },
    )

    assert response.status_code == 200
    assert '<p class="field-error" id="id_code_error">组织编码已存在。</p>' in _html(response)
    assert Organization.objects.count() == before


def test_create_offers_only_kinds_allowed_under_the_parent(client, viewers, tree):
    response = _post(
        client,
        viewers["own_org"],
        reverse("orgs:create", args=[tree.branch.pk]),
        {
            "kind": "branch",
            "name": "错层支部",
            "code": "X-1",
            "category": "other",
            "formation": "standard",
        },
    )

    assert "选择一个有效的选项。 branch 不在可用的选项中。" in _html(response)
    assert not Organization.objects.filter(code="X-1").exists()


def test_create_adds_the_sub_organization_and_names_the_user(client, viewers, tree):
    user = viewers["own_org"]

    response = _post(
        client,
        user,
        reverse("orgs:create", args=[tree.branch.pk]),
        {
            "kind": "party_group",
            "name": "第二党小组",
            "code": "G-2",
            "category": "university_student",
            "formation": "temporary",
            "founded_on": "2026-09-01",
        },
    )

    group = Organization.objects.get(code="G-2")
    assert response.status_code == 302
    assert response.url == reverse("orgs:detail", args=[group.pk])
    assert (group.name, group.kind, group.formation, group.founded_on) == (
        "第二党小组",
        "party_group",
        "temporary",
        dt.date(2026, 9, 1),
    )
    assert Organization.objects.get_parent(group) == tree.branch
    assert group.history.get().history_user == user


# --- forms: edit ------------------------------------------------------------------------


def test_edit_refuses_a_duplicate_code(client, viewers, tree):
    response = _post(
        client,
        viewers["own_org"],
        reverse("orgs:edit", args=[tree.branch.pk]),
        {"name": "新名称", "code": tree.sibling.code, "category": "other", "formation": "standard"},
    )

    tree.branch.refresh_from_db()
    # The model's unique check (organization_update runs full_clean before its own check).
    expected = "具有 组织编码 的 党组织 已存在。"
    assert f'<p class="field-error" id="id_code_error">{expected}</p>' in _html(response)
    assert tree.branch.name == "本科生第一党支部"
    assert tree.branch.history.count() == 1


def test_edit_saves_and_names_the_user(client, viewers, tree):
    user = viewers["ancestor"]

    response = _post(
        client,
        user,
        reverse("orgs:edit", args=[tree.branch.pk]),
        {
            "name": "本科生第一党支部（联合）",
            "code": tree.branch.code,
            "category": "university_student",
            "formation": "joint",
        },
    )

    tree.branch.refresh_from_db()
    assert response.status_code == 302
    assert (tree.branch.name, tree.branch.formation) == ("本科生第一党支部（联合）", "joint")
    assert tree.branch.history.latest().history_user == user


# --- forms: committee term --------------------------------------------------------------


def test_term_start_refuses_an_end_before_the_election(client, viewers, tree):
    response = _post(
        client,
        viewers["own_org"],
        reverse("orgs:term_start", args=[tree.branch.pk]),
        {"elected_on": "2026-03-01", "ends_on": "2025-03-01"},
    )

    assert '<p class="field-error" id="id_ends_on_error">任期届满日期应晚于选举日期。</p>' in _html(
        response
    )
    assert not CommitteeTerm.objects.exists()


def test_term_start_refuses_an_election_before_the_current_term(client, viewers, tree):
    services.committee_term_start(
        actor=factories.superuser("boss"), organization=tree.branch, elected_on=dt.date(2025, 3, 1)
    )

    response = _post(
        client,
        viewers["own_org"],
        reverse("orgs:term_start", args=[tree.branch.pk]),
        {"elected_on": "2024-03-01"},
    )

    assert '<p class="field-error" id="id_elected_on_error">日期有误。</p>' in _html(response)
    assert list(CommitteeTerm.objects.values_list("number", "closed_on")) == [(1, None)]


def test_term_start_opens_the_next_term_and_names_the_user(client, viewers, tree):
    user = viewers["own_org"]

    response = _post(
        client,
        user,
        reverse("orgs:term_start", args=[tree.branch.pk]),
        {"elected_on": "2026-03-01"},
    )

    term = CommitteeTerm.objects.get(organization=tree.branch)
    assert response.status_code == 302
    assert (term.number, term.elected_on, term.ends_on) == (
        1,
        dt.date(2026, 3, 1),
        dt.date(2029, 3, 1),
    )
    assert term.history.get().history_user == user


# --- forms: posts -----------------------------------------------------------------------


def _appoint_leader(client, user, tree, person, **extra):
    data = {
        "person": person.pk,
        "kind": "group_leader",
        "started_on": "2026-11-22",
        "chosen_by": "recommended",
        "designation_reason": "",
        "ends_on": "",
        "note": "",
    }
    data.update(extra)
    return _post(client, user, reverse("orgs:post_appoint", args=[tree.group.pk]), data)


def test_appointing_a_probationary_group_leader_shows_the_rule_and_changes_nothing(
    client, viewers, tree
):
    person = factories.person(
        tree.branch,
        name="赵六",
        status="probationary",
        group=tree.group,
        admission_date=dt.date(2026, 6, 1),
    )

    response = _appoint_leader(client, viewers["own_org"], tree, person)

    html = _html(response)
    expected = (
        "该同志是预备党员，没有被选举权，不能担任党小组长或副组长；党小组长须由正式党员担任。"
        + GROUP_LEADER_CITATION
    )
    assert f'<p class="field-error" id="id_person_error">{expected}</p>' in html
    assert '<code class="finding-code">GRP-LEADER-ELIG</code>' in html
    assert not Post.objects.exists()


def test_appointing_a_group_leader_under_probation_within_party_is_refused(client, viewers, tree):
    person = factories.person(tree.branch, name="孙八", group=tree.group)
    member_services.sanction_record(
        actor=factories.superuser("boss"),
        person=person,
        kind="probation_within_party",
        decided_on=dt.date(2026, 3, 1),
        probation_years=1,
    )

    response = _appoint_leader(client, viewers["own_org"], tree, person)

    expected = (
        "该同志正在留党察看期内（2027年3月1日恢复党员权利），不能担任党小组长或副组长；"
        "党小组长须由正式党员担任。" + GROUP_LEADER_CITATION
    )
    assert f'<p class="field-error" id="id_person_error">{expected}</p>' in _html(response)
    assert not Post.objects.exists()


def test_appoint_offers_only_the_groups_own_members(client, viewers, tree):
    factories.person(tree.branch, name="王五", group=tree.group)
    outsider = factories.person(tree.branch, name="钱七")

    page = _html(
        _get(client, viewers["own_org"], reverse("orgs:post_appoint", args=[tree.group.pk]))
    )
    response = _appoint_leader(client, viewers["own_org"], tree, outsider)

    assert "王五（正式党员）" in page
    assert "钱七" not in page
    assert "请选择本组织的党员。" in _html(response)
    assert not Post.objects.exists()


def test_appoint_creates_the_post_and_names_the_user(client, viewers, tree):
    user = viewers["own_org"]
    person = factories.person(tree.branch, name="王五", group=tree.group)

    response = _appoint_leader(client, user, tree, person)

    post = Post.objects.get()
    assert response.status_code == 302
    assert (post.organization, post.person, post.kind, post.chosen_by, post.started_on) == (
        tree.group,
        person,
        "group_leader",
        "recommended",
        dt.date(2026, 11, 22),
    )
    assert post.created_by == user
    assert post.history.get().history_user == user


def _open_post(tree):
    person = factories.person(tree.branch, name="陈书记")
    return Post.objects.create(
        organization=tree.branch,
        person=person,
        kind="secretary",
        started_on=dt.date(2025, 1, 1),
        chosen_by="elected",
    )


def test_post_end_refuses_a_date_before_the_start(client, viewers, tree):
    post = _open_post(tree)

    response = _post(
        client,
        viewers["own_org"],
        reverse("orgs:post_end", args=[post.pk]),
        {"ended_on": "2024-12-31"},
    )

    post.refresh_from_db()
    assert '<p class="field-error" id="id_ended_on_error">日期有误。</p>' in _html(response)
    assert post.ended_on is None


def test_post_end_closes_the_post_and_names_the_user(client, viewers, tree):
    user = viewers["ancestor"]
    post = _open_post(tree)

    response = _post(
        client, user, reverse("orgs:post_end", args=[post.pk]), {"ended_on": "2026-11-01"}
    )

    post.refresh_from_db()
    assert response.status_code == 302
    assert post.ended_on == dt.date(2026, 11, 1)
    assert post.history.latest().history_user == user


# --- query bounds on a bigger tree ------------------------------------------------------


@pytest.fixture
def big_tree(tree):
    """30 more branches with a group each and 200 people (people inserted in bulk: fast)."""
    from dangwu.members.models import Person

    branches, groups = [], {}
    for i in range(30):
        branch = factories.org(tree.college, "branch", f"第{i + 1}党支部")
        groups[branch.pk] = factories.org(branch, "party_group", f"第{i + 1}党支部第一党小组")
        branches.append(branch)
    people = []
    for n in range(200):
        branch = branches[n % 30]
        people.append(
            Person(
                name=f"党员{n}",
                pinyin=f"dangyuan{n}",
                initials="dy",
                sort_key=f"dangyuan{n:04d}",
                sex="male",
                birth_date=dt.date(1990, 1, 1),
                status="full" if n % 4 else "probationary",
                status_since=dt.date(2020, 1, 1),
                branch=branch,
                group=groups[branch.pk] if n % 2 else None,
            )
        )
    Person.objects.bulk_create(people)
    return tree


def test_tree_page_query_count_does_not_grow_with_the_tree(
    client, viewers, big_tree, django_assert_max_num_queries
):
    client.force_login(viewers["ancestor"])

    with django_assert_max_num_queries(8):
        response = client.get(reverse("orgs:tree"))

    assert _html(response).count('class="tree-name"') == 5 + 60


def test_org_page_query_count_does_not_grow_with_the_tree(
    client, viewers, big_tree, django_assert_max_num_queries
):
    client.force_login(viewers["ancestor"])

    with django_assert_max_num_queries(16):
        committee = client.get(reverse("orgs:detail", args=[big_tree.committee.pk]))
    with django_assert_max_num_queries(16):
        college = client.get(reverse("orgs:detail", args=[big_tree.college.pk]))

    assert committee.status_code == 200
    assert _html(college).count('<td class="nowrap"><span class="badge kind-branch">') == 32


def test_a_very_large_tree_shows_only_the_top_two_levels(client, tree, admin_user, monkeypatch):
    from dangwu.orgs import views

    monkeypatch.setattr(views, "TREE_FULL_MAX", 3)
    client.force_login(admin_user)

    response = client.get("/orgs/")

    body = response.content.decode()
    assert response.status_code == 200
    assert "组织较多，这里只列出上两级" in body
    assert "计算机学院党总支" in body
    assert "本科生第一党支部" not in body
