"""The workspace reads: my groups, the workspace's sections, notes only with a NOTES grant,
and a number of queries that does not grow with the group."""

import datetime as dt
from decimal import Decimal

import pytest

from dangwu.core.errors import NotFound
from dangwu.core.scope import scope_for
from dangwu.dues import services as dues_services
from dangwu.groupwork import selectors, services
from tests import factories
from tests.dues.conftest import run_months

TODAY = dt.date(2026, 11, 22)
D = dt.date
pytestmark = pytest.mark.django_db


def test_my_groups_for_a_leader_a_branch_role_and_a_stranger(tree, leader, worker, viewers):
    second = factories.org(tree.branch, "party_group", "第二党小组")
    factories.org(tree.sibling, "party_group", "教工小组")

    def names(user):
        return [(g.name, b.name) for g, b in selectors.my_groups(scope_for(user))]

    assert names(leader) == [("第一党小组", "本科生第一党支部")]
    assert names(worker) == [("第一党小组", "本科生第一党支部"), (second.name, "本科生第一党支部")]
    assert names(viewers["no_role"]) == []


def test_a_group_outside_the_scope_or_a_branch_is_not_found(tree, leader):
    scope = scope_for(leader)

    with pytest.raises(NotFound):
        selectors.group_get_for(scope, tree.branch.pk)
    with pytest.raises(NotFound):
        selectors.group_get_for(
            scope_for(factories.user_with_role("s", tree.sibling)), tree.group.pk
        )


def test_the_workspace_sections(tree, leader, leader_person, liming, member, activist, worker):
    factories.meeting(tree.group, "group_meeting", dt.date(2026, 11, 5), status="planned")
    factories.meeting(tree.group, "group_meeting", dt.date(2026, 10, 5))
    run_months(worker, tree.branch, dt.date(2026, 10, 1), dt.date(2026, 11, 1))
    open_task = services.task_create(
        actor=leader,
        group=tree.group,
        title="学习",
        assignee=liming,
        due_on=dt.date(2026, 11, 1),
        today=dt.date(2026, 10, 1),
    )
    done = services.task_create(
        actor=leader, group=tree.group, title="走访", assignee=member, due_on=TODAY, today=TODAY
    )
    services.task_complete(actor=leader, task=done, today=TODAY)
    services.opinion_record(
        actor=leader, organization=tree.group, from_whom="居民", content="路灯", today=TODAY
    )
    services.note_add(actor=leader, person=member, aspect="study", text="在读党史", today=TODAY)
    factories.meeting(tree.sibling, "group_meeting", dt.date(2026, 11, 6))  # not ours

    ws = selectors.workspace(scope_for(leader), tree.group, today=TODAY)

    assert [(r.person.name, r.post) for r in ws.members] == [
        ("李明", ""),
        ("王组长", ""),
        ("张三", ""),
    ]
    assert [(r.person.name, r.record_id, r.contacts) for r in ws.pipeline] == [("赵积极", None, [])]
    assert [(m.date, m.status) for m in ws.meetings] == [(dt.date(2026, 11, 5), "planned")]
    assert ws.meeting_held is False
    assert [(r.person.name, r.due_total) for r in ws.dues_rows] == [("张三", Decimal("91.34"))]
    assert ([t.pk for t in ws.open_tasks], [t.pk for t in ws.overdue_tasks]) == (
        [open_task.pk],
        [open_task.pk],
    )
    assert [t.pk for t in ws.to_check] == [done.pk]
    assert [n.text for n in ws.notes] == ["在读党史"]
    assert [o.content for o in ws.opinions] == ["路灯"]
    assert (ws.can_life, ws.can_collect, ws.can_approve) == (True, True, False)


@pytest.mark.parametrize("who", ["worker", "superuser"])
def test_the_workspace_hides_notes_without_a_notes_grant(
    tree, leader, member, worker, admin_user, who
):
    services.note_add(actor=leader, person=member, aspect="study", text="在读党史", today=TODAY)
    user = {"worker": worker, "superuser": admin_user}[who]

    ws = selectors.workspace(scope_for(user), tree.group, today=TODAY)

    assert ws.notes is None
    with pytest.raises(NotFound):
        selectors.member_notes(scope_for(user), tree.group, member.pk)


def test_the_workspace_shows_a_group_leader_post(tree, leader, leader_person):
    from dangwu.orgs.models import Post

    Post.objects.create(
        organization=tree.group,
        person=leader_person,
        kind="group_leader",
        started_on=dt.date(2025, 1, 1),
        chosen_by="elected",
    )

    ws = selectors.workspace(scope_for(leader), tree.group, today=TODAY)

    assert [(r.person.name, r.post) for r in ws.members] == [("王组长", "党小组长")]


def _fill(tree, leader, worker, n: int):
    people = [factories.person(tree.branch, name=f"成员{i}", group=tree.group) for i in range(n)]
    for p in people:
        dues_services.base_set(
            actor=worker,
            person=p,
            effective_month=dt.date(2026, 1, 1),
            category="employee",
            base=Decimal("3000.00"),
            today=dt.date(2026, 1, 5),
        )
        services.task_create(
            actor=leader, group=tree.group, title="学习", assignee=p, due_on=TODAY, today=TODAY
        )
        services.note_add(actor=leader, person=p, aspect="work", text="好", today=TODAY)
        services.opinion_record(
            actor=leader, organization=tree.group, from_whom="群众", content="意见", today=TODAY
        )
        factories.meeting(tree.group, "group_meeting", dt.date(2026, 11, 1), present=people[:1])
    run_months(worker, tree.branch, dt.date(2026, 11, 1), dt.date(2026, 11, 1))
    services.summary_draft(actor=leader, group=tree.group, period="2026-10", today=TODAY)


@pytest.mark.parametrize("n", [2, 12])
def test_the_workspace_reads_a_bounded_number_of_queries(
    tree, leader, worker, django_assert_max_num_queries, n
):
    _fill(tree, leader, worker, n)
    scope = scope_for(leader)

    with django_assert_max_num_queries(12):
        ws = selectors.workspace(scope, tree.group, today=TODAY)

    assert (len(ws.members), len(ws.open_tasks), len(ws.notes)) == (
        n + 1,
        n,
        min(n, 8),
    )  # with 王组长


def _contacts_timeline(*contacts):
    return {
        "steps": {
            "application": {"date": "2025-03-01"},
            "activist": {"date": "2025-09-10", "recommended_by": "party_members"},
            "contacts_assigned": {
                "date": "2025-09-12",
                "people": [{"name": c.name, "status": "full", "person_id": c.pk} for c in contacts],
            },
        }
    }


def test_the_workspace_names_the_contact_persons_of_activists_and_candidates(
    tree, leader, liming, member, activist
):
    candidate = factories.person(
        tree.branch, name="钱发展", group=tree.group, status="candidate", applied_on=D(2024, 3, 1)
    )
    applicant = factories.person(
        tree.branch, name="孙申请", group=tree.group, status="applicant", applied_on=D(2026, 9, 1)
    )
    no_contacts = factories.person(
        tree.branch, name="周积极", group=tree.group, status="activist", applied_on=D(2025, 3, 1)
    )
    rec = factories.development(activist, _contacts_timeline(member, liming))
    rec2 = factories.development(candidate, _contacts_timeline(member))
    rec3 = factories.development(
        no_contacts,
        {"steps": {"application": {"date": "2025-03-01"}}},
    )
    factories.development(applicant, {"steps": {"application": {"date": "2026-09-01"}}})

    ws = selectors.workspace(scope_for(leader), tree.group, today=TODAY)

    assert [
        (r.person.name, r.record_id, [(c.name, c.person_id) for c in r.contacts])
        for r in ws.pipeline
    ] == [
        ("钱发展", rec2.pk, [("张三", member.pk)]),
        ("孙申请", applicant.development.pk, []),
        ("赵积极", rec.pk, [("张三", member.pk), ("李明", liming.pk)]),
        ("周积极", rec3.pk, []),
    ]
    assert [r.has_contacts_stage for r in ws.pipeline] == [True, False, True, True]


def test_the_workspace_reads_contacts_in_one_query_whatever_their_number(
    tree, leader, member, django_assert_max_num_queries
):
    for i in range(6):
        p = factories.person(
            tree.branch,
            name=f"积极{i}",
            group=tree.group,
            status="activist",
            applied_on=D(2025, 3, 1),
        )
        factories.development(p, _contacts_timeline(member))
    scope = scope_for(leader)

    # 12 for the workspace without a pipeline (see above) + 1 for all the contact persons.
    with django_assert_max_num_queries(13):
        ws = selectors.workspace(scope, tree.group, today=TODAY)

    assert [len(r.contacts) for r in ws.pipeline] == [1] * 6


def test_a_leaders_notes_do_not_follow_the_member_to_another_group(tree, leader, liming):
    services.note_add(actor=leader, person=liming, aspect="life", text="家中有困难", today=TODAY)
    other = factories.org(tree.sibling, "party_group", "教工小组")
    other_leader = factories.user_with_role("other_leader", other, kind="group_leader")
    liming.branch, liming.group = tree.sibling, other
    liming.save(update_fields=["branch", "group"])

    notes = selectors.member_notes(scope_for(other_leader), other, liming.pk)

    assert notes.notes == []
