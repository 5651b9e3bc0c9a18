"""Organization dues pages: where a user starts, the group leader's collection sheet, the
year summary, arrears, members without a base, and the POST handlers of the monthly run,
the hand-over and arrears decisions.

Thin: read the scope, call a selector or a service, render. Anything outside the scope is a
404 (``core.web.scoped``); a ``DomainError`` is shown beside the field it names, or — for
the sheet's "收取" button — inside the row that asked, and nothing is written.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import urlencode

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET, require_http_methods

from dangwu.core.clock import today
from dangwu.core.errors import DomainError, NotFound
from dangwu.core.findings import Finding
from dangwu.core.scope import Perm, Scope
from dangwu.core.web import (
    FIRST_YEAR,
    SERVICE_ERRORS,
    paginate,
    scoped,
    show_domain_error,
    year_param,
)
from dangwu.dues import charts, selectors, services
from dangwu.dues.forms_org import (
    ArrearsDecideForm,
    AssessmentRunForm,
    RemittanceForm,
    SheetTickForm,
    month_options,
    month_value,
)
from dangwu.dues.ledger import month_start, parse_month, zh_month
from dangwu.dues.models import ArrearsCase, PaymentMethod
from dangwu.orgs import selectors as org_selectors
from dangwu.orgs.choices import OrgKind
from dangwu.orgs.models import Organization

GET_POST = require_http_methods(["GET", "POST"])
# Sheets of these kinds list everyone on one page; above a branch the people are paged.
WHOLE_SHEET_KINDS = {OrgKind.BRANCH, OrgKind.PARTY_GROUP}


# --- small helpers ----------------------------------------------------------------------------


def _can_collect(scope: Scope, org: Organization) -> bool:
    return scope.covers(org.path, Perm.DUES) or scope.covers(org.path, Perm.EDIT)


def _month_param(request, on: dt.date, what: str) -> dt.date:
    """``?month=`` among this month and the 12 before; anything else shows this month."""
    choices = selectors.month_choices(on)
    raw = request.GET.get("month", "").strip()
    if not raw:
        return choices[0]
    try:
        month = parse_month(raw)
    except ValueError as exc:
        messages.warning(request, f"{exc}已显示{zh_month(choices[0])}的{what}。")
        return choices[0]
    if month not in choices:
        messages.warning(
            request, f"只能查看本月及之前12个月的{what}，已显示{zh_month(choices[0])}。"
        )
        return choices[0]
    return month


TAB_TITLES = {
    "sheet": _lazy("党费收缴表"),
    "summary": _lazy("党费收缴汇总"),
    "arrears": _lazy("欠缴党费"),
    "unbased": _lazy("未核定缴费基数的党员"),
}


def _org_context(scope: Scope, org: Organization, tab: str) -> dict:
    return {
        "org": org,
        "tab": tab,
        "page_title": TAB_TITLES[tab],
        "is_group": org.kind == OrgKind.PARTY_GROUP,
        "can_edit": scope.covers(org.path, Perm.EDIT),
    }


# --- where the user works ------------------------------------------------------------------


@require_GET
@scoped
def dues_home(request):
    """A group leader → their group's sheet; a role → the summary of the highest role
    organization; a superuser → the first top-level organization; a member → their dues."""
    scope = request.scope
    if scope.grants:
        top = min(scope.grants, key=lambda g: (len(g.path), g.on_group, g.path))
        org = org_selectors.organization_list(scope).filter(path=top.path).first()
        if org is not None:
            if top.on_group or top.kind == "group_leader":
                return redirect("dues:sheet", org_id=org.pk)
            return redirect("dues:summary", org_id=org.pk)
    if scope.is_superuser:
        org = org_selectors.organization_list(scope).filter(depth=1).first()
        if org is not None:
            return redirect("dues:summary", org_id=org.pk)
        messages.info(request, _("尚未建立党组织。"))
        return redirect("home")
    return redirect("dues:me")


# --- the collection sheet ----------------------------------------------------------------


@dataclass
class SheetTotals:
    """The sheet's header figures. ``unpaid_count`` is ``None`` for a paged sheet, whose
    figures come from the ledger's subtree totals rather than from its rows."""

    members: int
    assessed_count: int
    assessed: Decimal
    paid_count: int
    collected: Decimal
    unpaid_count: int | None
    arrears: int

    @property
    def unpaid(self) -> Decimal:
        return self.assessed - self.collected

    @property
    def rate(self) -> Decimal | None:
        if not self.assessed:
            return None
        return (self.collected * 100 / self.assessed).quantize(Decimal("0.1"))


def _totals_of_rows(sheet: selectors.Sheet) -> SheetTotals:
    assessed = [r for r in sheet.rows if r.month_amount is not None]
    return SheetTotals(
        members=len(sheet.rows),
        assessed_count=len(assessed),
        assessed=sheet.assessed,
        paid_count=sum(1 for r in assessed if r.month_paid),
        collected=sheet.collected,
        unpaid_count=sheet.unpaid_count,
        arrears=sheet.arrears_count,
    )


def _totals_of_subtree(scope: Scope, org: Organization, month: dt.date, on) -> SheetTotals:
    summary = selectors.org_summary(scope, org.pk, year=month.year, today=on)
    f = summary.months[month.month - 1]
    return SheetTotals(
        members=summary.members,
        assessed_count=f.assessed_count,
        assessed=f.assessed,
        paid_count=f.paid_count,
        collected=f.paid,
        unpaid_count=None,
        arrears=summary.arrears_warning,
    )


@dataclass
class RowView:
    """One member's row and what the "收取" button would pay: every unpaid month up to
    the sheet's month (``through``), the amount and the count shown on the button."""

    row: selectors.SheetRow
    key: str = field(default_factory=services.new_key)
    note: str = ""
    error: str = ""
    findings: list[Finding] = field(default_factory=list)

    @property
    def through(self) -> dt.date | None:
        return self.row.unpaid[-1][0] if self.row.unpaid else None

    @property
    def through_value(self) -> str:
        return month_value(self.through) if self.through else ""


def _row_context(org, month, *, can_collect: bool, page) -> dict:
    return {
        "org": org,
        "month": month,
        "month_value": month_value(month),
        "can_collect": can_collect,
        "page_number": page,
        "methods": PaymentMethod.choices,
        "warn": services.dues_settings().arrears_warning_months,
    }


@GET_POST
@scoped
def collection_sheet(request, org_id: int):
    scope = request.scope
    on = today()
    org = selectors.dues_org_get(scope, org_id)
    if request.method == "POST":
        return _sheet_tick(request, org, on)
    month = _month_param(request, on, _("收缴表"))
    people = selectors.sheet_people(scope, org)
    page_obj, query = None, ""
    if org.kind not in WHOLE_SHEET_KINDS:
        page_obj, query = paginate(request, people)
        people = page_obj.object_list
    sheet = selectors.Sheet(
        organization=org, month=month, rows=selectors.rows_for(list(people), month, on)
    )
    totals = (
        _totals_of_rows(sheet) if page_obj is None else _totals_of_subtree(scope, org, month, on)
    )
    can_collect = _can_collect(scope, org)
    context = {
        **_org_context(scope, org, "sheet"),
        **_row_context(org, month, can_collect=can_collect, page=page_obj and page_obj.number),
        "rows": [RowView(r) for r in sheet.rows],
        "totals": totals,
        "page_obj": page_obj,
        "query": query,
        "month_options": month_options(selectors.month_choices(on)),
        "is_this_month": month == month_start(on),
    }
    return render(request, "dues/sheet.html", context)


def _sheet_tick(request, org: Organization, on: dt.date):
    """POST of a row's "收取": record the payment, then answer with that row (htmx) or
    redirect back to the sheet with a message (a plain form post)."""
    scope = request.scope
    if not _can_collect(scope, org):
        raise NotFound()
    raw_person = request.POST.get("person", "")
    person = (
        selectors.sheet_people(scope, org).filter(pk=raw_person).first()
        if raw_person.isdigit()
        else None
    )
    if person is None:
        raise NotFound()
    form = SheetTickForm(request.POST)
    valid = form.is_valid()
    choices = selectors.month_choices(on)
    month = form.cleaned_data.get("month") if valid else None
    month = month if month in choices else choices[0]
    page = form.cleaned_data.get("page") if valid else None
    note, error, findings = "", "", []
    if not valid:
        error = next(iter(form.errors.values()))[0]
    else:
        data = form.cleaned_data
        try:
            result = services.payment_record(
                actor=request.user,
                person=person,
                through_month=data["through"],
                method=data["method"],
                idempotency_key=data["key"],
                today=on,
            )
        except DomainError as exc:
            if isinstance(exc, NotFound):
                raise
            error = exc.message
        else:
            findings = result.findings
            n, total = len(result.entries), result.total
            if result.repeated:
                note = f"该笔缴费此前已登记（{total}元，{n}个月），未重复记账。"
            else:
                note = f"已收取{person.name}党费{total}元（{n}个月）。"
    if request.htmx:
        [row] = selectors.rows_for([person], month, on)
        context = {
            **_row_context(org, month, can_collect=True, page=page),
            "r": RowView(row, note=note, error=error, findings=findings),
        }
        return render(request, "dues/_sheet_row.html", context)
    if error:
        messages.error(request, f"{person.name}：{error}")
    else:
        messages.success(request, note)
        for f in findings:
            messages.warning(request, f"{f.message}（{f.citation}）")
    params = {"month": month_value(month)}
    if page:
        params["page"] = page
    return redirect(f"{reverse('dues:sheet', args=[org.pk])}?{urlencode(params)}")


# --- the year summary, the monthly run and the hand-over --------------------------------


def _render_summary(request, org: Organization, *, run_form=None, remit_form=None):
    scope = request.scope
    on = today()
    year = year_param(request, on)
    summary = selectors.org_summary(scope, org.pk, year=year, today=on)
    months = selectors.month_choices(on)
    context = {
        **_org_context(scope, org, "summary"),
        "s": summary,
        "total": summary.total,
        "year": year,
        "years": sorted({year, *range(max(FIRST_YEAR, on.year - 5), on.year + 1)}, reverse=True),
        "chart": charts.month_bars(summary.months),
        "run_form": run_form or AssessmentRunForm(months=months),
        "remit_form": remit_form
        or RemittanceForm(initial={"handed_on": on, "key": services.new_key()}),
        "unbased_count": selectors.unbased_members(scope, org.pk, month=on).count(),
        "warn": services.dues_settings().arrears_warning_months,
    }
    return render(request, "dues/org_summary.html", context)


@require_GET
@scoped
def org_summary(request, org_id: int):
    org = selectors.dues_org_get(request.scope, org_id)
    if org.kind == OrgKind.PARTY_GROUP:
        # A group's dues are its branch's books; the group leader works on the sheet.
        return redirect("dues:sheet", org_id=org.pk)
    return _render_summary(request, org)


def _editable(request, org_id: int) -> Organization:
    org = selectors.dues_org_get(request.scope, org_id)
    request.scope.require(org.path, Perm.EDIT)
    return org


@GET_POST
@scoped
def assessment_run(request, org_id: int):
    org = _editable(request, org_id)
    if request.method == "GET":
        return redirect("dues:summary", org_id=org.pk)
    on = today()
    form = AssessmentRunForm(request.POST, months=selectors.month_choices(on))
    if form.is_valid():
        month = form.cleaned_data["month"]
        try:
            run = services.assessment_run(
                actor=request.user, organization=org, month=month, today=on
            )
        except SERVICE_ERRORS as exc:
            show_domain_error(form, exc)
        else:
            label = _("本月") if month == month_start(on) else zh_month(month)
            if run.created:
                text = f"已生成{zh_month(month)}应缴党费：新增{run.created}条，合计{run.amount}元。"
            else:
                text = f"{label}应缴已全部生成，未新增记录。"
            missing = selectors.unbased_members(request.scope, org.pk, month=month).count()
            if missing:
                text += f"另有{missing}名党员未核定缴费基数，未能生成。"
            messages.success(request, text)
            return redirect("dues:summary", org_id=org.pk)
    return _render_summary(request, org, run_form=form)


@GET_POST
@scoped
def remittance_record(request, org_id: int):
    org = _editable(request, org_id)
    if request.method == "GET":
        return redirect("dues:summary", org_id=org.pk)
    form = RemittanceForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            row = services.remittance_record(
                actor=request.user,
                organization=org,
                handed_on=data["handed_on"],
                received_by=data["received_by"],
                note=data["note"],
                idempotency_key=data["key"],
                today=today(),
            )
        except SERVICE_ERRORS as exc:
            show_domain_error(form, exc)
        else:
            text = f"已登记上缴党费{row.amount}元（{row.handed_on:%Y-%m-%d}）。"
            if row.voluntary_remit_amount:
                text += f"其中{row.voluntary_remit_amount}元为须全额上缴中央的自愿多交党费。"
            messages.success(request, text)
            return redirect("dues:summary", org_id=org.pk)
    return _render_summary(request, org, remit_form=form)


# --- arrears ---------------------------------------------------------------------------------


@dataclass
class ArrearsItem:
    row: selectors.ArrearsRow
    form: ArrearsDecideForm | None

    @property
    def can_open(self) -> bool:
        return self.row.open_case is None and any(f.is_error for f in self.row.findings)


def _decide_form(case: ArrearsCase, org: Organization, on: dt.date, data=None):
    return ArrearsDecideForm(
        data,
        initial={"decided_on": on, "org": org.pk},
        auto_id=f"id_case{case.pk}_%s",
    )


def _render_arrears(request, org: Organization, *, bound: tuple[int, ArrearsDecideForm] | None):
    scope = request.scope
    on = today()
    rows = selectors.arrears_list(scope, org.pk, today=on)
    ctx = _org_context(scope, org, "arrears")
    items = []
    for row in rows:
        form = None
        if row.open_case is not None and ctx["can_edit"]:
            if bound and bound[0] == row.open_case.pk:
                form = bound[1]
            else:
                form = _decide_form(row.open_case, org, on)
        items.append(ArrearsItem(row=row, form=form))
    if bound and not any(i.form is bound[1] for i in items):
        for error in bound[1].errors.values():
            messages.error(request, error[0])
    ctx.update(items=items, warn=services.dues_settings().arrears_warning_months)
    return render(request, "dues/org_arrears.html", ctx)


@require_GET
@scoped
def arrears(request, org_id: int):
    org = selectors.dues_org_get(request.scope, org_id)
    return _render_arrears(request, org, bound=None)


@GET_POST
@scoped
def arrears_decide(request, case_id: int):
    scope = request.scope
    case = selectors.arrears_case_get_for(scope, case_id)
    raw_org = request.POST.get("org", "")
    org_id = int(raw_org) if raw_org.isdigit() else case.person.branch_id
    org = selectors.dues_org_get(scope, org_id)
    if request.method == "GET":
        return redirect("dues:arrears", org_id=org.pk)
    on = today()
    form = _decide_form(case, org, on, data=request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            case = services.arrears_case_decide(
                actor=request.user,
                case=case,
                resolution=data["resolution"],
                reason=data["reason"],
                approved_by=data["approved_by"],
                decided_on=data["decided_on"],
                today=on,
            )
        except SERVICE_ERRORS as exc:
            show_domain_error(form, exc)
        else:
            messages.success(
                request,
                f"{case.person.name}的欠缴党费处置已办结：{case.get_resolution_display()}。",
            )
            return redirect("dues:arrears", org_id=org.pk)
    return _render_arrears(request, org, bound=(case.pk, form))


# --- members without a base ------------------------------------------------------------------


@require_GET
@scoped
def unbased(request, org_id: int):
    scope = request.scope
    on = today()
    org = selectors.dues_org_get(scope, org_id)
    month = _month_param(request, on, _("名单"))
    page_obj, query = paginate(request, selectors.unbased_members(scope, org.pk, month=month))
    context = {
        **_org_context(scope, org, "unbased"),
        "month": month,
        "month_value": month_value(month),
        "month_options": month_options(selectors.month_choices(on)),
        "page_obj": page_obj,
        "query": query,
    }
    return render(request, "dues/org_unbased.html", context)
