"""Meeting pages: where the user starts, an organization's meetings, one meeting and the
forms that plan, notify, record and approve it, the host's sign-in screen and the member's
sign-in, leave and own meetings.

Thin: read the scope, call a selector or a service, render. Outside the scope is a 404
(``core.web.scoped``); a ``DomainError`` is shown beside the field it names and nothing is
written.
"""

from __future__ import annotations

import mimetypes

import segno
from django.contrib import messages
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dangwu.core.clock import today
from dangwu.core.errors import DomainError, NotFound
from dangwu.core.scope import Perm
from dangwu.core.web import SERVICE_ERRORS, paginate, scoped, show_domain_error
from dangwu.meetings import selectors
from dangwu.meetings.choices import FileKind, MeetingKind, MeetingStatus
from dangwu.meetings.forms import (
    AttendanceForm,
    CancelForm,
    FileForm,
    LeaveDecideForm,
    LeaveRequestForm,
    MeetingFilterForm,
    MeetingForm,
    MinutesForm,
    NoticeForm,
    ResolutionForm,
    meeting_initial,
)
from dangwu.meetings.services import attendance
from dangwu.meetings.services import meetings as services

GET_POST = require_http_methods(["GET", "POST"])


def _detail(m):
    return redirect("meetings:detail", pk=m.pk)


def _ctx(m, **extra) -> dict:
    return {"m": m, "org": m.organization, **extra}


# --- where the user starts ----------------------------------------------------------------------


@require_GET
@scoped
def meetings_home(request):
    """The branches and groups in the user's scope with this month's meetings; a member
    without a role goes to their own meetings."""
    scope = request.scope
    if not scope.has_roles:
        return redirect("meetings:mine")
    on = today()
    page_obj, query = paginate(request, selectors.meeting_orgs(scope))
    orgs = list(page_obj.object_list)
    by_org = selectors.month_meetings(orgs, on)
    context = {
        "rows": [(o, by_org.get(o.pk, [])) for o in orgs],
        "overseen": selectors.overseen_orgs(scope),
        "month": on,
        "page_obj": page_obj,
        "query": query,
    }
    return render(request, "meetings/home.html", context)


@require_GET
@scoped
def my_meetings(request):
    mine = selectors.my_meetings(request.scope, today=today())
    return render(request, "meetings/mine.html", {"mine": mine})


# --- an organization's meetings -----------------------------------------------------------------


@require_GET
@scoped
def meeting_list(request, org_id: int):
    scope = request.scope
    org = selectors.org_get_for(scope, org_id)
    form = MeetingFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    if form.is_bound and not form.is_valid():
        messages.warning(request, _("筛选条件有误，已显示全部会议。"))
    page_obj, query = paginate(request, selectors.meeting_list(scope, org, filters))
    context = {
        "org": org,
        "form": form,
        "page_obj": page_obj,
        "query": query,
        "can_life": scope.covers(org.path, Perm.LIFE),
    }
    return render(request, "meetings/meeting_list.html", context)


def _meeting_form(org, data=None, initial=None):
    return MeetingForm(
        data,
        initial=initial,
        kinds=selectors.kinds_for(org),
        people=selectors.roster(org),
    )


@GET_POST
@scoped
def meeting_create(request, org_id: int):
    org = selectors.org_get_for(request.scope, org_id, Perm.LIFE)
    kind = request.GET.get("kind", "")
    initial = {"date": today(), "kind": kind if kind in MeetingKind.values else ""}
    form = _meeting_form(org, request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            m = services.meeting_create(
                actor=request.user, organization=org, fields=form.meeting_fields(), today=today()
            )
        except SERVICE_ERRORS as exc:
            show_domain_error(form, exc)
        else:
            messages.success(request, _("会议已登记，应到人员名单已生成。"))
            return _detail(m)
    return render(request, "meetings/meeting_form.html", {"org": org, "form": form, "m": None})


@GET_POST
@scoped
def meeting_edit(request, pk: int):
    m = selectors.meeting_get_for(request.scope, pk, Perm.LIFE)
    form = _meeting_form(m.organization, request.POST or None, initial=meeting_initial(m))
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_update(
                actor=request.user, meeting=m, fields=form.meeting_fields(), today=today()
            )
        except SERVICE_ERRORS as exc:
            show_domain_error(form, exc)
        else:
            messages.success(request, _("会议信息已保存。"))
            return _detail(m)
    return render(request, "meetings/meeting_form.html", _ctx(m, form=form))


# --- one meeting ---------------------------------------------------------------------------------


@require_GET
@scoped
def meeting_detail(request, pk: int):
    d = selectors.meeting_detail(request.scope, pk)
    m = d.meeting
    context = _ctx(
        m,
        d=d,
        decide_form=LeaveDecideForm(),
        is_planned=m.status == MeetingStatus.PLANNED,
        is_held=m.status == MeetingStatus.HELD,
        editable=not m.is_locked and m.status != MeetingStatus.CANCELLED,
        is_lecture=m.kind == MeetingKind.PARTY_LECTURE,
        photos=[f for f in d.files if f.kind == FileKind.PHOTO],
        documents=[f for f in d.files if f.kind != FileKind.PHOTO],
        can_leave=(
            d.mine is not None
            and m.status == MeetingStatus.PLANNED
            and d.mine.leave_state != "approved"
            and m.date >= today()
        ),
    )
    return render(request, "meetings/meeting_detail.html", context)


def _simple_post(
    request, pk: int, perm: Perm, form_class, template: str, call, done: str, *, initial=None
):
    """GET shows ``form_class``; POST calls ``call(meeting, cleaned_data)``; success → the
    detail page with ``done``; a refusal → the form again with the reason."""
    m = selectors.meeting_get_for(request.scope, pk, perm)
    form = form_class(request.POST or None, initial=initial(m) if initial else None)
    if request.method == "POST" and form.is_valid():
        try:
            call(m, form.cleaned_data)
        except SERVICE_ERRORS as exc:
            show_domain_error(form, exc)
        else:
            messages.success(request, done)
            return _detail(m)
    return render(request, template, _ctx(m, form=form))


@GET_POST
@scoped
def meeting_notice(request, pk: int):
    return _simple_post(
        request,
        pk,
        Perm.LIFE,
        NoticeForm,
        "meetings/meeting_notice.html",
        lambda m, d: services.meeting_notice(actor=request.user, meeting=m, notice=d["notice"]),
        _("会议通知已发出。"),
        initial=lambda m: {"notice": m.notice or services.notice_text(m)},
    )


@GET_POST
@scoped
def meeting_cancel(request, pk: int):
    return _simple_post(
        request,
        pk,
        Perm.LIFE,
        CancelForm,
        "meetings/meeting_cancel.html",
        lambda m, d: services.meeting_cancel(actor=request.user, meeting=m, reason=d["reason"]),
        _("会议已取消。"),
    )


@GET_POST
@scoped
def minutes_record(request, pk: int):
    return _simple_post(
        request,
        pk,
        Perm.LIFE,
        MinutesForm,
        "meetings/meeting_minutes.html",
        lambda m, d: services.minutes_record(
            actor=request.user, meeting=m, minutes=d["minutes"], today=today()
        ),
        _("会议记录已保存，会议已登记为已召开。"),
        initial=lambda m: {"minutes": m.minutes},
    )


@GET_POST
@scoped
def attendance_record(request, pk: int):
    m = selectors.meeting_get_for(request.scope, pk, Perm.LIFE)
    rows = selectors.attendance_rows(m)
    form = AttendanceForm(request.POST or None, rows=rows)
    if request.method == "POST" and form.is_valid():
        try:
            n = attendance.attendance_record(
                actor=request.user, meeting=m, statuses=form.statuses(), today=today()
            )
        except SERVICE_ERRORS as exc:
            show_domain_error(form, exc)
        else:
            messages.success(request, _("出席情况已保存（%(n)s人有变动）。") % {"n": n})
            return _detail(m)
    return render(request, "meetings/meeting_attendance.html", _ctx(m, form=form))


def _post_action(request, m, call, done: str):
    try:
        call()
    except SERVICE_ERRORS as exc:
        if isinstance(exc, NotFound):
            raise
        messages.error(request, exc.message if isinstance(exc, DomainError) else str(exc))
    else:
        messages.success(request, done)
    return _detail(m)


@require_POST
@scoped
def minutes_approve(request, pk: int):
    m = selectors.meeting_get_for(request.scope, pk, Perm.APPROVE)
    return _post_action(
        request,
        m,
        lambda: services.minutes_approve(actor=request.user, meeting=m),
        _("会议记录已审定，记录已锁定。"),
    )


@require_POST
@scoped
def leave_decide(request, attendance_id: int):
    a = selectors.attendance_get_for(request.scope, attendance_id, Perm.LIFE)
    form = LeaveDecideForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择批准或不批准。"))
        return _detail(a.meeting)
    approve = form.cleaned_data["decision"] == "approve"
    done = _("已批准%(name)s的请假。") if approve else _("已不批准%(name)s的请假。")
    return _post_action(
        request,
        a.meeting,
        lambda: attendance.leave_decide(actor=request.user, attendance=a, approve=approve),
        done % {"name": a.person.name},
    )


@GET_POST
@scoped
def resolution_add(request, pk: int):
    m = selectors.meeting_get_for(request.scope, pk, Perm.LIFE)
    form = ResolutionForm(request.POST or None, initial=selectors.vote_defaults(m))
    if request.method == "POST" and form.is_valid():
        try:
            r, findings = services.resolution_add(
                actor=request.user,
                meeting=m,
                text=form.cleaned_data["text"],
                votes=form.votes(),
                today=today(),
            )
        except SERVICE_ERRORS as exc:
            show_domain_error(form, exc, field_map={"votes": "in_favour"})
        else:
            verdict = _("通过") if r.passed else _("未通过")
            messages.success(request, _("决议%(n)s已登记：%(v)s。") % {"n": r.number, "v": verdict})
            for f in findings:
                messages.warning(request, f"{f.message}（{f.citation}）")
            return _detail(m)
    return render(request, "meetings/resolution_form.html", _ctx(m, form=form))


@GET_POST
@scoped
def file_upload(request, pk: int):
    m = selectors.meeting_get_for(request.scope, pk, Perm.LIFE)
    form = FileForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            f = services.file_upload(
                actor=request.user,
                meeting=m,
                upload=form.cleaned_data["upload"],
                kind=form.cleaned_data["kind"],
            )
        except SERVICE_ERRORS as exc:
            show_domain_error(form, exc)
        else:
            messages.success(request, _("已上传：%(name)s") % {"name": f.name})
            return _detail(m)
    context = _ctx(
        m,
        form=form,
        photo_types="、".join(sorted(services.PHOTO_TYPES)),
        document_types="、".join(sorted(services.DOCUMENT_TYPES)),
        photo_mb=services.MAX_PHOTO_BYTES // (1024 * 1024),
        document_mb=services.MAX_DOCUMENT_BYTES // (1024 * 1024),
    )
    return render(request, "meetings/meeting_file.html", context)


@require_GET
@scoped
def file_download(request, file_id: int):
    f = selectors.file_get_for(request.scope, file_id)
    content_type = mimetypes.guess_type(f.file.name)[0] or "application/octet-stream"
    # Photos show in the page; anything else is downloaded, never rendered by the browser.
    inline = f.kind == FileKind.PHOTO and content_type.startswith("image/")
    return FileResponse(
        f.file.open("rb"),
        as_attachment=not inline,
        filename=f.name,
        content_type=content_type,
    )


# --- sign-in ---------------------------------------------------------------------------------


def _qr_svg(url: str) -> str:
    """The link as an inline SVG QR code: presentation attributes only, no ``style``."""
    return segno.make(url, error="m").svg_inline(
        scale=6, dark="#000", light="#fff", omitsize=True, title=_("签到二维码")
    )


@GET_POST
@scoped
def signin_open(request, pk: int):
    """The host's screen: GET shows the current QR code and link; POST opens a new one."""
    m = selectors.meeting_get_for(request.scope, pk, Perm.LIFE)
    if request.method == "POST":
        try:
            m = attendance.signin_open(actor=request.user, meeting=m)
        except SERVICE_ERRORS as exc:
            messages.error(request, exc.message if isinstance(exc, DomainError) else str(exc))
            return _detail(m)
        return redirect("meetings:signin_open", pk=m.pk)
    active = bool(m.signin_token) and m.signin_expires_at and m.signin_expires_at > timezone.now()
    context = _ctx(m, active=active)
    if active:
        url = request.build_absolute_uri(reverse("meetings:signin", args=[m.signin_token]))
        d = selectors.meeting_detail(request.scope, pk)
        context.update(url=url, qr=_qr_svg(url), d=d)
    return render(request, "meetings/signin_screen.html", context)


@GET_POST
@scoped
def signin(request, token: str):
    """The member's page behind the QR code: GET asks to confirm, POST signs in."""
    m = selectors.signin_meeting(request.scope, token)
    context = {"m": m, "token": token, "error": "", "done": None}
    if request.method == "POST":
        try:
            context["done"] = attendance.signin(actor=request.user, token=token)
        except SERVICE_ERRORS as exc:
            context["error"] = exc.message if isinstance(exc, DomainError) else str(exc)
    elif m is None:
        context["error"] = _("签到链接无效或已被更换，请扫描主持人屏幕上最新的二维码。")
    elif m.signin_expires_at is None or m.signin_expires_at <= timezone.now():
        context["error"] = _("签到已截止，请联系会议记录人登记出席。")
    status = 400 if context["error"] else 200
    return render(request, "meetings/signin.html", context, status=status)


# --- leave ---------------------------------------------------------------------------------


@GET_POST
@scoped
def leave_request(request, pk: int):
    a = selectors.my_attendance(request.scope, pk)
    m = a.meeting
    form = LeaveRequestForm(request.POST or None, initial={"reason": a.leave_reason})
    if request.method == "POST" and form.is_valid():
        try:
            attendance.leave_request(
                actor=request.user, meeting=m, reason=form.cleaned_data["reason"]
            )
        except SERVICE_ERRORS as exc:
            show_domain_error(form, exc)
        else:
            messages.success(request, _("请假申请已提交，等待审批。"))
            return redirect("meetings:mine")
    return render(request, "meetings/leave_request.html", _ctx(m, form=form, a=a))


@GET_POST
@scoped
def leave_record(request, attendance_id: int):
    """The organizer records a leave the member asked for in person (approved at once)."""
    a = selectors.attendance_get_for(request.scope, attendance_id, Perm.LIFE)
    m = a.meeting
    form = LeaveRequestForm(request.POST or None, initial={"reason": a.leave_reason})
    if request.method == "POST" and form.is_valid():
        try:
            attendance.leave_record(
                actor=request.user, attendance=a, reason=form.cleaned_data["reason"]
            )
        except SERVICE_ERRORS as exc:
            show_domain_error(form, exc)
        else:
            messages.success(
                request, _("已为%(name)s登记请假（已批准）。") % {"name": a.person.name}
            )
            return _detail(m)
    return render(request, "meetings/leave_record.html", _ctx(m, form=form, a=a))
