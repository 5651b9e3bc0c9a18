"""Regulations about party dues (DUES-*): how much, from when, and what is not allowed.

Pure functions over plain values and small frozen dataclasses: no database, no request,
no clock. Money is ``Decimal`` (never ``float``), computed exactly and rounded once,
half-up, with ``dangwu.core.money.quantize_money`` (DUES-ROUND [local]). Months are
``(year, month)`` tuples. The ``*_findings`` functions return a list of ``Finding``s,
empty when the rule is satisfied; the caller sets ``subject`` (``dataclasses.replace``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from dangwu.core.findings import Finding, Severity
from dangwu.core.money import FEN, JIAO, quantize_money
from dangwu.members.choices import DuesCategory

DUES_RULES = "《关于中国共产党党费收缴、使用和管理的规定》（中组发〔2008〕3号）"
PARTY_CONSTITUTION = "《中国共产党章程》"

YearMonth = tuple[int, int]

# Chinese names for messages. The ``TextChoices`` labels are lazy translations that need
# configured settings; the rules must not.
CATEGORY_ZH: Mapping[str, str] = {
    DuesCategory.EMPLOYEE: "在职职工",
    DuesCategory.ANNUAL_SALARY: "年薪制人员",
    DuesCategory.SELF_EMPLOYED: "无固定工资收入人员",
    DuesCategory.RETIREE: "离退休人员",
    DuesCategory.FARMER: "农民",
    DuesCategory.STUDENT: "学生",
    DuesCategory.UNEMPLOYED: "下岗失业人员",
    DuesCategory.RELIEF: "依靠救济或低保生活人员",
}


# --- Settings (the [local] parts of DOMAIN.md §6) ---------------------------------------

ARREARS_MONTHS = 6  # 党费规定 第十三条; 党章 第九条 — national, not a setting


@dataclass(frozen=True, slots=True)
class DuesSettings:
    """Local dues policy, each field a DOMAIN.md [local] default.

    ``rounding_unit``: DUES-ROUND — fen ``0.01`` (default) or jiao ``0.10``.
    ``arrears_warning_months``: DUES-ARREARS-6 warns from this many consecutive unpaid
    months (default 3); six months is the national rule and not a setting.
    ``base_change_month`` / ``base_fixed_within_year``: DUES-BASE-CHANGE — the base is set
    once a year in this month (January) and not changed within the year.
    ``back_payment_max_months``: DUES-MONTHLY — back-payment generally covers at most 6.
    ``voluntary_remit_threshold``: DUES-VOLUNTARY — a single voluntary payment of this
    many yuan or more is remitted in full to the Centre (1000).
    """

    rounding_unit: Decimal = FEN
    arrears_warning_months: int = 3
    base_change_month: int = 1
    base_fixed_within_year: bool = True
    back_payment_max_months: int = 6
    voluntary_remit_threshold: Decimal = Decimal("1000")

    def __post_init__(self) -> None:
        unit = Decimal(self.rounding_unit) if isinstance(self.rounding_unit, str) else None
        if unit is not None:
            object.__setattr__(self, "rounding_unit", unit)
        if self.rounding_unit not in (FEN, JIAO):
            raise ValueError(
                f"党费舍入单位应为0.01（分）或0.10（角），实际为{self.rounding_unit}。"
            )
        if not 1 <= self.arrears_warning_months < ARREARS_MONTHS:
            raise ValueError(
                f"欠缴党费预警月数应在1至{ARREARS_MONTHS - 1}之间，"
                f"实际为{self.arrears_warning_months}。"
            )
        if not 1 <= self.base_change_month <= 12:
            raise ValueError(f"核定缴费基数的月份应在1至12之间，实际为{self.base_change_month}。")
        if self.back_payment_max_months < 1:
            raise ValueError(f"补交党费的最多月数应至少为1，实际为{self.back_payment_max_months}。")
        if self.voluntary_remit_threshold <= 0:
            raise ValueError(
                f"自愿多交党费上缴中央的起点应大于0，实际为{self.voluntary_remit_threshold}。"
            )


DEFAULT_SETTINGS = DuesSettings()


def _check_month(ym: YearMonth) -> YearMonth:
    year, month = ym
    if not 1 <= month <= 12:
        raise ValueError(f"月份应在1至12之间，实际为{year}年{month}月。")
    return (year, month)


def _zh_month(ym: YearMonth) -> str:
    return f"{ym[0]}年{ym[1]}月"


def _amount(value: Decimal | int, what: str) -> Decimal:
    # A float has already lost the exact value; bool is an int by accident.
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise TypeError(f"{what}须为 Decimal 或整数，不能是 {type(value).__name__}。")
    amount = Decimal(value)
    if not amount.is_finite():
        raise ValueError(f"{what}不是有效的数字：{value}。")
    if amount < 0:
        raise ValueError(f"{what}不能为负数：{value}。")
    return amount


# --- Monthly amount (DUES-EMPLOYEE … DUES-LOW) ---------------------------------------


@dataclass(frozen=True, slots=True)
class DuesAmount:
    """A month's dues: the amount, the rate applied (``None`` for a fixed amount), and the
    rule that gave it."""

    amount: Decimal
    rate: Decimal | None
    code: str
    citation: str

    def as_dict(self) -> dict[str, str | None]:
        """JSON-ready: amount and rate as strings (``"45.67"``, ``"0.01"``)."""
        return {
            "amount": str(self.amount),
            "rate": None if self.rate is None else str(self.rate),
            "code": self.code,
            "citation": self.citation,
        }


# (upper bound inclusive, rate); the last band has no upper bound.
Bands = tuple[tuple[Decimal | None, Decimal], ...]
WAGE_BANDS: Bands = (
    (Decimal("3000"), Decimal("0.005")),
    (Decimal("5000"), Decimal("0.01")),
    (Decimal("10000"), Decimal("0.015")),
    (None, Decimal("0.02")),
)
PENSION_BANDS: Bands = (
    (Decimal("5000"), Decimal("0.005")),
    (None, Decimal("0.01")),
)
LOW_AMOUNT = Decimal("0.20")
FARMER_MIN = Decimal("0.20")
FARMER_MAX = Decimal("1.00")

# category → (code, article of 党费规定, bands or None for a fixed amount)
_CATEGORY_RULES: Mapping[str, tuple[str, str, Bands | None]] = {
    DuesCategory.EMPLOYEE: ("DUES-EMPLOYEE", "第一、二条", WAGE_BANDS),
    DuesCategory.ANNUAL_SALARY: ("DUES-ANNUAL-SALARY", "第三条", WAGE_BANDS),
    DuesCategory.SELF_EMPLOYED: ("DUES-SELF-EMPLOYED", "第四条", WAGE_BANDS),
    DuesCategory.RETIREE: ("DUES-RETIREE", "第五条", PENSION_BANDS),
    DuesCategory.FARMER: ("DUES-FARMER", "第六条", None),
    DuesCategory.STUDENT: ("DUES-LOW", "第六条", None),
    DuesCategory.UNEMPLOYED: ("DUES-LOW", "第六条", None),
    DuesCategory.RELIEF: ("DUES-LOW", "第六条", None),
}


def band_rate(base: Decimal, bands: Bands) -> Decimal:
    """The rate of the band holding ``base``: the whole base at one rate, not marginal."""
    for upper, rate in bands:
        if upper is None or base <= upper:
            return rate
    raise AssertionError("the last band has no upper bound")  # pragma: no cover


def monthly_dues(
    category: str,
    base: Decimal | int | None,
    settings: DuesSettings = DEFAULT_SETTINGS,
    *,
    fixed: Decimal | int | None = None,
) -> DuesAmount:
    """A member's dues for one month.

    DUES-EMPLOYEE — 党费规定 第一、二条: base = the fixed, regular part of monthly pay after
    tax; base ≤ 3000 → 0.5%; 3000 < base ≤ 5000 → 1%; 5000 < base ≤ 10000 → 1.5%;
    base > 10000 → 2%, the whole base at one rate. DUES-ANNUAL-SALARY (第三条) and
    DUES-SELF-EMPLOYED (第四条) use the same rates. DUES-RETIREE — 第五条: pension ≤ 5000 →
    0.5%, > 5000 → 1%. DUES-FARMER — 第六条: ``fixed``, 0.20–1.00 yuan set by the branch.
    DUES-LOW — 第六条: students, laid-off or unemployed members and members on relief pay
    0.20 yuan. The product is rounded half-up to ``settings.rounding_unit`` (DUES-ROUND).

    ``base`` is required for the rate categories and ignored (but still checked) for the
    fixed ones; ``fixed`` is only for farmers. Raises ``ValueError`` (Chinese message) for
    an unknown category, a negative base, a missing or out-of-range farmer amount.
    """
    if category not in _CATEGORY_RULES:
        choices = "、".join(f"{key}（{label}）" for key, label in CATEGORY_ZH.items())
        raise ValueError(f"未知的党费缴纳类别：{category}。可选：{choices}。")
    code, article, bands = _CATEGORY_RULES[category]
    citation = f"{DUES_RULES}{article}"
    checked_base = None if base is None else _amount(base, "缴费基数")
    if fixed is not None and category != DuesCategory.FARMER:
        raise ValueError(
            f"{CATEGORY_ZH[category]}的党费不是固定金额，只有农民党员由党支部确定固定金额。"
        )

    if bands is not None:
        if checked_base is None:
            raise ValueError(f"{CATEGORY_ZH[category]}须提供缴费基数。")
        rate = band_rate(checked_base, bands)
        amount = quantize_money(checked_base * rate, settings.rounding_unit)
        return DuesAmount(amount=amount, rate=rate, code=code, citation=citation)

    if category == DuesCategory.FARMER:
        if fixed is None:
            raise ValueError(
                "农民党员每月交纳党费0.20元至1.00元，具体金额由党支部确定，须提供该金额。"
            )
        amount = _amount(fixed, "农民党员的党费金额")
        if amount != amount.quantize(FEN):
            raise ValueError(f"农民党员的党费金额最多保留两位小数：{fixed}。")
        if not FARMER_MIN <= amount <= FARMER_MAX:
            raise ValueError(
                f"农民党员每月交纳党费0.20元至1.00元，{amount.quantize(FEN)}元超出了这一范围。"
            )
        return DuesAmount(amount=amount.quantize(FEN), rate=None, code=code, citation=citation)

    return DuesAmount(amount=LOW_AMOUNT, rate=None, code=code, citation=citation)


# --- Hardship (DUES-HARDSHIP) ----------------------------------------------------------


def hardship_findings(
    *,
    standard_amount: Decimal | int,
    reduced_amount: Decimal | int,
    branch_discussed_on: dt.date | None,
    approved_on: dt.date | None,
) -> list[Finding]:
    """A reduction or exemption of dues needs the branch's discussion and the higher
    committee's approval.

    DUES-HARDSHIP — 党费规定 第七条 (error): a member in real difficulty may pay less or
    nothing after the branch has discussed it and the higher Party committee has approved
    it; the approval is recorded with the reduction. ``reduced_amount`` equal to the
    standard amount is no reduction (no finding); above it is not a reduction at all
    (``ValueError``). An approval dated before the discussion approves nothing the branch
    proposed, so it is an error too.
    """
    standard = _amount(standard_amount, "按规定应交的党费")
    reduced = _amount(reduced_amount, "减免后的党费")
    if reduced > standard:
        raise ValueError(f"减免后的党费（{reduced}元）不能高于按规定应交的党费（{standard}元）。")
    if reduced == standard:
        return []
    what = "免交" if reduced == 0 else "减交"
    citation = f"{DUES_RULES}第七条"
    missing = []
    if branch_discussed_on is None:
        missing.append("党支部讨论")
    if approved_on is None:
        missing.append("上级党委批准")
    data = {"standard": str(standard), "reduced": str(reduced), "missing": missing}
    if missing:
        return [
            Finding(
                code="DUES-HARDSHIP",
                severity=Severity.ERROR,
                message=f"{what}党费须经党支部讨论并报上级党委批准，尚缺：{'、'.join(missing)}。",
                citation=citation,
                data=data,
            )
        ]
    if (
        approved_on is not None
        and branch_discussed_on is not None
        and (approved_on < branch_discussed_on)
    ):
        return [
            Finding(
                code="DUES-HARDSHIP",
                severity=Severity.ERROR,
                message=(
                    f"上级党委批准日期（{approved_on.isoformat()}）早于党支部讨论日期"
                    f"（{branch_discussed_on.isoformat()}）；{what}党费应先经党支部讨论，"
                    "再报上级党委批准。"
                ),
                citation=citation,
                data=data,
            )
        ]
    return []


# --- Probationary members (DUES-PROBATIONARY) -----------------------------------------


def probationary_first_month(admission_date: dt.date) -> YearMonth:
    """The first month a probationary member pays dues: the month of admission.

    DUES-PROBATIONARY — 党费规定 第八条: probationary members pay from the month the
    general meeting admitted them (a meeting on 30 June → June).
    """
    return (admission_date.year, admission_date.month)


# --- Base changes (DUES-BASE-CHANGE) --------------------------------------------------


def base_change_findings(
    effective_month: YearMonth, settings: DuesSettings = DEFAULT_SETTINGS
) -> list[Finding]:
    """A change of the dues base taking effect in ``effective_month``.

    DUES-BASE-CHANGE — 党费规定 第十条: a new wage changes the base from the month it is
    first received. Default local policy (warning, [local]): the base is set once a year
    in ``settings.base_change_month`` (January) and not changed within the year; a change
    in another month is flagged with the month it should take effect (``due``). With
    ``base_fixed_within_year=False`` any month is fine.
    """
    year, month = _check_month(effective_month)
    if not settings.base_fixed_within_year or month == settings.base_change_month:
        return []
    change = settings.base_change_month
    next_year = year if month < change else year + 1
    return [
        Finding(
            code="DUES-BASE-CHANGE",
            severity=Severity.WARNING,
            message=(
                f"按本单位规定，党费缴纳基数每年{change}月核定一次，年内不作调整；"
                f"本次基数变更自{_zh_month((year, month))}起生效，"
                f"应自{_zh_month((next_year, change))}起执行。"
            ),
            citation=f"{DUES_RULES}第十条；本地做法：每年{change}月核定缴费基数，年内不作调整",
            due=dt.date(next_year, change, 1),
            data={"effective_month": [year, month], "next_change_month": [next_year, change]},
        )
    ]


# --- Voluntary extra dues (DUES-VOLUNTARY) --------------------------------------------


def voluntary_findings(
    amount: Decimal | int, settings: DuesSettings = DEFAULT_SETTINGS
) -> list[Finding]:
    """A single voluntary payment of dues beyond the assessment.

    DUES-VOLUNTARY — 党费规定 第十一条 (info): voluntary extra dues are unlimited; a single
    payment of 1000 yuan or more (``settings.voluntary_remit_threshold``) is remitted in
    full to the Centre, so it is flagged.
    """
    paid = _amount(amount, "自愿多交的党费")
    if paid == 0:
        raise ValueError("自愿多交的党费金额应大于0。")
    threshold = settings.voluntary_remit_threshold
    if paid < threshold:
        return []
    return [
        Finding(
            code="DUES-VOLUNTARY",
            severity=Severity.INFO,
            message=(
                f"本次自愿多交党费{quantize_money(paid)}元，单笔{threshold}元以上（含），"
                "须全额上缴中央。"
            ),
            citation=f"{DUES_RULES}第十一条",
            data={"amount": str(quantize_money(paid)), "threshold": str(threshold)},
        )
    ]


# --- Monthly payment and back-payment (DUES-MONTHLY) ----------------------------------


def back_payment_findings(months: int, settings: DuesSettings = DEFAULT_SETTINGS) -> list[Finding]:
    """A back-payment covering ``months`` months of dues.

    DUES-MONTHLY — 党费规定 第十二条 (warning): dues are paid monthly; back-payment
    generally covers at most 6 months (``settings.back_payment_max_months``).
    """
    if isinstance(months, bool) or not isinstance(months, int) or months < 0:
        raise ValueError(f"补交的月数应为非负整数，实际为{months!r}。")
    limit = settings.back_payment_max_months
    if months <= limit:
        return []
    return [
        Finding(
            code="DUES-MONTHLY",
            severity=Severity.WARNING,
            message=(
                f"本次补交党费{months}个月，超过{limit}个月；党员应按月交纳党费，"
                f"补交党费时间一般不超过{limit}个月。"
            ),
            citation=f"{DUES_RULES}第十二条",
            data={"months": months, "limit": limit},
        )
    ]


# --- Arrears (DUES-ARREARS-6) ---------------------------------------------------------


def _previous(ym: YearMonth) -> YearMonth:
    year, month = ym
    return (year - 1, 12) if month == 1 else (year, month - 1)


def consecutive_unpaid_months(
    paid_months: Iterable[YearMonth], owed_months: Iterable[YearMonth], as_of: YearMonth
) -> int:
    """How many months in a row, ending with the latest owed month up to ``as_of``
    (inclusive), were owed and not paid.

    ``as_of`` is the last month already due (usually the month before the current one:
    a month's dues can be paid until its end). Months that were not owed (before joining,
    an approved exemption, a gap in the record) break the run rather than extend it: a
    finding that can lead to removal must not count months the member did not owe.
    """
    paid = {_check_month(ym) for ym in paid_months}
    last = _check_month(as_of)
    owed = {_check_month(ym) for ym in owed_months if ym <= last}
    if not owed:
        return 0
    month = max(owed)
    count = 0
    while month in owed and month not in paid:
        count += 1
        month = _previous(month)
    return count


def arrears_findings(
    consecutive_unpaid_months: int, settings: DuesSettings = DEFAULT_SETTINGS
) -> list[Finding]:
    """Consecutive months of unpaid dues.

    DUES-ARREARS-6 — 党费规定 第十三条; 党章 第九条: a member who has not paid for six
    consecutive months without a justified reason is regarded as having left the Party
    (自行脱党); the general meeting decides the removal and reports it for approval
    (error at 6). Local practice (warning, [local]) warns from
    ``settings.arrears_warning_months`` (3).
    """
    months = consecutive_unpaid_months
    if isinstance(months, bool) or not isinstance(months, int) or months < 0:
        raise ValueError(f"连续未交党费的月数应为非负整数，实际为{months!r}。")
    citation = f"{DUES_RULES}第十三条；{PARTY_CONSTITUTION}第九条"
    data = {"months": months}
    if months >= ARREARS_MONTHS:
        return [
            Finding(
                code="DUES-ARREARS-6",
                severity=Severity.ERROR,
                message=(
                    f"已连续{months}个月未交纳党费。党员连续6个月不交纳党费，又没有正当理由的，"
                    "按自行脱党处理，由支部大会决定除名并报上级批准。"
                ),
                citation=citation,
                data=data,
            )
        ]
    if months >= settings.arrears_warning_months:
        return [
            Finding(
                code="DUES-ARREARS-6",
                severity=Severity.WARNING,
                message=(
                    f"已连续{months}个月未交纳党费，党支部应及时了解情况、提醒督促；"
                    "连续6个月不交纳党费，又没有正当理由的，按自行脱党处理。"
                ),
                citation=citation,
                data=data,
            )
        ]
    return []


# --- Who pays (DUES-NO-ORG-PAY) ----------------------------------------------------------


class PaidBy(StrEnum):
    """Who paid a month's dues."""

    MEMBER = "member"  # the member in person
    PROXY = "proxy"  # another member or a relative, with the branch's consent (DUES-MONTHLY)
    ORGANIZATION = "organization"  # the organization or the employer, from public funds
    PAYROLL = "payroll"  # deducted from the member's pay


def org_payment_findings(paid_by: str) -> list[Finding]:
    """Whether dues were paid by the member.

    DUES-NO-ORG-PAY — 党费规定 第十四条 (error): an organization may not pay dues for its
    members, nor deduct dues from their pay; paying is the member's own act. Payment in
    person or through another member or a relative (with the branch's consent) is fine.
    """
    try:
        payer = PaidBy(paid_by)
    except ValueError as exc:
        choices = "、".join(p.value for p in PaidBy)
        raise ValueError(f"未知的交纳方式：{paid_by}。可选：{choices}。") from exc
    citation = f"{DUES_RULES}第十四条"
    if payer == PaidBy.ORGANIZATION:
        message = "党组织或单位不得为党员代交党费，党费应由党员本人交纳。"
    elif payer == PaidBy.PAYROLL:
        message = "不得从党员工资中直接扣缴党费，党费应由党员本人主动交纳。"
    else:
        return []
    return [
        Finding(
            code="DUES-NO-ORG-PAY",
            severity=Severity.ERROR,
            message=message,
            citation=citation,
            data={"paid_by": payer.value},
        )
    ]
