"""Geometry of the dues charts, drawn as SVG by a template (no JavaScript; prints in a PDF).

Pure: figures in, coordinates out. Coordinates are ``Decimal`` rounded to 0.1 px so that the
template prints them exactly; the money shown in the labels is the figures' own.
"""

from __future__ import annotations

from decimal import Decimal

from dangwu.dues.selectors import MonthFigures

BOX = {"width": 640, "height": 240, "left": 56, "right": 8, "top": 12, "bottom": 28}
PX = Decimal("0.1")


def nice_ceiling(v: Decimal) -> Decimal:
    """A round number not below ``v`` for the top grid line (its quarters stay round)."""
    unit = Decimal(10) ** v.adjusted()
    for step in ("1", "2", "2.5", "3", "4", "5", "6", "8"):
        if v <= Decimal(step) * unit:
            return Decimal(step) * unit
    return 10 * unit


def month_bars(months: list[MonthFigures]) -> dict | None:
    """Bars of assessed (应缴) and paid (实缴) per month; ``None`` when all are zero."""
    top = max([m.assessed for m in months] + [m.paid for m in months])
    if top <= 0:
        return None
    top = nice_ceiling(top)
    c = BOX
    plot_h = Decimal(c["height"] - c["top"] - c["bottom"])
    slot = Decimal(c["width"] - c["left"] - c["right"]) / len(months)
    bar_w = (slot * Decimal("0.36")).quantize(PX)
    base_y = c["height"] - c["bottom"]

    def bar(x: Decimal, value: Decimal, css: str, title: str) -> dict:
        h = (plot_h * value / top).quantize(PX)
        return {
            "x": x.quantize(PX),
            "y": base_y - h,
            "w": bar_w,
            "h": h,
            "css": css,
            "title": title,
        }

    bars, labels = [], []
    for i, m in enumerate(months):
        x0 = c["left"] + slot * i + (slot - 2 * bar_w) / 2
        name = f"{m.month.month}月"
        bars.append(bar(x0, m.assessed, "bar-assessed", f"{name}应缴 {m.assessed}元"))
        bars.append(bar(x0 + bar_w, m.paid, "bar-paid", f"{name}实缴 {m.paid}元"))
        labels.append({"x": (c["left"] + slot * i + slot / 2).quantize(PX), "text": name})
    grid = [{"y": (base_y - plot_h * k / 4).quantize(PX), "value": top * k / 4} for k in range(5)]
    return {
        **c,
        "bars": bars,
        "labels": labels,
        "grid": grid,
        "label_y": c["height"] - 8,
        "grid_x2": c["width"] - c["right"],
        "text_x": c["left"] - 6,
    }
