"""The group leader's pages: the list of my groups, the workspace of one group, tasks,
notes on members, opinions of the masses and period summaries.

Thin: read the scope, call a selector or a service, render. Anything outside the scope is
a 404 (``core.web.scoped``); a ``DomainError`` is shown beside the field it names with
nothing written; every successful POST redirects (POST/redirect/GET).
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from dangwu.core import clock
from dangwu.core.errors import DomainError, InvalidInput, NotFound
from dangwu.core.scope import Perm
from dangwu.core.web import SERVICE_ERRORS, paginate, scoped, show_domain_error
from dangwu.groupwork import selectors, services
from dangwu.groupwork.forms import (
    NoteForm,
    OpinionForm,
    OpinionReportForm,
    OpinionResolveForm,
    SummaryDraftForm,
    SummaryTextForm,
    TaskCheckForm,
    TaskDoneForm,
    TaskForm,
)
from dangwu.groupwork.models import GroupTask, OpinionStatus
from dangwu.meetings.periods import Period, PeriodKind

GET_POST = require_http_methods(["GET", "POST"])


def today() -> dt.date:
    return clock.today()


def _frame(group, page_title: str, **extra) -> dict:
    return {"group": group, "page_title": page_title, **extra}


def _form_page(request, group, title: str, form, *, intro: str = "", **extra):
    return render(
        request, "groupwork/form_page.html", _frame(group, title, form=form, intro=intro, **extra)
    )


def _error_text(exc) -> str:
    if isinstance(exc, DomainError):
        return exc.message
    return "；".join(exc.messages)


# --- my groups and the workspace -------------------------------------------------------------


@require_GET
@scoped
def home(request):
    """One group: straight to its workspace; several: the list; with my own open tasks."""
    groups = selectors.my_groups(request.scope)
    mine = selectors.my_tasks(request.scope)
    if len(groups) == 1 and not mine:
        return redirect("groupwork:workspace", group_id=groups[0][0].pk)
    return render(request, "groupwork/home.html", {"groups": groups, "my_tasks": mine})


@require_GET
@scoped
def workspace(request, group_id: int):
    group = selectors.group_get_for(request.scope, group_id)
    ws = selectors.workspace(request.scope, group, today=today())
    return render(request, "groupwork/workspace.html", _frame(group, _("党小组工作台"), ws=ws))


# --- tasks ----------------------------------------------------------------------------------


@require_GET
@scoped
def task_list(request, group_id: int):
    group = selectors.group_get_for(request.scope, group_id)
    page, query = paginate(request, selectors.task_list(request.scope, group))
    return render(
        request,
        "groupwork/tasks.html",
        _frame(
            group,
            _("任务"),
            page_obj=page,
            query=query,
            today=today(),
            can_life=request.scope.covers(group.path, Perm.LIFE),
        ),
    )


@GET_POST
@scoped
def task_create(request, group_id: int):
    group = selectors.group_get_for(request.scope, group_id, Perm.LIFE)
    members = list(selectors.group_members(group))
    form = TaskForm(request.POST or None, members=members, initial={"due_on": today()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        assignee = next((p for p in members if p.pk == data["assignee"]), None)
        try:
            if assignee is None:
                raise NotFound()
            task = services.task_create(
                actor=request.user,
                group=group,
                title=data["title"],
                assignee=assignee,
                due_on=data["due_on"],
                detail=data["detail"],
                today=today(),
            )
        except NotFound:
            form.add_error("assignee", _("请选择本党小组的党员。"))
        except SERVICE_ERRORS as exc:
            show_domain_error(form, exc)
        else:
            messages.success(request, _("已布置任务“%(t)s”。") % {"t": task.title})
            return redirect("groupwork:workspace", group_id=group.pk)
    return _form_page(request, group, _("布置任务"), form)


def _task_back(task: GroupTask):
    return redirect("groupwork:workspace", group_id=task.group_id)


@GET_POST
@scoped
def task_done(request, task_id: int):
    """The assignee or the leader marks a task done."""
    task = selectors.task_get_for(request.scope, task_id, own_ok=True)
    form = TaskDoneForm(request.POST or None, initial={"done_on": today()})
    if request.method == "POST" and form.is_valid():
        try:
            services.task_complete(
                actor=request.user,
                task=task,
                done_on=form.cleaned_data["done_on"],
                result=form.cleaned_data["result"],
                today=today(),
            )
        except SERVICE_ERRORS as exc:
            show_domain_error(form, exc)
        else:
            messages.success(request, _("已登记完成。"))
            if not request.scope.covers(task.group.path, Perm.VIEW):
                return redirect("groupwork:home")
            return _task_back(task)
    return _form_page(request, task.group, _("登记任务完成"), form, intro=str(task), task=task)


@GET_POST
@scoped
def task_check(request, task_id: int):
    task = selectors.task_get_for(request.scope, task_id, Perm.LIFE)
    form = TaskCheckForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.task_check(actor=request.user, task=task, note=form.cleaned_data["note"])
        except SERVICE_ERRORS as exc:
            show_domain_error(form, exc)
        else:
            messages.success(request, _("已检查。"))
            return _task_back(task)
    return _form_page(request, task.group, _("检查任务"), form, intro=str(task), task=task)


# --- notes on members -------------------------------------------------------------------


@GET_POST
@scoped
def member_notes(request, group_id: int, person_id: int):
    group = selectors.group_get_for(request.scope, group_id)
    mn = selectors.member_notes(request.scope, group, person_id)
    form = NoteForm(request.POST or None, initial={"noted_on": today()})
    if request.method == "POST" and form.is_valid():
        try:
            services.note_add(
                actor=request.user, person=mn.person, today=today(), **form.cleaned_data
            )
        except SERVICE_ERRORS as exc:
            show_domain_error(form, exc)
        else:
            messages.success(request, _("已记录。"))
            return redirect("groupwork:notes", group_id=group.pk, person_id=mn.person.pk)
    return render(
        request,
        "groupwork/notes.html",
        _frame(group, _("党员情况"), mn=mn, form=form),
    )


# --- opinions of the masses ------------------------------------------------------------------


@require_GET
@scoped
def opinion_list(request, group_id: int):
    group = selectors.group_get_for(request.scope, group_id)
    page, query = paginate(request, selectors.opinion_list(request.scope, group))
    return render(
        request,
        "groupwork/opinions.html",
        _frame(
            group,
            _("群众意见"),
            page_obj=page,
            query=query,
            can_life=request.scope.covers(group.path, Perm.LIFE),
            report_form=OpinionReportForm(initial={"reported_on": today()}),
            OPEN=OpinionStatus.OPEN,
            RESOLVED=OpinionStatus.RESOLVED,
        ),
    )


@GET_POST
@scoped
def opinion_create(request, group_id: int):
    group = selectors.group_get_for(request.scope, group_id, Perm.LIFE)
    form = OpinionForm(request.POST or None, initial={"received_on": today()})
    if request.method == "POST" and form.is_valid():
        try:
            services.opinion_record(
                actor=request.user, organization=group, today=today(), **form.cleaned_data
            )
        except SERVICE_ERRORS as exc:
            show_domain_error(form, exc)
        else:
            messages.success(request, _("已登记群众意见。"))
            return redirect("groupwork:opinions", group_id=group.pk)
    return _form_page(request, group, _("登记群众意见"), form)


@require_http_methods(["POST"])
@scoped
def opinion_report(request, pk: int):
    opinion = selectors.opinion_get_for(request.scope, pk, Perm.LIFE)
    form = OpinionReportForm(request.POST)
    try:
        if not form.is_valid():
            raise InvalidInput(_("反映日期有误。"))
        services.opinion_report(
            actor=request.user,
            opinion=opinion,
            reported_on=form.cleaned_data["reported_on"],
            today=today(),
        )
    except SERVICE_ERRORS as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("已向支部反映。"))
    return redirect("groupwork:opinions", group_id=opinion.organization_id)


@GET_POST
@scoped
def opinion_resolve(request, pk: int):
    opinion = selectors.opinion_get_for(request.scope, pk, Perm.LIFE)
    form = OpinionResolveForm(request.POST or None, initial={"resolved_on": today()})
    if request.method == "POST" and form.is_valid():
        try:
            services.opinion_resolve(
                actor=request.user, opinion=opinion, today=today(), **form.cleaned_data
            )
        except SERVICE_ERRORS as exc:
            show_domain_error(form, exc)
        else:
            messages.success(request, _("已办结。"))
            return redirect("groupwork:opinions", group_id=opinion.organization_id)
    return _form_page(
        request,
        opinion.organization,
        _("意见办结"),
        form,
        back="",
        intro=f"{opinion.from_whom}：{opinion.content}",
    )


# --- period summaries ------------------------------------------------------------------------


def draft_periods(on: dt.date) -> list[Period]:
    """The periods a leader may sum up from the page: this and the last five months, this
    and the last three quarters, this year and the last."""
    out: list[Period] = []
    m = Period.containing(PeriodKind.MONTH, on)
    for _i in range(6):
        out.append(m)
        y, n = (m.year, m.number - 1) if m.number > 1 else (m.year - 1, 12)
        m = Period.for_month(y, n)
    q = Period.containing(PeriodKind.QUARTER, on)
    for _i in range(4):
        out.append(q)
        y, n = (q.year, q.number - 1) if q.number > 1 else (q.year - 1, 4)
        q = Period.for_quarter(y, n)
    out += [Period.for_year(on.year), Period.for_year(on.year - 1)]
    return out


@GET_POST
@scoped
def summary_list(request, group_id: int):
    group = selectors.group_get_for(request.scope, group_id)
    can_life = request.scope.covers(group.path, Perm.LIFE)
    on = today()
    form = SummaryDraftForm(request.POST or None, periods=draft_periods(on))
    if request.method == "POST":
        if not can_life:
            raise NotFound()
        if form.is_valid():
            try:
                summary = services.summary_draft(
                    actor=request.user, group=group, period=form.cleaned_data["period"], today=on
                )
            except SERVICE_ERRORS as exc:
                show_domain_error(form, exc)
            else:
                messages.success(request, _("已根据本期数据生成总结草稿。"))
                return redirect("groupwork:summary", pk=summary.pk)
    page, query = paginate(request, selectors.summary_list(request.scope, group))
    return render(
        request,
        "groupwork/summaries.html",
        _frame(group, _("工作总结"), page_obj=page, query=query, form=form, can_life=can_life),
    )


@GET_POST
@scoped
def summary_detail(request, pk: int):
    """A summary: its figures and text; a draft's text is edited and submitted here."""
    summary = selectors.summary_get_for(request.scope, pk)
    can_edit = not summary.is_locked and request.scope.covers(summary.group.path, Perm.LIFE)
    form = SummaryTextForm(request.POST or None, initial={"text": summary.text})
    if request.method == "POST":
        if not can_edit:
            if summary.is_locked:
                messages.error(request, _("该总结已报送支部，不能再修改。"))
                return redirect("groupwork:summary", pk=summary.pk)
            raise NotFound()
        if form.is_valid():
            submit = request.POST.get("action") == "submit"
            try:
                if submit:
                    services.summary_submit(
                        actor=request.user,
                        summary=summary,
                        text=form.cleaned_data["text"],
                        today=today(),
                    )
                else:
                    services.summary_edit(
                        actor=request.user, summary=summary, text=form.cleaned_data["text"]
                    )
            except SERVICE_ERRORS as exc:
                show_domain_error(form, exc)
            else:
                messages.success(request, _("已报送支部。") if submit else _("已保存。"))
                return redirect("groupwork:summary", pk=summary.pk)
    return render(
        request,
        "groupwork/summary.html",
        _frame(
            summary.group,
            _("工作总结"),
            summary=summary,
            f=summary.figures,
            form=form,
            can_edit=can_edit,
        ),
    )
