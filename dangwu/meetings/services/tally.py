"""The daily tallies of compliance (``ComplianceTally``) that a large committee's table
reads: every active branch's counts for the year, written in bulk by ``dangwu worker``."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from dangwu.meetings.compliance import branch_row, iter_compliance
from dangwu.meetings.models import ComplianceTally
from dangwu.orgs.choices import OrgKind
from dangwu.orgs.models import Organization

BATCH = 2000


def compliance_tally_refresh(*, year: int, today: dt.date) -> int:
    """Compute and store every active branch's counts for ``year`` as of ``today``;
    a branch's earlier tally of that year is replaced (one row per branch and year).
    Each batch is its own transaction, so a long run never holds one lock for minutes.
    A system job: no actor, nothing a user chose. Returns how many branches were tallied."""
    branches = list(
        Organization.objects.filter(kind=OrgKind.BRANCH, dissolved_on__isnull=True).order_by("path")
    )
    done = 0
    batch: list[ComplianceTally] = []
    for branch, found in iter_compliance(branches, year=year, today=today):
        row = branch_row(branch, found)
        batch.append(
            ComplianceTally(
                organization=branch,
                year=year,
                computed_on=today,
                errors=row.errors,
                warnings=row.warnings,
                by_code=row.by_code,
                by_period=row.by_period,
            )
        )
        if len(batch) >= BATCH:
            done += _write(batch)
            batch = []
    return done + _write(batch)


def _write(batch: list[ComplianceTally]) -> int:
    if not batch:
        return 0
    with transaction.atomic():
        ComplianceTally.objects.bulk_create(
            batch,
            update_conflicts=True,
            unique_fields=["organization", "year"],
            update_fields=["computed_on", "errors", "warnings", "by_code", "by_period"],
        )
    return len(batch)
