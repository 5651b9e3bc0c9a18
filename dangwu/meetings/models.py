"""Organizational life as records: meetings and who attended them, resolutions, files,
heart-to-heart talks, and the handling opened by six months' absence (LIFE-ABSENT-6).

The LIFE-* rules (``rules.py``) read these rows through ``compliance.py``; nothing here
decides a regulation. Meetings, attendance and talks are audited (simple-history); once a
meeting's minutes are approved the record is locked and the services refuse to change it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from dangwu.meetings.choices import (
    AbsenceResolution,
    AttendanceStatus,
    FileKind,
    LeaveState,
    MeetingKind,
    MeetingStatus,
)


class Meeting(models.Model):
    """One meeting or activity of an organization: a branch's general meeting, committee
    meeting, party lecture, theme day, organizational life meeting, appraisal or study
    session, or a party group's meeting (``organization`` is then the group).

    ``date`` is the day it is (to be) held; the LIFE-* periods are counted from it. A
    meeting is planned (with a notice to those expected), then held or cancelled; its
    record is locked when ``minutes_approved_at`` is set.
    """

    organization = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="meetings",
        verbose_name=_("党组织"),
    )
    kind = models.CharField(_("会议类型"), max_length=32, choices=MeetingKind.choices)
    topic = models.CharField(_("主题"), max_length=200)
    date = models.DateField(_("日期"))
    starts_at = models.TimeField(_("开始时间"), null=True, blank=True)
    ends_at = models.TimeField(_("结束时间"), null=True, blank=True)
    place = models.CharField(_("地点"), max_length=100, blank=True)
    host = models.ForeignKey(
        "members.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("主持人"),
    )
    recorder = models.ForeignKey(
        "members.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("记录人"),
    )
    speaker = models.ForeignKey(
        "members.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("授课人"),
        help_text=_("党课的授课人；书记讲党课计入 LIFE-LECTURE。"),
    )
    agenda = models.TextField(_("议程"), blank=True)
    notice = models.TextField(_("会议通知"), blank=True)
    notice_sent_at = models.DateTimeField(_("通知发出时间"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED
    )
    includes_appraisal = models.BooleanField(
        _("同时开展民主评议党员"),
        default=False,
        help_text=_("组织生活会可以结合民主评议党员进行（LIFE-APPRAISAL）。"),
    )
    minutes = models.TextField(_("会议记录"), blank=True)
    minutes_approved_at = models.DateTimeField(_("记录审定时间"), null=True, blank=True)
    minutes_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("记录审定人"),
    )
    # Self sign-in: a random token shown as a link and a QR code on the host's screen.
    signin_token = models.CharField(_("签到口令"), max_length=64, blank=True, editable=False)
    signin_expires_at = models.DateTimeField(_("签到截止时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["signin_token", "updated_at"])

    class Meta:
        verbose_name = _("会议")
        verbose_name_plural = _("会议")
        ordering = ["-date", "-starts_at", "-id"]
        indexes = [
            models.Index(fields=["organization", "date"], name="meeting_org_date_idx"),
            models.Index(fields=["date", "kind"], name="meeting_date_kind_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True)
                | Q(starts_at__isnull=True)
                | Q(ends_at__gt=F("starts_at")),
                name="meeting_ends_after_starts",
            ),
            models.CheckConstraint(
                condition=Q(minutes_approved_at__isnull=True) | Q(status=MeetingStatus.HELD),
                name="meeting_locked_only_when_held",
            ),
            models.UniqueConstraint(
                fields=["signin_token"],
                condition=~Q(signin_token=""),
                name="meeting_signin_token_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.get_kind_display()}：{self.topic}"

    @property
    def is_locked(self) -> bool:
        """Minutes approved: the record no longer changes."""
        return self.minutes_approved_at is not None


class Attendance(models.Model):
    """One person at one meeting: expected (on the list when the notice went out) or a
    guest, and — once recorded — present, on approved leave, or absent.

    ``status`` is empty until the meeting is recorded. A leave is asked for and decided
    here (``leave_state``); ``on_leave`` needs an approved leave (LIFE-ABSENT-6 counts an
    approved leave as a justified reason, an unanswered request as nothing).
    """

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="attendance", verbose_name=_("会议")
    )
    person = models.ForeignKey(
        "members.Person",
        on_delete=models.PROTECT,
        related_name="meeting_attendance",
        verbose_name=_("人员"),
    )
    expected = models.BooleanField(_("应到"), default=True)
    status = models.CharField(
        _("出席情况"), max_length=16, choices=AttendanceStatus.choices, blank=True
    )
    signed_in_at = models.DateTimeField(_("签到时间"), null=True, blank=True)
    leave_reason = models.CharField(_("请假事由"), max_length=200, blank=True)
    leave_state = models.CharField(
        _("请假审批"), max_length=16, choices=LeaveState.choices, blank=True, default=""
    )
    leave_requested_at = models.DateTimeField(_("请假时间"), null=True, blank=True)
    leave_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("请假审批人"),
    )
    leave_decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("出席情况")
        verbose_name_plural = _("出席情况")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "person"], name="attendance_unique"),
            models.CheckConstraint(
                condition=~Q(status=AttendanceStatus.ON_LEAVE) | Q(leave_state=LeaveState.APPROVED),
                name="attendance_leave_approved",
            ),
        ]
        indexes = [models.Index(fields=["person", "status"], name="attendance_person_idx")]

    def __str__(self) -> str:
        return f"{self.meeting} {self.person} {self.get_status_display() or '未登记'}"


class Resolution(models.Model):
    """A decision put to the vote at a meeting, with the counts the VOTE rules check."""

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="resolutions", verbose_name=_("会议")
    )
    number = models.PositiveSmallIntegerField(_("序号"))
    text = models.TextField(_("决议内容"))
    should_attend = models.PositiveIntegerField(_("应到有表决权人数"))
    present = models.PositiveIntegerField(_("实到有表决权人数"))
    in_favour = models.PositiveIntegerField(_("赞成票"))
    written_in_favour = models.PositiveIntegerField(_("书面意见赞成"), default=0)
    against = models.PositiveIntegerField(_("反对票"), default=0)
    abstained = models.PositiveIntegerField(_("弃权"), default=0)
    quorate = models.BooleanField(_("到会人数符合要求"))
    passed = models.BooleanField(_("通过"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("会议决议")
        verbose_name_plural = _("会议决议")
        ordering = ["meeting", "number"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "number"], name="resolution_unique_number"),
            models.CheckConstraint(
                condition=Q(present__lte=F("should_attend")), name="resolution_present_lte_should"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.meeting} 决议{self.number}"


class MeetingFile(models.Model):
    """A photo or document of a meeting (sign-in sheet scan, slides, pictures)."""

    meeting = models.ForeignKey(
        Meeting, on_delete=models.PROTECT, related_name="files", verbose_name=_("会议")
    )
    kind = models.CharField(_("类别"), max_length=16, choices=FileKind.choices)
    file = models.FileField(_("文件"), upload_to="meetings/%Y/%m/")
    name = models.CharField(_("文件名"), max_length=200)
    size = models.PositiveIntegerField(_("大小（字节）"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("会议附件")
        verbose_name_plural = _("会议附件")
        ordering = ["meeting", "uploaded_at", "id"]

    def __str__(self) -> str:
        return self.name


class HeartTalk(models.Model):
    """A heart-to-heart talk (谈心谈话) between two people of a branch (LIFE-HEART-TALK)."""

    organization = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="heart_talks",
        verbose_name=_("党支部"),
    )
    date = models.DateField(_("日期"))
    person = models.ForeignKey(
        "members.Person",
        on_delete=models.PROTECT,
        related_name="heart_talks_held",
        verbose_name=_("谈话人"),
    )
    other = models.ForeignKey(
        "members.Person",
        on_delete=models.PROTECT,
        related_name="heart_talks_received",
        verbose_name=_("谈话对象"),
    )
    topic = models.CharField(_("谈话主题"), max_length=200)
    note = models.TextField(_("谈话情况"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("谈心谈话")
        verbose_name_plural = _("谈心谈话")
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["organization", "date"], name="heart_talk_org_date_idx")]
        constraints = [
            models.CheckConstraint(condition=~Q(person=F("other")), name="heart_talk_two_people"),
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.person}与{self.other}谈心谈话"


class AbsenceCase(models.Model):
    """The handling opened by LIFE-ABSENT-6 (the LEAVE-SELF procedure, as DUES-ARREARS-6):
    a justified reason recorded and approved, a proposal to the general meeting to treat
    the member as having left, or the member back in organizational life."""

    person = models.ForeignKey(
        "members.Person", on_delete=models.PROTECT, related_name="absence_cases"
    )
    opened_on = models.DateField(_("立案日期"))
    months = models.PositiveSmallIntegerField(_("连续未参加月数"))
    absent_from = models.DateField(_("自何月起未参加"))
    resolution = models.CharField(
        _("处理结果"),
        max_length=16,
        choices=AbsenceResolution.choices,
        default=AbsenceResolution.OPEN,
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
        verbose_name = _("不参加组织生活处置")
        verbose_name_plural = _("不参加组织生活处置")
        ordering = ["-opened_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(resolution="open"),
                name="absence_case_one_open_per_person",
            ),
            models.CheckConstraint(
                condition=Q(resolution="open") | Q(decided_on__isnull=False),
                name="absence_case_decided_has_date",
            ),
        ]

    def __str__(self) -> str:
        what = self.get_resolution_display()
        return f"{self.person} 连续{self.months}个月未参加组织生活（{what}）"


class ComplianceTally(models.Model):
    """A branch's counts of LIFE-* findings for one year, as computed on ``computed_on``.

    A committee's table over thousands of branches reads these rows (refreshed daily by
    ``dangwu worker``) instead of recomputing every branch on each page view; below
    ``DANGWU["MEETINGS"]["live_table_limit"]`` branches the table is computed live.
    ``by_code`` / ``by_period``: errors and warnings per rule code / per period label.
    """

    organization = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("党支部"),
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    computed_on = models.DateField(_("统计日期"))
    errors = models.PositiveIntegerField(_("错误"))
    warnings = models.PositiveIntegerField(_("警示"))
    by_code = models.JSONField(_("按规则"), default=dict)
    by_period = models.JSONField(_("按期间"), default=dict)

    class Meta:
        verbose_name = _("组织生活落实统计")
        verbose_name_plural = _("组织生活落实统计")
        constraints = [
            models.UniqueConstraint(fields=["organization", "year"], name="tally_one_per_year"),
        ]

    def __str__(self) -> str:
        return f"{self.organization} {self.year}年：错误{self.errors}，警示{self.warnings}"
