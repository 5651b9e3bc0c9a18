import json

import pytest
from django.core.management import CommandError, call_command


def run_rules(*args):
    from io import StringIO

    out = StringIO()
    code = 0
    try:
        call_command("rules", *args, stdout=out)
    except SystemExit as exc:
        code = exc.code
    return code, json.loads(out.getvalue())


def test_idcard_valid_lower_case_x_is_normalized():
    code, payload = run_rules("idcard", "11010519491231002x", "--today", "2026-11-22")

    assert code == 0
    assert payload == {
        "valid": True,
        "normalized": "11010519491231002X",
        "birth_date": "1949-12-31",
        "sex": "female",
        "findings": [],
    }


def test_idcard_fifteen_digits_are_upgraded():
    code, payload = run_rules("idcard", "440524800101001", "--today", "2026-11-22")

    assert code == 0
    assert payload["normalized"] == "440524198001010013"
    assert payload["sex"] == "male"


def test_idcard_wrong_check_character_exits_1_with_finding():
    code, payload = run_rules("idcard", "110105194912310021", "--today", "2026-11-22")

    assert code == 1
    assert payload["valid"] is False
    assert payload["findings"] == [
        {
            "code": "ID-CHECK",
            "severity": "error",
            "message": "身份证号码第18位校验码应为X，实际为1。",
            "citation": "GB 11643-1999 公民身份号码",
            "subject": "id_number",
        }
    ]


def test_rules_needs_no_database():
    # No django_db mark: any query would raise "Database access not allowed".
    code, _ = run_rules("idcard", "440524188001010014", "--today", "2026-11-22")
    assert code == 0


def test_bad_date_argument_is_a_usage_error():
    with pytest.raises(CommandError, match="日期格式应为 YYYY-MM-DD：2026-13-01"):
        call_command("rules", "idcard", "440524188001010014", "--today", "2026-13-01")
