"""ID-CHECK and ID-CONSISTENT (GB 11643-1999 公民身份号码)."""

import datetime as dt

import pytest

from dangwu.core.findings import Finding, Severity
from dangwu.core.idcard import (
    CITATION,
    IdCardResult,
    check_consistency,
    check_id_number,
    mask_id_number,
)

TODAY = dt.date(2025, 6, 1)


def _id_error(message: str) -> Finding:
    return Finding(
        code="ID-CHECK",
        severity=Severity.ERROR,
        message=message,
        citation=CITATION,
        subject="id_number",
    )


@pytest.mark.parametrize(
    ("number", "normalized", "birth_date", "sex"),
    [
        pytest.param(
            "11010519491231002X",
            "11010519491231002X",
            dt.date(1949, 12, 31),
            "female",
            id="校验码为X的女性号码",
        ),
        pytest.param(
            "440524188001010014",
            "440524188001010014",
            dt.date(1880, 1, 1),
            "male",
            id="1880年1月1日出生的男性号码",
        ),
        pytest.param(
            "11010519491231002x",
            "11010519491231002X",
            dt.date(1949, 12, 31),
            "female",
            id="小写x规范为大写X",
        ),
        pytest.param(
            "  11010519491231002X\n",
            "11010519491231002X",
            dt.date(1949, 12, 31),
            "female",
            id="去掉首尾空白",
        ),
        pytest.param(
            "110105491231002",
            "11010519491231002X",
            dt.date(1949, 12, 31),
            "female",
            id="旧式15位升级为18位",
        ),
        pytest.param(
            "110105194912310011",
            "110105194912310011",
            dt.date(1949, 12, 31),
            "male",
            id="顺序码为奇数是男性",
        ),
        pytest.param(
            "110105202506010010",
            "110105202506010010",
            TODAY,
            "male",
            id="今天出生 → 有效",
        ),
        pytest.param(
            "990000194912310034",
            "990000194912310034",
            dt.date(1949, 12, 31),
            "male",
            id="未知地区码也接受",
        ),
    ],
)
def test_check_id_number_accepts_valid_numbers(number, normalized, birth_date, sex):
    # given a well-formed number; when it is checked
    result = check_id_number(number, today=TODAY)

    # then it is valid, normalized, and birth date and sex are read from it
    assert result == IdCardResult(
        valid=True, normalized=normalized, birth_date=birth_date, sex=sex, findings=()
    )


@pytest.mark.parametrize(
    ("number", "normalized", "messages"),
    [
        pytest.param("", "", ["未填写身份证号码。"], id="未填写"),
        pytest.param(
            "11010519491231002",
            "11010519491231002",
            ["身份证号码应为18位（或旧式15位），当前为17位。"],
            id="17位",
        ),
        pytest.param(
            "11010519491231002X1",
            "11010519491231002X1",
            ["身份证号码应为18位（或旧式15位），当前为19位。"],
            id="19位",
        ),
        pytest.param(
            "11A10519491231002B",
            "11A10519491231002B",
            [
                "身份证号码含有非法字符：第3位“A”、第18位“B”；前17位只能是数字，第18位只能是数字或X。"
            ],
            id="号码中含有字母",
        ),
        pytest.param(
            "1101051949123100X2",
            "1101051949123100X2",
            ["身份证号码含有非法字符：第17位“X”；前17位只能是数字，第18位只能是数字或X。"],
            id="X不在第18位",
        ),
        pytest.param(
            "11010549123100X",
            "11010549123100X",
            ["身份证号码含有非法字符：第15位“X”；旧式15位号码只能由数字组成。"],
            id="旧式15位号码含有X",
        ),
        pytest.param(
            "110105194912310021",
            "110105194912310021",
            ["身份证号码第18位校验码应为X，实际为1。"],
            id="校验码错误",
        ),
        pytest.param(
            "110105199902300015",
            "110105199902300015",
            ["身份证号码中的出生日期19990230不是有效日期。"],
            id="2月30日不是有效日期",
        ),
        pytest.param(
            "110105990230001",
            "110105199902300015",
            ["身份证号码中的出生日期19990230不是有效日期。"],
            id="旧式15位号码的日期无效",
        ),
        pytest.param(
            "110105202506020016",
            "110105202506020016",
            ["身份证号码中的出生日期2025-06-02晚于今天（2025-06-01）。"],
            id="明天出生 → 无效",
        ),
        pytest.param(
            "110105187912310016",
            "110105187912310016",
            ["身份证号码中的出生日期1879-12-31早于1880-01-01。"],
            id="早于1880年",
        ),
        pytest.param(
            "010105194912310026",
            "010105194912310026",
            ["身份证号码的地区码不能以0开头。"],
            id="地区码以0开头",
        ),
        pytest.param(
            "110105199902300011",
            "110105199902300011",
            [
                "身份证号码中的出生日期19990230不是有效日期。",
                "身份证号码第18位校验码应为5，实际为1。",
            ],
            id="日期与校验码都错 → 两条",
        ),
    ],
)
def test_check_id_number_rejects_invalid_numbers(number, normalized, messages):
    # given a malformed number; when it is checked
    result = check_id_number(number, today=TODAY)

    # then it is invalid, nothing is derived from it, and each failure is an ID-CHECK error
    assert result == IdCardResult(
        valid=False,
        normalized=normalized,
        birth_date=None,
        sex=None,
        findings=tuple(_id_error(m) for m in messages),
    )


def test_id_card_result_as_dict():
    # given a valid and an invalid result
    valid = check_id_number("11010519491231002X", today=TODAY)
    invalid = check_id_number("110105194912310021", today=TODAY)

    # when / then both serialize to plain values
    assert valid.as_dict() == {
        "valid": True,
        "normalized": "11010519491231002X",
        "birth_date": "1949-12-31",
        "sex": "female",
        "findings": [],
    }
    assert invalid.as_dict() == {
        "valid": False,
        "normalized": "110105194912310021",
        "birth_date": None,
        "sex": None,
        "findings": [
            {
                "code": "ID-CHECK",
                "severity": "error",
                "message": "身份证号码第18位校验码应为X，实际为1。",
                "citation": "GB 11643-1999 公民身份号码",
                "subject": "id_number",
            }
        ],
    }


@pytest.mark.parametrize(
    ("birth_date", "sex", "expected"),
    [
        pytest.param(dt.date(1949, 12, 31), "female", [], id="出生日期与性别一致"),
        pytest.param(None, None, [], id="未填写 → 不比较"),
        pytest.param(
            dt.date(1950, 1, 1),
            None,
            [
                (
                    "birth_date",
                    "出生日期与身份证号码不一致：身份证为1949-12-31，填写为1950-01-01。",
                )
            ],
            id="出生日期不一致",
        ),
        pytest.param(
            None,
            "male",
            [("sex", "性别与身份证号码不一致：身份证为女，填写为男。")],
            id="性别不一致",
        ),
        pytest.param(
            dt.date(1950, 1, 1),
            "male",
            [
                (
                    "birth_date",
                    "出生日期与身份证号码不一致：身份证为1949-12-31，填写为1950-01-01。",
                ),
                ("sex", "性别与身份证号码不一致：身份证为女，填写为男。"),
            ],
            id="出生日期与性别都不一致",
        ),
    ],
)
def test_check_consistency(birth_date, sex, expected):
    # given a female number born 1949-12-31 and the recorded values
    # when they are compared
    findings = check_consistency("11010519491231002X", birth_date=birth_date, sex=sex)

    # then each disagreement is an ID-CONSISTENT error on the disagreeing field
    assert findings == [
        Finding(
            code="ID-CONSISTENT",
            severity=Severity.ERROR,
            message=message,
            citation=CITATION,
            subject=subject,
        )
        for subject, message in expected
    ]


def test_check_consistency_male_number_recorded_as_female():
    # given a male number; when it is compared with a recorded female sex
    findings = check_consistency("440524188001010014", birth_date=None, sex="female")

    # then the finding names both values
    assert [f.message for f in findings] == ["性别与身份证号码不一致：身份证为男，填写为女。"]


def test_check_consistency_ignores_an_unreadable_number():
    # given a number whose birth date cannot be read; when compared
    findings = check_consistency("110105199902300015", birth_date=TODAY, sex="male")

    # then nothing is reported: ID-CHECK covers the number itself
    assert findings == []


def test_check_consistency_rejects_an_unknown_sex_value():
    # given a sex value outside male/female; when compared; then it is a programming error
    with pytest.raises(ValueError, match="sex must be"):
        check_consistency("11010519491231002X", birth_date=None, sex="F")


@pytest.mark.parametrize(
    ("number", "masked"),
    [
        pytest.param("11010519491231002X", "110105********002X", id="18位保留前6后4"),
        pytest.param("11010519491231002x", "110105********002X", id="小写x"),
        pytest.param("110105491231002", "110105*****1002", id="旧式15位"),
        pytest.param("", "", id="空"),
        pytest.param("12345", "*****", id="过短则全部遮盖"),
    ],
)
def test_mask_id_number(number, masked):
    assert mask_id_number(number) == masked
