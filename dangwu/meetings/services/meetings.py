"""Meetings: plan, notify, cancel; minutes and their approval (which locks the record);
resolutions with their vote; photos and files. Attendance, leave and self sign-in are in
``attendance``.

Each service: authorize with the scope (``NotFound`` outside it) → lock the meeting
(``select_for_update``; SQLite's IMMEDIATE transactions serialize writers) → refuse a
locked or cancelled record → check → write with ``full_clean()`` and ``as_actor`` so the
history names who changed what. Messages are Chinese; ``fields`` names the parameter.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
from dataclasses import dataclass

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max
from simple_history.utils import bulk_create_with_history

from dangwu.core import clock
from dangwu.core.audit import as_actor, audit_event, history_reason
from dangwu.core.errors import DomainError, InvalidInput
from dangwu.core.findings import Finding
from dangwu.core.models import AuditAction
from dangwu.core.scope import Perm, scope_for
from dangwu.development.votes import vote_result
from dangwu.meetings.choices import (
    FileKind,
    LeaveState,
    MeetingKind,
    MeetingStatus,
)
from dangwu.meetings.models import Attendance, Meeting, MeetingFile, Resolution
from dangwu.meetings.selectors import branch_of, expected_people, kinds_for
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
from dangwu.notifications.services import meeting_notice_notify
from dangwu.orgs.choices import OrgKind
from dangwu.orgs.models import Organization

FIRST_YEAR = 2000
PLAN_AHEAD_DAYS = 366
# Photos and documents a branch keeps with a meeting; the first bytes must match the type.
PHOTO_TYPES = {".jpg", ".jpeg", ".png", ".webp", ".heic"}
DOCUMENT_TYPES = {".pdf", ".doc", ".docx", ".xls", ".xlsx", ".ppt", ".pptx", ".txt", ".wps", ".et"}
MAX_PHOTO_BYTES = 10 * 1024 * 1024
MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
_SIGNATURES = {
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".pdf": (b"%PDF-",),
}

# --- planning --------------------------------------------------------------------------------


@dataclass(frozen=True)
class MeetingFields:
    """What a planner fills in for a meeting."""

    kind: str
    topic: str
    date: dt.date
    starts_at: dt.time | None = None
    ends_at: dt.time | None = None
    place: str = ""
    host: Person | None = None
    recorder: Person | None = None
    speaker: Person | None = None
    agenda: str = ""
    includes_appraisal: bool = False


def _check_fields(actor, org: Organization, f: MeetingFields, today: dt.date) -> None:
    errs: dict[str, list[str]] = {}
    kinds = kinds_for(org)
    if not kinds:
        raise InvalidInput(
            "只有党支部和党小组可以登记会议。", fields={"organization": ["党组织类型不符。"]}
        )
    if f.kind not in kinds:
        if org.kind == OrgKind.PARTY_GROUP:
            errs["kind"] = ["党小组只能召开党小组会或集中学习。"]
        elif f.kind == MeetingKind.GROUP_MEETING:
            errs["kind"] = ["党小组会由党小组召开，请在党小组下登记。"]
        else:
            errs["kind"] = ["请选择会议类型。"]
    if not f.topic.strip():
        errs["topic"] = ["请填写会议主题。"]
    elif len(f.topic.strip()) > 200:
        errs["topic"] = ["会议主题不能超过200字。"]
    if f.date.year < FIRST_YEAR or f.date > today + dt.timedelta(days=PLAN_AHEAD_DAYS):
        errs["date"] = [f"会议日期应在{FIRST_YEAR}年之后、一年以内。"]
    if org.dissolved_on is not None and f.date >= org.dissolved_on:
        errs["date"] = [f"{org.name}已于{org.dissolved_on:%Y-%m-%d}撤销，不能在此后开会。"]
    if f.starts_at and f.ends_at and f.ends_at <= f.starts_at:
        errs["ends_at"] = ["结束时间应晚于开始时间。"]
    roll = Person.objects.filter(branch=branch_of(org), is_active=True)
    for name, label in (("host", "主持人"), ("recorder", "记录人")):
        p = getattr(f, name)
        if p is not None and not roll.filter(pk=p.pk).exists():
            errs[name] = [f"{label}应为本支部在册人员。"]
    if f.speaker is not None:
        visible = Person.objects.filter(scope_for(actor).person_q(Perm.VIEW), pk=f.speaker.pk)
        if not (roll.filter(pk=f.speaker.pk).exists() or visible.exists()):
            errs["speaker"] = ["授课人不在您的管理范围内。"]
    if errs:
        raise InvalidInput(next(iter(errs.values()))[0], fields=errs)


def _apply(m: Meeting, f: MeetingFields) -> None:
    m.kind = f.kind
    m.topic = f.topic.strip()
    m.date = f.date
    m.starts_at, m.ends_at = f.starts_at, f.ends_at
    m.place = f.place.strip()
    m.host, m.recorder = f.host, f.recorder
    m.speaker = f.speaker if f.kind == MeetingKind.PARTY_LECTURE else None
    m.agenda = f.agenda.strip()
    m.includes_appraisal = f.includes_appraisal and f.kind == MeetingKind.ORG_LIFE_MEETING


def _untouched(a: Attendance) -> bool:
    return not a.status and not a.leave_state and a.signed_in_at is None


def _sync_expected(actor, m: Meeting) -> None:
    """Write the expected list (应到) for the meeting's kind and date: add who is missing,
    drop rows of people no longer expected that nobody has touched."""
    want = {p.pk for p in expected_people(m.organization, m.kind, m.date)}
    rows = {a.person_id: a for a in Attendance.objects.select_for_update().filter(meeting=m)}
    for pid, a in rows.items():
        if a.expected and pid not in want and _untouched(a):
            as_actor(a, actor)
            a.delete()
        elif not a.expected and pid in want:
            a.expected = True
            _save(a, actor)
    new = [Attendance(meeting=m, person_id=pid, expected=True) for pid in sorted(want - set(rows))]
    bulk_create_with_history(new, Attendance, default_user=_user(actor))


@transaction.atomic
def meeting_create(
    *, actor, organization: Organization, fields: MeetingFields, today: dt.date | None = None
) -> Meeting:
    """Plan a meeting and write who is expected to attend."""
    today = today or clock.today()
    scope_for(actor).require(organization.path, Perm.LIFE)
    _check_fields(actor, organization, fields, today)
    m = Meeting(organization=organization, created_by=_user(actor))
    _apply(m, fields)
    _save(m, actor)
    _sync_expected(actor, m)
    return m


@transaction.atomic
def meeting_update(
    *, actor, meeting: Meeting, fields: MeetingFields, today: dt.date | None = None
) -> Meeting:
    """Change a meeting's plan or record. A planned meeting whose kind or date changes gets
    its expected list rewritten (rows already recorded stay)."""
    today = today or clock.today()
    m = _lock(meeting, actor, Perm.LIFE)
    _open(m)
    _check_fields(actor, m.organization, fields, today)
    if m.status == MeetingStatus.HELD and fields.date > today:
        raise InvalidInput(
            "会议已召开，日期不能晚于今天。", fields={"date": ["会议已召开，日期不能晚于今天。"]}
        )
    moved = (m.kind, m.date) != (fields.kind, fields.date)
    _apply(m, fields)
    _save(m, actor)
    if moved and m.status == MeetingStatus.PLANNED:
        _sync_expected(actor, m)
    return m


def notice_text(m: Meeting) -> str:
    """A default notice: when, where, what."""
    when = f"{m.date:%Y年%m月%d日}"
    if m.starts_at:
        when += f" {m.starts_at:%H:%M}"
    where = f"在{m.place}" if m.place else ""
    return (
        f"定于{when}{where}召开{m.get_kind_display()}，主题：{m.topic}。"
        "请准时参加；不能参加的，请在会前请假。"
    )


@transaction.atomic
def meeting_notice(
    *, actor, meeting: Meeting, notice: str = "", now: dt.datetime | None = None
) -> Meeting:
    """Send the notice to those expected: keep its text and when it went out, and put it in
    the inbox of each of them who has a login (e-mail too when mail is configured)."""
    m = _lock(meeting, actor, Perm.LIFE)
    _open(m)
    if m.status != MeetingStatus.PLANNED:
        raise DomainError("会议已召开，无需再发通知。", code="HELD")
    text = notice.strip() or notice_text(m)
    if len(text) > 2000:
        raise InvalidInput("会议通知不能超过2000字。", fields={"notice": ["通知过长。"]})
    _sync_expected(actor, m)
    m.notice = text
    m.notice_sent_at = _now(now)
    _save(m, actor)
    meeting_notice_notify(meeting=m)
    return m


@transaction.atomic
def meeting_cancel(*, actor, meeting: Meeting, reason: str) -> Meeting:
    """Cancel a planned meeting; the reason goes into its history."""
    m = _lock(meeting, actor, Perm.LIFE)
    _open(m)
    if m.status != MeetingStatus.PLANNED:
        raise DomainError("会议已召开，不能取消。", code="HELD")
    if not reason.strip():
        raise InvalidInput("请填写取消原因。", fields={"reason": ["请填写取消原因。"]})
    m.status = MeetingStatus.CANCELLED
    m.signin_token, m.signin_expires_at = "", None
    with history_reason(m, f"取消：{reason.strip()[:90]}"):
        _save(m, actor)
    return m


# --- attendance and leave ----------------------------------------------------------------------


# --- minutes -----------------------------------------------------------------------------------


@transaction.atomic
def minutes_record(
    *, actor, meeting: Meeting, minutes: str, today: dt.date | None = None
) -> Meeting:
    """Record the minutes: the meeting is then held (on or after its date)."""
    today = today or clock.today()
    m = _lock(meeting, actor, Perm.LIFE)
    _open(m)
    if m.date > today:
        raise DomainError(
            f"会议日期（{m.date:%Y-%m-%d}）在今天之后，不能登记为已召开。", code="NOT_YET"
        )
    text = minutes.strip()
    if not text:
        raise InvalidInput("请填写会议记录。", fields={"minutes": ["请填写会议记录。"]})
    m.minutes = text
    m.status = MeetingStatus.HELD
    _save(m, actor)
    return m


@transaction.atomic
def minutes_approve(*, actor, meeting: Meeting, now: dt.datetime | None = None) -> Meeting:
    """Approve the minutes (APPROVE on the organization): the record is locked."""
    m = _lock(meeting, actor, Perm.APPROVE)
    _open(m)
    if m.status != MeetingStatus.HELD or not m.minutes.strip():
        raise DomainError("会议尚未登记会议记录，不能审定。", code="NO_MINUTES")
    missing = m.attendance.filter(expected=True, status="").count()
    if missing:
        raise DomainError(f"尚有{missing}人未登记出席情况，请先登记。", code="UNRECORDED")
    # Once locked, a pending request could never be decided.
    pending = m.attendance.filter(leave_state=LeaveState.REQUESTED).count()
    if pending:
        raise DomainError(f"尚有{pending}条请假申请待审批，请先审批。", code="LEAVE_PENDING")
    m.minutes_approved_at = _now(now)
    m.minutes_approved_by = _user(actor)
    m.signin_token, m.signin_expires_at = "", None
    _save(m, actor)
    return m


# --- resolutions -------------------------------------------------------------------------------


@dataclass(frozen=True)
class VoteCounts:
    should_attend: int
    present: int
    in_favour: int
    written_in_favour: int = 0
    against: int = 0
    abstained: int = 0


@transaction.atomic
def resolution_add(
    *, actor, meeting: Meeting, text: str, votes: VoteCounts, today: dt.date | None = None
) -> tuple[Resolution, list[Finding]]:
    """Record a resolution put to the vote; VOTE-QUORUM and VOTE-PASS decide whether it
    could be voted and passed. Returns the row and the rules' findings (shown, and kept as
    ``quorate`` / ``passed``)."""
    today = today or clock.today()
    m = _lock(meeting, actor, Perm.LIFE)
    _open(m)
    if m.date > today:
        raise DomainError("会议尚未召开，不能登记决议。", code="NOT_YET")
    text = text.strip()
    if not text:
        raise InvalidInput("请填写决议内容。", fields={"text": ["请填写决议内容。"]})
    try:
        result = vote_result(
            votes.should_attend, votes.present, votes.in_favour, votes.written_in_favour
        )
    except ValueError as exc:
        raise InvalidInput(str(exc), fields={"votes": [str(exc)]}) from exc
    for value, label in ((votes.against, "反对票"), (votes.abstained, "弃权票")):
        if value < 0:
            raise InvalidInput(f"{label}不能为负数。", fields={"votes": [f"{label}有误。"]})
    cast = votes.in_favour + votes.against + votes.abstained
    if cast > votes.present:
        msg = f"赞成、反对、弃权合计{cast}票，超过实到会人数{votes.present}。"
        raise InvalidInput(msg, fields={"votes": [msg]})
    number = (m.resolutions.aggregate(n=Max("number"))["n"] or 0) + 1
    r = Resolution(
        meeting=m,
        number=number,
        text=text,
        should_attend=votes.should_attend,
        present=votes.present,
        in_favour=votes.in_favour,
        written_in_favour=votes.written_in_favour,
        against=votes.against,
        abstained=votes.abstained,
        quorate=result.quorate,
        passed=result.passed,
    )
    _save(r, actor)
    return r, list(result.findings)


# --- files -------------------------------------------------------------------------------------


def _mb(n: int) -> str:
    return f"{n // (1024 * 1024)}MB"


def _check_upload(upload: UploadedFile, kind: str) -> str:
    """The upload's extension, after its kind, size and first bytes are checked."""
    if kind not in FileKind.values:
        raise InvalidInput("请选择附件类别。", fields={"kind": ["请选择附件类别。"]})
    name = os.path.basename(upload.name or "").strip()
    ext = os.path.splitext(name)[1].lower()
    allowed = PHOTO_TYPES if kind == FileKind.PHOTO else DOCUMENT_TYPES
    limit = MAX_PHOTO_BYTES if kind == FileKind.PHOTO else MAX_DOCUMENT_BYTES
    if ext not in allowed:
        what = "照片" if kind == FileKind.PHOTO else "文件"
        msg = f"{what}只能是{'、'.join(sorted(allowed))}格式。"
        raise InvalidInput(msg, fields={"upload": [msg]})
    if not upload.size:
        raise InvalidInput("文件是空的。", fields={"upload": ["文件是空的。"]})
    if upload.size > limit:
        msg = f"文件大小不能超过{_mb(limit)}。"
        raise InvalidInput(msg, fields={"upload": [msg]})
    head = upload.read(16)
    upload.seek(0)
    signatures = _SIGNATURES.get(ext)
    if signatures and not head.startswith(signatures):
        msg = f"文件内容与扩展名{ext}不符。"
        raise InvalidInput(msg, fields={"upload": [msg]})
    return ext


@transaction.atomic
def file_upload(*, actor, meeting: Meeting, upload: UploadedFile, kind: str) -> MeetingFile:
    """Keep a photo or a document with the meeting (stored under a random name)."""
    m = _lock(meeting, actor, Perm.LIFE)
    _open(m)
    ext = _check_upload(upload, kind)
    original = os.path.basename(upload.name or "")[:200]
    upload.name = f"{secrets.token_hex(12)}{ext}"
    f = MeetingFile(
        meeting=m,
        kind=kind,
        file=upload,
        name=original,
        size=upload.size,
        uploaded_by=_user(actor),
    )
    f.full_clean(exclude=["file"])
    f.save()
    # Files have no history table: the upload is an audit event.
    audit_event(
        actor=actor,
        action=AuditAction.IMPORT,
        subject=f"meeting:{m.pk}",
        detail={"file": original, "kind": kind, "size": f.size, "file_id": f.pk},
    )
    return f
