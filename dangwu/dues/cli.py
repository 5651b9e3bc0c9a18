"""``dangwu rules dues``: a month's dues for a category and a base, as JSON.

Registered by ``dangwu.core.rules_cli`` like ``idcard``: ``add_dues(sub)`` adds the
subparser and sets ``handler``, which returns ``(payload, exit_code)``. Every bad input
(a negative or non-numeric amount, an unknown category, a farmer without an amount in
0.20–1.00) raises ``rules_cli.UsageError``, so it is exit 2 with ``{"error": "…"}``
rather than argparse's English message.
"""

from __future__ import annotations

import argparse
from decimal import Decimal
from typing import Any

from dangwu.core import rules_cli
from dangwu.core.money import parse_money
from dangwu.dues.rules import CATEGORY_ZH, monthly_dues


def _money_or_none(text: str | None, label: str) -> Decimal | None:
    if text is None:
        return None
    try:
        return parse_money(text, label=label)
    except ValueError as exc:
        raise rules_cli.UsageError(str(exc)) from exc


def _dues(args: argparse.Namespace) -> tuple[dict[str, Any], int]:
    base = _money_or_none(args.base, "缴费基数")
    fixed = _money_or_none(args.fixed, "农民党员的党费金额")
    try:
        result = monthly_dues(args.category, base, fixed=fixed)
    except ValueError as exc:
        raise rules_cli.UsageError(str(exc)) from exc
    return result.as_dict(), 0


def add_dues(sub: argparse._SubParsersAction) -> None:
    categories = "、".join(f"{key}（{label}）" for key, label in CATEGORY_ZH.items())
    p = sub.add_parser(
        "dues",
        help="按党费规定计算每月应交党费：输出金额、比例、规则代码与依据",
    )
    # Plain strings, checked by the handler: a bad value is exit 2 with a JSON message.
    p.add_argument("--category", required=True, help=f"党费缴纳类别：{categories}")
    p.add_argument(
        "--base",
        default=None,
        help="月缴费基数（元），如 4567、4567.50、4,567.00 或 ¥4567；按比例交纳的类别必填",
    )
    p.add_argument("--fixed", default=None, help="农民党员由党支部确定的每月金额（0.20–1.00元）")
    p.set_defaults(handler=_dues)
