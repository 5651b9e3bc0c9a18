from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class User(AbstractUser):
    """A login. May be linked to the person it belongs to (a member sees their own record)."""

    person = models.OneToOneField(
        "members.Person",
        verbose_name=_("对应人员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="user",
    )
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class RoleKind(models.TextChoices):
    PARTY_WORKER = "party_worker", _("党务工作者")
    SECRETARY = "secretary", _("书记")
    COMMITTEE_MEMBER = "committee_member", _("委员")
    GROUP_LEADER = "group_leader", _("党小组长")


class Role(models.Model):
    """A user's role on an organization; it covers that organization and everything below it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="roles"
    )
    organization = models.ForeignKey(
        "orgs.Organization", verbose_name=_("党组织"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("角色"), max_length=32, choices=RoleKind.choices)
    granted_at = models.DateTimeField(_("授予时间"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("角色")
        verbose_name_plural = _("角色")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organization", "kind"], name="role_unique_per_org"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.organization} · {self.get_kind_display()}"
