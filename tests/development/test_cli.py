"""``dangwu rules timeline | vote | workdays | is-workday``: JSON out, exit codes 0 / 1 / 2."""

import argparse
import json
from io import StringIO

import pytest

from dangwu.core import rules_cli
from dangwu.core.workcal_cli import add_is_workday, add_workdays
from dangwu.development.cli import add_timeline, add_vote
from tests.development.helpers import DOMAIN_EXAMPLE, example_timeline


def run(*argv):
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="rule")
    for add in (add_timeline, add_vote, add_workdays, add_is_workday):
        add(sub)
    args = parser.parse_args(list(argv))
    out = StringIO()
    code = rules_cli.run(args, out=out)
    return code, json.loads(out.getvalue())


@pytest.fixture
def example_file(tmp_path):
    path = tmp_path / "timeline.json"
    path.write_text(DOMAIN_EXAMPLE, encoding="utf-8")
    return path


def test_timeline_of_the_domain_example_exits_1_with_the_introducer_error(example_file):
    code, payload = run("timeline", str(example_file), "--today", "2026-11-22")

    assert code == 1
    assert payload == {
        "findings": [
            {
                "code": "DEV-INTRODUCERS",
                "severity": "error",
                "step": "introducers",
                "message": (
                    "2021年4月25日确定入党介绍人时，第2名入党介绍人正在留党察看期内，"
                    "不能担任入党介绍人。"
                ),
                "citation": "《中国共产党发展党员工作细则》第十四条；《中国共产党章程》第五条",
                "due": None,
            }
        ]
    }


def test_timeline_with_only_warnings_exits_0(tmp_path):
    data = example_timeline()
    del data["steps"]["introducers"]["people"][1]["sanction"]
    del data["steps"]["conversion_approval"]
    del data["steps"]["archiving"]
    path = tmp_path / "t.json"
    path.write_text(json.dumps(data), encoding="utf-8")

    code, payload = run("timeline", str(path), "--today", "2022-09-11")

    assert code == 0
    assert payload["findings"] == [
        {
            "code": "DEV-CONVERSION",
            "severity": "warning",
            "step": "conversion_approval",
            "message": (
                "讨论转正的支部大会（2022年6月10日）已超过3个月，尚未经上级党委审批，"
                "应在2022年9月10日前审批。"
            ),
            "citation": "《中国共产党发展党员工作细则》第三十三条",
            "due": "2022-09-10",
        }
    ]


def test_timeline_without_today_uses_the_clock(example_file):
    code, payload = run("timeline", str(example_file))

    assert code == 1
    assert [f["code"] for f in payload["findings"]] == ["DEV-INTRODUCERS"]


@pytest.mark.parametrize(
    ("content", "error"),
    [
        pytest.param(None, "找不到文件 {path}。", id="文件不存在"),
        pytest.param(
            '{\n  "person": ',
            "文件 {path} 不是有效的 JSON（第2行第13列）：Expecting value",
            id="JSON无效",
        ),
        pytest.param(b"\xff\xfe", "文件 {path} 不是 UTF-8 编码的文本。", id="编码错误"),
        pytest.param(
            '{"person": {"birth_date": "2001-05-04"}, "steps": {"oath": {}}}',
            "缺少「steps.oath.date」（日期）。",
            id="时间线缺少日期",
        ),
    ],
)
def test_unreadable_timeline_exits_2(tmp_path, content, error):
    path = tmp_path / "t.json"
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content, encoding="utf-8")

    code, payload = run("timeline", str(path), "--today", "2026-11-22")

    assert code == 2
    assert payload == {"error": error.format(path=path)}


@pytest.mark.parametrize(
    ("argv", "code", "quorate", "passed", "codes"),
    [
        pytest.param(
            ["--should-attend", "25", "--present", "20", "--in-favour", "13"],
            0,
            True,
            True,
            [],
            id="过半数 → 通过",
        ),
        pytest.param(
            ["--should-attend", "24", "--present", "20", "--in-favour", "12"],
            1,
            True,
            False,
            ["VOTE-PASS"],
            id="恰好半数 → 不通过",
        ),
        pytest.param(
            [
                "--should-attend",
                "24",
                "--present",
                "20",
                "--in-favour",
                "12",
                "--written-in-favour",
                "1",
            ],
            0,
            True,
            True,
            [],
            id="书面意见计入 → 通过",
        ),
        pytest.param(
            ["--should-attend", "24", "--present", "12", "--in-favour", "12"],
            1,
            False,
            False,
            ["VOTE-QUORUM", "VOTE-PASS"],
            id="到会恰好半数 → 不能表决",
        ),
    ],
)
def test_vote(argv, code, quorate, passed, codes):
    exit_code, payload = run("vote", *argv)

    assert exit_code == code
    assert (payload["quorate"], payload["passed"]) == (quorate, passed)
    assert [f["code"] for f in payload["findings"]] == codes


def test_vote_finding_shape():
    _, payload = run("vote", "--should-attend", "24", "--present", "20", "--in-favour", "12")

    assert payload["findings"] == [
        {
            "code": "VOTE-PASS",
            "severity": "error",
            "step": "",
            "message": (
                "赞成票12票，恰好半数，未超过应到会有表决权的正式党员24人的半数"
                "（至少需要13票），未获通过。"
            ),
            "citation": "《中国共产党发展党员工作细则》第二十一条",
            "due": None,
        }
    ]


@pytest.mark.parametrize(
    ("argv", "error"),
    [
        pytest.param(
            ["--should-attend", "25", "--present", "26", "--in-favour", "20"],
            "实到会人数26超过应到会人数25。",
            id="实到多于应到",
        ),
        pytest.param(
            ["--should-attend", "25", "--present", "x", "--in-favour", "20"],
            "实到会人数应为不小于0的整数，实际为x。",
            id="人数不是数字",
        ),
        pytest.param(
            ["--should-attend", "25", "--present", "20", "--in-favour", "-1"],
            "赞成票数应为不小于0的整数，实际为-1。",
            id="负数",
        ),
    ],
)
def test_impossible_vote_exits_2(argv, error):
    code, payload = run("vote", *argv)

    assert code == 2
    assert payload == {"error": error}


def test_workdays_across_national_day_2025():
    code, payload = run("workdays", "--start", "2025-09-27", "--count", "5")

    assert code == 0
    assert payload == {
        "start": "2025-09-27",
        "count": 5,
        "end": "2025-10-10",
        "days": ["2025-09-28", "2025-09-29", "2025-09-30", "2025-10-09", "2025-10-10"],
    }


@pytest.mark.parametrize(
    ("day", "workday"),
    [
        pytest.param("2025-10-08", False, id="国庆假期"),
        pytest.param("2025-10-11", True, id="调休上班的星期六"),
    ],
)
def test_is_workday(day, workday):
    code, payload = run("is-workday", day)

    assert code == 0
    assert payload == {"date": day, "workday": workday}


@pytest.mark.parametrize(
    "argv",
    [
        pytest.param(["workdays", "--start", "2027-01-04", "--count", "3"], id="数工作日"),
        pytest.param(["is-workday", "2027-01-04"], id="是否工作日"),
    ],
)
def test_year_without_schedule_exits_2(argv):
    code, payload = run(*argv)

    assert code == 2
    assert payload == {"error": "未载入2027年节假日安排，无法计算工作日。"}


@pytest.mark.parametrize("count", ["0", "abc"], ids=["零个工作日", "不是数字"])
def test_workdays_bad_count_exits_2(count):
    code, payload = run("workdays", "--start", "2025-06-03", "--count", count)

    assert code == 2
    assert payload == {"error": f"工作日数应为不小于1的整数，实际为{count}。"}
