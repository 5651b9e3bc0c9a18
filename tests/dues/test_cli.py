"""``dangwu rules dues``: JSON out, exit 0 on a result, exit 2 on bad input. No database."""

import argparse
import json
from io import StringIO

import pytest

from dangwu.core import rules_cli
from dangwu.dues.cli import add_dues

RULES = "《关于中国共产党党费收缴、使用和管理的规定》（中组发〔2008〕3号）"


def run_dues(*argv):
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="rule")
    add_dues(sub)
    args = parser.parse_args(["dues", *argv])
    out = StringIO()

    code = rules_cli.run(args, out=out)

    return code, out.getvalue()


def test_employee_dues_as_json():
    code, text = run_dues("--category", "employee", "--base", "4567")

    assert code == 0
    assert json.loads(text) == {
        "amount": "45.67",
        "rate": "0.01",
        "code": "DUES-EMPLOYEE",
        "citation": f"{RULES}第一、二条",
    }


def test_output_is_readable_chinese_json():
    _, text = run_dues("--category", "retiree", "--base", "6000")

    assert text == (
        "{\n"
        '  "amount": "60.00",\n'
        '  "rate": "0.01",\n'
        '  "code": "DUES-RETIREE",\n'
        f'  "citation": "{RULES}第五条"\n'
        "}\n"
    )


@pytest.mark.parametrize(
    ("base", "amount", "rate"),
    [
        pytest.param("3000", "15.00", "0.005", id="基数3000元→15.00元"),
        pytest.param("3,000.01", "30.00", "0.01", id="千分位基数3000.01元→30.00元"),
        pytest.param("¥12000", "240.00", "0.02", id="带人民币符号的基数12000元→240.00元"),
        pytest.param("3001.5", "30.02", "0.01", id="30.015元四舍五入→30.02元"),
    ],
)
def test_base_as_people_type_it(base, amount, rate):
    code, text = run_dues("--category", "employee", "--base", base)

    assert code == 0
    assert (json.loads(text)["amount"], json.loads(text)["rate"]) == (amount, rate)


def test_student_needs_no_base_and_has_no_rate():
    code, text = run_dues("--category", "student")

    assert code == 0
    assert json.loads(text) == {
        "amount": "0.20",
        "rate": None,
        "code": "DUES-LOW",
        "citation": f"{RULES}第六条",
    }


def test_farmer_with_a_fixed_amount():
    code, text = run_dues("--category", "farmer", "--fixed", "0.5")

    assert code == 0
    assert json.loads(text) == {
        "amount": "0.50",
        "rate": None,
        "code": "DUES-FARMER",
        "citation": f"{RULES}第六条",
    }


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        pytest.param(
            ("--category", "employee", "--base", "-100"),
            "缴费基数不能为负数：-100。",
            id="负数基数",
        ),
        pytest.param(
            ("--category", "employee", "--base", "abc"),
            "缴费基数格式不正确：abc。请填写如 4567、4567.50 或 4,567.00。",
            id="非数字基数",
        ),
        pytest.param(
            ("--category", "employee", "--base", "4567.005"),
            "缴费基数最多保留两位小数（精确到分）：4567.005。",
            id="基数三位小数",
        ),
        pytest.param(
            ("--category", "employee"),
            "在职职工须提供缴费基数。",
            id="缺少基数",
        ),
        pytest.param(
            ("--category", "farmer"),
            "农民党员每月交纳党费0.20元至1.00元，具体金额由党支部确定，须提供该金额。",
            id="农民缺少固定金额",
        ),
        pytest.param(
            ("--category", "farmer", "--fixed", "0.19"),
            "农民党员每月交纳党费0.20元至1.00元，0.19元超出了这一范围。",
            id="农民固定金额0.19元",
        ),
        pytest.param(
            ("--category", "farmer", "--fixed", "1.01"),
            "农民党员每月交纳党费0.20元至1.00元，1.01元超出了这一范围。",
            id="农民固定金额1.01元",
        ),
        pytest.param(
            ("--category", "employee", "--base", "4567", "--fixed", "0.50"),
            "在职职工的党费不是固定金额，只有农民党员由党支部确定固定金额。",
            id="非农民给出固定金额",
        ),
    ],
)
def test_bad_input_exits_2_with_a_chinese_message(argv, message):
    code, text = run_dues(*argv)

    assert code == 2
    assert json.loads(text) == {"error": message}


def test_unknown_category_exits_2_and_lists_the_categories():
    code, text = run_dues("--category", "worker", "--base", "4567")

    assert code == 2
    assert json.loads(text) == {
        "error": (
            "未知的党费缴纳类别：worker。可选：employee（在职职工）、annual_salary（年薪制人员）、"
            "self_employed（无固定工资收入人员）、retiree（离退休人员）、farmer（农民）、"
            "student（学生）、unemployed（下岗失业人员）、relief（依靠救济或低保生活人员）。"
        )
    }
