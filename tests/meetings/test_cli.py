"""``dangwu rules compliance FILE.json``: JSON out, exit codes 0 / 1 / 2. No database."""

import argparse
import datetime as dt
import io
import json
from io import StringIO

import pytest

from dangwu.core import rules_cli
from dangwu.meetings.cli import add_compliance

BRANCH_RULES = "《中国共产党支部工作条例（试行）》"


def run(*argv):
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="rule")
    add_compliance(sub)
    args = parser.parse_args(["compliance", *argv])
    out = StringIO()

    code = rules_cli.run(args, out=out)

    return code, out.getvalue()


def year_of_meetings(groups=()):
    """Every meeting of 2025, on the 15th of each month."""
    meetings = []
    for month in range(1, 13):
        d = f"2025-{month:02d}-15"
        meetings += [{"kind": "theme_day", "date": d}, {"kind": "committee_meeting", "date": d}]
        meetings += [{"kind": "group_meeting", "date": d, "group": g} for g in groups]
        if month % 3 == 0:
            meetings += [
                {"kind": "general_meeting", "date": d, "group": None},
                {"kind": "party_lecture", "date": d, "by_secretary": month == 3},
            ]
    meetings.append({"kind": "org_life_meeting", "date": "2025-12-20", "includes_appraisal": True})
    return meetings


@pytest.fixture
def write(tmp_path):
    def write(data, name="year.json"):
        path = tmp_path / name
        text = data if isinstance(data, str | bytes) else json.dumps(data, ensure_ascii=False)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        return str(path)

    return write


def document(meetings, today="2026-01-01", groups=(), has_committee=True):
    return {
        "org": {"kind": "branch", "has_committee": has_committee, "groups": list(groups)},
        "year": 2025,
        "today": today,
        "meetings": meetings,
    }


def test_a_complete_year_exits_0_with_no_finding(write):
    path = write(document(year_of_meetings(["第一党小组"]), groups=["第一党小组"]))

    code, text = run(path)

    assert (code, text) == (0, '{\n  "findings": []\n}\n')


def test_missing_meetings_are_listed_exactly_and_exit_1(write):
    meetings = [
        m
        for m in year_of_meetings(["第一党小组"])
        if not (m["kind"] == "general_meeting" and m["date"] == "2025-06-15")
        and not (m.get("group") == "第一党小组" and m["date"] == "2025-07-15")
    ]
    path = write(document(meetings, today="2025-07-20", groups=["第一党小组"]))

    code, text = run(path)

    assert code == 1
    assert json.loads(text) == {
        "findings": [
            {
                "code": "LIFE-GENERAL-Q",
                "severity": "error",
                "period": "2025-Q2",
                "group": None,
                "message": (
                    "2025年第二季度未召开支部党员大会。党支部每季度至少召开1次支部党员大会。"
                ),
                "citation": f"{BRANCH_RULES}第十一条",
            },
            {
                "code": "LIFE-GENERAL-Q",
                "severity": "warning",
                "period": "2025-Q3",
                "group": None,
                "message": (
                    "2025年第三季度尚未召开支部党员大会，本季度到2025年9月30日结束。"
                    "党支部每季度至少召开1次支部党员大会。"
                ),
                "citation": f"{BRANCH_RULES}第十一条",
            },
            {
                "code": "LIFE-GROUP-M",
                "severity": "warning",
                "period": "2025-07",
                "group": "第一党小组",
                "message": (
                    "2025年7月党小组“第一党小组”尚未召开党小组会，本月到2025年7月31日结束。"
                    "每个党小组每月至少召开1次党小组会，由党小组长召集并主持。"
                ),
                "citation": f"{BRANCH_RULES}第十三、十四条",
            },
            {
                "code": "LIFE-LECTURE",
                "severity": "warning",
                "period": "2025-Q3",
                "group": None,
                "message": (
                    "2025年第三季度尚未上党课，本季度到2025年9月30日结束。"
                    "按本地规定，每季度至少上1次党课。"
                ),
                "citation": f"{BRANCH_RULES}第十六条；本地规定",
            },
            {
                "code": "LIFE-ORG-LIFE",
                "severity": "warning",
                "period": "2025",
                "group": None,
                "message": (
                    "2025年度尚未召开组织生活会，本年度到2025年12月31日结束。"
                    "党支部每年至少召开1次组织生活会，一般安排在第四季度。"
                ),
                "citation": f"{BRANCH_RULES}第十七条",
            },
            {
                "code": "LIFE-APPRAISAL",
                "severity": "warning",
                "period": "2025",
                "group": None,
                "message": (
                    "2025年度尚未开展民主评议党员，本年度到2025年12月31日结束。"
                    "党支部每年开展1次民主评议党员，可以结合组织生活会进行。"
                ),
                "citation": BRANCH_RULES,
            },
        ]
    }


def test_only_warnings_exit_0(write):
    path = write(document([], today="2025-01-10", has_committee=False))

    code, text = run(path)

    assert code == 0
    assert [(f["code"], f["period"], f["severity"]) for f in json.loads(text)["findings"]] == [
        ("LIFE-GENERAL-Q", "2025-Q1", "warning"),
        ("LIFE-LECTURE", "2025-Q1", "warning"),
        ("LIFE-LECTURE", "2025", "warning"),
        ("LIFE-THEME-DAY", "2025-01", "warning"),
        ("LIFE-ORG-LIFE", "2025", "warning"),
        ("LIFE-APPRAISAL", "2025", "warning"),
    ]


def test_an_inquorate_committee_meeting_from_the_file(write):
    meetings = [
        m for m in year_of_meetings() if m != {"kind": "committee_meeting", "date": "2025-02-15"}
    ]
    meetings.append(
        {
            "kind": "committee_meeting",
            "date": "2025-02-15",
            "committee_present": 2,
            "committee_size": 5,
        }
    )

    code, text = run(write(document(meetings)))

    assert code == 1
    assert [(f["code"], f["period"]) for f in json.loads(text)["findings"]] == [
        ("LIFE-COMMITTEE-M", "2025-02"),
        ("LIFE-COMMITTEE-M", "2025-02"),
    ]


def test_output_is_readable_chinese(write):
    path = write(document([], today="2025-01-10", has_committee=False))

    _, text = run(path)

    assert "党支部每季度至少召开1次支部党员大会" in text
    assert "\\u" not in text


def test_reads_standard_input(monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps(document(year_of_meetings()))))

    code, text = run("-")

    assert (code, json.loads(text)) == (0, {"findings": []})


def test_without_today_uses_the_clock(write, monkeypatch):
    monkeypatch.setattr("dangwu.core.clock.today", lambda: dt.date(2025, 1, 10))
    data = document([], has_committee=False)
    del data["today"]

    code, text = run(write(data))

    assert code == 0
    assert json.loads(text)["findings"][0]["period"] == "2025-Q1"


@pytest.mark.parametrize(
    ("content", "error"),
    [
        pytest.param(b"\xff\xfe", "不是 UTF-8 编码的文本", id="不是UTF-8 → 2"),
        pytest.param("{", "不是有效的 JSON（第1行第2列）", id="坏的JSON → 2"),
        pytest.param(
            "[]", "JSON 顶层应为对象，包含 org、year、today 和 meetings。", id="顶层不是对象 → 2"
        ),
        pytest.param(
            {"year": 2025, "today": "2025-01-01", "meetings": []},
            "缺少 org（党组织）对象。",
            id="缺少org → 2",
        ),
        pytest.param(
            {"org": {"kind": "club"}, "year": 2025, "today": "2025-01-01", "meetings": []},
            "未知的党组织类型：'club'。",
            id="未知的党组织类型 → 2",
        ),
        pytest.param(
            {"org": {"kind": "branch", "has_committee": "yes"}, "year": 2025},
            "org.has_committee 应为 true 或 false，实际为'yes'。",
            id="has_committee不是布尔值 → 2",
        ),
        pytest.param(
            {"org": {"kind": "branch"}, "year": "2025", "meetings": []},
            "year 应为年份（整数），实际为'2025'。",
            id="年份是文字 → 2",
        ),
        pytest.param(
            {"org": {"kind": "branch"}, "year": 2025, "today": "2025/07/01", "meetings": []},
            "today应为 YYYY-MM-DD 格式的日期，实际为'2025/07/01'。",
            id="today格式不对 → 2",
        ),
        pytest.param(
            {"org": {"kind": "branch"}, "year": 2025, "today": "2025-07-01", "meetings": {}},
            "meetings 应为会议的列表。",
            id="meetings不是列表 → 2",
        ),
        pytest.param(
            document([{"kind": "party", "date": "2025-03-01"}]),
            "第1个会议的会议类型未知：'party'。可选：general_meeting（支部党员大会）、"
            "committee_meeting（支委会）、group_meeting（党小组会）、party_lecture（党课）、"
            "theme_day（主题党日）、org_life_meeting（组织生活会）、appraisal（民主评议党员）、"
            "study_session（集中学习）。",
            id="未知的会议类型 → 2",
        ),
        pytest.param(
            document([{"kind": "theme_day", "date": "2025-02-30"}]),
            "第1个会议的日期应为 YYYY-MM-DD 格式的日期，实际为'2025-02-30'。",
            id="不存在的日期 → 2",
        ),
        pytest.param(
            document([{"kind": "theme_day", "date": "20250301"}]),
            "第1个会议的日期应为 YYYY-MM-DD 格式的日期，实际为'20250301'。",
            id="日期缺少连字符 → 2",
        ),
        pytest.param(
            document([{"kind": "group_meeting", "date": "2025-03-01", "group": "第九党小组"}]),
            "第1个会议（党小组会）的党小组'第九党小组'不在 org.groups 中。",
            id="党小组不在名单中 → 2",
        ),
        pytest.param(
            document([{"kind": "theme_day", "date": "2025-03-01", "place": "会议室"}]),
            "第1个会议有无法识别的字段：place。",
            id="无法识别的字段 → 2",
        ),
        pytest.param(
            document(
                [
                    {
                        "kind": "committee_meeting",
                        "date": "2025-03-01",
                        "committee_present": 6,
                        "committee_size": 5,
                    }
                ]
            ),
            "第1个会议：到会委员6人超过委员总数5人。",
            id="到会多于委员总数 → 2",
        ),
        pytest.param(
            document([{"kind": "party_lecture", "date": "2025-03-01", "by_secretary": "是"}]),
            "第1个会议的 by_secretary应为 true 或 false，实际为'是'。",
            id="by_secretary不是布尔值 → 2",
        ),
    ],
)
def test_unreadable_input_exits_2_with_a_chinese_error(write, content, error):
    code, text = run(write(content))

    assert code == 2
    payload = json.loads(text)
    assert list(payload) == ["error"]
    assert error in payload["error"]


def test_a_missing_file_exits_2(tmp_path):
    missing = tmp_path / "none.json"

    code, text = run(str(missing))

    assert (code, json.loads(text)) == (2, {"error": f"找不到文件 {missing}。"})
