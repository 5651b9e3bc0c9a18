"""What every development rule takes: the [local] settings, the context, the citations.

Shared by ``candidacy`` (stages 1–3) and ``admission`` (stages 4–5); ``rules`` runs them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from dangwu.core.findings import Finding, Severity
from dangwu.core.workcal import Calendar
from dangwu.development.timeline import Timeline
from dangwu.development.votes import PASS_CITATION, QUORUM_CITATION
from dangwu.members.rules import DEVELOPMENT_RULES, PARTY_CONSTITUTION

ERROR, WARNING, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO
LOCAL_RULES = "本地规定"
CALENDAR_SOURCE = "《全国年节及纪念日放假办法》；国务院办公厅当年节假日安排通知"

CITATIONS: Mapping[str, str] = {
    "DEV-AGE": f"{PARTY_CONSTITUTION}第一条；{DEVELOPMENT_RULES}第五条",
    "DEV-ORDER": DEVELOPMENT_RULES,
    "DEV-TALK-1M": f"{DEVELOPMENT_RULES}第七条",
    "DEV-APP-ACT": LOCAL_RULES,
    "DEV-RECOMMEND": f"{DEVELOPMENT_RULES}第八条",
    "DEV-LEAGUE": LOCAL_RULES,
    "DEV-CONTACTS": f"{DEVELOPMENT_RULES}第九条",
    "DEV-ASSESS-6M": f"{DEVELOPMENT_RULES}第十一条",
    "DEV-CULT-1Y": f"{DEVELOPMENT_RULES}第十三条",
    "DEV-INTRODUCERS": f"{DEVELOPMENT_RULES}第十四条；{PARTY_CONSTITUTION}第五条",
    "DEV-REVIEW": f"{DEVELOPMENT_RULES}第十六条",
    "DEV-TRAINING": f"{DEVELOPMENT_RULES}第十七条",
    "DEV-PUBLICITY": LOCAL_RULES,
    "CAL-DATA": CALENDAR_SOURCE,
    "DEV-PRE-REVIEW": f"{DEVELOPMENT_RULES}第十九条",
    "DEV-LEAVING-3M": f"{DEVELOPMENT_RULES}第十九条",
    "DEV-APPROVAL-3M": f"{DEVELOPMENT_RULES}第四章",
    "DEV-APPROVAL-TALK": f"{PARTY_CONSTITUTION}第五条",
    "DEV-PROBATION": f"{PARTY_CONSTITUTION}第七条；{DEVELOPMENT_RULES}第三十二条",
    "DEV-EXTENSION": f"{DEVELOPMENT_RULES}第三十二条",
    "DEV-CONVERSION": f"{DEVELOPMENT_RULES}第三十三条",
    "DEV-ARCHIVE": f"{DEVELOPMENT_RULES}第三十七条",
    "DEV-NO-RUSH": f"{DEVELOPMENT_RULES}第三条",
    "DEV-THOUGHT-REPORT": LOCAL_RULES,
    "VOTE-QUORUM": QUORUM_CITATION,
    "VOTE-PASS": PASS_CITATION,
}

RECOMMENDED_ZH = {
    "party_members": "党员推荐",
    "league": "共青团推优",
    "mass_organization": "群团组织推优",
}
ORG_ZH = {"basic_committee": "基层党委", "general_branch": "党总支", "branch": "党支部"}


@dataclass(frozen=True, slots=True)
class DevelopmentSettings:
    """The [local] values of DOMAIN.md §5 with their defaults."""

    app_to_activist_months: int = 6  # DEV-APP-ACT; 0 switches the rule off
    publicity_working_days: int = 5  # DEV-PUBLICITY; 0 = no publicity required
    league_age: int = 28  # DEV-LEAGUE
    thought_report_quarterly: bool = True  # DEV-THOUGHT-REPORT
    approval_redo_months: int = 6  # DEV-APPROVAL-3M: past this the admission is redone

    def __post_init__(self) -> None:
        for name in ("app_to_activist_months", "publicity_working_days", "league_age"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} 不能为负数。")
        if self.approval_redo_months < 3:
            raise ValueError("approval_redo_months 不能少于3个月（细则规定的审批期限）。")


DEFAULT = DevelopmentSettings()


@dataclass(frozen=True, slots=True)
class RuleContext:
    today: dt.date
    settings: DevelopmentSettings
    calendar: Calendar


Rule = Callable[[Timeline, RuleContext], list[Finding]]


def make_finding(
    code: str,
    severity: Severity,
    step: str,
    message: str,
    due: dt.date | None = None,
    **data: Any,
) -> Finding:
    return Finding(
        code=code,
        severity=severity,
        message=message,
        citation=CITATIONS[code],
        subject=step,
        due=due,
        data=data,
    )
