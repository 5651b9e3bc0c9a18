"""Attendance rates and LIFE-ABSENT-6 handling, heart-to-heart talks and their coverage.

Thin: read the scope, call a selector or a service, render. Outside the scope is a 404
(``core.web.scoped``); a ``DomainError`` is shown beside the field it names and nothing is
written. ``views_compliance`` forwards these views to the URL map.
"""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dangwu.core import clock
from dangwu.core.errors import DomainError, NotFound
from dangwu.core.scope import Perm
from dangwu.core.web import (
    FIRST_YEAR,
    SERVICE_ERRORS,
    paginate,
    scoped,
    show_domain_error,
    year_param,
)
from dangwu.meetings import absence as selectors
from dangwu.meetings import talks as talk_selectors
from dangwu.meetings.compliance import compliance_settings
from dangwu.meetings.forms_absence import AbsenceDecideForm, TalkForm
from dangwu.meetings.services.absence import absence_case_decide, absence_case_open
from dangwu.meetings.services.talks import heart_talk_record
from dangwu.members.models import Person

GET_POST = require_http_methods(["GET", "POST"])


def _posted(request):
    return request.POST if request.method == "POST" else None


def _safe_next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""


# --- attendance rates and absence handling ------------------------------------------------


@require_GET
@scoped
def attendance_rates(request, org_id: int):
    """The members of a branch or group: the year's attendance rate, months absent in a
    row, LIFE-ABSENT-6 findings and cases, and the button that opens a case at 6 months."""
    scope = request.scope
    today = clock.today()
    org = selectors.rate_org_get(scope, org_id)
    year = year_param(request, today)
    rows = selectors.rate_rows(scope, org, year=year, today=today)
    context = {
        "org": org,
        "page_title": _("党员出席情况"),
        "year": year,
        "years": list(range(today.year, max(FIRST_YEAR, today.year - 5) - 1, -1)),
        "rows": rows,
        "warn": compliance_settings().absence_warning_months,
        "can_open": scope.covers(org.path, Perm.EDIT) or scope.covers(org.path, Perm.APPROVE),
        "can_decide": scope.covers(org.path, Perm.APPROVE),
        "flagged": sum(1 for r in rows if r.absence.findings),
    }
    return render(request, "meetings/rates.html", context)


@require_POST
@scoped
def absence_open(request, person_id: int):
    """Open the LIFE-ABSENT-6 handling for a member; back to the page that asked."""
    person = selectors.absence_person_get_for(request.scope, person_id)
    try:
        case = absence_case_open(actor=request.user, person=person, today=clock.today())
    except DomainError as exc:
        if isinstance(exc, NotFound):
            raise
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("已对%(name)s连续%(n)s个月未参加组织生活立案处置，请由党支部查明情况后办结。")
            % {"name": person.name, "n": case.months},
        )
    return redirect(_safe_next(request) or _rates_url(person))


def _rates_url(person: Person) -> str:
    return reverse("meetings:rates", args=[person.branch_id])


@GET_POST
@scoped
def absence_decide(request, case_id: int):
    """Close a LIFE-ABSENT-6 case (APPROVE over the member)."""
    case = selectors.absence_case_get_for(request.scope, case_id)
    today = clock.today()
    back = _safe_next(request) or _rates_url(case.person)
    form = AbsenceDecideForm(_posted(request), initial={"decided_on": today})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case = absence_case_decide(
                actor=request.user,
                case=case,
                resolution=data["resolution"],
                reason=data["reason"],
                approved_by=data["approved_by"],
                decided_on=data["decided_on"],
                today=today,
            )
        except SERVICE_ERRORS as exc:
            show_domain_error(form, exc)
        else:
            messages.success(
                request,
                _("%(name)s的不参加组织生活处置已办结：%(what)s。")
                % {"name": case.person.name, "what": case.get_resolution_display()},
            )
            return redirect(back)
    context = {
        "org": case.person.branch,
        "page_title": _("办结不参加组织生活处置"),
        "case": case,
        "person": case.person,
        "form": form,
        "back": back,
    }
    return render(request, "meetings/absence_decide.html", context)


# --- heart-to-heart talks -------------------------------------------------------------------


@require_GET
@scoped
def talk_list(request, org_id: int):
    """A branch's talks of the year and LIFE-HEART-TALK coverage, naming who is missing."""
    scope = request.scope
    today = clock.today()
    branch = talk_selectors.talk_branch_get(scope, org_id)
    year = year_param(request, today)
    coverage = talk_selectors.heart_talk_coverage(scope, branch, year=year, today=today)
    page_obj, query = paginate(request, talk_selectors.heart_talk_list(scope, branch, year))
    context = {
        "org": branch,
        "page_title": _("谈心谈话"),
        "year": year,
        "years": list(range(today.year, max(FIRST_YEAR, today.year - 5) - 1, -1)),
        "coverage": coverage,
        "page_obj": page_obj,
        "query": query,
        "can_record": scope.covers(branch.path, Perm.LIFE),
    }
    return render(request, "meetings/talk_list.html", context)


@GET_POST
@scoped
def talk_create(request, org_id: int):
    """Record a heart-to-heart talk (Perm.LIFE on the branch)."""
    scope = request.scope
    today = clock.today()
    branch = talk_selectors.talk_branch_get(scope, org_id, Perm.LIFE)
    people = talk_selectors.talk_people(scope, branch, today=today)
    by_id = {p.pk: p for p in people}
    form = TalkForm(
        _posted(request),
        initial={"date": today},
        people=[(p.pk, p.name) for p in people],
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            talk = heart_talk_record(
                actor=request.user,
                organization=branch,
                date=data["date"],
                person=by_id[data["person"]],
                other=by_id[data["other"]],
                topic=data["topic"],
                note=data["note"],
                today=today,
            )
        except SERVICE_ERRORS as exc:
            show_domain_error(form, exc)
        else:
            messages.success(
                request,
                _("已登记%(a)s与%(b)s的谈心谈话（%(d)s）。")
                % {"a": talk.person.name, "b": talk.other.name, "d": f"{talk.date:%Y-%m-%d}"},
            )
            return redirect("meetings:talks", org_id=branch.pk)
    context = {"org": branch, "page_title": _("登记谈心谈话"), "form": form}
    return render(request, "meetings/talk_form.html", context)
