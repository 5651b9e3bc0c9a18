"""The printable development record sheet (发展党员纪实表). Thin: the work is in
``development.files.sheet_pdf``.

404 outside the scope (VIEW on the record's branch, or the person themself) — decided
before the PDF library is loaded, so a server without it still says 404 to outsiders;
503 with the packages to install when WeasyPrint cannot run.
"""

from __future__ import annotations

from urllib.parse import quote

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from dangwu.core.clock import today  # tests pin it: views_sheet.today
from dangwu.core.web import scoped
from dangwu.development.files import sheet_pdf as sheet


@never_cache  # a person's particulars: no copy in a shared browser's cache
@require_GET
@scoped
def sheet_pdf(request: HttpRequest, person_id: int) -> HttpResponse:
    record = sheet.record_for_sheet(request.scope, person_id)
    try:
        data, name = sheet.sheet_pdf(
            record, today=today(), actor=request.user, ip=request.META.get("REMOTE_ADDR")
        )
    except sheet.PdfUnavailable as exc:
        return render(
            request,
            "development/sheet_pdf_unavailable.html",
            {"error": exc, "record": record, "person": record.person},
            status=503,
        )
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = (
        f"inline; filename=\"development-sheet-{person_id}.pdf\"; filename*=UTF-8''{quote(name)}"
    )
    return response
