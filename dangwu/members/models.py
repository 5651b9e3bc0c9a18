from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from dangwu.core.ethnicities import ETHNICITY_CHOICES
from dangwu.core.idcard import mask_id_number
from dangwu.members.choices import (
    DuesCategory,
    Education,
    LeaveKind,
    Occupation,
    SanctionKind,
    Sex,
    Status,
)


class Person(models.Model):
    """A party member or a person on the way to membership, as the branch keeps them.

    ``status``, ``branch`` and ``group`` are the current values of the dated histories
    (``StatusChange``, ``Membership``); only the services in ``members.services`` write them,
    together with the history row. People are deactivated, never deleted.
    """

    name = models.CharField(_("姓名"), max_length=50)
    pinyin = models.CharField(_("姓名拼音"), max_length=200, editable=False)
    initials = models.CharField(_("拼音首字母"), max_length=50, editable=False)
    sort_key = models.CharField(_("排序键"), max_length=200, editable=False)
    sex = models.CharField(_("性别"), max_length=8, choices=Sex.choices)
    ethnicity = models.CharField(_("民族"), max_length=2, choices=ETHNICITY_CHOICES, default="01")
    birth_date = models.DateField(_("出生日期"))
    id_number = models.CharField(
        _("公民身份号码"), max_length=18, unique=True, null=True, blank=True
    )
    phone = models.CharField(_("联系电话"), max_length=24, blank=True)
    education = models.CharField(_("学历"), max_length=32, choices=Education.choices, blank=True)
    occupation = models.CharField(
        _("工作岗位"), max_length=32, choices=Occupation.choices, blank=True
    )
    dues_category = models.CharField(
        _("党费缴纳类别"), max_length=32, choices=DuesCategory.choices, blank=True
    )
    work_unit = models.CharField(_("工作单位或班级"), max_length=100, blank=True)
    league_member = models.BooleanField(_("共青团员"), default=False)

    status = models.CharField(_("政治面貌"), max_length=32, choices=Status.choices)
    status_since = models.DateField(_("当前状态起始日期"))
    applied_on = models.DateField(_("申请入党日期"), null=True, blank=True)
    admission_date = models.DateField(
        _("入党日期"), null=True, blank=True, help_text=_("支部大会通过接收为预备党员之日。")
    )
    full_since = models.DateField(_("转正日期"), null=True, blank=True)
    branch = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("所在党支部"),
        on_delete=models.PROTECT,
        related_name="branch_people",
    )
    group = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("所在党小组"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="group_people",
    )
    is_active = models.BooleanField(_("在册"), default=True)
    created_at = models.DateTimeField(_("建档时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["pinyin", "initials", "sort_key", "updated_at"])

    class Meta:
        verbose_name = _("人员")
        verbose_name_plural = _("人员")
        indexes = [
            models.Index(fields=["branch", "sort_key"], name="person_branch_sort_idx"),
            models.Index(fields=["group", "sort_key"], name="person_group_sort_idx"),
            models.Index(fields=["sort_key", "id"], name="person_sort_idx"),
            models.Index(fields=["status"], name="person_status_idx"),
            # Prefix search (LIKE 'zgf%') on PostgreSQL under a non-C locale needs pattern ops.
            models.Index(
                fields=["initials"], name="person_initials_idx", opclasses=["varchar_pattern_ops"]
            ),
            models.Index(
                fields=["pinyin"], name="person_pinyin_idx", opclasses=["varchar_pattern_ops"]
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number or "")


class StatusChange(models.Model):
    """A dated change of party status (MEM-STATUS): the history behind ``Person.status``."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="status_changes")
    status = models.CharField(_("状态"), max_length=32, choices=Status.choices)
    leave_kind = models.CharField(
        _("出党方式"), max_length=32, choices=LeaveKind.choices, blank=True
    )
    effective_on = models.DateField(_("生效日期"))
    reason = models.CharField(_("说明"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("政治面貌变更")
        verbose_name_plural = _("政治面貌变更")
        ordering = ["person", "effective_on", "id"]
        indexes = [models.Index(fields=["person", "effective_on"], name="status_person_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(leave_kind="") | Q(status=Status.LEFT),
                name="status_leave_kind_only_when_left",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} {self.effective_on} {self.get_status_display()}"


class Sanction(models.Model):
    """A disciplinary sanction (党纪处分); its effects on rights are derived in ``rules``."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="sanctions")
    kind = models.CharField(_("处分种类"), max_length=32, choices=SanctionKind.choices)
    decided_on = models.DateField(_("处分决定日期"))
    probation_years = models.PositiveSmallIntegerField(_("留党察看期限（年）"), default=0)
    extended_years = models.PositiveSmallIntegerField(_("延长察看（年）"), default=0)
    revoked_on = models.DateField(_("撤销日期"), null=True, blank=True)
    document = models.CharField(_("处分决定文号"), max_length=100, blank=True)
    reason = models.CharField(_("事由"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("党纪处分")
        verbose_name_plural = _("党纪处分")
        ordering = ["person", "decided_on"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind=SanctionKind.PROBATION_WITHIN_PARTY, probation_years__in=[1, 2])
                    | (~Q(kind=SanctionKind.PROBATION_WITHIN_PARTY) & Q(probation_years=0))
                ),
                name="sanction_probation_years",
            ),
            models.CheckConstraint(
                condition=Q(extended_years__in=[0, 1]), name="sanction_extended_years"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} {self.get_kind_display()}（{self.decided_on}）"


class Membership(models.Model):
    """The organizational relationship over time: which branch (and group) a person belongs to.

    ORG-ONE-HOME: at most one open row per person, enforced by the database.
    """

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="memberships")
    branch = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+", verbose_name=_("党支部")
    )
    group = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("党小组"),
    )
    started_on = models.DateField(_("起始日期"))
    ended_on = models.DateField(_("终止日期"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("组织关系")
        verbose_name_plural = _("组织关系")
        ordering = ["person", "started_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(ended_on__isnull=True),
                name="membership_one_open_per_person",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                name="membership_ended_after_started",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} @ {self.branch}（{self.started_on}—{self.ended_on or ''}）"


class TransferKind(models.TextChoices):
    INTERNAL = "internal", _("系统内转接")
    OUTWARD = "outward", _("转出本系统")
    INWARD = "inward", _("从系统外转入")


class TransferStatus(models.TextChoices):
    SENT = "sent", _("已转出，待接收")
    RECEIVED = "received", _("已接收")
    CANCELLED = "cancelled", _("已撤销")


class Transfer(models.Model):
    """A transfer of the organizational relationship, with its introduction letter.

    REL-SENDER: until the receiving side confirms, the person stays with the sending branch.
    """

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="transfers")
    kind = models.CharField(_("类型"), max_length=16, choices=TransferKind.choices)
    status = models.CharField(
        _("状态"), max_length=16, choices=TransferStatus.choices, default=TransferStatus.SENT
    )
    from_branch = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("转出党支部"),
    )
    to_branch = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("转入党支部"),
    )
    to_group = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("转入党小组"),
    )
    external_org = models.CharField(
        _("系统外党组织"), max_length=200, blank=True, help_text=_("转出去向或转入来源。")
    )
    letter_number = models.CharField(_("介绍信编号"), max_length=40, unique=True)
    issued_on = models.DateField(_("开具日期"))
    valid_days = models.PositiveSmallIntegerField(_("有效期（天）"))
    dues_paid_through = models.DateField(
        _("党费交至"),
        null=True,
        blank=True,
        help_text=_("介绍信所载党费已交到的月份（该月1日）；接收方从次月起计收。"),
    )
    reason = models.CharField(_("转接原因"), max_length=200, blank=True)
    received_on = models.DateField(_("接收日期"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("组织关系转接")
        verbose_name_plural = _("组织关系转接")
        ordering = ["-issued_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(status="sent"),
                name="transfer_one_open_per_person",
            ),
            models.CheckConstraint(
                condition=Q(valid_days__gte=1) & Q(valid_days__lte=90),
                name="transfer_valid_days_range",
            ),
            models.CheckConstraint(
                condition=Q(received_on__isnull=True) | Q(received_on__gte=F("issued_on")),
                name="transfer_received_after_issued",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.letter_number} {self.person}"
