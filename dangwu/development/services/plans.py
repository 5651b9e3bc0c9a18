"""The annual development plan of an organization (DEV-NO-RUSH)."""

from __future__ import annotations

from django.db import transaction

from dangwu.core.audit import as_actor
from dangwu.core.errors import InvalidInput
from dangwu.core.scope import Perm, scope_for
from dangwu.core.web import FIRST_YEAR
from dangwu.development.models import DevelopmentPlan
from dangwu.orgs.models import Organization

MAX_QUOTA = 10000


@transaction.atomic
def plan_set(
    *, actor, organization: Organization, year: int, quota: int, note: str = ""
) -> DevelopmentPlan:
    """Set (or change) ``organization``'s plan for ``year``: the committee's decision, so
    it needs the approval permission on the organization. Audited (history)."""
    scope_for(actor).require(organization.path, Perm.APPROVE)
    errs: dict[str, list[str]] = {}
    if not FIRST_YEAR <= year <= 2200:
        errs["year"] = [f"年度应在{FIRST_YEAR}至2200之间。"]
    if not 0 <= quota <= MAX_QUOTA:
        errs["quota"] = [f"计划发展人数应为0至{MAX_QUOTA}之间的整数。"]
    if errs:
        raise InvalidInput("年度发展计划填写有误。", fields=errs)
    plan = (
        DevelopmentPlan.objects.select_for_update()
        .filter(organization=organization, year=year)
        .first()
    ) or DevelopmentPlan(organization=organization, year=year)
    plan.quota = quota
    plan.note = note.strip()[:300]
    plan.set_by = actor
    as_actor(plan, actor)
    plan.full_clean(validate_unique=False)
    plan.save()
    return plan
