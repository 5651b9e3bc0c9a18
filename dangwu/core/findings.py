"""The one currency of the rules: a ``Finding``.

A rule function returns findings; the same finding blocks a live action (severity
``error``), is shown as a warning, or is listed by the warning centre. Codes are the
rule codes of DOMAIN.md, so a user, a test and a report can name the rule.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True, slots=True)
class Finding:
    """One statement of a rule about one subject.

    ``subject`` names what the finding is about in a stable, readable form
    (``"person:123"``, ``"org:0001.0002"``, a step key); ``due`` is the deadline or the
    earliest allowed date where the rule has one.
    """

    code: str
    severity: Severity
    message: str
    citation: str
    subject: str = ""
    due: dt.date | None = None
    data: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def is_error(self) -> bool:
        return self.severity == Severity.ERROR

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "code": self.code,
            "severity": str(self.severity),
            "message": self.message,
            "citation": self.citation,
        }
        if self.subject:
            out["subject"] = self.subject
        if self.due is not None:
            out["due"] = self.due.isoformat()
        return out


def errors(findings: list[Finding] | tuple[Finding, ...]) -> list[Finding]:
    return [f for f in findings if f.severity == Severity.ERROR]
