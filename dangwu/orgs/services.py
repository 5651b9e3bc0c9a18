"""Every write to organizations, committee terms and posts. One function per intention."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import IntegrityError, transaction

from dangwu.core.audit import as_actor
from dangwu.core.clock import today as _today
from dangwu.core.dates import add_years
from dangwu.core.errors import DomainError, InvalidInput, RuleViolation
from dangwu.core.findings import errors
from dangwu.core.scope import Perm, scope_for
from dangwu.members import rules as member_rules
from dangwu.members.choices import MEMBER_STATUSES
from dangwu.orgs import rules
from dangwu.orgs.choices import COMMITTEE_POSTS, GROUP_POSTS, ChosenBy, OrgKind, PostKind
from dangwu.orgs.models import CommitteeTerm, Organization, Post

# Which kind may sit under which (a basic committee may sit under a higher committee).
ALLOWED_PARENTS: dict[str, frozenset[str | None]] = {
    OrgKind.BASIC_COMMITTEE: frozenset({None, OrgKind.BASIC_COMMITTEE}),
    OrgKind.GENERAL_BRANCH: frozenset({OrgKind.BASIC_COMMITTEE}),
    OrgKind.BRANCH: frozenset({OrgKind.BASIC_COMMITTEE, OrgKind.GENERAL_BRANCH}),
    OrgKind.PARTY_GROUP: frozenset({OrgKind.BRANCH}),
}


def group_policy() -> rules.GroupPolicy:
    return rules.GroupPolicy(
        designation_requires_reason=settings.DANGWU["GROUP_DESIGNATION_REQUIRES_REASON"]
    )


@transaction.atomic
def organization_create(
    *,
    actor,
    parent: Organization | None,
    kind: str,
    code: str,
    name: str,
    category: str = "other",
    formation: str = "standard",
    founded_on: dt.date | None = None,
    approval_authority: bool = False,
) -> Organization:
    """Create an organization under ``parent`` (a root needs a superuser)."""
    scope = scope_for(actor)
    if parent is None:
        if not scope.is_superuser:
            raise DomainError("只有系统管理员可以创建最上级党组织。", code="FORBIDDEN")
    else:
        scope.require(parent.path, Perm.EDIT)
    parent_kind = parent.kind if parent is not None else None
    if parent_kind not in ALLOWED_PARENTS.get(kind, frozenset()):
        raise InvalidInput(
            f"“{OrgKind(kind).label}”不能设在"
            f"“{OrgKind(parent_kind).label if parent_kind else '最上级'}”之下。",
            fields={"kind": ["上下级关系不符合党组织设置规定。"]},
        )
    if approval_authority and kind != OrgKind.BASIC_COMMITTEE:
        raise InvalidInput(
            "只有基层党委可以具有审批预备党员的权限。",
            code="ORG-APPROVER",
            fields={"approval_authority": ["只有基层党委可以具有审批权限。"]},
        )
    if Organization.objects.filter(code=code).exists():
        raise InvalidInput(f"组织编码“{code}”已存在。", fields={"code": ["组织编码已存在。"]})
    fields = {
        "code": code,
        "name": name,
        "kind": kind,
        "category": category,
        "formation": formation,
        "founded_on": founded_on,
        "approval_authority": approval_authority,
    }
    if parent is None:
        node = Organization(**fields)
        as_actor(node, actor)
        node.full_clean(exclude=["path", "depth", "numchild"])
        return Organization.objects.add_root(instance=node)
    # Lock the parent so two children added at once get distinct paths.
    parent = Organization.objects.select_for_update().get(pk=parent.pk)
    node = Organization(**fields)
    as_actor(node, actor)
    node.full_clean(exclude=["path", "depth", "numchild"])
    return Organization.objects.add_child(parent, instance=node)


@transaction.atomic
def organization_update(*, actor, organization: Organization, **changes) -> Organization:
    """Change names, category, dates or approval authority (not the kind or place in the tree)."""
    scope_for(actor).require(organization.path, Perm.EDIT)
    allowed = {"name", "category", "formation", "founded_on", "approval_authority", "code"}
    unknown = set(changes) - allowed
    if unknown:
        raise InvalidInput(f"不能修改这些字段：{'、'.join(sorted(unknown))}。")
    org = Organization.objects.select_for_update().get(pk=organization.pk)
    for key, value in changes.items():
        setattr(org, key, value)
    if org.approval_authority and org.kind != OrgKind.BASIC_COMMITTEE:
        raise InvalidInput("只有基层党委可以具有审批预备党员的权限。", code="ORG-APPROVER")
    org.full_clean(exclude=["path", "depth", "numchild"])
    as_actor(org, actor)
    try:
        org.save()
    except IntegrityError as exc:
        raise InvalidInput("组织编码已存在。", fields={"code": ["组织编码已存在。"]}) from exc
    return org


@transaction.atomic
def organization_dissolve(*, actor, organization: Organization, on: dt.date) -> Organization:
    """Dissolve an organization that has no active sub-organizations and no people left."""
    from dangwu.members.models import Person

    scope_for(actor).require(organization.path, Perm.EDIT)
    org = Organization.objects.select_for_update().get(pk=organization.pk)
    if org.dissolved_on is not None:
        raise DomainError(f"“{org.name}”已于{org.dissolved_on}撤销。")
    active_children = Organization.objects.filter(
        path__startswith=org.path, depth__gt=org.depth, dissolved_on__isnull=True
    ).exists()
    if active_children:
        raise DomainError(f"“{org.name}”下仍有未撤销的党组织，请先撤销或调整下级组织。")
    people = Person.objects.filter(is_active=True, branch__path__startswith=org.path).exists()
    people = people or Person.objects.filter(is_active=True, group=org).exists()
    if people:
        raise DomainError(f"“{org.name}”仍有在册人员，请先转接组织关系。")
    if org.founded_on and on < org.founded_on:
        raise InvalidInput(
            "撤销日期不能早于成立日期。", fields={"on": ["撤销日期不能早于成立日期。"]}
        )
    org.dissolved_on = on
    as_actor(org, actor)
    org.save(update_fields=["dissolved_on"])
    return org


@transaction.atomic
def committee_term_start(
    *,
    actor,
    organization: Organization,
    elected_on: dt.date,
    ends_on: dt.date | None = None,
) -> CommitteeTerm:
    """Record an election: close the open term (if any) and open the next one (ORG-TERM)."""
    scope_for(actor).require(organization.path, Perm.EDIT)
    if organization.kind == OrgKind.PARTY_GROUP:
        raise InvalidInput("党小组不设委员会。")
    org = Organization.objects.select_for_update().get(pk=organization.pk)
    previous = org.terms.filter(closed_on__isnull=True).first()
    if previous is not None:
        if elected_on <= previous.elected_on:
            raise InvalidInput(
                "换届日期应晚于上一届的选举日期。", fields={"elected_on": ["日期有误。"]}
            )
        previous.closed_on = elected_on
        as_actor(previous, actor)
        previous.save(update_fields=["closed_on"])
    last_number = org.terms.order_by("-number").values_list("number", flat=True).first() or 0
    term = CommitteeTerm(
        organization=org,
        number=last_number + 1,
        elected_on=elected_on,
        ends_on=ends_on or add_years(elected_on, rules.standard_term_years(org.kind, org.category)),
    )
    term.full_clean()
    as_actor(term, actor)
    term.save()
    return term


def _current_rights(person, on: dt.date) -> member_rules.Rights:
    sanctions = [
        member_rules.SanctionFacts(
            kind=s.kind,
            decided_on=s.decided_on,
            probation_years=s.probation_years,
            extended_years=s.extended_years,
            revoked_on=s.revoked_on,
        )
        for s in person.sanctions.all()
    ]
    return member_rules.rights_on(status=person.status, sanctions=sanctions, on=on)


@transaction.atomic
def post_appoint(
    *,
    actor,
    organization: Organization,
    person,
    kind: str,
    started_on: dt.date,
    chosen_by: str,
    designation_reason: str = "",
    ends_on: dt.date | None = None,
    note: str = "",
) -> Post:
    """Appoint ``person`` to a post, refusing what GRP-* and DISC-NO-ROLE forbid."""
    scope_for(actor).require(organization.path, Perm.EDIT)
    org = Organization.objects.select_for_update().get(pk=organization.pk)
    kind = PostKind(kind)
    if kind in GROUP_POSTS and org.kind != OrgKind.PARTY_GROUP:
        raise InvalidInput(
            "党小组长、副组长只能在党小组中任职。", fields={"kind": ["职务与组织类型不符。"]}
        )
    if kind in COMMITTEE_POSTS and org.kind == OrgKind.PARTY_GROUP:
        raise InvalidInput("党小组不设委员会职务。", fields={"kind": ["职务与组织类型不符。"]})
    if not person.is_active or person.status not in MEMBER_STATUSES:
        raise InvalidInput(
            f"{person.name}不是在册党员，不能任职。", fields={"person": ["不是在册党员。"]}
        )
    home = person.group_id if org.kind == OrgKind.PARTY_GROUP else person.branch_id
    inside = home == org.pk or (
        org.kind != OrgKind.PARTY_GROUP and person.branch.path.startswith(org.path)
    )
    if not inside:
        raise InvalidInput(
            f"{person.name}不在“{org.name}”，不能在该组织任职。",
            fields={"person": ["不是本组织的党员。"]},
        )
    rights = _current_rights(person, started_on)
    findings = []
    if kind in GROUP_POSTS:
        findings += rules.leader_eligibility_findings(status=person.status, rights=rights)
        findings += rules.leader_choice_findings(
            chosen_by=chosen_by, reason=designation_reason or None, policy=group_policy()
        )
        if kind == PostKind.DEPUTY_GROUP_LEADER:
            deputies = org.posts.filter(kind=kind, ended_on__isnull=True).count()
            findings += rules.deputy_findings(deputies=deputies + 1)
    elif not (rights.can_be_elected and rights.can_hold_role):
        code = "MEM-RIGHTS" if person.status == "probationary" else "DISC-NO-ROLE"
        raise InvalidInput(
            f"{person.name}目前不能担任委员会职务：{'；'.join(rights.reasons)}。",
            code=code,
            fields={"person": ["不具备任职资格。"]},
        )
    if errors(findings):
        raise RuleViolation(findings, field="person")
    if chosen_by != ChosenBy.DESIGNATED:
        designation_reason = ""
    if ends_on is None:
        branch = Organization.objects.get_parent(org) if org.kind == OrgKind.PARTY_GROUP else org
        term = branch.terms.filter(closed_on__isnull=True).first()
        ends_on = (term.extended_until or term.ends_on) if term else None
    post = Post(
        organization=org,
        person=person,
        kind=kind,
        started_on=started_on,
        ends_on=ends_on,
        chosen_by=chosen_by,
        designation_reason=designation_reason,
        note=note,
        created_by=actor,
    )
    post.full_clean()
    as_actor(post, actor)
    try:
        with transaction.atomic():
            post.save()
    except IntegrityError as exc:
        raise DomainError(f"{person.name}已担任该职务。", code="DUPLICATE") from exc
    return post


@transaction.atomic
def post_end(*, actor, post: Post, ended_on: dt.date | None = None) -> Post:
    scope_for(actor).require(post.organization.path, Perm.EDIT)
    post = Post.objects.select_for_update().get(pk=post.pk)
    if post.ended_on is not None:
        raise DomainError("该职务已经结束。")
    ended_on = ended_on or _today()
    if ended_on < post.started_on:
        raise InvalidInput("离任日期不能早于任职日期。", fields={"ended_on": ["日期有误。"]})
    post.ended_on = ended_on
    as_actor(post, actor)
    post.save(update_fields=["ended_on"])
    return post
