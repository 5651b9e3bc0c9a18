"""Who sees what: a user's ``Scope``.

A role held on an organization covers its subtree, which is one indexed prefix filter on
the materialized path. A user without a role sees only their own person record. Every
selector takes a ``Scope``; a record outside it is "not found" (404), never "forbidden".
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.db.models import Q

from dangwu.core.errors import NotFound


class Perm(StrEnum):
    VIEW = "view"  # read records in the subtree
    EDIT = "edit"  # create and change records (people, organizations, posts, transfers)
    APPROVE = "approve"  # decisions of the committee (receive a transfer, exceptions)
    VIEW_ID = "view_id"  # see full resident ID numbers
    DUES = "dues"  # collect dues: record members' payments (group leaders, party workers)
    LIFE = "life"  # plan and record organizational life: meetings, attendance, leave, talks
    NOTES = "notes"  # read and write notes on members (the group leader and the committee)
    DEVELOP = "develop"  # record the steps of member development (细则: the branch committee)


ROLE_PERMS: dict[str, frozenset[Perm]] = {
    "party_worker": frozenset(
        {Perm.VIEW, Perm.EDIT, Perm.APPROVE, Perm.VIEW_ID, Perm.DUES, Perm.LIFE, Perm.DEVELOP}
    ),
    # The branch secretary and the committee (the 组织委员 above all) run member development
    # from the application to archiving (细则 第二章至第六章).
    "secretary": frozenset(
        {Perm.VIEW, Perm.APPROVE, Perm.VIEW_ID, Perm.LIFE, Perm.NOTES, Perm.DEVELOP}
    ),
    "committee_member": frozenset({Perm.VIEW, Perm.APPROVE, Perm.LIFE, Perm.NOTES, Perm.DEVELOP}),
    # Seed 004: the leader convenes the group meeting, collects dues, knows each member.
    "group_leader": frozenset({Perm.VIEW, Perm.DUES, Perm.LIFE, Perm.NOTES}),
}
ALL_PERMS = frozenset(Perm)


@dataclass(frozen=True, slots=True)
class Grant:
    path: str
    kind: str
    perms: frozenset[Perm]
    on_group: bool = False  # the role is held on a party group (its members, by group)


@dataclass(frozen=True, slots=True)
class Scope:
    """What one user may see and do. Built once per request by ``scope_for``."""

    user_id: int | None
    person_id: int | None
    grants: tuple[Grant, ...] = ()
    is_superuser: bool = False

    @property
    def has_roles(self) -> bool:
        return self.is_superuser or bool(self.grants)

    def paths(self, perm: Perm = Perm.VIEW) -> tuple[str, ...]:
        """The subtree roots on which the user holds ``perm``, without nested duplicates."""
        roots = sorted({g.path for g in self.grants if perm in g.perms})
        out: list[str] = []
        for path in roots:
            if not any(path.startswith(p) for p in out):
                out.append(path)
        return tuple(out)

    def covers(self, path: str, perm: Perm = Perm.VIEW) -> bool:
        if self.is_superuser:
            return True
        return any(path.startswith(p) for p in self.paths(perm))

    def org_q(self, perm: Perm = Perm.VIEW, field: str = "path") -> Q:
        """Organizations inside the scope (``field`` is the path lookup, e.g. ``branch__path``)."""
        if self.is_superuser:
            return Q()
        paths = self.paths(perm)
        if not paths:
            return Q(pk__in=[])
        q = Q()
        for p in paths:
            q |= Q(**{f"{field}__startswith": p})
        return q

    def person_q(self, perm: Perm = Perm.VIEW, prefix: str = "") -> Q:
        """People inside the scope: by branch, by group (for a group leader), or oneself."""
        if self.is_superuser:
            return Q()
        q = Q(pk__in=[])
        group_paths = {g.path for g in self.grants if g.on_group}
        for p in self.paths(perm):
            # A person's branch is never below a group, so a group role matches by group.
            field = "group__path" if p in group_paths else "branch__path"
            q |= Q(**{f"{prefix}{field}__startswith": p})
        if perm == Perm.VIEW and self.person_id is not None:
            q |= Q(**{f"{prefix}pk": self.person_id})
        return q

    def require(self, path: str, perm: Perm) -> None:
        """Refuse an action on an organization outside the scope with the same 404 answer."""
        if not self.covers(path, perm):
            raise NotFound()


ANONYMOUS = Scope(user_id=None, person_id=None)


def scope_for(user) -> Scope:
    """The scope of a user (anonymous users see nothing)."""
    if user is None or not user.is_authenticated:
        return ANONYMOUS
    cached = getattr(user, "_dangwu_scope", None)
    if cached is not None:
        return cached
    grants = tuple(
        Grant(
            path=path,
            kind=kind,
            perms=ROLE_PERMS.get(kind, frozenset()),
            on_group=org_kind == "party_group",
        )
        for path, kind, org_kind in user.roles.values_list(
            "organization__path", "kind", "organization__kind"
        )
    )
    scope = Scope(
        user_id=user.pk,
        person_id=user.person_id,
        grants=grants,
        is_superuser=user.is_superuser,
    )
    user._dangwu_scope = scope
    return scope
