"""Test data builders. They go through the services where the services own an invariant
(a person always comes with a status row and a relationship row)."""

from __future__ import annotations

import datetime as dt
import itertools

from dangwu.accounts.models import Role, User
from dangwu.members import services as member_services
from dangwu.members.models import Person
from dangwu.orgs.models import Organization

_codes = itertools.count(1)
_ids = itertools.count(1)


def id_number_for(birth: dt.date, sex: str, serial: int | None = None) -> str:
    """A valid 18-character resident ID number for a birth date and sex (GB 11643)."""
    serial = next(_ids) if serial is None else serial
    seq = (serial * 2) % 1000
    seq = seq + 1 if sex == "male" else seq  # odd = male, even = female
    body = f"110105{birth:%Y%m%d}{seq % 1000:03d}"
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    check = "10X98765432"[sum(int(c) * w for c, w in zip(body, weights, strict=True)) % 11]
    return body + check


def superuser(username: str = "root") -> User:
    return User.objects.create_superuser(username=username, password="pw", email="")


def org(parent: Organization | None, kind: str, name: str | None = None, **fields) -> Organization:
    n = next(_codes)
    values = dict(code=f"T{n:05d}", name=name or f"组织{n}", kind=kind, **fields)
    if parent is None:
        return Organization.objects.add_root(values)
    return Organization.objects.add_child(Organization.objects.get(pk=parent.pk), values)


def person(
    branch: Organization,
    *,
    name: str = "张三",
    status: str = "full",
    group: Organization | None = None,
    sex: str = "male",
    birth_date: dt.date = dt.date(1990, 5, 4),
    admission_date: dt.date | None = dt.date(2015, 7, 1),
    full_since: dt.date | None = dt.date(2016, 7, 1),
    actor: User | None = None,
    **fields,
) -> Person:
    actor = actor or User.objects.filter(is_superuser=True).first() or superuser("factory")
    if status not in ("probationary", "full"):
        admission_date = full_since = None
    if status == "probationary":
        full_since = None
    fields.setdefault("id_number", id_number_for(birth_date, sex))
    return member_services.person_create(
        actor=actor,
        branch=branch,
        group=group,
        status=status,
        status_since=full_since or admission_date or dt.date(2020, 1, 1),
        name=name,
        sex=sex,
        birth_date=birth_date,
        admission_date=admission_date,
        full_since=full_since,
        **fields,
    )


def user_with_role(
    username: str,
    organization: Organization | None,
    kind: str = "party_worker",
    person: Person | None = None,
) -> User:
    user = User.objects.create_user(username=username, password="pw", person=person)
    if organization is not None:
        Role.objects.create(user=user, organization=organization, kind=kind)
    return user


def meeting(
    organization: Organization,
    kind: str,
    date: dt.date,
    *,
    topic: str = "",
    status: str = "held",
    present: tuple = (),
    on_leave: tuple = (),
    absent: tuple = (),
    **fields,
):
    """A meeting written straight to the tables (for tests of what reads meetings), with
    its attendance: people ``present``, on approved ``on_leave`` or ``absent``."""
    from dangwu.meetings.models import Attendance, Meeting

    m = Meeting.objects.create(
        organization=organization,
        kind=kind,
        date=date,
        topic=topic or f"{date:%Y年%m月}{kind}",
        status=status,
        **fields,
    )
    rows = [Attendance(meeting=m, person=p, status="present") for p in present]
    rows += [
        Attendance(
            meeting=m, person=p, status="on_leave", leave_state="approved", leave_reason="出差"
        )
        for p in on_leave
    ]
    rows += [Attendance(meeting=m, person=p, status="absent") for p in absent]
    Attendance.objects.bulk_create(rows)
    return m


def development(person: Person, data: dict, *, actor: User | None = None, today=None):
    """A development record for ``person`` written straight from the timeline JSON ``data``
    (``data["person"]`` may be left out: the person's own facts are used), with its rule
    cache refreshed. For tests of what reads development records."""
    from dangwu.development.models import DevelopmentRecord
    from dangwu.development.rules import parse_timeline
    from dangwu.development.services.common import record_refresh
    from dangwu.development.writer import write_timeline

    actor = actor or User.objects.filter(is_superuser=True).first() or superuser("factory")
    data = {
        "person": {
            "birth_date": person.birth_date.isoformat(),
            "league_member": person.league_member,
        },
        **data,
    }
    parse_timeline(data)
    record = DevelopmentRecord.objects.create(person=person, branch=person.branch)
    write_timeline(record, data, actor=actor)
    record.person = person
    record_refresh(record, today=today or dt.date(2026, 11, 22))
    return record
