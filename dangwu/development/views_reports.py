"""Thought reports (思想汇报): a person's reports with the quarter grid, the comment of a
contact person, the scan, and the person's own page (``/development/me/``). Thin: the
reads are in ``selectors_reports``, the writes in ``services.reports``.

Outside the scope everything is 404. A user allowed to read but not to act sees no form.
"""

from __future__ import annotations

import os

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dangwu.core.clock import today  # tests pin it: views_reports.today
from dangwu.core.web import SERVICE_ERRORS, scoped, show_domain_error
from dangwu.development import selectors_reports as sel
from dangwu.development.forms_reports import CommentForm, ReportForm
from dangwu.development.services import reports as services
from dangwu.development.services.uploads import CONTENT_TYPES

GET_POST = require_http_methods(["GET", "POST"])


def _comment_prefix(report_id: int) -> str:
    return f"c{report_id}"


def _rows(page: sel.PersonReports, bound: dict | None = None) -> list[tuple]:
    """Each report with its comment form (``None`` when the reader may not comment)."""
    bound = bound or {}
    rows = []
    for r in page.reports:
        form = None
        if page.can_comment:
            form = bound.get(r.pk) or CommentForm(
                prefix=_comment_prefix(r.pk), initial={"comment": r.comment}
            )
        rows.append((r, form))
    return rows


def _submit(request: HttpRequest, page: sel.PersonReports) -> tuple[ReportForm, bool]:
    """Parse and hand in the report of the POST; ``True`` when it was saved."""
    form = ReportForm(request.POST, request.FILES)
    if not form.is_valid():
        return form, False
    d = form.cleaned_data
    try:
        services.report_submit(
            actor=request.user,
            person=page.person,
            submitted_on=d["submitted_on"],
            title=d["title"],
            text=d["text"],
            upload=d["upload"],
            today=today(),
        )
    except SERVICE_ERRORS as exc:
        show_domain_error(form, exc)
        return form, False
    messages.success(request, _("思想汇报已提交。"))
    return form, True


def _blank_form() -> ReportForm:
    return ReportForm(initial={"submitted_on": today()})


def _render_list(
    request: HttpRequest,
    page: sel.PersonReports,
    *,
    form: ReportForm | None = None,
    bound: dict | None = None,
    status: int = 200,
) -> HttpResponse:
    if form is None and page.can_submit:
        form = _blank_form()
    return render(
        request,
        "development/reports.html",
        {
            "page": page,
            "person": page.person,
            "form": form,
            "rows": _rows(page, bound),
            "coverage": page.coverage,
            "today": today(),
        },
        status=status,
    )


@GET_POST
@scoped
def report_list(request: HttpRequest, person_id: int) -> HttpResponse:
    """The reports of a person, the quarter grid, the forms the reader may use."""
    page = sel.report_list_for(request.scope, person_id, today=today())
    if request.method == "POST":
        form, saved = _submit(request, page)
        if saved:
            return redirect("development:reports", person_id=person_id)
        return _render_list(request, page, form=form)
    return _render_list(request, page)


@require_POST
@scoped
def report_comment(request: HttpRequest, report_id: int) -> HttpResponse:
    """A contact person's (or the branch's) comment on one report."""
    report = sel.report_get_for(request.scope, report_id)
    form = CommentForm(request.POST, prefix=_comment_prefix(report.pk))
    if form.is_valid():
        try:
            services.report_comment(
                actor=request.user,
                report=report,
                comment=form.cleaned_data["comment"],
                today=today(),
            )
        except SERVICE_ERRORS as exc:
            show_domain_error(form, exc)
        else:
            messages.success(request, _("评阅意见已保存。"))
            url = reverse("development:reports", args=[report.record.person_id])
            return redirect(f"{url}#report-{report.pk}")
    page = sel.person_reports(request.scope, report.record, today=today())
    if not page.can_comment:
        # Visible but not allowed (the person themself, a user without a linked person):
        # the reason is shown on the page; no form is offered.
        for error in form.errors.values():
            for message in error:
                messages.error(request, message)
    return _render_list(request, page, bound={report.pk: form})


@never_cache  # a person's own words: no copy in a shared browser's cache
@require_GET
@scoped
def report_file(request: HttpRequest, report_id: int) -> FileResponse:
    """The scan of a report: images are shown, a PDF is downloaded."""
    report = sel.report_get_for(request.scope, report_id)
    if not report.file:
        raise Http404
    ext = os.path.splitext(report.file.name)[1].lower()
    content_type = CONTENT_TYPES.get(ext, "application/octet-stream")
    try:
        handle = report.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    return FileResponse(
        handle,
        as_attachment=not content_type.startswith("image/"),
        filename=f"思想汇报{report.submitted_on:%Y%m%d}{ext}",
        content_type=content_type,
    )


@GET_POST
@scoped
def me(request: HttpRequest) -> HttpResponse:
    """The user's own development and thought reports; a friendly page without a person."""
    mine = sel.my_development(request.scope, today=today())
    if mine is None:
        return render(request, "development/me_unlinked.html")
    page = mine.page
    form = None
    if page is not None and page.can_submit:
        form = _blank_form()
        if request.method == "POST":
            form, saved = _submit(request, page)
            if saved:
                return redirect("development:me")
    elif request.method == "POST":
        raise Http404
    return render(
        request,
        "development/me.html",
        {
            "mine": mine,
            "page": page,
            "person": mine.person,
            "form": form,
            "rows": _rows(page) if page is not None else [],
            "coverage": page.coverage if page is not None else None,
            "today": today(),
        },
    )
