"""From rows to the facts of the LIFE-* rules: group meetings by group, committee quorum from
attendance, the secretary's lectures, only held meetings, nothing from other branches; and a
query count that does not grow with the number of branches."""

import datetime as dt

import pytest

from dangwu.core.scope import Scope
from dangwu.meetings import compliance
from dangwu.meetings.models import Attendance
from dangwu.meetings.rules import ComplianceSettings, MeetingFacts, OrgFacts
from dangwu.orgs.models import Post
from tests import factories

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 22)
YEAR = 2026
SUPERUSER = Scope(user_id=None, person_id=None, is_superuser=True)


def post(org, person, kind, started=dt.date(2024, 1, 1), ended=None):
    return Post.objects.create(
        organization=org,
        person=person,
        kind=kind,
        started_on=started,
        ended_on=ended,
        chosen_by="elected",
    )


def facts_of(branch):
    return compliance.branch_facts([branch], year=YEAR, today=TODAY)[branch.pk]


def by_date(meetings):
    return sorted(meetings, key=lambda m: (m.date, m.kind))


# --- groups ---------------------------------------------------------------------------------


def test_group_meetings_carry_their_groups_name(tree):
    second = factories.org(tree.branch, "party_group", "第二党小组")
    factories.meeting(tree.group, "group_meeting", dt.date(2026, 3, 10))
    factories.meeting(second, "group_meeting", dt.date(2026, 4, 8))

    org, meetings = facts_of(tree.branch)

    assert org == OrgFacts(kind="branch", has_committee=False, groups=("第一党小组", "第二党小组"))
    assert by_date(meetings) == [
        MeetingFacts(kind="group_meeting", date=dt.date(2026, 3, 10), group="第一党小组"),
        MeetingFacts(kind="group_meeting", date=dt.date(2026, 4, 8), group="第二党小组"),
    ]


def test_a_groups_other_activities_and_dissolved_groups_do_not_count(tree):
    old = factories.org(
        tree.branch, "party_group", "撤销的党小组", dissolved_on=dt.date(2026, 2, 1)
    )
    factories.meeting(tree.group, "theme_day", dt.date(2026, 3, 10))
    factories.meeting(old, "group_meeting", dt.date(2026, 1, 10))

    org, meetings = facts_of(tree.branch)

    assert org.groups == ("第一党小组",)
    assert meetings == []


def test_two_groups_of_one_name_are_told_apart_by_code(tree):
    twin = factories.org(tree.branch, "party_group", "第一党小组")

    org, _ = facts_of(tree.branch)

    assert org.groups == (f"第一党小组（{tree.group.code}）", f"第一党小组（{twin.code}）")


# --- committee and quorum -------------------------------------------------------------------


def test_a_secretary_alone_or_with_a_deputy_is_no_committee(tree):
    post(tree.branch, factories.person(tree.branch, name="书记"), "secretary")
    post(tree.branch, factories.person(tree.branch, name="副书记"), "deputy_secretary")

    org, _ = facts_of(tree.branch)

    assert org.has_committee is False


def test_committee_members_in_office_make_a_committee(tree):
    post(tree.branch, factories.person(tree.branch, name="书记"), "secretary")
    post(tree.branch, factories.person(tree.branch, name="组织委员"), "organization_member")
    left = factories.person(tree.sibling, name="已离任")
    post(tree.sibling, left, "propaganda_member", ended=dt.date(2026, 6, 30))

    assert facts_of(tree.branch)[0].has_committee is True
    assert facts_of(tree.sibling)[0].has_committee is False


def test_committee_quorum_counts_the_expected_rows_and_those_present(tree):
    a, b, c = (factories.person(tree.branch, name=n) for n in ("甲", "乙", "丙"))
    guest = factories.person(tree.sibling, name="列席")
    m = factories.meeting(
        tree.branch, "committee_meeting", dt.date(2026, 5, 6), present=(a,), absent=(b, c)
    )
    Attendance.objects.create(meeting=m, person=guest, expected=False, status="present")
    factories.meeting(tree.branch, "committee_meeting", dt.date(2026, 6, 3))  # no rows

    _, meetings = facts_of(tree.branch)

    assert by_date(meetings) == [
        MeetingFacts(
            kind="committee_meeting",
            date=dt.date(2026, 5, 6),
            committee_present=1,
            committee_size=3,
        ),
        MeetingFacts(kind="committee_meeting", date=dt.date(2026, 6, 3)),
    ]


# --- the secretary's lectures ---------------------------------------------------------------


def test_a_lecture_is_the_secretarys_when_the_speaker_held_the_post_that_day(tree):
    secretary = factories.person(tree.branch, name="书记")
    former = factories.person(tree.branch, name="前任书记")
    other = factories.person(tree.branch, name="党员")
    post(tree.branch, secretary, "secretary", started=dt.date(2026, 4, 1))
    post(tree.branch, former, "secretary", started=dt.date(2023, 1, 1), ended=dt.date(2026, 4, 1))
    post(tree.sibling, other, "secretary")  # another branch's secretary
    for day, speaker in [
        (dt.date(2026, 3, 5), former),  # in office
        (dt.date(2026, 3, 6), secretary),  # not yet
        (dt.date(2026, 4, 20), secretary),  # in office
        (dt.date(2026, 5, 6), former),  # left on 04-01
        (dt.date(2026, 6, 6), other),
        (dt.date(2026, 7, 6), None),
    ]:
        factories.meeting(tree.branch, "party_lecture", day, speaker=speaker)

    _, meetings = facts_of(tree.branch)

    assert [(m.date.isoformat(), m.by_secretary) for m in by_date(meetings)] == [
        ("2026-03-05", True),
        ("2026-03-06", False),
        ("2026-04-20", True),
        ("2026-05-06", False),
        ("2026-06-06", False),
        ("2026-07-06", None),
    ]


# --- which meetings ------------------------------------------------------------------------


def test_only_held_meetings_of_the_year_up_to_today_count(tree):
    factories.meeting(tree.branch, "theme_day", dt.date(2026, 1, 9))
    factories.meeting(tree.branch, "theme_day", dt.date(2026, 2, 9), status="cancelled")
    factories.meeting(tree.branch, "theme_day", dt.date(2026, 3, 9), status="planned")
    factories.meeting(tree.branch, "theme_day", dt.date(2025, 12, 9))
    factories.meeting(tree.branch, "theme_day", dt.date(2026, 11, 30))  # after today

    _, meetings = facts_of(tree.branch)

    assert meetings == [MeetingFacts(kind="theme_day", date=dt.date(2026, 1, 9))]


def test_other_branches_meetings_do_not_leak(tree):
    other_group = factories.org(tree.sibling, "party_group", "教工党小组")
    factories.meeting(tree.sibling, "general_meeting", dt.date(2026, 2, 2))
    factories.meeting(other_group, "group_meeting", dt.date(2026, 2, 3))
    factories.meeting(tree.college, "general_meeting", dt.date(2026, 2, 4))
    factories.meeting(tree.branch, "general_meeting", dt.date(2026, 2, 5))

    result = compliance.branch_facts([tree.branch, tree.sibling], year=YEAR, today=TODAY)

    assert result[tree.branch.pk][1] == [
        MeetingFacts(kind="general_meeting", date=dt.date(2026, 2, 5))
    ]
    assert by_date(result[tree.sibling.pk][1]) == [
        MeetingFacts(kind="general_meeting", date=dt.date(2026, 2, 2)),
        MeetingFacts(kind="group_meeting", date=dt.date(2026, 2, 3), group="教工党小组"),
    ]
    assert result[tree.sibling.pk][0].groups == ("教工党小组",)


# --- findings -------------------------------------------------------------------------------


def test_compliance_for_names_the_branch_and_the_missing_months(tree):
    for month in range(1, 12):
        if month != 3:
            factories.meeting(tree.branch, "theme_day", dt.date(2026, month, 8))

    found = compliance.compliance_for([tree.branch, tree.college], year=YEAR, today=TODAY)

    theme = [f for f in found[tree.branch.pk] if f.code == "LIFE-THEME-DAY"]
    assert [(f.data["period"], f.severity, f.subject, f.due) for f in theme] == [
        ("2026-03", "error", f"org:{tree.branch.path}", dt.date(2026, 3, 31))
    ]
    assert theme[0].message == "2026年3月未开展主题党日。党支部每月相对固定1天开展主题党日。"
    assert found[tree.college.pk] == []


def test_settings_come_from_django_settings(settings):
    settings.DANGWU = {**settings.DANGWU, "MEETINGS": {"lectures_per_quarter": 2}}

    assert compliance.compliance_settings() == ComplianceSettings(lectures_per_quarter=2)


def test_branch_page_groups_findings_by_period_with_the_meeting_to_hold(tree):
    post(tree.branch, factories.person(tree.branch, name="组织委员"), "organization_member")

    result = compliance.branch_compliance(SUPERUSER, tree.branch, year=YEAR, today=TODAY)

    labels = [b.period.label for b in result.periods]
    assert labels[:5] == ["2026-01", "2026-02", "2026-03", "2026-Q1", "2026-04"]
    assert labels[-3:] == ["2026-11", "2026-Q4", "2026"]
    kinds = {(m.finding.code, m.kind, m.org_id) for b in result.periods for m in b.items}
    assert ("LIFE-GROUP-M", "group_meeting", tree.group.pk) in kinds
    assert ("LIFE-COMMITTEE-M", "committee_meeting", tree.branch.pk) in kinds
    # errors: 10 ended months × (committee, group, theme) + 3 quarters × (general, lecture);
    # warnings: November × 3, Q4 × 2, the year × 3 (secretary lecture, org life, appraisal)
    assert (result.errors, result.warnings) == (36, 8)


def test_subtree_table_counts_each_branch_worst_first(tree):
    for month in range(1, 12):
        factories.meeting(tree.sibling, "theme_day", dt.date(2026, month, 8))

    table = compliance.subtree_compliance(SUPERUSER, tree.committee, year=YEAR, today=TODAY)

    assert [(r.org.name, r.errors, r.warnings) for r in table.rows] == [
        ("本科生第一党支部", 26, 7),
        ("教工党支部", 6, 5),
    ]
    assert table.rows[0].by_code == {
        "LIFE-GENERAL-Q": 4,
        "LIFE-GROUP-M": 11,
        "LIFE-LECTURE": 5,
        "LIFE-THEME-DAY": 11,
        "LIFE-ORG-LIFE": 1,
        "LIFE-APPRAISAL": 1,
    }
    assert (table.errors, table.warnings, table.branches_ok) == (32, 12, 0)


# --- cost -------------------------------------------------------------------------------------


def test_the_query_count_does_not_grow_with_the_branches(tree, django_assert_num_queries):
    branches = [factories.org(tree.college, "branch", f"支部{i}") for i in range(20)]
    for i, b in enumerate(branches):
        group = factories.org(b, "party_group", "党小组")
        factories.meeting(b, "general_meeting", dt.date(2026, 2, 1 + i))
        factories.meeting(group, "group_meeting", dt.date(2026, 3, 1 + i))
        factories.meeting(b, "party_lecture", dt.date(2026, 4, 1 + i))

    with django_assert_num_queries(4):
        one = compliance.compliance_for(branches[:1], year=YEAR, today=TODAY)
    with django_assert_num_queries(4):
        twenty = compliance.compliance_for(branches, year=YEAR, today=TODAY)

    assert len(one) == 1
    assert len(twenty) == 20
    assert twenty[branches[0].pk] == one[branches[0].pk]


def test_many_branches_are_read_in_chunks_under_the_parameter_limit(tree, monkeypatch):
    monkeypatch.setattr(compliance, "_chunk_size", lambda: 2)
    branches = [factories.org(tree.college, "branch", f"支部{i}") for i in range(5)]
    for i, b in enumerate(branches):
        factories.meeting(b, "general_meeting", dt.date(2026, 2, 1 + i))

    result = compliance.branch_facts(branches, year=YEAR, today=TODAY)

    assert [result[b.pk][1][0].date.day for b in branches] == [1, 2, 3, 4, 5]
