"""The bulk base update: the prefilled template, the all-or-nothing import with its row report,
the same file twice, and a service refusing a row during the write. Files that are not what they
should be, and the pages: tests/dues/test_files_bases_pages.py."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from dangwu.core.errors import DomainError, NotFound
from dangwu.core.models import AuditAction, AuditEvent
from dangwu.core.scope import scope_for
from dangwu.dues import services
from dangwu.dues.files.bases_import import base_import
from dangwu.dues.files.bases_template import COLUMNS, base_template, parse_effective_month
from dangwu.dues.models import DuesBase
from dangwu.members.models import Person
from tests import factories
from tests.dues.conftest import run_months

TODAY = dt.date(2026, 11, 22)
HEADERS = [c.header for c in COLUMNS]
EDIT_MATRIX = [
    ("anonymous", 302),
    ("no_role", 404),
    ("sibling", 404),
    ("own_org", 200),
    ("ancestor", 200),
]
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen(monkeypatch):
    monkeypatch.setattr("dangwu.dues.views_files.today", lambda: TODAY)


@pytest.fixture
def people(tree, member):
    """张三 (base from January 2026), 李梅 and 王强 without a base, all in the branch."""
    li = factories.person(tree.branch, name="李梅", group=tree.group, sex="female")
    wang = factories.person(tree.branch, name="王强")
    return {"张三": member, "李梅": li, "王强": wang}


def xlsx(rows, headers=HEADERS, name="基数.xlsx"):
    """An upload: the header row, then one row per dict (header → value)."""
    wb = Workbook()
    ws = wb.active
    ws.append(headers)
    for row in rows:
        ws.append([row.get(h) for h in headers])
    out = io.BytesIO()
    wb.save(out)
    return SimpleUploadedFile(name, out.getvalue())


def row(person, **cells):
    return {"人员编号": person.pk, "姓名": person.name, **cells}


def run(actor, org, rows, **kwargs):
    return base_import(actor=actor, org_id=org.pk, file=xlsx(rows, **kwargs), today=TODAY)


def errors(report):
    return [(e.row, e.column, e.value, e.reason) for e in report.errors]


def bases():
    return sorted(
        DuesBase.objects.values_list("person__name", "effective_month", "category", "amount")
    )


def template_bytes(actor, org):
    out = io.BytesIO()
    base_template(scope_for(actor), org.pk, today=TODAY, actor=actor, out=out)
    return out.getvalue()


# --- the template -------------------------------------------------------------------------


def test_template_is_prefilled_with_members_and_their_latest_base(tree, worker, people):
    data = template_bytes(worker, tree.branch)
    wb = load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["缴费基数", "填写说明"]
    ws = wb["缴费基数"]
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    assert rows[0] == HEADERS
    assert rows[1:] == [
        [people["李梅"].pk, "李梅", "本科生第一党支部", "第一党小组", "未核定"] + [None] * 6,
        [people["王强"].pk, "王强", "本科生第一党支部", None, "未核定"] + [None] * 6,
        [people["张三"].pk, "张三", "本科生第一党支部", "第一党小组", 45.67, "在职职工", 4567]
        + [None, "2026-01", None, None],
    ]
    assert ws.protection.sheet is True
    assert ws["A2"].protection.locked is True
    assert ws["F2"].protection.locked is False
    (validation,) = ws.data_validations.dataValidation
    assert str(validation.sqref) == "F2:F4"
    assert validation.formula1 == (
        '"在职职工,年薪制人员,无固定工资收入人员,离退休人员,农民,学生,下岗失业人员,'
        '依靠救济或低保生活人员"'
    )
    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert event.detail == {"kind": "dues_base_template", "rows": 3}


def test_template_escapes_formula_like_evidence(tree, worker, people):
    services.base_set(
        actor=worker,
        person=people["李梅"],
        effective_month=dt.date(2027, 1, 1),
        category="student",
        evidence="=1+1",
        today=TODAY,
    )
    ws = load_workbook(io.BytesIO(template_bytes(worker, tree.branch)))["缴费基数"]
    assert ws["J2"].value == "'=1+1"


def test_template_needs_edit_on_the_organization(tree, people):
    leader = factories.user_with_role("leader", tree.group, kind="group_leader")
    with pytest.raises(NotFound):
        template_bytes(leader, tree.group)


def test_the_downloaded_template_imports_as_unchanged(tree, worker, people):
    upload = SimpleUploadedFile("t.xlsx", template_bytes(worker, tree.branch))
    report = base_import(actor=worker, org_id=tree.branch.pk, file=upload, today=TODAY)
    assert (report.ok, report.rows, report.written, report.unchanged, report.skipped) == (
        True,
        3,
        0,
        1,
        2,
    )


# --- a good file --------------------------------------------------------------------------


def test_good_file_sets_every_base_in_one_go(tree, worker, people):
    report = run(
        worker,
        tree.branch,
        [
            row(people["李梅"], 缴纳类别="学生", 生效月份="2027-01"),
            row(
                people["王强"],
                缴纳类别="在职职工",
                缴费基数=12000,
                生效月份="2027年1月",
                依据="工资单",
            ),
            row(
                people["张三"],
                缴纳类别="在职职工",
                缴费基数="5,000.00",
                生效月份=dt.datetime(2027, 1, 1),
            ),
        ],
    )
    assert (report.ok, report.rows, report.written, report.unchanged) == (True, 3, 3, 0)
    assert report.monthly_total == Decimal("290.20")
    assert bases() == [
        ("张三", dt.date(2026, 1, 1), "employee", Decimal("45.67")),
        ("张三", dt.date(2027, 1, 1), "employee", Decimal("50.00")),
        ("李梅", dt.date(2027, 1, 1), "student", Decimal("0.20")),
        ("王强", dt.date(2027, 1, 1), "employee", Decimal("240.00")),
    ]
    assert DuesBase.objects.get(person=people["王强"]).evidence == "工资单"
    event = AuditEvent.objects.get(action=AuditAction.IMPORT)
    assert event.detail["written"] == 3
    assert event.detail["monthly_total"] == "290.20"


def test_the_same_file_twice_writes_nothing_the_second_time(tree, worker, people):
    rows = [
        row(people["李梅"], 缴纳类别="农民", 农民党员固定金额="0.50", 生效月份="2027-01"),
        row(people["王强"], 缴纳类别="离退休人员", 缴费基数="6000", 生效月份="2027-01"),
    ]
    first = run(worker, tree.branch, rows)
    before = bases()
    second = run(worker, tree.branch, rows)
    assert (first.written, first.unchanged, first.monthly_total) == (2, 0, Decimal("60.50"))
    assert (second.ok, second.written, second.unchanged, second.monthly_total) == (
        True,
        0,
        2,
        Decimal("0.00"),
    )
    assert bases() == before


def test_a_change_inside_the_year_needs_a_reason(tree, worker, people):
    cells = {"缴纳类别": "在职职工", "缴费基数": "6000", "生效月份": "2026-07"}
    refused = run(worker, tree.branch, [row(people["张三"], **cells)])
    assert errors(refused) == [
        (
            2,
            "年内调整原因",
            "",
            "按本单位规定，党费缴纳基数每年1月核定一次，年内不作调整；本次基数变更自2026年7月起生效，"
            "应自2027年1月起执行。如确需年内调整，请在“年内调整原因”列写明原因。",
        )
    ]
    accepted = run(
        worker, tree.branch, [row(people["张三"], **cells, 年内调整原因="7月起工资调整")]
    )
    assert (accepted.ok, accepted.written) == (True, 1)
    assert DuesBase.objects.get(effective_month=dt.date(2026, 7, 1)).evidence == (
        "（年内调整：7月起工资调整）"
    )


# --- all or nothing -----------------------------------------------------------------------


def test_one_bad_row_among_good_ones_writes_nothing(tree, worker, people):
    before = bases()
    report = run(
        worker,
        tree.branch,
        [
            row(people["李梅"], 缴纳类别="学生", 生效月份="2027-01"),
            row(people["王强"], 缴纳类别="在职职工", 缴费基数="-1", 生效月份="2027-01"),
            row(people["张三"], 缴纳类别="在职职工", 缴费基数="5000", 生效月份="2027-01"),
        ],
    )
    assert (report.ok, report.rows, report.written) == (False, 3, 0)
    assert errors(report) == [(3, "缴费基数", "-1", "缴费基数不能为负数：-1。")]
    assert bases() == before
    assert not AuditEvent.objects.filter(action=AuditAction.IMPORT).exists()


def test_every_bad_row_is_reported_with_column_value_and_reason(tree, worker, people):
    outsider = factories.person(tree.sibling, name="赵六")
    applicant = factories.person(tree.branch, name="钱七", status="applicant")
    run_months(worker, tree.branch, dt.date(2026, 1, 1), dt.date(2026, 1, 1))
    li, wang, zhang = people["李梅"], people["王强"], people["张三"]
    report = run(
        worker,
        tree.branch,
        [
            row(outsider, 缴纳类别="学生", 生效月份="2027-01"),
            {"人员编号": "abc", "姓名": "某某", "缴纳类别": "学生", "生效月份": "2027-01"},
            row(li, 姓名="李美", 缴纳类别="学生", 生效月份="2027-01"),
            row(wang, 缴纳类别="工人", 生效月份="2027-01"),
            row(wang, 缴纳类别="学生", 生效月份="2027-01"),
            row(applicant, 缴纳类别="学生", 生效月份="2027-01"),
            row(zhang, 缴纳类别="在职职工", 缴费基数="5000", 生效月份="2026-01"),
        ],
    )
    assert errors(report) == [
        (
            2,
            "人员编号",
            str(outsider.pk),
            f"人员编号{outsider.pk}不是“本科生第一党支部”的人员或不存在，请使用本组织下载的模板。",
        ),
        (3, "人员编号", "abc", "人员编号应为数字，请勿改动该列。"),
        (
            4,
            "姓名",
            "李美",
            f"人员编号{li.pk}对应的是“李梅”，与本行姓名不一致；请勿改动人员编号和姓名两列。",
        ),
        (
            5,
            "缴纳类别",
            "工人",
            "“工人”不是有效的缴纳类别，可填：在职职工、年薪制人员、无固定工资收入人员、"
            "离退休人员、农民、学生、下岗失业人员、依靠救济或低保生活人员。",
        ),
        (6, "人员编号", str(wang.pk), "与第5行是同一人员，每人只能填写一行。"),
        (7, "人员编号", str(applicant.pk), "钱七不是在册党员，无需核定党费缴纳基数。"),
        (
            8,
            "生效月份",
            "2026-01",
            "2026年1月起的缴费基数已用于计算应缴党费，不能直接修改；请从下一个月起核定新的基数。",
        ),
    ]
    assert report.errors.bad_rows == 7


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        (
            {"缴纳类别": "在职职工", "生效月份": "2027-01"},
            ("缴费基数", "", "在职职工须提供缴费基数。"),
        ),
        (
            {"缴纳类别": "在职职工", "缴费基数": "4567.891", "生效月份": "2027-01"},
            ("缴费基数", "4567.891", "缴费基数最多保留两位小数（精确到分）：4567.891。"),
        ),
        (
            {"缴纳类别": "农民", "农民党员固定金额": "1.50", "生效月份": "2027-01"},
            (
                "农民党员固定金额",
                "1.50",
                "农民党员每月交纳党费0.20元至1.00元，1.50元超出了这一范围。",
            ),
        ),
        (
            {"缴纳类别": "学生", "农民党员固定金额": "0.50", "生效月份": "2027-01"},
            (
                "农民党员固定金额",
                "0.50",
                "学生的党费不是固定金额，只有农民党员由党支部确定固定金额。",
            ),
        ),
        ({"缴纳类别": "学生"}, ("生效月份", "", "请填写生效月份，如2027-01。")),
        (
            {"缴纳类别": "学生", "生效月份": "2027-13"},
            ("生效月份", "2027-13", "生效月份“2027-13”不存在：月份应为1至12。"),
        ),
        (
            {"缴纳类别": "学生", "生效月份": "2027-01-15"},
            ("生效月份", "2027-01-15", "生效月份只填年月（如2027-01），不要填具体日期。"),
        ),
        (
            {"缴纳类别": "学生", "生效月份": "2027年1月15日"},
            ("生效月份", "2027年1月15日", "生效月份只填年月（如2027-01），不要填具体日期。"),
        ),
        (
            {"缴纳类别": "学生", "生效月份": dt.datetime(2027, 1, 15)},
            ("生效月份", "2027-01-15", "生效月份只填年月（如2027-01），不要填具体日期。"),
        ),
        (
            {"缴纳类别": "学生", "生效月份": "明年"},
            ("生效月份", "明年", "生效月份格式不正确，请填写年月，如2027-01。"),
        ),
        (
            {"缴纳类别": "学生", "生效月份": "2028-01"},
            ("生效月份", "2028-01", "生效月份最多为下一年（2027年）。"),
        ),
        ({"生效月份": "2027-01"}, ("缴纳类别", "", "请填写缴纳类别。")),
        (
            {"缴纳类别": "学生", "生效月份": "2027-01", "依据": "很" * 201},
            ("依据", "很" * 201, "依据不能超过200个字。"),
        ),
    ],
)
def test_a_bad_cell(tree, worker, people, cells, expected):
    report = run(worker, tree.branch, [row(people["王强"], **cells)])
    assert errors(report) == [(2, *expected)]
    assert DuesBase.objects.filter(person=people["王强"]).count() == 0


def test_the_check_pass_reads_the_database_a_chunk_at_a_time(
    tree, worker, people, django_assert_max_num_queries
):
    for n in range(20):
        factories.person(tree.branch, name=f"赵{n}", birth_date=dt.date(1980, 1, 1 + n))
    members = list(people.values()) + list(Person.objects.filter(name__startswith="赵"))
    rows = [row(p, 缴纳类别="工人", 生效月份="2027-01") for p in members]
    upload = xlsx(rows)
    with django_assert_max_num_queries(3):  # people, their bases, bases used by the ledger
        report = base_import(actor=worker, org_id=tree.branch.pk, file=upload, today=TODAY)
    assert report.errors.bad_rows == 23


def test_a_row_without_any_editable_cell_is_skipped(tree, worker, people):
    report = run(
        worker,
        tree.branch,
        [row(people["王强"]), row(people["李梅"], 缴纳类别="学生", 生效月份="2027-01")],
    )
    assert (report.ok, report.rows, report.skipped, report.written) == (True, 2, 1, 1)


def test_a_person_of_the_organization_outside_a_group_import(tree, worker, people):
    """Importing for a party group: people of the branch outside the group are row errors."""
    report = run(worker, tree.group, [row(people["王强"], 缴纳类别="学生", 生效月份="2027-01")])
    assert errors(report)[0][3] == (
        f"人员编号{people['王强'].pk}不是“第一党小组”的人员或不存在，请使用本组织下载的模板。"
    )


def test_a_service_refusing_a_row_during_the_write_rolls_everything_back(
    tree, worker, people, monkeypatch
):
    original = services.base_set
    calls = []

    def flaky(**kwargs):
        calls.append(kwargs["person"].pk)
        if len(calls) == 2:
            raise DomainError("该党员刚被他人转出。", fields={"person": ["已转出"]})
        return original(**kwargs)

    monkeypatch.setattr(services, "base_set", flaky)
    before = bases()
    report = run(
        worker,
        tree.branch,
        [
            row(people["李梅"], 缴纳类别="学生", 生效月份="2027-01"),
            row(people["王强"], 缴纳类别="学生", 生效月份="2027-01"),
        ],
    )
    assert (report.ok, report.written, report.monthly_total) == (False, 0, Decimal("0.00"))
    assert errors(report) == [
        (
            3,
            "人员编号",
            str(people["王强"].pk),
            "该党员刚被他人转出。（写入时发生，已全部撤销，未导入任何数据）",
        )
    ]
    assert bases() == before
    assert not AuditEvent.objects.filter(action=AuditAction.IMPORT).exists()


@pytest.mark.parametrize(
    ("value", "month"),
    [
        ("2027-01", dt.date(2027, 1, 1)),
        ("2027/1", dt.date(2027, 1, 1)),
        ("2027.12", dt.date(2027, 12, 1)),
        ("2027年3月", dt.date(2027, 3, 1)),
        ("202703", dt.date(2027, 3, 1)),
        ("２０２７－０３", dt.date(2027, 3, 1)),
        ("2027-03-01", dt.date(2027, 3, 1)),
        ("2027年3月1日", dt.date(2027, 3, 1)),
        (dt.datetime(2027, 3, 1), dt.date(2027, 3, 1)),
    ],
)
def test_effective_month_spellings(value, month):
    assert parse_effective_month(value) == month
