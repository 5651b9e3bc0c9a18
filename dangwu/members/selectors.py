"""Every read about people that a page, an export or the API needs, always within a ``Scope``."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet

from dangwu.core.errors import NotFound
from dangwu.core.scope import Perm, Scope
from dangwu.members import rules
from dangwu.members.choices import Status
from dangwu.members.models import (
    Membership,
    Person,
    Sanction,
    StatusChange,
    Transfer,
    TransferStatus,
)
from dangwu.orgs.models import Organization

_ASCII = re.compile(r"^[A-Za-z]+$")
_DIGITS = re.compile(r"^[0-9Xx]{4,18}$")


def person_list(
    scope: Scope,
    *,
    q: str = "",
    status: str = "",
    org: Organization | None = None,
    active: bool | None = True,
    perm: Perm = Perm.VIEW,
) -> QuerySet[Person]:
    """People in scope, sorted by pinyin. ``q`` matches the name, its pinyin or initials
    (``zgf`` finds 曾国藩), or the end of a phone or ID number for roles that see them."""
    qs = Person.objects.filter(scope.person_q(perm))
    if org is not None:
        if org.kind == "party_group":
            qs = qs.filter(group=org)
        else:
            qs = qs.filter(branch__path__startswith=org.path)
    if active is not None:
        qs = qs.filter(is_active=active)
    if status:
        qs = qs.filter(status=status)
    q = (q or "").strip()
    if q:
        if _ASCII.match(q):
            term = q.lower()
            qs = qs.filter(Q(initials__startswith=term) | Q(pinyin__startswith=term))
            # Initials, pinyin and sort key all begin with the same letter. Saying so lets
            # PostgreSQL walk only that letter's slice of the sort index: without it, LIMIT
            # over ORDER BY sort_key scans half a million rows to find "wj" (3 s at 1M).
            first = term[0]
            qs = qs.filter(sort_key__gte=first, sort_key__lt=chr(ord(first) + 1))
        elif _DIGITS.match(q):
            # ID numbers are searchable only where the user may see them in full.
            id_match = Q(id_number__endswith=q.upper()) & scope.person_q(Perm.VIEW_ID)
            qs = qs.filter(Q(phone__endswith=q) | id_match)
        else:
            qs = qs.filter(name__contains=q)
    return qs.select_related("branch", "group").order_by("sort_key", "id")


def person_get_for(scope: Scope, pk: int, *, perm: Perm = Perm.VIEW) -> Person:
    person = (
        Person.objects.filter(scope.person_q(perm), pk=pk).select_related("branch", "group").first()
    )
    if person is None:
        raise NotFound()
    return person


def status_counts(scope: Scope, *, org: Organization | None = None) -> dict[str, int]:
    """Head count per status among active people in scope (one query)."""
    qs = Person.objects.filter(scope.person_q(), is_active=True)
    if org is not None:
        qs = qs.filter(branch__path__startswith=org.path)
    counts = dict(qs.values_list("status").annotate(n=Count("id")).order_by())
    return {s.value: counts.get(s.value, 0) for s in Status}


@dataclass(frozen=True)
class PersonDetail:
    person: Person
    statuses: list[StatusChange]
    memberships: list[Membership]
    sanctions: list[Sanction]
    transfers: list[Transfer]
    rights: rules.Rights
    party_age: int | None
    can_edit: bool
    can_view_id: bool
    posts: list = field(default_factory=list)


def person_detail(scope: Scope, pk: int, *, today: dt.date) -> PersonDetail:
    person = person_get_for(scope, pk)
    sanctions = list(person.sanctions.all())
    facts = [
        rules.SanctionFacts(
            kind=s.kind,
            decided_on=s.decided_on,
            probation_years=s.probation_years,
            extended_years=s.extended_years,
            revoked_on=s.revoked_on,
        )
        for s in sanctions
    ]
    age = None
    if person.full_since and person.status == Status.FULL:
        age = rules.party_age(full_since=person.full_since, today=today)
    return PersonDetail(
        person=person,
        statuses=list(
            person.status_changes.select_related("recorded_by").order_by("effective_on", "id")
        ),
        memberships=list(
            person.memberships.select_related("branch", "group").order_by("started_on", "id")
        ),
        sanctions=sanctions,
        transfers=list(person.transfers.select_related("from_branch", "to_branch")),
        rights=rules.rights_on(status=person.status, sanctions=facts, on=today),
        party_age=age,
        can_edit=scope.covers(person.branch.path, Perm.EDIT),
        can_view_id=scope.covers(person.branch.path, Perm.VIEW_ID) or scope.person_id == person.pk,
        posts=list(person.posts.select_related("organization").order_by("-started_on")),
    )


@dataclass(frozen=True)
class HistoryEntry:
    at: dt.datetime
    who: str
    what: str  # 新建 / 修改 / 删除
    record: str  # which kind of record
    changes: list[tuple[str, str, str]]  # (field label, before, after)


def _history_entries(model, rows, label: str) -> list[HistoryEntry]:
    entries = []
    previous: dict[int, object] = {}
    for row in rows:
        before = previous.get(row.id)
        changes: list[tuple[str, str, str]] = []
        if before is not None:
            delta = row.diff_against(before)
            for change in delta.changes:
                f = model._meta.get_field(change.field)
                changes.append(
                    (str(f.verbose_name), _display(f, change.old), _display(f, change.new))
                )
        previous[row.id] = row
        what = {"+": "新建", "~": "修改", "-": "删除"}[row.history_type]
        if what == "修改" and not changes:
            continue
        user = row.history_user
        entries.append(
            HistoryEntry(
                at=row.history_date,
                who=(user.get_full_name() or user.username) if user else "系统",
                what=what,
                record=label,
                changes=changes,
            )
        )
    return entries


def _display(f, value) -> str:
    if value is None or value == "":
        return "—"
    if f.choices:
        return str(dict(f.flatchoices).get(value, value))
    if f.name == "id_number":
        from dangwu.core.idcard import mask_id_number

        return mask_id_number(str(value))
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


def person_history(scope: Scope, pk: int) -> list[HistoryEntry]:
    """Who changed what and when on a person: the record, its status and its relationship."""
    person = person_get_for(scope, pk)
    person_rows = person.history.select_related("history_user").order_by(
        "history_date", "history_id"
    )
    status_rows = (
        StatusChange.history.filter(person_id=person.pk)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    membership_rows = (
        Membership.history.filter(person_id=person.pk)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    entries = (
        _history_entries(Person, person_rows, "人员信息")
        + _history_entries(StatusChange, status_rows, "政治面貌")
        + _history_entries(Membership, membership_rows, "组织关系")
    )
    return sorted(entries, key=lambda e: e.at, reverse=True)


def transfer_list(scope: Scope, *, direction: str = "all", status: str = "") -> QuerySet[Transfer]:
    """Transfers whose sending or receiving branch is in scope."""
    outgoing = scope.org_q(field="from_branch__path")
    incoming = scope.org_q(field="to_branch__path")
    if direction == "outgoing":
        cond = outgoing
    elif direction == "incoming":
        cond = incoming
    else:
        cond = outgoing | incoming
    qs = Transfer.objects.filter(cond).select_related(
        "person", "from_branch", "to_branch", "to_group"
    )
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-issued_on", "-id")


def transfer_get_for(scope: Scope, pk: int) -> Transfer:
    transfer = transfer_list(scope).filter(pk=pk).first()
    if transfer is None:
        raise NotFound()
    return transfer


def pending_incoming(scope: Scope) -> QuerySet[Transfer]:
    return transfer_list(scope, direction="incoming", status=TransferStatus.SENT)


def transfer_destinations(scope: Scope, *, exclude: Organization | None = None):
    """Every active branch of the system, by name and code, to send a member to.

    REL-SENDER: the receiving branch is usually outside the sender's scope, so this list is
    not limited to it; only a user who may send transfers (EDIT somewhere) gets it.
    """
    from dangwu.orgs.choices import OrgKind

    if not scope.is_superuser and not scope.paths(Perm.EDIT):
        return Organization.objects.none()
    qs = Organization.objects.filter(kind=OrgKind.BRANCH, dissolved_on__isnull=True)
    if exclude is not None:
        qs = qs.exclude(pk=exclude.pk)
    return qs.only("id", "name", "code", "path", "depth").order_by("path")


_ORG_FIELD_LABELS = frozenset({"所在党支部", "所在党小组", "党支部", "党小组"})


def person_history_named(scope: Scope, pk: int) -> list[HistoryEntry]:
    """``person_history`` with organizations shown by name (the history diff holds their ids);
    one more query whatever the length of the history."""
    from dataclasses import replace

    entries = person_history(scope, pk)
    ids = {
        int(v)
        for e in entries
        for label, before, after in e.changes
        if label in _ORG_FIELD_LABELS
        for v in (before, after)
        if v.isdigit()
    }
    if not ids:
        return entries
    names = {
        str(i): n for i, n in Organization.objects.filter(pk__in=ids).values_list("id", "name")
    }
    return [
        replace(
            e,
            changes=[
                (label, names.get(b, b), names.get(a, a))
                if label in _ORG_FIELD_LABELS
                else (label, b, a)
                for label, b, a in e.changes
            ],
        )
        for e in entries
    ]


@dataclass(frozen=True)
class TransferLetter:
    """What the printed introduction letter (介绍信) says, as of its issue date."""

    transfer: Transfer
    person: Person
    age: int
    member_kind: str  # 正式 / 预备
    from_name: str
    to_name: str


def _full_org_names(orgs: list[Organization]) -> dict[int, str]:
    # "某大学党委计算机学院党总支本科生第一党支部": the chain of names from the top, one query.
    step = Organization.steplen
    prefixes = {o.path[:end] for o in orgs for end in range(step, len(o.path) + 1, step)}
    names = dict(Organization.objects.filter(path__in=prefixes).values_list("path", "name"))
    return {
        o.pk: "".join(names.get(o.path[:end], "") for end in range(step, len(o.path) + 1, step))
        for o in orgs
    }


def transfer_letter(scope: Scope, pk: int) -> TransferLetter:
    """The introduction letter of an internal or outward transfer seen by either side.

    An inward transfer has no letter of ours (it came with a letter from outside).
    """
    from dangwu.members.models import TransferKind

    transfer = transfer_get_for(scope, pk)
    if transfer.kind == TransferKind.INWARD:
        raise NotFound()
    person = transfer.person
    orgs = [o for o in (transfer.from_branch, transfer.to_branch) if o is not None]
    full = _full_org_names(orgs)
    to_name = full.get(transfer.to_branch_id, "") if transfer.to_branch_id else ""
    return TransferLetter(
        transfer=transfer,
        person=person,
        age=rules.age_on(person.birth_date, transfer.issued_on),
        member_kind="预备" if person.status == Status.PROBATIONARY else "正式",
        from_name=full.get(transfer.from_branch_id, ""),
        to_name=to_name or transfer.external_org,
    )
