"""Opening and deciding the LIFE-ABSENT-6 handling (the LEAVE-SELF procedure): who may, when
the rule allows it, and refusals that change nothing."""

import datetime as dt

import pytest

from dangwu.core.errors import DomainError, InvalidInput, NotFound
from dangwu.meetings.models import AbsenceCase
from dangwu.meetings.services.absence import absence_case_decide, absence_case_open
from tests import factories

TODAY = dt.date(2026, 11, 22)
GM = "general_meeting"
pytestmark = pytest.mark.django_db


def absent_in(org, person, *months):
    for m in months:
        factories.meeting(org, GM, dt.date(2026, m, 10), absent=(person,))


@pytest.fixture
def p(tree):
    """赵六, absent from May to October 2026: six months."""
    person = factories.person(tree.branch, name="赵六", group=tree.group)
    absent_in(tree.branch, person, 5, 6, 7, 8, 9, 10)
    return person


@pytest.fixture
def case(p, worker):
    return absence_case_open(actor=worker, person=p, today=TODAY)


def snapshot(case):
    case.refresh_from_db()
    return (case.resolution, case.reason, case.approved_by, case.decided_on, case.decided_by_id)


# --- opening ---------------------------------------------------------------------------------


def test_open_records_the_run_and_who_opened_it(p, worker):
    case = absence_case_open(actor=worker, person=p, today=TODAY)

    assert (case.person, case.opened_on, case.months, case.absent_from) == (
        p,
        TODAY,
        6,
        dt.date(2026, 5, 1),
    )
    assert (case.resolution, case.opened_by) == ("open", worker)
    assert case.history.get().history_user == worker


def test_a_committee_member_with_approve_may_open(tree, p):
    committee = factories.user_with_role("wei", tree.branch, kind="committee_member")

    case = absence_case_open(actor=committee, person=p, today=TODAY)

    assert case.months == 6


def test_open_before_six_months_is_refused(tree, worker):
    q = factories.person(tree.branch, name="孙八")
    absent_in(tree.branch, q, 6, 7, 8, 9, 10)

    with pytest.raises(DomainError) as exc:
        absence_case_open(actor=worker, person=q, today=TODAY)

    assert exc.value.code == "LIFE-ABSENT-6"
    assert exc.value.message == "孙八连续未参加组织生活5个月，未满6个月，无需按自行脱党程序处置。"
    assert AbsenceCase.objects.count() == 0


def test_a_second_open_case_is_refused(p, worker, case):
    with pytest.raises(DomainError) as exc:
        absence_case_open(actor=worker, person=p, today=TODAY)

    assert (exc.value.code, exc.value.message) == (
        "DUPLICATE",
        "赵六已有一件待处理的不参加组织生活处置。",
    )
    assert AbsenceCase.objects.count() == 1


@pytest.mark.parametrize("who", ["sibling", "no_role", "leader"])
def test_open_outside_the_scope_is_not_found(tree, viewers, p, who):
    users = {**viewers, "leader": factories.user_with_role("gl", tree.group, kind="group_leader")}

    with pytest.raises(NotFound):
        absence_case_open(actor=users[who], person=p, today=TODAY)

    assert AbsenceCase.objects.count() == 0


# --- deciding --------------------------------------------------------------------------------


def test_justified_with_reason_and_approver_closes_the_case(case, worker):
    decided = absence_case_decide(
        actor=worker,
        case=case,
        resolution="justified",
        reason=" 外派援疆，经支部同意 ",
        approved_by="党支部委员会",
        decided_on=dt.date(2026, 11, 22),
        today=TODAY,
    )

    assert snapshot(decided) == (
        "justified",
        "外派援疆，经支部同意",
        "党支部委员会",
        TODAY,
        worker.pk,
    )


def test_proposed_to_the_general_meeting_needs_a_reason(case, worker):
    before = snapshot(case)

    with pytest.raises(InvalidInput) as exc:
        absence_case_decide(actor=worker, case=case, resolution="proposed", today=TODAY)

    assert exc.value.fields == {"reason": ["请写明理由或情况。"]}
    assert snapshot(case) == before


def test_justified_without_an_approver_is_refused(case, worker):
    before = snapshot(case)

    with pytest.raises(InvalidInput) as exc:
        absence_case_decide(
            actor=worker, case=case, resolution="justified", reason="病休", today=TODAY
        )

    assert exc.value.message == "正当理由须经批准，请填写批准人或批准文件。"
    assert snapshot(case) == before


def test_returned_needs_attendance_after_the_run(tree, p, case, worker):
    before = snapshot(case)

    with pytest.raises(InvalidInput) as exc:
        absence_case_decide(actor=worker, case=case, resolution="returned", today=TODAY)

    assert exc.value.fields["resolution"] == [
        "赵六在这次连续缺席之后尚未出席过组织生活，不能按“已恢复参加组织生活”办结。"
    ]
    assert snapshot(case) == before


def test_returned_after_attending_closes_the_case(tree, p, case, worker):
    factories.meeting(tree.branch, GM, dt.date(2026, 11, 12), present=(p,))

    decided = absence_case_decide(actor=worker, case=case, resolution="returned", today=TODAY)

    assert (decided.resolution, decided.decided_on) == ("returned", TODAY)


@pytest.mark.parametrize(
    ("resolution", "decided_on", "field"),
    [
        pytest.param("open", TODAY, "resolution", id="结果无效"),
        pytest.param("proposed", dt.date(2026, 11, 23), "decided_on", id="晚于今天"),
        pytest.param("proposed", dt.date(2026, 11, 21), "decided_on", id="早于立案"),
    ],
)
def test_bad_decisions_change_nothing(case, worker, resolution, decided_on, field):
    before = snapshot(case)

    with pytest.raises(InvalidInput) as exc:
        absence_case_decide(
            actor=worker,
            case=case,
            resolution=resolution,
            reason="长期不参加",
            decided_on=decided_on,
            today=TODAY,
        )

    assert list(exc.value.fields) == [field]
    assert snapshot(case) == before


def test_a_decided_case_cannot_be_decided_again(case, worker):
    absence_case_decide(
        actor=worker, case=case, resolution="proposed", reason="无正当理由", today=TODAY
    )

    with pytest.raises(DomainError) as exc:
        absence_case_decide(
            actor=worker,
            case=case,
            resolution="justified",
            reason="x",
            approved_by="y",
            today=TODAY,
        )

    assert (exc.value.code, exc.value.message) == ("DUPLICATE", "该处置已办结。")
    assert snapshot(case)[0] == "proposed"


@pytest.mark.parametrize("who", ["sibling", "no_role", "leader"])
def test_decide_outside_the_approve_scope_is_not_found(tree, viewers, case, who):
    users = {**viewers, "leader": factories.user_with_role("gl", tree.group, kind="group_leader")}
    before = snapshot(case)

    with pytest.raises(NotFound):
        absence_case_decide(
            actor=users[who], case=case, resolution="proposed", reason="x", today=TODAY
        )

    assert snapshot(case) == before


def test_a_new_case_may_be_opened_after_the_last_one_was_decided(p, worker, case):
    absence_case_decide(
        actor=worker,
        case=case,
        resolution="justified",
        reason="病休",
        approved_by="支委会",
        today=TODAY,
    )

    again = absence_case_open(actor=worker, person=p, today=TODAY)

    assert AbsenceCase.objects.filter(person=p).count() == 2
    assert again.resolution == "open"
