"""The historical import service (development/services/imports.py): workbooks and timeline
JSON files, all or nothing, checked against the roll. ``today`` is 2026-11-22."""

import datetime as dt
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from dangwu.core.errors import InvalidInput, NotFound
from dangwu.core.models import AuditAction, AuditEvent
from dangwu.development.choices import EntrySource, RecordState
from dangwu.development.imports.columns import COLUMNS, read_people
from dangwu.development.models import DevelopmentRecord, StepEntry, StepPerson
from dangwu.development.selectors import timeline_data
from dangwu.development.services.imports import import_json, import_template, import_xlsx
from dangwu.members.models import Person, Sanction
from tests import factories
from tests.development.helpers import example_timeline

D = dt.date
HEADERS = [c.header for c in COLUMNS]


# --- helpers ------------------------------------------------------------------------------


def xlsx(rows, headers=None, name="发展记录.xlsx"):
    """An uploaded .xlsx: the header row, then one row per dict (header → value)."""
    headers = headers or HEADERS
    wb = Workbook()
    ws = wb.active
    ws.append(headers)
    for row in rows:
        ws.append([row.get(h) for h in headers])
    out = io.BytesIO()
    wb.save(out)
    return SimpleUploadedFile(name, out.getvalue())


def upload_json(obj, name="records.json"):
    text = obj if isinstance(obj, str) else json.dumps(obj, ensure_ascii=False)
    return SimpleUploadedFile(name, text.encode())


@pytest.fixture(name="roll")
def roll_fixture(tree):
    """The roll of tree.branch: the person developed (a full member, the DOMAIN.md
    example), two contact persons, two introducers — 周九 under 留党察看 in 2021."""
    people = {
        "subject": factories.person(
            tree.branch,
            name="陈一",
            birth_date=D(2001, 5, 4),
            league_member=True,
            admission_date=D(2021, 6, 8),
            full_since=D(2022, 6, 8),
            applied_on=D(2019, 10, 8),
        ),
    }
    for n, name in enumerate(["赵六", "钱七", "孙八", "周九"]):
        people[name] = factories.person(tree.branch, name=name, birth_date=D(1980, 1, 1 + n))
    Sanction.objects.create(
        person=people["周九"],
        kind="probation_within_party",
        decided_on=D(2021, 1, 10),
        probation_years=1,
    )
    return people


def example_row(person, **changes):
    """The DOMAIN.md §5 example as a workbook row, in the ways people write dates."""
    row = {
        "姓名": person.name,
        "公民身份号码": person.id_number,
        "1 递交入党申请书": "2019-10-08",
        "2 党组织派人谈话": "2019/10/25",
        "3 推荐和确定入党积极分子": dt.datetime(2020, 4, 20),
        "推荐方式": "共青团推优",
        "4 上级党委备案": "2020.4.27",
        "5 指定培养联系人": "2020-04-20",
        "培养联系人": "赵六、钱七",
        "6 培养教育考察": "2020-10-15、2021-04-15",
        "7 确定发展对象": "2021年4月25日",
        "8 报上级党委备案": "2021-04-28",
        "9 确定入党介绍人": "2021-04-25",
        "入党介绍人": "孙八、周九",
        "10 进行政治审查": "2021-05-10",
        "政审结论": "合格",
        "11 开展集中培训": "2021-05-14",
        "培训结束日期": "2021-05-16",
        "培训天数": 3,
        "培训学时": 24,
        "12 支部委员会审查": "2021-05-18",
        "公示开始日期": "2021-05-19",
        "公示工作日数": 5,
        "13 上级党委预审": "2021-05-28",
        "14 填写入党志愿书": "2021-06-01",
        "15 支部大会讨论": "2021-06-08",
        "接收大会应到人数": 25,
        "接收大会实到人数": 20,
        "接收大会赞成票": 18,
        "接收大会书面赞成意见": 1,
        "16 上级党委派人谈话": "2021-06-15",
        "17 上级党委审批": "2021-06-28",
        "18 再上一级党委组织部门备案": "2021-06-30",
        "19 编入党支部和党小组": "2021-07-01",
        "20 入党宣誓": "2021-07-01",
        "21 继续教育考察": "2021-12-10;2022-06-01",
        "22 提出转正申请": "2022-06-01",
        "23 支部大会讨论": "2022-06-10",
        "转正大会应到人数": 26,
        "转正大会实到人数": 22,
        "转正大会赞成票": 22,
        "24 上级党委审批": "2022-07-01",
        "25 材料归档": "2022-07-20",
        "审批机关": "基层党委",
    }
    row.update(changes)
    return row


def activist_row(person, **changes):
    row = {
        "姓名": person.name,
        "公民身份号码": person.id_number,
        "1 递交入党申请书": "2024-03-01",
        "2 党组织派人谈话": "2024-03-20",
        "3 推荐和确定入党积极分子": "2024-09-10",
        "推荐方式": "党员推荐",
    }
    row.update(changes)
    return row


def activist(tree, name="吴十", n=1):
    return factories.person(
        tree.branch, name=name, status="activist", birth_date=D(2002, 2, n), applied_on=None
    )


def counts():
    return (
        DevelopmentRecord.objects.count(),
        StepEntry.objects.count(),
        StepPerson.objects.count(),
        AuditEvent.objects.filter(action=AuditAction.IMPORT).count(),
    )


def errors(result):
    return [(e.row, e.column, e.message) for e in result.errors]


# --- a good workbook ----------------------------------------------------------------------


def test_the_domain_example_imports_with_its_one_finding(tree, worker, roll, today):
    # given the DOMAIN.md §5 example for 陈一, whose introducer 周九 was under 留党察看
    subject = roll["subject"]
    statuses = dict(Person.objects.values_list("pk", "status"))
    # when
    result = import_xlsx(
        actor=worker, org=tree.branch, upload=xlsx([example_row(subject)]), today=today
    )
    # then
    assert (result.ok, result.rows, result.created, result.unchanged) == (True, 1, 1, 0)
    assert result.findings == {"DEV-INTRODUCERS": 1}
    assert result.severities == {"error": 1}
    record = DevelopmentRecord.objects.get(person=subject)
    assert result.record_ids == [record.pk]
    assert (record.branch, record.state, record.closed_on) == (tree.branch, "done", D(2022, 7, 20))
    assert (record.error_count, record.warning_count, record.last_step) == (1, 0, "archiving")
    assert set(StepEntry.objects.values_list("source", "recorded_by")) == {
        (EntrySource.IMPORT, worker.pk)
    }
    # the stored timeline is the example, with the people named and linked to the roll
    data = timeline_data(record)
    expected = example_timeline()
    expected["steps"]["contacts_assigned"]["people"] = [
        {"name": "赵六", "status": "full"},
        {"name": "钱七", "status": "full"},
    ]
    expected["steps"]["introducers"]["people"] = [
        {"name": "孙八", "status": "full"},
        {"name": "周九", "status": "full", "sanction": "probation_within_party"},
    ]
    expected["steps"]["conversion_meeting"]["written_in_favour"] = 0
    assert data == expected
    linked = list(
        StepPerson.objects.order_by("entry__step", "position").values_list("name", "person")
    )
    assert linked == [
        ("赵六", roll["赵六"].pk),
        ("钱七", roll["钱七"].pk),
        ("孙八", roll["孙八"].pk),
        ("周九", roll["周九"].pk),
    ]
    # statuses on the roll are untouched
    assert dict(Person.objects.values_list("pk", "status")) == statuses
    event = AuditEvent.objects.get(action=AuditAction.IMPORT)
    assert (event.actor, event.subject, event.detail["created"]) == (
        worker,
        f"org:{tree.branch.code}",
        1,
    )


def test_reimporting_the_same_file_writes_nothing(tree, worker, roll, today):
    upload = [example_row(roll["subject"])]
    first = import_xlsx(actor=worker, org=tree.branch, upload=xlsx(upload), today=today)
    before = counts()
    history = DevelopmentRecord.history.count()
    # when
    second = import_xlsx(actor=worker, org=tree.branch, upload=xlsx(upload), today=today)
    # then
    assert (second.ok, second.created, second.unchanged) == (True, 0, 1)
    assert second.record_ids == first.record_ids
    assert second.findings == {"DEV-INTRODUCERS": 1}
    assert counts() == before
    assert DevelopmentRecord.history.count() == history


def test_an_existing_record_that_differs_is_a_bad_row_and_not_merged(tree, worker, roll, today):
    import_xlsx(
        actor=worker, org=tree.branch, upload=xlsx([example_row(roll["subject"])]), today=today
    )
    before = counts()
    row = example_row(roll["subject"], **{"2 党组织派人谈话": "2019-10-26"})
    result = import_xlsx(actor=worker, org=tree.branch, upload=xlsx([row]), today=today)
    assert errors(result) == [
        (
            2,
            "2 党组织派人谈话",
            "该人员已有发展记录，与本行内容不一致（第2步「党组织派人谈话」），未作合并；"
            "如需修改，请在该人员的发展记录页面逐步登记。",
        )
    ]
    assert counts() == before


def test_activists_import_with_open_records_and_the_prefilled_rows_are_skipped(tree, worker, today):
    a, b = activist(tree, "吴十", 1), activist(tree, "郑十一", 2)
    applicant = factories.person(
        tree.branch, name="冯十二", status="applicant", birth_date=D(2003, 1, 1)
    )
    rows = [
        activist_row(a),
        {"姓名": applicant.name, "公民身份号码": applicant.id_number},  # prefilled, not filled in
        activist_row(b, **{"6 培养教育考察": "2025-03-01"}),
    ]
    result = import_xlsx(actor=worker, org=tree.branch, upload=xlsx(rows), today=today)
    assert (result.ok, result.rows, result.created) == (True, 2, 2)
    records = DevelopmentRecord.objects.order_by("person__name")
    assert [(r.person.name, r.state, r.last_step) for r in records] == [
        ("吴十", "open", "activist"),
        ("郑十一", "open", "activist_assessments"),
    ]
    # 吴十 has no assessment since 2024-09-10: DEV-ASSESS-6M; no contacts yet is no finding
    assert result.findings["DEV-ASSESS-6M"] == 2
    assert not DevelopmentRecord.objects.filter(person=applicant).exists()


def test_unmatched_people_with_a_stated_status_are_kept_unlinked(tree, worker, roll, today):
    row = example_row(roll["subject"], 入党介绍人="孙八、外单位人（正式党员，留党察看）")
    result = import_xlsx(actor=worker, org=tree.branch, upload=xlsx([row]), today=today)
    assert result.ok
    people = list(
        StepPerson.objects.filter(role="introducer")
        .order_by("position")
        .values_list("name", "person", "status", "sanction")
    )
    assert people == [
        ("孙八", roll["孙八"].pk, "full", ""),
        ("外单位人", None, "full", "probation_within_party"),
    ]


def test_contact_persons_are_checked_with_the_roll_on_the_step_date(tree, worker, roll, today):
    # 钱七: a full member without sanction on 2024-09-10 → no finding
    row = activist_row(activist(tree), **{"5 指定培养联系人": "2024-09-10", "培养联系人": "钱七"})
    result = import_xlsx(actor=worker, org=tree.branch, upload=xlsx([row]), today=today)
    assert "DEV-CONTACTS" not in result.findings
    # 韩新: admitted on 2024-12-01, so not yet a member on 2024-09-10;
    # 褚察: under 留党察看 from 2024-09-01
    factories.person(
        tree.branch,
        name="韩新",
        status="probationary",
        birth_date=D(1999, 1, 1),
        admission_date=D(2024, 12, 1),
    )
    checked = factories.person(tree.branch, name="褚察", birth_date=D(1979, 1, 1))
    Sanction.objects.create(
        person=checked, kind="probation_within_party", decided_on=D(2024, 9, 1), probation_years=2
    )
    row = activist_row(
        activist(tree, "王十三", 3),
        **{"5 指定培养联系人": "2024-09-10", "培养联系人": "韩新、褚察"},
    )
    result = import_xlsx(actor=worker, org=tree.branch, upload=xlsx([row]), today=today)
    assert result.findings["DEV-CONTACTS"] == 2
    people = StepPerson.objects.filter(entry__record__person__name="王十三").order_by("position")
    assert list(people.values_list("name", "status", "sanction")) == [
        ("韩新", "applicant", ""),
        ("褚察", "full", "probation_within_party"),
    ]


# --- bad rows: nothing is written ---------------------------------------------------------


def test_one_bad_row_imports_nothing_and_reports_row_column_and_reason(tree, worker, roll, today):
    good = activist_row(activist(tree))
    bad = example_row(roll["subject"], **{"10 进行政治审查": "2021-13-10"})
    before = counts()
    result = import_xlsx(actor=worker, org=tree.branch, upload=xlsx([good, bad]), today=today)
    assert not result.ok
    assert errors(result) == [(3, "10 进行政治审查", "日期“2021-13-10”不存在：月份应为1至12。")]
    assert result.errors[0].value == "2021-13-10"
    assert (result.created, result.record_ids, result.findings) == (0, [], {})
    assert counts() == before


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2021-02-30", "日期“2021-02-30”不存在：2021年2月没有30日。"),
        (
            "去年",
            "日期格式不正确。日期可填写为2025-01-31、2025/1/31、2025.1.31、20250131或Excel日期。",
        ),
        ("2027-01-01", "日期2027-01-01晚于今天，历史记录不能有将来的日期。"),
    ],
)
def test_bad_dates(tree, worker, today, value, message):
    row = activist_row(activist(tree), **{"2 党组织派人谈话": value})
    result = import_xlsx(actor=worker, org=tree.branch, upload=xlsx([row]), today=today)
    assert errors(result) == [(2, "2 党组织派人谈话", message)]


def test_a_bad_date_among_several_names_which(tree, worker, today):
    row = activist_row(activist(tree), **{"6 培养教育考察": "2025-03-01、2025-3-32"})
    result = import_xlsx(actor=worker, org=tree.branch, upload=xlsx([row]), today=today)
    assert errors(result) == [
        (2, "6 培养教育考察", "第2个日期“2025-3-32”：日期“2025-3-32”不存在：2025年3月没有32日。")
    ]


def test_unknown_id_number_and_person_outside_scope(tree, worker, today):
    outsider = factories.person(
        tree.sibling, name="卫十四", status="activist", birth_date=D(2002, 5, 5)
    )
    unknown = factories.id_number_for(D(2001, 1, 1), "male", serial=77)
    rows = [
        activist_row(outsider),
        activist_row(outsider, 姓名="无名", 公民身份号码=unknown),
        activist_row(outsider, 公民身份号码="110105200101010000"),
    ]
    result = import_xlsx(actor=worker, org=tree.branch, upload=xlsx(rows), today=today)
    message = "该身份证号码不在本组织名册中，请先导入名册。"
    assert errors(result) == [
        (2, "公民身份号码", message),
        (3, "公民身份号码", message),
        (4, "公民身份号码", "身份证号码第18位校验码应为5，实际为0。"),
    ]


def test_duplicate_person_rows_name_the_first_row(tree, worker, today):
    a = activist(tree)
    result = import_xlsx(
        actor=worker, org=tree.branch, upload=xlsx([activist_row(a), activist_row(a)]), today=today
    )
    assert errors(result) == [
        (3, "公民身份号码", "与第2行的公民身份号码重复：每人只能有一条发展记录。")
    ]


def test_a_name_that_differs_from_the_roll(tree, worker, today):
    result = import_xlsx(
        actor=worker,
        org=tree.branch,
        upload=xlsx([activist_row(activist(tree), 姓名="吴拾")]),
        today=today,
    )
    assert errors(result) == [(2, "姓名", "姓名与名册不一致：名册中该身份证号码的姓名为“吴十”。")]


@pytest.mark.parametrize(
    ("changes", "column", "message"),
    [
        (
            {"7 确定发展对象": "2025-09-20"},
            "7 确定发展对象",
            "名册中该人员的政治面貌为“入党积极分子”，而记录的最后一步是第7步「确定发展对象」"
            "（应为“发展对象”），两者不一致；请先核实名册或本记录。",
        ),
        (
            {"3 推荐和确定入党积极分子": None, "推荐方式": None},
            "3 推荐和确定入党积极分子",
            "名册中该人员的政治面貌为“入党积极分子”，而记录中没有确定入党积极分子及以后的步骤"
            "（应为“入党申请人”），两者不一致；请先核实名册或本记录。",
        ),
    ],
)
def test_the_roll_status_must_agree_with_the_last_step(
    tree, worker, today, changes, column, message
):
    row = activist_row(activist(tree), **changes)
    result = import_xlsx(actor=worker, org=tree.branch, upload=xlsx([row]), today=today)
    assert errors(result) == [(2, column, message)]


def test_the_roll_admission_date_must_agree_with_step_15(tree, worker, roll, today):
    row = example_row(roll["subject"], **{"15 支部大会讨论": "2021-06-09"})
    result = import_xlsx(actor=worker, org=tree.branch, upload=xlsx([row]), today=today)
    assert errors(result) == [
        (
            2,
            "15 支部大会讨论",
            "名册中的入党日期为2021-06-08，与第15步「支部大会讨论」的日期2021-06-09不一致。",
        )
    ]


def test_a_data_column_without_its_step_date(tree, worker, today):
    row = activist_row(activist(tree), 政审结论="合格", 审批机关="党委")
    result = import_xlsx(actor=worker, org=tree.branch, upload=xlsx([row]), today=today)
    assert errors(result) == [
        (2, "政审结论", "填写了“政审结论”，但没有填写“10 进行政治审查”的日期。"),
        (2, "审批机关", "填写了审批机关，但没有填写第13、17或24步（预审、审批）的日期。"),
    ]


def test_bad_enumerations_numbers_and_votes(tree, worker, roll, today):
    row = example_row(
        roll["subject"],
        推荐方式="自荐",
        培训学时="24.25",
        接收大会赞成票=None,
    )
    result = import_xlsx(actor=worker, org=tree.branch, upload=xlsx([row]), today=today)
    assert errors(result) == [
        (2, "推荐方式", "“自荐”不是有效的推荐方式，可填：党员推荐、共青团推优、群团组织推优。"),
        (2, "培训学时", "最多保留一位小数。"),
        (
            2,
            "接收大会赞成票",
            "表决情况应同时填写应到人数、实到人数和赞成票，缺少“接收大会赞成票”。",
        ),
    ]


def test_a_timeline_error_names_the_column(tree, worker, roll, today):
    # more training days than the dates allow: parse_timeline's TimelineError
    row = example_row(roll["subject"], 培训天数=5)
    result = import_xlsx(actor=worker, org=tree.branch, upload=xlsx([row]), today=today)
    assert errors(result) == [(2, "培训天数", "「培训天数」为5天，超过起止日期之间的3天。")]


def test_people_cells_unknown_or_ambiguous_names_need_a_status(tree, worker, roll, today):
    factories.person(tree.branch, name="孙八", birth_date=D(1970, 3, 3))
    row = example_row(roll["subject"], 入党介绍人="孙八、无此人")
    result = import_xlsx(actor=worker, org=tree.branch, upload=xlsx([row]), today=today)
    assert errors(result) == [
        (
            2,
            "入党介绍人",
            "“孙八”：本组织名册中有2人同名，请在姓名后写明其当时的政治面貌，如“孙八（正式党员）”。",
        ),
        (
            2,
            "入党介绍人",
            "“无此人”：本组织名册中没有此人，请在姓名后写明其当时的政治面貌，如“无此人（正式党员）”。",
        ),
    ]


def test_a_stated_status_that_contradicts_the_roll(tree, worker, roll, today):
    row = example_row(roll["subject"], 入党介绍人="孙八、周九（预备党员）")
    result = import_xlsx(actor=worker, org=tree.branch, upload=xlsx([row]), today=today)
    assert errors(result) == [
        (
            2,
            "入党介绍人",
            "“周九”：文件写明2021-04-25时为“预备党员”，名册记载为“正式党员，留党察看”，两者不一致。",
        )
    ]


def test_read_people():
    assert read_people("王五、赵六 (正式党员, 留党察看)") == [
        read_people("王五")[0],
        read_people("赵六（正式党员，留党察看）")[0],
    ]
    assert [(p.name, p.status, p.sanction) for p in read_people("赵六（正式党员，留党察看）")] == [
        ("赵六", "full", "probation_within_party")
    ]
    with pytest.raises(ValueError, match="“王五”后括号中的“好人”不是政治面貌或处分"):
        read_people("王五（好人）")


# --- the file -----------------------------------------------------------------------------


def test_not_an_xlsx(tree, worker, today):
    with pytest.raises(InvalidInput) as exc:
        import_xlsx(
            actor=worker,
            org=tree.branch,
            upload=SimpleUploadedFile("a.xlsx", b"hello"),
            today=today,
        )
    assert exc.value.fields == {
        "file": ["文件内容不是Excel工作簿（.xlsx），可能是其他格式的文件改了扩展名。"]
    }


def test_too_large_and_too_many_rows(tree, worker, today, settings):
    a, b = activist(tree), activist(tree, "郑十一", 2)
    upload = xlsx([activist_row(a), activist_row(b)])
    settings.DANGWU = {**settings.DANGWU, "IMPORT_MAX_ROWS": 1}
    with pytest.raises(InvalidInput, match="文件超过每次导入1行的上限"):
        import_xlsx(actor=worker, org=tree.branch, upload=upload, today=today)
    settings.DANGWU = {**settings.DANGWU, "IMPORT_MAX_ROWS": 100, "IMPORT_MAX_BYTES": 1000}
    with pytest.raises(InvalidInput, match="超过每次导入0 MB的上限"):
        import_xlsx(actor=worker, org=tree.branch, upload=upload, today=today)
    assert counts() == (0, 0, 0, 0)


def test_unknown_and_missing_headers(tree, worker, today):
    with pytest.raises(InvalidInput, match="表头中有无法识别的列：“入党时间”"):
        import_xlsx(
            actor=worker,
            org=tree.branch,
            upload=xlsx([], headers=["姓名", "公民身份号码", "入党时间"]),
            today=today,
        )
    with pytest.raises(InvalidInput, match="缺少必填的列：公民身份号码"):
        import_xlsx(
            actor=worker,
            org=tree.branch,
            upload=xlsx([], headers=["姓名", "1 递交入党申请书"]),
            today=today,
        )
    with pytest.raises(InvalidInput, match="文件中没有发展记录"):
        import_xlsx(actor=worker, org=tree.branch, upload=xlsx([]), today=today)


def test_headers_by_step_name_alone_and_aliases(tree, worker, today):
    a = activist(tree)
    headers = [
        "序号",
        "身份证号码",
        "姓名",
        "递交入党申请书",
        "2、党组织派人谈话",
        "第3步推荐和确定入党积极分子",
        "推荐方式",
    ]
    row = {
        "序号": 1,
        "身份证号码": a.id_number,
        "姓名": a.name,
        "递交入党申请书": "2024-03-01",
        "2、党组织派人谈话": "2024-03-20",
        "第3步推荐和确定入党积极分子": "2024-09-10",
        "推荐方式": "党员推荐",
    }
    result = import_xlsx(
        actor=worker, org=tree.branch, upload=xlsx([row], headers=headers), today=today
    )
    assert (result.ok, result.created) == (True, 1)


def test_an_id_number_stored_as_a_number(tree, worker, today):
    a = activist(tree)
    row = activist_row(a, 公民身份号码=float(a.id_number[:15]))
    result = import_xlsx(actor=worker, org=tree.branch, upload=xlsx([row]), today=today)
    assert [e.message for e in result.errors] == [
        "身份证号码被Excel存成了数字，后几位已经丢失；请将该列设为文本格式后重新填写。"
    ]


def test_permission_edit_on_the_org(tree, today, roll):
    leader = factories.user_with_role("gl", tree.branch, kind="group_leader")
    sibling = factories.user_with_role("sib", tree.sibling)
    for actor in (leader, sibling):
        with pytest.raises(NotFound):
            import_xlsx(
                actor=actor,
                org=tree.branch,
                upload=xlsx([example_row(roll["subject"])]),
                today=today,
            )
    assert counts() == (0, 0, 0, 0)


def test_an_ancestor_imports_people_of_several_branches(tree, today):
    anc = factories.user_with_role("anc", tree.committee)
    a = activist(tree)
    b = factories.person(tree.sibling, name="褚十五", status="activist", birth_date=D(2002, 6, 6))
    result = import_xlsx(
        actor=anc, org=tree.committee, upload=xlsx([activist_row(a), activist_row(b)]), today=today
    )
    assert result.created == 2
    assert sorted(DevelopmentRecord.objects.values_list("branch__name", flat=True)) == [
        "教工党支部",
        "本科生第一党支部",
    ]


# --- the template -------------------------------------------------------------------------


def test_the_template_is_prefilled_and_round_trips(tree, worker, roll, today):
    a = activist(tree)
    factories.person(tree.branch, name="冯十二", status="applicant", birth_date=D(2003, 1, 1))
    factories.person(tree.sibling, name="外支部", status="activist", birth_date=D(2003, 1, 2))
    out = io.BytesIO()
    assert import_template(actor=worker, org=tree.branch, out=out) == 2
    wb = load_workbook(io.BytesIO(out.getvalue()))
    assert wb.sheetnames == ["发展记录", "说明"]
    ws = wb["发展记录"]
    header = [c.value for c in ws[1]]
    assert header == [*HEADERS, "所在党支部", "名册政治面貌"]
    rows = [r[:2] + r[-2:] for r in ws.iter_rows(min_row=2, values_only=True)]
    assert sorted(rows) == sorted(
        [
            ("吴十", a.id_number, "本科生第一党支部", "入党积极分子"),
            (
                "冯十二",
                Person.objects.get(name="冯十二").id_number,
                "本科生第一党支部",
                "入党申请人",
            ),
        ]
    )
    help_rows = list(wb["说明"].iter_rows(min_row=2, max_row=3, max_col=2, values_only=True))
    assert help_rows == [("姓名", "必填"), ("公民身份号码", "必填")]
    assert len(ws.data_validations.dataValidation) == 3
    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert event.detail == {"kind": "development_import_template", "rows": 2, "full_id_numbers": 2}
    # fill 吴十's row and import the template
    index = {h: i for i, h in enumerate(header)}
    for row in ws.iter_rows(min_row=2):
        if row[0].value == "吴十":
            for key, value in activist_row(a).items():
                row[index[key]].value = value
    filled = io.BytesIO()
    wb.save(filled)
    result = import_xlsx(
        actor=worker,
        org=tree.branch,
        upload=SimpleUploadedFile("t.xlsx", filled.getvalue()),
        today=today,
    )
    assert (result.ok, result.rows, result.created) == (True, 1, 1)
    assert DevelopmentRecord.objects.get().person == a


def test_the_template_needs_edit(tree, today):
    with pytest.raises(NotFound):
        import_template(
            actor=factories.user_with_role("gl", tree.branch, kind="group_leader"),
            org=tree.branch,
            out=io.BytesIO(),
        )


# --- timeline JSON files ------------------------------------------------------------------


def example_json(person, **person_fields):
    data = example_timeline()
    data["person"] = {"id_number": person.id_number, "name": person.name, **person_fields}
    return data


def test_json_files_import_the_domain_example(tree, worker, roll, today):
    a = activist(tree)
    other = {
        "person": {"id_number": a.id_number},
        "steps": {
            "application": {"date": "2024-03-01"},
            "application_talk": {"date": "2024-03-20"},
            "activist": {"date": "2024-09-10", "recommended_by": "party_members"},
        },
        "thought_reports": [{"date": "2024-03-25"}],
    }
    uploads = [
        upload_json(example_json(roll["subject"], birth_date="2001-05-04"), "a.json"),
        upload_json([other], "b.json"),
    ]
    result = import_json(actor=worker, org=tree.branch, uploads=uploads, today=today)
    assert (result.ok, result.rows, result.created, result.kind) == (True, 2, 2, "json")
    assert result.findings["DEV-INTRODUCERS"] == 1
    record = DevelopmentRecord.objects.get(person=roll["subject"])
    data = timeline_data(record)
    assert data["steps"]["introducers"]["people"] == [
        {"name": "第1人", "status": "full"},
        {"name": "第2人", "status": "full", "sanction": "probation_within_party"},
    ]
    assert record.state == RecordState.DONE
    assert timeline_data(DevelopmentRecord.objects.get(person=a))["thought_reports"] == [
        {"date": "2024-03-25"}
    ]
    # again: unchanged
    again = import_json(
        actor=worker,
        org=tree.branch,
        uploads=[
            upload_json(example_json(roll["subject"]), "a.json"),
            upload_json([other], "b.json"),
        ],
        today=today,
    )
    assert (again.ok, again.created, again.unchanged) == (True, 0, 2)


def test_json_people_linked_by_id_number_take_the_roll(tree, worker, roll, today):
    data = example_json(roll["subject"])
    data["steps"]["introducers"]["people"] = [
        {"name": "孙八", "id_number": roll["孙八"].id_number},
        {"id_number": roll["周九"].id_number},
    ]
    result = import_json(actor=worker, org=tree.branch, uploads=[upload_json(data)], today=today)
    assert result.ok
    assert list(
        StepPerson.objects.filter(role="introducer").values_list("name", "person", "sanction")
    ) == [("孙八", roll["孙八"].pk, ""), ("周九", roll["周九"].pk, "probation_within_party")]


def test_bad_json_files_are_reported_by_file_and_field(tree, worker, roll, today):
    a = activist(tree)
    bad_date = {
        "person": {"id_number": a.id_number, "name": a.name},
        "steps": {"application": {"date": "2024/03/01"}},
    }
    good = example_json(roll["subject"])
    uploads = [
        upload_json('{"person": ', "broken.json"),
        upload_json([good, bad_date], "list.json"),
        upload_json(
            {
                "person": {"id_number": a.id_number},
                "steps": {"activist": {"date": "2024-09-10", "recommended_by": "self"}},
            },
            "enum.json",
        ),
        upload_json(example_json(roll["subject"], birth_date="2001-05-05"), "dup.json"),
    ]
    before = counts()
    result = import_json(actor=worker, org=tree.branch, uploads=uploads, today=today)
    assert [(e.file, e.column, e.message) for e in result.errors] == [
        ("broken.json", "", "不是有效的JSON：第1行第12列附近有语法错误。"),
        (
            "list.json",
            "[1].steps.application.date",
            '「steps.application.date」应为 YYYY-MM-DD 格式的日期，实际为"2024/03/01"。',
        ),
        (
            "enum.json",
            "person.id_number",
            "与list.json[1]的公民身份号码重复：每人只能有一条发展记录。",
        ),
        (
            "dup.json",
            "person.id_number",
            "与list.json[0]的公民身份号码重复：每人只能有一条发展记录。",
        ),
    ]
    assert result.errors[0].where == "broken.json"
    assert counts() == before


def test_json_person_facts_and_unknown_fields(tree, worker, roll, today):
    uploads = [upload_json(example_json(roll["subject"], birth_date="2001-05-05"), "a.json")]
    result = import_json(actor=worker, org=tree.branch, uploads=uploads, today=today)
    assert [(e.column, e.message) for e in result.errors] == [
        (
            "person.birth_date",
            "「person.birth_date」为'2001-05-05'，名册记载为'2001-05-04'，两者不一致。",
        )
    ]
    data = example_json(roll["subject"])
    data["extra"] = 1
    del data["person"]["id_number"]
    result = import_json(actor=worker, org=tree.branch, uploads=[upload_json([data])], today=today)
    assert [(e.column, e.message) for e in result.errors] == [
        ("[0].person.id_number", "缺少「person.id_number」（公民身份号码，字符串）。"),
        ("[0].extra", "未知的字段「extra」。"),
    ]


def test_json_too_large_or_no_file(tree, worker, roll, today, settings):
    with pytest.raises(InvalidInput, match="请选择要导入的文件"):
        import_json(actor=worker, org=tree.branch, uploads=[], today=today)
    settings.DANGWU = {**settings.DANGWU, "IMPORT_MAX_BYTES": 100}
    with pytest.raises(InvalidInput, match="超过每次导入0 MB的上限"):
        import_json(
            actor=worker,
            org=tree.branch,
            uploads=[upload_json(example_json(roll["subject"]))],
            today=today,
        )
