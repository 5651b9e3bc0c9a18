"""The annual development plan of an organization (DEV-NO-RUSH), and the expected day a
person leaves the unit (DEV-LEAVING-3M). Thin."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from dangwu.core import clock
from dangwu.core.scope import Perm
from dangwu.core.web import SERVICE_ERRORS, scoped, show_domain_error, year_param
from dangwu.development.plans import plan_status
from dangwu.development.services.plans import MAX_QUOTA, plan_set
from dangwu.development.services.records import record_leaving_set
from dangwu.members.selectors import person_get_for
from dangwu.orgs.choices import OrgKind
from dangwu.orgs.selectors import organization_get_for


class PlanForm(forms.Form):
    quota = forms.IntegerField(
        label=gettext_lazy("计划发展人数"),
        min_value=0,
        max_value=MAX_QUOTA,
        error_messages={"required": gettext_lazy("请填写计划发展人数。")},
    )
    note = forms.CharField(
        label=gettext_lazy("说明（上级党委下达的指标、文号等）"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


@require_http_methods(["GET", "POST"])
@scoped
def plan_edit(request, org_id: int):
    org = organization_get_for(request.scope, org_id)
    request.scope.require(org.path, Perm.APPROVE)
    if org.kind == OrgKind.PARTY_GROUP:  # a group is not a level of organization
        raise Http404
    today = clock.today()
    # Next year's plan is made in the last months of this one.
    year = year_param(request, today.replace(year=today.year + 1) if today.month >= 10 else today)
    status = plan_status(request.scope, org, year)
    initial = {"quota": status.quota, "note": status.plan.note if status.plan else ""}
    form = PlanForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            plan_set(
                actor=request.user,
                organization=org,
                year=year,
                quota=form.cleaned_data["quota"],
                note=form.cleaned_data["note"],
            )
        except SERVICE_ERRORS as exc:
            show_domain_error(form, exc)
        else:
            messages.success(request, _("已保存%(year)s年度发展计划。") % {"year": year})
            return redirect("development:board", org_id=org.pk)
    return render(
        request,
        "development/plan_form.html",
        {"org": org, "year": year, "status": status, "form": form},
    )


class LeavingForm(forms.Form):
    leaves_unit_on = forms.DateField(
        label=gettext_lazy("预计离开单位日期（毕业、调动）"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": gettext_lazy("请输入有效日期，如2027-06-30。")},
    )


@require_http_methods(["POST"])
@scoped
def leaving_set(request, person_id: int):
    """Save the date from the person page's small form and go back to it."""
    person = person_get_for(request.scope, person_id)
    form = LeavingForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
        return redirect("development:person", person_id=person.pk)
    try:
        record_leaving_set(
            actor=request.user, person=person, leaves_unit_on=form.cleaned_data["leaves_unit_on"]
        )
    except SERVICE_ERRORS as exc:
        messages.error(request, getattr(exc, "message", str(exc)))
    else:
        messages.success(request, _("已保存预计离开单位日期。"))
    return redirect("development:person", person_id=person.pk)
