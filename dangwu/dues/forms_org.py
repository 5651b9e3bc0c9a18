"""Forms of the organization dues pages: they parse the request into typed values, nothing more.

What a value means for the ledger (a month not yet due, a hand-over with nothing to hand up,
an arrears decision without a reason) is the services' to say; a view puts their
``DomainError`` beside the field with ``core.web.domain_errors_to_form``.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from dangwu.dues.ledger import parse_month, zh_month
from dangwu.dues.models import ArrearsResolution, PaymentMethod

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DECISIONS = [
    (r.value, r.label)
    for r in (ArrearsResolution.JUSTIFIED, ArrearsResolution.PROPOSED, ArrearsResolution.SETTLED)
]


def month_value(m: dt.date) -> str:
    return f"{m:%Y-%m}"


def month_options(months: list[dt.date]) -> list[tuple[str, str]]:
    return [(month_value(m), zh_month(m)) for m in months]


class MonthField(forms.CharField):
    """``2026-11`` → ``date(2026, 11, 1)``, with the ledger's Chinese message."""

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        try:
            return parse_month(value)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from exc


class SheetTickForm(forms.Form):
    """The collection sheet's "收取" button: pay a member's unpaid months up to ``through``."""

    person = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    through = MonthField(widget=forms.HiddenInput)
    method = forms.ChoiceField(
        label=_("缴纳方式"), choices=PaymentMethod.choices, initial=PaymentMethod.CASH
    )
    key = forms.CharField(widget=forms.HiddenInput, max_length=80)
    month = MonthField(widget=forms.HiddenInput, required=False)
    page = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)


class AssessmentRunForm(forms.Form):
    month = forms.ChoiceField(label=_("月份"))

    def __init__(self, *args, months: list[dt.date], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["month"].choices = month_options(months)
        if months and not self.is_bound:
            self.initial.setdefault("month", month_value(months[0]))

    def clean_month(self) -> dt.date:
        return parse_month(self.cleaned_data["month"])


class RemittanceForm(forms.Form):
    """A hand-over of the collections to the higher organization (上缴党费)."""

    handed_on = forms.DateField(label=_("上缴日期"), widget=DATE_WIDGET)
    received_by = forms.CharField(
        label=_("接收单位"), max_length=200, required=False, help_text=_("如：上级党委组织部")
    )
    note = forms.CharField(label=_("说明"), max_length=300, required=False)
    key = forms.CharField(widget=forms.HiddenInput, max_length=80)


class ArrearsDecideForm(forms.Form):
    """Close an arrears case (DUES-ARREARS-6): which reason, who approved, when."""

    resolution = forms.ChoiceField(label=_("处理结果"), choices=[("", "—"), *DECISIONS])
    reason = forms.CharField(
        label=_("理由或情况说明"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    approved_by = forms.CharField(
        label=_("批准人或批准文件"),
        max_length=200,
        required=False,
        help_text=_("以正当理由办结时必填。"),
    )
    decided_on = forms.DateField(label=_("处理日期"), widget=DATE_WIDGET)
    org = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)
