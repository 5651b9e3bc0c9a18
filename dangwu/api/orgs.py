"""``/api/v1/orgs``: the organization tree, one organization, its findings; create and change.

Reads go through ``orgs.selectors`` with the user's scope, writes through ``orgs.services``;
anything outside the scope is a 404.
"""

from typing import Annotated

from django.http import HttpRequest
from ninja import Query, Router, responses

from dangwu.api.schemas import (
    ErrorOut,
    FindingOut,
    Id,
    OrgCreateIn,
    OrgDetailOut,
    OrgId,
    OrgNodeOut,
    OrgUpdateIn,
)
from dangwu.core.clock import today
from dangwu.core.findings import Finding
from dangwu.core.scope import scope_for
from dangwu.orgs import selectors, services
from dangwu.orgs.models import Organization, Post

router = Router(tags=["党组织"])

READ_ERRORS = {401: ErrorOut, 404: ErrorOut, 422: ErrorOut}
WRITE_ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


def _parent_id(org: Organization, ids_by_path: dict[str, int]) -> int | None:
    return ids_by_path.get(org.path[: -Organization.steplen]) if org.depth > 1 else None


def _org_out(org: Organization, parent_id: int | None) -> dict:
    return {
        "id": org.pk,
        "parent_id": parent_id,
        "path": org.path,
        "depth": org.depth,
        "code": org.code,
        "name": org.name,
        "kind": org.kind,
        "kind_label": org.get_kind_display(),
        "category": org.category,
        "formation": org.formation,
        "founded_on": org.founded_on,
        "dissolved_on": org.dissolved_on,
        "approval_authority": org.approval_authority,
    }


def _visible_parent_id(request: HttpRequest, org: Organization) -> int | None:
    if org.depth <= 1:
        return None
    parent_path = org.path[: -Organization.steplen]
    parent = selectors.organization_list(scope_for(request.user), include_dissolved=True).filter(
        path=parent_path
    )
    return parent.values_list("pk", flat=True).first()


def _finding_out(finding: Finding) -> dict:
    return finding.as_dict()


def _post_out(post: Post) -> dict:
    return {
        "id": post.pk,
        "organization_id": post.organization_id,
        "organization_name": post.organization.name,
        "person_id": post.person_id,
        "person_name": post.person.name,
        "kind": post.kind,
        "kind_label": post.get_kind_display(),
        "chosen_by": post.chosen_by,
        "started_on": post.started_on,
        "ends_on": post.ends_on,
    }


def _detail(request: HttpRequest, org: Organization) -> dict:
    scope = scope_for(request.user)
    on = today()
    return {
        **_org_out(org, _visible_parent_id(request, org)),
        "posts": [_post_out(p) for p in selectors.post_list(scope, org, on=on)],
        "findings": [_finding_out(f) for f in selectors.organization_findings(scope, org, on=on)],
    }


@router.get(
    "",
    response={200: list[OrgNodeOut], **READ_ERRORS},
    summary="可见的组织树",
    description="您权限范围内的在用组织，按树的顺序平铺，带上级 ID 和在册人数；"
    "root 给出时只列该组织及其下级。",
)
def org_list(
    request: HttpRequest,
    root: Annotated[Id | None, Query(description="只列此组织及其下级。")] = None,
):
    scope = scope_for(request.user)
    root_org = selectors.organization_get_for(scope, root) if root is not None else None
    rows = selectors.organization_tree(scope, root=root_org)
    ids_by_path = {row.org.path: row.org.pk for row in rows}
    return [
        {
            **_org_out(row.org, _parent_id(row.org, ids_by_path)),
            "members": row.members,
            "people": row.people,
        }
        for row in rows
    ]


@router.post(
    "",
    response={201: OrgDetailOut, **WRITE_ERRORS},
    summary="新建下级组织",
    description="在 parent_id 所指的组织下新建组织；须对上级组织有编辑权限。",
)
def org_create(request: HttpRequest, payload: OrgCreateIn):
    scope = scope_for(request.user)
    parent = selectors.organization_get_for(scope, payload.parent_id)
    data = payload.model_dump(exclude={"parent_id"})
    org = services.organization_create(actor=request.user, parent=parent, **data)
    return responses.Status(201, _detail(request, org))


@router.get(
    "/{int:org_id}",
    response={200: OrgDetailOut, **READ_ERRORS},
    summary="组织详情",
    description="组织的基本信息、今天在任的职务和组织设置检查结论。",
)
def org_get(request: HttpRequest, org_id: OrgId):
    org = selectors.organization_get_for(scope_for(request.user), org_id)
    return _detail(request, org)


@router.patch(
    "/{int:org_id}",
    response={200: OrgDetailOut, **WRITE_ERRORS},
    summary="修改组织",
    description="只修改请求中给出的字段；组织类型和在树中的位置不在此修改。",
)
def org_update(request: HttpRequest, org_id: OrgId, payload: OrgUpdateIn):
    org = selectors.organization_get_for(scope_for(request.user), org_id)
    changes = payload.model_dump(exclude_unset=True)
    org = services.organization_update(actor=request.user, organization=org, **changes)
    return _detail(request, org)


@router.get(
    "/{int:org_id}/findings",
    response={200: list[FindingOut], **READ_ERRORS},
    summary="组织设置检查",
    description="今天对该组织（及其党小组）适用的 ORG-*、GRP-* 规则结论。",
)
def org_findings(request: HttpRequest, org_id: OrgId):
    scope = scope_for(request.user)
    org = selectors.organization_get_for(scope, org_id)
    return [_finding_out(f) for f in selectors.organization_findings(scope, org, on=today())]
