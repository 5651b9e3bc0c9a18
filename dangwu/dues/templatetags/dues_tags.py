"""Template filters of the dues pages."""

from __future__ import annotations

from decimal import Decimal

from django import template

from dangwu.dues import rules
from dangwu.dues.ledger import zh_month

register = template.Library()


@register.filter
def rate_percent(rate: Decimal | None) -> str:
    """A stored rate as the regulation writes it: ``0.0150`` → ``1.5%``; none → ``""``."""
    if rate is None:
        return ""
    return f"{(Decimal(rate) * 100).normalize():f}%"


@register.filter
def month_zh(month) -> str:
    """``date(2026, 11, 1)`` → ``2026年11月``; none → ``""``."""
    return zh_month(month) if month else ""


@register.filter
def rule_citation(base) -> str:
    """The article a ``DuesBase``'s amount follows (the row stores only the rule's code)."""
    if base is None:
        return ""
    try:
        return rules.monthly_dues(base.category, base.base, fixed=base.fixed_amount).citation
    except (ValueError, TypeError):
        return ""
