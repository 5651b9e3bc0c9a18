from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class AuditAction(models.TextChoices):
    LOGIN = "login", _("登录")
    LOGIN_FAILED = "login_failed", _("登录失败")
    LOGOUT = "logout", _("退出")
    EXPORT = "export", _("导出")
    IMPORT = "import", _("导入")
    VIEW_ID_NUMBER = "view_id_number", _("查看完整身份证号码")
    PRINT = "print", _("打印")


class AuditEvent(models.Model):
    """An event that is not a change of a model row: a login, an export, viewing a full ID number.

    Changes of rows are recorded by django-simple-history on the audited models; this table
    holds the rest. Rows are only ever added.
    """

    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    action = models.CharField(_("事件"), max_length=32, choices=AuditAction.choices)
    subject = models.CharField(_("对象"), max_length=100, blank=True, db_index=True)
    detail = models.JSONField(_("详情"), default=dict, blank=True)
    ip_address = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True)

    class Meta:
        verbose_name = _("审计事件")
        verbose_name_plural = _("审计事件")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_action_display()} {self.subject}"


class HolidaySchedule(models.Model):
    """One year of the State Council's holiday schedule (CAL-DATA), the source of working days.

    ``rest_days`` lists every official holiday of the year (weekend days inside a holiday
    included) and ``makeup_workdays`` the Saturdays and Sundays worked instead (调休上班),
    both as ISO dates. The known years are seeded from ``data/holidays.json`` by a data
    migration; an administrator adds a new year from its notice. A year without a row has
    no working days: asking about it is an error, never a guess.
    """

    year = models.PositiveSmallIntegerField(_("年份"), unique=True)
    rest_days = models.JSONField(_("放假日期"), default=list)
    makeup_workdays = models.JSONField(_("调休上班日期"), default=list, blank=True)
    source = models.CharField(_("依据（通知文号）"), max_length=200, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("录入时间"), auto_now=True)
    # Who entered or changed a year, and what it said before: deadlines depend on it.
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("节假日安排")
        verbose_name_plural = _("节假日安排")
        ordering = ["year"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(year__gte=1949) & models.Q(year__lte=2200),
                name="holiday_schedule_year_range",
            )
        ]

    def __str__(self) -> str:
        return f"{self.year}年节假日安排"
