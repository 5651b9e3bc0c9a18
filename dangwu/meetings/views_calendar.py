"""The calendar of an organization (a branch or a party group): a month of its meetings —
and its groups' — with the deadlines of the LIFE-* rules, and the year as an .ics file.

A deadline is the last day of a period (month, quarter, year) in which a required meeting
is still missing, from ``compliance.compliance_for``. For the current and later months the
rules are asked as of the month's last day, so that a month's deadlines show while it can
still be acted on; for a past month, as of today (what was missed).
"""

from __future__ import annotations

import calendar as pycalendar
import datetime as dt
import re
from dataclasses import dataclass, field
from urllib.parse import quote

from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from dangwu.core.findings import Finding, Severity
from dangwu.core.scope import Perm
from dangwu.core.web import scoped
from dangwu.meetings import compliance, selectors
from dangwu.meetings.files import ics
from dangwu.meetings.models import Meeting
from dangwu.meetings.periods import Period
from dangwu.meetings.views_files import FIRST_YEAR, BadParameter, bad_parameter, today, year_param
from dangwu.orgs.choices import OrgKind
from dangwu.orgs.models import Organization

WEEKDAYS = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
_MONTH = re.compile(r"(\d{4})-(\d{1,2})", re.ASCII)


@dataclass(frozen=True)
class Deadline:
    """The last day to hold a meeting that is still missing in its period."""

    finding: Finding
    title: str
    period: Period
    org_id: int  # the organization that holds the missing meeting (a group for its own)
    kind: str  # the meeting kind that makes it good

    @property
    def overdue(self) -> bool:
        return self.finding.severity == Severity.ERROR


@dataclass
class Day:
    date: dt.date
    in_month: bool
    is_today: bool
    meetings: list[Meeting] = field(default_factory=list)
    deadlines: list[Deadline] = field(default_factory=list)

    @property
    def weekday(self) -> str:
        return WEEKDAYS[self.date.weekday()]

    @property
    def is_empty(self) -> bool:
        return not self.meetings and not self.deadlines


def month_param(request: HttpRequest) -> dt.date:
    """``?month=2026-11``; missing → this month; unreadable → ``BadParameter``."""
    raw = (request.GET.get("month") or "").strip()
    now = today()
    if not raw:
        return now.replace(day=1)
    match = _MONTH.fullmatch(raw)
    if match is None or not 1 <= int(match.group(2)) <= 12:
        raise BadParameter(f"月份应写作“年-月”，如2026-11，收到：{raw}。")
    year = int(match.group(1))
    if not FIRST_YEAR <= year <= now.year + 1:
        raise BadParameter(f"月份应在{FIRST_YEAR}年至{now.year + 1}年之间，收到：{raw}。")
    return dt.date(year, int(match.group(2)), 1)


def _add_month(first: dt.date, n: int) -> dt.date:
    index = first.year * 12 + first.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


def _deadlines(org: Organization, first: dt.date, last: dt.date, now: dt.date) -> list[Deadline]:
    """The month's deadlines of ``org`` (a branch: all its rules; a group: its own)."""
    branch = selectors.branch_of(org)
    if branch.kind != OrgKind.BRANCH:
        return []
    as_of = now if last < now else last
    findings = compliance.compliance_for([branch], year=first.year, today=as_of).get(branch.pk, [])
    own_names = {org.name, f"{org.name}（{org.code}）"}
    groups: dict[str, int] = {}
    if org.kind == OrgKind.BRANCH and any(f.data.get("group") for f in findings):
        for pk, name, code in Organization.objects.filter(
            path__startswith=org.path, depth=org.depth + 1, kind=OrgKind.PARTY_GROUP
        ).values_list("pk", "name", "code"):
            groups.setdefault(name, pk)
            groups[f"{name}（{code}）"] = pk
    out: list[Deadline] = []
    for f in findings:
        label = f.data.get("period")
        if f.due is None or not label or "date" in f.data or not first <= f.due <= last:
            continue  # an inquorate meeting is a finding about a meeting, not a deadline
        group = f.data.get("group")
        if org.kind == OrgKind.PARTY_GROUP and group not in own_names:
            continue
        period = Period.parse(label)
        kind = compliance.KIND_FOR_CODE[f.code]
        what = kind.label
        if f.data.get("by_secretary"):
            what = f"书记讲{what}"
        title = f"{period.zh}{what}" + (f"（{group}）" if group else "")
        target = groups.get(group, org.pk) if group else org.pk
        out.append(Deadline(finding=f, title=title, period=period, org_id=target, kind=kind.value))
    return out


def month_days(org: Organization, first: dt.date, now: dt.date) -> list[Day]:
    """Whole weeks (Monday first) around ``first``'s month, with meetings and deadlines."""
    last = first.replace(day=pycalendar.monthrange(first.year, first.month)[1])
    start = first - dt.timedelta(days=first.weekday())
    end = last + dt.timedelta(days=6 - last.weekday())
    days = {
        start + dt.timedelta(days=i): Day(
            date=start + dt.timedelta(days=i),
            in_month=first <= start + dt.timedelta(days=i) <= last,
            is_today=start + dt.timedelta(days=i) == now,
        )
        for i in range((end - start).days + 1)
    }
    rows = (
        Meeting.objects.filter(organization__path__startswith=org.path, date__range=(start, end))
        .select_related("organization")
        .order_by("date", F("starts_at").asc(nulls_first=True), "id")  # all-day ones first
    )
    for m in rows:
        days[m.date].meetings.append(m)
    for d in _deadlines(org, first, last, now):
        days[d.finding.due].deadlines.append(d)
    return list(days.values())


@never_cache
@require_GET
@scoped
def calendar(request: HttpRequest, org_id: int) -> HttpResponse:
    org = selectors.org_get_for(request.scope, org_id)  # 404 before a 400
    try:
        first = month_param(request)
    except BadParameter as exc:
        return bad_parameter(request, exc, org)
    now = today()
    days = month_days(org, first, now)
    weeks = [days[i : i + 7] for i in range(0, len(days), 7)]
    in_month = [d for d in days if d.in_month]
    return render(
        request,
        "meetings/calendar.html",
        {
            "org": org,
            "month": first,
            "weeks": weeks,
            "weekdays": WEEKDAYS,
            "meeting_count": sum(len(d.meetings) for d in in_month),
            "deadline_count": sum(len(d.deadlines) for d in in_month),
            "overdue_count": sum(1 for d in in_month for x in d.deadlines if x.overdue),
            "previous": _add_month(first, -1) if first > dt.date(FIRST_YEAR, 1, 1) else None,
            "next": _add_month(first, 1) if first < dt.date(now.year + 1, 12, 1) else None,
            "this_month": now.replace(day=1),
            "can_plan": request.scope.covers(org.path, Perm.LIFE),
        },
    )


@never_cache
@require_GET
@scoped
def calendar_ics(request: HttpRequest, org_id: int) -> HttpResponse:
    org = selectors.org_get_for(request.scope, org_id)
    try:
        year = year_param(request)
    except BadParameter as exc:
        return bad_parameter(request, exc, org)

    def url_for(m: Meeting) -> str:
        return request.build_absolute_uri(reverse("meetings:detail", args=[m.pk]))

    data = ics.calendar_bytes(org, year, url_for=url_for)
    response = HttpResponse(data, content_type="text/calendar; charset=utf-8")
    name = f"{org.name}组织生活{year}.ics"
    response["Content-Disposition"] = (
        f"attachment; filename=\"calendar-{org.pk}-{year}.ics\"; filename*=UTF-8''{quote(name)}"
    )
    return response
