"""The bulk base update: files that are not what they should be (each with its own Chinese
message on the upload field), and the pages: permission matrix, the result, the full error report.
"""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from dangwu.core.errors import InvalidInput, NotFound
from dangwu.dues.files.bases_import import base_import
from tests import factories
from tests.dues import test_files_bases
from tests.dues.test_files_bases import HEADERS, TODAY, row, run, xlsx
from tests.members.test_views import assert_status, login

EDIT_MATRIX = [
    ("anonymous", 302),
    ("no_role", 404),
    ("sibling", 404),
    ("own_org", 200),
    ("ancestor", 200),
]
pytestmark = pytest.mark.django_db
people = test_files_bases.people  # the fixture: 张三 (with a base), 李梅 and 王强


@pytest.fixture(autouse=True)
def frozen(monkeypatch):
    monkeypatch.setattr("dangwu.dues.views_files.today", lambda: TODAY)


# --- files that are not what they should be ------------------------------------------------


def _refused(worker, org, upload):
    with pytest.raises(InvalidInput) as info:
        base_import(actor=worker, org_id=org.pk, file=upload, today=TODAY)
    assert info.value.fields == {"file": [info.value.message]}
    return info.value.message


def _zip_with(name, data=b"x"):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(name, data)
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("a.xlsx", b"", "上传的文件是空的（0字节），请选择填写好的缴费基数文件。"),
        (
            "a.csv",
            "人员编号,姓名\n1,张三\n".encode(),
            "不支持CSV或文本文件。请在Excel或WPS中打开后“另存为”Excel工作簿（.xlsx），或使用下载的模板。",
        ),
        (
            "a.xls",
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100,
            "这是旧版Excel（.xls）文件或设有密码的工作簿，无法导入。请在Excel或WPS中“另存为”Excel工作簿（.xlsx，不设密码）后再导入。",
        ),
        (
            "a.xlsx",
            b"PK\x03\x04broken",
            "文件已损坏（不是完整的.xlsx文件），无法打开，请重新保存后再导入。",
        ),
        (
            "a.xlsx",
            _zip_with("hello.txt"),
            "文件不是有效的Excel工作簿（.xlsx），可能已损坏或是其他格式的文件改了扩展名。",
        ),
        (
            "a.xlsx",
            b"%PDF-1.7",
            "文件内容不是Excel工作簿（.xlsx），可能是其他格式的文件改了扩展名。",
        ),
    ],
)
def test_a_file_that_is_not_a_workbook(tree, worker, people, name, content, message):
    assert _refused(worker, tree.branch, SimpleUploadedFile(name, content)) == message


def test_an_empty_sheet_header_only_and_wrong_headers(tree, worker, people):
    wb = Workbook()
    out = io.BytesIO()
    wb.save(out)
    empty = SimpleUploadedFile("e.xlsx", out.getvalue())
    assert _refused(worker, tree.branch, empty) == (
        "工作表是空的：第一行应为表头（人员编号、姓名、缴纳类别等），下面每行一人。"
    )
    assert _refused(worker, tree.branch, xlsx([])) == "文件只有表头，没有数据行。"
    assert _refused(worker, tree.branch, xlsx([{"姓名": "张三"}], headers=["姓名", "金额"])) == (
        "未找到表头：应有一行列名（人员编号、姓名、缴纳类别、生效月份……），请使用下载的模板。"
    )
    assert _refused(worker, tree.branch, xlsx([], headers=[*HEADERS, "工号"])) == (
        "表头中有无法识别的列：“工号”。请使用下载的模板中的列名。"
    )
    assert _refused(worker, tree.branch, xlsx([], headers=["人员编号", "姓名", "缴纳类别"])) == (
        "缺少必填的列：生效月份。请使用本组织下载的模板。"
    )


def test_a_file_over_the_size_limit_or_a_zip_bomb(tree, worker, people, settings):
    settings.DANGWU = {**settings.DANGWU, "IMPORT_MAX_BYTES": 1 << 20}
    big = SimpleUploadedFile("big.xlsx", b"PK" + b"x" * (2 << 20))
    assert _refused(worker, tree.branch, big) == (
        "文件大小为2.0 MB，超过每次导入1 MB的上限，请拆分为多个文件后分别导入。"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/sharedStrings.xml", b"0" * (30 << 20))
    bomb = SimpleUploadedFile("bomb.xlsx", out.getvalue())
    assert _refused(worker, tree.branch, bomb) == (
        "文件解压后的内容过大（约30 MB），不像是正常的缴费基数文件；"
        "请检查文件，或拆分为多个文件后分别导入。"
    )


def test_too_many_rows(tree, worker, people, settings):
    settings.DANGWU = {**settings.DANGWU, "IMPORT_MAX_ROWS": 1}
    rows = [row(p, 缴纳类别="学生", 生效月份="2027-01") for p in people.values()]
    assert _refused(worker, tree.branch, xlsx(rows)) == (
        "文件超过每次导入1行的上限，请拆分为多个文件后分别导入。未导入任何数据。"
    )


def test_import_needs_edit_on_the_organization(tree, people):
    leader = factories.user_with_role("leader", tree.group, kind="group_leader")
    with pytest.raises(NotFound):
        run(leader, tree.group, [row(people["李梅"], 缴纳类别="学生", 生效月份="2027-01")])


# --- the pages ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["dues:base_import", "dues:base_template"])
@pytest.mark.parametrize(("who", "expected"), EDIT_MATRIX)
def test_base_pages_permission_matrix(client, viewers, tree, name, who, expected):
    response = login(client, viewers, who).get(reverse(name, args=[tree.branch.pk]))
    assert_status(response, expected)


@pytest.mark.parametrize("name", ["dues:base_import", "dues:base_template"])
def test_base_pages_are_404_for_a_group_leader(client, tree, name):
    client.force_login(factories.user_with_role("leader", tree.group, kind="group_leader"))
    assert client.get(reverse(name, args=[tree.group.pk])).status_code == 404


def test_upload_page_imports_a_good_file(client, tree, worker, people):
    client.force_login(worker)
    upload = xlsx([row(people["王强"], 缴纳类别="在职职工", 缴费基数="12000", 生效月份="2027-01")])
    response = client.post(reverse("dues:base_import", args=[tree.branch.pk]), {"file": upload})
    assert response.status_code == 200
    page = response.content.decode()
    assert "导入成功" in page
    assert "240.00" in page
    assert response.context["report"].written == 1


def test_upload_page_lists_bad_rows_and_offers_the_full_report(
    client, tree, worker, people, settings, tmp_path
):
    settings.VAR_DIR = tmp_path
    client.force_login(worker)
    upload = xlsx([row(people["王强"], 缴纳类别="工人", 生效月份="2027-01")])
    url = reverse("dues:base_import", args=[tree.branch.pk])
    response = client.post(url, {"file": upload})
    page = response.content.decode()
    assert "未导入任何数据" in page
    assert "“工人”不是有效的缴纳类别" in page
    download = client.get(url, {"report": response.context["report_name"]})
    assert download.status_code == 200
    wb = load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    assert list(wb.active.iter_rows(values_only=True))[1][:3] == (2, "缴纳类别", "工人")
    assert client.get(url, {"report": "someone-else.xlsx"}).status_code == 404


def test_upload_page_shows_a_file_problem_beside_the_field(client, tree, worker, people):
    client.force_login(worker)
    url = reverse("dues:base_import", args=[tree.branch.pk])
    response = client.post(url, {"file": SimpleUploadedFile("a.xlsx", b"")})
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "file": ["上传的文件是空的（0字节），请选择填写好的缴费基数文件。"]
    }
