"""The roster in Excel: template, all-or-nothing import, export (dangwu/members/roster.py).

Files are built in memory with openpyxl; ``today`` is the conftest's 2026-11-22.
"""

import datetime as dt
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from dangwu.core.errors import InvalidInput, NotFound
from dangwu.core.idcard import check_char
from dangwu.core.models import AuditAction, AuditEvent
from dangwu.core.scope import scope_for
from dangwu.members import roster
from dangwu.members.models import Membership, Person, StatusChange
from dangwu.members.roster import COLUMNS, ErrorLog, RowError, escape_cell, parse_date
from tests import factories

D = dt.date
HEADERS = [c.header for c in COLUMNS]


# --- helpers ------------------------------------------------------------------------------


def xlsx(rows, headers=HEADERS, name="名册.xlsx", title=None):
    """An uploaded .xlsx: the header row, then one row per dict (header → value)."""
    wb = Workbook()
    ws = wb.active
    if title:
        ws.append([title])
    ws.append(headers)
    for row in rows:
        ws.append([row.get(h) for h in headers])
    out = io.BytesIO()
    wb.save(out)
    return SimpleUploadedFile(name, out.getvalue())


def good_row(tree, n=1, **changes):
    """A valid full member of ``tree.branch`` in ``tree.group``; ``changes`` by header."""
    birth = D(2000, 3, n)
    row = {
        "姓名": f"王小明{'甲乙丙丁戊己庚辛壬癸'[n % 10]}",
        "性别": "男",
        "民族": "汉族",
        "出生日期": birth,
        "公民身份号码": factories.id_number_for(birth, "male", serial=n),
        "联系电话": "13800138000",
        "学历": "大学本科",
        "工作岗位": "学生",
        "党费缴纳类别": "学生",
        "工作单位或班级": "计算机2018级1班",
        "共青团员(是/否)": "是",
        "政治面貌": "正式党员",
        "申请入党日期": D(2018, 10, 8),
        "入党日期": D(2020, 6, 8),
        "转正日期": D(2021, 6, 10),
        "所在党支部编码": tree.branch.code,
        "党小组编码": tree.group.code,
        "加入本支部日期": D(2020, 6, 8),
    }
    row.update(changes)
    return row


@pytest.fixture
def worker(tree):
    """A party worker (view, edit, approve, view_id) on ``tree.branch`` only."""
    return factories.user_with_role("worker", tree.branch)


def run(actor, rows, today, **kwargs):
    return roster.roster_import(actor=actor, file=xlsx(rows, **kwargs), today=today)


def exported(scope, actor, org=None):
    out = io.BytesIO()
    roster.roster_export(scope, actor=actor, out=out, org=org)
    out.seek(0)
    ws = load_workbook(out)[roster.DATA_SHEET]
    rows = list(ws.iter_rows(values_only=True))
    return ws, [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]


# --- a good file --------------------------------------------------------------------------


def test_good_file_imports_every_row_with_status_relationship_and_history(tree, worker, today):
    # given three people: a full member in a group, a probationary member, an applicant
    rows = [
        good_row(tree, 1, 姓名="曾国藩"),
        good_row(tree, 2, 政治面貌="预备党员", 转正日期=None, 党小组编码=None, 加入本支部日期=None),
        good_row(
            tree,
            3,
            政治面貌="入党申请人",
            入党日期=None,
            转正日期=None,
            申请入党日期="2026/3/1",
            出生日期=None,
            性别=None,
            民族="蒙古",
        ),
    ]
    # when
    report = run(worker, rows, today)
    # then
    assert (report.ok, report.rows, report.created, report.unchanged) == (True, 3, 3, 0)
    zeng = Person.objects.get(name="曾国藩")
    assert zeng.id_number == rows[0]["公民身份号码"]
    assert (zeng.pinyin, zeng.initials) == ("zengguofan", "zgf")
    assert zeng.sort_key.startswith("zeng00guo000fan000")
    assert (zeng.sex, zeng.ethnicity, zeng.birth_date) == ("male", "01", D(2000, 3, 1))
    assert (zeng.phone, zeng.education, zeng.occupation) == ("13800138000", "bachelor", "student")
    assert (zeng.dues_category, zeng.work_unit, zeng.league_member) == (
        "student",
        "计算机2018级1班",
        True,
    )
    assert (zeng.status, zeng.status_since) == ("full", D(2021, 6, 10))
    assert (zeng.applied_on, zeng.admission_date, zeng.full_since) == (
        D(2018, 10, 8),
        D(2020, 6, 8),
        D(2021, 6, 10),
    )
    assert (zeng.branch, zeng.group, zeng.is_active) == (tree.branch, tree.group, True)
    probationary = Person.objects.get(id_number=rows[1]["公民身份号码"])
    assert (probationary.status, probationary.status_since, probationary.group) == (
        "probationary",
        D(2020, 6, 8),
        None,
    )
    applicant = Person.objects.get(id_number=rows[2]["公民身份号码"])
    # sex and birth date come from the ID number; the status starts on the application date
    assert (applicant.sex, applicant.birth_date, applicant.ethnicity) == (
        "male",
        D(2000, 3, 3),
        "02",
    )
    assert (applicant.status, applicant.status_since, applicant.applied_on) == (
        "applicant",
        D(2026, 3, 1),
        D(2026, 3, 1),
    )
    memberships = {m.person_id: m for m in Membership.objects.all()}
    assert len(memberships) == 3
    assert (memberships[zeng.pk].branch, memberships[zeng.pk].group) == (tree.branch, tree.group)
    assert (memberships[zeng.pk].started_on, memberships[zeng.pk].ended_on) == (D(2020, 6, 8), None)
    assert memberships[probationary.pk].started_on == D(2020, 6, 8)  # from the status date
    assert memberships[zeng.pk].note == "名册导入"
    statuses = list(
        StatusChange.objects.filter(person=zeng).values_list(
            "status", "effective_on", "reason", "recorded_by"
        )
    )
    assert statuses == [("full", D(2021, 6, 10), "名册导入", worker.pk)]
    for model in (Person, StatusChange, Membership):
        history = model.history.all()
        assert history.count() == 3
        assert set(
            history.values_list("history_user", "history_change_reason", "history_type")
        ) == {(worker.pk, "名册导入", "+")}
    event = AuditEvent.objects.get(action=AuditAction.IMPORT)
    assert (event.actor, event.detail["created"], event.detail["rows"]) == (worker, 3, 3)


def test_headers_in_any_order_below_a_title_row_and_extra_info_columns(tree, worker, today):
    headers = ["序号", *reversed(HEADERS), "所在党支部"]
    report = run(worker, [good_row(tree, 1, 序号=1)], today, headers=headers, title="党员名册")
    assert (report.ok, report.created) == (True, 1)


def test_dates_and_numbers_typed_as_text_or_numbers(tree, worker, today):
    row = good_row(
        tree,
        1,
        出生日期="2000.3.1",
        申请入党日期="20181008",
        入党日期=20200608,
        转正日期="2021年6月10日",
        联系电话=13800138000,
        加入本支部日期="2020-06-08",
    )
    report = run(worker, [row], today)
    assert report.created == 1
    person = Person.objects.get()
    assert (person.applied_on, person.admission_date, person.full_since) == (
        D(2018, 10, 8),
        D(2020, 6, 8),
        D(2021, 6, 10),
    )
    assert person.phone == "13800138000"


def test_only_required_columns(tree, worker, today):
    headers = ["姓名", "公民身份号码", "政治面貌", "所在党支部编码"]
    row = {
        "姓名": "李雷",
        "公民身份号码": factories.id_number_for(D(1999, 1, 2), "female", 7),
        "政治面貌": "入党积极分子",
        "所在党支部编码": tree.branch.code,
    }
    report = run(worker, [row], today, headers=headers)
    person = Person.objects.get()
    assert (report.created, person.sex, person.birth_date, person.ethnicity) == (
        1,
        "female",
        D(1999, 1, 2),
        "01",
    )
    assert (person.status, person.status_since) == ("activist", today)


# --- importing again ----------------------------------------------------------------------


def test_importing_the_same_file_again_changes_nothing(tree, worker, today):
    rows = [good_row(tree, n) for n in range(1, 6)]
    first = run(worker, rows, today)
    counts = [m.objects.count() for m in (Person, StatusChange, Membership)]
    history = [m.history.count() for m in (Person, StatusChange, Membership)]
    # when
    second = run(worker, rows, today)
    # then
    assert (first.created, second.ok, second.rows, second.created, second.unchanged) == (
        5,
        True,
        5,
        0,
        5,
    )
    assert [m.objects.count() for m in (Person, StatusChange, Membership)] == counts
    assert [m.history.count() for m in (Person, StatusChange, Membership)] == history


def test_a_file_of_new_and_known_people_creates_only_the_new(tree, worker, today):
    run(worker, [good_row(tree, 1)], today)
    report = run(worker, [good_row(tree, 1), good_row(tree, 2)], today)
    assert (report.created, report.unchanged, Person.objects.count()) == (1, 1, 2)


def test_export_then_import_is_unchanged(tree, worker, today):
    factories.person(
        tree.branch,
        name="欧阳修",
        group=tree.group,
        phone="010-12345678",
        work_unit="-研究生院",
        actor=worker,
    )
    factories.person(tree.branch, name="单雄信", status="probationary", actor=worker)
    _, rows = exported(scope_for(worker), worker)
    report = run(worker, rows, today, headers=list(roster.EXPORT_HEADERS))
    assert (report.ok, report.created, report.unchanged) == (True, 0, 2)


# --- one bad row: nothing is imported -----------------------------------------------------


def _bad_check_char(tree):
    number = factories.id_number_for(D(2000, 3, 2), "male", serial=2)
    wrong = "0" if number[-1] != "0" else "1"
    return (
        {"公民身份号码": number[:17] + wrong},
        (
            "公民身份号码",
            number[:17] + wrong,
            f"身份证号码第18位校验码应为{check_char(number[:17])}，实际为{wrong}。",
        ),
    )


BAD_ROWS = {
    "校验码错误": _bad_check_char,
    "2月30日": lambda tree: (
        {"入党日期": "2020-02-30"},
        ("入党日期", "2020-02-30", "日期“2020-02-30”不存在：2020年2月没有30日。"),
    ),
    "日期格式错误": lambda tree: (
        {"申请入党日期": "去年十月"},
        (
            "申请入党日期",
            "去年十月",
            "日期格式不正确。日期可填写为2025-01-31、2025/1/31、2025.1.31、20250131或Excel日期。",
        ),
    ),
    "未知党支部编码": lambda tree: (
        {"所在党支部编码": "NOPE-1"},
        ("所在党支部编码", "NOPE-1", "党支部编码“NOPE-1”不存在或不在您管理的范围内。"),
    ),
    "权限范围外的党支部编码与未知编码同样回答": lambda tree: (
        {"所在党支部编码": tree.sibling.code, "党小组编码": None},
        (
            "所在党支部编码",
            tree.sibling.code,
            f"党支部编码“{tree.sibling.code}”不存在或不在您管理的范围内。",
        ),
    ),
    "党小组不属于该党支部": lambda tree: (
        {"党小组编码": tree.branch.code},
        (
            "党小组编码",
            tree.branch.code,
            f"党小组编码“{tree.branch.code}”不存在或不在您管理的范围内。",
        ),
    ),
    "缺少姓名": lambda tree: ({"姓名": "  "}, ("姓名", "", "请填写姓名。")),
    "缺少身份证号码": lambda tree: (
        {"公民身份号码": None},
        ("公民身份号码", "", "请填写公民身份号码。"),
    ),
    "学历不在可选值中": lambda tree: (
        {"学历": "大本"},
        (
            "学历",
            "大本",
            "“大本”不是有效的学历，可填：研究生、大学本科、大学专科、中专、高中、初中及以下。",
        ),
    ),
    "政治面貌为终止状态": lambda tree: (
        {"政治面貌": "已出党"},
        (
            "政治面貌",
            "已出党",
            "“已出党”不是有效的政治面貌，可填：入党申请人、入党积极分子、发展对象、预备党员、正式党员。",
        ),
    ),
    "共青团员不是是否": lambda tree: (
        {"共青团员(是/否)": "团员"},
        ("共青团员(是/否)", "团员", "请填写“是”或“否”。"),
    ),
    "民族名称错误": lambda tree: (
        {"民族": "火星族"},
        (
            "民族",
            "火星族",
            "“火星族”不是有效的民族名称，请填写如汉族、蒙古族、回族（见“填写说明”工作表）。",
        ),
    ),
    "手机号码位数不对": lambda tree: (
        {"联系电话": "1380013800"},
        ("联系电话", "1380013800", "手机号码应为11位，当前为10位。"),
    ),
    "正式党员没有转正日期": lambda tree: (
        {"转正日期": None},
        ("转正日期", "", "正式党员须填写转正日期。"),
    ),
    "性别与身份证号码不一致": lambda tree: (
        {"性别": "女"},
        ("性别", "女", "性别与身份证号码不一致：身份证为男，填写为女。"),
    ),
    "身份证号码被存成数字": lambda tree: (
        {"公民身份号码": 1.10105200003024e17},
        (
            "公民身份号码",
            "110105200003024000",
            "身份证号码被Excel存成了数字，后几位已经丢失；请将该列设为文本格式后重新填写。",
        ),
    ),
    "加入本支部日期晚于今天": lambda tree: (
        {"加入本支部日期": D(2027, 1, 1)},
        ("加入本支部日期", "2027-01-01", "日期不能晚于今天。"),
    ),
}


@pytest.mark.parametrize("case", list(BAD_ROWS), ids=list(BAD_ROWS))
def test_one_bad_row_among_good_rows_imports_nothing(tree, worker, today, case):
    # given a good row, a bad row (sheet row 3), a good row
    changes, expected = BAD_ROWS[case](tree)
    rows = [good_row(tree, 1), good_row(tree, 2, **changes), good_row(tree, 3)]
    # when
    report = run(worker, rows, today)
    # then: the report names the row, column, value and reason; nothing was written
    assert not report.ok
    assert [(e.row, e.column, e.value, e.reason) for e in report.errors] == [(3, *expected)]
    assert (report.rows, report.created, report.errors.bad_rows) == (3, 0, 1)
    assert Person.objects.count() == 0
    assert Person.history.count() == 0
    assert not AuditEvent.objects.filter(action=AuditAction.IMPORT).exists()


def test_duplicate_id_inside_the_file_names_the_first_row(tree, worker, today):
    first = good_row(tree, 1)
    report = run(worker, [first, good_row(tree, 2), {**first, "姓名": "王晓明"}], today)
    assert [(e.row, e.column, e.value, e.reason) for e in report.errors] == [
        (4, "公民身份号码", first["公民身份号码"], "与第2行的公民身份号码重复。")
    ]
    assert Person.objects.count() == 0


def test_id_registered_with_different_data_is_a_bad_row(tree, worker, today):
    # given a person already on the roll
    existing = factories.person(tree.branch, name="张三", actor=worker)
    _, [row] = exported(scope_for(worker), worker)
    row["姓名"], row["联系电话"] = "张叁", "13900139000"
    # when the file has the same ID number with another name and phone
    report = run(worker, [good_row(tree, 2), row], today, headers=list(roster.EXPORT_HEADERS))
    # then
    assert [(e.row, e.column, e.value, e.reason) for e in report.errors] == [
        (
            3,
            "公民身份号码",
            existing.id_number,
            "该身份证号码已登记为张三（本科生第一党支部）的记录，与本行信息不一致（姓名、联系电话）。",
        )
    ]
    assert Person.objects.count() == 1


def test_id_registered_outside_the_scope_reveals_no_name(tree, worker, today):
    other = factories.person(tree.sibling, name="李四")
    report = run(worker, [good_row(tree, 1, 公民身份号码=other.id_number, 出生日期=None)], today)
    assert [e.reason for e in report.errors] == [
        "该身份证号码已在其他党组织登记，不能重复导入；如需转入，请办理组织关系转接。"
    ]


def test_every_bad_row_is_reported_in_row_order(tree, worker, today):
    rows = [good_row(tree, n, 学历="大本" if n % 2 else "大学本科") for n in range(1, 8)]
    rows[5]["姓名"] = ""
    report = run(worker, rows, today)
    assert [(e.row, e.column) for e in report.errors] == [
        (2, "学历"),
        (4, "学历"),
        (6, "学历"),
        (7, "姓名"),
        (8, "学历"),
    ]
    assert report.errors.bad_rows == 5


def test_error_log_keeps_the_first_errors_in_memory_and_all_in_the_spill_file():
    log = ErrorLog(keep=2)
    for n in range(5):
        log.add(RowError(n + 2, "姓名", f"值{n}", "原因"))
    assert (log.count, [e.row for e in log.first], [e.row for e in log]) == (
        5,
        [2, 3],
        [2, 3, 4, 5, 6],
    )
    log.add(RowError(7, "姓名", "", "原因"))
    assert [e.row for e in log] == [2, 3, 4, 5, 6, 7]


# --- the file itself ----------------------------------------------------------------------


def _xlsx_bytes(rows=(), headers=HEADERS):
    return xlsx(rows, headers=headers).read()


def _corrupt():
    data = _xlsx_bytes()
    return data[: len(data) // 2]


def _empty_workbook():
    out = io.BytesIO()
    Workbook().save(out)
    return out.getvalue()


FILE_PROBLEMS = {
    "旧版xls": (
        "名册.xls",
        lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 500,
        "这是旧版Excel（.xls）文件或设有密码的工作簿，无法导入。"
        "请在Excel或WPS中“另存为”Excel工作簿（.xlsx，不设密码）后再导入。",
    ),
    "CSV": (
        "名册.csv",
        lambda: "姓名,公民身份号码\n张三,11010519491231002X\n".encode(),
        "不支持CSV或文本文件。请在Excel或WPS中打开后“另存为”Excel工作簿（.xlsx），"
        "或使用下载的模板。",
    ),
    "改了扩展名的文本文件": (
        "名册.xlsx",
        lambda: "这不是表格".encode(),
        "文件内容不是Excel工作簿（.xlsx），可能是其他格式的文件改了扩展名。",
    ),
    "损坏的压缩包": (
        "名册.xlsx",
        _corrupt,
        "文件已损坏（不是完整的.xlsx文件），无法打开，请重新保存后再导入。",
    ),
    "其他压缩包": (
        "名册.xlsx",
        lambda: _zip_with("readme.txt"),
        "文件不是有效的Excel工作簿（.xlsx），可能已损坏或是其他格式的文件改了扩展名。",
    ),
    "空文件": ("名册.xlsx", lambda: b"", "上传的文件是空的（0字节），请选择填写好的名册文件。"),
    "空工作簿": (
        "名册.xlsx",
        _empty_workbook,
        "工作表是空的：第一行应为表头（姓名、公民身份号码等），下面每行一人。",
    ),
    "只有表头": ("名册.xlsx", _xlsx_bytes, "文件只有表头，没有人员数据。"),
    "缺少必填列": (
        "名册.xlsx",
        lambda: _xlsx_bytes(headers=["姓名", "性别"]),
        "缺少必填的列：公民身份号码、政治面貌、所在党支部编码。请使用下载的模板。",
    ),
    "无法识别的列": (
        "名册.xlsx",
        lambda: _xlsx_bytes(headers=[*HEADERS, "籍贯"]),
        "表头中有无法识别的列：“籍贯”。请使用下载的模板中的列名。",
    ),
    "重复的列": (
        "名册.xlsx",
        lambda: _xlsx_bytes(headers=[*HEADERS, "身份证号"]),
        "表头中“公民身份号码”列出现了两次，请删除重复的列。",
    ),
    "没有表头": (
        "名册.xlsx",
        lambda: _xlsx_bytes(headers=["张三", "男"]),
        "未找到表头：应有一行列名（姓名、公民身份号码、政治面貌……），请使用下载的模板。",
    ),
}


def _zip_with(name):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr(name, "hello")
    return out.getvalue()


@pytest.mark.parametrize("case", list(FILE_PROBLEMS), ids=list(FILE_PROBLEMS))
def test_a_file_that_cannot_be_read_gives_a_specific_message(tree, worker, today, case):
    name, content, message = FILE_PROBLEMS[case]
    with pytest.raises(InvalidInput) as caught:
        roster.roster_import(actor=worker, file=SimpleUploadedFile(name, content()), today=today)
    assert (caught.value.message, caught.value.fields) == (message, {"file": [message]})
    assert Person.objects.count() == 0


def test_more_rows_than_the_limit_imports_nothing(tree, worker, today, settings):
    settings.DANGWU = {**settings.DANGWU, "IMPORT_MAX_ROWS": 3}
    rows = [good_row(tree, n) for n in range(1, 5)]
    with pytest.raises(InvalidInput) as caught:
        run(worker, rows, today)
    assert (
        caught.value.message
        == "文件超过每次导入3行的上限，请拆分为多个文件后分别导入。未导入任何数据。"
    )
    assert Person.objects.count() == 0
    assert run(worker, rows[:3], today).created == 3  # exactly at the limit is fine


def test_a_file_larger_than_the_limit_is_refused_before_reading(tree, worker, today, settings):
    settings.DANGWU = {**settings.DANGWU, "IMPORT_MAX_BYTES": 1024 * 1024}
    upload = SimpleUploadedFile("名册.xlsx", b"PK" + b"\0" * (3 * 1024 * 1024))
    with pytest.raises(InvalidInput) as caught:
        roster.roster_import(actor=worker, file=upload, today=today)
    assert caught.value.message == (
        "文件大小为3.0 MB，超过每次导入1 MB的上限，请拆分为多个文件后分别导入。"
    )


def test_a_zip_bomb_is_refused_before_reading(tree, worker, today, settings):
    settings.DANGWU = {**settings.DANGWU, "IMPORT_MAX_BYTES": 1024 * 1024}
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/sharedStrings.xml", b"\0" * (3 * 1024 * 1024))
    with pytest.raises(InvalidInput) as caught:
        roster.roster_import(
            actor=worker, file=SimpleUploadedFile("x.xlsx", out.getvalue()), today=today
        )
    assert caught.value.message == (
        "文件解压后的内容过大（约3 MB），不像是正常的名册文件；"
        "请检查文件，或拆分为多个文件后分别导入。"
    )


def test_a_role_without_edit_cannot_import(tree, today):
    secretary = factories.user_with_role("sec", tree.branch, kind="secretary")
    with pytest.raises(NotFound):
        run(secretary, [good_row(tree, 1)], today)


# --- parsing ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param(dt.datetime(2025, 1, 31), D(2025, 1, 31), id="Excel日期"),
        pytest.param(D(2025, 1, 31), D(2025, 1, 31), id="日期对象"),
        pytest.param("2025-01-31", D(2025, 1, 31), id="横线"),
        pytest.param("2025/1/31", D(2025, 1, 31), id="斜线"),
        pytest.param("2025.1.31", D(2025, 1, 31), id="点"),
        pytest.param("20250131", D(2025, 1, 31), id="八位数字文本"),
        pytest.param(20250131, D(2025, 1, 31), id="八位数字"),
        pytest.param("2025年1月31日", D(2025, 1, 31), id="中文"),
        pytest.param("２０２５－０１－３１", D(2025, 1, 31), id="全角"),
        pytest.param("2025-01-31 00:00:00", D(2025, 1, 31), id="带时间的文本"),
    ],
)
def test_parse_date_accepts_the_usual_ways_of_writing_a_date(value, expected):
    assert parse_date(value) == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        pytest.param("2025-02-30", "日期“2025-02-30”不存在：2025年2月没有30日。", id="2月30日"),
        pytest.param("2025-13-01", "日期“2025-13-01”不存在：月份应为1至12。", id="13月"),
        pytest.param("31/01/2025", "日期格式不正确。", id="日月年"),
        pytest.param(45688, "日期格式不正确。", id="Excel序号"),
    ],
)
def test_parse_date_refuses_with_a_chinese_message(value, message):
    with pytest.raises(ValueError, match=f"^{message}"):
        parse_date(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://x","点击")', '\'=HYPERLINK("http://x","点击")'),
        ("+1", "'+1"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("张三", "张三"),
        ("", ""),
        (None, None),
        (12, 12),
    ],
)
def test_escape_cell(value, expected):
    assert escape_cell(value) == expected


# --- export -------------------------------------------------------------------------------


def test_export_escapes_formula_like_text(tree, worker):
    factories.person(tree.branch, name='=HYPERLINK("http://x","点")', work_unit="+1", actor=worker)
    factories.person(tree.branch, name="@张三", work_unit="-2", actor=worker)
    ws, rows = exported(scope_for(worker), worker)
    names = sorted(r["姓名"] for r in rows)
    assert names == ['\'=HYPERLINK("http://x","点")', "'@张三"]
    assert sorted(r["工作单位或班级"] for r in rows) == ["'+1", "'-2"]
    assert "f" not in {c.data_type for row in ws.iter_rows(min_row=2) for c in row}  # no formula


def test_export_has_the_import_columns_and_real_dates(tree, worker):
    p = factories.person(
        tree.branch, name="曾国藩", group=tree.group, phone="13800138000", actor=worker
    )
    _, [row] = exported(scope_for(worker), worker)
    assert row == {
        "姓名": "曾国藩",
        "性别": "男",
        "民族": "汉族",
        "出生日期": dt.datetime(1990, 5, 4),
        "公民身份号码": p.id_number,
        "联系电话": "13800138000",
        "学历": None,
        "工作岗位": None,
        "党费缴纳类别": None,
        "工作单位或班级": None,
        "共青团员(是/否)": "否",
        "政治面貌": "正式党员",
        "申请入党日期": None,
        "入党日期": dt.datetime(2015, 7, 1),
        "转正日期": dt.datetime(2016, 7, 1),
        "所在党支部编码": tree.branch.code,
        "党小组编码": tree.group.code,
        "加入本支部日期": dt.datetime(2016, 7, 1),
        "所在党支部": "本科生第一党支部",
        "党小组": "第一党小组",
    }


@pytest.mark.parametrize(
    ("kind", "full"),
    [("party_worker", True), ("secretary", True), ("committee_member", False)],
)
def test_export_masks_id_numbers_unless_the_role_may_see_them(tree, kind, full):
    p = factories.person(tree.branch)
    user = factories.user_with_role("u", tree.college, kind=kind)
    _, [row] = exported(scope_for(user), user)
    assert row["公民身份号码"] == (p.id_number if full else p.masked_id_number)
    assert "*" in p.masked_id_number


def test_export_is_the_scope_and_org_only(tree, worker, admin_user):
    factories.person(tree.branch, name="甲")
    factories.person(tree.sibling, name="乙")
    leaver = factories.person(tree.branch, name="丙")
    from dangwu.members.services import person_status_change

    person_status_change(
        actor=admin_user, person=leaver, status="deceased", effective_on=D(2025, 1, 1)
    )
    leader = factories.user_with_role("gl", tree.group, kind="group_leader")
    factories.person(tree.branch, name="丁", group=tree.group)
    admin = scope_for(admin_user)
    assert sorted(r["姓名"] for r in exported(scope_for(worker), worker)[1]) == ["丁", "甲"]
    assert sorted(r["姓名"] for r in exported(admin, admin_user)[1]) == ["丁", "乙", "甲"]
    assert [r["姓名"] for r in exported(admin, admin_user, org=tree.sibling)[1]] == ["乙"]
    assert [r["姓名"] for r in exported(scope_for(leader), leader)[1]] == ["丁"]
    with pytest.raises(NotFound):
        exported(scope_for(worker), worker, org=tree.sibling)


def test_export_records_an_audit_event(tree, worker):
    factories.person(tree.branch)
    exported(scope_for(worker), worker, org=tree.branch)
    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert (event.actor, event.subject, event.detail) == (
        worker,
        f"org:{tree.branch.code}",
        {"kind": "roster", "rows": 1, "full_id_numbers": 1},
    )


def test_export_reads_people_in_one_query(tree, worker, django_assert_max_num_queries):
    for n in range(25):
        factories.person(tree.branch, name=f"人员{n}", group=tree.group if n % 2 else None)
    scope = scope_for(worker)
    with django_assert_max_num_queries(2):  # the people (with relationship dates), the audit row
        roster.roster_export(scope, actor=worker, out=io.BytesIO())


# --- template -----------------------------------------------------------------------------


def test_template_has_the_headers_the_help_sheet_and_the_codes_in_scope(tree, worker, today):
    out = io.BytesIO()
    roster.roster_template(scope_for(worker), out=out)
    wb = load_workbook(out)
    assert wb.sheetnames == ["人员名册", "填写说明", "组织编码"]
    assert [c.value for c in wb["人员名册"][1]] == HEADERS
    help_rows = list(wb["填写说明"].iter_rows(min_row=2, max_col=3, values_only=True))
    assert help_rows[0] == ("姓名", "必填", "不超过50个字。")
    codes = list(wb["组织编码"].iter_rows(min_row=2, values_only=True))
    assert codes == [
        (tree.branch.code, "本科生第一党支部", "党支部"),
        (tree.group.code, "第一党小组", "党小组"),
    ]


def test_filled_template_imports(tree, worker, today):
    out = io.BytesIO()
    roster.roster_template(scope_for(worker), out=out)
    out.seek(0)
    wb = load_workbook(out)
    row = good_row(tree, 1)
    wb["人员名册"].append([row[h] for h in HEADERS])
    filled = io.BytesIO()
    wb.save(filled)
    report = roster.roster_import(
        actor=worker, file=SimpleUploadedFile("t.xlsx", filled.getvalue()), today=today
    )
    assert (report.ok, report.created) == (True, 1)


# --- pages --------------------------------------------------------------------------------

EDITORS = {"anonymous": 302, "no_role": 404, "sibling": 200, "own_org": 200, "ancestor": 200}


@pytest.mark.parametrize(("who", "status"), EDITORS.items())
@pytest.mark.parametrize("name", ["members:roster_import", "members:roster_template"])
def test_import_and_template_pages_permission_matrix(client, viewers, who, status, name):
    if viewers[who] is not None:
        client.force_login(viewers[who])
    response = client.get(reverse(name))
    assert response.status_code == status
    if status == 302:
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name", ["members:roster_import", "members:roster_template"])
def test_import_pages_are_404_for_roles_without_edit(client, tree, name):
    client.force_login(factories.user_with_role("sec", tree.committee, kind="secretary"))
    assert client.get(reverse(name)).status_code == 404


@pytest.mark.parametrize(
    ("who", "status"),
    {"anonymous": 302, "no_role": 404, "sibling": 404, "own_org": 200, "ancestor": 200}.items(),
)
def test_export_page_permission_matrix(client, tree, viewers, who, status):
    if viewers[who] is not None:
        client.force_login(viewers[who])
    response = client.get(reverse("members:roster_export"), {"org": tree.branch.pk})
    assert response.status_code == status
    if status == 200:
        assert response["Content-Type"] == roster.XLSX_CONTENT_TYPE
        assert "attachment" in response["Content-Disposition"]


def test_export_page_without_org_is_the_whole_scope_for_any_role(client, tree):
    factories.person(tree.branch, name="甲")
    client.force_login(factories.user_with_role("cm", tree.college, kind="committee_member"))
    response = client.get(reverse("members:roster_export"))
    ws = load_workbook(io.BytesIO(b"".join(response.streaming_content)))[roster.DATA_SHEET]
    assert [r[0] for r in ws.iter_rows(min_row=2, values_only=True)] == ["甲"]


def test_export_page_with_a_bad_org_is_404(client, tree, worker):
    client.force_login(worker)
    assert client.get(reverse("members:roster_export"), {"org": "x"}).status_code == 404


def test_upload_page_imports_a_good_file(client, tree, worker):
    client.force_login(worker)
    response = client.post(reverse("members:roster_import"), {"file": xlsx([good_row(tree, 1)])})
    assert response.status_code == 200
    text = response.content.decode()
    assert "导入成功" in text
    assert Person.objects.count() == 1


def test_upload_page_lists_bad_rows_and_offers_the_full_report(
    client, tree, worker, settings, tmp_path
):
    settings.VAR_DIR = tmp_path
    client.force_login(worker)
    rows = [good_row(tree, 1, 学历="+大本"), good_row(tree, 2)]
    response = client.post(reverse("members:roster_import"), {"file": xlsx(rows)})
    text = response.content.decode()
    assert "未导入任何数据" in text
    assert "“+大本”不是有效的学历" in text
    report_name = response.context["report_name"]
    download = client.get(reverse("members:roster_import"), {"report": report_name})
    assert download.status_code == 200
    ws = load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    assert list(ws.iter_rows(values_only=True)) == [
        ("行号", "列", "值", "原因"),
        (
            2,
            "学历",
            "'+大本",
            "“+大本”不是有效的学历，可填：研究生、大学本科、大学专科、中专、高中、初中及以下。",
        ),
    ]
    assert Person.objects.count() == 0


def test_result_page_shows_the_first_errors_and_says_the_rest_are_in_the_report(
    client, tree, worker, settings, tmp_path, monkeypatch
):
    settings.VAR_DIR = tmp_path
    monkeypatch.setattr(roster, "PAGE_ERRORS", 2)
    client.force_login(worker)
    rows = [good_row(tree, n, 学历="大本") for n in range(1, 4)]
    response = client.post(reverse("members:roster_import"), {"file": xlsx(rows)})
    text = response.content.decode()
    assert text.count("“大本”不是有效的学历") == 2
    assert "下面只列出前 2 处错误，完整的错误报告请下载。" in text
    assert "共 3 行，其中 3 行有误（3 处错误）" in text


def test_another_session_cannot_download_the_error_report(client, tree, worker, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    client.force_login(worker)
    response = client.post(
        reverse("members:roster_import"), {"file": xlsx([good_row(tree, 1, 学历="大本")])}
    )
    name = response.context["report_name"]
    client.logout()
    client.force_login(factories.user_with_role("w2", tree.branch))
    assert client.get(reverse("members:roster_import"), {"report": name}).status_code == 404


def test_upload_page_shows_a_file_problem_beside_the_field(client, tree, worker):
    client.force_login(worker)
    upload = SimpleUploadedFile("名册.csv", "姓名\n张三\n".encode())
    response = client.post(reverse("members:roster_import"), {"file": upload})
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "file": [
            "不支持CSV或文本文件。请在Excel或WPS中打开后“另存为”Excel工作簿（.xlsx），或使用下载的模板。"
        ]
    }


# --- command line -------------------------------------------------------------------------


def test_command_imports_and_exports(tree, worker, tmp_path, capsys):
    source = tmp_path / "in.xlsx"
    source.write_bytes(xlsx([good_row(tree, 1), good_row(tree, 2)]).read())
    call_command("roster", "import", str(source), "--user", "worker")
    assert "导入成功：共2行，新建2人，未变化0人。" in capsys.readouterr().out
    target = tmp_path / "out.xlsx"
    call_command(
        "roster", "export", "--user", "worker", "--org", tree.branch.code, "-o", str(target)
    )
    assert f"已导出2人到{target}。" in capsys.readouterr().out
    assert load_workbook(target)[roster.DATA_SHEET].max_row == 3


def test_command_reports_every_bad_row_and_fails(tree, worker, tmp_path, capsys):
    source = tmp_path / "in.xlsx"
    source.write_bytes(xlsx([good_row(tree, 1, 学历="大本")]).read())
    with pytest.raises(CommandError, match="未导入任何数据：共1行，1行有误（1处错误）。"):
        call_command("roster", "import", str(source), "--user", "worker")
    assert "第2行 学历“大本”：“大本”不是有效的学历" in capsys.readouterr().err
    assert Person.objects.count() == 0


def test_command_refuses_an_org_outside_the_scope(tree, worker, tmp_path):
    with pytest.raises(CommandError, match="不存在或不在用户“worker”的权限范围内"):
        call_command(
            "roster",
            "export",
            "--user",
            "worker",
            "--org",
            tree.sibling.code,
            "-o",
            str(tmp_path / "x.xlsx"),
        )
