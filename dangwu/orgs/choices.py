"""Enumerations of the organizations domain (DOMAIN.md glossary). Pure: no database."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrgKind(models.TextChoices):
    BASIC_COMMITTEE = "basic_committee", _("基层党委")
    GENERAL_BRANCH = "general_branch", _("党总支")
    BRANCH = "branch", _("党支部")
    PARTY_GROUP = "party_group", _("党小组")


class Formation(models.TextChoices):
    """A branch (or group) is standard, joint (联合) or temporary (临时)."""

    STANDARD = "standard", _("常设")
    JOINT = "joint", _("联合")
    TEMPORARY = "temporary", _("临时")


class Category(models.TextChoices):
    UNIVERSITY_STUDENT = "university_student", _("高校学生")
    UNIVERSITY_STAFF = "university_staff", _("高校教工")
    GOVERNMENT = "government", _("机关")
    ENTERPRISE = "enterprise", _("企业")
    VILLAGE = "village", _("农村")
    COMMUNITY = "community", _("社区")
    OTHER = "other", _("其他")


class PostKind(models.TextChoices):
    SECRETARY = "secretary", _("书记")
    DEPUTY_SECRETARY = "deputy_secretary", _("副书记")
    ORGANIZATION_MEMBER = "organization_member", _("组织委员")
    PROPAGANDA_MEMBER = "propaganda_member", _("宣传委员")
    DISCIPLINE_MEMBER = "discipline_member", _("纪检委员")
    COMMITTEE_MEMBER = "committee_member", _("其他委员")
    GROUP_LEADER = "group_leader", _("党小组长")
    DEPUTY_GROUP_LEADER = "deputy_group_leader", _("副组长")


COMMITTEE_POSTS = frozenset(
    {
        PostKind.SECRETARY,
        PostKind.DEPUTY_SECRETARY,
        PostKind.ORGANIZATION_MEMBER,
        PostKind.PROPAGANDA_MEMBER,
        PostKind.DISCIPLINE_MEMBER,
        PostKind.COMMITTEE_MEMBER,
    }
)
GROUP_POSTS = frozenset({PostKind.GROUP_LEADER, PostKind.DEPUTY_GROUP_LEADER})


class ChosenBy(models.TextChoices):
    ELECTED = "elected", _("选举")
    RECOMMENDED = "recommended", _("推选")
    DESIGNATED = "designated", _("指定")


class DesignationReason(models.TextChoices):
    """The three cases in which a branch may designate a group leader (seed 004)."""

    TEMPORARY_GROUP = "temporary_group", _("临时组建的党小组，党员之间不熟悉")
    JOINT_GROUP = "joint_group", _("联合党小组，组建时党员互不熟悉")
    SINGLE_FULL_MEMBER = "single_full_member", _("党小组中只有一名正式党员")
    OTHER = "other", _("其他原因")
