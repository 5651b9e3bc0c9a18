"""Dues records: bases, the append-only ledger, cached accounts, hand-overs and arrears cases.

Why a ledger: a dues record is money that a member handed over and a branch must account
for. Rows of ``LedgerEntry`` are never updated or deleted (``save`` and ``delete`` refuse);
a mistake is corrected by a reversing row that points at what it reverses. Everything a
page shows — balances, paid-through months, arrears — is derived from the ledger;
``DuesAccount`` caches the per-person figures for lists over large subtrees, and
``dangwu dues reconcile`` proves that the cache equals the ledger.

Months are stored as the ``DateField`` of their first day (``2026-11-01`` is November).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from dangwu.members.choices import DuesCategory


class LedgerImmutable(Exception):
    """A ledger row was about to be changed or deleted."""


def money_field(verbose_name, **kwargs):
    return models.DecimalField(verbose_name, max_digits=12, decimal_places=2, **kwargs)


class DuesBase(models.Model):
    """A person's dues category and base from ``effective_month`` on (DUES-BASE-CHANGE).

    The month's amount is computed once, by ``rules.monthly_dues``, when the base is set
    and stored in ``standard_amount``; ``amount`` is what is owed, which differs only under
    an approved hardship reduction or exemption (DUES-HARDSHIP). The base that applies to
    a month is the latest row whose ``effective_month`` is not after it.
    """

    person = models.ForeignKey(
        "members.Person", on_delete=models.PROTECT, related_name="dues_bases"
    )
    effective_month = models.DateField(_("生效月份"))
    category = models.CharField(_("缴纳类别"), max_length=32, choices=DuesCategory.choices)
    base = money_field(_("缴费基数"), null=True, blank=True)
    fixed_amount = money_field(_("农民党员固定金额"), null=True, blank=True)
    rate = models.DecimalField(_("比例"), max_digits=6, decimal_places=4, null=True, blank=True)
    rule_code = models.CharField(_("规则代码"), max_length=32)
    standard_amount = money_field(_("按规定每月应交"))
    amount = money_field(_("每月应交"))
    hardship_reason = models.CharField(_("减免原因"), max_length=300, blank=True)
    hardship_discussed_on = models.DateField(_("党支部讨论日期"), null=True, blank=True)
    hardship_approved_on = models.DateField(_("上级党委批准日期"), null=True, blank=True)
    hardship_approval = models.CharField(_("批准文件或批准人"), max_length=200, blank=True)
    evidence = models.CharField(_("依据"), max_length=300, blank=True)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    set_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("党费缴纳基数")
        verbose_name_plural = _("党费缴纳基数")
        ordering = ["person", "effective_month"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "effective_month"], name="dues_base_one_per_month"
            ),
            models.CheckConstraint(
                condition=Q(effective_month__day=1), name="dues_base_month_first_day"
            ),
            models.CheckConstraint(
                condition=Q(amount__gte=0) & Q(amount__lte=F("standard_amount")),
                name="dues_base_amount_within_standard",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} {self.effective_month:%Y-%m} {self.amount}元/月"

    @property
    def is_reduced(self) -> bool:
        return self.amount != self.standard_amount


class EntryKind(models.TextChoices):
    ASSESSMENT = "assessment", _("应缴")
    PAYMENT = "payment", _("实缴")
    VOLUNTARY = "voluntary", _("自愿多交")


class PaymentMethod(models.TextChoices):
    CASH = "cash", _("现金")
    BANK_TRANSFER = "bank_transfer", _("银行转账")
    ONLINE = "online", _("线上缴纳")


class PaidBy(models.TextChoices):
    MEMBER = "member", _("本人交纳")
    PROXY = "proxy", _("委托他人代交（经支部同意）")


class LedgerEntry(models.Model):
    """One line of the dues ledger: a month assessed (应缴), paid (实缴), or extra dues
    paid voluntarily, or the reversal of such a line.

    Invariants kept by the database: the amount of an original line is positive and a
    reversal's is negative; a line is reversed at most once; a month is assessed once and
    paid once per ``slot`` (a new slot opens only after the previous line was reversed);
    ``idempotency_key`` makes a retried request add nothing.
    """

    idempotency_key = models.CharField(max_length=120)
    # No single-column index where a composite one leads with the column (person:
    # person_month; branch: branch_month; run: dues_entry_run_idx): a monthly run writes
    # every index for each of ~1M lines.
    person = models.ForeignKey(
        "members.Person", on_delete=models.PROTECT, related_name="dues_entries", db_index=False
    )
    branch = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        db_index=False,
        related_name="+",
        verbose_name=_("党支部"),
        help_text=_("记账时党员所在的党支部。"),
    )
    kind = models.CharField(_("类型"), max_length=16, choices=EntryKind.choices)
    month = models.DateField(_("所属月份"))
    slot = models.PositiveSmallIntegerField(default=0)
    amount = money_field(_("金额"))
    reverses = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversed_by",
        verbose_name=_("冲销的记录"),
    )
    base = models.ForeignKey(
        DuesBase, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    batch = models.CharField(_("缴费批次"), max_length=80, blank=True)
    method = models.CharField(
        _("缴纳方式"), max_length=16, choices=PaymentMethod.choices, blank=True
    )
    paid_by = models.CharField(_("交纳人"), max_length=16, choices=PaidBy.choices, blank=True)
    paid_on = models.DateField(_("交纳日期"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    run = models.ForeignKey(
        "AssessmentRun",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # users are deactivated, never deleted
    )
    recorded_at = models.DateTimeField(_("记账时间"))

    class Meta:
        verbose_name = _("党费台账记录")
        verbose_name_plural = _("党费台账")
        ordering = ["person", "month", "id"]
        indexes = [
            models.Index(fields=["person", "month"], name="dues_entry_person_month_idx"),
            models.Index(fields=["branch", "month"], name="dues_entry_branch_month_idx"),
            models.Index(fields=["run"], name="dues_entry_run_idx"),
            models.Index(fields=["person", "batch"], name="dues_entry_person_batch_idx"),
        ]
        constraints = [
            # A constraint rather than unique=True: no second (LIKE) index on PostgreSQL.
            models.UniqueConstraint(fields=["idempotency_key"], name="dues_entry_idempotency_key"),
            models.CheckConstraint(
                condition=(
                    (Q(reverses__isnull=True) & Q(amount__gt=0))
                    | (Q(reverses__isnull=False) & Q(amount__lt=0))
                ),
                name="dues_entry_sign",
            ),
            models.CheckConstraint(condition=Q(month__day=1), name="dues_entry_month_first_day"),
            models.UniqueConstraint(
                fields=["person", "month", "kind", "slot"],
                condition=Q(reverses__isnull=True, kind__in=["assessment", "payment"]),
                name="dues_entry_one_per_month_slot",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.month:%Y-%m} {self.get_kind_display()} {self.amount}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise LedgerImmutable("党费台账记录不能修改，请登记冲销记录。")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise LedgerImmutable("党费台账记录不能删除，请登记冲销记录。")


class AssessmentRun(models.Model):
    """One monthly assessment run (生成应缴) over an organization's subtree."""

    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+", verbose_name=_("党组织")
    )
    month = models.DateField(_("月份"))
    created = models.PositiveIntegerField(_("新增应缴记录"), default=0)
    amount = money_field(_("新增应缴金额"), default=0)
    started_at = models.DateTimeField(_("开始时间"))
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    run_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("应缴党费生成记录")
        verbose_name_plural = _("应缴党费生成记录")
        ordering = ["-month", "-id"]

    def __str__(self) -> str:
        return f"{self.organization_id} {self.month:%Y-%m} +{self.created}"


class DuesAccount(models.Model):
    """Per-person figures derived from the ledger, cached for lists and reports.

    Written only by ``dues.services`` together with the ledger rows they derive from;
    ``dangwu dues reconcile`` recomputes them from the ledger and names every difference.
    ``unpaid_months`` counts assessed months not yet paid (it pre-selects arrears; the
    rule's consecutive count is computed from the ledger for the people shown).
    """

    person = models.OneToOneField(
        "members.Person", on_delete=models.PROTECT, primary_key=True, related_name="dues_account"
    )
    assessed_total = money_field(_("累计应缴"), default=0)
    paid_total = money_field(_("累计实缴"), default=0)
    voluntary_total = money_field(_("累计自愿多交"), default=0)
    balance = money_field(_("欠缴余额"), default=0, help_text=_("应缴减实缴；负数为预交。"))
    paid_through = models.DateField(_("党费交至"), null=True, blank=True)
    unpaid_months = models.PositiveSmallIntegerField(_("未交月数"), default=0)
    start_month = models.DateField(
        _("起缴月份"),
        null=True,
        blank=True,
        help_text=_("从系统外转入时，介绍信所载交至月份的次月。"),
    )
    quarterly_consent_on = models.DateField(
        _("同意按季度交纳的日期"), null=True, blank=True, help_text=_("经党支部同意按季度交纳。")
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("党费账户")
        verbose_name_plural = _("党费账户")
        indexes = [models.Index(fields=["unpaid_months"], name="dues_account_unpaid_idx")]

    def __str__(self) -> str:
        return f"{self.person_id} 欠缴{self.balance}"


class Remittance(models.Model):
    """Dues an organization handed up to the higher organization (上缴党费).

    A hand-over covers the collections (payments, voluntary dues and their reversals) in
    the organization's subtree entered after the previous hand-over's ``through_entry_id``
    up to its own; ``amount`` is that sum, and reconcile recomputes it.
    """

    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+", verbose_name=_("党组织")
    )
    previous = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="next"
    )
    from_entry_id = models.BigIntegerField(default=0)
    through_entry_id = models.BigIntegerField()
    amount = money_field(_("上缴金额"))
    voluntary_remit_amount = money_field(_("其中全额上缴中央的自愿党费"), default=0)
    handed_on = models.DateField(_("上缴日期"))
    received_by = models.CharField(_("接收单位"), max_length=200, blank=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    idempotency_key = models.CharField(max_length=120, unique=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("党费上缴")
        verbose_name_plural = _("党费上缴")
        ordering = ["organization", "-handed_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(through_entry_id__gte=F("from_entry_id")),
                name="remittance_range",
            ),
            models.UniqueConstraint(
                fields=["organization"],
                condition=Q(previous__isnull=True),
                name="remittance_one_first_per_org",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization_id} {self.handed_on} {self.amount}"


class ArrearsResolution(models.TextChoices):
    OPEN = "open", _("待处理")
    JUSTIFIED = "justified", _("有正当理由（已批准）")
    PROPOSED = "proposed", _("已提请支部大会按自行脱党处理")
    SETTLED = "settled", _("已补交")


class ArrearsCase(models.Model):
    """The handling opened by DUES-ARREARS-6: a justified reason recorded and approved, or
    a proposal to the general meeting to treat the member as having left (LEAVE-SELF)."""

    person = models.ForeignKey(
        "members.Person", on_delete=models.PROTECT, related_name="dues_arrears_cases"
    )
    opened_on = models.DateField(_("立案日期"))
    months = models.PositiveSmallIntegerField(_("连续未交月数"))
    unpaid_from = models.DateField(_("自何月起未交"))
    resolution = models.CharField(
        _("处理结果"),
        max_length=16,
        choices=ArrearsResolution.choices,
        default=ArrearsResolution.OPEN,
    )
    reason = models.CharField(_("理由或情况说明"), max_length=500, blank=True)
    approved_by = models.CharField(_("批准人或批准文件"), max_length=200, blank=True)
    decided_on = models.DateField(_("处理日期"), null=True, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("欠缴党费处置")
        verbose_name_plural = _("欠缴党费处置")
        ordering = ["-opened_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(resolution="open"),
                name="arrears_case_one_open_per_person",
            ),
            models.CheckConstraint(
                condition=Q(resolution="open") | Q(decided_on__isnull=False),
                name="arrears_case_decided_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} 连续{self.months}个月未交（{self.get_resolution_display()}）"
