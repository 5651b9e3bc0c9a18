"""Money: ``Decimal`` yuan with two places, rounded half-up. Never a float.

``quantize_money`` is the one rounding helper (STYLE.md "Money"; DUES-ROUND [local]):
amounts are computed exactly and rounded once, half-up, to the unit — the fen (0.01) by
default, or the jiao (0.10) where local practice says so. The result always has two
decimal places, so it fits ``DecimalField(max_digits=12, decimal_places=2)``.

``parse_money`` reads an amount as a person types it ("4567", "4,567.00", "¥4567") and
refuses, with a Chinese message, anything that is not a non-negative amount in fen.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

FEN = Decimal("0.01")
JIAO = Decimal("0.10")

# Plain digits, or digits grouped by commas in threes; at most two decimals.
# ASCII digits only: ``\d`` would accept full-width and other Unicode digits.
_PLAIN = re.compile(r"[0-9]+(?:\.[0-9]{1,2})?")
_GROUPED = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]{1,2})?")
_TOO_PRECISE = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})*\.[0-9]{3,}|[0-9]+\.[0-9]{3,}")
_CURRENCY_SIGNS = ("¥", "￥")
_MINUS_SIGNS = ("-", "−", "－")


def _to_decimal(value: Decimal | int | str, what: str) -> Decimal:
    # bool is an int; a float has already lost the exact value: refuse both.
    if isinstance(value, bool | float) or not isinstance(value, Decimal | int | str):
        raise TypeError(f"{what}须为 Decimal、整数或字符串，不能是 {type(value).__name__}。")
    try:
        result = Decimal(value)
    except InvalidOperation as exc:
        raise ValueError(f"{what}不是有效的数字：{value!r}。") from exc
    if not result.is_finite():
        raise ValueError(f"{what}不是有效的数字：{value!r}。")
    return result


def quantize_money(value: Decimal | int | str, unit: Decimal | str = "0.01") -> Decimal:
    """``value`` rounded half-up to a multiple of ``unit``, with two decimal places.

    ``unit`` is a positive multiple of the fen: ``"0.01"`` (fen) or ``"0.10"`` (jiao).
    ``30.015`` → ``30.02`` at the fen; ``30.05`` → ``30.10`` and ``30.04`` → ``30.00``
    at the jiao. Half-up rounds away from zero, so ``-0.005`` → ``-0.01``.
    """
    amount = _to_decimal(value, "金额")
    step = _to_decimal(unit, "舍入单位")
    if step <= 0 or step % FEN != 0:
        raise ValueError(f"舍入单位应为0.01元的正整数倍（如0.01或0.10），实际为{unit}。")
    units = (amount / step).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return (units * step).quantize(FEN)


def parse_money(text: str, *, label: str = "金额") -> Decimal:
    """An amount typed by a person, as ``Decimal`` yuan with two places.

    Accepts ``"4567"``, ``"4567.5"``, ``"4,567.00"``, ``"¥4567"`` / ``"￥4567"`` and a
    trailing ``"元"``, with surrounding spaces. Refuses (``ValueError``, Chinese message)
    an empty text, a negative amount, more than two decimal places, commas not grouped
    in threes, exponents, ``NaN``/``Infinity`` and anything else that is not an amount.
    Never passes through ``float``: ``"0.1"`` is exactly ``Decimal("0.10")``. ``label``
    names the amount in the messages (``"缴费基数不能为负数：-100。"``).
    """
    if not isinstance(text, str):
        raise TypeError(f"{label}须以文本给出，不能是 {type(text).__name__}。")
    cleaned = text.strip()
    if cleaned.endswith("元"):
        cleaned = cleaned[:-1].rstrip()
    negative = False
    for _ in range(2):  # "-¥4567" and "¥-4567" are both negative
        if cleaned.startswith(_MINUS_SIGNS):
            negative = True
            cleaned = cleaned[1:].lstrip()
        if cleaned.startswith(_CURRENCY_SIGNS):
            cleaned = cleaned[1:].lstrip()
    if not cleaned:
        raise ValueError(f"请填写{label}。")
    if negative:
        raise ValueError(f"{label}不能为负数：{text.strip()}。")
    if _TOO_PRECISE.fullmatch(cleaned):
        raise ValueError(f"{label}最多保留两位小数（精确到分）：{text.strip()}。")
    if not (_PLAIN.fullmatch(cleaned) or _GROUPED.fullmatch(cleaned)):
        raise ValueError(f"{label}格式不正确：{text.strip()}。请填写如 4567、4567.50 或 4,567.00。")
    return Decimal(cleaned.replace(",", "")).quantize(FEN)
