"""Enumerations of the development records (DOMAIN.md §5 glossary). Pure: no database."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from dangwu.development.steps import STEPS

# The 25 steps and the optional ones, plus the cancellation of a probationary membership
# (取消预备党员资格, 细则 第三十四条) which ends a record and is not part of the timeline JSON.
CANCELLATION = "probation_cancellation"
STEP_CHOICES = [(s.key, s.name) for s in STEPS] + [(CANCELLATION, "取消预备党员资格")]


class PersonRole(models.TextChoices):
    CONTACT = "contact", _("培养联系人")
    INTRODUCER = "introducer", _("入党介绍人")


class RecommendedBy(models.TextChoices):
    PARTY_MEMBERS = "party_members", _("党员推荐")
    LEAGUE = "league", _("共青团推优")
    MASS_ORGANIZATION = "mass_organization", _("群团组织推优")


class ActingOrg(models.TextChoices):
    BASIC_COMMITTEE = "basic_committee", _("基层党委")
    GENERAL_BRANCH = "general_branch", _("党总支")
    BRANCH = "branch", _("党支部")


class EntrySource(models.TextChoices):
    LIVE = "live", _("在线登记")
    IMPORT = "import", _("历史导入")


class RecordState(models.TextChoices):
    OPEN = "open", _("进行中")
    DONE = "done", _("已转正归档")
    CANCELLED = "cancelled", _("已取消预备党员资格")
    STOPPED = "stopped", _("已终止")
