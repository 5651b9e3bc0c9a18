"""Organization pages: the tree, one organization, and the forms that change them.

Thin: read the scope, call a selector or a service, render. Anything outside the scope (or
an action the role does not allow) answers 404, as the services do.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib import messages
from django.db.models import Count
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from dangwu.core.clock import today as _today
from dangwu.core.errors import DomainError
from dangwu.core.scope import Perm, Scope
from dangwu.core.web import SERVICE_ERRORS, domain_errors_to_form, scoped
from dangwu.members import selectors as member_selectors
from dangwu.members.choices import MEMBER_STATUSES, Status
from dangwu.orgs import selectors, services
from dangwu.orgs.choices import OrgKind
from dangwu.orgs.forms import (
    CommitteeTermStartForm,
    OrganizationCreateForm,
    OrganizationEditForm,
    PostAppointForm,
    PostEndForm,
)
from dangwu.orgs.models import Organization
from dangwu.orgs.selectors import TreeRow

# Nodes above this relative depth start open: the roots and their children (so branches show).
TREE_OPEN_DEPTH = 2


@dataclass
class TreeNode:
    row: TreeRow
    level: int = 0
    children: list[TreeNode] = field(default_factory=list)
    open: bool = False

    @property
    def org(self) -> Organization:
        return self.row.org


def _build_tree(rows: list[TreeRow], *, expand_all: bool = False) -> list[TreeNode]:
    """Nest rows (in path order) under their nearest visible ancestor."""
    by_path: dict[str, TreeNode] = {}
    roots: list[TreeNode] = []
    step = Organization.steplen
    for row in rows:
        node = TreeNode(row=row)
        path = row.org.path
        parent = None
        for end in range(len(path) - step, 0, -step):
            parent = by_path.get(path[:end])
            if parent is not None:
                break
        if parent is None:
            roots.append(node)
        else:
            node.level = parent.level + 1
            parent.children.append(node)
        node.open = expand_all or node.level < TREE_OPEN_DEPTH
        by_path[path] = node
    return roots


def _with_group_counts(
    scope: Scope, rows: list[TreeRow], root: Organization | None = None
) -> list[TreeRow]:
    """The tree counts people by branch; give party groups their own members' counts."""
    if not any(r.org.kind == OrgKind.PARTY_GROUP for r in rows):
        return rows
    counts = selectors.group_head_counts(scope, root=root)
    return [
        TreeRow(r.org, *counts.get(r.org.pk, (0, 0))) if r.org.kind == OrgKind.PARTY_GROUP else r
        for r in rows
    ]


def _filter_rows(rows: list[TreeRow], q: str) -> list[TreeRow]:
    """Rows whose name or code contains ``q``, with their visible ancestors for context."""
    needle = q.casefold()
    hits = [
        r.org.path
        for r in rows
        if needle in r.org.name.casefold() or needle in r.org.code.casefold()
    ]
    return [r for r in rows if any(h.startswith(r.org.path) for h in hits)]


TREE_FULL_MAX = 2000


@scoped
def tree(request):
    rows = _with_group_counts(request.scope, selectors.organization_tree(request.scope))
    q = request.GET.get("q", "").strip()[:50]
    if q:
        rows = _filter_rows(rows, q)
    shallow = False
    if not q and len(rows) > TREE_FULL_MAX:
        # A province-sized scope: show the top two levels; deeper ones via their pages or a filter.
        top = min(r.org.depth for r in rows)
        rows = [r for r in rows if r.org.depth <= top + 1]
        shallow = True
    context = {
        "nodes": _build_tree(rows, expand_all=bool(q)),
        "q": q,
        "count": len(rows),
        "shallow": shallow,
    }
    template = "orgs/tree.html#tree-body" if request.htmx else "orgs/tree.html"
    return render(request, template, context)


def _status_counts(scope: Scope, org: Organization) -> dict[str, int]:
    """Head count per status for an organization; a party group counts its own members."""
    if org.kind != OrgKind.PARTY_GROUP:
        return member_selectors.status_counts(scope, org=org)
    rows = (
        member_selectors.person_list(scope, org=org)
        .order_by()
        .values_list("status")
        .annotate(n=Count("id"))
    )
    found = dict(rows)
    return {s.value: found.get(s.value, 0) for s in Status}


def _ancestors(org: Organization):
    return Organization.objects.get_ancestors(org)


def _child_kinds(org: Organization) -> list[str]:
    return [kind for kind, parents in services.ALLOWED_PARENTS.items() if org.kind in parents]


@scoped
def detail(request, pk: int):
    scope = request.scope
    org = selectors.organization_get_for(scope, pk)
    on = _today()
    rows = _with_group_counts(scope, selectors.organization_tree(scope, root=org), root=org)
    own = next((r for r in rows if r.org.pk == org.pk), TreeRow(org=org, members=0, people=0))
    counts = _status_counts(scope, org)
    context = {
        "org": org,
        "today": on,
        "ancestors": [(a, scope.covers(a.path)) for a in _ancestors(org)],
        "children": [r for r in rows if r.org.depth == org.depth + 1],
        "own": own,
        "posts": selectors.post_list(scope, org, on=on),
        "term": org.terms.filter(closed_on__isnull=True).first(),
        "findings": selectors.organization_findings(scope, org, on=on),
        "counts": counts,
        "count_tiles": [
            (Status.FULL.label, counts[Status.FULL]),
            (Status.PROBATIONARY.label, counts[Status.PROBATIONARY]),
            (Status.CANDIDATE.label, counts[Status.CANDIDATE]),
            (Status.ACTIVIST.label, counts[Status.ACTIVIST]),
            (Status.APPLICANT.label, counts[Status.APPLICANT]),
        ],
        "member_total": counts[Status.FULL] + counts[Status.PROBATIONARY],
        "can_edit": scope.covers(org.path, Perm.EDIT),
        "child_kinds": _child_kinds(org),
    }
    return render(request, "orgs/detail.html", context)


def _posted(request):
    """Form data for a POST, ``None`` (an unbound form) for a GET."""
    return request.POST if request.method == "POST" else None


def _editable(scope: Scope, pk: int) -> Organization:
    org = selectors.organization_get_for(scope, pk)
    scope.require(org.path, Perm.EDIT)
    return org


def _render_form(request, *, org, form, title, submit, intro="", error=None, status=200):
    context = {
        "org": org,
        "ancestors": [(a, request.scope.covers(a.path)) for a in _ancestors(org)],
        "form": form,
        "title": title,
        "submit": submit,
        "intro": intro,
        "error_findings": error.findings if isinstance(error, DomainError) else [],
    }
    return render(request, "orgs/form.html", context, status=status)


@scoped
def create(request, pk: int):
    parent = _editable(request.scope, pk)
    kinds = _child_kinds(parent)
    title = _("新建下级组织")
    if not kinds:
        messages.error(request, _("党小组之下不能再设组织。"))
        return redirect("orgs:detail", pk=parent.pk)
    form = OrganizationCreateForm(_posted(request), kinds=kinds, parent=parent)
    if request.method == "POST" and form.is_valid():
        try:
            child = services.organization_create(
                actor=request.user, parent=parent, **form.cleaned_data
            )
        except SERVICE_ERRORS as exc:
            domain_errors_to_form(form, exc)
            return _render_form(
                request, org=parent, form=form, title=title, submit=_("创建"), error=exc
            )
        messages.success(request, _("已创建“%(name)s”。") % {"name": child.name})
        return redirect("orgs:detail", pk=child.pk)
    return _render_form(request, org=parent, form=form, title=title, submit=_("创建"))


@scoped
def edit(request, pk: int):
    org = _editable(request.scope, pk)
    title = _("修改组织信息")
    form = OrganizationEditForm(_posted(request), organization=org)
    if request.method == "POST" and form.is_valid():
        try:
            services.organization_update(actor=request.user, organization=org, **form.changes())
        except SERVICE_ERRORS as exc:
            domain_errors_to_form(form, exc)
            return _render_form(
                request, org=org, form=form, title=title, submit=_("保存"), error=exc
            )
        messages.success(request, _("已保存。"))
        return redirect("orgs:detail", pk=org.pk)
    return _render_form(request, org=org, form=form, title=title, submit=_("保存"))


@scoped
def term_start(request, pk: int):
    org = _editable(request.scope, pk)
    title = _("换届：开始新一届委员会")
    intro = _("登记选举日期后，上一届委员会（如有）自动于该日结束。")
    if org.kind == OrgKind.PARTY_GROUP:
        messages.error(request, _("党小组不设委员会。"))
        return redirect("orgs:detail", pk=org.pk)
    form = CommitteeTermStartForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            term = services.committee_term_start(
                actor=request.user, organization=org, **form.cleaned_data
            )
        except SERVICE_ERRORS as exc:
            domain_errors_to_form(form, exc)
            return _render_form(
                request, org=org, form=form, title=title, submit=_("登记"), intro=intro, error=exc
            )
        messages.success(request, _("已登记第%(n)s届委员会。") % {"n": term.number})
        return redirect("orgs:detail", pk=org.pk)
    return _render_form(request, org=org, form=form, title=title, submit=_("登记"), intro=intro)


def _appoint_candidates(scope: Scope, org: Organization):
    """Party members who may be proposed: a group's own members, else the organization's."""
    qs = member_selectors.person_list(scope, org=org).filter(status__in=list(MEMBER_STATUSES))
    if org.kind == OrgKind.PARTY_GROUP:
        qs = qs.filter(group=org)
    return qs


@scoped
def post_appoint(request, pk: int):
    org = _editable(request.scope, pk)
    title = _("任命职务")
    intro = (
        _("党小组长、副组长须由本小组的正式党员担任；受留党察看处分期间不能任职。")
        if org.kind == OrgKind.PARTY_GROUP
        else _("委员会职务须由本组织的正式党员担任。")
    )
    form = PostAppointForm(
        _posted(request),
        organization=org,
        candidates=_appoint_candidates(request.scope, org),
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data.setdefault("designation_reason", "")
        try:
            post = services.post_appoint(actor=request.user, organization=org, **data)
        except SERVICE_ERRORS as exc:
            domain_errors_to_form(form, exc)
            return _render_form(
                request, org=org, form=form, title=title, submit=_("任命"), intro=intro, error=exc
            )
        messages.success(
            request,
            _("已任命%(name)s为%(kind)s。")
            % {"name": post.person.name, "kind": post.get_kind_display()},
        )
        return redirect("orgs:detail", pk=org.pk)
    return _render_form(request, org=org, form=form, title=title, submit=_("任命"), intro=intro)


@scoped
def post_end(request, pk: int):
    post = selectors.post_get_for(request.scope, pk, perm=Perm.EDIT)
    org = post.organization
    title = _("离任：%(name)s（%(kind)s）") % {
        "name": post.person.name,
        "kind": post.get_kind_display(),
    }
    intro = _("任职日期：%(d)s。") % {"d": post.started_on.isoformat()}
    form = PostEndForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.post_end(actor=request.user, post=post, **form.cleaned_data)
        except SERVICE_ERRORS as exc:
            domain_errors_to_form(form, exc)
            return _render_form(
                request,
                org=org,
                form=form,
                title=title,
                submit=_("确认离任"),
                intro=intro,
                error=exc,
            )
        messages.success(request, _("%(name)s已离任。") % {"name": post.person.name})
        return redirect("orgs:detail", pk=org.pk)
    return _render_form(request, org=org, form=form, title=title, submit=_("确认离任"), intro=intro)
