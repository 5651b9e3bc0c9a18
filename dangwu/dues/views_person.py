"""A member's dues: what they owe and paid, their base, arrears, and the forms about them
(a payment, voluntary dues, the base, quarterly consent, an arrears case, a reversal).

Thin: read the scope, call a selector or a service, render. Anything outside the scope is a
404 (``core.web.scoped``). Which forms a page shows mirrors what the services allow; the
services still decide, and a ``DomainError`` is shown beside the field it names with nothing
written. Every successful POST redirects back with a message (POST/redirect/GET).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from dangwu.core import clock
from dangwu.core.errors import DomainError, NotFound
from dangwu.core.findings import Finding, Severity
from dangwu.core.scope import Perm, Scope
from dangwu.core.web import SERVICE_ERRORS, scoped, show_domain_error
from dangwu.dues import selectors, services
from dangwu.dues.forms_person import (
    BaseForm,
    PaymentForm,
    QuarterlyForm,
    ReverseForm,
    VoluntaryForm,
    default_through,
    month_value,
    through_options,
)
from dangwu.dues.ledger import month_start, months_between, zh_month
from dangwu.dues.models import EntryKind, LedgerEntry, PaidBy
from dangwu.members.models import Person

GET_POST = require_http_methods(["GET", "POST"])
BRIEF_TARGET = "dues-brief"  # the member page loads its dues section from here (htmx)


# --- who may do what ------------------------------------------------------------------------


@dataclass(frozen=True)
class Access:
    """The forms a viewer is shown. ``self_service``: the member themself without a
    collector's role — they pay their own dues online and see no other form."""

    can_edit: bool  # base, quarterly consent, arrears case, reversals
    can_collect: bool  # payments and voluntary dues
    self_service: bool
    own: bool


def _access(scope: Scope, person: Person) -> Access:
    path = person.branch.path
    can_edit = scope.covers(path, Perm.EDIT)
    collector = (
        can_edit
        or scope.covers(path, Perm.DUES)
        or (person.group is not None and scope.covers(person.group.path, Perm.DUES))
    )
    own = scope.person_id is not None and scope.person_id == person.pk
    return Access(can_edit, collector or own, own and not collector, own)


def _person_url(request, person: Person) -> str:
    if request.scope.person_id == person.pk:
        return reverse("dues:me")
    return reverse("dues:person", args=[person.pk])


def _back(request, person: Person, anchor: str = ""):
    return redirect(_person_url(request, person) + (f"#{anchor}" if anchor else ""))


def _finding_messages(request, findings: list[Finding]) -> None:
    for f in findings:
        text = f"{f.message}（{f.citation}）" if f.citation else f.message
        if f.severity == Severity.INFO:
            messages.info(request, text)
        else:
            messages.warning(request, text)


# --- the page -------------------------------------------------------------------------------


@dataclass(frozen=True)
class LedgerRow:
    entry: LedgerEntry
    reversal: LedgerEntry | None  # the line that reversed this one
    can_reverse: bool


def _ledger_rows(entries: list[LedgerEntry], can_edit: bool) -> list[LedgerRow]:
    reversals = {e.reverses_id: e for e in entries if e.reverses_id is not None}
    return [
        LedgerRow(
            entry=e,
            reversal=reversals.get(e.pk),
            can_reverse=can_edit and e.reverses_id is None and e.pk not in reversals,
        )
        for e in entries
    ]


def _collect_initial(on: dt.date, **extra) -> dict:
    return {"paid_on": on, "key": services.new_key(), **extra}


def _render_page(
    request,
    person_id: int,
    *,
    pay_form: PaymentForm | None = None,
    voluntary_form: VoluntaryForm | None = None,
    quarterly_form: QuarterlyForm | None = None,
):
    on = clock.today()
    pd = selectors.person_dues(request.scope, person_id, today=on)
    access = _access(request.scope, pd.person)
    if request.htmx and request.htmx.target == BRIEF_TARGET:
        response = render(request, "dues/_person_brief.html", {"pd": pd, "access": access})
        patch_vary_headers(response, ["HX-Request", "HX-Target"])
        return response
    options = through_options(pd, on) if access.can_collect else []
    labels = [(month_value(o.month), o.label) for o in options]
    if access.can_collect:
        if pay_form is None and options:
            initial = _collect_initial(on, through_month=default_through(options))
            pay_form = PaymentForm(initial=initial, self_service=access.self_service)
        if pay_form is not None:
            pay_form.set_options(labels)
        voluntary_form = voluntary_form or VoluntaryForm(
            initial=_collect_initial(on), self_service=access.self_service
        )
    if access.can_edit:
        quarterly_form = quarterly_form or QuarterlyForm(
            initial={"consent_on": on, "action": "consent"}
        )
    context = {
        "pd": pd,
        "person": pd.person,
        "access": access,
        "on": on,
        "this_month": month_start(on),
        "rows": _ledger_rows(pd.entries, access.can_edit),
        "pay_form": pay_form if access.can_collect else None,
        "voluntary_form": voluntary_form if access.can_collect else None,
        "quarterly_form": quarterly_form if access.can_edit else None,
        "can_open_case": access.can_edit
        and pd.open_case is None
        and any(f.is_error for f in pd.findings),
        "warn": services.dues_settings().arrears_warning_months,
    }
    response = render(request, "dues/person_dues.html", context)
    patch_vary_headers(response, ["HX-Request", "HX-Target"])
    return response


@require_GET
@scoped
def my_dues(request):
    """The signed-in user's own dues; a friendly page when no member record is linked."""
    person_id = request.user.person_id
    if person_id is None:
        return render(request, "dues/person_unlinked.html")
    return _render_page(request, person_id)


@require_GET
@scoped
def person_dues(request, person_id: int):
    return _render_page(request, person_id)


def _person_for(request, person_id: int, *, edit: bool = False) -> tuple[Person, Access]:
    """The person, when the viewer may collect their dues (or, ``edit``, change them)."""
    person = selectors.person_get_for(request.scope, person_id)
    access = _access(request.scope, person)
    if not (access.can_edit if edit else access.can_collect):
        raise NotFound()
    return person, access


# --- payments ---------------------------------------------------------------------------------


@GET_POST
@scoped
def payment_record(request, person_id: int):
    person, access = _person_for(request, person_id)
    if request.method == "GET":
        return _back(request, person, "pay")
    on = clock.today()
    form = PaymentForm(request.POST, self_service=access.self_service)
    if form.is_valid():
        data = form.cleaned_data
        try:
            result = services.payment_record(
                actor=request.user,
                person=person,
                through_month=data["through_month"],
                method=data["method"],
                paid_by=data.get("paid_by") or PaidBy.MEMBER,
                paid_on=data.get("paid_on") or on,
                idempotency_key=data["key"],
                note=data["note"],
                today=on,
            )
        except SERVICE_ERRORS as exc:
            show_domain_error(form, exc)
        else:
            n, total = len(result.entries), result.total
            if result.repeated:
                messages.info(
                    request,
                    _("该笔缴费此前已登记（%(t)s元，%(n)s个月），未重复记账。")
                    % {"t": total, "n": n},
                )
            else:
                messages.success(
                    request,
                    _("已登记%(name)s交纳党费%(t)s元（%(n)s个月，交至%(m)s）。")
                    % {"name": person.name, "t": total, "n": n, "m": zh_month(max(result.months))},
                )
                _finding_messages(request, result.findings)
            return _back(request, person)
    return _render_page(request, person.pk, pay_form=form)


@GET_POST
@scoped
def voluntary_record(request, person_id: int):
    person, access = _person_for(request, person_id)
    if request.method == "GET":
        return _back(request, person, "voluntary")
    on = clock.today()
    form = VoluntaryForm(request.POST, self_service=access.self_service)
    if form.is_valid():
        data = form.cleaned_data
        try:
            result = services.voluntary_record(
                actor=request.user,
                person=person,
                amount=data["amount"],
                method=data["method"],
                paid_on=data.get("paid_on") or on,
                idempotency_key=data["key"],
                note=data["note"],
                today=on,
            )
        except SERVICE_ERRORS as exc:
            show_domain_error(form, exc)
        else:
            if result.repeated:
                messages.info(
                    request,
                    _("该笔自愿多交党费此前已登记（%(t)s元），未重复记账。") % {"t": result.total},
                )
            else:
                messages.success(
                    request,
                    _("已登记%(name)s自愿多交党费%(t)s元。")
                    % {"name": person.name, "t": result.total},
                )
                _finding_messages(request, result.findings)
            return _back(request, person)
    return _render_page(request, person.pk, voluntary_form=form)


# --- the base -----------------------------------------------------------------------------


def _base_months(on: dt.date) -> list[dt.date]:
    """Effective months offered: January of last year to December of next year."""
    return months_between(dt.date(on.year - 1, 1, 1), dt.date(on.year + 1, 12, 1))


def _base_initial(pd: selectors.PersonDues, on: dt.date) -> dict:
    current = pd.current_base
    if current is None:
        return {
            "effective_month": month_value(month_start(on)),
            "category": pd.person.dues_category,
        }
    change = services.dues_settings().base_change_month
    return {
        "effective_month": month_value(dt.date(on.year + 1, change, 1)),
        "category": current.category,
        "base": current.base if current.base is not None else "",
        "fixed_amount": current.fixed_amount if current.fixed_amount is not None else "",
    }


@GET_POST
@scoped
def base_set(request, person_id: int):
    person = _person_for(request, person_id, edit=True)[0]
    on = clock.today()
    pd = selectors.person_dues(request.scope, person.pk, today=on)
    form = BaseForm(request.POST or None, months=_base_months(on), initial=_base_initial(pd, on))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            row = services.base_set(
                actor=request.user,
                person=person,
                effective_month=data["effective_month"],
                category=data["category"],
                base=data["base"],
                fixed_amount=data["fixed_amount"],
                reduced_amount=data["reduced_amount"],
                hardship_reason=data["hardship_reason"],
                hardship_discussed_on=data["hardship_discussed_on"],
                hardship_approved_on=data["hardship_approved_on"],
                hardship_approval=data["hardship_approval"],
                evidence=data["evidence"],
                change_reason=data["change_reason"],
                today=on,
            )
        except SERVICE_ERRORS as exc:
            show_domain_error(form, exc)
        else:
            text = _("已核定%(name)s自%(m)s起的党费：每月应交%(a)s元（%(code)s）。") % {
                "name": person.name,
                "m": zh_month(row.effective_month),
                "a": row.amount,
                "code": row.rule_code,
            }
            if row.is_reduced:
                text += _("按规定应交%(s)s元，经批准减免。") % {"s": row.standard_amount}
            messages.success(request, text)
            return _back(request, person, "base")
    context = {
        "pd": pd,
        "person": person,
        "form": form,
        "change_month": services.dues_settings().base_change_month,
    }
    return render(request, "dues/person_base.html", context)


# --- quarterly consent, arrears case ----------------------------------------------------------


@GET_POST
@scoped
def quarterly_consent(request, person_id: int):
    person = _person_for(request, person_id, edit=True)[0]
    if request.method == "GET":
        return _back(request, person, "quarterly")
    on = clock.today()
    form = QuarterlyForm(request.POST)
    if form.is_valid():
        withdraw = form.cleaned_data["action"] == "withdraw"
        try:
            services.quarterly_consent_set(
                actor=request.user,
                person=person,
                consent_on=None if withdraw else form.cleaned_data["consent_on"],
                today=on,
            )
        except SERVICE_ERRORS as exc:
            show_domain_error(form, exc)
        else:
            if withdraw:
                text = _("已取消%(name)s按季度交纳党费，此后按月交纳。") % {"name": person.name}
            else:
                text = _("已登记党支部同意%(name)s按季度交纳党费（%(d)s）。") % {
                    "name": person.name,
                    "d": f"{form.cleaned_data['consent_on']:%Y-%m-%d}",
                }
            messages.success(request, text)
            return _back(request, person, "quarterly")
    return _render_page(request, person.pk, quarterly_form=form)


@GET_POST
@scoped
def arrears_open(request, person_id: int):
    """Open the handling of six consecutive unpaid months (DUES-ARREARS-6). Also posted
    from the organization's arrears page, which names where to return (``next``)."""
    person = _person_for(request, person_id, edit=True)[0]
    if request.method == "POST":
        try:
            case = services.arrears_case_open(
                actor=request.user, person=person, today=clock.today()
            )
        except DomainError as exc:
            if isinstance(exc, NotFound):
                raise
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                _("已对%(name)s连续%(n)s个月未交党费立案处置，请由党支部查明情况后办结。")
                % {"name": person.name, "n": case.months},
            )
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return _back(request, person, "arrears")


# --- reversing a ledger line --------------------------------------------------------------


def _entry_in_scope(request, entry_id: int) -> tuple[selectors.PersonDues, LedgerEntry]:
    """The line and its person's dues, through the scoped selector. Only the person's id is
    read directly; a line of someone outside the scope answers 404 like a missing one."""
    person_id = LedgerEntry.objects.filter(pk=entry_id).values_list("person_id", flat=True).first()
    if person_id is None:
        raise NotFound()
    pd = selectors.person_dues(request.scope, person_id, today=clock.today())
    entry = next((e for e in pd.entries if e.pk == entry_id), None)
    if entry is None or not _access(request.scope, pd.person).can_edit:
        raise NotFound()
    return pd, entry


def _batch_lines(pd: selectors.PersonDues, entry: LedgerEntry) -> list[LedgerEntry]:
    """The lines a reversal writes against: a payment is reversed with its whole batch."""
    if entry.kind != EntryKind.PAYMENT or not entry.batch:
        return [entry]
    reversed_ids = {e.reverses_id for e in pd.entries if e.reverses_id is not None}
    lines = [
        e
        for e in pd.entries
        if e.batch == entry.batch and e.reverses_id is None and e.pk not in reversed_ids
    ]
    return sorted(lines, key=lambda e: e.month)


@GET_POST
@scoped
def entry_reverse(request, entry_id: int):
    pd, entry = _entry_in_scope(request, entry_id)
    person = pd.person
    if entry.reverses_id is not None:
        messages.error(request, _("冲销记录本身不能再冲销。"))
        return _back(request, person, "ledger")
    if any(e.reverses_id == entry.pk for e in pd.entries):
        messages.info(request, _("该记录已冲销。"))
        return _back(request, person, "ledger")
    can_reassess = entry.kind == EntryKind.ASSESSMENT
    form = ReverseForm(request.POST or None, can_reassess=can_reassess)
    if request.method == "POST" and form.is_valid():
        try:
            written = services.entry_reverse(
                actor=request.user,
                entry=entry,
                reason=form.cleaned_data["reason"],
                reassess=form.cleaned_data.get("reassess", False),
                today=clock.today(),
            )
        except SERVICE_ERRORS as exc:
            if isinstance(exc, DomainError) and exc.code == "DUPLICATE":
                messages.info(request, exc.message)
                return _back(request, person, "ledger")
            show_domain_error(form, exc)
        else:
            reversed_n = sum(1 for w in written if w.reverses_id is not None)
            again = len(written) - reversed_n
            text = _("已冲销%(n)s条记录。") % {"n": reversed_n}
            if again:
                text += _("已按现行缴费基数重新核算%(n)s个月的应缴党费。") % {"n": again}
            messages.success(request, text)
            return _back(request, person, "ledger")
    context = {
        "pd": pd,
        "person": person,
        "entry": entry,
        "lines": _batch_lines(pd, entry),
        "form": form,
    }
    return render(request, "dues/person_reverse.html", context)
