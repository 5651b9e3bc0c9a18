"""``/api/v1/members`` and ``/api/v1/transfers``: people, their status, history and transfers.

Reads go through ``members.selectors`` with the user's scope, writes through
``members.services``; anything outside the scope is a 404. A resident ID number is always
masked here; ``POST /members/{id}/reveal-id`` gives the full number to a role allowed to see
it and records that it was seen.
"""

from collections.abc import Callable
from typing import Annotated, Any, Literal

from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, responses
from ninja.pagination import LimitOffsetPagination, paginate

from dangwu.api.schemas import (
    ErrorOut,
    HistoryEntryOut,
    Id,
    IdNumberOut,
    PersonCreateIn,
    PersonId,
    PersonListItemOut,
    PersonOut,
    PersonUpdateIn,
    StatusChangeIn,
    Text,
    TransferId,
    TransferOut,
    TransferReceiveIn,
    TransferSendIn,
)
from dangwu.core.clock import today
from dangwu.core.errors import InvalidInput
from dangwu.core.scope import Perm, scope_for
from dangwu.members import selectors, services
from dangwu.members.choices import Status
from dangwu.members.models import Person, Transfer, TransferStatus
from dangwu.orgs.selectors import organization_get_for

router = Router(tags=["人员"])
transfers_router = Router(tags=["组织关系转接"])

READ_ERRORS = {401: ErrorOut, 404: ErrorOut, 422: ErrorOut}
WRITE_ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
MAX_LIMIT = 200
# Blank text fields of a person are stored as "" (never NULL).
_BLANK_AS_EMPTY = ("phone", "education", "occupation", "dues_category", "work_unit")


class Page(LimitOffsetPagination):
    """limit/offset pages of at most 200 rows; a larger ``limit`` is refused (422)."""

    class Input(Schema):
        limit: int = Field(
            settings.DANGWU["PAGE_SIZE"],
            ge=1,
            le=MAX_LIMIT,
            description=f"每页条数，1–{MAX_LIMIT}，默认{settings.DANGWU['PAGE_SIZE']}。",
        )
        offset: int = Field(0, ge=0, le=10**9, description="跳过的条数，默认0。")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_limit=MAX_LIMIT, **kwargs)


# --- shapes out -----------------------------------------------------------------------------


def _person_item(person: Person) -> dict:
    return {
        "id": person.pk,
        "name": person.name,
        "sex": person.sex,
        "birth_date": person.birth_date,
        "id_number_masked": person.masked_id_number,
        "status": person.status,
        "status_label": person.get_status_display(),
        "status_since": person.status_since,
        "branch_id": person.branch_id,
        "branch_name": person.branch.name,
        "group_id": person.group_id,
        "group_name": person.group.name if person.group_id else None,
        "is_active": person.is_active,
    }


def _person_out(request: HttpRequest, pk: int) -> dict:
    detail = selectors.person_detail(scope_for(request.user), pk, today=today())
    person = detail.person
    rights = detail.rights
    return {
        **_person_item(person),
        "ethnicity": person.ethnicity,
        "phone": person.phone,
        "education": person.education or None,
        "occupation": person.occupation or None,
        "dues_category": person.dues_category or None,
        "work_unit": person.work_unit,
        "league_member": person.league_member,
        "applied_on": person.applied_on,
        "admission_date": person.admission_date,
        "full_since": person.full_since,
        "party_age": detail.party_age,
        "rights": {
            "can_vote": rights.can_vote,
            "can_elect": rights.can_elect,
            "can_be_elected": rights.can_be_elected,
            "can_hold_role": rights.can_hold_role,
            "reasons": list(rights.reasons),
        },
        "can_edit": detail.can_edit,
        "can_view_id": detail.can_view_id,
        "statuses": [
            {
                "status": s.status,
                "effective_on": s.effective_on,
                "leave_kind": s.leave_kind or None,
                "reason": s.reason,
            }
            for s in detail.statuses
        ],
        "memberships": [
            {
                "branch_id": m.branch_id,
                "branch_name": m.branch.name,
                "group_id": m.group_id,
                "group_name": m.group.name if m.group_id else None,
                "started_on": m.started_on,
                "ended_on": m.ended_on,
                "note": m.note,
            }
            for m in detail.memberships
        ],
        "posts": [
            {
                "organization_id": p.organization_id,
                "organization_name": p.organization.name,
                "kind": p.kind,
                "kind_label": p.get_kind_display(),
                "started_on": p.started_on,
                "ended_on": p.ended_on,
            }
            for p in detail.posts
        ],
    }


def _transfer_out(transfer: Transfer) -> dict:
    return {
        "id": transfer.pk,
        "kind": transfer.kind,
        "status": transfer.status,
        "status_label": transfer.get_status_display(),
        "person_id": transfer.person_id,
        "person_name": transfer.person.name,
        "from_branch_id": transfer.from_branch_id,
        "from_branch_name": transfer.from_branch.name if transfer.from_branch_id else None,
        "to_branch_id": transfer.to_branch_id,
        "to_branch_name": transfer.to_branch.name if transfer.to_branch_id else None,
        "external_org": transfer.external_org,
        "letter_number": transfer.letter_number,
        "issued_on": transfer.issued_on,
        "valid_days": transfer.valid_days,
        "reason": transfer.reason,
        "received_on": transfer.received_on,
    }


class Shaped:
    """A queryset that ninja's pagination counts and slices; only the page's rows are then
    shaped into dicts (the count and the page are the only two queries)."""

    def __init__(self, queryset: QuerySet, shape: Callable[[Any], dict]) -> None:
        self.queryset = queryset
        self.shape = shape

    def all(self) -> QuerySet:
        return self.queryset.all()

    def __getitem__(self, page: slice) -> list[dict]:
        return [self.shape(row) for row in self.queryset[page]]


def _blank_as_empty(data: dict) -> dict:
    return {k: ("" if k in _BLANK_AS_EMPTY and v is None else v) for k, v in data.items()}


# --- people ---------------------------------------------------------------------------------


@router.get(
    "",
    response={200: list[PersonListItemOut], **READ_ERRORS},
    summary="人员名单",
    description="您权限范围内的人员，按姓名拼音排序，分页（limit/offset）。"
    "q 按姓名、拼音或拼音首字母查找（zgf 可找到曾国藩）。",
)
@paginate(Page)
def person_list(
    request: HttpRequest,
    q: Annotated[Text, Query("", max_length=50, description="姓名、拼音或拼音首字母。")] = "",
    status: Annotated[Status | None, Query(description="只列此政治面貌。")] = None,
    org: Annotated[Id | None, Query(description="只列此组织（及其下级）的人员。")] = None,
    active: Annotated[bool, Query(description="true 只列在册人员，false 只列不在册的。")] = True,
):
    scope = scope_for(request.user)
    org_obj = organization_get_for(scope, org) if org is not None else None
    people = selectors.person_list(scope, q=q, status=status or "", org=org_obj, active=active)
    return Shaped(people, _person_item)


@router.post(
    "",
    response={201: PersonOut, **WRITE_ERRORS},
    summary="新建人员",
    description="把一个人编入 branch_id 所指的党支部（须有编辑权限），同时记录政治面貌和组织关系。",
)
def person_create(request: HttpRequest, payload: PersonCreateIn):
    scope = scope_for(request.user)
    branch = organization_get_for(scope, payload.branch_id)
    group = organization_get_for(scope, payload.group_id) if payload.group_id else None
    data = _blank_as_empty(payload.model_dump(exclude={"branch_id", "group_id"}))
    person = services.person_create(actor=request.user, branch=branch, group=group, **data)
    return responses.Status(201, _person_out(request, person.pk))


@router.get(
    "/{int:person_id}",
    response={200: PersonOut, **READ_ERRORS},
    summary="人员详情",
    description="人员信息、政治面貌和组织关系记录、任职和今天的权利。身份证号码始终遮蔽。",
)
def person_get(request: HttpRequest, person_id: PersonId):
    return _person_out(request, person_id)


@router.patch(
    "/{int:person_id}",
    response={200: PersonOut, **WRITE_ERRORS},
    summary="修改人员信息",
    description="只修改请求中给出的字段。政治面貌和组织关系有各自的接口。",
)
def person_update(request: HttpRequest, person_id: PersonId, payload: PersonUpdateIn):
    person = selectors.person_get_for(scope_for(request.user), person_id)
    changes = _blank_as_empty(payload.model_dump(exclude_unset=True))
    services.person_update(actor=request.user, person=person, **changes)
    return _person_out(request, person_id)


@router.post(
    "/{int:person_id}/status",
    response={200: PersonOut, **WRITE_ERRORS},
    summary="变更政治面貌",
    description=(
        "按 MEM-STATUS 规则变更政治面貌并记录；出党或去世同时结束组织关系。"
        "发展党员各阶段的变更须通过 /development 登记步骤。"
    ),
)
def person_status_change(request: HttpRequest, person_id: PersonId, payload: StatusChangeIn):
    person = selectors.person_get_for(scope_for(request.user), person_id)
    services.person_status_change(
        actor=request.user,
        person=person,
        status=payload.status,
        effective_on=payload.effective_on,
        reason=payload.reason,
        leave_kind=payload.leave_kind or "",
    )
    return _person_out(request, person_id)


@router.post(
    "/{int:person_id}/reveal-id",
    response={200: IdNumberOut, **WRITE_ERRORS},
    summary="查看完整身份证号码",
    description="仅限可查看身份证号码的角色（党务工作者、书记）和本人；每次查看都记入审计日志。",
)
def person_reveal_id(request: HttpRequest, person_id: PersonId):
    person = selectors.person_get_for(scope_for(request.user), person_id)
    number = services.person_id_reveal(
        actor=request.user, person=person, ip=request.META.get("REMOTE_ADDR")
    )
    return {"id_number": number}


@router.get(
    "/{int:person_id}/history",
    response={200: list[HistoryEntryOut], **READ_ERRORS},
    summary="修改记录",
    description="谁在何时改了此人的信息、政治面貌和组织关系，最近的在前。",
)
def person_history(request: HttpRequest, person_id: PersonId):
    entries = selectors.person_history_named(scope_for(request.user), person_id)
    return [
        {
            "at": timezone.localtime(e.at),
            "who": e.who,
            "what": e.what,
            "record": e.record,
            "changes": [{"field": f, "before": b, "after": a} for f, b, a in e.changes],
        }
        for e in entries
    ]


@router.post(
    "/{int:person_id}/transfers",
    response={201: TransferOut, **WRITE_ERRORS},
    summary="系统内转接组织关系",
    description="向本系统内另一个党支部开具介绍信；对方接收之前，此人仍在本支部（REL-SENDER）。",
)
def transfer_send(request: HttpRequest, person_id: PersonId, payload: TransferSendIn):
    scope = scope_for(request.user)
    # Who may send is settled before the destination is looked up (404 before 422).
    person = selectors.person_get_for(scope, person_id, perm=Perm.EDIT)
    to_branch = selectors.transfer_destinations(scope).filter(pk=payload.to_branch_id).first()
    if to_branch is None:
        message = "转入党支部不存在或已撤销。"
        raise InvalidInput(message, fields={"to_branch_id": [message]})
    transfer = services.transfer_send(
        actor=request.user,
        person=person,
        to_branch=to_branch,
        issued_on=payload.issued_on,
        valid_days=payload.valid_days,
        reason=payload.reason,
    )
    return responses.Status(201, _transfer_out(selectors.transfer_get_for(scope, transfer.pk)))


# --- transfers ------------------------------------------------------------------------------


@transfers_router.get(
    "",
    response={200: list[TransferOut], **READ_ERRORS},
    summary="组织关系转接",
    description="转出或转入党支部在您权限范围内的转接，最近的在前，分页（limit/offset）。",
)
@paginate(Page)
def transfer_list(
    request: HttpRequest,
    direction: Annotated[
        Literal["all", "outgoing", "incoming"],
        Query(description="all 全部；outgoing 转出；incoming 转入。"),
    ] = "all",
    status: Annotated[TransferStatus | None, Query(description="只列此状态。")] = None,
):
    transfers = selectors.transfer_list(
        scope_for(request.user), direction=direction, status=status or ""
    )
    return Shaped(transfers, _transfer_out)


@transfers_router.post(
    "/{int:transfer_id}/receive",
    response={200: TransferOut, **WRITE_ERRORS},
    summary="接收转入",
    description="转入党支部确认接收（系统内转接），或转出系统的回执已收到；须有审批权限。",
)
def transfer_receive(
    request: HttpRequest, transfer_id: TransferId, payload: TransferReceiveIn | None = None
):
    scope = scope_for(request.user)
    transfer = selectors.transfer_get_for(scope, transfer_id)
    received_on = payload.received_on if payload is not None else None
    services.transfer_receive(actor=request.user, transfer=transfer, received_on=received_on)
    return _transfer_out(selectors.transfer_get_for(scope, transfer_id))


@transfers_router.post(
    "/{int:transfer_id}/cancel",
    response={200: TransferOut, **WRITE_ERRORS},
    summary="撤销转出",
    description="转出党支部撤销尚未接收的介绍信；须有编辑权限。",
)
def transfer_cancel(request: HttpRequest, transfer_id: TransferId):
    scope = scope_for(request.user)
    transfer = selectors.transfer_get_for(scope, transfer_id)
    services.transfer_cancel(actor=request.user, transfer=transfer)
    return _transfer_out(selectors.transfer_get_for(scope, transfer_id))
