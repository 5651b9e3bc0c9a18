"""What the meeting services share: locking a meeting after the scope allows the action,
refusing changes to a locked or cancelled record, saving with validation and history."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from dangwu.core.audit import as_actor
from dangwu.core.errors import DomainError
from dangwu.core.scope import Perm, scope_for
from dangwu.meetings.choices import MeetingStatus
from dangwu.meetings.models import Meeting

LOCKED = "会议记录已审定，不能再修改。"
CANCELLED = "会议已取消，不能再修改。"


def user_or_none(actor):
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


def lock_meeting(meeting: Meeting, actor, perm: Perm) -> Meeting:
    """The meeting locked for update, after the scope allows ``perm`` on it."""
    m = Meeting.objects.select_for_update().select_related("organization").get(pk=meeting.pk)
    scope_for(actor).require(m.organization.path, perm)
    return m


def require_open(m: Meeting) -> None:
    """Refuse any change to a locked or cancelled meeting."""
    if m.is_locked:
        raise DomainError(LOCKED, code="LOCKED")
    if m.status == MeetingStatus.CANCELLED:
        raise DomainError(CANCELLED, code="CANCELLED")


def save(obj, actor) -> None:
    obj.full_clean()
    as_actor(obj, actor)
    obj.save()


def now_or(now: dt.datetime | None) -> dt.datetime:
    return now or timezone.now()
