"""The home page: head counts, my organizations and my to-dos, all within my scope."""

from __future__ import annotations

from django.shortcuts import render

from dangwu.core.clock import today as _today
from dangwu.core.findings import Severity
from dangwu.core.scope import Scope
from dangwu.core.web import scoped
from dangwu.members import selectors as member_selectors
from dangwu.members.choices import Status
from dangwu.orgs import selectors as org_selectors
from dangwu.orgs.choices import OrgKind
from dangwu.orgs.models import Organization

# The home page checks at most this many organizations, so its cost does not grow with the tree.
HOME_FINDINGS_LIMIT = 20
HOME_TRANSFERS_LIMIT = 10


def _my_organizations(scope: Scope) -> list[Organization]:
    """The roots of my roles (for a superuser, the top-level organizations)."""
    visible = org_selectors.organization_list(scope)
    if scope.is_superuser:
        return list(visible.filter(depth=1))
    return list(visible.filter(path__in=scope.paths()))


def _home_findings(scope: Scope, roots: list[Organization], on) -> tuple[list, int, int]:
    """Errors and warnings of my role organizations, then of branches in tree order.

    Bounded work: at most ``HOME_FINDINGS_LIMIT`` organizations are checked. Returns
    ``(rows, checked, branches_in_scope)`` where a row is ``(organization, finding)``.
    """
    branches_qs = org_selectors.organization_list(scope).filter(kind=OrgKind.BRANCH)
    candidates = [o for o in roots if o.kind != OrgKind.PARTY_GROUP]
    seen = {o.pk for o in candidates}
    for branch in branches_qs[:HOME_FINDINGS_LIMIT]:
        if branch.pk not in seen:
            candidates.append(branch)
            seen.add(branch.pk)
    candidates = candidates[:HOME_FINDINGS_LIMIT]
    rows = []
    for org in candidates:
        for finding in org_selectors.organization_findings(scope, org, on=on):
            if finding.severity in (Severity.ERROR, Severity.WARNING):
                rows.append((org, finding))
    rows.sort(key=lambda r: (r[1].severity != Severity.ERROR, r[0].path))
    return rows, len(candidates), branches_qs.count()


def _counts_context(counts: dict[str, int]) -> dict:
    """Head-count tiles: members first, then the development pipeline."""
    return {
        "counts": counts,
        "count_tiles": [
            (Status.FULL.label, counts[Status.FULL]),
            (Status.PROBATIONARY.label, counts[Status.PROBATIONARY]),
            (Status.CANDIDATE.label, counts[Status.CANDIDATE]),
            (Status.ACTIVIST.label, counts[Status.ACTIVIST]),
            (Status.APPLICANT.label, counts[Status.APPLICANT]),
        ],
        "member_total": counts[Status.FULL] + counts[Status.PROBATIONARY],
    }


@scoped
def home(request):
    scope = request.scope
    on = _today()
    context = {"today": on, "has_roles": scope.has_roles}
    if scope.has_roles:
        counts = member_selectors.status_counts(scope)
        context.update(_counts_context(counts))
        roots = _my_organizations(scope)
        pending = member_selectors.pending_incoming(scope)
        findings, checked, branch_total = _home_findings(scope, roots, on)
        context.update(
            roots=roots,
            pending=list(pending[:HOME_TRANSFERS_LIMIT]),
            pending_total=pending.count(),
            findings=findings,
            findings_checked=checked,
            branch_total=branch_total,
            findings_truncated=branch_total > HOME_FINDINGS_LIMIT,
            findings_limit=HOME_FINDINGS_LIMIT,
        )
    return render(request, "core/home.html", context)
