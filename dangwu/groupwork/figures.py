"""The figures of a group's period summary, read from the period's records.

Called by ``services.summary_draft`` after it has authorized the actor, so no ``Scope``
here. The result is plain JSON (numbers, strings) because it is stored with the summary:
the submitted summary keeps the figures the branch received even if records change later.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, F, Q, Sum

from dangwu.core.money import quantize_money
from dangwu.dues.models import EntryKind, LedgerEntry
from dangwu.groupwork.models import GroupTask, MassOpinion
from dangwu.meetings.choices import AttendanceStatus, MeetingKind, MeetingStatus
from dangwu.meetings.models import Attendance, Meeting
from dangwu.meetings.periods import Period
from dangwu.members.choices import MEMBER_STATUSES
from dangwu.members.models import Membership
from dangwu.orgs.models import Organization


def _percent(part: int, whole: int) -> str | None:
    if not whole:
        return None
    return str((Decimal(part) * 100 / whole).quantize(Decimal("0.1")))


def period_figures(group: Organization, period: Period) -> dict:
    """What the group did in ``period``: group meetings held, attendance, dues collected
    from its members, tasks due and done, opinions received, reported and resolved.

    Six queries whatever the size of the group.
    """
    start, end = period.start, period.end
    meetings = list(
        Meeting.objects.filter(
            organization=group,
            kind=MeetingKind.GROUP_MEETING,
            status=MeetingStatus.HELD,
            date__range=(start, end),
        )
        .order_by("date", "id")
        .values("id", "date", "topic")
    )
    counts = dict.fromkeys(("expected", "present", "on_leave", "absent"), 0)
    if meetings:
        row = Attendance.objects.filter(
            meeting_id__in=[m["id"] for m in meetings], expected=True
        ).aggregate(
            expected=Count("id"),
            present=Count("id", filter=Q(status=AttendanceStatus.PRESENT)),
            on_leave=Count("id", filter=Q(status=AttendanceStatus.ON_LEAVE)),
            absent=Count("id", filter=Q(status=AttendanceStatus.ABSENT)),
        )
        counts.update(row)

    # Members of the group at any time in the period (a member who moved counts where paid).
    member_ids = set(
        Membership.objects.filter(group=group, started_on__lte=end)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=start))
        .filter(person__status__in=MEMBER_STATUSES)
        .values_list("person_id", flat=True)
    )
    # Cash received in the period: payments and voluntary dues by their date of payment; a
    # reversal (which has no date of its own) counts in the period of the line it reverses.
    paid_in_period = Q(paid_on__range=(start, end)) | Q(reverses__paid_on__range=(start, end))
    dues = LedgerEntry.objects.filter(
        paid_in_period,
        person_id__in=member_ids,
        kind__in=[EntryKind.PAYMENT, EntryKind.VOLUNTARY],
    ).aggregate(total=Sum("amount"))
    payers = (
        LedgerEntry.objects.filter(
            person_id__in=member_ids,
            kind=EntryKind.PAYMENT,
            paid_on__range=(start, end),
            reverses__isnull=True,
            reversed_by__isnull=True,
        )
        .values("person_id")
        .distinct()
        .count()
    )

    tasks = GroupTask.objects.filter(group=group, due_on__range=(start, end)).aggregate(
        total=Count("id"),
        done=Count("id", filter=Q(done_on__isnull=False)),
        on_time=Count("id", filter=Q(done_on__lte=F("due_on"))),
    )
    opinions = MassOpinion.objects.filter(organization=group).aggregate(
        received=Count("id", filter=Q(received_on__range=(start, end))),
        reported=Count("id", filter=Q(reported_on__range=(start, end))),
        resolved=Count("id", filter=Q(resolved_on__range=(start, end))),
    )
    return {
        "period": period.label,
        "period_zh": period.zh,
        "members": len(member_ids),
        "meetings_held": len(meetings),
        "meetings": [{"date": m["date"].isoformat(), "topic": m["topic"]} for m in meetings],
        "attendance": {
            **counts,
            "rate": _percent(counts["present"], counts["expected"]),
        },
        "dues_collected": str(quantize_money(dues["total"] or Decimal(0))),
        "dues_payers": payers,
        "tasks": tasks,
        "opinions": opinions,
    }
