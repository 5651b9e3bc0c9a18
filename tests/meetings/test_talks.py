"""Heart-to-heart talks: recording one (``services.talks``) and LIFE-HEART-TALK coverage per
year (``meetings.talks``)."""

import datetime as dt

import pytest

from dangwu.core.errors import InvalidInput, NotFound
from dangwu.core.findings import Severity
from dangwu.core.scope import scope_for
from dangwu.meetings.models import HeartTalk
from dangwu.meetings.services.talks import heart_talk_record
from dangwu.meetings.talks import heart_talk_coverage, heart_talk_list
from dangwu.members.models import Membership
from dangwu.orgs.models import Post
from tests import factories

TODAY = dt.date(2026, 11, 22)
pytestmark = pytest.mark.django_db


def post(org, person, kind="committee_member", started_on=dt.date(2024, 1, 1), **fields):
    return Post.objects.create(
        organization=org,
        person=person,
        kind=kind,
        started_on=started_on,
        chosen_by="elected",
        **fields,
    )


@pytest.fixture
def people(tree):
    """Committee 甲 (secretary) and 乙; members 丙 and 丁."""
    names = ["甲", "乙", "丙", "丁"]
    out = {n: factories.person(tree.branch, name=n) for n in names}
    post(tree.branch, out["甲"], kind="secretary")
    post(tree.branch, out["乙"])
    return out


def talk(branch, a, b, date=dt.date(2026, 3, 1), topic="思想工作"):
    return HeartTalk.objects.create(organization=branch, person=a, other=b, date=date, topic=topic)


# --- recording -------------------------------------------------------------------------------


def test_record_a_talk(tree, worker, people):
    t = heart_talk_record(
        actor=worker,
        organization=tree.branch,
        date=dt.date(2026, 10, 8),
        person=people["甲"],
        other=people["丙"],
        topic=" 学习与工作情况 ",
        note="谈了考研打算。",
        today=TODAY,
    )

    assert (t.organization, t.person, t.other, t.topic, t.recorded_by) == (
        tree.branch,
        people["甲"],
        people["丙"],
        "学习与工作情况",
        worker,
    )
    assert t.history.get().history_user == worker


@pytest.mark.parametrize(
    ("when", "a", "b", "topic", "field", "message"),
    [
        pytest.param(
            dt.date(2026, 11, 23),
            "甲",
            "丙",
            "谈心",
            "date",
            "谈话日期不能晚于今天。",
            id="未来日期",
        ),
        pytest.param(
            TODAY, "甲", "甲", "谈心", "other", "谈心谈话应在两个不同的人之间进行。", id="同一人"
        ),
        pytest.param(TODAY, "甲", "丙", "  ", "topic", "请填写谈话主题。", id="无主题"),
    ],
)
def test_bad_talks_are_refused_and_nothing_is_written(
    tree, worker, people, when, a, b, topic, field, message
):
    with pytest.raises(InvalidInput) as exc:
        heart_talk_record(
            actor=worker,
            organization=tree.branch,
            date=when,
            person=people[a],
            other=people[b],
            topic=topic,
            today=TODAY,
        )

    assert exc.value.fields == {field: [message]}
    assert HeartTalk.objects.count() == 0


def test_both_people_must_belong_to_the_branch_on_the_date(tree, worker, people):
    outsider = factories.person(tree.sibling, name="外支部")
    newcomer = factories.person(tree.branch, name="新人", joined_on=dt.date(2026, 6, 1))

    with pytest.raises(InvalidInput) as exc:
        heart_talk_record(
            actor=worker,
            organization=tree.branch,
            date=dt.date(2026, 5, 20),
            person=outsider,
            other=newcomer,
            topic="谈心",
            today=TODAY,
        )

    assert exc.value.fields == {
        "person": ["外支部在2026年5月20日不是本科生第一党支部的成员。"],
        "other": ["新人在2026年5月20日不是本科生第一党支部的成员。"],
    }
    assert HeartTalk.objects.count() == 0


@pytest.mark.parametrize("who", ["sibling", "no_role", "leader"])
def test_recording_needs_life_on_the_branch(tree, viewers, people, who):
    users = {**viewers, "leader": factories.user_with_role("gl", tree.group, kind="group_leader")}

    with pytest.raises(NotFound):
        heart_talk_record(
            actor=users[who],
            organization=tree.branch,
            date=TODAY,
            person=people["甲"],
            other=people["丙"],
            topic="谈心",
            today=TODAY,
        )

    assert HeartTalk.objects.count() == 0


def test_a_committee_member_may_record(tree, people):
    user = factories.user_with_role("wei", tree.branch, kind="committee_member")

    t = heart_talk_record(
        actor=user,
        organization=tree.branch,
        date=TODAY,
        person=people["乙"],
        other=people["丁"],
        topic="谈心",
        today=TODAY,
    )

    assert t.pk is not None


# --- coverage --------------------------------------------------------------------------------


def test_coverage_names_who_is_missing_while_the_year_runs(
    tree, worker, people, django_assert_num_queries
):
    p = people
    talk(tree.branch, p["甲"], p["乙"])
    talk(tree.branch, p["丙"], p["甲"])
    talk(tree.branch, p["丙"], p["丁"])
    talk(tree.branch, p["甲"], p["丁"], date=dt.date(2025, 12, 1))  # last year
    scope = scope_for(worker)

    with django_assert_num_queries(4):
        cov = heart_talk_coverage(scope, tree.branch, year=2026, today=TODAY)

    [finding] = cov.findings
    assert (finding.code, finding.severity, finding.subject) == (
        "LIFE-HEART-TALK",
        Severity.INFO,
        f"org:{tree.branch.path}",
    )
    assert finding.data["missing"] == ["丁"]
    assert finding.data["between"] == "committee_member"
    counts = {
        c.person.name: (c.is_committee, c.with_committee, c.with_members, c.missing)
        for c in cov.counts
    }
    assert counts == {
        "甲": (True, 1, 1, ()),
        "乙": (True, 1, 0, ()),
        "丙": (False, 1, 1, ()),
        "丁": (False, 0, 1, ("committee_member",)),
    }


def test_coverage_of_an_ended_year_warns_for_each_kind(tree, worker, people):
    cov = heart_talk_coverage(scope_for(worker), tree.branch, year=2025, today=TODAY)

    assert [(f.severity, f.data["between"], f.data["missing"]) for f in cov.findings] == [
        (Severity.WARNING, "committee", ["甲与乙"]),
        (Severity.WARNING, "committee_member", ["丙", "丁"]),
        (Severity.WARNING, "member", ["丙", "丁"]),
    ]
    missing = {c.person.name: c.missing for c in cov.counts}
    assert missing == {
        "甲": ("committee",),
        "乙": ("committee",),
        "丙": ("committee_member", "member"),
        "丁": ("committee_member", "member"),
    }


def test_coverage_reads_posts_and_members_on_the_years_last_day(tree, worker, people):
    post(tree.branch, people["丙"], started_on=dt.date(2026, 1, 1))  # 丙 on the committee from 2026
    gone = factories.person(tree.branch, name="戊")
    Membership.objects.filter(person=gone).update(ended_on=dt.date(2025, 6, 30))

    cov = heart_talk_coverage(scope_for(worker), tree.branch, year=2025, today=TODAY)

    assert cov.on == dt.date(2025, 12, 31)
    assert [(c.person.name, c.is_committee) for c in cov.counts] == [
        ("甲", True),
        ("乙", True),
        ("丙", False),
        ("丁", False),
    ]


def test_two_people_with_one_name_are_told_apart(tree, worker, people):
    twin = factories.person(tree.branch, name="丁")

    cov = heart_talk_coverage(scope_for(worker), tree.branch, year=2025, today=TODAY)

    assert f"丁（{twin.pk}）" in cov.findings[1].data["missing"]


@pytest.mark.parametrize("who", ["sibling", "no_role"])
def test_coverage_and_list_outside_the_scope_are_not_found(tree, viewers, people, who):
    scope = scope_for(viewers[who])

    with pytest.raises(NotFound):
        heart_talk_coverage(scope, tree.branch, year=2026, today=TODAY)
    with pytest.raises(NotFound):
        heart_talk_list(scope, tree.branch, 2026)


def test_list_is_the_years_talks_newest_first(tree, worker, people):
    p = people
    a = talk(tree.branch, p["甲"], p["乙"], date=dt.date(2026, 3, 1))
    b = talk(tree.branch, p["丙"], p["甲"], date=dt.date(2026, 9, 1))
    talk(tree.branch, p["丙"], p["丁"], date=dt.date(2025, 9, 1))

    assert list(heart_talk_list(scope_for(worker), tree.branch, 2026)) == [b, a]
