"""Every read about organizations that a page or the API needs, always within a ``Scope``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from dangwu.core.errors import NotFound
from dangwu.core.findings import Finding
from dangwu.core.scope import Perm, Scope
from dangwu.members.choices import MEMBER_STATUSES, Status
from dangwu.members.rules import SanctionFacts, rights_on
from dangwu.orgs import rules
from dangwu.orgs.choices import COMMITTEE_POSTS, GROUP_POSTS, OrgKind, PostKind
from dangwu.orgs.models import Organization, Post


def organization_list(scope: Scope, *, include_dissolved: bool = False) -> QuerySet[Organization]:
    """Organizations the user may see, in tree order."""
    qs = Organization.objects.filter(scope.org_q()).order_by("path")
    if not include_dissolved:
        qs = qs.filter(dissolved_on__isnull=True)
    return qs


def organization_get_for(scope: Scope, pk: int) -> Organization:
    org = Organization.objects.filter(scope.org_q(), pk=pk).first()
    if org is None:
        raise NotFound()
    return org


def organization_get_by_code(scope: Scope, code: str) -> Organization:
    org = Organization.objects.filter(scope.org_q(), code=code).first()
    if org is None:
        raise NotFound()
    return org


@dataclass(frozen=True)
class TreeRow:
    org: Organization
    members: int  # party members (probationary + full) in the subtree
    people: int  # everyone on the roll in the subtree


def organization_tree(scope: Scope, *, root: Organization | None = None) -> list[TreeRow]:
    """The visible tree with subtree head counts, in two queries whatever its size."""
    from dangwu.members.models import Person

    orgs = organization_list(scope)
    people = Person.objects.filter(scope.org_q(field="branch__path"), is_active=True)
    if root is not None:
        orgs = orgs.filter(path__startswith=root.path)
        people = people.filter(branch__path__startswith=root.path)
    per_branch = people.values_list("branch__path").annotate(
        members=Count("id", filter=Q(status__in=list(MEMBER_STATUSES))), people=Count("id")
    )
    # Add each branch's counts to every ancestor path: O(branches × depth).
    totals: dict[str, list[int]] = {}
    step = Organization.steplen
    for path, members, count in per_branch:
        for end in range(step, len(path) + 1, step):
            acc = totals.setdefault(path[:end], [0, 0])
            acc[0] += members
            acc[1] += count
    return [
        TreeRow(org=o, members=totals.get(o.path, (0, 0))[0], people=totals.get(o.path, (0, 0))[1])
        for o in orgs
    ]


def post_list(scope: Scope, org: Organization, *, on: dt.date) -> list[Post]:
    """Posts current on ``on`` in ``org`` and its groups."""
    if not scope.covers(org.path):
        raise NotFound()
    return list(
        Post.objects.filter(
            organization__path__startswith=org.path, organization__depth__lte=org.depth + 1
        )
        .filter(started_on__lte=on)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=on))
        .select_related("person", "organization")
        .order_by("organization__path", "kind", "started_on")
    )


def organization_findings(scope: Scope, org: Organization, *, on: dt.date) -> list[Finding]:
    """The ORG-* and GRP-* findings for one organization (and its groups) on ``on``."""
    from dangwu.members.models import Person, Sanction

    if not scope.covers(org.path):
        raise NotFound()
    findings: list[Finding] = []
    if org.kind == OrgKind.PARTY_GROUP:
        return findings
    people = Person.objects.filter(is_active=True, branch__path__startswith=org.path)
    counts = people.aggregate(
        members=Count("id", filter=Q(status__in=list(MEMBER_STATUSES))),
        full=Count("id", filter=Q(status=Status.FULL)),
    )
    findings += rules.branch_size_findings(
        kind=org.kind,
        formation=org.formation,
        full_members=counts["full"],
        members=counts["members"],
    )
    term = org.terms.filter(closed_on__isnull=True).first()
    if term is not None:
        findings += rules.term_findings(
            kind=org.kind,
            category=org.category,
            elected_on=term.elected_on,
            ends_on=term.ends_on,
            today=on,
            extension_approved_until=term.extended_until,
        )
    posts = post_list(scope, org, on=on)
    if org.kind == OrgKind.BRANCH:
        committee = [p for p in posts if p.organization_id == org.pk and p.kind in COMMITTEE_POSTS]
        post_counts: dict[str, int] = {}
        for p in committee:
            post_counts[p.kind] = post_counts.get(p.kind, 0) + 1
        findings += rules.committee_findings(full_members=counts["full"], posts=post_counts)
        groups = list(
            Organization.objects.filter(
                path__startswith=org.path, kind=OrgKind.PARTY_GROUP, dissolved_on__isnull=True
            ).annotate(
                n=Count(
                    "group_people",
                    filter=Q(
                        group_people__is_active=True, group_people__status__in=list(MEMBER_STATUSES)
                    ),
                ),
                nf=Count(
                    "group_people",
                    filter=Q(group_people__is_active=True, group_people__status=Status.FULL),
                ),
            )
        )
        findings += rules.group_split_findings(
            branch_members=counts["members"],
            groups=[rules.GroupSize(name=g.name, members=g.n, full_members=g.nf) for g in groups],
        )
        leaders = [p for p in posts if p.kind in GROUP_POSTS]
        sanctions: dict[int, list[SanctionFacts]] = {}
        for s in Sanction.objects.filter(person_id__in=[p.person_id for p in leaders]):
            sanctions.setdefault(s.person_id, []).append(
                SanctionFacts(
                    kind=s.kind,
                    decided_on=s.decided_on,
                    probation_years=s.probation_years,
                    extended_years=s.extended_years,
                    revoked_on=s.revoked_on,
                )
            )
        committee_end = (term.extended_until or term.ends_on) if term else None
        for group in groups:
            group_leaders = [p for p in leaders if p.organization_id == group.pk]
            deputies = [p for p in group_leaders if p.kind == PostKind.DEPUTY_GROUP_LEADER]
            findings += _with_subject(rules.deputy_findings(deputies=len(deputies)), group)
            for post in group_leaders:
                rights = rights_on(
                    status=post.person.status, sanctions=sanctions.get(post.person_id, []), on=on
                )
                findings += _with_subject(
                    rules.leader_eligibility_findings(status=post.person.status, rights=rights),
                    group,
                    f"{post.person.name}：",
                )
                findings += _with_subject(
                    rules.group_term_findings(
                        leader_term_end=post.ends_on, committee_term_end=committee_end
                    ),
                    group,
                    f"{post.person.name}：",
                )
    return findings


def _with_subject(findings: list[Finding], org: Organization, prefix: str = "") -> list[Finding]:
    from dataclasses import replace

    return [
        replace(f, subject=f"org:{org.pk}", message=f"【{org.name}】{prefix}{f.message}")
        for f in findings
    ]


def organizations_for_select(scope: Scope, *, kind: str, perm: Perm = Perm.EDIT):
    return Organization.objects.filter(
        scope.org_q(perm), kind=kind, dissolved_on__isnull=True
    ).order_by("path")


def post_get_for(scope: Scope, pk: int, *, perm: Perm = Perm.VIEW) -> Post:
    """One post whose organization is in scope (for ``perm``), else ``NotFound``."""
    post = (
        Post.objects.filter(scope.org_q(perm, field="organization__path"), pk=pk)
        .select_related("organization", "person")
        .first()
    )
    if post is None:
        raise NotFound()
    return post


def group_head_counts(
    scope: Scope, *, root: Organization | None = None
) -> dict[int, tuple[int, int]]:
    """Per party group id: (party members, people) among active people in scope, one query.

    ``organization_tree`` counts people by branch, so a group's own head count comes from here.
    """
    from dangwu.members.models import Person

    people = Person.objects.filter(scope.person_q(), is_active=True, group__isnull=False)
    if root is not None:
        people = people.filter(group__path__startswith=root.path)
    rows = (
        people.values_list("group_id")
        .annotate(
            members=Count("id", filter=Q(status__in=list(MEMBER_STATUSES))), people=Count("id")
        )
        .order_by()
    )
    return {group_id: (members, count) for group_id, members, count in rows}
