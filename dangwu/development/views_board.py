"""An organization's development work: where the user starts, the pipeline board (counts
per stage, the funnel, the child organizations, a stage's people), the to-do list, and the
findings report (a page and an .xlsx).

Thin: read the scope, call ``board``, render. Anything outside the scope is a 404; a
filter that cannot be read shows everything with a message, never an error page.
"""

from __future__ import annotations

import tempfile

from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from dangwu.core.clock import today  # tests pin it: views_board.today
from dangwu.core.scope import Perm
from dangwu.core.web import paginate, scoped
from dangwu.development import board as selectors
from dangwu.development.files import audit_xlsx as xlsx
from dangwu.development.forms_board import AuditFilterForm, TodoFilterForm
from dangwu.development.plans import plan_status
from dangwu.orgs.choices import OrgKind

AUDIT_PEOPLE_PER_PAGE = 20


def _ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR")


def _spool():
    return tempfile.SpooledTemporaryFile(max_size=8 << 20)  # FileResponse closes it


def _links(scope, org) -> dict:
    return {"can_import": scope.covers(org.path, Perm.DEVELOP)}


@require_GET
@scoped
def home(request: HttpRequest) -> HttpResponse:
    """A role → the board of the highest organization held (a superuser: the first
    top-level one); a member without a role → their own development; else a friendly page."""
    scope = request.scope
    if scope.has_roles:
        org = selectors.home_org(scope)
        if org is not None:
            return redirect("development:board", org_id=org.pk)
    elif scope.person_id is not None:
        return redirect("development:me")
    return render(request, "development/board_none.html")


@require_GET
@scoped
def board(request: HttpRequest, org_id: int) -> HttpResponse:
    """The board; ``?stage=`` adds the list of that stage's people below it."""
    scope = request.scope
    on = today()
    org = selectors.org_get_for(scope, org_id)
    data = selectors.board(scope, org, today=on)
    plan = None if org.kind == OrgKind.PARTY_GROUP else plan_status(scope, org, on.year)
    context = {"org": org, "board": data, "today": on, "plan": plan, **_links(scope, org)}
    stage = request.GET.get("stage", "")
    if stage in selectors.STAGE_LABELS:
        qs = selectors.stage_people(scope, org, stage, today=on)
        page_obj, query = paginate(request, qs)
        context.update(
            stage=stage,
            stage_label=selectors.STAGE_LABELS[stage],
            page_obj=page_obj,
            query=query,
            stage_rows=[(p, getattr(p, "development", None)) for p in page_obj.object_list],
        )
    elif stage:
        messages.warning(request, _("没有这个阶段，已显示全部。"))
    return render(request, "development/board.html", context)


@require_GET
@scoped
def todo(request: HttpRequest, org_id: int) -> HttpResponse:
    """The open records by due date, overdue marked; filters: a branch, only overdue."""
    scope = request.scope
    on = today()
    org = selectors.org_get_for(scope, org_id)
    form = TodoFilterForm(request.GET or None, branches=selectors.branch_choices(org))
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    if form.is_bound and form.errors:
        messages.warning(request, _("筛选条件有误，已显示全部待办事项。"))
    qs = selectors.todo_list(
        scope,
        org,
        today=on,
        branch=filters.get("branch"),
        overdue_only=bool(filters.get("overdue")),
    )
    page_obj, query = paginate(request, qs)
    context = {
        "org": org,
        "form": form,
        "page_obj": page_obj,
        "query": query,
        "today": on,
        "missing": selectors.missing_reports(scope, org, today=on)
        if page_obj.number == 1
        else None,
        **_links(scope, org),
    }
    return render(request, "development/todo.html", context)


def _audit(request: HttpRequest, org_id: int):
    """The findings report for the filters of the request (shared by the page and the
    .xlsx): (org, form, report)."""
    scope = request.scope
    on = today()
    org = selectors.org_get_for(scope, org_id)
    form = AuditFilterForm(request.GET or None, branches=selectors.branch_choices(org))
    valid = form.is_bound and form.is_valid()
    if form.is_bound and not valid:
        messages.warning(request, _("筛选条件有误，已显示全部问题。"))
    c = form.cleaned_data if valid else {}
    filters = selectors.AuditFilters(
        severity=c.get("severity") or "",
        code=c.get("code") or "",
        branch=c.get("branch"),
        source=c.get("source") or "",
        person_id=c.get("person"),
    )
    report = selectors.audit_report(scope, org, today=on, filters=filters)
    form.show_codes([code for code, _n in report.by_code])
    return org, form, report


@require_GET
@scoped
def audit(request: HttpRequest, org_id: int) -> HttpResponse:
    """Every record's findings, checked now, grouped by person; counts by rule on top."""
    org, form, report = _audit(request, org_id)
    page_obj, query = paginate(request, report.items, per_page=AUDIT_PEOPLE_PER_PAGE)
    params = request.GET.copy()
    for name in ("page", "code"):
        params.pop(name, None)
    context = {
        "code_query": params.urlencode(),
        "org": org,
        "form": form,
        "report": report,
        "page_obj": page_obj,
        "query": query,
        "export_query": query if not form.is_bound or form.is_valid() else "",
        **_links(request.scope, org),
    }
    return render(request, "development/audit.html", context)


@never_cache  # names and findings of people: no copy in a shared browser's cache
@require_GET
@scoped
def audit_xlsx(request: HttpRequest, org_id: int) -> HttpResponse:
    """The findings report as .xlsx, one row a finding (the page's filters apply)."""
    org, _form, report = _audit(request, org_id)
    out = _spool()
    xlsx.audit_export(report, actor=request.user, out=out, ip=_ip(request))
    out.seek(0)
    return FileResponse(
        out,
        as_attachment=True,
        filename=f"{org.name}发展党员问题清单{report.today:%Y%m%d}.xlsx",
        content_type=xlsx.XLSX_CONTENT_TYPE,
    )
