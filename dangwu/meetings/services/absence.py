"""Handling six consecutive months without organizational life (LIFE-ABSENT-6, LEAVE-SELF).

The same procedure as six months of unpaid dues (``dues.services.arrears``): the branch
opens a case once the rule gives an error, finds out why, and closes it with a justified
reason that was approved, with a proposal to the general meeting to treat the member as
having left the Party (党章 第九条: the general meeting decides, reported for approval), or
because the member is back in organizational life.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction

from dangwu.core import clock
from dangwu.core.audit import as_actor
from dangwu.core.dates import add_months
from dangwu.core.errors import DomainError, InvalidInput
from dangwu.core.scope import scope_for
from dangwu.meetings.absence import (
    absence_case_get_for,
    absence_person_get_for,
    absence_states,
)
from dangwu.meetings.choices import AbsenceResolution, AttendanceStatus, MeetingStatus
from dangwu.meetings.models import AbsenceCase, Attendance
from dangwu.members.choices import MEMBER_STATUSES
from dangwu.members.models import Person

DECISIONS = frozenset(
    {AbsenceResolution.JUSTIFIED, AbsenceResolution.PROPOSED, AbsenceResolution.RETURNED}
)


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


@transaction.atomic
def absence_case_open(*, actor, person: Person, today: dt.date | None = None) -> AbsenceCase:
    """Open the handling of six consecutive months without organizational life.

    Only when LIFE-ABSENT-6 gives an error for the member today; by a user with EDIT or
    APPROVE over them (else 404). One open case per member (database constraint)."""
    today = today or clock.today()
    scope = scope_for(actor)
    absence_person_get_for(scope, person.pk)
    # Serialize opening for one person: the rule is read and the case written under the lock.
    person = Person.objects.select_for_update().get(pk=person.pk)
    if not person.is_active or person.status not in MEMBER_STATUSES:
        raise DomainError(f"{person.name}不是在册党员，无需立案处置。", code="LIFE-ABSENT-6")
    state = absence_states([person.pk], today=today)[person.pk]
    run = state.run
    if not state.is_error or run.first is None:
        raise DomainError(
            f"{person.name}连续未参加组织生活{run.months}个月，未满6个月，无需按自行脱党程序处置。",
            code="LIFE-ABSENT-6",
        )
    try:
        with transaction.atomic():
            case = AbsenceCase(
                person=person,
                opened_on=today,
                months=run.months,
                absent_from=run.first.start,
                opened_by=_user(actor),
            )
            # The one-open-case constraint is the database's to enforce (races included).
            case.full_clean(validate_constraints=False)
            as_actor(case, actor)
            case.save()
    except IntegrityError as exc:
        raise DomainError(
            f"{person.name}已有一件待处理的不参加组织生活处置。", code="DUPLICATE"
        ) from exc
    return case


@transaction.atomic
def absence_case_decide(
    *,
    actor,
    case: AbsenceCase,
    resolution: str,
    reason: str = "",
    approved_by: str = "",
    decided_on: dt.date | None = None,
    today: dt.date | None = None,
) -> AbsenceCase:
    """Close an absence case: a justified reason, recorded with who approved it; a proposal
    to the general meeting to treat the member as having left the Party (LEAVE-SELF); or the
    member back in organizational life (present at a held meeting since the run ended).
    APPROVE over the member (the branch committee or above), else 404."""
    today = today or clock.today()
    decided_on = decided_on or today
    absence_case_get_for(scope_for(actor), case.pk)
    case = AbsenceCase.objects.select_for_update().select_related("person").get(pk=case.pk)
    if case.resolution != AbsenceResolution.OPEN:
        raise DomainError("该处置已办结。", code="DUPLICATE")
    if resolution not in DECISIONS:
        raise InvalidInput("请选择处理结果。", fields={"resolution": ["处理结果无效。"]})
    if decided_on > today or decided_on < case.opened_on:
        raise InvalidInput(
            "处理日期应在立案日期与今天之间。", fields={"decided_on": ["日期有误。"]}
        )
    reason, approved_by = reason.strip(), approved_by.strip()
    errs: dict[str, list[str]] = {}
    if resolution in {AbsenceResolution.JUSTIFIED, AbsenceResolution.PROPOSED} and not reason:
        errs["reason"] = ["请写明理由或情况。"]
    if resolution == AbsenceResolution.JUSTIFIED and not approved_by:
        errs["approved_by"] = ["正当理由须经批准，请填写批准人或批准文件。"]
    if resolution == AbsenceResolution.RETURNED and not _back_since(case, decided_on):
        errs["resolution"] = [
            f"{case.person.name}在这次连续缺席之后尚未出席过组织生活，"
            "不能按“已恢复参加组织生活”办结。"
        ]
    if errs:
        raise InvalidInput(next(iter(errs.values()))[0], fields=errs)
    case.resolution = resolution
    case.reason = reason[:500]
    case.approved_by = approved_by[:200]
    case.decided_on = decided_on
    case.decided_by = _user(actor)
    case.full_clean()
    as_actor(case, actor)
    case.save()
    return case


def _back_since(case: AbsenceCase, until: dt.date) -> bool:
    """Present at a held meeting after the run of absences that opened the case."""
    after_run = add_months(case.absent_from, case.months)
    return Attendance.objects.filter(
        person_id=case.person_id,
        status=AttendanceStatus.PRESENT,
        meeting__status=MeetingStatus.HELD,
        meeting__date__gte=after_run,
        meeting__date__lte=until,
    ).exists()
