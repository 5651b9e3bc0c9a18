"""Service-level tests of members/services.py: behaviour, refusals that change nothing,
history rows that name the actor, and ORG-ONE-HOME through a transfer."""

import datetime as dt

import pytest

from dangwu.core.errors import DomainError, InvalidInput, NotFound, RuleViolation
from dangwu.core.models import AuditAction, AuditEvent
from dangwu.members import services
from dangwu.members.models import (
    Membership,
    Person,
    Sanction,
    StatusChange,
    Transfer,
    TransferKind,
    TransferStatus,
)
from tests import factories

D = dt.date


@pytest.fixture
def worker(tree):
    """A party worker of the branch."""
    return factories.user_with_role("worker", tree.branch)


@pytest.fixture
def zeng(tree, worker):
    return factories.person(tree.branch, name="曾国藩", group=tree.group, actor=worker)


def counts():
    return (
        Person.objects.count(),
        StatusChange.objects.count(),
        Membership.objects.count(),
        Transfer.objects.count(),
        Sanction.objects.count(),
    )


def open_memberships(person):
    return list(Membership.objects.filter(person=person, ended_on__isnull=True))


def snapshot(person):
    fresh = Person.objects.get(pk=person.pk)
    return {f.attname: getattr(fresh, f.attname) for f in Person._meta.concrete_fields}


def create_kwargs(tree, **overrides):
    values = {
        "branch": tree.branch,
        "group": tree.group,
        "status": "full",
        "status_since": D(2016, 7, 1),
        "name": "曾国藩",
        "id_number": "11010519491231002X",
        "phone": "138-0013-8000",
        "admission_date": D(2015, 7, 1),
        "full_since": D(2016, 7, 1),
        "today": D(2026, 11, 22),
    }
    values.update(overrides)
    return values


# --- person_create ------------------------------------------------------------------------


def test_person_create_writes_person_status_and_relationship_naming_the_actor(tree, worker):
    person = services.person_create(actor=worker, **create_kwargs(tree))

    assert (person.name, person.sex, person.birth_date) == ("曾国藩", "female", D(1949, 12, 31))
    assert (person.pinyin, person.initials) == ("zengguofan", "zgf")
    assert person.phone == "13800138000"
    assert (person.branch, person.group, person.status) == (tree.branch, tree.group, "full")
    change = StatusChange.objects.get(person=person)
    assert (change.status, change.effective_on, change.reason, change.recorded_by) == (
        "full",
        D(2016, 7, 1),
        "建档",
        worker,
    )
    [membership] = open_memberships(person)
    assert (membership.branch, membership.group, membership.started_on) == (
        tree.branch,
        tree.group,
        D(2016, 7, 1),
    )
    assert person.history.get().history_user == worker
    assert membership.history.get().history_user == worker


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"id_number": "110105194912310021"},
            "id_number",
            "身份证号码第18位校验码应为X，实际为1。",
        ),
        (
            {"birth_date": D(1950, 1, 1)},
            "birth_date",
            "出生日期与身份证号码不一致：身份证为1949-12-31，填写为1950-01-01。",
        ),
        ({"phone": "12345"}, "phone", "手机号码应为11位，当前为5位。"),
        ({"name": "  "}, "name", "请填写姓名。"),
        ({"full_since": None}, "full_since", "正式党员须填写转正日期。"),
        ({"status_since": D(2026, 11, 23)}, "status_since", "日期不能晚于今天。"),
    ],
    ids=[
        "校验码错误",
        "出生日期与号码不一致",
        "手机号位数",
        "姓名为空",
        "正式党员无转正日期",
        "起始日期在将来",
    ],
)
def test_person_create_refuses_bad_fields_and_creates_nothing(
    tree, worker, overrides, field, message
):
    before = counts()

    with pytest.raises(InvalidInput) as exc:
        services.person_create(actor=worker, **create_kwargs(tree, **overrides))

    assert message in exc.value.fields[field]
    assert counts() == before


def test_person_create_refuses_a_duplicate_id_number(tree, worker):
    services.person_create(actor=worker, **create_kwargs(tree))
    before = counts()

    with pytest.raises(InvalidInput) as exc:
        services.person_create(actor=worker, **create_kwargs(tree, name="另一人"))

    assert exc.value.fields == {"id_number": ["该身份证号码已登记。"]}
    assert counts() == before


def test_person_create_refuses_a_group_of_another_branch(tree, worker):
    other_group = factories.org(tree.sibling, "party_group", "教工党小组")
    before = counts()

    with pytest.raises(InvalidInput) as exc:
        services.person_create(actor=worker, **create_kwargs(tree, group=other_group))

    assert exc.value.message == "党小组“教工党小组”不属于“本科生第一党支部”。"
    assert counts() == before


@pytest.mark.parametrize("status", ["left", "deceased", "nonsense"])
def test_person_create_refuses_a_closed_or_unknown_status(tree, worker, status):
    before = counts()

    with pytest.raises(InvalidInput) as exc:
        services.person_create(actor=worker, **create_kwargs(tree, status=status))

    assert exc.value.message == "请选择有效的政治面貌。"
    assert counts() == before


def test_person_create_outside_the_scope_is_not_found(tree):
    sibling_worker = factories.user_with_role("sibw", tree.sibling)
    before = counts()

    with pytest.raises(NotFound):
        services.person_create(actor=sibling_worker, **create_kwargs(tree))

    assert counts() == before


@pytest.mark.parametrize("kind", ["secretary", "committee_member", "group_leader"])
def test_person_create_needs_the_edit_permission(tree, kind):
    viewer = factories.user_with_role("viewer", tree.branch, kind=kind)

    with pytest.raises(NotFound):
        services.person_create(actor=viewer, **create_kwargs(tree))

    assert Person.objects.count() == 0


# --- person_update ------------------------------------------------------------------------


def test_person_update_changes_fields_and_records_before_and_after(zeng, worker):
    services.person_update(actor=worker, person=zeng, phone="13912345678", work_unit="计算机学院")

    fresh = Person.objects.get(pk=zeng.pk)
    assert (fresh.phone, fresh.work_unit) == ("13912345678", "计算机学院")
    last = fresh.history.order_by("-history_date", "-history_id").first()
    assert last.history_user == worker
    delta = last.diff_against(last.prev_record)
    assert {(c.field, c.old, c.new) for c in delta.changes} == {
        ("phone", "", "13912345678"),
        ("work_unit", "", "计算机学院"),
    }


def test_person_update_renames_and_rekeys(zeng, worker):
    services.person_update(actor=worker, person=zeng, name="单雄信")

    fresh = Person.objects.get(pk=zeng.pk)
    assert (fresh.name, fresh.pinyin, fresh.initials) == ("单雄信", "shanxiongxin", "sxx")


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"phone": "1380013800"}, "手机号码应为11位，当前为10位。"),
        ({"id_number": "110105194912310021"}, "身份证号码第18位校验码应为X，实际为1。"),
        ({"status": "left"}, "这些字段不能在此修改：status。"),
        ({"branch": None}, "这些字段不能在此修改：branch。"),
    ],
    ids=["手机号位数", "校验码错误", "状态另有服务", "组织关系另有服务"],
)
def test_person_update_refuses_bad_changes_and_changes_nothing(zeng, worker, changes, error):
    before = snapshot(zeng)
    history = zeng.history.count()

    with pytest.raises(InvalidInput) as exc:
        services.person_update(actor=worker, person=zeng, **changes)

    assert exc.value.message == error
    assert snapshot(zeng) == before
    assert zeng.history.count() == history


def test_person_update_refuses_an_id_number_of_someone_else(tree, zeng, worker):
    other = factories.person(tree.branch, name="李华", actor=worker)
    before = snapshot(other)

    with pytest.raises(InvalidInput) as exc:
        services.person_update(
            actor=worker,
            person=other,
            id_number=zeng.id_number,
            birth_date=zeng.birth_date,
            sex=zeng.sex,
        )

    assert exc.value.fields == {"id_number": ["该身份证号码已登记。"]}
    assert snapshot(other) == before


def test_person_update_outside_the_scope_is_not_found(tree, zeng):
    sibling_worker = factories.user_with_role("sibw", tree.sibling)
    before = snapshot(zeng)

    with pytest.raises(NotFound):
        services.person_update(actor=sibling_worker, person=zeng, phone="13912345678")

    assert snapshot(zeng) == before


# --- person_status_change -----------------------------------------------------------------


def test_apply_status_probationary_to_full_sets_full_since_and_records_the_actor(tree, worker):
    # The helper behind person_status_change and the development workflow's steps.
    person = factories.person(
        tree.branch, status="probationary", actor=worker, admission_date=D(2025, 10, 1)
    )
    locked = Person.objects.get(pk=person.pk)

    services.apply_status(worker, locked, "full", D(2026, 10, 1), reason="支部大会通过")

    fresh = Person.objects.get(pk=person.pk)
    assert (fresh.status, fresh.status_since, fresh.full_since) == (
        "full",
        D(2026, 10, 1),
        D(2026, 10, 1),
    )
    change = fresh.status_changes.order_by("-id").first()
    assert (change.status, change.reason, change.recorded_by) == ("full", "支部大会通过", worker)
    assert change.history.get().history_user == worker


@pytest.mark.parametrize(
    ("current", "new"),
    [
        ("applicant", "activist"),
        ("activist", "candidate"),
        ("candidate", "probationary"),
        ("probationary", "full"),
        ("probationary", "probation_cancelled"),
    ],
)
def test_status_change_refuses_the_moves_of_member_development(tree, worker, current, new):
    person = factories.person(tree.branch, status=current, actor=worker)
    before = snapshot(person)
    rows = counts()

    with pytest.raises(InvalidInput) as exc:
        services.person_status_change(
            actor=worker,
            person=person,
            status=new,
            effective_on=D(2026, 11, 1),
            today=D(2026, 11, 22),
        )

    assert exc.value.code == "MEM-STATUS"
    assert "须在发展党员流程中登记相应步骤" in exc.value.message
    assert exc.value.fields == {"status": [exc.value.message]}
    assert snapshot(person) == before
    assert counts() == rows


def test_status_change_restores_a_suspended_member_to_full(tree, worker, zeng):
    services.person_status_change(
        actor=worker,
        person=zeng,
        status="suspended",
        effective_on=D(2026, 1, 1),
        today=D(2026, 11, 22),
    )

    services.person_status_change(
        actor=worker,
        person=zeng,
        status="full",
        effective_on=D(2026, 11, 1),
        today=D(2026, 11, 22),
    )

    fresh = Person.objects.get(pk=zeng.pk)
    assert (fresh.status, fresh.status_since, fresh.full_since) == (
        "full",
        D(2026, 11, 1),
        D(2016, 7, 1),
    )


def test_status_change_refuses_a_step_back_with_the_rule_and_its_citation(zeng, worker):
    before = snapshot(zeng)
    changes = StatusChange.objects.count()

    with pytest.raises(RuleViolation) as exc:
        services.person_status_change(
            actor=worker,
            person=zeng,
            status="applicant",
            effective_on=D(2026, 11, 1),
            today=D(2026, 11, 22),
        )

    assert exc.value.code == "MEM-STATUS"
    assert exc.value.fields == {
        "status": [
            "不能从「正式党员」退回「入党申请人」。（《中国共产党章程》；《中国共产党发展党员工作细则》）"
        ]
    }
    assert snapshot(zeng) == before
    assert StatusChange.objects.count() == changes


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        (
            {"status": "suspended", "effective_on": D(2026, 11, 23)},
            "effective_on",
            "生效日期不能晚于今天。",
        ),
        (
            {"status": "suspended", "effective_on": D(2016, 6, 30)},
            "effective_on",
            "生效日期不能早于当前状态的起始日期（2016-07-01）。",
        ),
        ({"status": "left", "effective_on": D(2026, 11, 1)}, "leave_kind", "请选择出党方式。"),
    ],
    ids=["将来的日期", "早于当前状态", "出党未选方式"],
)
def test_status_change_refuses_bad_input_and_changes_nothing(zeng, worker, kwargs, field, message):
    before = snapshot(zeng)
    rows = counts()

    with pytest.raises(InvalidInput) as exc:
        services.person_status_change(actor=worker, person=zeng, today=D(2026, 11, 22), **kwargs)

    assert exc.value.message == message
    assert field in exc.value.fields
    assert snapshot(zeng) == before
    assert counts() == rows


def test_status_change_to_left_ends_the_relationship(zeng, worker):
    services.person_status_change(
        actor=worker,
        person=zeng,
        status="left",
        leave_kind="withdrew",
        effective_on=D(2026, 11, 1),
        today=D(2026, 11, 22),
    )

    fresh = Person.objects.get(pk=zeng.pk)
    assert (fresh.status, fresh.is_active) == ("left", False)
    assert open_memberships(fresh) == []
    ended = Membership.objects.get(person=fresh)
    assert (ended.ended_on, ended.note) == (D(2026, 11, 1), "已出党")
    assert fresh.status_changes.order_by("-id").first().leave_kind == "withdrew"


def test_status_change_outside_the_scope_is_not_found(tree, zeng):
    secretary = factories.user_with_role("sec", tree.branch, kind="secretary")
    before = snapshot(zeng)

    with pytest.raises(NotFound):
        services.person_status_change(
            actor=secretary, person=zeng, status="suspended", effective_on=D(2026, 11, 1)
        )

    assert snapshot(zeng) == before


# --- person_group_assign ------------------------------------------------------------------


def test_group_assign_moves_the_member_with_a_dated_relationship_row(tree, worker):
    person = factories.person(tree.branch, actor=worker)
    second = factories.org(tree.branch, "party_group", "第二党小组")

    services.person_group_assign(actor=worker, person=person, group=second, on=D(2026, 11, 1))

    fresh = Person.objects.get(pk=person.pk)
    assert fresh.group == second
    [current] = open_memberships(fresh)
    assert (current.branch, current.group, current.started_on, current.note) == (
        tree.branch,
        second,
        D(2026, 11, 1),
        "调整党小组",
    )
    old = Membership.objects.get(person=fresh, ended_on__isnull=False)
    assert (old.group, old.ended_on) == (None, D(2026, 11, 1))
    assert current.history.get().history_user == worker


def test_group_assign_to_the_same_group_writes_nothing(zeng, worker, tree):
    rows = counts()

    services.person_group_assign(actor=worker, person=zeng, group=tree.group, on=D(2026, 11, 1))

    assert counts() == rows


def test_group_assign_refuses_a_group_of_another_branch(zeng, worker, tree):
    other_group = factories.org(tree.sibling, "party_group", "教工党小组")
    before = snapshot(zeng)
    rows = counts()

    with pytest.raises(InvalidInput) as exc:
        services.person_group_assign(actor=worker, person=zeng, group=other_group)

    assert exc.value.fields == {"group": ["党小组须属于所选党支部。"]}
    assert snapshot(zeng) == before
    assert counts() == rows


def test_group_assign_refuses_a_date_before_the_current_relationship(zeng, worker, tree):
    rows = counts()

    with pytest.raises(InvalidInput) as exc:
        services.person_group_assign(actor=worker, person=zeng, group=None, on=D(2000, 1, 1))

    assert exc.value.message == "日期不能早于当前组织关系的起始日期（2016-07-01）。"
    assert counts() == rows
    assert Person.objects.get(pk=zeng.pk).group == tree.group


# --- sanction_record ----------------------------------------------------------------------


def test_sanction_record_keeps_the_decision_and_its_actor(zeng, worker):
    sanction = services.sanction_record(
        actor=worker,
        person=zeng,
        kind="probation_within_party",
        decided_on=D(2026, 3, 1),
        probation_years=1,
        document="校纪字〔2026〕3号",
    )

    assert (sanction.kind, sanction.probation_years, sanction.recorded_by) == (
        "probation_within_party",
        1,
        worker,
    )
    assert sanction.history.get().history_user == worker


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"kind": "probation_within_party", "probation_years": 3},
            "留党察看期为3年，应为1年或2年。",
        ),
        (
            {"kind": "warning", "probation_years": 1},
            "「警告」处分没有察看期，察看年限和延长年限应为0。",
        ),
    ],
    ids=["察看期三年", "警告带察看期"],
)
def test_sanction_record_refuses_an_impossible_sanction(zeng, worker, kwargs, message):
    with pytest.raises(InvalidInput) as exc:
        services.sanction_record(actor=worker, person=zeng, decided_on=D(2026, 3, 1), **kwargs)

    assert exc.value.message == message
    assert Sanction.objects.count() == 0


def test_sanction_record_refuses_a_non_member(tree, worker):
    applicant = factories.person(tree.branch, status="applicant", actor=worker)

    with pytest.raises(InvalidInput) as exc:
        services.sanction_record(
            actor=worker, person=applicant, kind="warning", decided_on=D(2026, 3, 1)
        )

    assert exc.value.message == "党纪处分只适用于党员。"
    assert Sanction.objects.count() == 0


# --- person_id_reveal ---------------------------------------------------------------------


def test_id_reveal_returns_the_number_and_records_who_saw_it(zeng, worker):
    number = services.person_id_reveal(actor=worker, person=zeng, ip="10.0.0.8")

    assert number == zeng.id_number
    event = AuditEvent.objects.get()
    assert (event.actor, event.action, event.subject, event.ip_address) == (
        worker,
        AuditAction.VIEW_ID_NUMBER,
        f"person:{zeng.pk}",
        "10.0.0.8",
    )


def test_id_reveal_to_the_person_themself(zeng):
    own = factories.user_with_role("self", None, person=zeng)

    assert services.person_id_reveal(actor=own, person=zeng) == zeng.id_number
    assert AuditEvent.objects.get().actor == own


@pytest.mark.parametrize("kind", ["committee_member", "group_leader"])
def test_id_reveal_is_not_found_without_the_view_id_permission(tree, zeng, kind):
    viewer = factories.user_with_role(
        "viewer", tree.group if kind == "group_leader" else tree.branch, kind=kind
    )

    with pytest.raises(NotFound):
        services.person_id_reveal(actor=viewer, person=zeng)

    assert AuditEvent.objects.count() == 0


# --- transfers ----------------------------------------------------------------------------


def assert_one_home(person, branch):
    """ORG-ONE-HOME: exactly one open relationship, and it is the person's current branch."""
    fresh = Person.objects.get(pk=person.pk)
    [home] = open_memberships(fresh)
    assert (fresh.branch, home.branch) == (branch, branch)


def test_transfer_inside_the_system_keeps_one_home_at_every_step(tree, zeng, worker):
    receiver = factories.user_with_role("receiver", tree.sibling)
    assert_one_home(zeng, tree.branch)

    transfer = services.transfer_send(
        actor=worker,
        person=zeng,
        to_branch=tree.sibling,
        issued_on=D(2026, 11, 20),
        reason="工作调动",
    )

    assert (transfer.kind, transfer.status, transfer.valid_days) == ("internal", "sent", 30)
    assert transfer.letter_number == f"2026-{transfer.pk:06d}"
    assert (transfer.from_branch, transfer.to_branch, transfer.created_by) == (
        tree.branch,
        tree.sibling,
        worker,
    )
    assert_one_home(zeng, tree.branch)  # REL-SENDER: still ours until received

    services.transfer_receive(actor=receiver, transfer=transfer, received_on=D(2026, 11, 22))

    assert_one_home(zeng, tree.sibling)
    fresh = Person.objects.get(pk=zeng.pk)
    assert fresh.group is None
    old = Membership.objects.get(person=zeng, branch=tree.branch)
    assert (old.ended_on, old.note) == (D(2026, 11, 22), f"转出（{transfer.letter_number}）")
    new = Membership.objects.get(person=zeng, branch=tree.sibling)
    assert (new.started_on, new.note) == (D(2026, 11, 22), f"转入（{transfer.letter_number}）")
    assert new.history.get().history_user == receiver
    transfer.refresh_from_db()
    assert (transfer.status, transfer.received_on, transfer.received_by) == (
        "received",
        D(2026, 11, 22),
        receiver,
    )
    assert transfer.history.order_by("-history_id").first().history_user == receiver


def test_transfer_cancelled_leaves_the_member_at_home(tree, zeng, worker):
    transfer = services.transfer_send(actor=worker, person=zeng, to_branch=tree.sibling)

    services.transfer_cancel(actor=worker, transfer=transfer)

    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.CANCELLED
    assert_one_home(zeng, tree.branch)
    assert transfer.history.order_by("-history_id").first().history_user == worker


def test_transfer_receive_by_the_sending_side_only_is_not_found(tree, zeng, worker):
    transfer = services.transfer_send(actor=worker, person=zeng, to_branch=tree.sibling)

    with pytest.raises(NotFound):
        services.transfer_receive(actor=worker, transfer=transfer)

    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.SENT
    assert_one_home(zeng, tree.branch)


def test_transfer_cancel_by_the_receiving_side_is_not_found(tree, zeng, worker):
    transfer = services.transfer_send(actor=worker, person=zeng, to_branch=tree.sibling)
    receiver = factories.user_with_role("receiver", tree.sibling)

    with pytest.raises(NotFound):
        services.transfer_cancel(actor=receiver, transfer=transfer)

    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.SENT


def test_transfer_received_twice_is_refused(tree, zeng, worker):
    receiver = factories.user_with_role("receiver", tree.sibling)
    transfer = services.transfer_send(actor=worker, person=zeng, to_branch=tree.sibling)
    services.transfer_receive(actor=receiver, transfer=transfer)
    rows = counts()

    with pytest.raises(DomainError) as exc:
        services.transfer_receive(actor=receiver, transfer=transfer)

    assert exc.value.code == "DUPLICATE"
    assert counts() == rows
    assert_one_home(zeng, tree.sibling)


def test_transfer_receive_before_the_issue_date_is_refused(tree, zeng, worker):
    receiver = factories.user_with_role("receiver", tree.sibling)
    transfer = services.transfer_send(
        actor=worker, person=zeng, to_branch=tree.sibling, issued_on=D(2026, 11, 20)
    )

    with pytest.raises(InvalidInput) as exc:
        services.transfer_receive(actor=receiver, transfer=transfer, received_on=D(2026, 11, 19))

    assert exc.value.message == "接收日期不能早于介绍信开具日期。"
    assert_one_home(zeng, tree.branch)


def test_a_second_open_transfer_is_refused(tree, zeng, worker):
    other = factories.org(tree.college, "branch", "研究生党支部")
    services.transfer_send(actor=worker, person=zeng, to_branch=tree.sibling)

    with pytest.raises(DomainError) as exc:
        services.transfer_send(actor=worker, person=zeng, to_branch=other)

    assert exc.value.message == "该人员已有一份未完成的组织关系转接。"
    assert Transfer.objects.count() == 1


@pytest.mark.parametrize(
    ("make_kwargs", "message"),
    [
        (lambda tree: {"to_branch": tree.branch}, "转入党支部与当前党支部相同。"),
        (
            lambda tree: {"to_branch": tree.college},
            "“计算机学院党总支”不是在用的党支部，人员只能编入党支部。",
        ),
        (
            lambda tree: {"to_branch": tree.sibling, "valid_days": 0},
            "介绍信有效期应为1至90天（REL-LETTER）。",
        ),
        (
            lambda tree: {"to_branch": tree.sibling, "valid_days": 91},
            "介绍信有效期应为1至90天（REL-LETTER）。",
        ),
    ],
    ids=["同一支部", "不是党支部", "有效期0天", "有效期91天"],
)
def test_transfer_send_refuses_bad_input_and_writes_nothing(
    tree, zeng, worker, make_kwargs, message
):
    rows = counts()

    with pytest.raises(InvalidInput) as exc:
        services.transfer_send(actor=worker, person=zeng, **make_kwargs(tree))

    assert exc.value.message == message
    assert counts() == rows
    assert_one_home(zeng, tree.branch)


def test_transfer_send_refuses_someone_who_is_not_a_member(tree, worker):
    applicant = factories.person(tree.branch, name="王小明", status="applicant", actor=worker)

    with pytest.raises(InvalidInput) as exc:
        services.transfer_send(actor=worker, person=applicant, to_branch=tree.sibling)

    assert exc.value.message == "王小明不是在册党员，不能转接组织关系。"
    assert Transfer.objects.count() == 0


def test_transfer_out_of_the_system_ends_the_roll_when_the_receipt_returns(tree, zeng, worker):
    transfer = services.transfer_out(
        actor=worker,
        person=zeng,
        destination=" 中共某市某区委组织部 ",
        issued_on=D(2026, 11, 1),
        valid_days=60,
    )

    assert (transfer.kind, transfer.external_org, transfer.valid_days) == (
        TransferKind.OUTWARD,
        "中共某市某区委组织部",
        60,
    )
    assert_one_home(zeng, tree.branch)

    services.transfer_receive(actor=worker, transfer=transfer, received_on=D(2026, 11, 20))

    fresh = Person.objects.get(pk=zeng.pk)
    assert (fresh.is_active, fresh.group, fresh.branch) == (False, None, tree.branch)
    assert open_memberships(fresh) == []


def test_transfer_out_needs_a_destination(tree, zeng, worker):
    with pytest.raises(InvalidInput) as exc:
        services.transfer_out(actor=worker, person=zeng, destination="  ")

    assert exc.value.fields == {"destination": ["请填写去向。"]}
    assert Transfer.objects.count() == 0


def test_transfer_in_puts_the_member_on_the_roll_with_the_letter(tree, worker):
    person = services.transfer_in(
        actor=worker,
        branch=tree.branch,
        group=tree.group,
        origin="中共某县委组织部",
        letter_number="某组转〔2026〕15号",
        issued_on=D(2026, 11, 10),
        received_on=D(2026, 11, 20),
        status="full",
        name="欧阳修",
        id_number="440524188001010014",
        admission_date=D(1920, 1, 1),
        full_since=D(1921, 1, 1),
        today=D(2026, 11, 22),
    )

    assert (person.branch, person.group, person.status) == (tree.branch, tree.group, "full")
    transfer = Transfer.objects.get(person=person)
    assert (transfer.kind, transfer.status, transfer.external_org, transfer.letter_number) == (
        "inward",
        "received",
        "中共某县委组织部",
        "某组转〔2026〕15号",
    )
    assert (transfer.received_on, transfer.received_by) == (D(2026, 11, 20), worker)
    assert_one_home(person, tree.branch)
    assert person.history.get().history_user == worker


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"status": "applicant"}, "只有党员（预备党员、正式党员）可以转入组织关系。"),
        ({"origin": " "}, "请填写转出党组织和介绍信编号。"),
        ({"valid_days": 91}, "介绍信有效期应为1至90天（REL-LETTER）。"),
        ({"id_number": "440524188001010015"}, "身份证号码第18位校验码应为4，实际为5。"),
    ],
    ids=["不是党员", "没有转出组织", "有效期超限", "校验码错误"],
)
def test_transfer_in_refuses_bad_input_and_creates_nothing(tree, worker, overrides, message):
    kwargs = {
        "actor": worker,
        "branch": tree.branch,
        "origin": "中共某县委组织部",
        "letter_number": "L-1",
        "issued_on": D(2026, 11, 10),
        "status": "full",
        "name": "欧阳修",
        "id_number": "440524188001010014",
        "admission_date": D(1920, 1, 1),
        "full_since": D(1921, 1, 1),
        "today": D(2026, 11, 22),
    }
    kwargs.update(overrides)
    rows = counts()

    with pytest.raises(InvalidInput) as exc:
        services.transfer_in(**kwargs)

    assert exc.value.message == message
    assert counts() == rows
