"""The group leaders' records for the demo (党小组工作): tasks given and checked, notes on
members, opinions of the masses, last month's summary submitted and this month's draft.

Called by ``demo._Builder.build()`` after the meetings demo, inside its transaction, so
the summaries' figures read the demo's meetings and dues. Rows are written in bulk with
their history rows (a service call per row would be slow and say nothing more); the
summaries' figures come from ``groupwork.figures.period_figures`` like the service's.
The ``xiaozu`` user's group gets the fullest picture (an overdue task, a task to check,
an opinion to report); every other group a little of each.
"""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from dangwu.accounts.models import Role, User
from dangwu.groupwork.figures import period_figures
from dangwu.groupwork.models import (
    GroupTask,
    MassOpinion,
    MemberNote,
    OpinionStatus,
    PeriodSummary,
    SummaryStatus,
)
from dangwu.groupwork.services import draft_text
from dangwu.meetings.periods import Period, PeriodKind
from dangwu.members.choices import MEMBER_STATUSES
from dangwu.members.models import Person
from dangwu.orgs.choices import OrgKind
from dangwu.orgs.models import Organization

SEED = 2026_06
REASON = "演示数据"

TASKS = (
    ("学习《中国共产党支部工作条例》并写学习心得", "不少于800字，交党小组长。"),
    ("走访联系群众，了解困难职工情况", "每人至少走访2户，记录情况和诉求。"),
    ("整理本组党员学习笔记，迎接支部检查", ""),
    ("准备党小组会发言：立足岗位作贡献", "结合本职工作，5分钟以内。"),
    ("协助支部做好入党积极分子培养考察", "与积极分子谈话一次，记录思想动态。"),
    ("参加社区志愿服务活动", "周末上午，带好党员志愿者标识。"),
)
RESULTS = ("已按要求完成。", "已走访3户，情况已汇总。", "已提交。", "已完成，材料交组长。")
CHECKS = ("完成较好。", "按时完成。", "内容充实，予以肯定。")
NOTES = {
    "thinking": ("思想稳定，拥护党的路线方针政策。", "近期对职称评审有些顾虑，已谈心疏导。"),
    "work": ("工作积极主动，承担了重点项目。", "教学任务重，经常加班。"),
    "study": ("按时参加集中学习，学习笔记认真。", "正在自学党史，主动分享学习体会。"),
    "life": ("家中老人住院，需要关心。", "孩子今年高考，压力较大。"),
}
OPINIONS = (
    ("教学楼三楼老师", "希望改善办公室的空调设备。", "已反映学院，后勤已更换空调。"),
    ("学生宿舍楼学生", "晚自习教室开放时间太短。", "学院已将开放时间延长至22:30。"),
    ("离退休老同志", "希望组织一次健康讲座。", "工会已安排下月健康讲座。"),
    ("实验中心职工", "实验室安全培训安排较少。", ""),
    ("家属区居民", "小区路灯损坏，夜间出行不便。", ""),
)
LAST_TEXT = (
    "本月按支部要求组织全组党员学习，召开党小组会，党员参会积极。"
    "党费按时收缴。布置的任务大部分按期完成，个别同志因工作繁忙有所拖延，已督促。"
    "收集的群众意见已及时向支部反映。下月将继续抓好学习，做好群众工作。"
)


def _prev_month(p: Period) -> Period:
    return (
        Period.for_month(p.year - 1, 12)
        if p.number == 1
        else Period.for_month(p.year, p.number - 1)
    )


def build_demo_groupwork(*, admin: User, today: dt.date) -> dict[str, int]:
    """Add the group leaders' records to every demo group; return the row counts."""
    rng = random.Random(SEED)  # noqa: S311 - demo data, not secrets
    now = timezone.now()
    day = dt.timedelta
    groups = list(
        Organization.objects.filter(kind=OrgKind.PARTY_GROUP, dissolved_on__isnull=True).order_by(
            "path"
        )
    )
    leader_roles = {
        r.organization_id: r.user
        for r in Role.objects.filter(kind="group_leader").select_related("user")
    }
    people: dict[int, list[Person]] = {g.pk: [] for g in groups}
    for p in Person.objects.filter(
        group__in=groups, is_active=True, status__in=MEMBER_STATUSES
    ).order_by("sort_key", "id"):
        people[p.group_id].append(p)

    this_month = Period.containing(PeriodKind.MONTH, today)
    last_month = _prev_month(this_month)
    tasks, notes, opinions = [], [], []
    for g in groups:
        members = people[g.pk]
        if not members:
            continue
        user = leader_roles.get(g.pk, admin)
        full = g.pk in leader_roles  # the xiaozu user's group: every state on show
        picks = rng.sample(TASKS, 4 if full else 2)
        for n, (title, detail) in enumerate(picks):
            who = members[(n * 3 + rng.randrange(len(members))) % len(members)]
            if n == 0:  # last month's task, done and checked
                due = last_month.start + day(days=rng.randrange(10, 25))
                done = due - day(days=rng.randrange(0, 4))
                tasks.append(
                    GroupTask(
                        group=g, title=title, detail=detail, assignee=who, due_on=due,
                        done_on=done, result=rng.choice(RESULTS), checked_at=now,
                        checked_by=user, check_note=rng.choice(CHECKS), created_by=user,
                    )
                )  # fmt: skip
            elif n == 1:  # due next week
                tasks.append(
                    GroupTask(
                        group=g, title=title, detail=detail, assignee=who,
                        due_on=today + day(days=7), created_by=user,
                    )
                )  # fmt: skip
            elif n == 2:  # overdue
                tasks.append(
                    GroupTask(
                        group=g, title=title, detail=detail, assignee=who,
                        due_on=today - day(days=3), created_by=user,
                    )
                )  # fmt: skip
            else:  # done, waiting for the leader's check
                tasks.append(
                    GroupTask(
                        group=g, title=title, detail=detail, assignee=who,
                        due_on=today, done_on=today - day(days=1), result=rng.choice(RESULTS),
                        created_by=user,
                    )
                )  # fmt: skip
        for n, p in enumerate(members[: 4 if full else 2]):
            aspect = ("thinking", "work", "study", "life")[n % 4]
            notes.append(
                MemberNote(
                    person=p, group=g, aspect=aspect, text=rng.choice(NOTES[aspect]),
                    noted_on=today - day(days=rng.randrange(1, 40)), author=user,
                )
            )  # fmt: skip
        for n, (who, content, follow_up) in enumerate(rng.sample(OPINIONS, 3 if full else 1)):
            received = today - day(days=rng.randrange(5, 50))
            if n == 0 and follow_up:  # reported, then resolved
                opinions.append(
                    MassOpinion(
                        organization=g, from_whom=who, content=content, received_on=received,
                        status=OpinionStatus.RESOLVED, reported_on=received + day(days=1),
                        follow_up=follow_up, resolved_on=min(today, received + day(days=4)),
                        recorded_by=user,
                    )
                )  # fmt: skip
            elif n == 1:  # reported, waiting for the branch
                opinions.append(
                    MassOpinion(
                        organization=g, from_whom=who, content=content, received_on=received,
                        status=OpinionStatus.REPORTED, reported_on=received + day(days=2),
                        recorded_by=user,
                    )
                )  # fmt: skip
            else:  # just heard
                opinions.append(
                    MassOpinion(
                        organization=g, from_whom=who, content=content,
                        received_on=today - day(days=2), recorded_by=user,
                    )
                )  # fmt: skip

    counts: dict[str, int] = {}
    for model, rows in ((GroupTask, tasks), (MemberNote, notes), (MassOpinion, opinions)):
        saved = model.objects.bulk_create(rows, batch_size=1000)
        model.history.bulk_history_create(
            saved, default_user=admin, default_change_reason=REASON, default_date=now
        )
        counts[model._meta.model_name] = len(saved)

    # Summaries read the rows above, the meetings and the dues: figures per group.
    summaries = []
    for g in groups:
        if not people[g.pk]:
            continue
        user = leader_roles.get(g.pk, admin)
        last = period_figures(g, last_month)
        summaries.append(
            PeriodSummary(
                group=g, period=last_month.label, period_start=last_month.start,
                period_end=last_month.end, figures=last, figures_at=now,
                text=f"{draft_text(last)}\n\n{LAST_TEXT}", status=SummaryStatus.SUBMITTED,
                submitted_at=now, submitted_by=user, created_by=user,
            )
        )  # fmt: skip
        current = period_figures(g, this_month)
        summaries.append(
            PeriodSummary(
                group=g, period=this_month.label, period_start=this_month.start,
                period_end=this_month.end, figures=current, figures_at=now,
                text=draft_text(current), created_by=user,
            )
        )  # fmt: skip
    saved = PeriodSummary.objects.bulk_create(summaries, batch_size=500)
    PeriodSummary.history.bulk_history_create(
        saved, default_user=admin, default_change_reason=REASON, default_date=now
    )
    counts["periodsummary"] = len(saved)
    return counts
