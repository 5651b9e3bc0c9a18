"""What a historical import did, or why it did nothing; and the findings of the imported
records for the result page."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from dangwu.core.findings import Finding
from dangwu.core.scope import Perm, Scope
from dangwu.core.workcal_db import calendar as db_calendar
from dangwu.development.conf import development_settings
from dangwu.development.models import DevelopmentRecord
from dangwu.development.rules import check_timeline
from dangwu.development.selectors import timelines_data
from dangwu.development.steps import STEP_BY_KEY, step_label

PAGE_ERRORS = 1_000  # problems listed on the result page (all are counted)
PAGE_RECORDS = 200  # records whose findings the result page lists


@dataclass(frozen=True, slots=True)
class ImportProblem:
    """One reason a file was refused. A workbook names the ``row`` (as Excel numbers it)
    and the ``column`` header; a JSON file names the ``file`` and the JSON field path
    (``[2].steps.activist.date``) in ``column``."""

    row: int | None
    file: str
    column: str
    value: str
    message: str

    @property
    def where(self) -> str:
        if self.row is not None:
            return f"第{self.row}行"
        return self.file


@dataclass
class ImportResult:
    """``created`` records written, ``unchanged`` records already identical; ``errors``
    lists every problem (nothing was written when there is one); ``record_ids`` are the
    records the file describes (new and unchanged); ``findings`` counts the findings of
    those records by rule code."""

    kind: str = "xlsx"  # xlsx | json
    rows: int = 0
    created: int = 0
    unchanged: int = 0
    errors: list[ImportProblem] = field(default_factory=list)
    record_ids: list[int] = field(default_factory=list)
    findings: dict[str, int] = field(default_factory=dict)
    severities: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def bad_rows(self) -> int:
        return len({(e.row, e.file) for e in self.errors})

    @property
    def shown_errors(self) -> list[ImportProblem]:
        return self.errors[:PAGE_ERRORS]

    @property
    def truncated(self) -> bool:
        return len(self.errors) > PAGE_ERRORS

    @property
    def findings_list(self) -> list[tuple[str, int]]:
        return sorted(self.findings.items())


@dataclass(frozen=True, slots=True)
class ShownFinding:
    code: str
    severity: str
    step: str
    message: str
    citation: str
    due: dt.date | None


@dataclass(frozen=True, slots=True)
class RecordFindings:
    record: DevelopmentRecord
    findings: tuple[ShownFinding, ...]


def _shown(f: Finding) -> ShownFinding:
    step = step_label(f.subject) if f.subject in STEP_BY_KEY else ""
    return ShownFinding(f.code, str(f.severity), step, f.message, f.citation, f.due)


def imported_findings(
    scope: Scope, record_ids: Sequence[int], *, today: dt.date, limit: int = PAGE_RECORDS
) -> list[RecordFindings]:
    """The findings of the first ``limit`` imported records that have any, by the rules on
    the stored rows (``check_timeline`` on ``timelines_data``): four queries."""
    records = list(
        DevelopmentRecord.objects.filter(scope.org_q(Perm.VIEW, "branch__path"))
        .filter(pk__in=list(record_ids)[: 5 * limit])
        .select_related("person", "branch")
        .order_by("branch__path", "person__sort_key", "pk")
    )
    data = timelines_data(records)
    settings, calendar = development_settings(), db_calendar()
    out = []
    for r in records:
        found = check_timeline(data[r.id], today=today, settings=settings, calendar=calendar)
        if found:
            out.append(RecordFindings(r, tuple(_shown(f) for f in found)))
        if len(out) >= limit:
            break
    return out
