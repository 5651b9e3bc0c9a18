"""The live workflow: recording steps runs the rules, moves the status, keeps exceptions."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from dangwu.core.errors import DomainError, InvalidInput, NotFound, RuleViolation
from dangwu.development.models import (
    DevelopmentRecord,
    RuleException,
    StepEntry,
    StepFile,
    StepPerson,
)
from dangwu.development.selectors import voting_members
from dangwu.development.services.steps import (
    file_attach,
    step_correct,
    step_preview,
    step_record,
)
from dangwu.members import services as member_services
from dangwu.members.models import Person, StatusChange
from tests import factories
from tests.dues.test_concurrency import race

D = dt.date
TODAY = D(2026, 11, 22)

# A whole development that breaks no error-level rule (dates relative to TODAY).
PATH = [
    ("application", {"date": D(2024, 3, 1)}),
    ("application_talk", {"date": D(2024, 3, 20)}),
    ("activist", {"date": D(2024, 9, 2), "recommended_by": "party_members"}),
    ("activist_filing", {"date": D(2024, 9, 5)}),
    ("contacts_assigned", {"date": D(2024, 9, 5)}),
    ("activist_assessments", {"date": D(2025, 3, 1)}),
    ("activist_assessments", {"date": D(2025, 8, 20)}),
    ("candidate", {"date": D(2025, 9, 2)}),
    ("candidate_filing", {"date": D(2025, 9, 5)}),
    ("introducers", {"date": D(2025, 9, 5)}),
    ("political_review", {"date": D(2025, 9, 20), "passed": True}),
    ("training", {"date": D(2025, 9, 22), "end_date": D(2025, 9, 24), "hours": 24}),
    ("committee_review", {"date": D(2025, 10, 9)}),
    ("publicity", {"date": D(2025, 10, 10)}),
    ("pre_review", {"date": D(2025, 10, 20)}),
    ("application_form", {"date": D(2025, 10, 22)}),
    ("admission_meeting", {"date": D(2025, 10, 28)}),
    ("approval_talk", {"date": D(2025, 11, 5)}),
    ("admission_approval", {"date": D(2025, 11, 20)}),
    ("admission_filing", {"date": D(2025, 11, 25)}),
    ("placement", {"date": D(2025, 11, 25)}),
    ("oath", {"date": D(2025, 11, 25)}),
    ("probation_assessments", {"date": D(2026, 5, 20)}),
    ("conversion_application", {"date": D(2026, 10, 20)}),
    ("conversion_meeting", {"date": D(2026, 10, 28)}),
    ("conversion_approval", {"date": D(2026, 11, 10)}),
    ("archiving", {"date": D(2026, 11, 20)}),
]


@pytest.fixture
def people(tree):
    """王小明 the applicant and five full members of the branch (two of them contacts)."""
    full = [factories.person(tree.branch, name=n) for n in ("赵一", "钱二", "孙三", "李四", "周五")]
    applicant = factories.person(
        tree.branch, name="王小明", status="applicant", birth_date=D(2000, 1, 1)
    )
    return applicant, full


def _extra(step, full, tree):
    if step in ("contacts_assigned", "introducers"):
        return {}, full[:2]
    if step in ("admission_meeting", "conversion_meeting"):
        return {"should_attend": 5, "present": 5, "in_favour": 5}, ()
    if step in ("pre_review", "admission_approval", "conversion_approval"):
        return {"approving_org": tree.committee}, ()
    return {}, ()


def walk(worker, tree, person, full, *, until=None, today=TODAY):
    """Record PATH up to and including ``until``."""
    entry = None
    for step, data in PATH:
        extra, named = _extra(step, full, tree)
        entry = step_record(
            actor=worker,
            person=person,
            step=step,
            data={**data, **extra},
            people=named,
            today=today,
        )
        if step == until:
            break
    return entry


def test_the_whole_way_moves_the_status_at_each_step(tree, worker, people):
    applicant, full = people
    seen = {}
    entry = None
    for step, data in PATH:
        extra, named = _extra(step, full, tree)
        entry = step_record(
            actor=worker,
            person=applicant,
            step=step,
            data={**data, **extra},
            people=named,
            today=TODAY,
        )
        seen[step] = Person.objects.get(pk=applicant.pk).status
    assert seen["application"] == "applicant"
    assert seen["activist"] == "activist"
    assert seen["candidate"] == "candidate"
    assert seen["admission_meeting"] == "candidate"
    assert seen["admission_approval"] == "probationary"
    assert seen["conversion_approval"] == "full"
    fresh = Person.objects.get(pk=applicant.pk)
    assert fresh.admission_date == D(2025, 10, 28)
    assert fresh.full_since == D(2026, 10, 28)
    record = DevelopmentRecord.objects.get(person=applicant)
    assert record.state == "done"
    assert record.closed_on == D(2026, 11, 20)
    assert record.error_count == 0
    assert entry.step == "archiving"
    changes = list(
        StatusChange.objects.filter(person=applicant).values_list("status", "effective_on")
    )
    assert changes == [
        ("applicant", D(2020, 1, 1)),
        ("activist", D(2024, 9, 2)),
        ("candidate", D(2025, 9, 2)),
        ("probationary", D(2025, 10, 28)),
        ("full", D(2026, 10, 28)),
    ]
    assert RuleException.objects.count() == 0


def counts():
    return (
        DevelopmentRecord.objects.count(),
        StepEntry.objects.count(),
        StepPerson.objects.count(),
        RuleException.objects.count(),
        StatusChange.objects.count(),
        StepEntry.history.count(),
    )


def snapshot(person):
    fresh = Person.objects.get(pk=person.pk)
    return {f.attname: getattr(fresh, f.attname) for f in Person._meta.concrete_fields}


def _record(worker, person, step, data, people=(), today=TODAY, **kw):
    return step_record(
        actor=worker, person=person, step=step, data=data, people=people, today=today, **kw
    )


# --- DEV-CULT-1Y: blocked today, a past fact needs a reason and an approver ---------------------


def test_candidate_eleven_months_after_activist_today_is_refused_with_the_earliest_date(
    tree, worker, people
):
    applicant, full = people
    walk(worker, tree, applicant, full, until="activist_assessments")
    before, rows = snapshot(applicant), counts()

    with pytest.raises(RuleViolation) as exc:
        _record(worker, applicant, "candidate", {"date": D(2025, 8, 2)}, today=D(2025, 8, 2))

    assert exc.value.code == "DEV-CULT-1Y"
    assert [(f.code, f.subject, f.due) for f in exc.value.findings] == [
        ("DEV-CULT-1Y", "candidate", D(2025, 9, 2))
    ]
    assert exc.value.message == (
        "确定为发展对象（2025年8月2日）距确定为入党积极分子（2024年9月2日）不满一年，"
        "最早可于2025年9月2日确定。（《中国共产党发展党员工作细则》第十三条）"
    )
    assert (snapshot(applicant), counts()) == (before, rows)


def test_candidate_exactly_one_year_after_activist_is_recorded(tree, worker, people):
    applicant, full = people
    walk(worker, tree, applicant, full, until="activist_assessments")

    entry = _record(worker, applicant, "candidate", {"date": D(2025, 9, 2)}, today=D(2025, 9, 2))

    assert [f.code for f in entry.new_findings if f.is_error] == []
    fresh = Person.objects.get(pk=applicant.pk)
    assert (fresh.status, fresh.status_since) == ("candidate", D(2025, 9, 2))
    assert entry.history.get().history_user == worker


def test_preview_says_blocked_and_writes_nothing(tree, worker, people):
    applicant, full = people
    walk(worker, tree, applicant, full, until="activist_assessments")
    rows = counts()

    today = step_preview(
        actor=worker,
        person=applicant,
        step="candidate",
        data={"date": D(2025, 8, 2)},
        today=D(2025, 8, 2),
    )
    past = step_preview(
        actor=worker, person=applicant, step="candidate", data={"date": D(2025, 8, 2)}, today=TODAY
    )

    assert (today.blocked, today.needs_exception) == (True, False)
    assert (past.blocked, past.needs_exception) == (False, True)
    assert [f.code for f in past.new_errors] == ["DEV-CULT-1Y"]
    assert counts() == rows


@pytest.mark.parametrize(
    ("reason", "approver", "fields"),
    [
        ("", "secretary", {"exception_reason"}),
        ("档案记载如此", None, {"approver"}),
        ("", None, {"exception_reason", "approver"}),
        ("档案记载如此", "group_leader", {"approver"}),
        ("档案记载如此", "sibling_secretary", {"approver"}),
    ],
    ids=["无说明", "无批准人", "都没有", "小组长无审批权", "其他支部书记"],
)
def test_a_past_fact_breaking_a_rule_needs_a_reason_and_an_approver(
    tree, worker, people, reason, approver, fields
):
    applicant, full = people
    walk(worker, tree, applicant, full, until="activist_assessments")
    users = {
        "secretary": factories.user_with_role("sec", tree.branch, kind="secretary"),
        "group_leader": factories.user_with_role("gl", tree.group, kind="group_leader"),
        "sibling_secretary": factories.user_with_role("ss", tree.sibling, kind="secretary"),
        None: None,
    }
    before, rows = snapshot(applicant), counts()

    with pytest.raises(InvalidInput) as exc:
        _record(
            worker,
            applicant,
            "candidate",
            {"date": D(2025, 8, 2)},
            exception_reason=reason,
            approver=users[approver],
        )

    assert exc.value.code == "DEV-CULT-1Y"
    assert set(exc.value.fields) == fields
    assert [f.code for f in exc.value.findings] == ["DEV-CULT-1Y"]
    assert (snapshot(applicant), counts()) == (before, rows)


def test_a_past_fact_with_reason_and_approver_is_kept_with_its_exception(tree, worker, people):
    applicant, full = people
    walk(worker, tree, applicant, full, until="activist_assessments")
    secretary = factories.user_with_role("sec", tree.branch, kind="secretary")

    entry = _record(
        worker,
        applicant,
        "candidate",
        {"date": D(2025, 8, 2)},
        exception_reason="档案记载如此，经党委研究认定",
        approver=secretary,
    )

    x = RuleException.objects.get()
    assert (x.entry, x.code, x.due, x.reason, x.approved_by, x.recorded_by) == (
        entry,
        "DEV-CULT-1Y",
        D(2025, 9, 2),
        "档案记载如此，经党委研究认定",
        secretary,
        worker,
    )
    assert x.citation == "《中国共产党发展党员工作细则》第十三条"
    assert Person.objects.get(pk=applicant.pk).status == "candidate"
    record = DevelopmentRecord.objects.get(person=applicant)
    assert record.error_count == 1  # the finding stays on the record, with its exception


def test_a_late_record_of_a_past_step_is_not_blamed_for_the_missing_next_one(tree, worker, people):
    # Recording the 2024 application today: the talk "overdue since 2024" is the record
    # being incomplete, not the application breaking a rule.
    applicant, _full = people

    entry = _record(worker, applicant, "application", {"date": D(2024, 3, 1)})

    assert [f.code for f in entry.new_findings if f.is_error] == []
    assert [f.code for f in entry.findings if f.is_error] == ["DEV-TALK-1M"]
    assert RuleException.objects.count() == 0


# --- contacts and introducers: a snapshot on the step date -----------------------------------


def test_a_contact_under_probation_within_party_on_the_date_breaks_dev_contacts(
    tree, worker, people
):
    applicant, full = people
    member_services.sanction_record(
        actor=worker,
        person=full[0],
        kind="probation_within_party",
        decided_on=D(2024, 1, 1),
        probation_years=1,
    )
    walk(worker, tree, applicant, full, until="activist_filing")
    rows = counts()

    with pytest.raises(InvalidInput) as exc:
        _record(worker, applicant, "contacts_assigned", {"date": D(2024, 9, 5)}, full[:2])

    assert exc.value.code == "DEV-CONTACTS"
    assert exc.value.findings[0].message == (
        "2024年9月5日指定培养联系人时，第1名培养联系人（赵一）正在留党察看期内，不能担任培养联系人。"
    )
    assert counts() == rows


def test_contacts_are_snapshotted_with_their_status_and_sanction_on_the_date(tree, worker, people):
    applicant, full = people
    # 钱二 was probationary on the date (full only from 2025); 赵一's sanction ended in 2025.
    late = factories.person(
        tree.branch, name="吴六", status="probationary", admission_date=D(2024, 1, 1)
    )
    member_services.apply_status(worker, Person.objects.get(pk=late.pk), "full", D(2025, 1, 1))
    member_services.sanction_record(
        actor=worker,
        person=full[0],
        kind="probation_within_party",
        decided_on=D(2024, 1, 1),
        probation_years=1,
    )
    walk(worker, tree, applicant, full, until="activist_filing")
    secretary = factories.user_with_role("sec", tree.branch, kind="secretary")

    entry = _record(
        worker,
        applicant,
        "contacts_assigned",
        {"date": D(2024, 9, 5)},
        [full[0], late],
        exception_reason="历史档案",
        approver=secretary,
    )

    assert list(entry.people.values_list("name", "status", "sanction", "role")) == [
        ("赵一", "full", "probation_within_party", "contact"),
        ("吴六", "probationary", "", "contact"),
    ]
    assert sorted(RuleException.objects.values_list("code", flat=True)) == [
        "DEV-CONTACTS",
        "DEV-CONTACTS",
    ]


def test_the_person_cannot_be_their_own_contact(tree, worker, people):
    applicant, full = people
    walk(worker, tree, applicant, full, until="activist_filing")
    rows = counts()

    with pytest.raises(InvalidInput) as exc:
        _record(worker, applicant, "contacts_assigned", {"date": D(2024, 9, 5)}, [applicant])

    assert exc.value.message == "王小明不能担任自己的培养联系人。"
    assert counts() == rows


# --- votes: VOTE-RIGHTS, VOTE-QUORUM, VOTE-PASS ----------------------------------------------


def test_voting_members_are_the_full_members_of_the_branch_on_the_date(tree, worker, people):
    _applicant, full = people
    factories.person(
        tree.branch, name="郑预备", status="probationary", admission_date=D(2025, 1, 1)
    )
    sanctioned = factories.person(tree.branch, name="冯察看")
    member_services.sanction_record(
        actor=worker,
        person=sanctioned,
        kind="probation_within_party",
        decided_on=D(2025, 6, 1),
        probation_years=1,
    )
    factories.person(tree.branch, name="陈新来", joined_on=D(2026, 1, 1))
    factories.person(tree.sibling, name="褚别支")

    rights = voting_members(tree.branch, D(2025, 10, 28))

    assert rights.should_attend == 5
    assert sorted(p.name for p in rights.voters) == sorted(p.name for p in full)
    assert [(x.person.name, x.status) for x in rights.excluded] == [
        ("冯察看", "full"),
        ("郑预备", "probationary"),
    ]
    assert rights.excluded[0].reasons == ("正在留党察看期内（2026年6月1日恢复党员权利）",)
    assert rights.excluded[1].reasons[0].startswith("预备党员没有表决权")
    # a year later the sanction is over and the newcomer has joined
    assert voting_members(tree.branch, D(2026, 6, 1)).should_attend == 7


def _to_meeting(worker, tree, applicant, full):
    walk(worker, tree, applicant, full, until="application_form")


def test_should_attend_above_the_voting_members_is_refused(tree, worker, people):
    applicant, full = people
    _to_meeting(worker, tree, applicant, full)
    rows = counts()

    with pytest.raises(InvalidInput) as exc:
        _record(
            worker,
            applicant,
            "admission_meeting",
            {"date": D(2025, 10, 28), "should_attend": 6, "present": 5, "in_favour": 5},
        )

    assert exc.value.code == "VOTE-RIGHTS"
    assert exc.value.fields["should_attend"] == [
        "应到会有表决权的正式党员6人，超过2025年10月28日本支部有表决权的正式党员5人"
        "（预备党员和受留党察看处分的党员没有表决权）。"
    ]
    assert counts() == rows


def test_should_attend_below_the_voting_members_needs_the_lawful_exclusions(tree, worker, people):
    applicant, full = people
    _to_meeting(worker, tree, applicant, full)
    data = {"date": D(2025, 10, 28), "should_attend": 4, "present": 4, "in_favour": 4}
    rows = counts()

    with pytest.raises(InvalidInput) as exc:
        _record(worker, applicant, "admission_meeting", data)
    assert exc.value.code == "VOTE-RIGHTS"
    assert list(exc.value.fields) == ["voters_note"]
    assert counts() == rows

    entry = _record(
        worker, applicant, "admission_meeting", {**data, "voters_note": "周五自费出国一年"}
    )
    assert (entry.should_attend, entry.voters_note) == (4, "周五自费出国一年")


def test_exactly_half_in_favour_fails_and_is_refused_today(tree, worker, people):
    applicant, full = people
    _to_meeting(worker, tree, applicant, full)
    data = {
        "date": D(2025, 10, 28),
        "should_attend": 4,
        "present": 4,
        "in_favour": 2,
        "voters_note": "周五自费出国一年",
    }
    rows = counts()

    with pytest.raises(RuleViolation) as exc:
        _record(worker, applicant, "admission_meeting", data, today=D(2025, 10, 28))

    assert exc.value.code == "VOTE-PASS"
    assert "恰好半数" in exc.value.message
    assert counts() == rows


def test_a_failed_vote_is_kept_as_a_past_fact_only_with_an_exception_and_moves_nothing(
    tree, worker, people
):
    applicant, full = people
    _to_meeting(worker, tree, applicant, full)
    secretary = factories.user_with_role("sec", tree.branch, kind="secretary")
    data = {
        "date": D(2025, 10, 28),
        "should_attend": 5,
        "present": 5,
        "in_favour": 2,
    }
    with pytest.raises(InvalidInput) as exc:
        _record(worker, applicant, "admission_meeting", data)
    assert exc.value.code == "VOTE-PASS"

    entry = _record(
        worker,
        applicant,
        "admission_meeting",
        data,
        exception_reason="会议记录如此",
        approver=secretary,
    )

    assert list(entry.exceptions.values_list("code", flat=True)) == ["VOTE-PASS"]
    assert Person.objects.get(pk=applicant.pk).status == "candidate"
    # the approval of a meeting that did not pass is itself refused today
    _record(worker, applicant, "approval_talk", {"date": D(2025, 11, 5)})
    with pytest.raises(RuleViolation) as exc:
        _record(
            worker,
            applicant,
            "admission_approval",
            {"date": D(2025, 11, 20), "approving_org": tree.committee},
            today=D(2025, 11, 20),
        )
    assert [(f.code, f.subject) for f in exc.value.findings if f.is_error] == [
        ("VOTE-PASS", "admission_approval")
    ]
    assert Person.objects.get(pk=applicant.pk).status == "candidate"


# --- the other status moves ------------------------------------------------------------------


def test_probation_cancellation_cancels_the_membership_and_closes_the_record(tree, worker, people):
    applicant, full = people
    walk(worker, tree, applicant, full, until="oath")

    _record(
        worker,
        applicant,
        "probation_cancellation",
        {"date": D(2026, 6, 10), "should_attend": 5, "present": 5, "in_favour": 4},
    )

    fresh = Person.objects.get(pk=applicant.pk)
    assert (fresh.status, fresh.status_since) == ("probation_cancelled", D(2026, 6, 10))
    record = DevelopmentRecord.objects.get(person=applicant)
    assert (record.state, record.closed_on) == ("cancelled", D(2026, 6, 10))
    with pytest.raises(DomainError) as exc:
        _record(worker, applicant, "probation_assessments", {"date": D(2026, 7, 1)})
    assert "已取消预备党员资格" in exc.value.message


# --- input, duplicates, corrections, scope --------------------------------------------------


def test_a_single_step_cannot_be_recorded_twice_a_repeated_one_gets_the_next_number(
    tree, worker, people
):
    applicant, full = people
    walk(worker, tree, applicant, full, until="activist_assessments")
    rows = counts()

    with pytest.raises(DomainError) as exc:
        _record(worker, applicant, "activist", {"date": D(2024, 9, 3), "recommended_by": "league"})
    assert exc.value.code == "DUPLICATE"
    assert exc.value.message.startswith("第3步「推荐和确定入党积极分子」已登记（2024年9月2日）")
    assert counts() == rows

    entry = _record(worker, applicant, "activist_assessments", {"date": D(2025, 8, 20)})
    assert entry.seq == 1


@pytest.mark.parametrize(
    ("step", "data", "field", "message"),
    [
        (
            "application_talk",
            {"date": D(2026, 11, 23)},
            "date",
            "日期不能晚于今天：只能登记已经发生的步骤。",
        ),
        ("application_talk", {}, "date", "请填写日期。"),
        (
            "application_talk",
            {"date": D(2024, 3, 20), "passed": True},
            "passed",
            "该步骤没有此项。",
        ),
        (
            "activist",
            {"date": D(2024, 9, 2)},
            "recommended_by",
            "请选择推荐方式（党员推荐或群团组织推优）。",
        ),
        ("no_such_step", {"date": D(2024, 9, 2)}, "step", "未知的步骤。"),
    ],
    ids=["将来的日期", "无日期", "多余字段", "无推荐方式", "未知步骤"],
)
def test_bad_input_is_refused_in_chinese_and_changes_nothing(
    tree, worker, people, step, data, field, message
):
    applicant, _full = people
    _record(worker, applicant, "application", {"date": D(2024, 3, 1)})
    before, rows = snapshot(applicant), counts()

    with pytest.raises(InvalidInput) as exc:
        _record(worker, applicant, step, data)

    assert exc.value.fields[field] == [message]
    assert (snapshot(applicant), counts()) == (before, rows)


def test_a_full_member_cannot_open_a_record(tree, worker, people):
    _applicant, full = people
    rows = counts()

    with pytest.raises(DomainError) as exc:
        _record(worker, full[0], "application", {"date": D(2024, 3, 1)})

    assert exc.value.message == (
        "赵一的政治面貌为「正式党员」，只有在册的入党申请人、入党积极分子、发展对象和预备党员"
        "才能建立发展党员记录（正式党员的历史档案请用“导入历史记录”）。"
    )
    assert counts() == rows


def test_a_candidate_on_the_roll_has_earlier_steps_entered_without_moving_back(tree, worker):
    # given a candidate put on the roll by a roster import, without a record
    zhou = factories.person(tree.branch, name="周补", status="candidate", birth_date=D(2001, 2, 3))
    changes = StatusChange.objects.filter(person=zhou).count()

    # when the branch enters the application, the talk and the activist step from the files
    _record(worker, zhou, "application", {"date": D(2025, 11, 20)}, today=TODAY)
    _record(worker, zhou, "application_talk", {"date": D(2025, 12, 5)}, today=TODAY)
    _record(
        worker,
        zhou,
        "activist",
        {"date": D(2025, 11, 21), "recommended_by": "party_members"},
        exception_reason="档案记载：申请次日即经党员推荐确定为积极分子（谈话在后）",
        approver=worker,
        today=TODAY,
    )

    # then the record is open and the roll keeps the candidate, with no new status rows
    zhou.refresh_from_db()
    assert zhou.status == "candidate"
    assert StatusChange.objects.filter(person=zhou).count() == changes
    assert list(
        StepEntry.objects.filter(record__person=zhou)
        .order_by("date")
        .values_list("step", flat=True)
    ) == ["application", "activist", "application_talk"]
    assert set(
        RuleException.objects.filter(entry__record__person=zhou).values_list("code", flat=True)
    ) >= {"DEV-ORDER"}


@pytest.mark.parametrize("who", ["sibling_worker", "group_leader", "no_role"])
def test_outside_the_edit_scope_is_not_found_and_nothing_changes(tree, worker, people, who):
    applicant, full = people
    walk(worker, tree, applicant, full, until="application_talk")
    actor = {
        "sibling_worker": factories.user_with_role("sibw", tree.sibling),
        "group_leader": factories.user_with_role("gl", tree.branch, kind="group_leader"),
        "no_role": factories.user_with_role("nr", None, person=applicant),
    }[who]
    before, rows = snapshot(applicant), counts()

    with pytest.raises(NotFound):
        _record(actor, applicant, "activist", {"date": D(2024, 9, 2), "recommended_by": "league"})
    with pytest.raises(NotFound):
        step_preview(actor=actor, person=applicant, step="activist", data={}, today=TODAY)

    assert (snapshot(applicant), counts()) == (before, rows)


def test_a_correction_changes_the_data_with_history_but_not_a_moved_status(tree, worker, people):
    applicant, full = people
    walk(worker, tree, applicant, full, until="political_review")
    review = StepEntry.objects.get(step="political_review")
    activist = StepEntry.objects.get(step="activist")

    fixed = step_correct(
        actor=worker, entry=review, data={"conclusion": "政治审查合格"}, today=TODAY
    )

    assert (fixed.conclusion, fixed.date) == ("政治审查合格", D(2025, 9, 20))
    latest = fixed.history.first()
    assert (latest.history_user, latest.history_change_reason) == (worker, "更正")
    with pytest.raises(DomainError) as exc:
        step_correct(actor=worker, entry=activist, data={"date": D(2024, 9, 3)}, today=TODAY)
    assert exc.value.code == "DEV-CORRECTION"
    assert StepEntry.objects.get(pk=activist.pk).date == D(2024, 9, 2)
    corrected = step_correct(
        actor=worker, entry=activist, data={"recommended_by": "league"}, today=TODAY
    )
    assert corrected.recommended_by == "league"


def test_a_correction_that_breaks_a_rule_is_refused_like_a_new_step(tree, worker, people):
    applicant, full = people
    walk(worker, tree, applicant, full, until="pre_review")
    review = StepEntry.objects.get(step="political_review")

    with pytest.raises(InvalidInput) as exc:
        step_correct(actor=worker, entry=review, data={"passed": False}, today=TODAY)

    assert exc.value.code == "DEV-REVIEW"
    assert StepEntry.objects.get(pk=review.pk).passed is True


# --- scans ------------------------------------------------------------------------------------


def test_a_pdf_scan_is_attached_and_a_fake_one_is_refused(tree, worker, people, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    applicant, _full = people
    entry = _record(worker, applicant, "application", {"date": D(2024, 3, 1)})

    f = file_attach(
        actor=worker,
        entry=entry,
        upload=SimpleUploadedFile("申请书.pdf", b"%PDF-1.4 test", content_type="application/pdf"),
    )

    assert (f.title, f.content_type, f.size, f.uploaded_by) == (
        "申请书.pdf",
        "application/pdf",
        13,
        worker,
    )
    with pytest.raises(InvalidInput) as exc:
        file_attach(
            actor=worker,
            entry=entry,
            upload=SimpleUploadedFile("x.pdf", b"MZ\x90\x00", content_type="application/pdf"),
        )
    assert exc.value.message == "文件内容与扩展名.pdf不符。"
    with pytest.raises(NotFound):
        file_attach(
            actor=factories.user_with_role("sibw", tree.sibling),
            entry=entry,
            upload=SimpleUploadedFile("a.pdf", b"%PDF-1.4", content_type="application/pdf"),
        )
    assert StepFile.objects.count() == 1


# --- races (PostgreSQL) ----------------------------------------------------------------------

ON_POSTGRESQL = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="races need row locks (select_for_update) and concurrent writers: PostgreSQL only",
)


@ON_POSTGRESQL
@pytest.mark.django_db(transaction=True)
def test_the_same_step_recorded_twice_at_once_is_kept_once(tree, worker, people):
    applicant, full = people
    walk(worker, tree, applicant, full, until="activist_assessments")

    def name_candidate(day):
        return lambda: _record(worker, applicant, "candidate", {"date": day})

    results, errors = race(name_candidate(D(2025, 9, 2)), name_candidate(D(2025, 9, 3)))

    assert sorted(type(e).__name__ for e in errors) == ["DomainError", "NoneType"]
    assert next(e for e in errors if e is not None).code == "DUPLICATE"
    assert StepEntry.objects.filter(step="candidate").count() == 1
    assert StatusChange.objects.filter(person=applicant, status="candidate").count() == 1


@ON_POSTGRESQL
@pytest.mark.django_db(transaction=True)
def test_two_applications_at_once_open_one_record(tree, worker, people):
    applicant, _full = people

    def apply():
        return _record(worker, applicant, "application", {"date": D(2024, 3, 1)})

    results, errors = race(apply, apply)

    assert sorted(type(e).__name__ for e in errors) == ["DomainError", "NoneType"]
    assert DevelopmentRecord.objects.filter(person=applicant).count() == 1
