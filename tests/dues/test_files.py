"""Dues downloads: the collection sheet, the year summary and a member's ledger as .xlsx, and the
printable collection list as PDF. Exact cells read back with openpyxl; the permission matrix
for every URL; bad month/year parameters; formula escaping; the audit row of each download;
the PDF's text read back with pypdf, and the page a server without WeasyPrint's libraries shows.
"""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from dangwu.core.models import AuditAction, AuditEvent
from dangwu.core.scope import scope_for
from dangwu.dues import services
from dangwu.dues.files import pdf, workbooks
from dangwu.dues.files.common import XLSX_CONTENT_TYPE
from dangwu.orgs.models import Organization
from tests import factories
from tests.dues.conftest import NOV, run_months
from tests.members.test_views import assert_status, login

TODAY = dt.date(2026, 11, 22)
MATRIX = [
    ("anonymous", 302),
    ("no_role", 404),
    ("sibling", 404),
    ("own_org", 200),
    ("ancestor", 200),
]
ORG_FILES = ["dues:sheet_xlsx", "dues:summary_xlsx", "dues:sheet_pdf"]
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen(monkeypatch):
    """The views read ``today`` from the clock: pin it to 2026-11-22."""
    monkeypatch.setattr("dangwu.dues.views_files.today", lambda: TODAY)


@pytest.fixture
def year(tree, worker, member):
    """January to November assessed. 张三 (45.67) paid through August, with a note; 李梅
    (student, 0.20) paid everything; 王强 has no base."""
    li = factories.person(tree.branch, name="李梅", group=tree.group, sex="female")
    services.base_set(
        actor=worker,
        person=li,
        effective_month=dt.date(2026, 1, 1),
        category="student",
        today=TODAY,
    )
    factories.person(tree.branch, name="王强", group=tree.group)
    run_months(worker, tree.branch, dt.date(2026, 1, 1), NOV)
    services.payment_record(
        actor=worker,
        person=member,
        through_month=dt.date(2026, 8, 1),
        idempotency_key="z1",
        note="=SUM(A1:A9)",
        today=TODAY,
    )
    services.payment_record(actor=worker, person=li, idempotency_key="l1", today=TODAY)
    return li


def rows_of(response_or_bytes, sheet=None):
    data = response_or_bytes
    if not isinstance(data, bytes):
        data = b"".join(data.streaming_content)
    wb = load_workbook(io.BytesIO(data))
    ws = wb[sheet] if sheet else wb.worksheets[0]
    return [list(r) for r in ws.iter_rows(values_only=True)], wb


def exports():
    return list(AuditEvent.objects.filter(action=AuditAction.EXPORT).values("subject", "detail"))


# --- the collection sheet ----------------------------------------------------------------


def test_collection_sheet_xlsx_has_exact_cells_and_totals(client, tree, worker, year):
    client.force_login(worker)
    response = client.get(reverse("dues:sheet_xlsx", args=[tree.branch.pk]), {"month": "2026-11"})
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    assert "attachment" in response["Content-Disposition"]
    rows, _ = rows_of(response)
    assert [r[:2] for r in rows[:4]] == [
        ["党费收缴表", None],
        ["党组织", "本科生第一党支部"],
        ["月份", "2026年11月"],
        ["导出日期", dt.datetime(2026, 11, 22)],
    ]
    assert rows[5] == list(workbooks.SHEET_HEADERS)
    assert rows[6:] == [
        ["李梅", "第一党小组", "学生", 0.2, "已交", dt.datetime(2026, 11, 1), 0, 0],
        ["王强", "第一党小组", None, None, "未核定基数", None, 0, 0],
        ["张三", "第一党小组", "在职职工", 45.67, "未交", dt.datetime(2026, 8, 1), 2, 137.01],
        ["合计", "3人", None, 45.87, "已交1人，未交1人", None, None, 137.01],
    ]
    assert exports() == [
        {
            "subject": f"org:{tree.branch.code}",
            "detail": {"kind": "dues_collection_sheet", "month": "2026-11", "rows": 3},
        }
    ]


def test_collection_sheet_without_month_is_this_month(client, tree, worker, year):
    client.force_login(worker)
    rows, _ = rows_of(client.get(reverse("dues:sheet_xlsx", args=[tree.branch.pk])))
    assert rows[2][:2] == ["月份", "2026年11月"]


def test_collection_sheet_of_an_earlier_month(client, tree, worker, year):
    client.force_login(worker)
    response = client.get(reverse("dues:sheet_xlsx", args=[tree.branch.pk]), {"month": "2026-08"})
    rows, _ = rows_of(response)
    assert rows[8] == [
        "张三",
        "第一党小组",
        "在职职工",
        45.67,
        "已交",
        dt.datetime(2026, 8, 1),
        2,
        0,
    ]


def test_collection_sheet_for_a_group_leader(client, tree, year):
    leader = factories.user_with_role("leader", tree.group, kind="group_leader")
    client.force_login(leader)
    response = client.get(reverse("dues:sheet_xlsx", args=[tree.group.pk]), {"month": "2026-11"})
    rows, _ = rows_of(response)
    assert rows[1][:2] == ["党组织", "第一党小组"]
    assert [r[0] for r in rows[6:]] == ["李梅", "王强", "张三", "合计"]


def test_collection_sheet_escapes_formula_like_text(client, tree, worker, year):
    Organization.objects.filter(pk=tree.group.pk).update(name='=HYPERLINK("http://x")')
    client.force_login(worker)
    response = client.get(reverse("dues:sheet_xlsx", args=[tree.branch.pk]))
    rows, wb = rows_of(response)
    assert rows[6][1] == '\'=HYPERLINK("http://x")'
    assert wb.worksheets[0]["B7"].data_type == "s"


def test_collection_sheet_queries_do_not_grow_with_people(
    tree, worker, year, django_assert_max_num_queries
):
    for n in range(5):
        factories.person(tree.branch, name=f"赵{'一二三四五'[n]}")
    with django_assert_max_num_queries(8):
        count = workbooks.sheet_export(
            scope_for(worker),
            tree.branch.pk,
            month=NOV,
            today=TODAY,
            actor=worker,
            out=io.BytesIO(),
        )
    assert count == 8


# --- the year summary --------------------------------------------------------------------


def test_year_summary_xlsx_by_month_with_totals(client, tree, worker, year):
    services.remittance_record(
        actor=worker,
        organization=tree.branch,
        handed_on=TODAY,
        received_by="计算机学院党总支",
        idempotency_key="r1",
        today=TODAY,
    )
    client.force_login(worker)
    response = client.get(reverse("dues:summary_xlsx", args=[tree.branch.pk]), {"year": "2026"})
    assert response.status_code == 200
    rows, wb = rows_of(response, "按月汇总")
    assert [r[:2] for r in rows[:7]] == [
        ["党费收缴情况汇总", None],
        ["党组织", "本科生第一党支部"],
        ["年度", "2026年"],
        ["在册党员", 3],
        ["未交3个月及以上人数（含本月）", 1],
        ["本年已上缴", 367.56],
        ["待上缴", 0],
    ]
    assert rows[8] == list(workbooks.SUMMARY_HEADERS)
    jan, aug, sep, nov, dec = rows[9], rows[16], rows[17], rows[19], rows[20]
    assert jan == [dt.datetime(2026, 1, 1), 2, 45.87, 2, 45.87, 0, 1, 0, 0]
    assert aug == [dt.datetime(2026, 8, 1), 2, 45.87, 2, 45.87, 0, 1, 0, 0]
    assert sep == [dt.datetime(2026, 9, 1), 2, 45.87, 1, 0.2, 45.67, 0.004, 0, 0]
    assert nov == [dt.datetime(2026, 11, 1), 2, 45.87, 1, 0.2, 45.67, 0.004, 367.56, 0]
    assert dec == [dt.datetime(2026, 12, 1), 0, 0, 0, 0, 0, None, 0, 0]
    assert rows[21] == ["全年合计", None, 504.57, None, 367.56, 137.01, 0.728, 367.56, 0]
    assert len(rows) == 22
    remit = [list(r) for r in wb["上缴记录"].iter_rows(values_only=True)]
    assert remit == [
        list(workbooks.REMIT_HEADERS),
        [dt.datetime(2026, 11, 22), 367.56, 0, "计算机学院党总支", None],
        ["合计", 367.56, 0, None, None],
    ]
    kids = [list(r) for r in wb["下级组织"].iter_rows(values_only=True)]
    assert kids[1:] == [
        ["（无下级党组织）", None, None, None, None, None],
        ["合计", None, 0, 0, 0, None],
    ]
    assert exports()[-1]["detail"] == {"kind": "dues_year_summary", "year": 2026}


def test_year_summary_of_a_general_branch_lists_its_branches(client, tree, year, viewers):
    client.force_login(viewers["ancestor"])
    response = client.get(reverse("dues:summary_xlsx", args=[tree.college.pk]), {"year": "2026"})
    rows, wb = rows_of(response, "下级组织")
    assert rows == [
        list(workbooks.CHILD_HEADERS),
        ["本科生第一党支部", "党支部", 504.57, 367.56, 137.01, 0.728],
        ["教工党支部", "党支部", 0, 0, 0, None],
        ["合计", None, 504.57, 367.56, 137.01, 0.728],
    ]


def test_year_summary_without_year_is_this_year(client, tree, worker, year):
    client.force_login(worker)
    rows, _ = rows_of(client.get(reverse("dues:summary_xlsx", args=[tree.branch.pk])))
    assert rows[2][:2] == ["年度", "2026年"]


# --- a member's ledger -------------------------------------------------------------------


def test_person_ledger_xlsx(client, tree, worker, member, year):
    client.force_login(worker)
    response = client.get(reverse("dues:person_xlsx", args=[member.pk]))
    assert response.status_code == 200
    rows, wb = rows_of(response, "党费台账")
    assert [r[:2] for r in rows[:8]] == [
        ["党员党费台账", None],
        ["姓名", "张三"],
        ["所在党支部", "本科生第一党支部"],
        ["党费交至", dt.datetime(2026, 8, 1)],
        ["欠缴合计", 137.01],
        ["累计应缴", 502.37],
        ["累计实缴", 365.36],
        ["累计自愿多交", 0],
    ]
    assert rows[9] == list(workbooks.LEDGER_HEADERS)
    entries = rows[10:]
    assert len(entries) == 11 + 8
    assert entries[0] == [dt.datetime(2026, 1, 1), "应缴", 45.67, None, None, "worker", None]
    assert entries[1] == [
        dt.datetime(2026, 1, 1),
        "实缴",
        45.67,
        "现金",
        dt.datetime(2026, 11, 22),
        "worker",
        "'=SUM(A1:A9)",
    ]
    assert entries[-1][:3] == [dt.datetime(2026, 11, 1), "应缴", 45.67]
    bases = [list(r) for r in wb["缴费基数"].iter_rows(values_only=True)]
    assert bases[0] == list(workbooks.BASE_HEADERS)
    assert bases[1][:11] == [
        dt.datetime(2026, 1, 1),
        "在职职工",
        4567,
        None,
        0.01,
        45.67,
        45.67,
        None,
        None,
        None,
        "worker",
    ]
    assert exports()[-1] == {
        "subject": f"person:{member.pk}",
        "detail": {"kind": "dues_person_ledger", "rows": 19},
    }


def test_person_ledger_shows_a_reversal(client, tree, worker, member, year):
    from dangwu.dues.models import EntryKind, LedgerEntry

    payment = LedgerEntry.objects.filter(person=member, kind=EntryKind.PAYMENT).first()
    services.entry_reverse(actor=worker, entry=payment, reason="录入错误", today=TODAY)
    client.force_login(worker)
    rows, _ = rows_of(client.get(reverse("dues:person_xlsx", args=[member.pk])), "党费台账")
    assert rows[12][:3] == [dt.datetime(2026, 1, 1), "实缴（冲销）", -45.67]


def test_a_member_downloads_their_own_ledger(client, tree, member, year):
    own = factories.user_with_role("self", None, person=member)
    client.force_login(own)
    assert client.get(reverse("dues:person_xlsx", args=[member.pk])).status_code == 200
    li = factories.user_with_role("li", None, person=year)
    client.force_login(li)
    assert client.get(reverse("dues:person_xlsx", args=[member.pk])).status_code == 404


# --- permissions and parameters ------------------------------------------------------------


@pytest.mark.parametrize("name", ORG_FILES)
@pytest.mark.parametrize(("who", "expected"), MATRIX)
def test_org_files_permission_matrix(client, viewers, tree, member, name, who, expected):
    response = login(client, viewers, who).get(reverse(name, args=[tree.branch.pk]))
    assert_status(response, expected)
    if expected != 200:
        assert exports() == []


@pytest.mark.parametrize(("who", "expected"), MATRIX)
def test_person_file_permission_matrix(client, viewers, member, who, expected):
    response = login(client, viewers, who).get(reverse("dues:person_xlsx", args=[member.pk]))
    assert_status(response, expected)


@pytest.mark.parametrize("name", ORG_FILES)
def test_org_files_of_a_missing_organization_are_404(client, worker, name):
    client.force_login(worker)
    assert client.get(reverse(name, args=[999_999])).status_code == 404


@pytest.mark.parametrize(
    ("name", "params", "message"),
    [
        (
            "dues:sheet_xlsx",
            {"month": "2026-13"},
            "月份格式应为“年-月”，如2026-11，收到：2026-13。",
        ),
        ("dues:sheet_pdf", {"month": "十一月"}, "月份格式应为“年-月”，如2026-11，收到：十一月。"),
        ("dues:sheet_xlsx", {"month": "1999-01"}, "月份应在2000年至2027年之间，收到：1999-01。"),
        ("dues:summary_xlsx", {"year": "20x6"}, "年份应为2000至2027之间的四位数字，收到：20x6。"),
        ("dues:summary_xlsx", {"year": "2099"}, "年份应为2000至2027之间的四位数字，收到：2099。"),
    ],
)
def test_a_bad_month_or_year_is_a_chinese_400_page(client, tree, worker, name, params, message):
    client.force_login(worker)
    response = client.get(reverse(name, args=[tree.branch.pk]), params)
    assert response.status_code == 400
    assert response.context["message"] == message
    assert message in response.content.decode()
    assert exports() == []


@pytest.mark.parametrize("name", ORG_FILES)
def test_a_bad_parameter_outside_scope_is_404_not_400(client, tree, viewers, name):
    client.force_login(viewers["sibling"])
    response = client.get(reverse(name, args=[tree.branch.pk]), {"month": "x", "year": "x"})
    assert response.status_code == 404


# --- the PDF -----------------------------------------------------------------------------


def test_collection_list_pdf_holds_the_members(client, tree, worker, year):
    client.force_login(worker)
    response = client.get(reverse("dues:sheet_pdf", args=[tree.branch.pk]), {"month": "2026-11"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline;")
    assert response.content.startswith(b"%PDF-")
    pages = PdfReader(io.BytesIO(response.content)).pages
    text = "".join("".join(page.extract_text().split()) for page in pages)  # no layout spaces
    for expected in ("党费收缴登记表", "本科生第一党支部", "2026年11月", "张三", "李梅", "王强"):
        assert expected in text
    # 序号 姓名 党小组 本月应交 往月欠交 应交合计 (then the blank 实交 and 签名) 备注
    assert "1李梅第一党小组0.20本月已交" in text
    assert "2王强第一党小组未核定基数" in text
    assert "3张三第一党小组45.6791.34137.01" in text
    assert "合计3人45.87137.01本月已交1人" in text
    assert "收款人：日期：" in text
    assert exports() == [
        {
            "subject": f"org:{tree.branch.code}",
            "detail": {"kind": "dues_collection_list_pdf", "month": "2026-11", "rows": 3},
        }
    ]


def test_pdf_without_the_system_libraries_says_what_to_install(client, tree, worker, monkeypatch):
    def missing():
        raise OSError("cannot load library 'libpango-1.0-0': libpango-1.0-0: cannot open")

    monkeypatch.setattr(pdf, "_import_weasyprint", missing)
    client.force_login(worker)
    response = client.get(reverse("dues:sheet_pdf", args=[tree.branch.pk]))
    assert response.status_code == 503
    page = response.content.decode()
    assert "服务器缺少生成PDF所需的系统组件" in page
    assert (
        "sudo apt-get install libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk"
        in page
    )
    for package in pdf.SYSTEM_PACKAGES:
        assert f"<code>{package}</code>" in page
    assert exports() == []


def test_pdf_without_the_python_package_says_so(client, tree, worker, monkeypatch):
    def missing():
        raise ImportError("No module named 'weasyprint'")

    monkeypatch.setattr(pdf, "_import_weasyprint", missing)
    client.force_login(worker)
    response = client.get(reverse("dues:sheet_pdf", args=[tree.branch.pk]))
    assert response.status_code == 503
    assert "pip install weasyprint" in response.content.decode()


def test_pdf_outside_scope_is_404_even_without_the_libraries(client, tree, viewers, monkeypatch):
    monkeypatch.setattr(pdf, "_import_weasyprint", lambda: (_ for _ in ()).throw(OSError("x")))
    client.force_login(viewers["sibling"])
    assert client.get(reverse("dues:sheet_pdf", args=[tree.branch.pk])).status_code == 404


def test_pdf_refuses_a_list_too_long_to_sign(client, tree, worker, member, monkeypatch):
    monkeypatch.setattr(pdf, "MAX_ROWS", 0)
    client.force_login(worker)
    response = client.get(reverse("dues:sheet_pdf", args=[tree.branch.pk]))
    assert response.status_code == 400
    assert response.context["message"] == (
        "该组织共有1名党员，超过一份登记表0人的上限，请按党支部或党小组分别打印。"
    )


def test_money_cells_are_decimal_exact(tree, worker, year):
    out = io.BytesIO()
    workbooks.sheet_export(
        scope_for(worker), tree.branch.pk, month=NOV, today=TODAY, actor=worker, out=out
    )
    rows, _ = rows_of(out.getvalue())
    assert Decimal(str(rows[-1][3])) == Decimal("45.87")
