"""Dues downloads and the bulk base import. Thin: the work is in ``dues.files``.

Every download answers 404 outside the user's scope. A month or year parameter that is
missing means the current one; one that cannot be read answers a Chinese 400 page (never a
silent fallback, so a typo in a bookmarked link does not print the wrong month).
"""

from __future__ import annotations

import datetime as dt
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import quote

from django import forms
from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from dangwu.core.clock import today  # tests pin it: views_files.today
from dangwu.core.errors import DomainError
from dangwu.core.web import domain_errors_to_form, scoped
from dangwu.dues import selectors
from dangwu.dues.files import pdf, workbooks
from dangwu.dues.files.bases_import import BaseImportReport
from dangwu.dues.files.bases_import import base_import as run_base_import
from dangwu.dues.files.bases_template import base_editor_org
from dangwu.dues.files.bases_template import base_template as write_base_template
from dangwu.dues.files.common import XLSX_CONTENT_TYPE
from dangwu.dues.ledger import month_start, parse_month
from dangwu.members import roster

REPORT_SESSION_KEY = "dues_base_error_report"
REPORT_MAX_AGE = 24 * 3600  # seconds an error report stays downloadable
FIRST_YEAR = 2000


class BadParameter(Exception):
    pass


def _ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR")


def _month(request: HttpRequest) -> dt.date:
    raw = (request.GET.get("month") or "").strip()
    now = today()
    if not raw:
        return month_start(now)
    try:
        month = parse_month(raw)
    except ValueError as exc:
        raise BadParameter(str(exc)) from None
    if not FIRST_YEAR <= month.year <= now.year + 1:
        raise BadParameter(f"月份应在{FIRST_YEAR}年至{now.year + 1}年之间，收到：{raw}。")
    return month


def _year(request: HttpRequest) -> int:
    raw = (request.GET.get("year") or "").strip()
    now = today()
    if not raw:
        return now.year
    if not raw.isdigit() or not FIRST_YEAR <= int(raw) <= now.year + 1:
        raise BadParameter(f"年份应为{FIRST_YEAR}至{now.year + 1}之间的四位数字，收到：{raw}。")
    return int(raw)


def _bad_parameter(request: HttpRequest, exc: BadParameter) -> HttpResponse:
    return render(
        request,
        "dues/files_error.html",
        {"title": _("参数有误"), "message": str(exc), "hint": _("请返回上一页重新选择。")},
        status=400,
    )


def _xlsx(out, name: str) -> FileResponse:
    out.seek(0)
    return FileResponse(out, as_attachment=True, filename=name, content_type=XLSX_CONTENT_TYPE)


def _spool():
    return tempfile.SpooledTemporaryFile(max_size=8 << 20)  # FileResponse closes it


@never_cache  # personal data: no copy in a shared browser's cache
@require_GET
@scoped
def sheet_xlsx(request: HttpRequest, org_id: int) -> HttpResponse:
    org = selectors.dues_org_get(request.scope, org_id)  # 404 before a 400
    try:
        month = _month(request)
    except BadParameter as exc:
        return _bad_parameter(request, exc)
    out = _spool()
    workbooks.sheet_export(
        request.scope,
        org.pk,
        month=month,
        today=today(),
        actor=request.user,
        out=out,
        ip=_ip(request),
    )
    return _xlsx(out, f"{org.name}党费收缴表{month:%Y%m}.xlsx")


@never_cache
@require_GET
@scoped
def summary_xlsx(request: HttpRequest, org_id: int) -> HttpResponse:
    selectors.dues_org_get(request.scope, org_id)  # 404 before a 400
    try:
        year = _year(request)
    except BadParameter as exc:
        return _bad_parameter(request, exc)
    out = _spool()
    s = workbooks.summary_export(
        request.scope,
        org_id,
        year=year,
        today=today(),
        actor=request.user,
        out=out,
        ip=_ip(request),
    )
    return _xlsx(out, f"{s.organization.name}党费收缴汇总{year}.xlsx")


@never_cache
@require_GET
@scoped
def person_xlsx(request: HttpRequest, person_id: int) -> HttpResponse:
    out = _spool()
    d = workbooks.person_export(
        request.scope, person_id, today=today(), actor=request.user, out=out, ip=_ip(request)
    )
    return _xlsx(out, f"{d.person.name}党费台账{today():%Y%m%d}.xlsx")


@never_cache
@require_GET
@scoped
def sheet_pdf(request: HttpRequest, org_id: int) -> HttpResponse:
    selectors.dues_org_get(request.scope, org_id)  # 404 before a 400 or a 503
    try:
        month = _month(request)
    except BadParameter as exc:
        return _bad_parameter(request, exc)
    try:
        data, name = pdf.collection_list_pdf(
            request.scope,
            org_id,
            month=month,
            today=today(),
            actor=request.user,
            ip=_ip(request),
        )
    except pdf.PdfUnavailable as exc:
        return render(request, "dues/files_pdf_unavailable.html", {"error": exc}, status=503)
    except pdf.TooManyRows as exc:
        message = _(
            "该组织共有%(n)s名党员，超过一份登记表%(max)s人的上限，请按党支部或党小组分别打印。"
        ) % {"n": exc.count, "max": pdf.MAX_ROWS}
        return render(
            request,
            "dues/files_error.html",
            {"title": _("人数过多"), "message": message, "hint": ""},
            status=400,
        )
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = _inline(name)
    return response


def _inline(name: str) -> str:
    return f"inline; filename=\"collection.pdf\"; filename*=UTF-8''{quote(name)}"


@never_cache
@require_GET
@scoped
def base_template(request: HttpRequest, org_id: int) -> HttpResponse:
    org = base_editor_org(request.scope, org_id)
    out = _spool()
    write_base_template(
        request.scope, org.pk, today=today(), actor=request.user, out=out, ip=_ip(request)
    )
    return _xlsx(out, f"{org.name}党费缴纳基数{today():%Y%m%d}.xlsx")


# --- the bulk base import --------------------------------------------------------------------


class BaseUploadForm(forms.Form):
    file = forms.FileField(
        label=_("缴费基数文件"),
        allow_empty_file=True,  # the service says precisely what is wrong with the file
        help_text=_("Excel工作簿（.xlsx），请使用本页下载的模板填写。"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )


def _reports_dir() -> Path:
    directory = Path(settings.VAR_DIR) / "dues-base-reports"
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def _save_error_report(request: HttpRequest, report: BaseImportReport) -> str:
    """Keep every bad row for this session's user to download (removed after a day)."""
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


def _error_report(request: HttpRequest) -> FileResponse:
    name = request.session.get(REPORT_SESSION_KEY)
    if not name or request.GET.get("report") != name:
        raise Http404
    path = _reports_dir() / name
    if not path.exists():
        raise Http404
    return FileResponse(
        open(path, "rb"),  # FileResponse closes it
        as_attachment=True,
        filename="缴费基数导入错误报告.xlsx",
        content_type=XLSX_CONTENT_TYPE,
    )


@require_http_methods(["GET", "POST"])
@scoped
def base_import(request: HttpRequest, org_id: int) -> HttpResponse:
    org = base_editor_org(request.scope, org_id)
    if request.method == "GET" and "report" in request.GET:
        return _error_report(request)
    context = {"organization": org, "template_url": reverse("dues:base_template", args=[org.pk])}
    if request.method == "GET":
        return render(request, "dues/files_base_import.html", {**context, "form": BaseUploadForm()})
    form = BaseUploadForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            report = run_base_import(actor=request.user, org_id=org.pk, file=upload, today=today())
        except DomainError as exc:
            domain_errors_to_form(form, exc)
        else:
            name = None if report.ok else _save_error_report(request, report)
            return render(
                request,
                "dues/files_base_import_result.html",
                {**context, "report": report, "file_name": upload.name, "report_name": name},
            )
    return render(request, "dues/files_base_import.html", {**context, "form": form})
