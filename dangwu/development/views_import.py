"""The historical import pages: upload (a workbook, or timeline JSON files) and result, and
the template. Thin: the work is in ``services.imports`` and ``imports``."""

from __future__ import annotations

import io

from django import forms
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from dangwu.core.clock import today
from dangwu.core.errors import DomainError
from dangwu.core.scope import Perm
from dangwu.core.web import domain_errors_to_form, scoped
from dangwu.development.imports.report import imported_findings
from dangwu.development.services import imports as service
from dangwu.members.roster.columns import XLSX_CONTENT_TYPE, bad_file
from dangwu.orgs.models import Organization
from dangwu.orgs.selectors import organization_get_for


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """One or several files; ``cleaned_data`` is a list."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".xlsx,.json"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        clean_one = super().clean
        if isinstance(data, list | tuple):
            return [clean_one(d, initial) for d in data] or clean_one(None, initial)
        return [clean_one(data, initial)]


class ImportForm(forms.Form):
    file = MultipleFileField(
        label=_("发展记录文件"),
        allow_empty_file=True,  # the service says precisely what is wrong with the file
        help_text=_(
            "一个Excel工作簿（.xlsx，请使用下载的模板），或一个或多个时间线JSON文件（.json）。"
        ),
    )


def _editable_org(request: HttpRequest, org_id: int) -> Organization:
    org = organization_get_for(request.scope, org_id)  # NotFound → 404
    request.scope.require(org.path, Perm.DEVELOP)
    return org


def _is_json(upload) -> bool:
    return (upload.name or "").lower().endswith(".json")


def _run(request: HttpRequest, org: Organization, files: list):
    if len(files) == 1 and not _is_json(files[0]):
        return service.import_xlsx(actor=request.user, org=org, upload=files[0], today=today())
    if all(_is_json(f) for f in files):
        return service.import_json(actor=request.user, org=org, uploads=files, today=today())
    raise bad_file("请上传一个Excel工作簿（.xlsx），或一个或多个JSON文件（.json），不要混在一起。")


@require_http_methods(["GET", "POST"])
@scoped
def import_upload(request: HttpRequest, org_id: int) -> HttpResponse:
    org = _editable_org(request, org_id)
    context: dict = {"org": org, "form": ImportForm(), "result": None}
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        context["form"] = form
        if form.is_valid():
            files = form.cleaned_data["file"]
            try:
                result = _run(request, org, files)
            except DomainError as exc:
                domain_errors_to_form(form, exc)
            else:
                context["result"] = result
                context["file_names"] = "、".join(f.name for f in files)
                if result.ok:
                    context["records"] = imported_findings(
                        request.scope, result.record_ids, today=today()
                    )
                    context["form"] = ImportForm()
    return render(request, "development/import.html", context)


@require_GET
@scoped
def import_template(request: HttpRequest, org_id: int) -> FileResponse:
    org = _editable_org(request, org_id)
    out = io.BytesIO()
    service.import_template(
        actor=request.user, org=org, out=out, ip=request.META.get("REMOTE_ADDR")
    )
    out.seek(0)
    return FileResponse(
        out,
        as_attachment=True,
        filename=f"{org.name}发展记录导入模板.xlsx",
        content_type=XLSX_CONTENT_TYPE,
    )
