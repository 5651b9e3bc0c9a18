"""Reads for the annual development plan (DEV-NO-RUSH): the plan and the admissions of
an organization's subtree in a year."""

from __future__ import annotations

from dataclasses import dataclass

from dangwu.core.findings import Finding
from dangwu.core.scope import Perm, Scope
from dangwu.development.models import DevelopmentPlan, StepEntry
from dangwu.development.rules import check_annual_plan
from dangwu.orgs.models import Organization


@dataclass(frozen=True, slots=True)
class PlanStatus:
    organization: Organization
    year: int
    plan: DevelopmentPlan | None
    admitted: int
    findings: list[Finding]
    can_edit: bool

    @property
    def quota(self) -> int | None:
        return self.plan.quota if self.plan else None

    @property
    def remaining(self) -> int | None:
        return None if self.plan is None else max(self.plan.quota - self.admitted, 0)


def admitted_in_year(org: Organization, year: int) -> int:
    """Admission approvals dated in ``year`` for records of branches in ``org``'s subtree."""
    return StepEntry.objects.filter(
        step="admission_approval",
        date__year=year,
        record__branch__path__startswith=org.path,
    ).count()


def plan_status(scope: Scope, org: Organization, year: int) -> PlanStatus:
    """Two queries. The caller has checked that ``org`` is in the scope."""
    plan = DevelopmentPlan.objects.filter(organization=org, year=year).first()
    admitted = admitted_in_year(org, year)
    return PlanStatus(
        organization=org,
        year=year,
        plan=plan,
        admitted=admitted,
        findings=check_annual_plan(
            year=year, quota=plan.quota if plan else None, admitted=admitted
        ),
        can_edit=scope.covers(org.path, Perm.APPROVE),
    )
