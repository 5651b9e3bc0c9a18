"""Every write to people, their status, sanctions, organizational relationship and transfers.

Shape of each service: authorize → validate (rules) → lock → write → history row (via
simple-history, naming the actor) → return. All run in one transaction.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction

from dangwu.core.audit import as_actor, audit_event
from dangwu.core.clock import today as _today
from dangwu.core.errors import DomainError, InvalidInput, NotFound, RuleViolation
from dangwu.core.findings import errors
from dangwu.core.models import AuditAction
from dangwu.core.pinyin import pinyin_initials, pinyin_key, sort_key
from dangwu.core.scope import Perm, scope_for
from dangwu.members import rules
from dangwu.members.choices import MEMBER_STATUSES, Status
from dangwu.members.models import (
    Membership,
    Person,
    Sanction,
    StatusChange,
    Transfer,
    TransferKind,
    TransferStatus,
)
from dangwu.members.validation import clean_person_fields
from dangwu.orgs.choices import OrgKind
from dangwu.orgs.models import Organization

PERSON_FIELDS = (
    "name",
    "sex",
    "ethnicity",
    "birth_date",
    "id_number",
    "phone",
    "education",
    "occupation",
    "dues_category",
    "work_unit",
    "league_member",
    "applied_on",
    "admission_date",
    "full_since",
)
EDITABLE_FIELDS = frozenset(PERSON_FIELDS)


def set_name_keys(person: Person) -> None:
    """Pinyin search and sort keys follow the name (pure derivation, never edited by hand)."""
    person.pinyin = pinyin_key(person.name)[:200]
    person.initials = pinyin_initials(person.name)[:50]
    person.sort_key = sort_key(person.name)[:200]


def check_branch_and_group(branch: Organization, group: Organization | None) -> None:
    if branch.kind != OrgKind.BRANCH or branch.dissolved_on is not None:
        raise InvalidInput(
            f"“{branch.name}”不是在用的党支部，人员只能编入党支部。",
            code="ORG-ONE-HOME",
            fields={"branch": ["请选择一个党支部。"]},
        )
    if group is not None and (
        group.kind != OrgKind.PARTY_GROUP
        or not group.path.startswith(branch.path)
        or group.dissolved_on is not None
    ):
        raise InvalidInput(
            f"党小组“{group.name}”不属于“{branch.name}”。",
            fields={"group": ["党小组须属于所选党支部。"]},
        )


def _raise_field_errors(errs: dict[str, list[str]]) -> None:
    if errs:
        first = next(iter(errs.values()))[0]
        raise InvalidInput(first, fields=errs)


@transaction.atomic
def person_create(
    *,
    actor,
    branch: Organization,
    group: Organization | None = None,
    status: str,
    status_since: dt.date,
    joined_on: dt.date | None = None,
    today: dt.date | None = None,
    **data: Any,
) -> Person:
    """Put a person on the roll of ``branch``: the person, their status and their relationship."""
    today = today or _today()
    scope_for(actor).require(branch.path, Perm.EDIT)
    check_branch_and_group(branch, group)
    unknown = set(data) - EDITABLE_FIELDS
    if unknown:
        raise InvalidInput(f"未知字段：{'、'.join(sorted(unknown))}。")
    if status not in Status.values or status in {Status.LEFT, Status.DECEASED}:
        raise InvalidInput("请选择有效的政治面貌。", fields={"status": ["政治面貌无效。"]})
    cleaned, errs = clean_person_fields({**data, "status": status}, today=today)
    if status_since > today:
        errs.setdefault("status_since", []).append("日期不能晚于今天。")
    _raise_field_errors(errs)
    cleaned.pop("status", None)
    if cleaned.get("id_number") and Person.objects.filter(id_number=cleaned["id_number"]).exists():
        raise InvalidInput(
            "该身份证号码已登记。", code="DUPLICATE", fields={"id_number": ["该身份证号码已登记。"]}
        )
    person = Person(
        **{k: v for k, v in cleaned.items() if k in EDITABLE_FIELDS},
        status=status,
        status_since=status_since,
        branch=branch,
        group=group,
    )
    set_name_keys(person)
    person.full_clean()
    as_actor(person, actor)
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError as exc:
        raise InvalidInput("该身份证号码已登记。", code="DUPLICATE") from exc
    _record_status(actor, person, status, status_since, reason="建档")
    membership = Membership(
        person=person, branch=branch, group=group, started_on=joined_on or status_since
    )
    as_actor(membership, actor)
    membership.save()
    return person


@transaction.atomic
def person_update(*, actor, person: Person, today: dt.date | None = None, **changes: Any) -> Person:
    """Change a person's own fields (not status or relationship: those have their own services)."""
    today = today or _today()
    scope_for(actor).require(person.branch.path, Perm.EDIT)
    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        raise InvalidInput(f"这些字段不能在此修改：{'、'.join(sorted(unknown))}。")
    locked = Person.objects.select_for_update().get(pk=person.pk)
    current = {f: getattr(locked, f) for f in PERSON_FIELDS}
    cleaned, errs = clean_person_fields(
        {**current, **changes, "status": locked.status}, today=today
    )
    _raise_field_errors(errs)
    new_id = cleaned.get("id_number")
    if new_id and Person.objects.filter(id_number=new_id).exclude(pk=locked.pk).exists():
        raise InvalidInput("该身份证号码已登记。", fields={"id_number": ["该身份证号码已登记。"]})
    for field in PERSON_FIELDS:
        if field in changes or field in {"name", "id_number", "phone", "birth_date", "sex"}:
            setattr(locked, field, cleaned.get(field))
    set_name_keys(locked)
    locked.full_clean()
    as_actor(locked, actor)
    locked.save()
    return locked


def _record_status(actor, person, status, effective_on, *, reason="", leave_kind=""):
    change = StatusChange(
        person=person,
        status=status,
        effective_on=effective_on,
        reason=reason,
        leave_kind=leave_kind,
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    as_actor(change, actor)
    change.save()
    return change


# Moves on the way in (MEM-STATUS) that only the development workflow makes: its steps
# carry the dates and the votes behind them (dangwu.development.services.steps).
PIPELINE_MOVE_MESSAGE = (
    "从「{current}」变更为「{new}」须在发展党员流程中登记相应步骤（确定入党积极分子、确定发展对象、"
    "上级党委审批接收预备党员或转正、取消预备党员资格），不能在此直接变更政治面貌。"
)


def is_pipeline_move(current: str, new: str) -> bool:
    """Whether ``current`` → ``new`` is a move of member development (not a restoration of a
    suspended member, a suspension, leaving or death)."""
    if new in {Status.ACTIVIST, Status.CANDIDATE, Status.PROBATION_CANCELLED}:
        return True
    return new in {Status.PROBATIONARY, Status.FULL} and current != Status.SUSPENDED


def apply_status(
    actor,
    person: Person,
    status: str,
    effective_on: dt.date,
    *,
    reason: str = "",
    leave_kind: str = "",
    admission_date: dt.date | None = None,
    full_since: dt.date | None = None,
) -> Person:
    """Move a locked ``person`` to ``status`` from ``effective_on`` and write the dated
    ``StatusChange`` row. Internal to the services (``person_status_change`` and the
    development workflow): the caller has authorized and locked the row. Checks MEM-STATUS
    and that the history stays in date order. ``admission_date`` (入党时间) and
    ``full_since`` (转正日期) default to ``effective_on`` on the moves that set them."""
    findings = rules.status_transition_findings(current=person.status, new=status)
    if errors(findings):
        raise RuleViolation(findings, field="status")
    if effective_on < person.status_since:
        raise InvalidInput(
            f"生效日期不能早于当前状态的起始日期（{person.status_since}）。",
            fields={"effective_on": ["日期有误。"]},
        )
    if status != Status.LEFT:
        leave_kind = ""
    if status == Status.PROBATIONARY and (admission_date or person.admission_date is None):
        person.admission_date = admission_date or effective_on
    if status == Status.FULL and person.status == Status.PROBATIONARY:
        person.full_since = full_since or effective_on
    person.status = status
    person.status_since = effective_on
    if status in {Status.LEFT, Status.DECEASED}:
        person.is_active = False
        _close_membership(actor, person, effective_on, note=Status(status).label)
    as_actor(person, actor)
    person.save()
    _record_status(actor, person, status, effective_on, reason=reason, leave_kind=leave_kind)
    return person


@transaction.atomic
def person_status_change(
    *,
    actor,
    person: Person,
    status: str,
    effective_on: dt.date,
    reason: str = "",
    leave_kind: str = "",
    today: dt.date | None = None,
) -> Person:
    """Move a person to a new party status (MEM-STATUS), with its dated history row:
    suspension, restoration, leaving and death. Leaving or death ends the organizational
    relationship on the same day.

    The moves of member development (to activist, candidate, probationary, full, and the
    cancellation of a probationary membership) are refused here: they happen only through
    the development workflow's steps (``dangwu.development.services.steps.step_record``).
    """
    today = today or _today()
    scope_for(actor).require(person.branch.path, Perm.EDIT)
    locked = Person.objects.select_for_update().get(pk=person.pk)
    findings = rules.status_transition_findings(current=locked.status, new=status)
    if errors(findings):
        raise RuleViolation(findings, field="status")
    if is_pipeline_move(locked.status, status):
        message = PIPELINE_MOVE_MESSAGE.format(
            current=rules.STATUS_ZH[locked.status], new=rules.STATUS_ZH[status]
        )
        raise InvalidInput(message, code="MEM-STATUS", fields={"status": [message]})
    if effective_on > today:
        raise InvalidInput("生效日期不能晚于今天。", fields={"effective_on": ["日期有误。"]})
    if status == Status.LEFT and not leave_kind:
        raise InvalidInput("请选择出党方式。", fields={"leave_kind": ["请选择出党方式。"]})
    return apply_status(actor, locked, status, effective_on, reason=reason, leave_kind=leave_kind)


def _close_membership(actor, person: Person, on: dt.date, *, note: str = "") -> None:
    current = Membership.objects.select_for_update().filter(person=person, ended_on__isnull=True)
    for m in current:
        if on < m.started_on:
            raise InvalidInput(
                f"日期不能早于当前组织关系的起始日期（{m.started_on}）。",
                fields={"on": ["日期有误。"]},
            )
        m.ended_on = on
        if note:
            m.note = note
        as_actor(m, actor)
        m.save(update_fields=["ended_on", "note"])


def _open_membership(actor, person, branch, group, on, *, note=""):
    membership = Membership(person=person, branch=branch, group=group, started_on=on, note=note)
    as_actor(membership, actor)
    membership.save()
    return membership


@transaction.atomic
def person_group_assign(
    *, actor, person: Person, group: Organization | None, on: dt.date | None = None
) -> Person:
    """Place a person in a party group of their branch (or in none) from ``on``."""
    on = on or _today()
    scope_for(actor).require(person.branch.path, Perm.EDIT)
    locked = Person.objects.select_for_update().get(pk=person.pk)
    check_branch_and_group(locked.branch, group)
    if locked.group_id == (group.pk if group else None):
        return locked
    _close_membership(actor, locked, on, note="调整党小组")
    _open_membership(actor, locked, locked.branch, group, on, note="调整党小组")
    locked.group = group
    as_actor(locked, actor)
    locked.save(update_fields=["group", "updated_at"])
    return locked


@transaction.atomic
def sanction_record(
    *,
    actor,
    person: Person,
    kind: str,
    decided_on: dt.date,
    probation_years: int = 0,
    document: str = "",
    reason: str = "",
) -> Sanction:
    """Record a disciplinary sanction; its effects on rights are derived (DISC-EFFECTS)."""
    scope_for(actor).require(person.branch.path, Perm.EDIT)
    if person.status not in MEMBER_STATUSES:
        raise InvalidInput("党纪处分只适用于党员。", fields={"kind": ["该人员不是党员。"]})
    try:
        rules.sanction_effect(
            rules.SanctionFacts(kind=kind, decided_on=decided_on, probation_years=probation_years)
        )
    except ValueError as exc:
        raise InvalidInput(str(exc), fields={"probation_years": [str(exc)]}) from exc
    sanction = Sanction(
        person=person,
        kind=kind,
        decided_on=decided_on,
        probation_years=probation_years,
        document=document,
        reason=reason,
        recorded_by=actor,
    )
    sanction.full_clean()
    as_actor(sanction, actor)
    sanction.save()
    return sanction


def person_id_reveal(*, actor, person: Person, ip: str | None = None) -> str:
    """Return the full ID number to a role allowed to see it, and record that it was seen."""
    scope = scope_for(actor)
    own = scope.person_id == person.pk
    if not own and not scope.covers(person.branch.path, Perm.VIEW_ID):
        raise NotFound()
    audit_event(
        actor=actor, action=AuditAction.VIEW_ID_NUMBER, subject=f"person:{person.pk}", ip=ip
    )
    return person.id_number or ""


# --- transfers ---------------------------------------------------------------------------


def _letter_days(valid_days: int | None) -> int:
    cfg = settings.DANGWU
    days = cfg["LETTER_VALID_DAYS_DEFAULT"] if valid_days is None else valid_days
    if not 1 <= days <= cfg["LETTER_VALID_DAYS_MAX"]:
        raise InvalidInput(
            f"介绍信有效期应为1至{cfg['LETTER_VALID_DAYS_MAX']}天（REL-LETTER）。",
            code="REL-LETTER",
            fields={"valid_days": ["有效期超出范围。"]},
        )
    return days


def _new_transfer(actor, **fields) -> Transfer:
    from dangwu.dues.services import paid_through_for  # dues builds on members

    # The letter states the month dues are paid to (党费交至); the receiver continues there.
    fields.setdefault("dues_paid_through", paid_through_for(fields["person"].pk))
    transfer = Transfer(letter_number=f"tmp-{uuid.uuid4().hex}", created_by=actor, **fields)
    # The one-open-transfer constraint is left to the database, whose error we word ourselves.
    transfer.full_clean(validate_constraints=False)
    as_actor(transfer, actor)
    try:
        with transaction.atomic():
            transfer.save()
    except IntegrityError as exc:
        raise DomainError("该人员已有一份未完成的组织关系转接。", code="DUPLICATE") from exc
    transfer.letter_number = f"{transfer.issued_on:%Y}-{transfer.pk:06d}"
    transfer.save(update_fields=["letter_number"])
    return transfer


def _require_transferable(person: Person) -> None:
    if not person.is_active or person.status not in MEMBER_STATUSES:
        raise InvalidInput(f"{person.name}不是在册党员，不能转接组织关系。")


@transaction.atomic
def transfer_send(
    *,
    actor,
    person: Person,
    to_branch: Organization,
    to_group: Organization | None = None,
    issued_on: dt.date | None = None,
    valid_days: int | None = None,
    reason: str = "",
) -> Transfer:
    """Send a member to another branch in the system. They stay here until it is received."""
    issued_on = issued_on or _today()
    scope_for(actor).require(person.branch.path, Perm.EDIT)
    locked = Person.objects.select_for_update().get(pk=person.pk)
    _require_transferable(locked)
    check_branch_and_group(to_branch, to_group)
    if to_branch.pk == locked.branch_id:
        raise InvalidInput(
            "转入党支部与当前党支部相同。", fields={"to_branch": ["请选择其他党支部。"]}
        )
    return _new_transfer(
        actor,
        person=locked,
        kind=TransferKind.INTERNAL,
        from_branch=locked.branch,
        to_branch=to_branch,
        to_group=to_group,
        issued_on=issued_on,
        valid_days=_letter_days(valid_days),
        reason=reason,
    )


@transaction.atomic
def transfer_out(
    *,
    actor,
    person: Person,
    destination: str,
    issued_on: dt.date | None = None,
    valid_days: int | None = None,
    reason: str = "",
) -> Transfer:
    """Issue an introduction letter to an organization outside the system."""
    issued_on = issued_on or _today()
    scope_for(actor).require(person.branch.path, Perm.EDIT)
    locked = Person.objects.select_for_update().get(pk=person.pk)
    _require_transferable(locked)
    destination = destination.strip()
    if not destination:
        raise InvalidInput("请填写转往的党组织名称。", fields={"destination": ["请填写去向。"]})
    return _new_transfer(
        actor,
        person=locked,
        kind=TransferKind.OUTWARD,
        from_branch=locked.branch,
        external_org=destination,
        issued_on=issued_on,
        valid_days=_letter_days(valid_days),
        reason=reason,
    )


@transaction.atomic
def transfer_receive(*, actor, transfer: Transfer, received_on: dt.date | None = None) -> Transfer:
    """Confirm a transfer: the receiving branch takes the member (internal), or the receipt of
    an outward letter came back (outward: the member leaves the roll)."""
    received_on = received_on or _today()
    locked = (
        Transfer.objects.select_for_update(of=("self",))
        .select_related("to_branch", "from_branch")
        .get(pk=transfer.pk)
    )
    scope = scope_for(actor)
    side = locked.to_branch if locked.kind == TransferKind.INTERNAL else locked.from_branch
    if not scope.covers(side.path, Perm.APPROVE):
        raise NotFound()
    if locked.status != TransferStatus.SENT:
        raise DomainError(f"该转接{locked.get_status_display()}，不能重复接收。", code="DUPLICATE")
    if received_on < locked.issued_on:
        raise InvalidInput(
            "接收日期不能早于介绍信开具日期。", fields={"received_on": ["日期有误。"]}
        )
    person = Person.objects.select_for_update().get(pk=locked.person_id)
    if locked.kind == TransferKind.INTERNAL:
        check_branch_and_group(locked.to_branch, locked.to_group)
        _close_membership(actor, person, received_on, note=f"转出（{locked.letter_number}）")
        _open_membership(
            actor,
            person,
            locked.to_branch,
            locked.to_group,
            received_on,
            note=f"转入（{locked.letter_number}）",
        )
        person.branch = locked.to_branch
        person.group = locked.to_group
    else:
        _close_membership(actor, person, received_on, note=f"转出系统（{locked.letter_number}）")
        person.is_active = False
        person.group = None
    as_actor(person, actor)
    person.save(update_fields=["branch", "group", "is_active", "updated_at"])
    locked.status = TransferStatus.RECEIVED
    locked.received_on = received_on
    locked.received_by = actor
    as_actor(locked, actor)
    locked.save(update_fields=["status", "received_on", "received_by"])
    return locked


@transaction.atomic
def transfer_cancel(*, actor, transfer: Transfer) -> Transfer:
    """The sending branch withdraws a letter that has not been received."""
    locked = (
        Transfer.objects.select_for_update(of=("self",))
        .select_related("from_branch")
        .get(pk=transfer.pk)
    )
    scope_for(actor).require(locked.from_branch.path, Perm.EDIT)
    if locked.status != TransferStatus.SENT:
        raise DomainError(f"该转接{locked.get_status_display()}，不能撤销。")
    locked.status = TransferStatus.CANCELLED
    as_actor(locked, actor)
    locked.save(update_fields=["status"])
    return locked


@transaction.atomic
def transfer_in(
    *,
    actor,
    branch: Organization,
    group: Organization | None = None,
    origin: str,
    letter_number: str,
    issued_on: dt.date,
    received_on: dt.date | None = None,
    valid_days: int | None = None,
    status: str,
    dues_paid_through: dt.date | None = None,
    today: dt.date | None = None,
    **data: Any,
) -> Person:
    """Receive a member from outside the system with their introduction letter.

    ``dues_paid_through``: the month the letter says dues were paid to; dues are assessed
    here from the month after it."""
    today = today or _today()
    received_on = received_on or today
    if status not in MEMBER_STATUSES:
        raise InvalidInput(
            "只有党员（预备党员、正式党员）可以转入组织关系。",
            fields={"status": ["请选择党员身份。"]},
        )
    if not origin.strip() or not letter_number.strip():
        raise InvalidInput(
            "请填写转出党组织和介绍信编号。",
            fields={
                k: ["必填。"]
                for k, v in (("origin", origin), ("letter_number", letter_number))
                if not v.strip()
            },
        )
    if Transfer.objects.filter(letter_number=letter_number.strip()).exists():
        raise InvalidInput("该介绍信编号已登记。", fields={"letter_number": ["介绍信编号已登记。"]})
    person = person_create(
        actor=actor,
        branch=branch,
        group=group,
        status=status,
        status_since=received_on,
        joined_on=received_on,
        today=today,
        **data,
    )
    transfer = Transfer(
        person=person,
        kind=TransferKind.INWARD,
        status=TransferStatus.RECEIVED,
        to_branch=branch,
        to_group=group,
        external_org=origin.strip(),
        letter_number=letter_number.strip(),
        issued_on=issued_on,
        valid_days=_letter_days(valid_days),
        received_on=received_on,
        dues_paid_through=dues_paid_through.replace(day=1) if dues_paid_through else None,
        created_by=actor,
        received_by=actor,
    )
    transfer.full_clean()
    as_actor(transfer, actor)
    transfer.save()
    if transfer.dues_paid_through is not None:
        from dangwu.dues.services import account_open_from_letter

        account_open_from_letter(person=person, paid_through=transfer.dues_paid_through)
    return person
