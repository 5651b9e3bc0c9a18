"""The group leader's writes: who may, boundaries, bad input gives a Chinese error and
changes nothing, a submitted summary is locked."""

import datetime as dt

import pytest

from dangwu.core.errors import DomainError, InvalidInput, NotFound
from dangwu.groupwork import services
from dangwu.groupwork.models import (
    GroupTask,
    MassOpinion,
    MemberNote,
    OpinionStatus,
    PeriodSummary,
    SummaryStatus,
)
from tests import factories

TODAY = dt.date(2026, 11, 22)
pytestmark = pytest.mark.django_db


def task_for(leader, group, person, **kw):
    values = {
        "title": "走访困难职工",
        "assignee": person,
        "due_on": dt.date(2026, 11, 30),
        "today": TODAY,
    }
    values.update(kw)
    return services.task_create(actor=leader, group=group, **values)


# --- tasks ----------------------------------------------------------------------------------


def test_the_leader_gives_a_member_a_task(tree, leader, liming):
    task = task_for(leader, tree.group, liming, detail="了解生活困难")

    assert (task.title, task.assignee, task.due_on, task.created_by) == (
        "走访困难职工",
        liming,
        dt.date(2026, 11, 30),
        leader,
    )
    assert task.history.first().history_user == leader


def test_a_task_due_today_is_accepted_and_yesterday_refused(tree, leader, liming):
    assert task_for(leader, tree.group, liming, due_on=TODAY).due_on == TODAY

    with pytest.raises(InvalidInput) as exc:
        task_for(leader, tree.group, liming, due_on=TODAY - dt.timedelta(days=1))

    assert exc.value.fields == {"due_on": ["完成期限不能早于今天（2026-11-22）。"]}
    assert GroupTask.objects.count() == 1


@pytest.mark.parametrize(
    ("title", "message"),
    [("", "请填写任务。"), ("   ", "请填写任务。"), ("长" * 201, "任务不能超过200字。")],
)
def test_a_task_without_a_proper_title_is_refused(tree, leader, liming, title, message):
    with pytest.raises(InvalidInput) as exc:
        task_for(leader, tree.group, liming, title=title)

    assert exc.value.message == message
    assert GroupTask.objects.count() == 0


def test_a_task_for_someone_outside_the_group_is_refused(tree, leader):
    outsider = factories.person(tree.branch, name="孙外组")

    with pytest.raises(InvalidInput) as exc:
        task_for(leader, tree.group, outsider)

    assert exc.value.message == "孙外组不是本党小组的在册人员。"
    assert GroupTask.objects.count() == 0


def test_a_task_for_an_activist_is_refused(tree, leader, activist):
    with pytest.raises(InvalidInput) as exc:
        task_for(leader, tree.group, activist)

    assert exc.value.message == "赵积极是入党积极分子，党小组任务布置给党员。"


def test_a_leader_of_another_group_cannot_give_tasks_here(tree, liming):
    other = factories.org(tree.branch, "party_group", "第二党小组")
    stranger = factories.user_with_role("other", other, "group_leader")

    with pytest.raises(NotFound):
        task_for(stranger, tree.group, liming)

    assert GroupTask.objects.count() == 0


def test_tasks_go_to_party_groups_only(tree, worker, liming):
    with pytest.raises(InvalidInput) as exc:
        services.task_create(
            actor=worker,
            group=tree.branch,
            title="x",
            assignee=liming,
            due_on=TODAY,
            today=TODAY,
        )

    assert exc.value.message == "“本科生第一党支部”不是党小组。"


def test_the_assignee_marks_their_own_task_done_and_the_leader_checks_it(tree, leader, liming):
    task = task_for(leader, tree.group, liming)
    member_user = factories.user_with_role("liming", None, person=liming)

    services.task_complete(actor=member_user, task=task, result="已走访3户", today=TODAY)
    services.task_check(actor=leader, task=task, note="完成得好")

    task.refresh_from_db()
    assert (task.done_on, task.result, task.checked_by, task.check_note) == (
        TODAY,
        "已走访3户",
        leader,
        "完成得好",
    )


def test_a_member_cannot_complete_someone_elses_task(tree, leader, liming, leader_person):
    task = task_for(leader, tree.group, leader_person)
    member_user = factories.user_with_role("liming", None, person=liming)

    with pytest.raises(NotFound):
        services.task_complete(actor=member_user, task=task, today=TODAY)

    task.refresh_from_db()
    assert task.done_on is None


def test_a_task_cannot_be_done_in_the_future_twice_or_checked_before_done(tree, leader, liming):
    task = task_for(leader, tree.group, liming)

    with pytest.raises(DomainError) as early:
        services.task_check(actor=leader, task=task)
    with pytest.raises(InvalidInput) as future:
        services.task_complete(
            actor=leader, task=task, done_on=TODAY + dt.timedelta(days=1), today=TODAY
        )
    services.task_complete(actor=leader, task=task, today=TODAY)
    with pytest.raises(DomainError) as twice:
        services.task_complete(actor=leader, task=task, today=TODAY)

    assert early.value.message == "任务“走访困难职工”尚未完成，完成后才能检查。"
    assert future.value.fields == {"done_on": ["完成日期不能晚于今天（2026-11-22）。"]}
    assert twice.value.message == "任务“走访困难职工”已于2026-11-22完成。"


def test_a_task_is_checked_once(tree, leader, liming):
    task = task_for(leader, tree.group, liming)
    services.task_complete(actor=leader, task=task, today=TODAY)
    services.task_check(actor=leader, task=task)
    first = GroupTask.objects.get(pk=task.pk).checked_at

    with pytest.raises(DomainError) as exc:
        services.task_check(actor=leader, task=task, note="again")

    assert exc.value.message == "任务“走访困难职工”已检查。"
    assert GroupTask.objects.get(pk=task.pk).checked_at == first


# --- notes ----------------------------------------------------------------------------------


def test_the_leader_and_the_secretary_note_a_members_thinking(tree, leader, secretary, liming):
    services.note_add(actor=leader, person=liming, aspect="thinking", text="思想稳定", today=TODAY)
    services.note_add(
        actor=secretary, person=liming, aspect="life", text="家中老人住院", today=TODAY
    )

    assert list(MemberNote.objects.order_by("id").values_list("aspect", "text", "group")) == [
        ("thinking", "思想稳定", tree.group.pk),
        ("life", "家中老人住院", tree.group.pk),
    ]


@pytest.mark.parametrize("who", ["worker", "superuser"])
def test_notes_need_a_real_notes_grant(tree, worker, admin_user, liming, who):
    actor = {"worker": worker, "superuser": admin_user}[who]

    with pytest.raises(NotFound):
        services.note_add(actor=actor, person=liming, aspect="work", text="x", today=TODAY)

    assert MemberNote.objects.count() == 0


def test_a_note_on_someone_without_a_group_is_not_found(tree, secretary):
    loose = factories.person(tree.branch, name="孙外组")

    with pytest.raises(NotFound):
        services.note_add(actor=secretary, person=loose, aspect="work", text="x", today=TODAY)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"aspect": "health", "text": "x"}, "请选择思想、工作、学习或生活。"),
        ({"aspect": "work", "text": "  "}, "请填写情况。"),
        (
            {"aspect": "work", "text": "x", "noted_on": dt.date(2026, 11, 23)},
            "了解日期不能晚于今天（2026-11-22）。",
        ),
    ],
)
def test_a_bad_note_is_refused(tree, leader, liming, fields, message):
    with pytest.raises(InvalidInput) as exc:
        services.note_add(actor=leader, person=liming, today=TODAY, **fields)

    assert exc.value.message == message
    assert MemberNote.objects.count() == 0


# --- opinions -------------------------------------------------------------------------------


def opinion(leader, tree, **kw):
    values = {
        "from_whom": "3号楼居民",
        "content": "楼道灯坏了",
        "received_on": dt.date(2026, 11, 2),
        "today": TODAY,
    }
    values.update(kw)
    return services.opinion_record(actor=leader, organization=tree.group, **values)


def test_an_opinion_is_recorded_reported_and_resolved(tree, leader):
    o = opinion(leader, tree)
    services.opinion_report(actor=leader, opinion=o, reported_on=dt.date(2026, 11, 3), today=TODAY)
    services.opinion_resolve(
        actor=leader,
        opinion=o,
        follow_up="物业已修复",
        resolved_on=dt.date(2026, 11, 10),
        today=TODAY,
    )

    o.refresh_from_db()
    assert (o.status, o.reported_on, o.resolved_on, o.follow_up) == (
        OpinionStatus.RESOLVED,
        dt.date(2026, 11, 3),
        dt.date(2026, 11, 10),
        "物业已修复",
    )


def test_an_opinion_is_reported_once_and_not_before_it_was_received(tree, leader):
    o = opinion(leader, tree)

    with pytest.raises(InvalidInput) as early:
        services.opinion_report(
            actor=leader, opinion=o, reported_on=dt.date(2026, 11, 1), today=TODAY
        )
    services.opinion_report(actor=leader, opinion=o, today=TODAY)
    with pytest.raises(DomainError) as twice:
        services.opinion_report(actor=leader, opinion=o, today=TODAY)

    assert early.value.message == "反映日期不能早于收集日期（2026-11-02）。"
    assert twice.value.message == "该意见已向支部反映，不能再次反映。"
    assert MassOpinion.objects.get(pk=o.pk).reported_on == TODAY


def test_resolving_needs_the_follow_up_and_happens_once(tree, leader):
    o = opinion(leader, tree)

    with pytest.raises(InvalidInput) as empty:
        services.opinion_resolve(actor=leader, opinion=o, follow_up=" ", today=TODAY)
    services.opinion_resolve(actor=leader, opinion=o, follow_up="小组自行解决", today=TODAY)
    with pytest.raises(DomainError) as twice:
        services.opinion_resolve(actor=leader, opinion=o, follow_up="再次", today=TODAY)

    assert empty.value.fields == {"follow_up": ["请填写办理情况。"]}
    assert twice.value.message == "该意见已办结。"
    assert MassOpinion.objects.get(pk=o.pk).follow_up == "小组自行解决"


def test_a_future_opinion_and_one_from_nobody_are_refused(tree, leader):
    with pytest.raises(InvalidInput) as future:
        opinion(leader, tree, received_on=dt.date(2026, 12, 1))
    with pytest.raises(InvalidInput) as nobody:
        opinion(leader, tree, from_whom="")

    assert future.value.message == "收集日期不能晚于今天（2026-11-22）。"
    assert nobody.value.message == "请填写反映人。"
    assert MassOpinion.objects.count() == 0


def test_a_sibling_worker_cannot_touch_the_groups_opinions(tree, leader, viewers):
    o = opinion(leader, tree)

    with pytest.raises(NotFound):
        services.opinion_report(actor=viewers["sibling"], opinion=o, today=TODAY)

    assert MassOpinion.objects.get(pk=o.pk).status == OpinionStatus.OPEN


# --- summaries ------------------------------------------------------------------------------


def test_a_draft_summary_gets_figures_and_a_first_text(tree, leader, liming):
    s = services.summary_draft(actor=leader, group=tree.group, period="2026-10", today=TODAY)

    assert (s.period, s.period_start, s.period_end, s.status) == (
        "2026-10",
        dt.date(2026, 10, 1),
        dt.date(2026, 10, 31),
        SummaryStatus.DRAFT,
    )
    assert s.text.splitlines()[0] == "2026年10月，本小组共有党员2名。"


def test_redrafting_keeps_the_leaders_text(tree, leader, liming):
    s = services.summary_draft(actor=leader, group=tree.group, period="2026-Q3", today=TODAY)
    services.summary_edit(actor=leader, summary=s, text="我们的总结")

    again = services.summary_draft(actor=leader, group=tree.group, period="2026-q3", today=TODAY)

    assert (again.pk, again.text, PeriodSummary.objects.count()) == (s.pk, "我们的总结", 1)


@pytest.mark.parametrize(
    ("period", "message"),
    [
        ("2026-13", "月份序号应在1至12之间，实际为13。"),
        (
            "2026年10月",
            "期间应写作 2025-03（月）、2025-Q2（季度）或 2025（年度），实际为'2026年10月'。",
        ),
        ("2026-12", "2026年12月尚未开始，不能起草总结。"),
    ],
)
def test_a_bad_period_is_refused(tree, leader, period, message):
    with pytest.raises(InvalidInput) as exc:
        services.summary_draft(actor=leader, group=tree.group, period=period, today=TODAY)

    assert exc.value.message == message
    assert PeriodSummary.objects.count() == 0


def test_a_running_period_is_submitted_from_its_last_day(tree, leader):
    s = services.summary_draft(actor=leader, group=tree.group, period="2026-11", today=TODAY)

    with pytest.raises(DomainError) as exc:
        services.summary_submit(actor=leader, summary=s, today=TODAY)
    done = services.summary_submit(actor=leader, summary=s, today=dt.date(2026, 11, 30))

    assert exc.value.message == "2026年11月尚未结束，2026-11-30起才能报送总结。"
    assert (done.status, done.submitted_by) == (SummaryStatus.SUBMITTED, leader)


def test_a_submitted_summary_is_locked(tree, leader):
    s = services.summary_draft(actor=leader, group=tree.group, period="2026-10", today=TODAY)
    services.summary_submit(actor=leader, summary=s, text="十月总结", today=TODAY)

    with pytest.raises(DomainError) as edit:
        services.summary_edit(actor=leader, summary=s, text="改")
    with pytest.raises(DomainError) as redraft:
        services.summary_draft(actor=leader, group=tree.group, period="2026-10", today=TODAY)
    with pytest.raises(DomainError) as resubmit:
        services.summary_submit(actor=leader, summary=s, today=TODAY)

    assert edit.value.code == redraft.value.code == resubmit.value.code == "SUMMARY_LOCKED"
    assert edit.value.message == "2026-10的工作总结已报送支部，不能再修改。"
    assert PeriodSummary.objects.get(pk=s.pk).text == "十月总结"


def test_an_empty_summary_is_not_submitted(tree, leader):
    s = services.summary_draft(actor=leader, group=tree.group, period="2026-10", today=TODAY)

    with pytest.raises(InvalidInput) as exc:
        services.summary_submit(actor=leader, summary=s, text="  ", today=TODAY)

    assert exc.value.fields == {"text": ["请填写总结内容。"]}
    assert PeriodSummary.objects.get(pk=s.pk).status == SummaryStatus.DRAFT
