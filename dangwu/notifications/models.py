"""Reminders as rows: one notification for one user about one thing that is due.

A notification is *computed* from the data by ``services.reminders_run``; its ``key`` names
what it is about (``meeting_due:<org>:<rule>:<period>``, ``minutes_missing:<meeting>`` …), so
running the job again finds the row already there and creates nothing: the unique
constraint on (user, key) is what makes the daily job idempotent.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class NotificationKind(models.TextChoices):
    MEETING_DUE = "meeting_due", _("会议待召开")
    MINUTES_MISSING = "minutes_missing", _("会议记录未填写")
    LEAVE_REQUESTED = "leave_requested", _("请假待审批")
    MEETING_UPCOMING = "meeting_upcoming", _("会议即将召开")
    MEETING_NOTICE = "meeting_notice", _("会议通知")
    DEVELOPMENT_DUE = "development_due", _("发展党员事项到期")


class Notification(models.Model):
    """A reminder in one user's inbox (and, when e-mail is configured, in their mailbox)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("接收人"),
    )
    kind = models.CharField(_("类别"), max_length=32, choices=NotificationKind.choices)
    key = models.CharField(_("提醒标识"), max_length=200)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(_("链接"), max_length=300, blank=True)
    due = models.DateField(_("截止日期"), null=True, blank=True)
    created_at = models.DateTimeField(_("提醒时间"), auto_now_add=True)
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("邮件发送时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("提醒")
        verbose_name_plural = _("提醒")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="notification_unique_key"),
        ]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="notification_inbox_idx"),
            # The badge on every page counts these.
            models.Index(
                fields=["user"], condition=Q(read_at__isnull=True), name="notification_unread_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.title}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None
