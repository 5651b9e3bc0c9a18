"""``dangwu rules compliance FILE.json``: a branch's year of organizational life, as JSON.

Registered by ``dangwu.core.rules_cli`` like the other subcommands: ``add_compliance(sub)``
adds the subparser and sets ``handler``, which returns ``(payload, exit_code)``.

Input (``-`` reads standard input)::

    {"org": {"kind": "branch", "has_committee": true, "groups": ["第一党小组"]},
     "year": 2025, "today": "2025-07-01",
     "meetings": [{"kind": "general_meeting", "date": "2025-03-28", "group": null}]}

A meeting may also give ``committee_present`` and ``committee_size`` (committee meetings),
``by_secretary`` (party lectures) and ``includes_appraisal`` (organizational life
meetings). Without ``today`` the clock is read. Output:
``{"findings": [{"code", "severity", "period", "group", "message", "citation"}]}``.
Exit 0 = no error-level finding, 1 = at least one, 2 = the file cannot be read or does not
describe a year (``{"error": "…"}`` in Chinese).
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
from typing import Any

from dangwu.core import rules_cli
from dangwu.core.findings import Finding, errors
from dangwu.meetings.choices import MeetingKind
from dangwu.meetings.rules import MEETING_KIND_ZH, MeetingFacts, OrgFacts, compliance_findings

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_MEETING_KEYS = frozenset(
    {
        "kind",
        "date",
        "group",
        "committee_present",
        "committee_size",
        "by_secretary",
        "includes_appraisal",
    }
)


def finding_json(f: Finding) -> dict[str, Any]:
    return {
        "code": f.code,
        "severity": str(f.severity),
        "period": f.data.get("period"),
        "group": f.data.get("group"),
        "message": f.message,
        "citation": f.citation,
    }


def _date(value: Any, where: str) -> dt.date:
    # Python 3.11's fromisoformat also takes 20250301 and 2025-W10-1: insist on the one form.
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise rules_cli.UsageError(f"{where}应为 YYYY-MM-DD 格式的日期，实际为{value!r}。")


def _optional_int(value: Any, where: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise rules_cli.UsageError(f"{where}应为整数，实际为{value!r}。")
    return value


def _optional_bool(value: Any, where: str) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    raise rules_cli.UsageError(f"{where}应为 true 或 false，实际为{value!r}。")


def _org(data: Any) -> OrgFacts:
    if not isinstance(data, dict):
        raise rules_cli.UsageError("缺少 org（党组织）对象。")
    has_committee = data.get("has_committee", False)
    if not isinstance(has_committee, bool):
        raise rules_cli.UsageError(
            f"org.has_committee 应为 true 或 false，实际为{has_committee!r}。"
        )
    groups = data.get("groups") or []
    if not isinstance(groups, list):
        raise rules_cli.UsageError("org.groups 应为党小组名称的列表。")
    try:
        return OrgFacts(kind=data.get("kind"), has_committee=has_committee, groups=tuple(groups))
    except ValueError as exc:
        raise rules_cli.UsageError(str(exc)) from exc


def _meeting(index: int, data: Any, org: OrgFacts) -> MeetingFacts:
    where = f"第{index}个会议"
    if not isinstance(data, dict):
        raise rules_cli.UsageError(f"{where}应为对象。")
    unknown = sorted(set(data) - _MEETING_KEYS)
    if unknown:
        raise rules_cli.UsageError(f"{where}有无法识别的字段：{'、'.join(unknown)}。")
    kind = data.get("kind")
    if kind not in MEETING_KIND_ZH:
        kinds = "、".join(f"{k.value}（{MEETING_KIND_ZH[k]}）" for k in MeetingKind)
        raise rules_cli.UsageError(f"{where}的会议类型未知：{kind!r}。可选：{kinds}。")
    group = data.get("group")
    if kind == MeetingKind.GROUP_MEETING and group not in org.groups:
        # In a file, an unknown group is a typo: the rules would silently not count it.
        raise rules_cli.UsageError(f"{where}（党小组会）的党小组{group!r}不在 org.groups 中。")
    try:
        return MeetingFacts(
            kind=kind,
            date=_date(data.get("date"), f"{where}的日期"),
            group=group if kind == MeetingKind.GROUP_MEETING else None,
            committee_present=_optional_int(
                data.get("committee_present"), f"{where}的到会委员人数"
            ),
            committee_size=_optional_int(data.get("committee_size"), f"{where}的委员总数"),
            by_secretary=_optional_bool(data.get("by_secretary"), f"{where}的 by_secretary"),
            includes_appraisal=bool(
                _optional_bool(data.get("includes_appraisal"), f"{where}的 includes_appraisal")
            ),
        )
    except ValueError as exc:
        raise rules_cli.UsageError(f"{where}：{exc}") from exc


def _compliance(args: argparse.Namespace) -> tuple[dict[str, Any], int]:
    data = rules_cli.read_json(args.file)
    if not isinstance(data, dict):
        raise rules_cli.UsageError("JSON 顶层应为对象，包含 org、year、today 和 meetings。")
    org = _org(data.get("org"))
    year = data.get("year")
    if isinstance(year, bool) or not isinstance(year, int) or not 1 <= year <= 9998:
        raise rules_cli.UsageError(f"year 应为年份（整数），实际为{year!r}。")
    if data.get("today") is not None:
        today = _date(data["today"], "today")
    else:
        from dangwu.core.clock import today as clock_today  # reads the clock: needs settings

        today = clock_today()
    meetings = data.get("meetings", [])
    if not isinstance(meetings, list):
        raise rules_cli.UsageError("meetings 应为会议的列表。")
    facts = [_meeting(i, m, org) for i, m in enumerate(meetings, start=1)]
    findings = compliance_findings(org=org, year=year, today=today, meetings=facts)
    payload = {"findings": [finding_json(f) for f in findings]}
    return payload, 1 if errors(findings) else 0


def add_compliance(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "compliance",
        help=(
            "检查党支部一年的组织生活（三会一课、主题党日、组织生活会、民主评议）："
            "输出按期间的问题清单（LIFE-*）"
        ),
    )
    p.add_argument("file", help="JSON 文件（- 表示标准输入）：org、year、today、meetings")
    p.set_defaults(handler=_compliance)
