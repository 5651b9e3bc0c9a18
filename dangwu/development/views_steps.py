"""A person's development timeline and the step forms.

Thin: read the scope, call a selector or a service, render. Reading is ``Perm.VIEW`` on the
record's branch (a person sees their own record, without the buttons); recording a step
is ``Perm.DEVELOP``. Outside the scope is a 404 (``core.web.scoped``). A step form shows the
rules that apply (``guidance``) and this person's window for the step before anything is
saved; "检查" asks ``step_preview`` for the findings the step would produce, and saving
goes through ``step_record`` — a refusal is shown beside the form with the input kept.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dangwu.accounts.models import User
from dangwu.core.audit import audit_event
from dangwu.core.clock import today
from dangwu.core.errors import DomainError
from dangwu.core.models import AuditAction
from dangwu.core.scope import ROLE_PERMS, Perm
from dangwu.core.web import SERVICE_ERRORS, scoped, show_domain_error
from dangwu.core.workcal_db import calendar as db_calendar
from dangwu.development import selectors
from dangwu.development.choices import CANCELLATION, PersonRole, RecordState
from dangwu.development.conf import development_settings
from dangwu.development.forms import FileForm, StepForm, entry_initial
from dangwu.development.guidance import (
    GUIDED_STEPS,
    PEOPLE_COUNT,
    STEP_FIELDS,
    VOTES,
    field_label,
    step_guide,
)
from dangwu.development.models import DevelopmentRecord, StepPerson
from dangwu.development.rules import next_deadlines
from dangwu.development.services import steps as services
from dangwu.development.steps import PREREQUISITES, STEP_BY_KEY
from dangwu.members.choices import Status
from dangwu.members.models import Person
from dangwu.members.selectors import person_get_for
from dangwu.orgs.models import Organization

GET_POST = require_http_methods(["GET", "POST"])
ROLE_FIELD = {PersonRole.CONTACT: "contacts", PersonRole.INTRODUCER: "introducers"}


def _person_page(person_id: int):
    return redirect("development:person", person_id=person_id)


# --- the timeline -------------------------------------------------------------------------------


@dataclass(slots=True)
class StepRow:
    """One step on the timeline page: the selector's view, its window as text, whether it
    is overdue, and whether (and how) the user may record it now."""

    sv: selectors.StepView
    window: str = ""
    overdue: bool = False
    action: str = ""  # the record button's label ("" = no button)
    primary: bool = False


def window_text(d) -> str:
    """``最早可确定为发展对象：2026-04-20`` / ``党组织派人谈话：2025-02-28前`` (a
    ``rules.Deadline``)."""
    if d is None:
        return ""
    if d.earliest and not d.latest and d.label.startswith("最早"):
        return f"{d.label}：{d.earliest.isoformat()}"
    parts = []
    if d.earliest:
        parts.append(_("%(d)s起") % {"d": d.earliest.isoformat()})
    if d.latest:
        parts.append(_("%(d)s前") % {"d": d.latest.isoformat()})
    return f"{d.label}：{'，'.join(parts)}"


def _summary(entry) -> list[tuple[str, str]]:
    """The data an entry carries as (label, text) pairs, for the page."""
    guide_fields = STEP_FIELDS.get(entry.step, ())
    out: list[tuple[str, str]] = []
    if entry.should_attend is not None:
        out.append(
            (
                _("表决"),
                _("应到%(s)s人，实到%(p)s人，赞成%(y)s票，书面赞成%(w)s份")
                % {
                    "s": entry.should_attend,
                    "p": entry.present,
                    "y": entry.in_favour,
                    "w": entry.written_in_favour,
                },
            )
        )
    for name in guide_fields:
        if name in ("date", "end_date", *VOTES[:4]) or name in PEOPLE_COUNT:
            continue
        value = getattr(entry, name, None)
        if value is None or value == "":
            continue
        if name == "passed":
            text = _("合格") if value else _("不合格")
        elif name in ("recommended_by", "acting_org"):
            text = getattr(entry, f"get_{name}_display")()
        elif name == "approving_org":
            text = value.name
        elif name == "hours":
            text = f"{value.normalize():f}"
        elif name == "approval_date":
            text = value.isoformat()
        else:
            text = str(value)
        out.append((field_label(entry.step, name), text))
    return out


def _rows(tl: selectors.PersonTimeline, can_record: bool) -> list[StepRow]:
    done = {sv.key for sv in tl.steps if sv.state == selectors.StepState.DONE}
    rows = []
    for sv in tl.steps:
        for ev in sv.entries:
            ev.entry.summary = _summary(ev.entry)
        d = sv.deadline
        row = StepRow(sv)
        if d is not None and (sv.state != selectors.StepState.DONE or sv.step.repeated):
            row.window = window_text(d)
            row.overdue = d.latest is not None and d.latest < tl.today
        if can_record and sv.key != CANCELLATION:
            ready = all(p in done or STEP_BY_KEY[p].optional for p in PREREQUISITES[sv.key])
            if sv.key not in done and ready:
                row.action = _("登记")
                row.primary = sv.state in (selectors.StepState.NEXT, selectors.StepState.LATE)
            elif sv.key in done and sv.step.repeated and "conversion_approval" not in done:
                row.action = _("再登记一次")
        rows.append(row)
    return rows


@require_GET
@scoped
def person(request: HttpRequest, person_id: int) -> HttpResponse:
    scope = request.scope
    tl = selectors.person_timeline(scope, person_id, today())
    p = tl.person
    record = tl.record
    branch = record.branch if record else p.branch
    can_record = tl.can_edit and record is not None and record.state == RecordState.OPEN
    context = {
        "tl": tl,
        "person": p,
        "branch": branch,
        "crumb_board": scope.covers(branch.path, Perm.VIEW),
        "rows": _rows(tl, can_record),
        "can_apply": (
            record is None and tl.can_edit and p.status in services.OPENING_STATUSES and p.is_active
        ),
        "can_record": can_record,
        # Findings about no step on the page (thought reports, the record as a whole).
        "other_findings": [f for f in tl.findings if f.subject not in {sv.key for sv in tl.steps}],
        "report_deadline": next((d for d in tl.deadlines if d.step == "thought_reports"), None),
        "can_cancel": can_record and p.status == Status.PROBATIONARY,
    }
    return render(request, "development/person.html", context)


# --- the step form ------------------------------------------------------------------------------


def _prefixes(path: str, steplen: int = Organization.steplen) -> list[str]:
    return [path[:i] for i in range(steplen, len(path) + 1, steplen)]


def _approvers(branch: Organization):
    """Users holding ``Perm.APPROVE`` on ``branch`` through a role on it or above."""
    kinds = [k for k, perms in ROLE_PERMS.items() if Perm.APPROVE in perms]
    return (
        User.objects.filter(
            is_active=True,
            roles__organization__path__in=_prefixes(branch.path),
            roles__kind__in=kinds,
        )
        .distinct()
        .order_by("username")
    )


def _acting_orgs(branch: Organization):
    return Organization.objects.filter(path__in=_prefixes(branch.path)).order_by("depth")


def _pickable(branch: Organization):
    """The people a contact or introducer picker offers: the branch's full members."""
    return (
        Person.objects.filter(branch=branch, status=Status.FULL, is_active=True)
        .select_related("branch")
        .order_by("sort_key", "id")
    )


def _target(request: HttpRequest, step: str) -> tuple[Person, DevelopmentRecord | None]:
    """The person and record a step form writes to: EDIT on the record's branch, or on the
    person's branch for the application (no record yet); otherwise 404."""
    if step not in GUIDED_STEPS:
        raise Http404
    person_id = request.resolver_match.kwargs["person_id"]
    scope = request.scope
    record = DevelopmentRecord.objects.filter(person_id=person_id).first()
    if record is not None:
        record = selectors.record_get_for(scope, person_id, Perm.DEVELOP)
        return record.person, record
    return person_get_for(scope, person_id, perm=Perm.DEVELOP), None


def _window(record: DevelopmentRecord | None, step: str, on: dt.date):
    """This person's window for ``step`` (``rules.Deadline``) and the step's entries."""
    if record is None:
        return None
    data = selectors.timeline_data(record)
    deadlines = next_deadlines(
        data, today=on, settings=development_settings(), calendar=db_calendar()
    )
    return next((d for d in deadlines if d.step == step), None)


def _form_context(request, *, person, record, guide, form, on, preview=None, show_exception=False):
    branch = record.branch if record else person.branch
    rights = None
    if guide.is_meeting:
        rights = selectors.voting_members(branch, form.posted_date() or on)
    existing = []
    if record is not None:
        existing = list(record.steps.filter(step=guide.key).order_by("seq", "id"))
    if preview is not None:
        show_exception = show_exception or preview.needs_exception
    window = _window(record, guide.key, on)
    return {
        "person": person,
        "record": record,
        "branch": branch,
        "guide": guide,
        "form": form,
        "window": window,
        "window_text": window_text(window),
        "window_overdue": window is not None and window.latest is not None and window.latest < on,
        "crumb_board": request.scope.covers(branch.path, Perm.VIEW),
        "rights": rights,
        "preview": preview,
        "show_exception": show_exception or form.has_exception_input(),
        "existing": existing,
        "today": on,
    }


def _step_form(request, person, record, guide, *, data=None, initial=None) -> StepForm:
    branch = record.branch if record else person.branch
    return StepForm(
        data,
        initial=initial,
        guide=guide,
        people=_pickable(branch),
        approvers=_approvers(branch),
        orgs=_acting_orgs(branch),
        settings=development_settings(),
    )


def _initial(guide, branch: Organization, on: dt.date) -> dict:
    initial: dict = {"date": on}
    if "approving_org" in guide.fields:
        authority = (
            Organization.objects.filter(path__in=_prefixes(branch.path), approval_authority=True)
            .order_by("-depth")
            .first()
        )
        initial["approving_org"] = authority.pk if authority else None
    if guide.is_meeting:
        initial["should_attend"] = selectors.voting_members(branch, on).should_attend
    return initial


@never_cache
@GET_POST
@scoped
def step_form(request: HttpRequest, person_id: int, step: str) -> HttpResponse:
    person, record = _target(request, step)
    on = today()
    if record is None and step != "application":
        messages.warning(request, _("尚未登记递交入党申请书，请先登记第1步。"))
        return _person_page(person_id)
    guide = step_guide(step, development_settings())
    branch = record.branch if record else person.branch
    if request.method == "GET":
        form = _step_form(request, person, record, guide, initial=_initial(guide, branch, on))
        context = _form_context(
            request, person=person, record=record, guide=guide, form=form, on=on
        )
        return render(request, "development/step_form.html", context)

    form = _step_form(request, person, record, guide, data=request.POST)
    preview, show_exception = None, False
    template = "development/step_form.html"
    if request.POST.get("preview"):
        if request.htmx:
            template += "#step-form-card"
        if form.is_valid():
            try:
                preview = services.step_preview(
                    actor=request.user,
                    person=person,
                    step=step,
                    data=form.step_data(),
                    people=form.people() or (),
                    today=on,
                )
            except SERVICE_ERRORS as exc:
                show_domain_error(form, exc, field_map=form.field_map())
    elif form.is_valid():
        reason, approver = form.exception()
        try:
            entry = services.step_record(
                actor=request.user,
                person=person,
                step=step,
                data=form.step_data(),
                people=form.people() or (),
                exception_reason=reason,
                approver=approver,
                today=on,
            )
        except SERVICE_ERRORS as exc:
            show_domain_error(form, exc, field_map=form.field_map())
            preview, show_exception = _refusal(exc, form, on)
        else:
            messages.success(
                request,
                _("已登记%(step)s（%(date)s）。")
                % {"step": guide.label, "date": entry.date.isoformat()},
            )
            return _person_page(person_id)
    context = _form_context(
        request,
        person=person,
        record=record,
        guide=guide,
        form=form,
        on=on,
        preview=preview,
        show_exception=show_exception,
    )
    return render(request, template, context)


@dataclass(frozen=True, slots=True)
class Refusal:
    """The findings that refused a step, shown where a preview would be."""

    new_findings: list
    refused: bool = True
    blocked: bool = True
    needs_exception: bool = False


def _refusal(exc, form: StepForm, on: dt.date) -> tuple[Refusal | None, bool]:
    """A refusal carrying findings (a rule broken today, or a past fact without its reason
    and approver) → what to show, and whether to open the exception fields (past facts)."""
    if not isinstance(exc, DomainError) or not exc.findings:
        return None, False
    date = form.cleaned_data.get("date")
    return Refusal(exc.findings), date is not None and date < on


# --- one entry: correction and files --------------------------------------------------------------


def _entry_people(people: list[StepPerson]) -> dict[str, list[StepPerson]]:
    out: dict[str, list[StepPerson]] = {}
    for p in people:
        out.setdefault(ROLE_FIELD.get(p.role, p.role), []).append(p)
    return out


@never_cache
@GET_POST
@scoped
def entry_detail(request: HttpRequest, entry_id: int) -> HttpResponse:
    scope = request.scope
    entry = selectors.entry_get_for(scope, entry_id)
    record = entry.record
    can_edit = scope.covers(record.branch.path, Perm.DEVELOP)
    guide = step_guide(entry.step, development_settings())
    people = list(entry.people.order_by("position"))
    files = list(entry.files.select_related("uploaded_by").order_by("uploaded_at", "id"))
    exceptions = list(entry.exceptions.select_related("approved_by", "recorded_by").order_by("id"))
    entry.summary = _summary(entry)
    by_role = _entry_people(people)
    form = None
    if can_edit:
        data = request.POST if request.method == "POST" else None
        form = _step_form(
            request,
            record.person,
            record,
            guide,
            data=data,
            initial=entry_initial(entry, guide, by_role),
        )
    elif request.method == "POST":
        raise Http404
    refusal, show_exception = None, False
    if request.method == "POST" and form.is_valid():
        reason, approver = form.exception()
        try:
            services.step_correct(
                actor=request.user,
                entry=entry,
                data=form.step_data(),
                people=form.people(),
                exception_reason=reason,
                approver=approver,
                today=today(),
            )
        except SERVICE_ERRORS as exc:
            show_domain_error(form, exc, field_map=form.field_map())
            refusal, show_exception = _refusal(exc, form, today())
        else:
            messages.success(request, _("已更正%(step)s。") % {"step": guide.label})
            return redirect("development:entry", entry_id=entry.pk)
    context = {
        "entry": entry,
        "record": record,
        "person": record.person,
        "guide": guide,
        "people": people,
        "files": files,
        "exceptions": exceptions,
        "form": form,
        "file_form": FileForm() if can_edit else None,
        "can_edit": can_edit,
        "show_exception": show_exception or (form is not None and form.has_exception_input()),
        "refusal": refusal.new_findings if refusal else None,
        "ev": selectors.EntryView(entry, people, files, exceptions),
        "crumb_board": scope.covers(record.branch.path, Perm.VIEW),
        "is_cancellation": entry.step == CANCELLATION,
    }
    return render(request, "development/entry_detail.html", context)


@require_POST
@scoped
def file_upload(request: HttpRequest, entry_id: int) -> HttpResponse:
    entry = selectors.entry_get_for(request.scope, entry_id, Perm.DEVELOP)
    form = FileForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            f = services.file_attach(
                actor=request.user,
                entry=entry,
                upload=form.cleaned_data["upload"],
                title=form.cleaned_data["title"],
            )
        except SERVICE_ERRORS as exc:
            show_domain_error(form, exc)
        else:
            messages.success(request, _("已上传：%(name)s") % {"name": f.title})
            return redirect("development:entry", entry_id=entry.pk)
    for errors in form.errors.values():
        for e in errors:
            messages.error(request, e)
    return redirect("development:entry", entry_id=entry.pk)


@never_cache
@require_GET
@scoped
def file_download(request: HttpRequest, file_id: int) -> FileResponse:
    f = selectors.file_get_for(request.scope, file_id)
    person = f.entry.record.person
    try:
        handle = f.file.open("rb")
    except FileNotFoundError as exc:  # e.g. restored without the media folder
        raise Http404(_("文件已不存在，请联系管理员从备份中恢复。")) from exc
    audit_event(
        actor=request.user,
        action=AuditAction.EXPORT,
        subject=f"发展党员材料：{person.name}（{f.title}）",
        detail={"file_id": f.pk, "entry_id": f.entry_id, "person_id": person.pk},
        ip=request.META.get("REMOTE_ADDR"),
    )
    return FileResponse(
        handle,
        as_attachment=True,
        filename=f.file.name.rsplit("/", 1)[-1] if not f.title else _download_name(f),
        content_type="application/octet-stream",
    )


def _download_name(f) -> str:
    ext = f.file.name.rsplit(".", 1)[-1] if "." in f.file.name else ""
    return f"{f.title}.{ext}" if ext and not f.title.endswith(f".{ext}") else f.title
