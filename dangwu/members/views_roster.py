"""Pages of the roster in Excel: upload and result, the template, the export. Thin: the work
is in ``members.roster``."""

from __future__ import annotations

import io
import tempfile
import time
import uuid
from pathlib import Path

from django import forms
from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from dangwu.core.clock import today
from dangwu.core.errors import DomainError
from dangwu.core.scope import Perm
from dangwu.core.web import domain_errors_to_form, scoped
from dangwu.members import roster
from dangwu.orgs.selectors import organization_get_for

REPORT_SESSION_KEY = "roster_error_report"
REPORT_MAX_AGE = 24 * 3600  # seconds an error report stays downloadable


class RosterUploadForm(forms.Form):
    file = forms.FileField(
        label=_("名册文件"),
        allow_empty_file=True,  # the service says precisely what is wrong with the file
        help_text=_("Excel工作簿（.xlsx），请使用下载的模板填写。"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )


def _require_editor(request: HttpRequest) -> None:
    scope = request.scope
    if not scope.is_superuser and not scope.paths(Perm.EDIT):
        raise Http404


def _reports_dir() -> Path:
    directory = Path(settings.VAR_DIR) / "roster-reports"
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def _save_error_report(request: HttpRequest, report: roster.ImportReport) -> str:
    """Keep the full error report for this session's user to download (removed after a day)."""
    directory = _reports_dir()
    cutoff = time.time() - REPORT_MAX_AGE
    for old in directory.glob("*.xlsx"):
        if old.stat().st_mtime < cutoff:
            old.unlink(missing_ok=True)
    name = f"{uuid.uuid4().hex}.xlsx"
    with open(directory / name, "wb") as out:
        roster.write_error_report(report, out)
    request.session[REPORT_SESSION_KEY] = name
    return name


def _error_report_response(request: HttpRequest) -> FileResponse:
    name = request.session.get(REPORT_SESSION_KEY)
    if not name or request.GET.get("report") != name:
        raise Http404
    path = _reports_dir() / name
    if not path.exists():
        raise Http404
    return FileResponse(
        open(path, "rb"),  # FileResponse closes it
        as_attachment=True,
        filename="名册导入错误报告.xlsx",
        content_type=roster.XLSX_CONTENT_TYPE,
    )


@require_http_methods(["GET", "POST"])
@scoped
def roster_import(request: HttpRequest) -> HttpResponse:
    _require_editor(request)
    if request.method == "GET" and "report" in request.GET:
        return _error_report_response(request)
    if request.method == "GET":
        return render(request, "members/roster_import.html", {"form": RosterUploadForm()})
    form = RosterUploadForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            report = roster.roster_import(
                actor=request.user, file=form.cleaned_data["file"], today=today()
            )
        except DomainError as exc:
            domain_errors_to_form(form, exc)
        else:
            report_name = None if report.ok else _save_error_report(request, report)
            return render(
                request,
                "members/roster_import_result.html",
                {
                    "report": report,
                    "file_name": form.cleaned_data["file"].name,
                    "report_name": report_name,
                },
            )
    return render(request, "members/roster_import.html", {"form": form})


@require_GET
@scoped
def roster_template(request: HttpRequest) -> FileResponse:
    _require_editor(request)
    out = io.BytesIO()
    roster.roster_template(request.scope, out=out)
    out.seek(0)
    return FileResponse(
        out,
        as_attachment=True,
        filename="党员名册导入模板.xlsx",
        content_type=roster.XLSX_CONTENT_TYPE,
    )


@require_GET
@scoped
def roster_export(request: HttpRequest) -> FileResponse:
    scope = request.scope
    if not scope.has_roles:
        raise Http404
    org = None
    if request.GET.get("org"):
        try:
            org = organization_get_for(scope, int(request.GET["org"]))
        except ValueError:
            raise Http404 from None
    out = tempfile.SpooledTemporaryFile(max_size=8 << 20)  # noqa: SIM115 - FileResponse closes it
    roster.roster_export(
        scope, actor=request.user, out=out, org=org, ip=request.META.get("REMOTE_ADDR")
    )
    out.seek(0)
    name = f"{org.name if org else '党员'}名册{today():%Y%m%d}.xlsx"
    return FileResponse(
        out, as_attachment=True, filename=name, content_type=roster.XLSX_CONTENT_TYPE
    )
