"""Forms of a member's dues page: they parse the request into typed values, nothing more.

Whether a month can be paid, a base is allowed or a reduction approved is the services' to
say; a view puts their ``DomainError`` beside the field with ``core.web.domain_errors_to_form``.
Amounts go through ``core.money.parse_money`` and months through ``ledger.parse_month``, so
a typo is refused with their Chinese message and never reaches a service.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from dangwu.core.money import parse_money
from dangwu.dues.ledger import (
    ZERO,
    month_start,
    months_between,
    next_month,
    parse_month,
    prev_month,
    zh_month,
)
from dangwu.dues.models import PaidBy, PaymentMethod
from dangwu.members.choices import MEMBER_STATUSES, DuesCategory

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MONEY_ATTRS = {"inputmode": "decimal", "autocomplete": "off"}
SELF_METHODS = [(PaymentMethod.ONLINE.value, PaymentMethod.ONLINE.label)]


def month_value(m: dt.date) -> str:
    return f"{m:%Y-%m}"


class MonthField(forms.CharField):
    """``2026-11`` → ``date(2026, 11, 1)``. Offered as a ``<select>``; any month that parses
    is passed on, because whether it can be paid or set is the service's to say (and a
    repeated request must reach the service's idempotency check even when its month is no
    longer among the options)."""

    def __init__(self, *, options: list[tuple[str, str]] = (), **kwargs):
        kwargs.setdefault("widget", forms.Select)
        super().__init__(**kwargs)
        self.widget.choices = list(options)

    def clean(self, value):
        text = super().clean(value)
        if not text:
            return None
        try:
            return parse_month(text)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from exc


class MoneyField(forms.CharField):
    """An amount as typed ("4567", "4,567.00", "¥4567") → ``Decimal`` with two places."""

    def __init__(self, *, money_label: str, **kwargs):
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault("widget", forms.TextInput(attrs=MONEY_ATTRS))
        super().__init__(**kwargs)
        self.money_label = money_label

    def clean(self, value):
        text = super().clean(value)  # the text's own checks (required, length) first
        if not text:
            return None
        try:
            return parse_money(text, label=self.money_label)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from exc


# --- what a payment may run to ----------------------------------------------------------


@dataclass(frozen=True)
class ThroughOption:
    """Paying up to ``month``: how many months and how much, counted from the oldest unpaid."""

    month: dt.date
    months: int
    total: Decimal
    advance: bool

    @property
    def label(self) -> str:
        extra = "，含预交" if self.advance else ""
        return f"{zh_month(self.month)}（{self.months}个月，{self.total}元{extra}）"


def through_options(pd, on: dt.date) -> list[ThroughOption]:
    """The months a payment may run to (``pd``: ``selectors.PersonDues``), counted as
    ``services.payment_record`` counts them: every unpaid assessed month from the oldest, then
    months not yet assessed (a run not yet made, or in advance) at the base that applies, up
    to December of this year. The service still decides; these are only the offer."""
    this = month_start(on)
    s = pd.summary
    out: list[ThroughOption] = []
    n, total = 0, ZERO
    for m in s.unpaid:
        n, total = n + 1, total + s.owed[m]
        out.append(ThroughOption(m, n, total, m > this))
    person = pd.person
    if person.status not in MEMBER_STATUSES or not person.is_active:
        return out
    start = next_month(max([*s.owed, *s.paid], default=prev_month(this)))
    if pd.account is not None and pd.account.start_month and start < pd.account.start_month:
        start = pd.account.start_month
    admitted = month_start(person.admission_date) if person.admission_date else None
    for m in months_between(start, dt.date(on.year, 12, 1)):
        if admitted is not None and m < admitted:
            continue
        base = next((b for b in pd.bases if b.effective_month <= m), None)
        if base is None:
            break  # the service refuses a month without a base; so do the options
        if base.amount <= 0:
            continue
        n, total = n + 1, total + base.amount
        out.append(ThroughOption(m, n, total, m > this))
    return out


def default_through(options: list[ThroughOption]) -> str:
    due = [o for o in options if not o.advance]
    pick = due[-1] if due else (options[0] if options else None)
    return month_value(pick.month) if pick else ""


def _date(label, *, required: bool = False, help_text: str = "") -> forms.DateField:
    return forms.DateField(label=label, required=required, widget=DATE_WIDGET, help_text=help_text)


def _note() -> forms.CharField:
    return forms.CharField(label=_("说明"), max_length=300, required=False)


class _CollectForm(forms.Form):
    """What a payment and voluntary dues share. A member paying their own dues pays online,
    today, in person: the other choices are a collector's."""

    method = forms.ChoiceField(
        label=_("缴纳方式"), choices=PaymentMethod.choices, initial=PaymentMethod.CASH
    )
    paid_on = _date(_("交纳日期"), required=True)
    note = _note()
    key = forms.CharField(widget=forms.HiddenInput, max_length=80)

    def __init__(self, *args, self_service: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.self_service = self_service
        if self_service:
            self.fields["method"].choices = SELF_METHODS
            self.fields["method"].initial = PaymentMethod.ONLINE
            del self.fields["paid_on"]
            self.fields.pop("paid_by", None)


class PaymentForm(_CollectForm):
    """Pay every unpaid month up to ``through_month`` (in advance up to December)."""

    through_month = MonthField(label=_("交至"))
    paid_by = forms.ChoiceField(label=_("交纳人"), choices=PaidBy.choices, initial=PaidBy.MEMBER)

    field_order = ["through_month", "method", "paid_by", "paid_on", "note"]

    def __init__(self, *args, options: list[tuple[str, str]] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.set_options(options)
        self.order_fields(self.field_order)

    def set_options(self, options: list[tuple[str, str]]) -> None:
        self.fields["through_month"].widget.choices = list(options)


class VoluntaryForm(_CollectForm):
    """Voluntary extra dues (DUES-VOLUNTARY): any amount; 1000 yuan or more is flagged."""

    amount = MoneyField(label=_("自愿多交金额（元）"), money_label="自愿多交的党费金额")

    field_order = ["amount", "method", "paid_on", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["amount"].required = True
        self.fields["amount"].error_messages["required"] = _("请填写自愿多交的金额。")
        self.order_fields(self.field_order)


class BaseForm(forms.Form):
    """A member's dues category and base from a month on (DUES-EMPLOYEE … DUES-LOW), with a
    hardship reduction or exemption and its approval (DUES-HARDSHIP)."""

    effective_month = MonthField(label=_("生效月份"))
    category = forms.ChoiceField(
        label=_("党费缴纳类别"), choices=[("", "—"), *DuesCategory.choices]
    )
    base = MoneyField(
        label=_("缴费基数（元/月）"),
        money_label="缴费基数",
        required=False,
        help_text=_(
            "在职职工：税后工资中固定、常规的部分；离退休人员：实际领取的养老金。"
            "学生、下岗失业、依靠救济或低保生活的党员无需填写。"
        ),
    )
    fixed_amount = MoneyField(
        label=_("农民党员固定金额（元/月）"),
        money_label="农民党员的党费金额",
        required=False,
        help_text=_("仅农民党员填写，由党支部在0.20至1.00元之间确定。"),
    )
    evidence = forms.CharField(
        label=_("依据"),
        max_length=200,
        required=False,
        help_text=_("如：2026年1月工资条、养老金发放记录。"),
    )
    change_reason = forms.CharField(
        label=_("年内调整原因"),
        max_length=200,
        required=False,
        help_text=_("同一年内再次核定时必填，如：工资调整自当月起发放。"),
    )
    reduced_amount = MoneyField(
        label=_("减免后每月交纳（元）"),
        money_label="减免后的党费",
        required=False,
        help_text=_("不减免则留空；免交填0。"),
    )
    hardship_reason = forms.CharField(
        label=_("困难情况"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    hardship_discussed_on = _date(_("党支部讨论日期"))
    hardship_approved_on = _date(_("上级党委批准日期"))
    hardship_approval = forms.CharField(label=_("批准文件或批准人"), max_length=200, required=False)

    basic = ("effective_month", "category", "base", "fixed_amount", "evidence", "change_reason")
    hardship = (
        "reduced_amount",
        "hardship_reason",
        "hardship_discussed_on",
        "hardship_approved_on",
        "hardship_approval",
    )

    def __init__(self, *args, months: list[dt.date] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["effective_month"].widget.choices = [
            (month_value(m), zh_month(m)) for m in months
        ]
        self.fields["category"].error_messages["required"] = _("请选择党费缴纳类别。")
        self.fields["effective_month"].error_messages["required"] = _("请选择生效月份。")

    def basic_fields(self):
        return [self[name] for name in self.basic]

    def hardship_fields(self):
        return [self[name] for name in self.hardship]

    @property
    def hardship_open(self) -> bool:
        """Show the hardship part unfolded when it was filled in or has errors."""
        if not self.is_bound:
            return bool(self.initial.get("reduced_amount"))
        return any(self.data.get(n) for n in self.hardship) or any(
            n in self.errors for n in self.hardship
        )


class QuarterlyForm(forms.Form):
    """The branch's consent to quarterly payment (DUES-MONTHLY), or its withdrawal."""

    consent_on = _date(_("党支部同意日期"))
    # The pressed button's value; a post without one consents.
    action = forms.ChoiceField(
        choices=[("consent", "consent"), ("withdraw", "withdraw")],
        widget=forms.HiddenInput,
        required=False,
    )

    def clean(self):
        data = super().clean()
        data["action"] = data.get("action") or "consent"
        if data["action"] == "consent" and not data.get("consent_on"):
            self.add_error("consent_on", _("请填写党支部同意按季度交纳的日期。"))
        return data


class ReverseForm(forms.Form):
    """Reverse a ledger line; ``reassess`` only for a month's assessment."""

    reason = forms.CharField(
        label=_("冲销原因"),
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("请填写冲销原因。")},
        help_text=_("如：误将9月党费登记为10月；缴费基数录入错误。"),
    )
    reassess = forms.BooleanField(
        label=_("冲销后按现行缴费基数重新核算该月应缴"),
        required=False,
        help_text=_("缴费基数录入错误、已重新核定时勾选。"),
    )

    def __init__(self, *args, can_reassess: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not can_reassess:
            del self.fields["reassess"]
