"""Rule PHONE: mainland mobiles and landlines."""

import pytest

from dangwu.core.findings import Finding, Severity
from dangwu.core.phone import check_phone, normalize_phone


@pytest.mark.parametrize(
    ("value", "normalized"),
    [
        pytest.param("13812345678", "13812345678", id="手机号"),
        pytest.param("+86 138 1234 5678", "13812345678", id="手机号带+86和空格"),
        pytest.param("86-138-1234-5678", "13812345678", id="手机号带86和短横线"),
        pytest.param("008613812345678", "13812345678", id="手机号带0086"),
        pytest.param(" 19912345678 ", "19912345678", id="手机号首尾空白"),
        pytest.param("010-12345678", "010-12345678", id="固话三位区号八位号码"),
        pytest.param("0755-1234567", "0755-1234567", id="固话四位区号七位号码"),
        pytest.param("0755-1234567-123", "0755-1234567-123", id="固话带分机号"),
        pytest.param("0755 1234567 转 123", "0755-1234567-123", id="分机号写作转"),
        pytest.param("(010)1234-5678", "010-12345678", id="区号带括号号码带短横线"),
        pytest.param("（010）1234 5678", "010-12345678", id="全角括号"),
        pytest.param("01012345678", "010-12345678", id="固话不带分隔符"),
        pytest.param("+86 10 12345678", "010-12345678", id="固话国际写法补0"),
        pytest.param("", "", id="未填写"),
    ],
)
def test_valid_numbers_are_normalized(value, normalized):
    # given a valid number; when normalized and checked
    # then it has the normal form and no finding
    assert (normalize_phone(value), check_phone(value)) == (normalized, [])


@pytest.mark.parametrize(
    ("value", "message"),
    [
        pytest.param("1381234567", "手机号码应为11位，当前为10位。", id="手机号少一位"),
        pytest.param("+86 138123456789", "手机号码应为11位，当前为12位。", id="手机号多一位"),
        pytest.param("12345678901", "手机号码第2位应为3至9，当前为2。", id="手机号第2位为2"),
        pytest.param(
            "010-02345678",
            "电话号码“010-02345678”格式不正确：手机号码应为以1开头的11位数字，"
            "固定电话应为“区号-号码”，如010-12345678、0755-1234567，可带分机号如-123。",
            id="固话号码以0开头",
        ),
        pytest.param(
            "0755-123456789",
            "电话号码“0755-123456789”格式不正确：手机号码应为以1开头的11位数字，"
            "固定电话应为“区号-号码”，如010-12345678、0755-1234567，可带分机号如-123。",
            id="固话号码过长",
        ),
        pytest.param(
            "电话待补",
            "电话号码“电话待补”格式不正确：手机号码应为以1开头的11位数字，"
            "固定电话应为“区号-号码”，如010-12345678、0755-1234567，可带分机号如-123。",
            id="不是号码",
        ),
    ],
)
def test_invalid_numbers_give_one_error(value, message):
    # given an invalid number; when checked
    findings = check_phone(value)

    # then there is one PHONE error, and normalizing leaves the cleaned input
    assert findings == [
        Finding(
            code="PHONE", severity=Severity.ERROR, message=message, citation="", subject="phone"
        )
    ]
    assert normalize_phone(value) == value.strip()


def test_check_phone_names_the_subject():
    # given a field name; when an invalid number is checked; then the finding names it
    findings = check_phone("123", subject="mobile")

    assert [f.subject for f in findings] == ["mobile"]
