"""Reminders: what is due, computed from the data, delivered as notifications.

``reminders_run`` is the daily job (``tasks.send_reminders``, ``dangwu worker``). It asks
four questions of the data, each with a constant number of queries whatever the size of
the tree, and writes one ``Notification`` per (user, thing) with a key derived from the
thing itself; the unique constraint on (user, key) turns a second run, or two workers
racing, into no new rows. E-mail goes out only for the rows this run created, and only
when the server is set up to send mail.

- meeting due: a LIFE-* finding of ``meetings.compliance.compliance_for`` (a required
  meeting still missing) whose period ends within the warning window, or has ended
  recently — for the people with ``Perm.LIFE`` on the branch (or the group) and above;
- minutes missing: a meeting held three days ago or earlier with no minutes;
- leave to decide: a leave request still waiting, for the same people on the meeting's
  organization;
- meeting coming: a planned meeting within two days, for each expected member with a login;
- development due: the next step of a development record whose latest date (the talk
  within a month, the next assessment, an approval within three months…) is within a week
  or passed recently — for the people with ``Perm.DEVELOP`` on the branch and above.
"""

from __future__ import annotations

import datetime as dt
import logging
from bisect import bisect_left
from collections import defaultdict

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from dangwu.accounts.models import Role
from dangwu.core.dates import zh_date
from dangwu.core.errors import NotFound
from dangwu.core.scope import ROLE_PERMS, Perm
from dangwu.meetings.choices import LeaveState, MeetingKind, MeetingStatus
from dangwu.meetings.models import Attendance, Meeting
from dangwu.meetings.periods import Period, PeriodKind
from dangwu.notifications.models import Notification, NotificationKind
from dangwu.orgs.choices import OrgKind
from dangwu.orgs.models import Organization

logger = logging.getLogger(__name__)

# Defaults of settings.DANGWU["REMINDERS"] (each may be overridden there).
DEFAULTS = {
    # Warn this many days before a period ends (a yearly meeting needs a longer warning).
    "warn_days": {"month": 7, "quarter": 15, "year": 31},
    # A period that ended, or a meeting held, longer ago than this is not reminded any more:
    # the compliance page lists old gaps; reminders are about what can still be acted on.
    "lookback_days": 45,
    "minutes_after_days": 3,  # a held meeting without minutes, this many days later
    "upcoming_days": 2,  # a planned meeting within this many days
    "development_warn_days": 7,  # a development step due within this many days
    "hour": 7,  # the daily run of ``dangwu worker``, Asia/Shanghai (DANGWU_REMINDER_HOUR)
    "email": False,  # send e-mail even when EMAIL_BACKEND is not SMTP (DANGWU_REMINDER_EMAIL)
    "base_url": "",  # e.g. https://dangwu.example.edu.cn — links in e-mails (DANGWU_BASE_URL)
}
SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"

# What each LIFE-* rule asks for, for the title of its reminder.
DUE_WHAT = {
    "LIFE-GENERAL-Q": MeetingKind.GENERAL_MEETING.label,
    "LIFE-COMMITTEE-M": MeetingKind.COMMITTEE_MEETING.label,
    "LIFE-GROUP-M": MeetingKind.GROUP_MEETING.label,
    "LIFE-LECTURE": MeetingKind.PARTY_LECTURE.label,
    "LIFE-THEME-DAY": MeetingKind.THEME_DAY.label,
    "LIFE-ORG-LIFE": MeetingKind.ORG_LIFE_MEETING.label,
    "LIFE-APPRAISAL": MeetingKind.APPRAISAL.label,
}
LIFE_ROLE_KINDS = tuple(sorted(kind for kind, perms in ROLE_PERMS.items() if Perm.LIFE in perms))
DEVELOP_ROLE_KINDS = tuple(
    sorted(kind for kind, perms in ROLE_PERMS.items() if Perm.DEVELOP in perms)
)


def reminder_settings() -> dict:
    configured = getattr(settings, "DANGWU", {}).get("REMINDERS", {})
    merged = {**DEFAULTS, **configured}
    merged["warn_days"] = {**DEFAULTS["warn_days"], **configured.get("warn_days", {})}
    return merged


def email_enabled() -> bool:
    """Mail goes out when the server sends real mail (SMTP) or the setting asks for it."""
    return settings.EMAIL_BACKEND == SMTP_BACKEND or bool(reminder_settings()["email"])


# --- who is told -------------------------------------------------------------------------


class LifeRecipients:
    """The users holding a role with ``Perm.LIFE`` on an organization or the one directly
    above it (a group's branch, a branch's general branch or committee): the people who
    hold the meeting and those who follow it up. Higher up, a worker over hundreds of
    branches reads the compliance table instead of hundreds of reminders a month.
    One query for the whole tree; a lookup reads two prefixes of the path."""

    def __init__(self, kinds: tuple[str, ...] = LIFE_ROLE_KINDS) -> None:
        self._by_path: dict[str, set[int]] = defaultdict(set)
        rows = Role.objects.filter(kind__in=kinds, user__is_active=True).values_list(
            "organization__path", "user_id"
        )
        for path, user_id in rows:
            self._by_path[path].add(user_id)

        self._sorted = sorted(self._by_path)

    def any_for_subtree(self, path: str) -> bool:
        """Someone would be told about ``path`` or something below it (a group's leader)."""
        if self.for_path(path):
            return True
        i = bisect_left(self._sorted, path)
        return i < len(self._sorted) and self._sorted[i].startswith(path)

    def for_path(self, path: str, steplen: int = Organization.steplen) -> set[int]:
        users: set[int] = set()
        for end in (len(path) - steplen, len(path)):
            if end >= steplen:
                users |= self._by_path.get(path[:end], set())
        return users


def _new(user_id: int, kind: str, key: str, title: str, body: str, url: str, due=None):
    return Notification(
        user_id=user_id,
        kind=kind,
        key=key[:200],
        title=title[:200],
        body=body,
        url=url[:300],
        due=due,
    )


# --- the four questions ------------------------------------------------------------------


def _compliance(branches: list[Organization], *, year: int, today: dt.date):
    # Imported here: the compliance module belongs to the meetings app and loads its facts.
    from dangwu.meetings.compliance import compliance_for

    return compliance_for(branches, year=year, today=today)


def _due_window(due: dt.date, period_kind: str, today: dt.date, cfg: dict) -> bool:
    """Within the last ``warn_days`` of the period, or ended at most ``lookback_days`` ago."""
    warn = cfg["warn_days"].get(period_kind, 7)
    return due - dt.timedelta(days=warn) < today <= due + dt.timedelta(days=cfg["lookback_days"])


def meetings_due(today: dt.date, recipients: LifeRecipients, cfg: dict) -> list[Notification]:
    # Branches nobody would be told about are not computed at all.
    branches = [
        b
        for b in Organization.objects.filter(kind=OrgKind.BRANCH, dissolved_on__isnull=True).only(
            "id", "path", "name", "kind", "depth"
        )
        if recipients.any_for_subtree(b.path)
    ]
    if not branches:
        return []
    # A group's finding names the group; its reminder goes to its leader too.
    groups = {
        (g.path[: -Organization.steplen], g.name): g
        for g in Organization.objects.filter(
            kind=OrgKind.PARTY_GROUP, dissolved_on__isnull=True
        ).only("id", "path", "name")
    }
    years = [today.year]
    if today - dt.timedelta(days=cfg["lookback_days"]) < dt.date(today.year, 1, 1):
        years.insert(0, today.year - 1)  # last December's, Q4's and year's gaps are recent
    out: list[Notification] = []
    for year in years:
        findings = _compliance(branches, year=year, today=today)
        for branch in branches:
            for f in findings.get(branch.pk, ()):
                label = f.data.get("period")
                if f.code not in DUE_WHAT or f.due is None or not label or "date" in f.data:
                    continue  # only "a required meeting is missing in this period"
                period = Period.parse(label)
                if not _due_window(f.due, period.kind, today, cfg):
                    continue
                org = branch
                group_name = f.data.get("group")
                if group_name:
                    org = groups.get((branch.path, group_name), branch)
                ended = f.due < today
                state = "已逾期" if ended else f"{zh_date(f.due)}前"
                title = f"{org.name}：{period.zh}{DUE_WHAT[f.code]}（{state}）"
                if f.code == "LIFE-LECTURE" and period.kind == PeriodKind.YEAR:
                    title = f"{org.name}：{period.zh}书记讲党课（{state}）"
                url = reverse("meetings:calendar", args=[org.pk]) + f"?month={f.due:%Y-%m}"
                key = f"meeting_due:{org.pk}:{f.code}:{label}"
                for user_id in recipients.for_path(org.path):
                    out.append(
                        _new(
                            user_id, NotificationKind.MEETING_DUE, key, title, f.message, url, f.due
                        )
                    )
    return out


def minutes_missing(today: dt.date, recipients: LifeRecipients, cfg: dict) -> list[Notification]:
    last = today - dt.timedelta(days=cfg["minutes_after_days"])
    first = today - dt.timedelta(days=cfg["lookback_days"])
    rows = (
        # A meeting becomes "held" when its minutes are recorded: one still "planned" days
        # after its date is the usual case of missing minutes.
        Meeting.objects.filter(
            Q(status=MeetingStatus.PLANNED) | Q(status=MeetingStatus.HELD, minutes=""),
            date__range=(first, last),
        )
        .select_related("organization")
        .only("id", "kind", "topic", "date", "organization__path", "organization__name")
    )
    out: list[Notification] = []
    for m in rows:
        title = f"{m.organization.name}：{zh_date(m.date)}的{m.get_kind_display()}尚未填写会议记录"
        body = f"“{m.topic}”已于{zh_date(m.date)}召开，请及时填写会议记录并提交审定。"
        url = reverse("meetings:minutes", args=[m.pk])
        for user_id in recipients.for_path(m.organization.path):
            out.append(
                _new(
                    user_id,
                    NotificationKind.MINUTES_MISSING,
                    f"minutes_missing:{m.pk}",
                    title,
                    body,
                    url,
                )
            )
    return out


def leave_requested(today: dt.date, recipients: LifeRecipients, cfg: dict) -> list[Notification]:
    first = today - dt.timedelta(days=cfg["lookback_days"])
    rows = (
        Attendance.objects.filter(
            leave_state=LeaveState.REQUESTED,
            meeting__status__in=[MeetingStatus.PLANNED, MeetingStatus.HELD],
            meeting__date__gte=first,
        )
        .select_related("meeting__organization", "person")
        .only(
            "id",
            "leave_reason",
            "leave_requested_at",
            "person__name",
            "meeting__id",
            "meeting__kind",
            "meeting__topic",
            "meeting__date",
            "meeting__organization__path",
            "meeting__organization__name",
        )
    )
    out: list[Notification] = []
    for a in rows:
        m = a.meeting
        asked = int(a.leave_requested_at.timestamp()) if a.leave_requested_at else 0
        key = f"leave_requested:{a.pk}:{asked}"  # a new request after a refusal is new
        title = f"{a.person.name}申请请假：{zh_date(m.date)}{m.get_kind_display()}"
        body = f"{m.organization.name}“{m.topic}”，请假事由：{a.leave_reason or '未填写'}。"
        url = reverse("meetings:detail", args=[m.pk])
        for user_id in recipients.for_path(m.organization.path):
            out.append(_new(user_id, NotificationKind.LEAVE_REQUESTED, key, title, body, url))
    return out


def meetings_upcoming(today: dt.date, cfg: dict) -> list[Notification]:
    last = today + dt.timedelta(days=cfg["upcoming_days"])
    rows = (
        Attendance.objects.filter(
            expected=True,
            meeting__status=MeetingStatus.PLANNED,
            meeting__date__range=(today, last),
            person__user__isnull=False,
            person__user__is_active=True,
        )
        .exclude(leave_state=LeaveState.APPROVED)
        .values_list(
            "person__user__id",
            "meeting_id",
            "meeting__kind",
            "meeting__topic",
            "meeting__date",
            "meeting__starts_at",
            "meeting__place",
            "meeting__organization__name",
        )
    )
    kinds = dict(MeetingKind.choices)
    out: list[Notification] = []
    for user_id, pk, kind, topic, date, starts_at, place, org_name in rows:
        when = zh_date(date) + (f" {starts_at:%H:%M}" if starts_at else "")
        title = f"{when}{org_name}{kinds.get(kind, '')}"
        body = f"会议主题：{topic}。" + (f"地点：{place}。" if place else "")
        url = reverse("meetings:detail", args=[pk])
        key = f"meeting_upcoming:{pk}:{date:%Y-%m-%d}"  # moved to another day → told again
        out.append(_new(user_id, NotificationKind.MEETING_UPCOMING, key, title, body, url, date))
    return out


def meeting_notice_notify(*, meeting: Meeting) -> int:
    """The notice of a planned meeting, in the inbox of everyone expected who has a login
    (not those already on approved leave). Called by ``meetings`` when the notice goes
    out, inside its transaction; a notice sent again (a new ``notice_sent_at``) is a new
    notification, the same one twice is not. E-mail, when configured, after the commit.
    Returns how many were created."""
    sent = meeting.notice_sent_at
    if sent is None:
        return 0
    users = (
        Attendance.objects.filter(
            meeting=meeting, expected=True, person__user__isnull=False, person__user__is_active=True
        )
        .exclude(leave_state=LeaveState.APPROVED)
        .values_list("person__user__id", flat=True)
    )
    kinds = dict(MeetingKind.choices)
    when = zh_date(meeting.date) + (f" {meeting.starts_at:%H:%M}" if meeting.starts_at else "")
    title = f"会议通知：{when}{kinds.get(meeting.kind, '')}"
    url = reverse("meetings:detail", args=[meeting.pk])
    key = f"meeting_notice:{meeting.pk}:{int(sent.timestamp())}"
    started = timezone.now()
    rows = [
        _new(u, NotificationKind.MEETING_NOTICE, key, title, meeting.notice, url, meeting.date)
        for u in users
    ]
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    created = Notification.objects.filter(key=key, created_at__gte=started).count()
    if created and email_enabled():
        cfg = reminder_settings()
        transaction.on_commit(lambda: _email_new(started, cfg))
    return created


def development_due(today: dt.date, recipients: LifeRecipients, cfg: dict) -> list[Notification]:
    """Open development records whose next step is due within the warning window or was
    due at most ``lookback_days`` ago (the cached ``due_on`` of the record)."""
    from dangwu.development.choices import RecordState
    from dangwu.development.models import DevelopmentRecord

    rows = (
        DevelopmentRecord.objects.filter(
            state=RecordState.OPEN,
            due_on__range=(
                today - dt.timedelta(days=cfg["lookback_days"]),
                today + dt.timedelta(days=cfg["development_warn_days"]),
            ),
        )
        .select_related("person", "branch")
        .only("id", "person__name", "branch__path", "branch__name", "due_on", "next_label")
    )
    out: list[Notification] = []
    for r in rows:
        state = "已逾期" if r.due_on < today else f"{zh_date(r.due_on)}前"
        what = r.next_label or "下一步骤"
        title = f"{r.branch.name}：{r.person.name} {what}（{state}）"
        body = f"{r.person.name}的发展党员工作：{what}，最迟{zh_date(r.due_on)}办理。"
        url = reverse("development:person", args=[r.person_id])
        key = f"development_due:{r.pk}:{what}:{r.due_on.isoformat()}"
        for user_id in recipients.for_path(r.branch.path):
            out.append(
                _new(user_id, NotificationKind.DEVELOPMENT_DUE, key, title, body, url, r.due_on)
            )
    return out


# --- the run -----------------------------------------------------------------------------


def reminders_run(*, today: dt.date) -> dict:
    """Compute every reminder due on ``today`` and store the new ones; e-mail them when
    mail is configured. Returns counts: ``candidates`` (all that are due), ``created``
    (new rows, by kind too) and ``emailed``. Safe to run again: nothing is duplicated."""
    cfg = reminder_settings()
    started = timezone.now()
    recipients = LifeRecipients()
    candidates = [
        *meetings_due(today, recipients, cfg),
        *minutes_missing(today, recipients, cfg),
        *leave_requested(today, recipients, cfg),
        *meetings_upcoming(today, cfg),
        *development_due(today, LifeRecipients(DEVELOP_ROLE_KINDS), cfg),
    ]
    Notification.objects.bulk_create(candidates, batch_size=1000, ignore_conflicts=True)
    created = dict(
        Notification.objects.filter(created_at__gte=started)
        .values_list("kind")
        .annotate(n=Count("id"))
        .order_by()
    )
    emailed = _email_new(started, cfg) if email_enabled() else 0
    result = {
        "today": today.isoformat(),
        "candidates": len(candidates),
        "created": sum(created.values()),
        "created_by_kind": {kind: created.get(kind, 0) for kind in NotificationKind.values},
        "emailed": emailed,
    }
    logger.info("reminders_run %s", result)
    return result


def _email_new(started: dt.datetime, cfg: dict) -> int:
    """Mail the notifications created since ``started`` to users with an address.

    Claimed first (``emailed_at`` set, rows locked and skipped by a concurrent run), then
    sent after the commit; a failed send releases the claim so the next run retries."""
    with transaction.atomic():
        rows = list(
            Notification.objects.select_for_update(skip_locked=True)
            .filter(created_at__gte=started, emailed_at__isnull=True)
            .exclude(user__email="")
            .select_related("user")
            .only("id", "title", "body", "url", "user__email")
        )
        ids = [n.pk for n in rows]
        Notification.objects.filter(pk__in=ids).update(emailed_at=timezone.now())
    if not rows:
        return 0
    base = cfg["base_url"].rstrip("/")
    sender = settings.DEFAULT_FROM_EMAIL
    messages = [
        (
            f"【党务提醒】{n.title}",
            "\n\n".join(part for part in (n.body, base + n.url if n.url else "") if part),
            sender,
            [n.user.email],
        )
        for n in rows
    ]
    try:
        return send_mass_mail(messages, fail_silently=False)
    except Exception:
        logger.exception("reminder e-mail failed; %s notifications will be retried", len(ids))
        Notification.objects.filter(pk__in=ids).update(emailed_at=None)
        return 0


# --- the inbox ---------------------------------------------------------------------------


@transaction.atomic
def notification_mark_read(*, actor, notification_id: int) -> Notification:
    """Mark one of the actor's notifications read; another user's answers 404."""
    try:
        n = Notification.objects.select_for_update().get(pk=notification_id, user_id=actor.pk)
    except Notification.DoesNotExist:
        raise NotFound() from None
    if n.read_at is None:
        n.read_at = timezone.now()
        n.save(update_fields=["read_at"])
    return n


@transaction.atomic
def notification_mark_all_read(*, actor) -> int:
    return Notification.objects.filter(user_id=actor.pk, read_at__isnull=True).update(
        read_at=timezone.now()
    )
