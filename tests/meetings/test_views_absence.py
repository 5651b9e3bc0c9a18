"""The attendance-rate, absence-case and heart-talk pages: permission matrix (404 outside the
scope), bad input that shows a Chinese error and changes nothing, and query counts that do
not grow with the rows."""

import datetime as dt

import pytest
from django.urls import reverse

from dangwu.meetings.models import AbsenceCase, HeartTalk
from dangwu.meetings.services.absence import absence_case_open
from dangwu.orgs.models import Post
from tests import factories
from tests.members.test_views import assert_status, login, texts

TODAY = dt.date(2026, 11, 22)
GM = "general_meeting"
MATRIX = [
    ("anonymous", 302),
    ("no_role", 404),
    ("sibling", 404),
    ("own_org", 200),
    ("ancestor", 200),
]
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen(monkeypatch):
    monkeypatch.setattr("dangwu.core.clock.today", lambda: TODAY)


def absent_in(org, person, *months):
    for m in months:
        factories.meeting(org, GM, dt.date(2026, m, 10), absent=(person,))


@pytest.fixture
def p(tree):
    """赵六, absent from May to October 2026: six months."""
    person = factories.person(tree.branch, name="赵六", group=tree.group)
    absent_in(tree.branch, person, 5, 6, 7, 8, 9, 10)
    return person


@pytest.fixture
def case(p, worker):
    return absence_case_open(actor=worker, person=p, today=TODAY)


# --- permission matrix -------------------------------------------------------------------------


@pytest.mark.parametrize("page", ["rates", "talks", "talk_create"])
@pytest.mark.parametrize(("who", "expected"), MATRIX)
def test_branch_pages_permission_matrix(client, viewers, tree, page, who, expected):
    response = login(client, viewers, who).get(reverse(f"meetings:{page}", args=[tree.branch.pk]))

    assert_status(response, expected)


@pytest.mark.parametrize(("who", "expected"), MATRIX)
def test_decide_page_permission_matrix(client, viewers, case, who, expected):
    response = login(client, viewers, who).get(reverse("meetings:absence_decide", args=[case.pk]))

    assert_status(response, expected)


@pytest.mark.parametrize("page", ["rates", "talks", "talk_create"])
def test_a_missing_or_wrong_kind_of_organization_is_404(client, viewers, tree, page):
    login(client, viewers, "ancestor")

    assert client.get(reverse(f"meetings:{page}", args=[999999])).status_code == 404
    assert client.get(reverse(f"meetings:{page}", args=[tree.committee.pk])).status_code == 404


def test_a_group_leader_sees_the_rates_of_their_group_only(client, tree, p):
    leader = factories.user_with_role("gl", tree.group, kind="group_leader")
    client.force_login(leader)

    group_page = client.get(reverse("meetings:rates", args=[tree.group.pk]))
    branch_page = client.get(reverse("meetings:rates", args=[tree.branch.pk]))
    talks_page = client.get(reverse("meetings:talks", args=[tree.branch.pk]))

    assert [r.person.name for r in group_page.context["rows"]] == ["赵六"]
    assert (group_page.context["can_open"], group_page.context["can_decide"]) == (False, False)
    assert (branch_page.status_code, talks_page.status_code) == (404, 404)


def test_the_group_leader_cannot_open_or_decide(client, tree, p, case):
    client.force_login(factories.user_with_role("gl", tree.group, kind="group_leader"))

    opened = client.post(reverse("meetings:absence_open", args=[p.pk]))
    decided = client.post(
        reverse("meetings:absence_decide", args=[case.pk]),
        {"resolution": "proposed", "reason": "x", "decided_on": "2026-11-22"},
    )

    assert (opened.status_code, decided.status_code) == (404, 404)
    case.refresh_from_db()
    assert case.resolution == "open"


# --- the rates page ------------------------------------------------------------------------------


def test_rates_page_shows_rate_run_findings_and_the_open_button(client, tree, worker, p):
    q = factories.person(tree.branch, name="钱七")
    factories.meeting(tree.branch, GM, dt.date(2026, 3, 10), present=(q,))
    factories.meeting(tree.branch, GM, dt.date(2026, 4, 10), on_leave=(q,))
    client.force_login(worker)

    response = client.get(reverse("meetings:rates", args=[tree.branch.pk]))

    rows = {r.person.name: r for r in response.context["rows"]}
    assert (rows["赵六"].percent, rows["赵六"].months, rows["赵六"].can_open) == ("0.0%", 6, True)
    assert (rows["钱七"].percent, rows["钱七"].months, rows["钱七"].can_open) == (
        "100.0%",
        0,
        False,
    )
    assert [f.code for f in rows["赵六"].absence.findings] == ["LIFE-ABSENT-6"]
    html = response.content.decode()
    assert reverse("meetings:absence_open", args=[p.pk]) in html
    assert "已连续6个月未参加党的组织生活" in html


def test_rates_page_shows_an_open_case_with_its_decide_link(client, tree, worker, case):
    client.force_login(worker)

    response = client.get(reverse("meetings:rates", args=[tree.branch.pk]))

    [row] = response.context["rows"]
    assert (row.open_case, row.can_open) == (case, False)
    assert reverse("meetings:absence_decide", args=[case.pk]) in response.content.decode()


def test_a_bad_year_shows_this_year_with_a_message(client, tree, worker):
    client.force_login(worker)

    response = client.get(reverse("meetings:rates", args=[tree.branch.pk]), {"year": "2099"})

    assert response.context["year"] == 2026
    assert texts(response) == ["年份应为2000至2026之间的整数，已显示2026年。"]


def test_rates_page_queries_do_not_grow_with_members(
    client, tree, worker, django_assert_max_num_queries
):
    client.force_login(worker)
    people = [factories.person(tree.branch, name=f"党员{i}") for i in range(3)]
    absent_in(tree.branch, people[0], 5, 6, 7, 8, 9, 10)
    client.get(reverse("meetings:rates", args=[tree.branch.pk]))  # warm the session
    with django_assert_max_num_queries(10) as few:
        client.get(reverse("meetings:rates", args=[tree.branch.pk]))
    more = [factories.person(tree.branch, name=f"新党员{i}") for i in range(25)]
    for person in more[:5]:
        absent_in(tree.branch, person, 5, 6, 7, 8, 9, 10)
        absence_case_open(actor=worker, person=person, today=TODAY)

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("meetings:rates", args=[tree.branch.pk]))

    assert len(response.context["rows"]) == 28


# --- opening and deciding a case ----------------------------------------------------------------


def test_open_creates_the_case_and_returns_to_the_page(client, tree, worker, p):
    client.force_login(worker)
    back = reverse("meetings:rates", args=[tree.branch.pk]) + "?year=2026"

    response = client.post(reverse("meetings:absence_open", args=[p.pk]), {"next": back})

    assert (response.status_code, response.url) == (302, back)
    assert AbsenceCase.objects.get(person=p).months == 6


def test_open_before_six_months_says_why_and_creates_nothing(client, tree, worker):
    q = factories.person(tree.branch, name="孙八")
    absent_in(tree.branch, q, 8, 9, 10)
    client.force_login(worker)

    response = client.post(reverse("meetings:absence_open", args=[q.pk]), follow=True)

    assert texts(response) == ["孙八连续未参加组织生活3个月，未满6个月，无需按自行脱党程序处置。"]
    assert AbsenceCase.objects.count() == 0


@pytest.mark.parametrize("who", ["no_role", "sibling"])
def test_open_outside_the_scope_is_404(client, viewers, p, who):
    response = login(client, viewers, who).post(reverse("meetings:absence_open", args=[p.pk]))

    assert response.status_code == 404
    assert AbsenceCase.objects.count() == 0


def test_open_ignores_a_next_on_another_host(client, tree, worker, p):
    client.force_login(worker)

    response = client.post(
        reverse("meetings:absence_open", args=[p.pk]), {"next": "https://evil.example/"}
    )

    assert response.url == reverse("meetings:rates", args=[tree.branch.pk])


def test_decide_with_a_missing_approver_shows_the_error_and_changes_nothing(client, worker, case):
    client.force_login(worker)

    response = client.post(
        reverse("meetings:absence_decide", args=[case.pk]),
        {
            "resolution": "justified",
            "reason": "病休",
            "approved_by": "",
            "decided_on": "2026-11-22",
        },
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "approved_by": ["正当理由须经批准，请填写批准人或批准文件。"]
    }
    case.refresh_from_db()
    assert (case.resolution, case.reason) == ("open", "")


def test_decide_closes_the_case(client, tree, worker, case):
    client.force_login(worker)

    response = client.post(
        reverse("meetings:absence_decide", args=[case.pk]),
        {"resolution": "proposed", "reason": "无正当理由", "decided_on": "2026-11-22"},
        follow=True,
    )

    assert response.redirect_chain == [(reverse("meetings:rates", args=[tree.branch.pk]), 302)]
    assert texts(response) == ["赵六的不参加组织生活处置已办结：已提请支部大会按自行脱党处理。"]
    case.refresh_from_db()
    assert (case.resolution, case.decided_on, case.decided_by) == ("proposed", TODAY, worker)


def test_decide_with_a_bad_date_is_a_form_error(client, worker, case):
    client.force_login(worker)

    response = client.post(
        reverse("meetings:absence_decide", args=[case.pk]),
        {"resolution": "proposed", "reason": "x", "decided_on": "不是日期"},
    )

    assert response.context["form"].errors == {"decided_on": ["输入一个有效的日期。"]}
    case.refresh_from_db()
    assert case.resolution == "open"


# --- heart talks -----------------------------------------------------------------------------


@pytest.fixture
def committee(tree):
    people = [factories.person(tree.branch, name=n) for n in ("甲", "乙")]
    for person in people:
        Post.objects.create(
            organization=tree.branch,
            person=person,
            kind="committee_member",
            started_on=dt.date(2024, 1, 1),
            chosen_by="elected",
        )
    return people


def test_talk_list_shows_coverage_and_the_years_talks(client, tree, worker, committee):
    member = factories.person(tree.branch, name="丙")
    HeartTalk.objects.create(
        organization=tree.branch,
        person=committee[0],
        other=committee[1],
        date=dt.date(2026, 3, 1),
        topic="分工",
    )
    client.force_login(worker)

    response = client.get(reverse("meetings:talks", args=[tree.branch.pk]))

    cov = response.context["coverage"]
    assert [f.data["missing"] for f in cov.findings] == [["丙"]]
    assert [t.topic for t in response.context["page_obj"]] == ["分工"]
    assert "有1名党员与支部委员之间尚未谈心谈话（丙）" in response.content.decode()
    assert member.pk in [c.person.pk for c in cov.counts]


def test_talk_list_queries_do_not_grow(
    client, tree, worker, committee, django_assert_max_num_queries
):
    HeartTalk.objects.create(
        organization=tree.branch,
        person=committee[0],
        other=committee[1],
        date=dt.date(2026, 2, 1),
        topic="分工",
    )
    client.force_login(worker)
    client.get(reverse("meetings:talks", args=[tree.branch.pk]))
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("meetings:talks", args=[tree.branch.pk]))
    members = [factories.person(tree.branch, name=f"党员{i}") for i in range(10)]
    for m in members:
        HeartTalk.objects.create(
            organization=tree.branch,
            person=committee[0],
            other=m,
            date=dt.date(2026, 5, 1),
            topic="谈心",
        )

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("meetings:talks", args=[tree.branch.pk]))

    assert response.context["page_obj"].paginator.count == 11


def test_talk_create_records_and_returns_to_the_list(client, tree, worker, committee):
    member = factories.person(tree.branch, name="丙")
    client.force_login(worker)

    response = client.post(
        reverse("meetings:talk_create", args=[tree.branch.pk]),
        {"date": "2026-11-20", "person": committee[0].pk, "other": member.pk, "topic": "学习情况"},
        follow=True,
    )

    assert response.redirect_chain == [(reverse("meetings:talks", args=[tree.branch.pk]), 302)]
    assert texts(response) == ["已登记甲与丙的谈心谈话（2026-11-20）。"]
    talk = HeartTalk.objects.get()
    assert (talk.person, talk.other, talk.topic, talk.recorded_by) == (
        committee[0],
        member,
        "学习情况",
        worker,
    )


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        pytest.param(
            {"date": "2026-11-23", "topic": "谈心"},
            {"date": ["谈话日期不能晚于今天。"]},
            id="未来日期",
        ),
        pytest.param(
            {"date": "2026-11-20", "topic": ""}, {"topic": ["这个字段是必填项。"]}, id="无主题"
        ),
    ],
)
def test_talk_create_bad_input_shows_the_error_and_writes_nothing(
    client, tree, worker, committee, data, errors
):
    client.force_login(worker)

    response = client.post(
        reverse("meetings:talk_create", args=[tree.branch.pk]),
        {**data, "person": committee[0].pk, "other": committee[1].pk},
    )

    assert response.status_code == 200
    assert response.context["form"].errors == errors
    assert HeartTalk.objects.count() == 0


def test_talk_create_refuses_someone_not_on_the_branch(client, tree, worker, committee):
    outsider = factories.person(tree.sibling, name="外支部")
    client.force_login(worker)

    response = client.post(
        reverse("meetings:talk_create", args=[tree.branch.pk]),
        {"date": "2026-11-20", "person": committee[0].pk, "other": outsider.pk, "topic": "谈心"},
    )

    assert "other" in response.context["form"].errors
    assert response.context["form"].errors["other"][0].startswith("选择一个有效的选项")
    assert HeartTalk.objects.count() == 0


@pytest.mark.parametrize("who", ["no_role", "sibling"])
def test_talk_create_post_outside_the_scope_is_404(client, viewers, tree, committee, who):
    response = login(client, viewers, who).post(
        reverse("meetings:talk_create", args=[tree.branch.pk]),
        {
            "date": "2026-11-20",
            "person": committee[0].pk,
            "other": committee[1].pk,
            "topic": "谈心",
        },
    )

    assert response.status_code == 404
    assert HeartTalk.objects.count() == 0
