"""Recording heart-to-heart talks (谈心谈话, LIFE-HEART-TALK)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Q

from dangwu.core import clock
from dangwu.core.audit import as_actor
from dangwu.core.dates import zh_date
from dangwu.core.errors import InvalidInput
from dangwu.core.scope import Perm, scope_for
from dangwu.meetings.models import HeartTalk
from dangwu.members.models import Membership, Person
from dangwu.orgs.choices import OrgKind
from dangwu.orgs.models import Organization


def members_on(branch: Organization, on: dt.date, person_ids: list[int]) -> set[int]:
    """Those of ``person_ids`` who belonged to ``branch`` on ``on`` (Membership)."""
    return set(
        Membership.objects.filter(person_id__in=person_ids, branch=branch, started_on__lte=on)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=on))
        .values_list("person_id", flat=True)
    )


@transaction.atomic
def heart_talk_record(
    *,
    actor,
    organization: Organization,
    date: dt.date,
    person: Person,
    other: Person,
    topic: str,
    note: str = "",
    today: dt.date | None = None,
) -> HeartTalk:
    """Record a talk between two people of a branch. Perm.LIFE on the branch (else 404);
    both belonged to the branch on ``date``; ``date`` not after today."""
    today = today or clock.today()
    scope_for(actor).require(organization.path, Perm.LIFE)
    if organization.kind != OrgKind.BRANCH:
        raise InvalidInput("谈心谈话按党支部登记，请在党支部下登记。")
    topic, note = topic.strip(), note.strip()
    errs: dict[str, list[str]] = {}
    if date > today:
        errs["date"] = ["谈话日期不能晚于今天。"]
    if person.pk == other.pk:
        errs["other"] = ["谈心谈话应在两个不同的人之间进行。"]
    if not topic:
        errs["topic"] = ["请填写谈话主题。"]
    if not errs:
        present = members_on(organization, date, [person.pk, other.pk])
        for field, who in (("person", person), ("other", other)):
            if who.pk not in present:
                errs[field] = [f"{who.name}在{zh_date(date)}不是{organization.name}的成员。"]
    if errs:
        raise InvalidInput(next(iter(errs.values()))[0], fields=errs)
    talk = HeartTalk(
        organization=organization,
        date=date,
        person=person,
        other=other,
        topic=topic[:200],
        note=note,
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    talk.full_clean()
    as_actor(talk, actor)
    talk.save()
    return talk
