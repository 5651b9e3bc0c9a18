"""The board's reads: counts per stage and per child organization, the funnel, a stage's
people, the to-do list, missing thought reports and the findings report."""

import datetime as dt

import pytest

from dangwu.core.errors import NotFound
from dangwu.core.scope import scope_for
from dangwu.development import board
from dangwu.development.models import DevelopmentRecord, RuleException, ThoughtReport
from tests import factories
from tests.development import board_data
from tests.development.board_data import TODAY

pytestmark = pytest.mark.django_db


@pytest.fixture
def pipeline(tree, viewers):
    return board_data.build(tree)


@pytest.fixture
def scope(viewers):
    return scope_for(viewers["ancestor"])


def figures(c: board.Counts) -> dict:
    return vars(c)


# --- the board ------------------------------------------------------------------------------


def test_board_of_the_committee_counts_every_stage_in_the_subtree(tree, pipeline, scope):
    result = board.board(scope, tree.committee, today=TODAY)

    assert figures(result.totals) == {
        "applicant": 3,
        "activist": 2,
        "candidate": 1,
        "probationary": 1,
        "admitted": 1,
        "converted": 1,
        "open": 6,
        "overdue": 1,
        "errors": 2,
    }
    assert [(r.org.name, figures(r.counts)) for r in result.rows] == [
        ("计算机学院党总支", figures(result.totals))
    ]
    assert result.own is None
    assert result.year == 2026


def test_board_of_the_general_branch_has_a_row_per_branch(tree, pipeline, scope):
    result = board.board(scope, tree.college, today=TODAY)

    assert [(r.org.name, figures(r.counts)) for r in result.rows] == [
        (
            "本科生第一党支部",
            {
                "applicant": 2,
                "activist": 1,
                "candidate": 1,
                "probationary": 1,
                "admitted": 1,
                "converted": 1,
                "open": 5,
                "overdue": 1,
                "errors": 2,
            },
        ),
        (
            "教工党支部",
            {
                "applicant": 1,
                "activist": 1,
                "candidate": 0,
                "probationary": 0,
                "admitted": 0,
                "converted": 0,
                "open": 1,
                "overdue": 0,
                "errors": 0,
            },
        ),
    ]


def test_a_branch_board_has_no_rows_and_only_its_own_people(tree, pipeline, scope):
    result = board.board(scope, tree.sibling, today=TODAY)

    assert result.rows == []
    assert (result.totals.applicant, result.totals.activist, result.totals.open) == (1, 1, 1)


def test_a_group_board_counts_the_people_of_the_group(tree, scope):
    p = factories.person(tree.branch, name="郑一", status="applicant", group=tree.group)
    factories.development(p, {"steps": {"application": {"date": "2026-11-01"}}}, today=TODAY)
    factories.person(tree.branch, name="郑二", status="applicant")  # not in the group

    result = board.board(scope, tree.group, today=TODAY)

    assert (result.totals.applicant, result.totals.open) == (1, 1)


def test_people_who_left_the_roll_and_last_year_approvals_are_not_counted(tree, scope):
    gone = factories.person(tree.branch, name="冯一", status="activist")
    gone.is_active = False
    gone.save()
    old = factories.person(tree.branch, name="冯二", status="probationary")
    factories.development(old, board_data.example(4, until="oath"), today=TODAY)  # 2025

    totals = board.board(scope, tree.branch, today=TODAY).totals

    assert (totals.activist, totals.probationary, totals.admitted) == (0, 1, 0)


def test_the_board_outside_the_scope_is_not_found(tree, viewers):
    with pytest.raises(NotFound):
        board.board(scope_for(viewers["sibling"]), tree.branch, today=TODAY)
    with pytest.raises(NotFound):
        board.org_get_for(scope_for(viewers["own_org"]), tree.committee.pk)


def test_board_queries_do_not_grow_with_branches(tree, scope, django_assert_num_queries):
    def build(n):
        for i in range(n):
            b = factories.org(tree.college, "branch", f"支部{i}")
            p = factories.person(b, name=f"申请人{i}", status="applicant")
            factories.development(p, {"steps": {"application": {"date": "2026-11-01"}}})

    build(1)
    with django_assert_num_queries(4):  # children, people, approvals, records
        one = board.board(scope, tree.committee, today=TODAY)
    build(19)
    with django_assert_num_queries(4):
        twenty = board.board(scope, tree.committee, today=TODAY)

    assert (one.totals.applicant, twenty.totals.applicant) == (1, 20)
    assert [r.counts.open for r in twenty.rows] == [20]


# --- the funnel -----------------------------------------------------------------------------


def test_funnel_bars_are_as_wide_as_their_stage_against_the_largest():
    f = board.funnel(board.Counts(applicant=10, activist=5, candidate=1, probationary=0))

    assert [(b.key, b.count, b.x, b.width, b.y) for b in f.bars] == [
        ("applicant", 10, 0, 320, 0),
        ("activist", 5, 80, 160, 48),
        ("candidate", 1, 144, 32, 96),
        ("probationary", 0, 160, 0, 144),
    ]
    assert (f.width, f.height, f.center) == (320, 184, 160)


def test_funnel_of_nobody_has_no_bars_and_a_tiny_stage_stays_visible():
    assert [b.width for b in board.funnel(board.Counts()).bars] == [0, 0, 0, 0]
    tiny = board.funnel(board.Counts(applicant=1000, activist=1))
    assert [b.width for b in tiny.bars] == [320, 6, 0, 0]


# --- a stage's people -----------------------------------------------------------------------


def test_stage_people_come_with_their_record(tree, pipeline, scope):
    activists = board.stage_people(scope, tree.college, "activist", today=TODAY)

    rows = [(p.name, getattr(p, "development", None)) for p in activists]
    assert [(name, rec.due_on if rec else None) for name, rec in rows] == [
        ("李一", dt.date(2027, 3, 1)),
        ("吴一", None),
    ]


@pytest.mark.parametrize(("stage", "names"), [("admitted", ["钱一"]), ("converted", ["孙一"])])
def test_stage_people_of_the_year(tree, pipeline, scope, stage, names):
    people = board.stage_people(scope, tree.committee, stage, today=TODAY)

    assert [p.name for p in people] == names


# --- the to-do list -------------------------------------------------------------------------


def test_todo_is_by_due_date_with_nulls_last_and_overdue_marked(tree, pipeline, scope):
    rows = list(board.todo_list(scope, tree.college, today=TODAY))

    assert [(r.person.name, r.due_on, bool(r.is_overdue), r.next_label) for r in rows] == [
        ("王一", dt.date(2026, 11, 15), True, "党组织派人谈话"),
        ("王二", dt.date(2026, 12, 1), False, "党组织派人谈话"),
        ("李一", dt.date(2027, 3, 1), False, "下一次培养教育考察"),
        ("钱一", None, False, "继续教育考察"),
        ("赵一", None, False, "进行政治审查"),
        ("周一", None, False, "最早可确定为入党积极分子"),
    ]


def test_todo_filters_by_branch_and_overdue(tree, pipeline, scope):
    sibling = list(board.todo_list(scope, tree.college, today=TODAY, branch=tree.sibling))
    overdue = list(board.todo_list(scope, tree.committee, today=TODAY, overdue_only=True))

    assert [r.person.name for r in sibling] == ["周一"]
    assert [r.person.name for r in overdue] == ["王一"]


def test_todo_of_a_branch_outside_the_page_is_not_found(tree, scope):
    with pytest.raises(NotFound):
        board.todo_list(scope, tree.sibling, today=TODAY, branch=tree.branch)


def test_todo_is_one_query(tree, pipeline, scope, django_assert_num_queries):
    with django_assert_num_queries(1):
        rows = list(board.todo_list(scope, tree.committee, today=TODAY))
        names = [(r.person.name, r.branch.name) for r in rows]
    assert len(names) == 6


def test_branch_choices_are_the_organizations_below(tree):
    assert [o.name for o in board.branch_choices(tree.committee)] == [
        "计算机学院党总支",
        "本科生第一党支部",
        "教工党支部",
    ]
    assert board.branch_choices(tree.branch) == []


# --- missing thought reports ----------------------------------------------------------------


def test_missing_reports_lists_tracked_records_without_one_this_quarter(
    tree, pipeline, scope, django_assert_num_queries
):
    li, zhou = pipeline.records["李一"], pipeline.records["周一"]
    ThoughtReport.objects.create(record=li, submitted_on=dt.date(2026, 9, 1), text="汇报")
    ThoughtReport.objects.create(record=zhou, submitted_on=dt.date(2026, 9, 20), text="汇报")
    ThoughtReport.objects.create(record=zhou, submitted_on=dt.date(2026, 10, 8), text="汇报")

    with django_assert_num_queries(1):
        missing = board.missing_reports(scope, tree.committee, today=TODAY)

    assert (missing.quarter, missing.quarter_end) == ("2026年第四季度", dt.date(2026, 12, 31))
    assert [r.person.name for r in missing.records] == ["李一"]
    assert missing.more is False


# --- the findings report --------------------------------------------------------------------


def test_audit_report_groups_findings_per_person(tree, pipeline, scope):
    report = board.audit_report(scope, tree.committee, today=TODAY)

    assert report.checked == 7
    assert [
        (i.record.person.name, [(a.finding.code, a.severity_zh, a.step) for a in i.findings])
        for i in report.items
    ] == [
        ("王一", [("DEV-TALK-1M", "错误", "党组织派人谈话")]),
        ("赵一", [("DEV-INTRODUCERS", "错误", "确定入党介绍人")]),
    ]
    assert report.by_code == [("DEV-INTRODUCERS", 1), ("DEV-TALK-1M", 1)]
    assert report.by_severity == {"error": 2}
    assert report.finding_count == 2


def test_audit_filters(tree, pipeline, scope):
    def names(**filters):
        r = board.audit_report(
            scope, tree.committee, today=TODAY, filters=board.AuditFilters(**filters)
        )
        return [i.record.person.name for i in r.items], r.by_code

    assert names(code="DEV-TALK-1M") == (
        ["王一"],
        [("DEV-INTRODUCERS", 1), ("DEV-TALK-1M", 1)],
    )
    assert names(severity="warning") == ([], [])
    assert names(branch=tree.sibling) == ([], [])
    assert names(person_id=pipeline.people["赵一"].pk)[0] == ["赵一"]
    assert names(source="import")[0] == ["王一", "赵一"]


def test_audit_marks_an_approved_exception(tree, pipeline, scope, admin_user):
    entry = pipeline.records["赵一"].steps.get(step="introducers")
    RuleException.objects.create(
        entry=entry,
        code="DEV-INTRODUCERS",
        message="介绍人在察看期内",
        citation="细则 第十四条",
        reason="当年未发现",
        approved_by=admin_user,
    )

    report = board.audit_report(scope, tree.committee, today=TODAY)

    assert [[a.excepted for a in i.findings] for i in report.items] == [[False], [True]]


def test_audit_reads_in_chunks(tree, pipeline, scope, django_assert_num_queries):
    # calendar 1; per chunk of 3: records, entries, people, reports, exceptions (3 chunks);
    # the empty fourth chunk read.
    with django_assert_num_queries(1 + 3 * 5 + 1):
        report = board.audit_report(scope, tree.committee, today=TODAY, chunk=3)
    assert report.checked == 7


def test_audit_rows_one_per_finding(tree, pipeline, scope):
    report = board.audit_report(scope, tree.committee, today=TODAY)
    rows = list(board.audit_rows(report))

    assert [r[:5] + (r[7],) for r in rows] == [
        (
            "王一",
            "本科生第一党支部",
            "DEV-TALK-1M",
            "错误",
            "党组织派人谈话",
            dt.date(2026, 11, 15),
        ),
        ("赵一", "本科生第一党支部", "DEV-INTRODUCERS", "错误", "确定入党介绍人", None),
    ]


def test_audit_is_live_not_the_cache(tree, pipeline, scope):
    DevelopmentRecord.objects.update(error_count=0)

    report = board.audit_report(scope, tree.committee, today=TODAY)

    assert report.by_severity == {"error": 2}


def test_step_names():
    assert board.step_name("candidate") == "确定发展对象"
    assert board.step_name("thought_reports") == "思想汇报"
    assert board.step_name("") == ""
