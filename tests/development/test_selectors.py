"""Reads of development records: scope, the person's timeline view-model."""

import datetime as dt

import pytest

from dangwu.core.errors import NotFound
from dangwu.core.scope import Perm, scope_for
from dangwu.development.selectors import (
    StepState,
    entry_get_for,
    person_timeline,
    record_get_for,
    sanction_in_effect,
)
from dangwu.development.services.steps import step_record
from dangwu.members.rules import SanctionFacts
from tests import factories
from tests.development.test_services_steps import TODAY, walk

D = dt.date


@pytest.fixture
def applicant(tree):
    return factories.person(
        tree.branch, name="王小明", status="applicant", birth_date=D(2000, 1, 1)
    )


@pytest.fixture
def record(tree, worker, applicant):
    step_record(
        actor=worker,
        person=applicant,
        step="application",
        data={"date": D(2026, 9, 1)},
        today=TODAY,
    )
    return applicant.development


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("anonymous", False),
        ("no_role", False),
        ("sibling", False),
        ("own_org", True),
        ("ancestor", True),
    ],
)
def test_record_get_for_follows_the_scope_of_the_records_branch(viewers, record, who, sees):
    scope = scope_for(viewers[who])

    if sees:
        assert record_get_for(scope, record.person_id) == record
        assert person_timeline(scope, record.person_id, TODAY).record == record
    else:
        with pytest.raises(NotFound):
            record_get_for(scope, record.person_id)
        with pytest.raises(NotFound):
            person_timeline(scope, record.person_id, TODAY)


def test_a_member_without_a_role_sees_their_own_record_and_cannot_edit_it(record, applicant):
    user = factories.user_with_role("self", None, person=applicant)
    scope = scope_for(user)

    assert record_get_for(scope, applicant.pk) == record
    with pytest.raises(NotFound):
        record_get_for(scope, applicant.pk, Perm.EDIT)
    t = person_timeline(scope, applicant.pk, TODAY)
    assert (t.record, t.can_edit, t.can_approve) == (record, False, False)


def test_entry_get_for_is_scoped_too(viewers, record):
    entry = record.steps.get()

    assert entry_get_for(scope_for(viewers["own_org"]), entry.pk) == entry
    with pytest.raises(NotFound):
        entry_get_for(scope_for(viewers["sibling"]), entry.pk)


def test_a_person_without_a_record_has_an_empty_timeline_with_the_application_next(
    viewers, applicant
):
    t = person_timeline(scope_for(viewers["own_org"]), applicant.pk, TODAY)

    assert (t.record, t.data, t.findings, t.next_step) == (None, None, [], "application")
    assert [s.state for s in t.steps[:3]] == [StepState.NEXT, StepState.PENDING, StepState.PENDING]
    assert t.stage_label == "申请入党"


def test_timeline_states_done_late_pending_optional(viewers, record, applicant):
    t = person_timeline(scope_for(viewers["own_org"]), applicant.pk, TODAY)

    states = {s.key: s.state for s in t.steps}
    assert (states["application"], states["application_talk"], states["activist"]) == (
        StepState.DONE,
        StepState.LATE,
        StepState.PENDING,
    )
    assert (states["publicity"], states["probation_extension"]) == (
        StepState.OPTIONAL,
        StepState.OPTIONAL,
    )
    assert len(t.steps) == 27  # the 25 steps and the two optional ones
    talk = t.steps[1]
    assert (talk.deadline.latest, talk.state_label) == (D(2026, 10, 1), "已逾期")
    assert [f.code for f in t.findings_by_step["application_talk"]] == ["DEV-TALK-1M"]
    assert t.steps[0].entries[0].entry.recorded_by.username == "worker"
    assert t.next_step == "application_talk"
    assert t.data["steps"] == {"application": {"date": "2026-09-01"}}


def test_person_timeline_reads_a_whole_record_in_a_fixed_number_of_queries(
    tree, worker, viewers, django_assert_max_num_queries
):
    full = [factories.person(tree.branch, name=n) for n in ("赵一", "钱二", "孙三", "李四", "周五")]
    person = factories.person(
        tree.branch, name="王小明", status="applicant", birth_date=D(2000, 1, 1)
    )
    walk(worker, tree, person, full)
    scope = scope_for(viewers["own_org"])

    with django_assert_max_num_queries(9):
        t = person_timeline(scope, person.pk, TODAY)
        names = [p.name for s in t.steps for e in s.entries for p in e.people]
        users = [e.entry.recorded_by.username for s in t.steps for e in s.entries]

    assert names == ["赵一", "钱二", "赵一", "钱二"]
    assert set(users) == {"worker"}
    assert (t.next_step, t.record.state, [f.code for f in t.errors]) == ("", "done", [])
    assert all(s.state in (StepState.DONE, StepState.OPTIONAL) for s in t.steps)


@pytest.mark.parametrize(
    ("facts", "on", "expected"),
    [
        (
            SanctionFacts("probation_within_party", D(2024, 1, 1), probation_years=1),
            D(2024, 12, 31),
            "probation_within_party",
        ),
        (
            SanctionFacts("probation_within_party", D(2024, 1, 1), probation_years=1),
            D(2025, 1, 1),
            "",
        ),
        (SanctionFacts("warning", D(2024, 1, 1)), D(2024, 6, 1), "warning"),
        (SanctionFacts("warning", D(2024, 1, 1)), D(2023, 12, 31), ""),
    ],
    ids=["察看期内", "察看期满", "警告期内", "处分之前"],
)
def test_sanction_in_effect_on_a_date(facts, on, expected):
    assert sanction_in_effect([facts], on) == expected
