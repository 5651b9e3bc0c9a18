"""Files of organizational life: a meeting's minutes as PDF, the meetings register as .xlsx.
Thin: the work is in ``meetings.files``.

404 outside the scope (before any 400 or 503). A year parameter that cannot be read answers
a Chinese 400 page, never a silent fallback to another year.
"""

from __future__ import annotations

import re
import tempfile
from urllib.parse import quote

from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from dangwu.core.clock import today  # tests pin it: views_files.today
from dangwu.core.web import scoped
from dangwu.meetings import selectors
from dangwu.meetings.files import pdf, xlsx

FIRST_YEAR = 2000

# Four ASCII digits: str.isdigit() also takes "²", and int() of 5,000 digits raises.
YEAR_RE = re.compile(r"\d{4}", re.ASCII)


class BadParameter(Exception):
    pass


def _ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR")


def year_param(request: HttpRequest) -> int:
    """``?year=2026``; missing → this year; unreadable or out of range → ``BadParameter``."""
    raw = (request.GET.get("year") or "").strip()
    now = today()
    if not raw:
        return now.year
    if not YEAR_RE.fullmatch(raw) or not FIRST_YEAR <= int(raw) <= now.year + 1:
        shown = raw[:20]  # a 5,000-digit "year" is not echoed back whole
        raise BadParameter(f"年份应为{FIRST_YEAR}至{now.year + 1}之间的四位数字，收到：{shown}。")
    return int(raw)


def bad_parameter(request: HttpRequest, exc: BadParameter, org=None) -> HttpResponse:
    return render(
        request,
        "meetings/calendar_error.html",
        {
            "title": _("参数有误"),
            "message": str(exc),
            "hint": _("请返回上一页重新选择。"),
            "org": org,
        },
        status=400,
    )


def _spool():
    return tempfile.SpooledTemporaryFile(max_size=8 << 20)  # FileResponse closes it


@never_cache  # names of members: no copy in a shared browser's cache
@require_GET
@scoped
def minutes_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.meeting_get_for(request.scope, pk)
    try:
        data, name = pdf.minutes_pdf(meeting, today=today(), actor=request.user, ip=_ip(request))
    except pdf.PdfUnavailable as exc:
        return render(
            request,
            "meetings/minutes_pdf_unavailable.html",
            {"error": exc, "meeting": meeting},
            status=503,
        )
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = (
        f"inline; filename=\"minutes-{meeting.pk}.pdf\"; filename*=UTF-8''{quote(name)}"
    )
    return response


@never_cache
@require_GET
@scoped
def register_xlsx(request: HttpRequest, org_id: int) -> HttpResponse:
    org = selectors.org_get_for(request.scope, org_id)  # 404 before a 400
    try:
        year = year_param(request)
    except BadParameter as exc:
        return bad_parameter(request, exc, org)
    out = _spool()
    xlsx.register_export(org, year, actor=request.user, out=out, ip=_ip(request))
    out.seek(0)
    return FileResponse(
        out,
        as_attachment=True,
        filename=f"{org.name}会议台账{year}.xlsx",
        content_type=xlsx.XLSX_CONTENT_TYPE,
    )
