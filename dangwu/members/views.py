"""The member pages: list, record, history, forms and transfers.

Thin: read the scope, call a selector or a service, render. Anything outside the scope is a
404 (``core.web.scoped``); any other ``DomainError`` is shown beside the field it names.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dangwu.core.audit import audit_event
from dangwu.core.clock import today
from dangwu.core.errors import DomainError, NotFound
from dangwu.core.models import AuditAction
from dangwu.core.scope import Perm, Scope
from dangwu.core.web import paginate, scoped, show_domain_error
from dangwu.members import forms, rules, selectors, services
from dangwu.members.choices import MEMBER_STATUSES
from dangwu.members.models import Transfer, TransferKind, TransferStatus
from dangwu.orgs import selectors as org_selectors
from dangwu.orgs.choices import OrgKind
from dangwu.orgs.models import Organization

GET_POST = require_http_methods(["GET", "POST"])


def _can_edit_somewhere(scope: Scope) -> bool:
    return scope.is_superuser or bool(scope.paths(Perm.EDIT))


def _placement(scope: Scope):
    """Branches and groups the user may put a person in; 404 when there are none."""
    branches = list(org_selectors.organizations_for_select(scope, kind=OrgKind.BRANCH))
    if not branches:
        raise Http404
    groups = org_selectors.organizations_for_select(scope, kind=OrgKind.PARTY_GROUP)
    return branches, list(groups)


def _partial(request, template: str, partial: str, target: str) -> str:
    """The partial when htmx asks for exactly that part of the page, else the page."""
    if request.htmx and request.htmx.target == target:
        return f"{template}#{partial}"
    return template


# --- list and record ----------------------------------------------------------------------


@require_GET
@scoped
def person_list(request):
    scope = request.scope
    form = forms.PersonSearchForm(request.GET, orgs=_filter_orgs(scope, request.GET.get("org")))
    people = selectors.person_list(scope, **form.filters())
    page, query = paginate(request, people)
    context = {
        "form": form,
        "page_obj": page,
        "query": query,
        "can_create": _can_edit_somewhere(scope),
    }
    template = _partial(request, "members/person_list.html", "results", "results")
    return render(request, template, context)


FILTER_ORGS_MAX = 300


def _filter_orgs(scope, requested: str | None) -> list:
    """The organization filter offers the top two levels of the scope and the chosen one.

    Listing the whole tree would put tens of thousands of options into every page.
    """
    roots = scope.paths() or ("",)
    top = min(len(p) for p in roots) // Organization.steplen or 1
    orgs = list(org_selectors.organization_list(scope).filter(depth__lte=top + 1)[:FILTER_ORGS_MAX])
    if requested and requested.isdigit() and all(str(o.pk) != requested for o in orgs):
        with contextlib.suppress(NotFound):
            orgs.append(org_selectors.organization_get_for(scope, int(requested)))
    return orgs


@require_GET
@scoped
def person_detail(request, pk: int):
    on = today()
    detail = selectors.person_detail(request.scope, pk, today=on)
    person = detail.person
    open_transfer = next((t for t in detail.transfers if t.status == TransferStatus.SENT), None)
    context = {
        "d": detail,
        "person": person,
        "age": rules.age_on(person.birth_date, on),
        "transfer_rows": _rows(request.scope, detail.transfers),
        "open_transfer": open_transfer,
        "can_transfer": detail.can_edit
        and person.is_active
        and person.status in MEMBER_STATUSES
        and open_transfer is None,
    }
    return render(request, "members/person_detail.html", context)


@require_GET
@scoped
def person_history(request, pk: int):
    person = selectors.person_get_for(request.scope, pk)
    entries = selectors.person_history_named(request.scope, pk)
    template = _partial(request, "members/person_history.html", "history", "history")
    return render(request, template, {"person": person, "entries": entries})


@never_cache
@require_POST
@scoped
def reveal_id(request, pk: int):
    person = selectors.person_get_for(request.scope, pk)
    number = services.person_id_reveal(
        actor=request.user, person=person, ip=request.META.get("REMOTE_ADDR")
    )
    context = {"person": person, "full_id": number}
    template = "members/_id_number.html" if request.htmx else "members/id_reveal.html"
    return render(request, template, context)


# --- forms about one person ---------------------------------------------------------------


@GET_POST
@scoped
def person_create(request):
    branches, groups = _placement(request.scope)
    form = forms.PersonCreateForm(
        request.POST or None,
        branches=branches,
        groups=groups,
        initial={"branch": request.GET.get("branch", "")},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            person = services.person_create(
                actor=request.user,
                branch=data["branch"],
                group=data["group"],
                status=data["status"],
                status_since=data["status_since"],
                joined_on=data["joined_on"],
                **form.person_data(),
            )
        except DomainError as error:
            show_domain_error(form, error)
        else:
            messages.success(request, _("已为%(name)s建档。") % {"name": person.name})
            return redirect("members:detail", pk=person.pk)
    return render(request, "members/person_create.html", {"form": form})


@GET_POST
@scoped
def person_edit(request, pk: int):
    person = selectors.person_get_for(request.scope, pk, perm=Perm.EDIT)
    fields = [f for f in forms.PersonFieldsForm.person_fields if f != "id_number"]
    form = forms.PersonEditForm(
        request.POST or None,
        initial={f: getattr(person, f) for f in fields},
        masked_id=person.masked_id_number,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.person_update(actor=request.user, person=person, **form.person_data())
        except DomainError as error:
            show_domain_error(form, error)
        else:
            messages.success(request, _("已保存。"))
            return redirect("members:detail", pk=person.pk)
    return render(request, "members/person_edit.html", {"form": form, "person": person})


@GET_POST
@scoped
def person_status(request, pk: int):
    person = selectors.person_get_for(request.scope, pk, perm=Perm.EDIT)
    form = forms.StatusChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.person_status_change(
                actor=request.user,
                person=person,
                status=data["status"],
                effective_on=data["effective_on"],
                reason=data["reason"],
                leave_kind=data["leave_kind"],
            )
        except DomainError as error:
            show_domain_error(form, error, field_map={"on": "effective_on"})
        else:
            messages.success(request, _("政治面貌已变更。"))
            return redirect("members:detail", pk=person.pk)
    return render(request, "members/person_status.html", {"form": form, "person": person})


@GET_POST
@scoped
def person_group(request, pk: int):
    scope = request.scope
    person = selectors.person_get_for(scope, pk, perm=Perm.EDIT)
    groups = org_selectors.organizations_for_select(scope, kind=OrgKind.PARTY_GROUP).filter(
        path__startswith=person.branch.path
    )
    form = forms.GroupAssignForm(
        request.POST or None, groups=groups, initial={"group": person.group_id or ""}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.person_group_assign(
                actor=request.user,
                person=person,
                group=form.cleaned_data["group"],
                on=form.cleaned_data["on"],
            )
        except DomainError as error:
            show_domain_error(form, error)
        else:
            messages.success(request, _("党小组已调整。"))
            return redirect("members:detail", pk=person.pk)
    return render(request, "members/person_group.html", {"form": form, "person": person})


# --- transfers ----------------------------------------------------------------------------


def _open_transfer(scope: Scope, person):
    return (
        selectors.transfer_list(scope, direction="outgoing", status=TransferStatus.SENT)
        .filter(person=person)
        .first()
    )


def _refuse_second_transfer(request, person):
    # The database allows one open transfer per person; say so before the form, not after.
    messages.error(request, _("该人员已有一份未完成的组织关系转接。"))
    return redirect("members:detail", pk=person.pk)


@GET_POST
@scoped
def transfer_send(request, pk: int):
    scope = request.scope
    person = selectors.person_get_for(scope, pk, perm=Perm.EDIT)
    if _open_transfer(scope, person):
        return _refuse_second_transfer(request, person)
    branches = selectors.transfer_destinations(scope, exclude=person.branch)
    form = forms.TransferSendForm(request.POST or None, branches=branches)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            transfer = services.transfer_send(
                actor=request.user,
                person=person,
                to_branch=data["to_branch"],
                issued_on=data["issued_on"],
                valid_days=data["valid_days"],
                reason=data["reason"],
            )
        except DomainError as error:
            show_domain_error(form, error)
        else:
            messages.success(
                request,
                _("已开具介绍信 %(no)s，%(name)s在对方接收前仍属本支部。")
                % {"no": transfer.letter_number, "name": person.name},
            )
            return redirect("members:detail", pk=person.pk)
    return render(request, "members/transfer_send.html", {"form": form, "person": person})


@GET_POST
@scoped
def transfer_out(request, pk: int):
    person = selectors.person_get_for(request.scope, pk, perm=Perm.EDIT)
    if _open_transfer(request.scope, person):
        return _refuse_second_transfer(request, person)
    form = forms.TransferOutForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            transfer = services.transfer_out(
                actor=request.user,
                person=person,
                destination=data["destination"],
                issued_on=data["issued_on"],
                valid_days=data["valid_days"],
                reason=data["reason"],
            )
        except DomainError as error:
            show_domain_error(form, error)
        else:
            messages.success(
                request,
                _("已开具介绍信 %(no)s，回执返回后确认转出。") % {"no": transfer.letter_number},
            )
            return redirect("members:detail", pk=person.pk)
    return render(request, "members/transfer_out.html", {"form": form, "person": person})


@GET_POST
@scoped
def transfer_in(request):
    branches, groups = _placement(request.scope)
    form = forms.TransferInForm(request.POST or None, branches=branches, groups=groups)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            person = services.transfer_in(
                actor=request.user,
                branch=data["branch"],
                group=data["group"],
                origin=data["origin"],
                letter_number=data["letter_number"],
                issued_on=data["issued_on"],
                received_on=data["received_on"],
                valid_days=data["valid_days"],
                status=data["status"],
                **form.person_data(),
            )
        except DomainError as error:
            show_domain_error(form, error)
        else:
            messages.success(request, _("已接收%(name)s的组织关系。") % {"name": person.name})
            return redirect("members:detail", pk=person.pk)
    return render(request, "members/transfer_in.html", {"form": form})


@dataclass(frozen=True)
class TransferRow:
    transfer: Transfer
    can_receive: bool
    can_cancel: bool


def _rows(scope: Scope, transfers) -> list[TransferRow]:
    # What the buttons offer mirrors what the services allow; the services still decide.
    rows = []
    for t in transfers:
        pending = t.status == TransferStatus.SENT
        side = t.to_branch if t.kind == TransferKind.INTERNAL else t.from_branch
        rows.append(
            TransferRow(
                transfer=t,
                can_receive=pending and side is not None and scope.covers(side.path, Perm.APPROVE),
                can_cancel=pending
                and t.from_branch is not None
                and scope.covers(t.from_branch.path, Perm.EDIT),
            )
        )
    return rows


@require_GET
@scoped
def transfers(request):
    scope = request.scope
    if not scope.has_roles:
        raise Http404
    incoming = _rows(scope, selectors.pending_incoming(scope))
    outgoing = _rows(
        scope, selectors.transfer_list(scope, direction="outgoing", status=TransferStatus.SENT)
    )
    done, query = paginate(
        request, selectors.transfer_list(scope).exclude(status=TransferStatus.SENT)
    )
    context = {
        "incoming": incoming,
        "outgoing": outgoing,
        "page_obj": done,
        "done_rows": _rows(scope, done.object_list),
        "query": query,
        "can_transfer_in": _can_edit_somewhere(scope),
    }
    return render(request, "members/transfers.html", context)


@require_POST
@scoped
def transfer_receive(request, pk: int):
    transfer = selectors.transfer_get_for(request.scope, pk)
    form = forms.ReceiveForm(request.POST)
    try:
        if not form.is_valid():
            raise DomainError(form.errors["received_on"][0])
        transfer = services.transfer_receive(
            actor=request.user, transfer=transfer, received_on=form.cleaned_data["received_on"]
        )
    except DomainError as error:
        if isinstance(error, NotFound):
            raise
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("已确认接收%(name)s的组织关系（%(no)s）。")
            % {"name": transfer.person.name, "no": transfer.letter_number},
        )
    return redirect("members:transfers")


@require_POST
@scoped
def transfer_cancel(request, pk: int):
    transfer = selectors.transfer_get_for(request.scope, pk)
    try:
        transfer = services.transfer_cancel(actor=request.user, transfer=transfer)
    except DomainError as error:
        if isinstance(error, NotFound):
            raise
        messages.error(request, error.message)
    else:
        messages.success(request, _("已撤销介绍信 %(no)s。") % {"no": transfer.letter_number})
    return redirect("members:transfers")


@never_cache
@require_GET
@scoped
def letter(request, pk: int):
    """The printable introduction letter; opening it to print is recorded (AuditAction.PRINT)."""
    letter = selectors.transfer_letter(request.scope, pk)
    audit_event(
        actor=request.user,
        action=AuditAction.PRINT,
        subject=f"transfer:{letter.transfer.pk}",
        detail={"letter_number": letter.transfer.letter_number, "person": letter.person.pk},
        ip=request.META.get("REMOTE_ADDR"),
    )
    back = reverse("members:transfers")
    return render(request, "members/letter.html", {"letter": letter, "back": back})
