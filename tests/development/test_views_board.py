"""The board, to-do and findings pages and the .xlsx: where the user starts, the permission
matrix, exact figures, the funnel SVG, filters, query counts, the cells of the .xlsx,
formula escaping and the audit row."""

import datetime as dt
import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from dangwu.accounts.models import Role
from dangwu.core.models import AuditAction, AuditEvent
from dangwu.development.models import ThoughtReport
from tests import factories
from tests.development import board_data
from tests.development.board_data import TODAY
from tests.members.test_views import assert_status, login, texts

pytestmark = pytest.mark.django_db
PAGES = ["board", "todo", "audit", "audit_xlsx"]
MATRIX = [
    ("anonymous", 302),
    ("no_role", 404),
    ("sibling", 404),
    ("own_org", 200),
    ("ancestor", 200),
]


@pytest.fixture(autouse=True)
def frozen(monkeypatch):
    """The pages read ``today`` from the clock: pin it to 2026-11-22."""
    monkeypatch.setattr("dangwu.development.views_board.today", lambda: TODAY)


@pytest.fixture
def pipeline(tree, viewers):
    return board_data.build(tree)


def url(name, org, **params):
    return reverse(f"development:{name}", args=[org.pk])


def html(response) -> str:
    return response.content.decode()


# --- where the user starts ------------------------------------------------------------------


def test_home_sends_a_branch_worker_to_the_branch_board(client, tree, worker):
    client.force_login(worker)

    response = client.get(reverse("development:home"))

    assert response.status_code == 302
    assert response["Location"] == url("board", tree.branch)


def test_home_sends_a_committee_role_to_the_committee_board(client, tree, viewers):
    user = viewers["ancestor"]  # with a second role below: the highest wins
    Role.objects.create(user=user, organization=tree.branch, kind="secretary")
    client.force_login(user)

    response = client.get(reverse("development:home"))

    assert response["Location"] == url("board", tree.committee)


def test_home_sends_a_member_without_a_role_to_their_own_page(client, viewers):
    login(client, viewers, "no_role")

    response = client.get(reverse("development:home"))

    assert response["Location"] == reverse("development:me")


def test_home_without_a_role_or_a_person_is_a_friendly_page(client, db):
    client.force_login(factories.user_with_role("nobody", None))

    response = client.get(reverse("development:home"))

    assert response.status_code == 200
    assert "您的账号还没有关联党组织" in html(response)


def test_home_of_a_superuser_is_the_first_top_organization(client, tree, admin_user):
    client.force_login(admin_user)

    assert client.get(reverse("development:home"))["Location"] == url("board", tree.committee)


def test_home_of_a_superuser_without_organizations_is_the_friendly_page(client, admin_user):
    client.force_login(admin_user)

    assert client.get(reverse("development:home")).status_code == 200


def test_home_asks_an_anonymous_visitor_to_log_in(client, db):
    assert_status(client.get(reverse("development:home")), 302)


# --- permission matrix ----------------------------------------------------------------------


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize(("who", "expected"), MATRIX)
def test_pages_permission_matrix(client, viewers, tree, name, who, expected):
    response = login(client, viewers, who).get(url(name, tree.branch))

    assert_status(response, expected)


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize(
    ("who", "expected"),
    [("anonymous", 302), ("no_role", 404), ("sibling", 404), ("own_org", 404), ("ancestor", 200)],
)
def test_committee_pages_permission_matrix(client, viewers, tree, name, who, expected):
    response = login(client, viewers, who).get(url(name, tree.committee))

    assert_status(response, expected)


@pytest.mark.parametrize("name", PAGES)
def test_a_missing_organization_is_404(client, viewers, name):
    response = login(client, viewers, "ancestor").get(reverse(f"development:{name}", args=[999999]))

    assert response.status_code == 404


@pytest.mark.parametrize("name", PAGES)
def test_posting_is_not_allowed(client, viewers, tree, name):
    response = login(client, viewers, "ancestor").post(url(name, tree.branch))

    assert response.status_code == 405


# --- the board ------------------------------------------------------------------------------


def test_board_shows_the_counts_the_funnel_and_the_children(client, viewers, tree, pipeline):
    login(client, viewers, "ancestor")

    response = client.get(url("board", tree.college))

    assert response.status_code == 200
    page = html(response)
    totals = response.context["board"].totals
    assert (totals.applicant, totals.activist, totals.candidate, totals.probationary) == (
        3,
        2,
        1,
        1,
    )
    svg = re.search(r'<svg class="board-funnel".*?</svg>', page, re.S).group(0)
    assert re.findall(r'class="board-funnel-text"[^>]*>([^<]*)<', svg) == [
        "入党申请人 3",
        "入党积极分子 2",
        "发展对象 1",
        "预备党员 1",
    ]
    assert re.findall(r'class="board-funnel-bar [^"]*" x="(\d+)" y="(\d+)" width="(\d+)"', svg) == [
        ("0", "0", "320"),
        ("53", "48", "213"),
        ("106", "96", "107"),
        ("106", "144", "107"),
    ]
    assert "style=" not in page  # CSP: no inline styles
    assert f'href="{url("board", tree.branch)}"' in page
    assert f'href="{url("board", tree.sibling)}"' in page
    assert f'href="{url("todo", tree.college)}"' in page
    assert f'href="{url("audit", tree.college)}"' in page
    assert f'href="{url("import", tree.college)}"' in page  # the ancestor may edit


def test_board_rows_per_child(client, viewers, tree, pipeline):
    login(client, viewers, "ancestor")

    rows = client.get(url("board", tree.college)).context["board"].rows

    assert [(r.org.name, r.counts.applicant, r.counts.overdue, r.counts.errors) for r in rows] == [
        ("本科生第一党支部", 2, 1, 2),
        ("教工党支部", 1, 0, 0),
    ]


def test_board_hides_the_import_link_from_a_group_leader(client, tree, pipeline):
    client.force_login(factories.user_with_role("gl", tree.branch, kind="group_leader"))

    page = html(client.get(url("board", tree.branch)))

    assert url("import", tree.branch) not in page


def test_board_stage_lists_the_people_with_next_step_due_and_errors(
    client, viewers, tree, pipeline
):
    login(client, viewers, "ancestor")

    response = client.get(url("board", tree.college), {"stage": "applicant"})

    assert response.context["stage_label"] == "入党申请人"
    rows = [
        (p.name, r.next_label, r.due_on, r.error_count) for p, r in response.context["stage_rows"]
    ]
    assert rows == [
        ("王二", "党组织派人谈话", dt.date(2026, 12, 1), 0),
        ("王一", "党组织派人谈话", dt.date(2026, 11, 15), 1),
        ("周一", "最早可确定为入党积极分子", None, 0),
    ]
    page = html(response)
    assert page.count("已逾期") == 1
    for name in ("王一", "王二", "周一"):
        person = pipeline.people[name]
        assert f'href="{reverse("development:person", args=[person.pk])}"' in page


def test_board_stage_shows_a_person_without_a_record(client, viewers, tree, pipeline):
    login(client, viewers, "ancestor")

    response = client.get(url("board", tree.college), {"stage": "activist"})

    assert [(p.name, r is None) for p, r in response.context["stage_rows"]] == [
        ("李一", False),
        ("吴一", True),
    ]
    assert "尚未建立发展记录" in html(response)


def test_board_unknown_stage_shows_the_board_with_a_message(client, viewers, tree):
    login(client, viewers, "ancestor")

    response = client.get(url("board", tree.college), {"stage": "nobody"})

    assert response.status_code == 200
    assert "stage" not in response.context
    assert texts(response) == ["没有这个阶段，已显示全部。"]


def test_board_queries_do_not_grow(client, viewers, tree, django_assert_max_num_queries):
    def build(n, start):
        for i in range(start, start + n):
            b = factories.org(tree.college, "branch", f"支部{i}")
            p = factories.person(b, name=f"申请人{i}", status="applicant")
            factories.development(p, {"steps": {"application": {"date": "2026-11-01"}}})

    login(client, viewers, "ancestor")
    # session, user, roles, org, children, people, approvals, records, plan, plan count,
    # the unread notifications of the menu
    build(1, 0)
    with django_assert_max_num_queries(11):
        assert client.get(url("board", tree.college)).status_code == 200
    build(19, 1)
    with django_assert_max_num_queries(11):
        response = client.get(url("board", tree.college))
    assert len(response.context["board"].rows) == 22
    # the stage list adds its page and its count
    with django_assert_max_num_queries(13):
        response = client.get(url("board", tree.college), {"stage": "applicant"})
    assert len(response.context["stage_rows"]) == 20


# --- the to-do list -------------------------------------------------------------------------


def test_todo_lists_open_records_by_due_date(client, viewers, tree, pipeline):
    login(client, viewers, "ancestor")

    response = client.get(url("todo", tree.committee))

    rows = [(r.person.name, r.due_on, bool(r.is_overdue)) for r in response.context["page_obj"]]
    assert rows == [
        ("王一", dt.date(2026, 11, 15), True),
        ("王二", dt.date(2026, 12, 1), False),
        ("李一", dt.date(2027, 3, 1), False),
        ("钱一", None, False),
        ("赵一", None, False),
        ("周一", None, False),
    ]
    page = html(response)
    assert page.count('class="todo-overdue"') == 1
    assert "2026-11-15" in page and "2027-03-01" in page
    assert "2026-09-10" in page  # 李一 may be named a candidate from then on


def test_todo_filters(client, viewers, tree, pipeline):
    login(client, viewers, "ancestor")

    by_branch = client.get(url("todo", tree.committee), {"branch": tree.sibling.pk})
    overdue = client.get(url("todo", tree.committee), {"overdue": "on"})

    assert [r.person.name for r in by_branch.context["page_obj"]] == ["周一"]
    assert [r.person.name for r in overdue.context["page_obj"]] == ["王一"]


def test_todo_bad_filter_shows_everything_with_a_message(client, viewers, tree, pipeline):
    login(client, viewers, "ancestor")
    outside = factories.org(None, "basic_committee", "另一党委")

    response = client.get(url("todo", tree.committee), {"branch": outside.pk})

    assert response.context["page_obj"].paginator.count == 6
    assert texts(response) == ["筛选条件有误，已显示全部待办事项。"]


def test_todo_of_a_branch_has_no_branch_filter(client, viewers, tree, pipeline):
    login(client, viewers, "own_org")

    response = client.get(url("todo", tree.branch))

    assert "branch" not in response.context["form"].fields
    assert response.context["page_obj"].paginator.count == 5


def test_todo_shows_who_has_no_thought_report_this_quarter(client, viewers, tree, pipeline):
    ThoughtReport.objects.create(
        record=pipeline.records["李一"], submitted_on=dt.date(2026, 9, 1), text="汇报"
    )
    login(client, viewers, "ancestor")

    response = client.get(url("todo", tree.committee))

    assert [r.person.name for r in response.context["missing"].records] == ["李一"]
    assert "2026年第四季度尚未提交思想汇报" in html(response)


def test_todo_queries_do_not_grow(client, viewers, tree, django_assert_max_num_queries):
    login(client, viewers, "ancestor")
    for i in range(25):
        p = factories.person(tree.branch, name=f"申请人{i}", status="applicant")
        factories.development(p, {"steps": {"application": {"date": "2026-11-01"}}})
    # session, user, roles, org, branch choices, count, page, missing reports, notifications
    with django_assert_max_num_queries(9):
        response = client.get(url("todo", tree.committee))
    assert len(response.context["page_obj"]) == 25


# --- the findings report --------------------------------------------------------------------


def test_audit_page_groups_findings_per_person(client, viewers, tree, pipeline):
    login(client, viewers, "ancestor")

    response = client.get(url("audit", tree.committee))

    report = response.context["report"]
    assert [(i.record.person.name, [a.finding.code for a in i.findings]) for i in report.items] == [
        ("王一", ["DEV-TALK-1M"]),
        ("赵一", ["DEV-INTRODUCERS"]),
    ]
    page = html(response)
    assert '<code class="finding-code">DEV-TALK-1M</code>' in page
    assert "《中国共产党发展党员工作细则》第十四条" in page
    assert page.count('class="finding finding-error"') == 2


def test_audit_page_filters_by_code_and_severity(client, viewers, tree, pipeline):
    login(client, viewers, "ancestor")

    by_code = client.get(url("audit", tree.committee), {"code": "DEV-INTRODUCERS"})
    warnings = client.get(url("audit", tree.committee), {"severity": "warning"})

    assert [i.record.person.name for i in by_code.context["report"].items] == ["赵一"]
    assert warnings.context["report"].items == []
    assert "没有发现问题。" in html(warnings)


def test_audit_bad_filter_shows_everything_with_a_message(client, viewers, tree, pipeline):
    login(client, viewers, "ancestor")

    response = client.get(url("audit", tree.committee), {"code": "=1+1", "severity": "x"})

    assert len(response.context["report"].items) == 2
    assert texts(response) == ["筛选条件有误，已显示全部问题。"]


def test_audit_export_link_keeps_the_filters(client, viewers, tree, pipeline):
    login(client, viewers, "ancestor")

    page = html(client.get(url("audit", tree.committee), {"severity": "error", "page": "1"}))

    assert f'href="{url("audit_xlsx", tree.committee)}?severity=error"' in page


# --- the .xlsx ------------------------------------------------------------------------------


def rows_of(response):
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return [list(r) for r in wb.worksheets[0].iter_rows(values_only=True)], wb


def exports():
    return list(
        AuditEvent.objects.filter(action=AuditAction.EXPORT).values("subject", "detail", "actor")
    )


def test_audit_xlsx_cells(client, viewers, tree, pipeline):
    login(client, viewers, "ancestor")

    response = client.get(url("audit_xlsx", tree.committee))

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    rows, wb = rows_of(response)
    assert wb.sheetnames == ["发展党员记录问题清单"]
    assert rows[0][0] == "某大学党委发展党员记录问题清单（检查日期2026-11-22）"
    assert rows[1] == ["姓名", "党支部", "规则编号", "严重程度", "步骤", "问题", "依据", "期限"]
    assert [r[:5] + [r[7]] for r in rows[2:]] == [
        ["王一", "本科生第一党支部", "DEV-TALK-1M", "错误", "党组织派人谈话",
         dt.datetime(2026, 11, 15)],
        ["赵一", "本科生第一党支部", "DEV-INTRODUCERS", "错误", "确定入党介绍人", None],
    ]  # fmt: skip
    assert rows[3][5] == (
        "2026年4月25日确定入党介绍人时，第2名入党介绍人（丙）正在留党察看期内，不能担任入党介绍人。"
    )
    assert rows[3][6] == "《中国共产党发展党员工作细则》第十四条；《中国共产党章程》第五条"
    assert exports() == [
        {
            "subject": f"org:{tree.committee.code}",
            "actor": viewers["ancestor"].pk,
            "detail": {
                "kind": "development_audit_xlsx",
                "rows": 2,
                "people": 2,
                "checked": 7,
                "filters": {"severity": "", "code": "", "branch": "", "source": "", "person": None},
            },
        }
    ]


def test_audit_xlsx_escapes_formulas(client, tree, worker):
    person = factories.person(tree.branch, name="=HYPERLINK(1)", status="applicant")
    factories.development(person, {"steps": {"application": {"date": "2026-10-01"}}})
    evil = factories.org(tree.college, "branch", "+SUM(A1)支部")
    other = factories.person(evil, name="@王", status="applicant")
    factories.development(other, {"steps": {"application": {"date": "2026-10-02"}}})
    client.force_login(factories.user_with_role("anc2", tree.committee))

    rows, _ = rows_of(client.get(url("audit_xlsx", tree.committee)))

    assert [r[:3] for r in rows[2:]] == [
        ["'=HYPERLINK(1)", "本科生第一党支部", "DEV-TALK-1M"],
        ["'@王", "'+SUM(A1)支部", "DEV-TALK-1M"],
    ]


def test_audit_xlsx_applies_the_filters(client, viewers, tree, pipeline):
    login(client, viewers, "ancestor")

    response = client.get(
        url("audit_xlsx", tree.committee), {"branch": tree.branch.pk, "code": "DEV-INTRODUCERS"}
    )

    rows, _ = rows_of(response)
    assert [r[0] for r in rows[2:]] == ["赵一"]
    assert exports()[0]["detail"]["filters"] == {
        "severity": "",
        "code": "DEV-INTRODUCERS",
        "branch": tree.branch.code,
        "source": "",
        "person": None,
    }


def test_audit_xlsx_outside_the_scope_writes_no_audit_row(client, viewers, tree, pipeline):
    login(client, viewers, "sibling")

    assert client.get(url("audit_xlsx", tree.branch)).status_code == 404
    assert exports() == []
