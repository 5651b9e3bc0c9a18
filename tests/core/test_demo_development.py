"""The demo's member development: people at every step, their records and rule caches,
the designed historical violations (exactly their codes), the exception kept on the
half vote, thought reports present and missing, contacts and introducers who are real
full members of the branch, one of them under 留党察看.

Built once for the module like tests/core/test_demo.py, inside a transaction rolled back
at the end.
"""

import datetime as dt
from collections import Counter

import pytest
from django.db import transaction

from dangwu.accounts.models import User
from dangwu.core.demo import REASON, build_demo
from dangwu.core.demo_development import DESIGNED, EXISTING_CODES
from dangwu.core.findings import Severity
from dangwu.core.workcal_db import calendar
from dangwu.development.conf import development_settings
from dangwu.development.models import (
    DevelopmentRecord,
    RuleException,
    StepEntry,
    StepPerson,
    ThoughtReport,
)
from dangwu.development.rules import check_timeline
from dangwu.development.selectors import timelines_data
from dangwu.members.models import Person, Sanction, StatusChange

TODAY = dt.date(2026, 11, 22)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        result = build_demo(today=TODAY)
        yield result
        transaction.set_rollback(True)


@pytest.fixture
def all_records(demo, db):
    return list(DevelopmentRecord.objects.select_related("person", "branch").order_by("id"))


@pytest.fixture
def records(all_records):
    """The designed people and the seven members rebuilt from their history (not the
    roll's other people on the way in, whose records only fill the boards)."""
    return [
        r
        for r in all_records
        if r.person.name in DESIGNED or r.person.status in ("probationary", "full")
    ]


def test_the_rest_of_the_student_branches_roll_has_records_within_the_rules(demo, all_records):
    rest = [
        r
        for r in all_records
        if r.person.name not in DESIGNED and r.person.status not in ("probationary", "full")
    ]
    assert len(rest) == demo.counts["roll_records"] == 140
    assert Counter(r.person.status for r in rest) == {
        "applicant": 62,
        "activist": 51,
        "candidate": 27,
    }
    found = findings_of(rest)
    assert [
        (name, f.code) for name, fs in found.items() for f in fs if f.severity == Severity.ERROR
    ] == []
    assert all(r.state == "open" and r.error_count == 0 for r in rest)


def findings_of(records):
    data = timelines_data(records)
    settings, cal = development_settings(), calendar()
    return {
        r.person.name: check_timeline(data[r.id], today=TODAY, settings=settings, calendar=cal)
        for r in records
    }


def test_people_at_every_step(demo, records):
    # Then nineteen records: twelve new people and seven members already on the roll
    assert len(records) == 19
    assert demo.counts["developmentrecord"] == 19 + 140
    assert demo.counts["person_development"] == 12
    statuses = Counter(r.person.status for r in records)
    assert statuses == {
        "applicant": 4,
        "activist": 3,
        "candidate": 5,
        "probationary": 4,
        "full": 3,
    }
    last = Counter(r.last_step for r in records)
    assert last == {
        "application": 2,
        "application_talk": 2,
        "activist_assessments": 2,
        "contacts_assigned": 1,
        "training": 2,
        "political_review": 1,
        "publicity": 1,
        "approval_talk": 1,
        "probation_assessments": 3,
        "probation_extension": 1,
        "archiving": 3,
    }
    assert Counter(r.state for r in records) == {"open": 16, "done": 3}
    assert all(r.checked_on == TODAY for r in records)


def test_designed_findings_are_exactly_as_designed(records):
    found = findings_of(records)
    codes = {
        name: {f.code for f in fs if f.severity in (Severity.ERROR, Severity.WARNING)}
        for name, fs in found.items()
    }
    for name, expected in DESIGNED.items():
        assert codes[name] == expected, name
    existing = {r.person.name for r in records} - set(DESIGNED)
    assert len(existing) == 7
    seen = Counter(frozenset(codes[name]) for name in existing)
    assert seen == {
        frozenset(): 5,
        EXISTING_CODES["half_vote"]: 1,
        EXISTING_CODES["early_conversion"]: 1,
    }
    # and the cache agrees with the rules
    for r in records:
        errors = sum(f.severity == Severity.ERROR for f in found[r.person.name])
        assert r.error_count == errors, r.person.name


def test_the_talk_is_overdue_and_the_publicity_runs(records):
    by_name = {r.person.name: r for r in records}
    talk = by_name["黄子轩"]
    assert (talk.next_step, talk.due_on < TODAY) == ("application_talk", True)
    publicity = StepEntry.objects.get(record=by_name["高诗涵"], step="publicity")
    assert (publicity.date, publicity.working_days) == (dt.date(2026, 11, 19), 5)
    waiting = by_name["罗文博"]
    assert waiting.next_step == "admission_approval"
    assert waiting.person.status == "candidate"


def test_past_facts_are_kept_with_an_exception(records):
    # The half vote (an import) and the late talk (entered now through the live workflow)
    talk, vote = RuleException.objects.select_related(
        "entry__record__person", "approved_by", "recorded_by"
    ).order_by("code")
    assert (vote.code, vote.entry.step, vote.approved_by.username) == (
        "VOTE-PASS",
        "admission_meeting",
        "zongzhi",
    )
    e = vote.entry
    assert e.in_favour * 2 == e.should_attend
    assert vote.reason.startswith("历史记录")
    assert e.record.person.status == "probationary"
    assert (talk.code, talk.entry.step, talk.entry.source) == (
        "DEV-TALK-1M",
        "application_talk",
        "live",
    )
    assert (talk.approved_by.username, talk.recorded_by.username) == ("zongzhi", "zhibu")
    assert talk.entry.record.person.name == "郑浩然"
    assert (talk.entry.date - talk.entry.record.steps.get(step="application").date).days == 40


def test_contacts_and_introducers_are_full_members_of_the_branch(records):
    people = list(StepPerson.objects.select_related("entry__record__branch", "person__branch"))
    assert (
        len(people)
        == 2 * StepEntry.objects.filter(step__in=["contacts_assigned", "introducers"]).count()
    )
    for p in people:
        record = p.entry.record
        # the branch's own members, or the college's teachers where it has too few
        assert p.person.branch.code in (record.branch.code, "HBLG-JSJ-JZG")
        assert p.person.full_since <= p.entry.date
        assert p.name == p.person.name
    sanctioned = [p for p in people if p.sanction]
    assert len(sanctioned) == 1
    [s] = Sanction.objects.filter(person=sanctioned[0].person)
    assert (s.kind, s.decided_on) == ("probation_within_party", dt.date(2026, 5, 6))
    assert s.decided_on <= sanctioned[0].entry.date
    assert sanctioned[0].entry.record.person.name == "胡晨阳"


def test_thought_reports_some_complete_some_missing(records):
    by_record = Counter(ThoughtReport.objects.values_list("record__person__name", flat=True))
    assert by_record["周雨萱"] >= 2
    assert "朱雅婷" not in by_record  # an import without reports: not checked
    found = findings_of(records)
    missing = [n for n, fs in found.items() if "DEV-THOUGHT-REPORT" in {f.code for f in fs}]
    assert missing == ["吴俊杰"]


def test_new_people_have_a_history_from_the_application(records):
    admin = User.objects.get(username="admin")
    for name in DESIGNED:
        p = Person.objects.get(name=name, branch__code__startswith="HBLG-JSJ-BK")
        history = list(
            StatusChange.objects.filter(person=p)
            .order_by("effective_on", "id")
            .values_list("status", "effective_on")
        )
        assert history[0] == ("applicant", p.applied_on), name
        assert history[-1] == (p.status, p.status_since), name
        assert Person.history.filter(
            id=p.pk, history_type="+", history_user=admin, history_change_reason=REASON
        ).exists()


def test_historical_imports_and_live_entries(records):
    sources = Counter(StepEntry.objects.values_list("record__person__name", "source"))
    assert {n for n, s in sources if s == "import"} >= {"郑浩然", "朱雅婷"}
    assert ("罗文博", "live") in sources
    live = StepEntry.objects.filter(source="live", recorded_by__username="zhibu")
    assert set(
        live.filter(step__in=["application_talk", "approval_talk"]).values_list(
            "record__person__name", "step"
        )
    ) >= {
        ("陈思远", "application_talk"),
        ("郑浩然", "application_talk"),
        ("罗文博", "approval_talk"),
    }
    recorders = set(
        StepEntry.objects.filter(record__branch__code="HBLG-JSJ-BK1").values_list(
            "recorded_by__username", flat=True
        )
    )
    assert recorders == {"zhibu"}
