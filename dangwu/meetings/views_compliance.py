"""Compliance by period (LIFE-* rules): a branch's year, month by month, with what is missing
and by when; a higher committee's table of its branches with drill-down.

Thin: read the scope, call ``compliance``, render. Anything outside the scope is a 404.
The attendance, absence and heart-talk views live in ``views_absence``.
"""

from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.http import require_GET

from dangwu.core.clock import today
from dangwu.core.scope import Perm
from dangwu.core.web import FIRST_YEAR, paginate, scoped, year_param
from dangwu.meetings import compliance as life
from dangwu.orgs import selectors as org_selectors
from dangwu.orgs.choices import OrgKind

YEARS_SHOWN = 5
BRANCHES_PER_PAGE = 50


@require_GET
@scoped
def compliance(request, org_id: int):
    """A branch or party group: its year by period and the month × rule grid. A general
    branch or basic committee: a table of the branches below, worst first, paged."""
    scope = request.scope
    on = today()
    org = org_selectors.organization_get_for(scope, org_id)
    year = year_param(request, on)
    context = {
        "org": org,
        "year": year,
        "years": list(range(on.year, max(FIRST_YEAR, on.year - YEARS_SHOWN) - 1, -1)),
        "code_labels": life.CODE_LABELS,
    }
    if org.kind in (OrgKind.BRANCH, OrgKind.PARTY_GROUP):
        result = life.branch_compliance(scope, org, year=year, today=on)
        context.update(
            result=result,
            can_plan=scope.covers(org.path, Perm.LIFE),
            months=range(1, 13),
        )
        return render(request, "meetings/compliance_branch.html", context)
    table = life.subtree_compliance(scope, org, year=year, today=on)
    page_obj, query = paginate(request, table.rows, per_page=BRANCHES_PER_PAGE)
    context.update(table=table, page_obj=page_obj, query=query)
    return render(request, "meetings/compliance_table.html", context)
