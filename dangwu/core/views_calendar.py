"""The administrator's pages for the working-day calendar (CAL-DATA): the years entered, and
one year's form with a preview of its twelve months.

Superusers only; anyone else gets the same 404 as for a page that does not exist.
"""

from __future__ import annotations

import calendar as pycalendar
import datetime as dt
import re
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from dangwu.core import services
from dangwu.core.clock import today
from dangwu.core.errors import InvalidInput, NotFound
from dangwu.core.models import HolidaySchedule
from dangwu.core.web import SERVICE_ERRORS, scoped, show_domain_error
from dangwu.core.workcal import SATURDAY, YearSchedule

WEEKDAYS = ("一", "二", "三", "四", "五", "六", "日")
_YEAR = re.compile(r"\d{4}", re.ASCII)


def _require_superuser(request: HttpRequest) -> None:
    if not request.scope.is_superuser:
        raise NotFound()


# --- the list of years ------------------------------------------------------------------------


@dataclass(frozen=True)
class YearRow:
    row: HolidaySchedule

    @property
    def rest_count(self) -> int:
        return len(self.row.rest_days)

    @property
    def makeup_count(self) -> int:
        return len(self.row.makeup_workdays)


@require_GET
@scoped
def workdays_list(request: HttpRequest) -> HttpResponse:
    _require_superuser(request)
    raw = request.GET.get("year", "").strip()
    if raw:
        # Four ASCII digits: str.isdigit() also takes "²", and int() of 5,000 digits raises.
        if _YEAR.fullmatch(raw) and services.FIRST_YEAR <= int(raw) <= services.LAST_YEAR:
            return redirect("workdays_year", year=int(raw))
        messages.warning(
            request,
            _("年份应为%(first)d至%(last)d之间的整数，收到：%(raw)s。")
            % {"first": services.FIRST_YEAR, "last": services.LAST_YEAR, "raw": raw[:20]},
        )
    rows = list(HolidaySchedule.objects.select_related("updated_by").order_by("-year"))
    years = {r.year for r in rows}
    now = today()
    missing = [y for y in (now.year, now.year + 1) if y not in years]
    return render(
        request,
        "core/workdays_list.html",
        {
            "rows": [YearRow(r) for r in rows],
            "missing": missing,
            "next_year": missing[0] if missing else max(years, default=now.year) + 1,
            "first_year": min(years, default=None),
            "last_year": max(years, default=None),
            "today": now,
        },
    )


# --- one year -------------------------------------------------------------------------------


class YearForm(forms.Form):
    rest_days = forms.CharField(
        label=gettext_lazy("放假日期"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false"}),
        help_text=gettext_lazy(
            "通知中每一段假期写一行，如 2027-02-06至2027-02-12；单独一天如 2027-01-01。"
            "假期中的星期六、星期日也要包括在内。本年的日期可以只写月日，如 2/6至2/12。"
        ),
    )
    makeup_workdays = forms.CharField(
        label=gettext_lazy("调休上班日期"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "false"}),
        help_text=gettext_lazy(
            "需要上班的星期六、星期日，用逗号或换行分隔，如 2027-02-14, 2027-02-20。"
        ),
    )
    source = forms.CharField(
        label=gettext_lazy("依据（通知文号）"),
        required=False,
        max_length=services.SOURCE_MAX,
        error_messages={
            "max_length": gettext_lazy(
                "依据（通知文号）不能超过%(limit_value)d个字，现有%(show_value)d个字。"
            )
        },
        help_text=gettext_lazy(
            "如：国办发明电〔2026〕X号《国务院办公厅关于2027年部分节假日安排的通知》"
        ),
    )


@dataclass(frozen=True)
class PreviewDay:
    date: dt.date
    kind: str  # "rest" (放假), "makeup" (调休上班), "weekend" (休息), "workday"

    @property
    def label(self) -> str:
        return {"rest": "休", "makeup": "班"}.get(self.kind, "")


@dataclass(frozen=True)
class PreviewMonth:
    month: int
    padding: range  # empty cells before the 1st (Monday first)
    days: list[PreviewDay]
    rest_count: int
    makeup_count: int


def year_preview(schedule: YearSchedule) -> list[PreviewMonth]:
    """Twelve month grids of ``schedule``: each day's kind under CAL-WORKDAY."""
    months = []
    for month in range(1, 13):
        first_weekday, length = pycalendar.monthrange(schedule.year, month)
        days = []
        for n in range(1, length + 1):
            d = dt.date(schedule.year, month, n)
            if d in schedule.rest_days:
                kind = "rest"
            elif d in schedule.makeup_workdays:
                kind = "makeup"
            elif d.weekday() >= SATURDAY:
                kind = "weekend"
            else:
                kind = "workday"
            days.append(PreviewDay(d, kind))
        months.append(
            PreviewMonth(
                month=month,
                padding=range(first_weekday),
                days=days,
                rest_count=sum(1 for x in days if x.kind == "rest"),
                makeup_count=sum(1 for x in days if x.kind == "makeup"),
            )
        )
    return months


def _runs(days: frozenset[dt.date]) -> list[tuple[dt.date, dt.date, int]]:
    """Consecutive days as ``(first, last, count)``: the holidays as the notice lists them."""
    out: list[tuple[dt.date, dt.date, int]] = []
    for d in sorted(days):
        if out and d - out[-1][1] == dt.timedelta(days=1):
            first, _last, n = out[-1]
            out[-1] = (first, d, n + 1)
        else:
            out.append((d, d, 1))
    return out


def _year_or_404(year: int) -> int:
    if not services.FIRST_YEAR <= year <= services.LAST_YEAR:
        raise Http404(_("没有这一年。"))
    return year


def _initial(row: HolidaySchedule | None) -> dict:
    if row is None:
        return {}
    return {
        "rest_days": services.format_day_list(dt.date.fromisoformat(s) for s in row.rest_days),
        "makeup_workdays": services.format_day_list(
            dt.date.fromisoformat(s) for s in row.makeup_workdays
        ),
        "source": row.source,
    }


def _schedule_of(row: HolidaySchedule | None) -> YearSchedule | None:
    if row is None:
        return None
    return YearSchedule(
        year=row.year,
        rest_days=frozenset(dt.date.fromisoformat(s) for s in row.rest_days),
        makeup_workdays=frozenset(dt.date.fromisoformat(s) for s in row.makeup_workdays),
    )


def _parse(form: YearForm, year: int) -> YearSchedule:
    """The form's days as a checked ``YearSchedule``; ``InvalidInput`` names every bad one."""
    errors: dict[str, list[str]] = {}
    parsed: dict[str, list[dt.date]] = {}
    for name in ("rest_days", "makeup_workdays"):
        try:
            parsed[name] = services.parse_day_list(form.cleaned_data[name], year=year, field=name)
        except InvalidInput as exc:
            errors.update(exc.fields)
    if errors:
        raise InvalidInput("；".join(m for ms in errors.values() for m in ms), fields=errors)
    return services.holiday_schedule_check(
        year=year, rest_days=parsed["rest_days"], makeup_workdays=parsed["makeup_workdays"]
    )


@require_http_methods(["GET", "POST"])
@scoped
def workdays_year(request: HttpRequest, year: int) -> HttpResponse:
    _require_superuser(request)
    year = _year_or_404(year)
    row = HolidaySchedule.objects.select_related("updated_by").filter(year=year).first()
    form = YearForm(request.POST or None, initial=_initial(row))
    schedule = _schedule_of(row)
    previewing = False
    if request.method == "POST" and form.is_valid():
        try:
            checked = _parse(form, year)
            if "preview" in request.POST:
                schedule, previewing = checked, True
            else:
                services.holiday_schedule_save(
                    actor=request.user,
                    year=year,
                    rest_days=checked.rest_days,
                    makeup_workdays=checked.makeup_workdays,
                    source=form.cleaned_data["source"],
                )
        except SERVICE_ERRORS as exc:
            show_domain_error(form, exc)
        else:
            if not previewing:
                messages.success(
                    request,
                    _("已保存%(year)d年节假日安排：放假%(rest)d天，调休上班%(makeup)d天。")
                    % {
                        "year": year,
                        "rest": len(checked.rest_days),
                        "makeup": len(checked.makeup_workdays),
                    },
                )
                return redirect("workdays_year", year=year)
    return render(
        request,
        "core/workdays_year.html",
        {
            "year": year,
            "row": row,
            "form": form,
            "previewing": previewing,
            "schedule": schedule,
            "months": year_preview(schedule) if schedule else [],
            "rest_runs": _runs(schedule.rest_days) if schedule else [],
            "makeup_days": sorted(schedule.makeup_workdays) if schedule else [],
            "weekdays": WEEKDAYS,
        },
    )
