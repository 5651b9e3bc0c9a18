"""The compliance page: permission matrix, a branch's year by period, a party group's months,
a committee's table of branches, a bad ?year=, and a query count that does not grow."""

import datetime as dt

import pytest
from django.urls import reverse

from dangwu.orgs.models import Post
from tests import factories
from tests.members.test_views import assert_status, login, texts

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 22)
MATRIX = [
    ("anonymous", 302),
    ("no_role", 404),
    ("sibling", 404),
    ("own_org", 200),
    ("ancestor", 200),
]


@pytest.fixture(autouse=True)
def frozen(monkeypatch):
    """The page reads ``today`` from the clock: pin it to 2026-11-22."""
    monkeypatch.setattr("dangwu.meetings.views_compliance.today", lambda: TODAY)


def page(org, **params):
    return reverse("meetings:compliance", args=[org.pk]), params


def get(client, org, **params):
    url, params = page(org, **params)
    return client.get(url, params)


@pytest.fixture
def lively(tree):
    """The branch held every monthly meeting of 2026 but March's theme day, every quarter's
    general meeting and lecture (the secretary gave Q2's), and the organizational life
    meeting with the appraisal; it has no committee."""
    secretary = factories.person(tree.branch, name="王书记")
    Post.objects.create(
        organization=tree.branch,
        person=secretary,
        kind="secretary",
        started_on=dt.date(2024, 1, 1),
        chosen_by="elected",
    )
    for month in range(1, 12):
        if month != 3:
            factories.meeting(tree.branch, "theme_day", dt.date(2026, month, 8))
        factories.meeting(tree.group, "group_meeting", dt.date(2026, month, 12))
    for q in range(4):
        factories.meeting(tree.branch, "general_meeting", dt.date(2026, 3 * q + 1, 20))
        speaker = secretary if q == 1 else None
        factories.meeting(
            tree.branch, "party_lecture", dt.date(2026, 3 * q + 2, 20), speaker=speaker
        )
    factories.meeting(
        tree.branch, "org_life_meeting", dt.date(2026, 10, 15), includes_appraisal=True
    )
    return tree


# --- permission matrix ------------------------------------------------------------------------


@pytest.mark.parametrize(("who", "expected"), MATRIX)
def test_branch_page_permission_matrix(client, viewers, tree, who, expected):
    response = login(client, viewers, who).get(
        reverse("meetings:compliance", args=[tree.branch.pk])
    )

    assert_status(response, expected)


@pytest.mark.parametrize(
    ("who", "expected"),
    [("anonymous", 302), ("no_role", 404), ("sibling", 404), ("own_org", 404), ("ancestor", 200)],
)
def test_committee_table_permission_matrix(client, viewers, tree, who, expected):
    response = login(client, viewers, who).get(
        reverse("meetings:compliance", args=[tree.committee.pk])
    )

    assert_status(response, expected)


def test_a_missing_organization_is_404(client, viewers):
    response = login(client, viewers, "ancestor").get(reverse("meetings:compliance", args=[999999]))

    assert response.status_code == 404


def test_a_group_leader_sees_the_group_but_not_the_branch(client, tree):
    leader = factories.user_with_role("leader", tree.group, kind="group_leader")
    client.force_login(leader)

    assert get(client, tree.group).status_code == 200
    assert get(client, tree.branch).status_code == 404


# --- a branch -------------------------------------------------------------------------------


def test_branch_page_lists_what_is_missing_by_period(client, viewers, lively):
    client.force_login(viewers["own_org"])

    response = get(client, lively.branch, year="2026")

    assert response.status_code == 200
    result = response.context["result"]
    assert [(b.period.label, [m.finding.code for m in b.items]) for b in result.periods] == [
        ("2026-03", ["LIFE-THEME-DAY"]),
    ]
    assert (result.errors, result.warnings) == (1, 0)
    html = response.content.decode()
    create = reverse("meetings:create", args=[lively.branch.pk])
    assert html.count(f'href="{create}?kind=theme_day"') == 1
    assert "2026年3月未开展主题党日。党支部每月相对固定1天开展主题党日。" in html
    assert "《中国共产党支部工作条例（试行）》第十六条" in html
    assert "期限 2026-03-31" in html
    assert "本支部未设支部委员会（只设书记或副书记），不检查每月支委会。" in html
    theme = next(r for r in result.grid if r.title == "主题党日（每月）")
    assert [c.state for c in theme.cells] == ["ok", "ok", "error", *["ok"] * 8, "future"]
    general = next(r for r in result.grid if r.title == "支部党员大会（每季度）")
    assert [(c.label, c.span, c.state) for c in general.cells] == [
        ("2026-Q1", 3, "ok"),
        ("2026-Q2", 3, "ok"),
        ("2026-Q3", 3, "ok"),
        ("2026-Q4", 3, "ok"),
    ]
    assert '<td colspan="3" class="grid-cell grid-ok" title="2026-Q1">已落实</td>' in html
    assert '<td colspan="1" class="grid-cell grid-error" title="2026-03">未落实</td>' in html


def test_a_past_year_with_nothing_held_shows_every_item_as_an_error(client, viewers, tree):
    client.force_login(viewers["ancestor"])

    response = get(client, tree.branch, year="2025")

    result = response.context["result"]
    assert response.context["year"] == 2025
    # 12 months × (group, theme) + 4 quarters × (general, lecture) + the year × 3
    assert (result.errors, result.warnings) == (35, 0)
    assert [b.period.label for b in result.periods][-1] == "2025"


def test_a_group_page_shows_only_its_group_meetings(client, tree):
    leader = factories.user_with_role("leader", tree.group, kind="group_leader")
    for month in range(1, 11):
        factories.meeting(tree.group, "group_meeting", dt.date(2026, month, 12))
    client.force_login(leader)

    response = get(client, tree.group)

    result = response.context["result"]
    assert [
        (b.period.label, [str(m.finding.severity) for m in b.items]) for b in result.periods
    ] == [("2026-11", ["warning"])]
    assert [r.title for r in result.grid] == ["第一党小组党小组会（每月）"]
    create = reverse("meetings:create", args=[tree.group.pk])
    assert f'href="{create}?kind=group_meeting"' in response.content.decode()


# --- a higher committee ---------------------------------------------------------------------


def test_committee_table_lists_its_branches_with_counts_and_links(client, viewers, lively):
    client.force_login(viewers["ancestor"])

    response = get(client, lively.committee, year="2026")

    assert response.status_code == 200
    table = response.context["table"]
    assert [(r.org.name, r.errors, r.warnings, r.code_counts) for r in table.rows] == [
        ("教工党支部", 16, 6, [4, 0, 0, 5, 11, 1, 1]),
        ("本科生第一党支部", 1, 0, [0, 0, 0, 0, 1, 0, 0]),
    ]
    assert (table.errors, table.warnings, table.code_counts) == (17, 6, [4, 0, 0, 5, 12, 1, 1])
    html = response.content.decode()
    for branch in (lively.branch, lively.sibling):
        assert f'href="{reverse("meetings:compliance", args=[branch.pk])}?year=2026"' in html
    assert "<th>党员大会</th>" not in html  # headings carry scope="col"
    assert '<th scope="col" class="num">民主评议</th>' in html


def test_committee_table_is_paged(client, viewers, tree, monkeypatch):
    monkeypatch.setattr("dangwu.meetings.views_compliance.BRANCHES_PER_PAGE", 1)
    client.force_login(viewers["ancestor"])

    response = get(client, tree.committee, page="2")

    assert [r.org.name for r in response.context["page_obj"].object_list] == ["教工党支部"]
    assert "第 2 / 2 页，共 2 条" in response.content.decode()


# --- bad input --------------------------------------------------------------------------------


@pytest.mark.parametrize("year", ["abc", "1999", "2027", "-1"])
def test_a_bad_year_shows_this_year_with_a_message(client, viewers, tree, year):
    client.force_login(viewers["own_org"])

    response = get(client, tree.branch, year=year)

    assert response.status_code == 200
    assert response.context["year"] == 2026
    assert texts(response) == ["年份应为2000至2026之间的整数，已显示2026年。"]


# --- cost -------------------------------------------------------------------------------------


def test_committee_table_queries_do_not_grow_with_branches(
    client, viewers, tree, django_assert_max_num_queries
):
    client.force_login(viewers["ancestor"])
    get(client, tree.committee)  # warm the session and the user's roles
    for i in range(15):
        b = factories.org(tree.college, "branch", f"新支部{i}")
        factories.meeting(b, "general_meeting", dt.date(2026, 2, 1 + i))

    with django_assert_max_num_queries(12):
        response = get(client, tree.committee)

    assert len(response.context["table"].rows) == 17
