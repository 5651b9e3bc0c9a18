"""Every write of the group leader's workspace: tasks, notes on members, opinions of the
masses, period summaries.

Each service: authorize on the group's path (outside the scope → ``NotFound``, the same
404 as a missing record) → check the input → write with ``full_clean()`` and the actor on
the history row → return. A refused action raises a ``DomainError`` with a Chinese
message and writes nothing.

Who may do what: ``Perm.LIFE`` on the group (its leader, the branch committee and party
workers above) gives tasks, records opinions and writes summaries; notes need a real
``Perm.NOTES`` grant (``selectors.can_keep_notes``); a member may mark their own task done.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from dangwu.core import clock
from dangwu.core.audit import as_actor
from dangwu.core.errors import DomainError, InvalidInput, NotFound
from dangwu.core.scope import Perm, scope_for
from dangwu.groupwork.figures import period_figures
from dangwu.groupwork.models import (
    GroupTask,
    MassOpinion,
    MemberNote,
    NoteAspect,
    OpinionStatus,
    PeriodSummary,
    SummaryStatus,
)
from dangwu.groupwork.selectors import can_keep_notes
from dangwu.meetings.periods import Period
from dangwu.members.choices import MEMBER_STATUSES
from dangwu.members.models import Person
from dangwu.orgs.choices import OrgKind
from dangwu.orgs.models import Organization

TITLE_MAX = 200
TEXT_MAX = 5000


def _user(actor):
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


def _require_group(actor, group: Organization, perm: Perm) -> None:
    """``perm`` on a party group in use; a group outside the scope is not found."""
    scope_for(actor).require(group.path, perm)
    if group.kind != OrgKind.PARTY_GROUP:
        raise InvalidInput(f"“{group.name}”不是党小组。", code="NOT_GROUP")
    if group.dissolved_on is not None:
        raise DomainError(f"党小组“{group.name}”已撤销，不能再登记。", code="GROUP_DISSOLVED")


def _text(value: str, field: str, label: str, *, max_length: int = TEXT_MAX) -> str:
    value = (value or "").strip()
    if not value:
        raise InvalidInput(f"请填写{label}。", fields={field: [f"请填写{label}。"]})
    if len(value) > max_length:
        message = f"{label}不能超过{max_length}字。"
        raise InvalidInput(message, fields={field: [message]})
    return value


def _not_after_today(value: dt.date, today: dt.date, field: str, label: str) -> None:
    if value > today:
        message = f"{label}不能晚于今天（{today:%Y-%m-%d}）。"
        raise InvalidInput(message, fields={field: [message]})


# --- tasks ---------------------------------------------------------------------------------


@transaction.atomic
def task_create(
    *,
    actor,
    group: Organization,
    title: str,
    assignee: Person,
    due_on: dt.date,
    detail: str = "",
    today: dt.date | None = None,
) -> GroupTask:
    """Give a member of the group a piece of work with a due date (seed 004)."""
    today = today or clock.today()
    _require_group(actor, group, Perm.LIFE)
    title = _text(title, "title", "任务", max_length=TITLE_MAX)
    if assignee.group_id != group.pk or not assignee.is_active:
        raise InvalidInput(
            f"{assignee.name}不是本党小组的在册人员。",
            fields={"assignee": ["请选择本党小组的党员。"]},
        )
    if assignee.status not in MEMBER_STATUSES:
        raise InvalidInput(
            f"{assignee.name}是{assignee.get_status_display()}，党小组任务布置给党员。",
            fields={"assignee": ["请选择本党小组的党员。"]},
        )
    if due_on < today:
        message = f"完成期限不能早于今天（{today:%Y-%m-%d}）。"
        raise InvalidInput(message, fields={"due_on": [message]})
    task = GroupTask(
        group=group,
        title=title,
        detail=(detail or "").strip()[:TEXT_MAX],
        assignee=assignee,
        due_on=due_on,
        created_by=_user(actor),
    )
    task.full_clean()
    as_actor(task, actor)
    task.save()
    return task


def _lock_task(task: GroupTask) -> GroupTask:
    return GroupTask.objects.select_for_update().select_related("group", "assignee").get(pk=task.pk)


@transaction.atomic
def task_complete(
    *,
    actor,
    task: GroupTask,
    done_on: dt.date | None = None,
    result: str = "",
    today: dt.date | None = None,
) -> GroupTask:
    """Mark a task done: by the member it was given to, or by whoever may give tasks."""
    today = today or clock.today()
    task = _lock_task(task)
    own = getattr(actor, "person_id", None) == task.assignee_id and _user(actor) is not None
    if not own:
        scope_for(actor).require(task.group.path, Perm.LIFE)
    if task.done_on is not None:
        raise DomainError(f"任务“{task.title}”已于{task.done_on:%Y-%m-%d}完成。", code="TASK_DONE")
    done_on = done_on or today
    _not_after_today(done_on, today, "done_on", "完成日期")
    task.done_on = done_on
    task.result = (result or "").strip()[:TEXT_MAX]
    task.full_clean()
    as_actor(task, actor)
    task.save(update_fields=["done_on", "result"])
    return task


@transaction.atomic
def task_check(*, actor, task: GroupTask, note: str = "") -> GroupTask:
    """The leader checks a task that was done (seed 004: 负责检查督促)."""
    task = _lock_task(task)
    scope_for(actor).require(task.group.path, Perm.LIFE)
    if task.done_on is None:
        raise DomainError(f"任务“{task.title}”尚未完成，完成后才能检查。", code="TASK_NOT_DONE")
    if task.checked_at is not None:
        raise DomainError(f"任务“{task.title}”已检查。", code="TASK_CHECKED")
    user = _user(actor)
    if user is None:
        raise NotFound()
    task.checked_at = timezone.now()
    task.checked_by = user
    task.check_note = (note or "").strip()[:300]
    task.full_clean()
    as_actor(task, actor)
    task.save(update_fields=["checked_at", "checked_by", "check_note"])
    return task


# --- notes on members ----------------------------------------------------------------------


@transaction.atomic
def note_add(
    *,
    actor,
    person: Person,
    aspect: str,
    text: str,
    noted_on: dt.date | None = None,
    today: dt.date | None = None,
) -> MemberNote:
    """Note what the leader learned of a member's thinking, work, study or life."""
    today = today or clock.today()
    person = Person.objects.select_related("group").get(pk=person.pk)
    group = person.group
    if group is None or not can_keep_notes(scope_for(actor), group.path):
        raise NotFound()
    if aspect not in NoteAspect.values:
        raise InvalidInput("请选择思想、工作、学习或生活。", fields={"aspect": ["请选择方面。"]})
    text = _text(text, "text", "情况")
    noted_on = noted_on or today
    _not_after_today(noted_on, today, "noted_on", "了解日期")
    note = MemberNote(
        person=person,
        group=group,
        aspect=aspect,
        text=text,
        noted_on=noted_on,
        author=_user(actor),
    )
    note.full_clean()
    as_actor(note, actor)
    note.save()
    return note


# --- opinions of the masses ----------------------------------------------------------------


@transaction.atomic
def opinion_record(
    *,
    actor,
    organization: Organization,
    from_whom: str,
    content: str,
    received_on: dt.date | None = None,
    today: dt.date | None = None,
) -> MassOpinion:
    """Record a request or opinion the group heard from the masses."""
    today = today or clock.today()
    scope_for(actor).require(organization.path, Perm.LIFE)
    if organization.dissolved_on is not None:
        raise DomainError(f"“{organization.name}”已撤销，不能再登记。", code="GROUP_DISSOLVED")
    from_whom = _text(from_whom, "from_whom", "反映人", max_length=100)
    content = _text(content, "content", "意见和要求")
    received_on = received_on or today
    _not_after_today(received_on, today, "received_on", "收集日期")
    opinion = MassOpinion(
        organization=organization,
        from_whom=from_whom,
        content=content,
        received_on=received_on,
        recorded_by=_user(actor),
    )
    opinion.full_clean()
    as_actor(opinion, actor)
    opinion.save()
    return opinion


def _lock_opinion(actor, opinion: MassOpinion) -> MassOpinion:
    opinion = (
        MassOpinion.objects.select_for_update().select_related("organization").get(pk=opinion.pk)
    )
    scope_for(actor).require(opinion.organization.path, Perm.LIFE)
    return opinion


@transaction.atomic
def opinion_report(
    *,
    actor,
    opinion: MassOpinion,
    reported_on: dt.date | None = None,
    today: dt.date | None = None,
) -> MassOpinion:
    """Report an open opinion to the branch (seed 004: 及时反映群众的意见和要求)."""
    today = today or clock.today()
    opinion = _lock_opinion(actor, opinion)
    if opinion.status != OpinionStatus.OPEN:
        raise DomainError(
            f"该意见{opinion.get_status_display()}，不能再次反映。", code="OPINION_NOT_OPEN"
        )
    reported_on = reported_on or today
    _not_after_today(reported_on, today, "reported_on", "反映日期")
    if reported_on < opinion.received_on:
        message = f"反映日期不能早于收集日期（{opinion.received_on:%Y-%m-%d}）。"
        raise InvalidInput(message, fields={"reported_on": [message]})
    opinion.status = OpinionStatus.REPORTED
    opinion.reported_on = reported_on
    opinion.full_clean()
    as_actor(opinion, actor)
    opinion.save(update_fields=["status", "reported_on"])
    return opinion


@transaction.atomic
def opinion_resolve(
    *,
    actor,
    opinion: MassOpinion,
    follow_up: str,
    resolved_on: dt.date | None = None,
    today: dt.date | None = None,
) -> MassOpinion:
    """Close an opinion with what was done about it (reported first or settled by the group)."""
    today = today or clock.today()
    opinion = _lock_opinion(actor, opinion)
    if opinion.status == OpinionStatus.RESOLVED:
        raise DomainError("该意见已办结。", code="OPINION_RESOLVED")
    follow_up = _text(follow_up, "follow_up", "办理情况")
    resolved_on = resolved_on or today
    _not_after_today(resolved_on, today, "resolved_on", "办结日期")
    earliest = max(filter(None, [opinion.received_on, opinion.reported_on]))
    if resolved_on < earliest:
        message = f"办结日期不能早于{earliest:%Y-%m-%d}。"
        raise InvalidInput(message, fields={"resolved_on": [message]})
    opinion.status = OpinionStatus.RESOLVED
    opinion.follow_up = follow_up
    opinion.resolved_on = resolved_on
    opinion.full_clean()
    as_actor(opinion, actor)
    opinion.save(update_fields=["status", "follow_up", "resolved_on"])
    return opinion


# --- period summaries ----------------------------------------------------------------------


def parse_period(label: str | Period) -> Period:
    if isinstance(label, Period):
        return label
    try:
        return Period.parse((label or "").strip())
    except ValueError as exc:
        raise InvalidInput(str(exc), fields={"period": [str(exc)]}) from exc


def draft_text(figures: dict) -> str:
    """A first text for the leader to edit: the figures in sentences."""
    a, t, o = figures["attendance"], figures["tasks"], figures["opinions"]
    rate = f"，出席率{a['rate']}%" if a["rate"] is not None else ""
    return "\n".join(
        [
            f"{figures['period_zh']}，本小组共有党员{figures['members']}名。",
            f"召开党小组会{figures['meetings_held']}次，应到{a['expected']}人次，"
            f"实到{a['present']}人次，请假{a['on_leave']}人次，缺席{a['absent']}人次{rate}。",
            f"收缴党费{figures['dues_collected']}元（{figures['dues_payers']}人）。",
            f"布置任务{t['total']}项，完成{t['done']}项（按期完成{t['on_time']}项）。",
            f"收集群众意见{o['received']}条，向支部反映{o['reported']}条，办结{o['resolved']}条。",
            "",
            "主要工作：",
            "",
            "存在问题和下一步打算：",
        ]
    )


def _refresh(summary: PeriodSummary, group: Organization, period: Period) -> None:
    summary.figures = period_figures(group, period)
    summary.figures_at = timezone.now()


@transaction.atomic
def summary_draft(
    *, actor, group: Organization, period: str | Period, today: dt.date | None = None
) -> PeriodSummary:
    """Draft (or re-draft) the group's summary of a month, quarter or year: the figures are
    read again from the period's records; the leader's text is kept (a first text is
    written from the figures when there is none). A submitted summary does not change."""
    today = today or clock.today()
    _require_group(actor, group, Perm.LIFE)
    p = parse_period(period)
    if not p.has_started(today):
        message = f"{p.zh}尚未开始，不能起草总结。"
        raise InvalidInput(message, fields={"period": [message]})
    summary, _ = PeriodSummary.objects.select_for_update().get_or_create(
        group=group,
        period=p.label,
        defaults={"period_start": p.start, "period_end": p.end, "created_by": _user(actor)},
    )
    if summary.is_locked:
        raise DomainError(
            f"{p.zh}的工作总结已于{timezone.localtime(summary.submitted_at):%Y-%m-%d}报送支部，"
            "不能再修改。",
            code="SUMMARY_LOCKED",
        )
    _refresh(summary, group, p)
    if not summary.text.strip():
        summary.text = draft_text(summary.figures)
    summary.full_clean()
    as_actor(summary, actor)
    summary.save()
    return summary


def _lock_summary(actor, summary: PeriodSummary) -> PeriodSummary:
    summary = PeriodSummary.objects.select_for_update().select_related("group").get(pk=summary.pk)
    _require_group(actor, summary.group, Perm.LIFE)
    if summary.is_locked:
        raise DomainError(
            f"{summary.period}的工作总结已报送支部，不能再修改。", code="SUMMARY_LOCKED"
        )
    return summary


@transaction.atomic
def summary_edit(*, actor, summary: PeriodSummary, text: str) -> PeriodSummary:
    """The leader's text of a draft summary."""
    summary = _lock_summary(actor, summary)
    summary.text = _text(text, "text", "总结内容", max_length=20000)
    summary.full_clean()
    as_actor(summary, actor)
    summary.save(update_fields=["text"])
    return summary


@transaction.atomic
def summary_submit(
    *, actor, summary: PeriodSummary, text: str | None = None, today: dt.date | None = None
) -> PeriodSummary:
    """Submit the summary to the branch: from the period's last day on, with its figures read
    once more; after this it is locked."""
    today = today or clock.today()
    summary = _lock_summary(actor, summary)
    if text is not None:
        summary.text = text
    summary.text = _text(summary.text, "text", "总结内容", max_length=20000)
    p = Period.parse(summary.period)
    if today < p.end:
        message = f"{p.zh}尚未结束，{p.end:%Y-%m-%d}起才能报送总结。"
        raise DomainError(message, code="PERIOD_RUNNING")
    _refresh(summary, summary.group, p)
    user = _user(actor)
    summary.status = SummaryStatus.SUBMITTED
    summary.submitted_at = timezone.now()
    summary.submitted_by = user
    summary.full_clean()
    as_actor(summary, actor)
    summary.save()
    return summary
