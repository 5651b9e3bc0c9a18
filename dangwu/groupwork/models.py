"""The party group leader's records (seed 004): tasks given to members, notes on each
member's thinking, work, study and life, opinions of the masses reported to the branch,
and the summary of each period submitted to the branch.

Nothing here decides a duty; ``services.py`` writes these rows and ``selectors.py`` reads
them within a ``Scope``. Every table is audited (simple-history).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class GroupTask(models.Model):
    """A piece of work the group leader gave one member, to be done by ``due_on``
    (seed 004: 布置工作任务，并负责检查督促).

    The member (or the leader) marks it done (``done_on``); the leader then checks it
    (``checked_at``/``checked_by``). A task is checked only once it is done.
    """

    group = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="group_tasks",
        verbose_name=_("党小组"),
    )
    title = models.CharField(_("任务"), max_length=200)
    detail = models.TextField(_("要求"), blank=True)
    assignee = models.ForeignKey(
        "members.Person",
        on_delete=models.PROTECT,
        related_name="group_tasks",
        verbose_name=_("承担人"),
    )
    due_on = models.DateField(_("完成期限"))
    done_on = models.DateField(_("完成日期"), null=True, blank=True)
    result = models.TextField(_("完成情况"), blank=True)
    checked_at = models.DateTimeField(_("检查时间"), null=True, blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("检查人"),
    )
    check_note = models.CharField(_("检查意见"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("布置人"),
    )
    created_at = models.DateTimeField(_("布置时间"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("党小组任务")
        verbose_name_plural = _("党小组任务")
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["group", "due_on"], name="group_task_group_due_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(checked_at__isnull=True) | Q(done_on__isnull=False),
                name="group_task_checked_after_done",
            ),
            models.CheckConstraint(
                condition=(Q(checked_at__isnull=True) & Q(checked_by__isnull=True))
                | (Q(checked_at__isnull=False) & Q(checked_by__isnull=False)),
                name="group_task_checked_by_with_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title}（{self.assignee}，{self.due_on:%Y-%m-%d}前）"

    @property
    def is_done(self) -> bool:
        return self.done_on is not None

    @property
    def is_checked(self) -> bool:
        return self.checked_at is not None


class NoteAspect(models.TextChoices):
    """What the leader knows of a member (seed 004: 思想、工作、学习、生活)."""

    THINKING = "thinking", _("思想")
    WORK = "work", _("工作")
    STUDY = "study", _("学习")
    LIFE = "life", _("生活")


class MemberNote(models.Model):
    """One observation of the group leader on a member's thinking, work, study or life,
    made on ``noted_on`` while the member was in ``group``.

    Private to the group's leader and the branch committee (``Perm.NOTES`` held as a real
    grant: a superuser without one does not read them).
    """

    person = models.ForeignKey(
        "members.Person",
        on_delete=models.PROTECT,
        related_name="group_notes",
        verbose_name=_("党员"),
    )
    group = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="member_notes",
        verbose_name=_("党小组"),
    )
    aspect = models.CharField(_("方面"), max_length=16, choices=NoteAspect.choices)
    text = models.TextField(_("情况"))
    noted_on = models.DateField(_("了解日期"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("记录人"),
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("党员情况记录")
        verbose_name_plural = _("党员情况记录")
        ordering = ["-noted_on", "-id"]
        indexes = [
            models.Index(fields=["group", "noted_on"], name="member_note_group_idx"),
            models.Index(fields=["person", "noted_on"], name="member_note_person_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(text=""), name="member_note_text_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.person} {self.get_aspect_display()}（{self.noted_on:%Y-%m-%d}）"


class OpinionStatus(models.TextChoices):
    """An opinion of the masses: received, reported to the branch, then resolved."""

    OPEN = "open", _("待反映")
    REPORTED = "reported", _("已向支部反映")
    RESOLVED = "resolved", _("已办结")


class MassOpinion(models.Model):
    """A request or opinion of the masses received by an organization (a party group here;
    a later mass-work module may record them for a branch), what was done about it, and
    when it was reported to the branch (seed 004: 及时反映群众的意见和要求).

    ``from_whom`` is free text: the masses are not people records.
    """

    organization = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="mass_opinions",
        verbose_name=_("党组织"),
    )
    from_whom = models.CharField(_("反映人"), max_length=100)
    content = models.TextField(_("意见和要求"))
    received_on = models.DateField(_("收集日期"))
    status = models.CharField(
        _("状态"), max_length=16, choices=OpinionStatus.choices, default=OpinionStatus.OPEN
    )
    reported_on = models.DateField(_("向支部反映日期"), null=True, blank=True)
    follow_up = models.TextField(_("办理情况"), blank=True)
    resolved_on = models.DateField(_("办结日期"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("登记人"),
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("群众意见")
        verbose_name_plural = _("群众意见")
        ordering = ["-received_on", "-id"]
        indexes = [
            models.Index(fields=["organization", "status"], name="mass_opinion_org_status_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=OpinionStatus.REPORTED) | Q(reported_on__isnull=False),
                name="mass_opinion_reported_has_date",
            ),
            models.CheckConstraint(
                condition=~Q(status=OpinionStatus.RESOLVED) | Q(resolved_on__isnull=False),
                name="mass_opinion_resolved_has_date",
            ),
            models.CheckConstraint(
                condition=Q(reported_on__isnull=True) | Q(reported_on__gte=F("received_on")),
                name="mass_opinion_reported_after_received",
            ),
            models.CheckConstraint(
                condition=Q(resolved_on__isnull=True) | Q(resolved_on__gte=F("received_on")),
                name="mass_opinion_resolved_after_received",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.received_on:%Y-%m-%d} {self.from_whom}：{self.content[:20]}"


class SummaryStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已报支部")


class PeriodSummary(models.Model):
    """The group's summary of one period (a month ``2025-03``, a quarter ``2025-Q2`` or a
    year ``2025``; ``meetings.periods.Period``): the figures drafted from the period's
    records and the leader's text, submitted to the branch (seed 004: 定期为本组的工作做
    一个总结). Once submitted it no longer changes.
    """

    group = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="period_summaries",
        verbose_name=_("党小组"),
    )
    period = models.CharField(_("期间"), max_length=7)
    period_start = models.DateField(_("期间开始"))
    period_end = models.DateField(_("期间结束"))
    figures = models.JSONField(_("数据"), default=dict, blank=True)
    figures_at = models.DateTimeField(_("数据生成时间"), null=True, blank=True)
    text = models.TextField(_("总结"), blank=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=SummaryStatus.choices, default=SummaryStatus.DRAFT
    )
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("提交人"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("起草时间"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("党小组工作总结")
        verbose_name_plural = _("党小组工作总结")
        ordering = ["-period_start", "period_end", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["group", "period"], name="period_summary_unique"),
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")),
                name="period_summary_end_after_start",
            ),
            models.CheckConstraint(
                condition=(
                    (Q(status=SummaryStatus.SUBMITTED) & Q(submitted_at__isnull=False))
                    | (Q(status=SummaryStatus.DRAFT) & Q(submitted_at__isnull=True))
                ),
                name="period_summary_submitted_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.group} {self.period} 工作总结（{self.get_status_display()}）"

    @property
    def is_locked(self) -> bool:
        return self.status == SummaryStatus.SUBMITTED
