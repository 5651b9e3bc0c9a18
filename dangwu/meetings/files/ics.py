"""A year of an organization's meetings as an iCalendar file (RFC 5545), for phones and
desktop calendars.

Planned and held meetings (not cancelled). A meeting with a start time is a timed event in
Asia/Shanghai (the file carries its VTIMEZONE); one without is an all-day event. UIDs are
derived from the meeting's id, so importing the file again updates the events instead of
adding copies, and DTSTAMP is the meeting's last change.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import QuerySet
from icalendar import Calendar, Event

from dangwu.meetings.choices import MeetingStatus
from dangwu.meetings.models import Meeting
from dangwu.orgs.models import Organization

PRODID = "-//Dangwu//组织生活日历//ZH"
UID_DOMAIN = "dangwu"


def uid_for(meeting: Meeting) -> str:
    return f"meeting-{meeting.pk}@{UID_DOMAIN}"


def year_meetings(org: Organization, year: int) -> QuerySet[Meeting]:
    """The organization's and its groups' meetings of ``year`` that are not cancelled."""
    return (
        Meeting.objects.filter(organization__path__startswith=org.path, date__year=year)
        .exclude(status=MeetingStatus.CANCELLED)
        .select_related("organization", "host")
        .order_by("date", "starts_at", "id")
    )


def _event(m: Meeting, tz: ZoneInfo, url: str) -> Event:
    event = Event()
    event.add("uid", uid_for(m))
    event.add("dtstamp", m.updated_at)
    event.add("summary", f"【{m.get_kind_display()}】{m.topic}")
    if m.starts_at is None:
        event.add("dtstart", m.date)  # VALUE=DATE: an all-day event
        event.add("dtend", m.date + dt.timedelta(days=1))
    else:
        event.add("dtstart", dt.datetime.combine(m.date, m.starts_at, tzinfo=tz))
        if m.ends_at is not None:
            event.add("dtend", dt.datetime.combine(m.date, m.ends_at, tzinfo=tz))
    if m.place:
        event.add("location", m.place)
    lines = [m.organization.name, f"状态：{m.get_status_display()}"]
    if m.host:
        lines.append(f"主持人：{m.host.name}")
    if m.agenda:
        lines += ["议程：", m.agenda]
    event.add("description", "\n".join(lines))
    event.add("status", "CONFIRMED")
    event.add("categories", [m.get_kind_display()])
    if url:
        event.add("url", url)
    return event


def calendar_bytes(org: Organization, year: int, *, url_for=None) -> bytes:
    """The .ics file of ``org``'s meetings in ``year``. ``url_for(meeting)`` gives each
    event's link (absolute), or nothing."""
    tz = ZoneInfo(settings.TIME_ZONE)
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", f"{org.name}组织生活{year}")
    cal.add("x-wr-timezone", settings.TIME_ZONE)
    for m in year_meetings(org, year):
        cal.add_component(_event(m, tz, url_for(m) if url_for else ""))
    cal.add_missing_timezones()
    return cal.to_ical()
