"""Money helpers: quantize_money (DUES-ROUND, half-up) and parse_money. No database."""

from decimal import Decimal

import pytest

from dangwu.core.money import FEN, JIAO, parse_money, quantize_money

D = Decimal


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        pytest.param(D("30.015"), "0.01", "30.02", id="恰好半分→进一分"),
        pytest.param(D("30.0149"), "0.01", "30.01", id="不足半分→舍去"),
        pytest.param(D("0.005"), "0.01", "0.01", id="0.005元→0.01元"),
        pytest.param(D("0.004"), "0.01", "0.00", id="0.004元→0.00元"),
        pytest.param(D("-0.005"), "0.01", "-0.01", id="负数半分→远离零"),
        pytest.param(D("45.67"), "0.10", "45.70", id="按角舍入：45.67→45.70"),
        pytest.param(D("30.05"), "0.10", "30.10", id="按角舍入：恰好半角→进一角"),
        pytest.param(D("30.04"), "0.10", "30.00", id="按角舍入：不足半角→舍去"),
        pytest.param(D("30.015"), "0.10", "30.00", id="按角舍入：不先按分舍入"),
        pytest.param(15, "0.01", "15.00", id="整数补足两位小数"),
        pytest.param("12.345", "0.01", "12.35", id="字符串按十进制精确舍入"),
        pytest.param(D("12.345"), D("0.01"), "12.35", id="舍入单位可为Decimal"),
    ],
)
def test_quantize_money_rounds_half_up_to_the_unit(value, unit, expected):
    result = quantize_money(value, unit)

    assert isinstance(result, Decimal)
    assert str(result) == expected


def test_quantize_money_default_unit_is_the_fen():
    assert str(quantize_money(D("2.675"))) == "2.68"  # the float 2.675 would round to 2.67


def test_fen_and_jiao_constants():
    assert (D("0.01"), D("0.10")) == (FEN, JIAO)


@pytest.mark.parametrize("value", [2.675, True, None, [1]])
def test_quantize_money_refuses_floats_and_non_numbers(value):
    with pytest.raises(TypeError, match="金额须为 Decimal、整数或字符串"):
        quantize_money(value)


@pytest.mark.parametrize("value", ["abc", "NaN", "Infinity"])
def test_quantize_money_refuses_text_that_is_not_a_number(value):
    with pytest.raises(ValueError, match="金额不是有效的数字"):
        quantize_money(value)


@pytest.mark.parametrize("unit", ["0.005", "0", "-0.01", "0.015"])
def test_quantize_money_refuses_a_unit_that_is_not_a_multiple_of_the_fen(unit):
    with pytest.raises(ValueError, match="舍入单位应为0.01元的正整数倍"):
        quantize_money(D("1"), unit)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("4567", "4567.00", id="整数"),
        pytest.param("4567.5", "4567.50", id="一位小数"),
        pytest.param("4567.05", "4567.05", id="两位小数"),
        pytest.param("4,567.00", "4567.00", id="千分位逗号"),
        pytest.param("1,234,567.89", "1234567.89", id="多组千分位"),
        pytest.param("¥4567", "4567.00", id="半角人民币符号"),
        pytest.param("￥4,567.5", "4567.50", id="全角人民币符号与千分位"),
        pytest.param(" 4567元 ", "4567.00", id="前后空格与单位元"),
        pytest.param("0", "0.00", id="零"),
        pytest.param("0.1", "0.10", id="0.1精确为一角"),
    ],
)
def test_parse_money_accepts_amounts_as_people_type_them(text, expected):
    result = parse_money(text)

    assert type(result) is Decimal
    assert str(result) == expected


def test_parse_money_float_like_strings_stay_exact():
    # 0.1 + 0.2 is 0.30000000000000004 in floats; parsed amounts add exactly.
    total = parse_money("0.1") + parse_money("0.2")

    assert type(total) is Decimal
    assert total == D("0.30")
    assert str(parse_money("4567.35") * D("0.01")) == "45.6735"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param("-100", "金额不能为负数：-100。", id="负数"),
        pytest.param("−100", "金额不能为负数：−100。", id="数学负号"),
        pytest.param("¥-100", "金额不能为负数：¥-100。", id="符号后负数"),
        pytest.param("-¥100", "金额不能为负数：-¥100。", id="符号前负数"),
        pytest.param("4567.005", "金额最多保留两位小数（精确到分）：4567.005。", id="三位小数"),
        pytest.param(
            "4,567.123", "金额最多保留两位小数（精确到分）：4,567.123。", id="千分位三位小数"
        ),
        pytest.param("", "请填写金额。", id="空白"),
        pytest.param("  ¥ ", "请填写金额。", id="只有符号"),
    ],
)
def test_parse_money_refuses_with_a_chinese_message(text, message):
    with pytest.raises(ValueError) as excinfo:
        parse_money(text)

    assert str(excinfo.value) == message


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("abc", id="文字"),
        pytest.param("1e3", id="科学计数法"),
        pytest.param("NaN", id="非数"),
        pytest.param("Infinity", id="无穷大"),
        pytest.param("45,67", id="千分位不足三位"),
        pytest.param("4567,00", id="逗号作小数点"),
        pytest.param("4567.", id="小数点后无数字"),
        pytest.param(".5", id="小数点前无数字"),
        pytest.param("+4567", id="正号"),
        pytest.param("４５６７", id="全角数字"),
        pytest.param("4 567", id="中间空格"),
    ],
)
def test_parse_money_refuses_non_numbers(text):
    with pytest.raises(ValueError) as excinfo:
        parse_money(text)

    assert str(excinfo.value) == (f"金额格式不正确：{text}。请填写如 4567、4567.50 或 4,567.00。")


def test_parse_money_label_names_the_amount_in_messages():
    with pytest.raises(ValueError) as excinfo:
        parse_money("-1", label="缴费基数")

    assert str(excinfo.value) == "缴费基数不能为负数：-1。"


@pytest.mark.parametrize("value", [4567.0, 4567, D("4567")])
def test_parse_money_takes_only_text(value):
    with pytest.raises(TypeError, match="金额须以文本给出"):
        parse_money(value)
