"""Reads about heart-to-heart talks (谈心谈话) and their LIFE-HEART-TALK coverage."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from dangwu.core.errors import NotFound
from dangwu.core.findings import Finding
from dangwu.core.scope import Perm, Scope
from dangwu.meetings import rules
from dangwu.meetings.compliance import compliance_settings
from dangwu.meetings.models import HeartTalk
from dangwu.members.choices import MEMBER_STATUSES
from dangwu.members.models import Membership, Person
from dangwu.orgs.choices import COMMITTEE_POSTS, OrgKind
from dangwu.orgs.models import Organization, Post


def talk_branch_get(scope: Scope, org_id: int, perm: Perm = Perm.VIEW) -> Organization:
    """A branch the user may see (or record talks in, ``Perm.LIFE``); else 404."""
    org = Organization.objects.filter(pk=org_id, kind=OrgKind.BRANCH).first()
    if org is None or not scope.covers(org.path, perm):
        raise NotFound()
    return org


@dataclass(frozen=True)
class TalkCount:
    """One person's talks in the year, by whom they talked with."""

    person: Person
    is_committee: bool
    with_committee: int
    with_members: int
    missing: tuple[str, ...]  # kinds of talk still missing: committee, committee_member, member

    @property
    def total(self) -> int:
        return self.with_committee + self.with_members


@dataclass(frozen=True)
class HeartTalkCoverage:
    on: dt.date  # the day the committee and members were read
    findings: list[Finding]
    counts: list[TalkCount]  # committee first, then members, in roll order


def _label(people: list[Person]) -> dict[int, str]:
    """Names for the rule; a name two people share gets its id so the rule can tell them apart."""
    seen = Counter(p.name for p in people)
    return {p.pk: p.name if seen[p.name] == 1 else f"{p.name}（{p.pk}）" for p in people}


def heart_talk_coverage(
    scope: Scope, branch: Organization, *, year: int, today: dt.date
) -> HeartTalkCoverage:
    """LIFE-HEART-TALK for a branch's year (``rules.heart_talk_findings``).

    The committee: people holding a committee post on the branch on the year's last day
    (or today, for the running year); the members: the other probationary and full members
    who belonged to the branch that day. Four queries."""
    scope.require(branch.path, Perm.VIEW)
    on = min(dt.date(year, 12, 31), today)
    active = Q(started_on__lte=on) & (Q(ended_on__isnull=True) | Q(ended_on__gt=on))
    committee_ids = set(
        Post.objects.filter(active, organization=branch, kind__in=COMMITTEE_POSTS).values_list(
            "person_id", flat=True
        )
    )
    member_ids = set(
        Membership.objects.filter(active, branch=branch).values_list("person_id", flat=True)
    )
    people = list(
        Person.objects.filter(
            Q(pk__in=committee_ids)
            | Q(pk__in=member_ids - committee_ids, status__in=MEMBER_STATUSES)
        ).order_by("sort_key", "id")
    )
    label = _label(people)
    committee = [p for p in people if p.pk in committee_ids]
    members = [p for p in people if p.pk not in committee_ids]
    talks = list(
        HeartTalk.objects.filter(
            organization=branch, date__gte=dt.date(year, 1, 1), date__lte=on
        ).values_list("person_id", "other_id")
    )
    facts = rules.HeartTalkFacts(
        committee=tuple(label[p.pk] for p in committee),
        members=tuple(label[p.pk] for p in members),
        talks=tuple((label[a], label[b]) for a, b in talks if a in label and b in label),
    )
    findings = [
        dataclasses.replace(f, subject=f"org:{branch.path}")
        for f in rules.heart_talk_findings(
            year=year, today=today, facts=facts, settings=compliance_settings()
        )
    ]
    # Who each finding names: members by name, committee pairs as "甲与乙" (the rule's form).
    pair_names = {
        f"{a}与{b}": (a, b) for i, a in enumerate(facts.committee) for b in facts.committee[i + 1 :]
    }
    missing: dict[str, list[str]] = {}
    for f in findings:
        kind = f.data.get("between")
        for name in f.data.get("missing", ()):
            for who in pair_names.get(name, ()) if kind == "committee" else (name,):
                missing.setdefault(who, []).append(kind)
    with_committee: Counter[int] = Counter()
    with_members: Counter[int] = Counter()
    for a, b in talks:
        for me, them in ((a, b), (b, a)):
            if them in committee_ids:
                with_committee[me] += 1
            elif them in label:
                with_members[me] += 1
    counts = [
        TalkCount(
            person=p,
            is_committee=p.pk in committee_ids,
            with_committee=with_committee[p.pk],
            with_members=with_members[p.pk],
            missing=tuple(dict.fromkeys(missing.get(label[p.pk], ()))),
        )
        for p in committee + members
    ]
    return HeartTalkCoverage(on=on, findings=findings, counts=counts)


def heart_talk_list(scope: Scope, branch: Organization, year: int) -> QuerySet[HeartTalk]:
    """The branch's talks in ``year``, newest first."""
    scope.require(branch.path, Perm.VIEW)
    return HeartTalk.objects.filter(organization=branch, date__year=year).select_related(
        "person", "other"
    )


def talk_people(scope: Scope, branch: Organization, *, today: dt.date) -> list[Person]:
    """Who may be named in a talk form: people who belonged to the branch this year or last
    year (the service checks the talk's own date)."""
    scope.require(branch.path, Perm.LIFE)
    since = dt.date(today.year - 1, 1, 1)
    ids = Membership.objects.filter(branch=branch).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gte=since)
    )
    return list(Person.objects.filter(pk__in=ids.values("person_id")).order_by("sort_key", "id"))
