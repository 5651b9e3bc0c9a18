"""A meeting's minutes as a printable PDF (会议记录), rendered with WeasyPrint.

The record as it is filed: the meeting's facts, who was expected, present, on leave and
absent, the minutes, the resolutions with their votes, and the approval (or a clear
"not yet approved" mark). Where WeasyPrint's system libraries are missing, ``PdfUnavailable``
(shared with the dues files) names the Debian packages to install and the page says so.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

from django.template.loader import render_to_string

from dangwu.core.audit import audit_event
from dangwu.core.models import AuditAction
from dangwu.dues.files.pdf import SYSTEM_PACKAGES, PdfUnavailable
from dangwu.meetings.choices import AttendanceStatus, MeetingKind
from dangwu.meetings.models import Attendance, Meeting

__all__ = ["SYSTEM_PACKAGES", "PdfUnavailable", "minutes_pdf"]


def _import_weasyprint():
    """The seam the tests replace to play a server without the libraries."""
    return importlib.import_module("weasyprint")


def weasyprint():
    try:
        return _import_weasyprint()
    except OSError as exc:  # cffi could not load libpango / libharfbuzz
        raise PdfUnavailable(str(exc)) from exc
    except ImportError as exc:  # the Python package itself is not installed
        raise PdfUnavailable(str(exc), packages=()) from exc


@dataclass
class AttendanceSummary:
    expected: list[Attendance]
    present: list[Attendance]
    on_leave: list[Attendance]
    absent: list[Attendance]
    unrecorded: list[Attendance]
    guests: list[Attendance]  # present without being expected (列席)


def attendance_summary(meeting: Meeting) -> AttendanceSummary:
    rows = list(
        Attendance.objects.filter(meeting=meeting)
        .select_related("person")
        .order_by("person__sort_key", "person_id")
    )
    expected = [a for a in rows if a.expected]
    return AttendanceSummary(
        expected=expected,
        present=[a for a in expected if a.status == AttendanceStatus.PRESENT],
        on_leave=[a for a in expected if a.status == AttendanceStatus.ON_LEAVE],
        absent=[a for a in expected if a.status == AttendanceStatus.ABSENT],
        unrecorded=[a for a in expected if not a.status],
        guests=[a for a in rows if not a.expected and a.status == AttendanceStatus.PRESENT],
    )


def minutes_html(meeting: Meeting, *, today) -> str:
    return render_to_string(
        "meetings/minutes_pdf.html",
        {
            "meeting": meeting,
            "is_lecture": meeting.kind == MeetingKind.PARTY_LECTURE,
            "a": attendance_summary(meeting),
            "resolutions": list(meeting.resolutions.order_by("number")),
            "today": today,
        },
    )


def minutes_pdf(meeting: Meeting, *, today, actor, ip=None) -> tuple[bytes, str]:
    """The PDF bytes of ``meeting``'s record and its file name. The library is loaded
    first, so a server without it answers before any work is done."""
    wp = weasyprint()
    pdf = wp.HTML(string=minutes_html(meeting, today=today)).write_pdf()
    audit_event(
        actor=actor,
        action=AuditAction.EXPORT,
        subject=f"meeting:{meeting.pk}",
        detail={"kind": "meeting_minutes_pdf", "locked": meeting.is_locked},
        ip=ip,
    )
    name = f"{meeting.organization.name}{meeting.date:%Y%m%d}{meeting.get_kind_display()}记录.pdf"
    return pdf, name
