from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords
from treebeard.mp_tree import MP_Node

from dangwu.orgs.choices import (
    Category,
    ChosenBy,
    DesignationReason,
    Formation,
    OrgKind,
    PostKind,
)


class Organization(MP_Node):
    """A party organization: basic committee, general branch, branch or party group.

    Stored with a materialized path (``path``, 4 characters a level), so "this organization
    and everything below" is one indexed prefix filter. A party group is not a level of
    organization in the Party's sense, but it lives in the tree under its branch so that a
    group leader's scope is the same prefix filter. Organizations are dissolved, never deleted.
    """

    steplen = 4

    code = models.CharField(_("组织编码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=32, choices=OrgKind.choices)
    formation = models.CharField(
        _("组建方式"), max_length=16, choices=Formation.choices, default=Formation.STANDARD
    )
    category = models.CharField(
        _("单位类别"), max_length=32, choices=Category.choices, default=Category.OTHER
    )
    founded_on = models.DateField(_("成立日期"), null=True, blank=True)
    dissolved_on = models.DateField(_("撤销日期"), null=True, blank=True)
    approval_authority = models.BooleanField(
        _("具有审批预备党员权限"),
        default=False,
        help_text=_("仅基层党委可以具有审批权限（ORG-APPROVER）。"),
    )
    history = HistoricalRecords(excluded_fields=["numchild"])

    class Meta:
        verbose_name = _("党组织")
        verbose_name_plural = _("党组织")
        indexes = [
            # LIKE 'prefix%' on PostgreSQL needs the pattern operator class under a non-C locale.
            models.Index(
                fields=["path"], name="org_path_prefix_idx", opclasses=["varchar_pattern_ops"]
            ),
            models.Index(fields=["kind"], name="org_kind_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(approval_authority=False) | Q(kind=OrgKind.BASIC_COMMITTEE),
                name="org_approval_only_basic_committee",
            ),
            models.CheckConstraint(
                condition=Q(dissolved_on__isnull=True)
                | Q(founded_on__isnull=True)
                | Q(dissolved_on__gte=F("founded_on")),
                name="org_dissolved_after_founded",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.dissolved_on is None

    @property
    def is_group(self) -> bool:
        return self.kind == OrgKind.PARTY_GROUP


class CommitteeTerm(models.Model):
    """One term (届) of an organization's elected committee, from the election to its end."""

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="terms", verbose_name=_("党组织")
    )
    number = models.PositiveSmallIntegerField(_("届次"))
    elected_on = models.DateField(_("选举日期"))
    ends_on = models.DateField(_("任期届满日期"))
    extended_until = models.DateField(
        _("经批准延期至"), null=True, blank=True, help_text=_("延期最多一年，须经上级批准。")
    )
    closed_on = models.DateField(_("换届日期"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("委员会届次")
        verbose_name_plural = _("委员会届次")
        ordering = ["organization", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "number"], name="term_unique_number"),
            models.UniqueConstraint(
                fields=["organization"],
                condition=Q(closed_on__isnull=True),
                name="term_one_open_per_org",
            ),
            models.CheckConstraint(
                condition=Q(ends_on__gt=F("elected_on")), name="term_ends_after_elected"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization} 第{self.number}届"


class Post(models.Model):
    """A person holding a post (secretary, committee member, group leader …) for a term."""

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="posts", verbose_name=_("党组织")
    )
    person = models.ForeignKey(
        "members.Person", on_delete=models.PROTECT, related_name="posts", verbose_name=_("任职人")
    )
    kind = models.CharField(_("职务"), max_length=32, choices=PostKind.choices)
    term = models.ForeignKey(
        CommitteeTerm,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="posts",
        verbose_name=_("届次"),
    )
    started_on = models.DateField(_("任职日期"))
    ends_on = models.DateField(_("任期届满"), null=True, blank=True)
    ended_on = models.DateField(_("离任日期"), null=True, blank=True)
    chosen_by = models.CharField(_("产生方式"), max_length=16, choices=ChosenBy.choices)
    designation_reason = models.CharField(
        _("指定理由"), max_length=32, choices=DesignationReason.choices, blank=True
    )
    note = models.CharField(_("备注"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("职务")
        verbose_name_plural = _("职务")
        ordering = ["organization", "kind", "started_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                name="post_ended_after_started",
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gt=F("started_on")),
                name="post_term_end_after_start",
            ),
            models.UniqueConstraint(
                fields=["organization", "person", "kind"],
                condition=Q(ended_on__isnull=True),
                name="post_one_open_per_person_kind",
            ),
        ]
        indexes = [models.Index(fields=["person", "ended_on"], name="post_person_idx")]

    def __str__(self) -> str:
        return f"{self.organization} {self.get_kind_display()} {self.person}"
