"""The group leader's pages: permission matrix (404 outside), notes only for the leader and
the branch committee, forms that refuse bad input in Chinese and write nothing, the summary
edited and submitted, and query counts that do not grow with the group."""

import datetime as dt

import pytest
from django.urls import reverse

from dangwu.groupwork import services
from dangwu.groupwork.models import GroupTask, MassOpinion, MemberNote, PeriodSummary
from tests import factories
from tests.members.test_views import assert_status, login

TODAY = dt.date(2026, 11, 22)
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
    monkeypatch.setattr("dangwu.groupwork.views.today", lambda: TODAY)


@pytest.fixture
def records(tree, leader, liming):
    task = services.task_create(
        actor=leader, group=tree.group, title="学习", assignee=liming, due_on=TODAY, today=TODAY
    )
    opinion = services.opinion_record(
        actor=leader, organization=tree.group, from_whom="居民", content="路灯", today=TODAY
    )
    summary = services.summary_draft(actor=leader, group=tree.group, period="2026-10", today=TODAY)
    return {"task": task, "opinion": opinion, "summary": summary}


def urls(tree, records):
    g = tree.group.pk
    return {
        "workspace": reverse("groupwork:workspace", args=[g]),
        "tasks": reverse("groupwork:tasks", args=[g]),
        "task_create": reverse("groupwork:task_create", args=[g]),
        "task_done": reverse("groupwork:task_done", args=[records["task"].pk]),
        "opinions": reverse("groupwork:opinions", args=[g]),
        "opinion_create": reverse("groupwork:opinion_create", args=[g]),
        "opinion_resolve": reverse("groupwork:opinion_resolve", args=[records["opinion"].pk]),
        "summaries": reverse("groupwork:summaries", args=[g]),
        "summary": reverse("groupwork:summary", args=[records["summary"].pk]),
    }


PAGES = [
    "workspace",
    "tasks",
    "task_create",
    "task_done",
    "opinions",
    "opinion_create",
    "opinion_resolve",
    "summaries",
    "summary",
]


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize(("who", "expected"), MATRIX)
def test_permission_matrix(client, viewers, tree, records, page, who, expected):
    response = login(client, viewers, who).get(urls(tree, records)[page])

    assert_status(response, expected)


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("anonymous", 302),
        ("no_role", 404),
        ("sibling", 404),
        ("own_org", 404),  # a party worker holds no NOTES grant
        ("ancestor", 404),
        ("superuser", 404),
        ("leader", 200),
        ("secretary", 200),
    ],
)
def test_notes_are_for_the_leader_and_the_branch_committee(
    client, viewers, tree, leader, secretary, admin_user, liming, who, expected
):
    services.note_add(actor=leader, person=liming, aspect="thinking", text="思想稳定", today=TODAY)
    users = {**viewers, "superuser": admin_user, "leader": leader, "secretary": secretary}
    url = reverse("groupwork:notes", args=[tree.group.pk, liming.pk])

    response = login(client, users, who).get(url)

    assert_status(response, expected)
    if expected == 200:
        assert "思想稳定" in response.content.decode()


@pytest.mark.parametrize("who", ["own_org", "superuser"])
def test_the_workspace_shows_no_notes_without_a_notes_grant(
    client, viewers, tree, leader, admin_user, liming, who
):
    services.note_add(actor=leader, person=liming, aspect="thinking", text="思想稳定", today=TODAY)
    users = {**viewers, "superuser": admin_user}

    body = login(client, users, who).get(reverse("groupwork:workspace", args=[tree.group.pk]))

    assert "思想稳定" not in body.content.decode()
    assert "近期党员情况记录" not in body.content.decode()


def test_the_leaders_workspace_shows_the_notes(client, tree, leader, liming):
    services.note_add(actor=leader, person=liming, aspect="thinking", text="思想稳定", today=TODAY)
    client.force_login(leader)

    body = client.get(reverse("groupwork:workspace", args=[tree.group.pk])).content.decode()

    assert "思想稳定" in body


def test_home_takes_a_leader_straight_to_the_group(client, tree, leader):
    client.force_login(leader)

    response = client.get(reverse("groupwork:home"))

    assert (response.status_code, response.url) == (
        302,
        reverse("groupwork:workspace", args=[tree.group.pk]),
    )


def test_home_lists_the_groups_and_my_own_tasks(client, tree, leader, worker, liming):
    factories.org(tree.branch, "party_group", "第二党小组")
    services.task_create(
        actor=leader, group=tree.group, title="读书笔记", assignee=liming, due_on=TODAY, today=TODAY
    )
    member_user = factories.user_with_role("lm", None, person=liming)
    client.force_login(worker)
    listing = client.get(reverse("groupwork:home")).content.decode()
    client.force_login(member_user)
    mine = client.get(reverse("groupwork:home")).content.decode()

    assert ("第一党小组" in listing, "第二党小组" in listing) == (True, True)
    assert ("读书笔记" in mine, "您不是党小组长" in mine) == (True, True)


def test_a_member_marks_their_own_task_done_from_the_page(client, tree, leader, liming):
    task = services.task_create(
        actor=leader, group=tree.group, title="读书笔记", assignee=liming, due_on=TODAY, today=TODAY
    )
    client.force_login(factories.user_with_role("lm", None, person=liming))

    response = client.post(
        reverse("groupwork:task_done", args=[task.pk]), {"done_on": "2026-11-21", "result": "已交"}
    )

    assert (response.status_code, response.url) == (302, reverse("groupwork:home"))
    assert GroupTask.objects.get(pk=task.pk).done_on == dt.date(2026, 11, 21)


def test_creating_a_task(client, tree, leader, liming):
    client.force_login(leader)

    response = client.post(
        reverse("groupwork:task_create", args=[tree.group.pk]),
        {"title": "学习二十大报告", "assignee": liming.pk, "due_on": "2026-11-30", "detail": ""},
    )

    assert response.status_code == 302
    assert list(GroupTask.objects.values_list("title", "assignee__name")) == [
        ("学习二十大报告", "李明")
    ]


def test_a_past_due_date_is_refused_in_chinese_and_nothing_is_written(client, tree, leader, liming):
    client.force_login(leader)

    response = client.post(
        reverse("groupwork:task_create", args=[tree.group.pk]),
        {"title": "学习", "assignee": liming.pk, "due_on": "2026-11-01"},
    )

    assert response.status_code == 200
    assert "完成期限不能早于今天（2026-11-22）。" in response.content.decode()
    assert GroupTask.objects.count() == 0


def test_a_member_of_another_group_cannot_be_chosen(client, tree, leader):
    outsider = factories.person(tree.branch, name="孙外组")
    client.force_login(leader)

    response = client.post(
        reverse("groupwork:task_create", args=[tree.group.pk]),
        {"title": "学习", "assignee": outsider.pk, "due_on": "2026-11-30"},
    )

    assert response.status_code == 200
    assert GroupTask.objects.count() == 0


def test_checking_a_task_from_the_page(client, tree, leader, liming):
    task = services.task_create(
        actor=leader, group=tree.group, title="学习", assignee=liming, due_on=TODAY, today=TODAY
    )
    services.task_complete(actor=leader, task=task, today=TODAY)
    client.force_login(leader)

    response = client.post(reverse("groupwork:task_check", args=[task.pk]), {"note": "好"})

    assert response.status_code == 302
    assert GroupTask.objects.get(pk=task.pk).check_note == "好"


def test_adding_a_note_and_a_bad_note(client, tree, leader, liming):
    client.force_login(leader)
    url = reverse("groupwork:notes", args=[tree.group.pk, liming.pk])

    bad = client.post(url, {"aspect": "work", "noted_on": "2026-11-30", "text": "加班"})
    good = client.post(url, {"aspect": "work", "noted_on": "2026-11-20", "text": "加班多"})

    assert "了解日期不能晚于今天（2026-11-22）。" in bad.content.decode()
    assert good.status_code == 302
    assert list(MemberNote.objects.values_list("text", flat=True)) == ["加班多"]


def test_recording_reporting_and_resolving_an_opinion(client, tree, leader):
    client.force_login(leader)
    client.post(
        reverse("groupwork:opinion_create", args=[tree.group.pk]),
        {"from_whom": "退休职工", "received_on": "2026-11-20", "content": "希望组织体检"},
    )
    o = MassOpinion.objects.get()

    client.post(reverse("groupwork:opinion_report", args=[o.pk]), {"reported_on": "2026-11-21"})
    client.post(
        reverse("groupwork:opinion_resolve", args=[o.pk]),
        {"resolved_on": "2026-11-22", "follow_up": "工会已安排"},
    )

    o.refresh_from_db()
    assert (o.status, o.reported_on, o.follow_up) == (
        "resolved",
        dt.date(2026, 11, 21),
        "工会已安排",
    )


def test_a_report_before_receipt_shows_the_reason_and_changes_nothing(client, tree, leader):
    o = services.opinion_record(
        actor=leader,
        organization=tree.group,
        from_whom="居民",
        content="路灯",
        received_on=dt.date(2026, 11, 20),
        today=TODAY,
    )
    client.force_login(leader)

    response = client.post(
        reverse("groupwork:opinion_report", args=[o.pk]), {"reported_on": "2026-11-19"}, follow=True
    )

    assert "反映日期不能早于收集日期（2026-11-20）。" in response.content.decode()
    assert MassOpinion.objects.get(pk=o.pk).status == "open"


def test_drafting_editing_and_submitting_a_summary(client, tree, leader):
    client.force_login(leader)

    drafted = client.post(
        reverse("groupwork:summaries", args=[tree.group.pk]), {"period": "2026-Q3"}
    )
    s = PeriodSummary.objects.get()
    client.post(reverse("groupwork:summary", args=[s.pk]), {"text": "三季度总结", "action": "save"})
    client.post(
        reverse("groupwork:summary", args=[s.pk]), {"text": "三季度总结定稿", "action": "submit"}
    )
    after = client.post(
        reverse("groupwork:summary", args=[s.pk]), {"text": "再改", "action": "save"}
    )

    s.refresh_from_db()
    assert drafted.url == reverse("groupwork:summary", args=[s.pk])
    assert (s.period, s.status, s.text, s.submitted_by) == (
        "2026-Q3",
        "submitted",
        "三季度总结定稿",
        leader,
    )
    assert after.status_code == 302


def test_an_ancestor_party_worker_reads_a_summary_but_cannot_edit_it(
    client, viewers, tree, records
):
    s = records["summary"]
    client.force_login(viewers["sibling"])
    assert client.get(reverse("groupwork:summary", args=[s.pk])).status_code == 404

    client.force_login(viewers["ancestor"])
    response = client.post(
        reverse("groupwork:summary", args=[s.pk]), {"text": "改", "action": "save"}
    )

    assert response.status_code == 302  # ancestor party workers hold LIFE: they may edit
    assert PeriodSummary.objects.get(pk=s.pk).text == "改"


def _activist_with_contacts(tree, name, *contacts):
    p = factories.person(
        tree.branch, name=name, group=tree.group, status="activist", applied_on=dt.date(2025, 3, 1)
    )
    factories.development(
        p,
        {
            "steps": {
                "application": {"date": "2025-03-01"},
                "activist": {"date": "2025-09-10", "recommended_by": "party_members"},
                "contacts_assigned": {
                    "date": "2025-09-12",
                    "people": [
                        {"name": c.name, "status": "full", "person_id": c.pk} for c in contacts
                    ],
                },
            }
        },
    )
    return p


def test_the_workspace_shows_the_contact_persons_of_an_activist(
    client, tree, leader, liming, member, activist
):
    other = _activist_with_contacts(tree, "钱积极", member, liming)
    client.force_login(leader)

    body = client.get(reverse("groupwork:workspace", args=[tree.group.pk])).content.decode()

    assert "培养联系人待发展党员模块登记" not in body
    assert f'<a href="{reverse("members:detail", args=[member.pk])}">张三</a>、' in body
    assert f'<a href="{reverse("members:detail", args=[liming.pk])}">李明</a>' in body
    # The leader reads the thought reports; the timeline is the branch's (VIEW on it).
    assert reverse("development:reports", args=[other.pk]) in body
    assert f'href="{reverse("development:person", args=[other.pk])}"' not in body
    assert client.get(reverse("development:reports", args=[other.pk])).status_code == 200
    # 赵积极 has no development record yet: no links, contacts not named.
    assert reverse("development:reports", args=[activist.pk]) not in body
    assert "尚未指定" in body


def test_a_branch_worker_gets_the_timeline_link_in_the_workspace(client, tree, worker, member):
    other = _activist_with_contacts(tree, "钱积极", member)
    client.force_login(worker)

    body = client.get(reverse("groupwork:workspace", args=[tree.group.pk])).content.decode()

    assert reverse("development:person", args=[other.pk]) in body


@pytest.mark.parametrize("n", [1, 10])
def test_the_workspace_page_query_count(
    client, tree, leader, member, django_assert_max_num_queries, n
):
    for i in range(n):
        p = factories.person(tree.branch, name=f"成员{i}", group=tree.group)
        services.task_create(
            actor=leader, group=tree.group, title="学习", assignee=p, due_on=TODAY, today=TODAY
        )
        services.note_add(actor=leader, person=p, aspect="work", text="好", today=TODAY)
        _activist_with_contacts(tree, f"积极{i}", member)
    client.force_login(leader)
    client.get(reverse("groupwork:workspace", args=[tree.group.pk]))  # warm the session

    # 20 before the contact persons were shown; one query reads them for every activist.
    with django_assert_max_num_queries(21):
        response = client.get(reverse("groupwork:workspace", args=[tree.group.pk]))

    assert response.status_code == 200
