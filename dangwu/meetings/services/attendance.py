"""Attendance: recording who was present, leave (asked by the member, or recorded for
them by the organizer and approved at once), and self sign-in with a one-time link or QR
code. Same shape as the other meeting services (``common``)."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Mapping

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from dangwu.core import clock
from dangwu.core.errors import DomainError, InvalidInput, NotFound
from dangwu.core.scope import Perm
from dangwu.meetings.choices import AttendanceStatus, LeaveState, MeetingKind, MeetingStatus
from dangwu.meetings.models import Attendance, Meeting
from dangwu.meetings.selectors import branch_of
from dangwu.meetings.services.common import (
    lock_meeting as _lock,
)
from dangwu.meetings.services.common import (
    now_or as _now,
)
from dangwu.meetings.services.common import (
    require_open as _open,
)
from dangwu.meetings.services.common import (
    save as _save,
)
from dangwu.meetings.services.common import (
    user_or_none as _user,
)
from dangwu.members.models import Person
from dangwu.orgs.choices import OrgKind


@transaction.atomic
def attendance_record(
    *,
    actor,
    meeting: Meeting,
    statuses: Mapping[int, str],
    today: dt.date | None = None,
) -> int:
    """Set each person's attendance (``person_id → status``; ``""`` clears it). On leave
    needs an approved leave. Returns how many rows changed."""
    today = today or clock.today()
    m = _lock(meeting, actor, Perm.LIFE)
    _open(m)
    if m.date > today:
        raise DomainError("会议尚未召开，不能登记出席情况。", code="NOT_YET")
    rows = {a.person_id: a for a in m.attendance.select_for_update().select_related("person")}
    allowed = {"", *AttendanceStatus.values}
    errors: list[str] = []
    for pid, status in statuses.items():
        a = rows.get(pid)
        if a is None:
            errors.append("名单中没有该人员，请刷新页面后重试。")
        elif status not in allowed:
            errors.append(f"{a.person.name}的出席情况无效。")
        elif status == AttendanceStatus.ON_LEAVE and a.leave_state != LeaveState.APPROVED:
            errors.append(f"{a.person.name}没有经批准的请假，不能登记为请假。")
    if errors:
        raise InvalidInput(errors[0], fields={"statuses": errors})
    changed = 0
    for pid, status in statuses.items():
        a = rows[pid]
        if a.status == status:
            continue
        a.status = status
        a.recorded_by = _user(actor)
        _save(a, actor)
        changed += 1
    return changed


def _ends_at(m: Meeting) -> dt.datetime:
    end = dt.datetime.combine(m.date, m.ends_at or dt.time.max)
    return timezone.make_aware(end, timezone.get_current_timezone())


@transaction.atomic
def leave_request(
    *, actor, meeting: Meeting, reason: str, now: dt.datetime | None = None
) -> Attendance:
    """The member asks for leave from a meeting they are expected at, before it ends."""
    now = _now(now)
    person_id = getattr(actor, "person_id", None)
    m = Meeting.objects.select_for_update().get(pk=meeting.pk)
    a = Attendance.objects.select_for_update().filter(meeting=m, person_id=person_id).first()
    if person_id is None or a is None:
        raise NotFound()
    _open(m)
    if m.status != MeetingStatus.PLANNED or now >= _ends_at(m):
        raise DomainError("会议已结束，不能再请假。", code="ENDED")
    reason = reason.strip()
    if not reason:
        raise InvalidInput("请填写请假事由。", fields={"reason": ["请填写请假事由。"]})
    if len(reason) > 200:
        raise InvalidInput("请假事由不能超过200字。", fields={"reason": ["请假事由过长。"]})
    if a.leave_state == LeaveState.APPROVED:
        raise DomainError("您的请假已获批准，无需再次申请。", code="DUPLICATE")
    a.leave_reason = reason
    a.leave_state = LeaveState.REQUESTED
    a.leave_requested_at = now
    a.leave_decided_by, a.leave_decided_at = None, None
    _save(a, actor)
    return a


@transaction.atomic
def leave_decide(
    *, actor, attendance: Attendance, approve: bool, now: dt.datetime | None = None
) -> Attendance:
    """Approve or refuse a leave request (LIFE on the meeting's organization)."""
    # The meeting first, then the row: the same order as every other attendance write.
    m = _lock(Attendance.objects.get(pk=attendance.pk).meeting, actor, Perm.LIFE)
    a = Attendance.objects.select_for_update().select_related("person").get(pk=attendance.pk)
    _open(m)
    if a.leave_state != LeaveState.REQUESTED:
        raise DomainError(f"{a.person.name}没有待审批的请假。", code="NO_REQUEST")
    a.leave_state = LeaveState.APPROVED if approve else LeaveState.REFUSED
    a.leave_decided_by = _user(actor)
    a.leave_decided_at = _now(now)
    _save(a, actor)
    return a


@transaction.atomic
def leave_record(
    *, actor, attendance: Attendance, reason: str, now: dt.datetime | None = None
) -> Attendance:
    """The organizer records a leave the member asked for in person or by phone: asked and
    approved at once by the organizer (LIFE on the meeting's organization), and the member
    is on leave. The reason is required: LIFE-ABSENT-6 treats an approved leave as a
    justified reason."""
    now = _now(now)
    m = _lock(Attendance.objects.get(pk=attendance.pk).meeting, actor, Perm.LIFE)
    a = Attendance.objects.select_for_update().select_related("person").get(pk=attendance.pk)
    _open(m)
    reason = reason.strip()
    if not reason:
        raise InvalidInput("请填写请假事由。", fields={"reason": ["请填写请假事由。"]})
    if len(reason) > 200:
        raise InvalidInput("请假事由不能超过200字。", fields={"reason": ["请假事由过长。"]})
    if a.status == AttendanceStatus.PRESENT:
        raise DomainError(f"{a.person.name}已登记为出席，不能再登记请假。", code="PRESENT")
    a.leave_reason = reason
    a.leave_state = LeaveState.APPROVED
    a.leave_requested_at = a.leave_requested_at or now
    a.leave_decided_by = _user(actor)
    a.leave_decided_at = now
    if m.status == MeetingStatus.HELD or m.date <= timezone.localdate(now):
        a.status = AttendanceStatus.ON_LEAVE
        a.recorded_by = _user(actor)
    _save(a, actor)
    return a


# --- self sign-in ------------------------------------------------------------------------------


@transaction.atomic
def signin_open(*, actor, meeting: Meeting, now: dt.datetime | None = None) -> Meeting:
    """A new one-time sign-in token for the host's screen (the old link stops working),
    valid for ``DANGWU["MEETINGS"]["signin_minutes"]`` minutes, on the meeting's day."""
    now = _now(now)
    m = _lock(meeting, actor, Perm.LIFE)
    _open(m)
    if timezone.localdate(now) != m.date:
        raise DomainError(f"只能在会议当天（{m.date:%Y-%m-%d}）开启签到。", code="NOT_TODAY")
    minutes = settings.DANGWU["MEETINGS"]["signin_minutes"]
    m.signin_token = secrets.token_urlsafe(24)
    m.signin_expires_at = now + dt.timedelta(minutes=minutes)
    _save(m, actor)
    return m


@transaction.atomic
def signin(*, actor, token: str, now: dt.datetime | None = None) -> Attendance:
    """The logged-in member signs in with the link or QR code: present, with the time.
    Anyone on the list, or a member of the meeting's branch, may; signing in twice keeps
    the first time."""
    now = _now(now)
    m = (
        Meeting.objects.select_for_update()
        .select_related("organization")
        .filter(signin_token=token)
        .first()
        if token
        else None
    )
    if m is None:
        raise DomainError(
            "签到链接无效或已被更换，请扫描主持人屏幕上最新的二维码。", code="SIGNIN_UNKNOWN"
        )
    _open(m)
    if m.signin_expires_at is None or now >= m.signin_expires_at:
        local = timezone.localtime(m.signin_expires_at) if m.signin_expires_at else None
        when = f"（{local:%H:%M}截止）" if local else ""
        raise DomainError(f"签到已截止{when}，请联系会议记录人登记出席。", code="SIGNIN_EXPIRED")
    person_id = getattr(actor, "person_id", None)
    if person_id is None:
        raise DomainError("您的账号未关联党员信息，不能签到。", code="SIGNIN_NO_PERSON")
    a = Attendance.objects.select_for_update().filter(meeting=m, person_id=person_id).first()
    if a is None:
        # A guest only at the branch's own meetings open to all its members: a committee
        # meeting or a group's meeting is for those on its list (its record is theirs).
        open_to_branch = (
            m.organization.kind == OrgKind.BRANCH and m.kind != MeetingKind.COMMITTEE_MEETING
        )
        branch = branch_of(m.organization)
        if (
            not open_to_branch
            or not Person.objects.filter(pk=person_id, branch=branch, is_active=True).exists()
        ):
            raise DomainError("您不在本次会议的参会名单中，不能签到。", code="SIGNIN_NOT_LISTED")
        a, _ = Attendance.objects.get_or_create(
            meeting=m, person_id=person_id, defaults={"expected": False}
        )
    if a.status == AttendanceStatus.PRESENT and a.signed_in_at is not None:
        return a
    a.status = AttendanceStatus.PRESENT
    a.signed_in_at = a.signed_in_at or now
    _save(a, actor)
    return a
