"""Member development as records: one ``DevelopmentRecord`` per person on the way in, its
dated ``StepEntry`` rows (the 25 steps of DOMAIN.md §5), the people named at a step
(contacts, introducers), scans, exceptions to a rule, and thought reports.

The DEV-* and VOTE-* rules (``rules.py``) read these rows through ``selectors.timeline_data``
as the timeline JSON of DOMAIN.md §5; nothing here decides a regulation. A step entry has
two dates: ``date`` (when it happened) and ``recorded_at`` (when it was entered); a past
fact that breaks a rule is kept with a ``RuleException`` naming the reason and approver.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from dangwu.development.choices import (
    STEP_CHOICES,
    ActingOrg,
    EntrySource,
    PersonRole,
    RecommendedBy,
    RecordState,
)
from dangwu.members.choices import SanctionKind, Status


class DevelopmentRecord(models.Model):
    """A person's development, from the application to archiving (or its end).

    ``branch`` is the branch that runs it (the person's branch when it was opened; a
    transfer moves it). The ``next_*``, ``due_on`` and counts are a cache of the rules,
    rewritten by ``services.record_refresh`` after every write, so that a committee's to-do
    list is one indexed query; ``dangwu development refresh`` rebuilds them.
    """

    person = models.OneToOneField(
        "members.Person",
        on_delete=models.PROTECT,
        related_name="development",
        verbose_name=_("人员"),
    )
    branch = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="development_records",
        verbose_name=_("党支部"),
    )
    state = models.CharField(
        _("状态"), max_length=16, choices=RecordState.choices, default=RecordState.OPEN
    )
    closed_on = models.DateField(_("终止日期"), null=True, blank=True)
    closed_reason = models.CharField(_("终止原因"), max_length=300, blank=True)
    # DEV-LEAVING-3M: when the person is expected to leave the unit (graduation, transfer).
    leaves_unit_on = models.DateField(_("预计离开单位日期"), null=True, blank=True)
    # Cache of the rules (services.record_refresh).
    last_step = models.CharField(_("最近步骤"), max_length=32, choices=STEP_CHOICES, blank=True)
    last_date = models.DateField(_("最近步骤日期"), null=True, blank=True)
    next_step = models.CharField(_("下一步骤"), max_length=32, blank=True)
    next_label = models.CharField(_("下一事项"), max_length=100, blank=True)
    earliest_on = models.DateField(_("最早可办日期"), null=True, blank=True)
    due_on = models.DateField(_("最迟办理日期"), null=True, blank=True)
    error_count = models.PositiveSmallIntegerField(_("错误数"), default=0)
    warning_count = models.PositiveSmallIntegerField(_("提醒数"), default=0)
    checked_on = models.DateField(_("检查日期"), null=True, blank=True)
    created_at = models.DateTimeField(_("建档时间"), auto_now_add=True)
    history = HistoricalRecords(
        excluded_fields=[
            "last_step",
            "last_date",
            "next_step",
            "next_label",
            "earliest_on",
            "due_on",
            "error_count",
            "warning_count",
            "checked_on",
        ]
    )

    class Meta:
        verbose_name = _("发展党员记录")
        verbose_name_plural = _("发展党员记录")
        indexes = [
            models.Index(fields=["branch", "state", "due_on"], name="dev_record_todo"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(state=RecordState.OPEN, closed_on__isnull=True)
                | (~Q(state=RecordState.OPEN) & Q(closed_on__isnull=False)),
                name="dev_record_closed_on_iff_closed",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person}的发展党员记录"


class StepEntry(models.Model):
    """One dated step of a record. Single steps have ``seq`` 0; repeated steps
    (assessments) number their entries 0, 1, 2… Only the fields the step carries are set:

    - ``activist``: ``recommended_by``;
    - ``political_review``: ``passed`` and ``conclusion``;
    - ``training``: ``date`` (first day), ``end_date``, ``days``, ``hours``;
    - ``publicity``: ``date`` (first day), ``working_days``;
    - ``pre_review``, ``admission_approval``, ``conversion_approval``: ``acting_org`` (the
      kind of organization that acted) and ``approving_org``;
    - ``admission_meeting``, ``conversion_meeting``, ``probation_extension``,
      ``probation_cancellation``: the vote (should attend, present, in favour, written in
      favour) and ``voters_note`` (the lawful exclusions from "should attend");
    - ``probation_extension``: ``months`` and ``approval_date``;
    - ``contacts_assigned``, ``introducers``: people in ``StepPerson``.
    """

    record = models.ForeignKey(
        DevelopmentRecord, on_delete=models.PROTECT, related_name="steps", verbose_name=_("记录")
    )
    step = models.CharField(_("步骤"), max_length=32, choices=STEP_CHOICES)
    seq = models.PositiveSmallIntegerField(_("序号"), default=0)
    date = models.DateField(_("日期"))
    end_date = models.DateField(_("结束日期"), null=True, blank=True)
    recommended_by = models.CharField(
        _("推荐方式"), max_length=32, choices=RecommendedBy.choices, blank=True
    )
    passed = models.BooleanField(_("政审合格"), null=True, blank=True)
    conclusion = models.TextField(_("结论或说明"), blank=True)
    days = models.PositiveSmallIntegerField(_("培训天数"), null=True, blank=True)
    hours = models.DecimalField(
        _("培训学时"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    working_days = models.PositiveSmallIntegerField(_("公示工作日数"), null=True, blank=True)
    acting_org = models.CharField(
        _("办理组织类别"), max_length=32, choices=ActingOrg.choices, blank=True
    )
    approving_org = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("办理的党组织"),
    )
    should_attend = models.PositiveSmallIntegerField(_("应到会有表决权党员"), null=True, blank=True)
    present = models.PositiveSmallIntegerField(_("实到会有表决权党员"), null=True, blank=True)
    in_favour = models.PositiveSmallIntegerField(_("赞成票"), null=True, blank=True)
    written_in_favour = models.PositiveSmallIntegerField(_("书面赞成意见"), default=0)
    voters_note = models.CharField(_("不计入应到会人数的说明"), max_length=300, blank=True)
    months = models.PositiveSmallIntegerField(_("延长月数"), null=True, blank=True)
    approval_date = models.DateField(_("批准日期"), null=True, blank=True)
    meeting = models.ForeignKey(
        "meetings.Meeting",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("会议记录"),
    )
    source = models.CharField(
        _("来源"), max_length=16, choices=EntrySource.choices, default=EntrySource.LIVE
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("登记人"),
    )
    recorded_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("发展步骤")
        verbose_name_plural = _("发展步骤")
        ordering = ["record", "date", "id"]
        constraints = [
            models.UniqueConstraint(fields=["record", "step", "seq"], name="dev_step_once"),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("date")),
                name="dev_step_end_after_start",
            ),
            models.CheckConstraint(
                condition=Q(present__isnull=True)
                | Q(should_attend__isnull=False, present__lte=F("should_attend")),
                name="dev_step_present_le_should",
            ),
            models.CheckConstraint(
                condition=Q(in_favour__isnull=True)
                | Q(present__isnull=False, in_favour__lte=F("present")),
                name="dev_step_favour_le_present",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_step_display()} {self.date:%Y-%m-%d}"


class StepPerson(models.Model):
    """A contact person or an introducer named at a step, with their status and sanction
    on the step date as the rules saw them (DEV-CONTACTS, DEV-INTRODUCERS). ``person`` is
    empty only for a historical import naming someone not on the roll."""

    entry = models.ForeignKey(
        StepEntry, on_delete=models.CASCADE, related_name="people", verbose_name=_("步骤")
    )
    role = models.CharField(_("身份"), max_length=16, choices=PersonRole.choices)
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)
    person = models.ForeignKey(
        "members.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="development_roles",
        verbose_name=_("人员"),
    )
    name = models.CharField(_("姓名"), max_length=50)
    status = models.CharField(_("当日政治面貌"), max_length=32, choices=Status.choices)
    sanction = models.CharField(
        _("当日处分"), max_length=32, choices=SanctionKind.choices, blank=True
    )

    class Meta:
        verbose_name = _("联系人或介绍人")
        verbose_name_plural = _("联系人或介绍人")
        ordering = ["entry", "position"]
        constraints = [
            models.UniqueConstraint(fields=["entry", "position"], name="dev_step_person_pos"),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} {self.name}"


class StepFile(models.Model):
    """A scan attached to a step (the application, the 志愿书, a review conclusion…)."""

    entry = models.ForeignKey(
        StepEntry, on_delete=models.PROTECT, related_name="files", verbose_name=_("步骤")
    )
    file = models.FileField(_("文件"), upload_to="development/%Y/%m/")
    title = models.CharField(_("名称"), max_length=200)
    content_type = models.CharField(_("类型"), max_length=100)
    size = models.PositiveIntegerField(_("大小（字节）"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("上传人"),
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("步骤附件")
        verbose_name_plural = _("步骤附件")
        ordering = ["entry", "uploaded_at", "id"]

    def __str__(self) -> str:
        return self.title


class RuleException(models.Model):
    """A finding of error level kept on a past fact: the step was recorded although it
    breaks ``code``, because it happened that way. The written reason and the approver
    (a user with the approval permission on the branch) are required."""

    entry = models.ForeignKey(
        StepEntry, on_delete=models.PROTECT, related_name="exceptions", verbose_name=_("步骤")
    )
    code = models.CharField(_("规则编号"), max_length=32)
    message = models.TextField(_("问题"))
    citation = models.CharField(_("依据"), max_length=200)
    due = models.DateField(_("期限或最早日期"), null=True, blank=True)
    reason = models.TextField(_("情况说明"))
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("批准人"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("登记人"),
    )
    recorded_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("规则例外")
        verbose_name_plural = _("规则例外")
        ordering = ["entry", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="dev_exception_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.code}：{self.reason[:30]}"


class ThoughtReport(models.Model):
    """A thought report (思想汇报) handed in by a person on the way in (DEV-THOUGHT-REPORT):
    text or a scan, and the contact person's comment."""

    record = models.ForeignKey(
        DevelopmentRecord,
        on_delete=models.PROTECT,
        related_name="thought_reports",
        verbose_name=_("记录"),
    )
    submitted_on = models.DateField(_("提交日期"))
    title = models.CharField(_("标题"), max_length=200, blank=True)
    text = models.TextField(_("内容"), blank=True)
    file = models.FileField(_("附件"), upload_to="thought_reports/%Y/%m/", blank=True)
    comment = models.TextField(_("联系人意见"), blank=True)
    commented_by = models.ForeignKey(
        "members.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("评阅人"),
    )
    commented_on = models.DateField(_("评阅日期"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("登记人"),
    )
    recorded_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("思想汇报")
        verbose_name_plural = _("思想汇报")
        ordering = ["record", "submitted_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(text="") | ~Q(file=""), name="dev_report_text_or_file"
            ),
        ]

    def __str__(self) -> str:
        return f"思想汇报 {self.submitted_on:%Y-%m-%d}"


class DevelopmentPlan(models.Model):
    """The annual development plan of an organization (DEV-NO-RUSH, 细则 第三条): how many
    people it plans to admit in ``year`` (总量调控). Admissions are counted from the
    admission approvals in the organization's subtree."""

    organization = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="development_plans",
        verbose_name=_("党组织"),
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    quota = models.PositiveSmallIntegerField(_("计划发展人数"))
    note = models.CharField(_("说明"), max_length=300, blank=True)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("制定人"),
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("年度发展计划")
        verbose_name_plural = _("年度发展计划")
        ordering = ["organization", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "year"], name="dev_plan_once_a_year"),
        ]

    def __str__(self) -> str:
        return f"{self.organization} {self.year}年发展计划{self.quota}名"
