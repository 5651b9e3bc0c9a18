"""Enumerations of organizational life (DOMAIN.md §7). Pure: no database.

The values are the code names of DOMAIN.md, also used in JSON.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class MeetingKind(models.TextChoices):
    GENERAL_MEETING = "general_meeting", _("支部党员大会")
    COMMITTEE_MEETING = "committee_meeting", _("支委会")
    GROUP_MEETING = "group_meeting", _("党小组会")
    PARTY_LECTURE = "party_lecture", _("党课")
    THEME_DAY = "theme_day", _("主题党日")
    ORG_LIFE_MEETING = "org_life_meeting", _("组织生活会")
    APPRAISAL = "appraisal", _("民主评议党员")
    STUDY_SESSION = "study_session", _("集中学习")


class AttendanceStatus(models.TextChoices):
    """A person at one meeting: present, excused with approved leave, or absent."""

    PRESENT = "present", _("出席")
    ON_LEAVE = "on_leave", _("请假")
    ABSENT = "absent", _("缺席")


class MeetingStatus(models.TextChoices):
    """A meeting is planned (notice given), then held (recorded) or cancelled."""

    PLANNED = "planned", _("计划召开")
    HELD = "held", _("已召开")
    CANCELLED = "cancelled", _("已取消")


class LeaveState(models.TextChoices):
    """A request for leave from one meeting: asked, then approved or refused."""

    NONE = "", _("未请假")
    REQUESTED = "requested", _("待批准")
    APPROVED = "approved", _("已批准")
    REFUSED = "refused", _("未批准")


class FileKind(models.TextChoices):
    PHOTO = "photo", _("照片")
    DOCUMENT = "document", _("文件")


class AbsenceResolution(models.TextChoices):
    """How the handling opened by LIFE-ABSENT-6 ended (the LEAVE-SELF procedure)."""

    OPEN = "open", _("待处理")
    JUSTIFIED = "justified", _("有正当理由（已批准）")
    PROPOSED = "proposed", _("已提请支部大会按自行脱党处理")
    RETURNED = "returned", _("已恢复参加组织生活")
