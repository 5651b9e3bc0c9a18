"""``dangwu rules timeline`` and ``dangwu rules vote``: the development rules on JSON.

Registered in ``rules_cli.SUBCOMMANDS``. Exit codes as for every rules subcommand: 0 = no
error-level finding (the vote passed), 1 = an error-level finding (the vote failed),
2 = unreadable input.
"""

from __future__ import annotations

import argparse
from typing import Any

from dangwu.core import rules_cli
from dangwu.core.findings import Finding, errors
from dangwu.development.rules import TimelineError, check_timeline
from dangwu.development.votes import vote_result


def finding_json(f: Finding) -> dict[str, Any]:
    return {
        "code": f.code,
        "severity": str(f.severity),
        "step": f.subject,
        "message": f.message,
        "citation": f.citation,
        "due": f.due.isoformat() if f.due else None,
    }


def _timeline(args: argparse.Namespace) -> tuple[dict[str, Any], int]:
    data = rules_cli.read_json(args.file)
    if args.today is None:
        from dangwu.core.clock import today  # reads the clock: needs Django settings

        args.today = today()
    from dangwu.core.workcal_db import calendar_or_shipped  # DB years when reachable

    try:
        findings = check_timeline(data, today=args.today, calendar=calendar_or_shipped())
    except TimelineError as exc:
        raise rules_cli.UsageError(exc.message) from exc
    payload = {"findings": [finding_json(f) for f in findings]}
    return payload, 1 if errors(findings) else 0


def count_arg(text: str, label: str) -> int:
    """A count given on the command line; a bad one is exit 2 in Chinese, not argparse's
    English message."""
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise rules_cli.UsageError(f"{label}应为不小于0的整数，实际为{text}。")
    return value


def _vote(args: argparse.Namespace) -> tuple[dict[str, Any], int]:
    counts = (
        count_arg(args.should_attend, "应到会人数"),
        count_arg(args.present, "实到会人数"),
        count_arg(args.in_favour, "赞成票数"),
        count_arg(args.written_in_favour, "书面赞成意见数"),
    )
    try:
        result = vote_result(*counts)
    except ValueError as exc:
        raise rules_cli.UsageError(str(exc)) from exc
    payload = {
        "quorate": result.quorate,
        "passed": result.passed,
        "findings": [finding_json(f) for f in result.findings],
    }
    return payload, 0 if result.passed else 1


def add_timeline(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "timeline",
        help="检查发展党员时间线（DOMAIN.md §5 的 JSON 格式）：输出问题清单（DEV-*、VOTE-*）",
    )
    p.add_argument("file", help="时间线 JSON 文件（- 表示标准输入）")
    p.add_argument(
        "--today", type=rules_cli._date_arg, default=None, help="以该日期为今天（YYYY-MM-DD）"
    )
    p.set_defaults(handler=_timeline)


def add_vote(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "vote",
        help="支部大会表决：实到人数和赞成票（含书面意见）是否都超过应到会有表决权党员的半数",
    )
    p.add_argument("--should-attend", required=True, help="应到会有表决权的正式党员人数")
    p.add_argument("--present", required=True, help="实到会有表决权的党员人数")
    p.add_argument("--in-favour", required=True, help="会上赞成票数")
    p.add_argument(
        "--written-in-favour",
        default="0",
        help="会前正式提交的书面赞成意见数（不能到会的有表决权党员）",
    )
    p.set_defaults(handler=_vote)
