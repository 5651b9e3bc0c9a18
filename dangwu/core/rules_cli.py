"""``dangwu rules …``: the pure rule functions on JSON in, JSON out.

A stable, documented interface for integration and for checking a calculation. Each
subcommand prints one JSON object on standard output. Exit codes: 0 = valid / no
error-level finding, 1 = the input breaks a rule, 2 = the input could not be read.
Later capabilities add their own subcommands in ``_subcommands``.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from dangwu.core.clock import today as _today
from dangwu.core.idcard import check_id_number

Handler = Callable[[argparse.Namespace], tuple[dict[str, Any], int]]


class UsageError(Exception):
    """Bad input for a rules subcommand: exit 2 with a Chinese message."""


def read_json(name: str) -> Any:
    """The JSON document in file ``name`` (``-`` = standard input); unreadable → exit 2."""
    try:
        text = sys.stdin.read() if name == "-" else Path(name).read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise UsageError(f"找不到文件 {name}。") from exc
    except UnicodeDecodeError as exc:
        raise UsageError(f"文件 {name} 不是 UTF-8 编码的文本。") from exc
    except OSError as exc:
        raise UsageError(f"无法读取文件 {name}（{exc.strerror}）。") from exc
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(
            f"文件 {name} 不是有效的 JSON（第{exc.lineno}行第{exc.colno}列）：{exc.msg}"
        ) from exc


def _idcard(args: argparse.Namespace) -> tuple[dict[str, Any], int]:
    result = check_id_number(args.number, today=args.today or _today())
    return result.as_dict(), 0 if result.valid else 1


def _add_idcard(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "idcard",
        help="校验公民身份号码（GB 11643）：输出规范化号码、出生日期、性别与问题清单",
    )
    p.add_argument("number", help="18位或旧式15位身份证号码（末位x不区分大小写）")
    p.add_argument("--today", type=_date_arg, default=None, help="以该日期为今天（YYYY-MM-DD）")
    p.set_defaults(handler=_idcard)


def _date_arg(value: str):
    import datetime as dt

    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"日期格式应为 YYYY-MM-DD：{value}") from exc


def _subcommands() -> list[Callable[[argparse._SubParsersAction], None]]:
    """Each function adds one subparser and sets ``handler`` on it."""
    from dangwu.core.workcal_cli import add_is_workday, add_workdays
    from dangwu.development.cli import add_timeline, add_vote
    from dangwu.dues.cli import add_dues
    from dangwu.meetings.cli import add_compliance

    return [
        _add_idcard,
        add_workdays,
        add_is_workday,
        add_timeline,
        add_vote,
        add_dues,
        add_compliance,
    ]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="rule", metavar="RULE", required=True)
    for add in _subcommands():
        add(sub)


def run(args: argparse.Namespace, out=None) -> int:
    out = out or sys.stdout
    try:
        payload, code = args.handler(args)
    except UsageError as exc:
        payload, code = {"error": str(exc)}, 2
    out.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
    return code
