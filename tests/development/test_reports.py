"""Thought reports (DEV-THOUGHT-REPORT): handing one in, the contact person's comment, the
quarter grid and the organization's list of people without a report this quarter.

王积极 applied on 2025-01-31, became an activist on 2025-08-01 with 张三 as contact person;
today is 2026-11-22 (2026-Q4)."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from dangwu.core.errors import DomainError, InvalidInput, NotFound, PermissionDenied
from dangwu.core.scope import scope_for
from dangwu.development import selectors_reports as sel
from dangwu.development.models import DevelopmentRecord, ThoughtReport
from dangwu.development.services import reports as services
from tests import factories

D = dt.date
TODAY = D(2026, 11, 22)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n" + b"0" * 32
pytestmark = pytest.mark.django_db


def timeline(contacts=(), reports=None, **steps):
    data = {
        "steps": {
            "application": {"date": "2025-01-31"},
            "activist": {"date": "2025-08-01", "recommended_by": "party_members"},
            "contacts_assigned": {
                "date": "2025-08-05",
                "people": [{"name": c.name, "status": "full", "person_id": c.pk} for c in contacts],
            },
            **steps,
        }
    }
    if reports is not None:
        data["thought_reports"] = [{"date": d} for d in reports]
    return data


@pytest.fixture
def wang(tree):
    return factories.person(
        tree.branch, name="王积极", status="activist", group=tree.group, applied_on=D(2025, 1, 31)
    )


@pytest.fixture
def record(wang, member):
    return factories.development(wang, timeline([member]), today=TODAY)


@pytest.fixture
def wang_user(wang):
    return factories.user_with_role("wang", None, person=wang)


@pytest.fixture
def contact_user(member):
    return factories.user_with_role("zhang", None, person=member)


@pytest.fixture
def other_member(tree):
    """李明: a full member of the same branch who is not 王积极's contact person."""
    return factories.user_with_role("li", None, person=factories.person(tree.branch, name="李明"))


@pytest.fixture
def secretary(tree):
    return factories.user_with_role(
        "shuji", tree.branch, "secretary", person=factories.person(tree.branch, name="陈书记")
    )


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def submit(actor, person, **kw):
    values = {"submitted_on": D(2026, 11, 20), "text": "学习党章的体会", "today": TODAY, **kw}
    return services.report_submit(actor=actor, person=person, **values)


# --- handing in -------------------------------------------------------------------------------


def test_a_person_hands_in_their_own_report(record, wang, wang_user):
    report = submit(wang_user, wang, title="第四季度思想汇报")

    assert (
        report.record_id,
        report.submitted_on,
        report.title,
        report.text,
        report.file.name,
        report.recorded_by,
    ) == (record.pk, D(2026, 11, 20), "第四季度思想汇报", "学习党章的体会", "", wang_user)
    assert report.history.get().history_user == wang_user
    record.refresh_from_db()
    assert record.checked_on == TODAY


def test_a_party_worker_enters_a_paper_report_as_a_scan(record, wang, worker, media):
    report = submit(worker, wang, text="", upload=SimpleUploadedFile("汇报.png", PNG))

    assert (report.text, report.recorded_by, report.file.read()) == ("", worker, PNG)
    assert report.file.name.startswith("thought_reports/2")
    assert report.file.name.endswith(".png") and "汇报" not in report.file.name


def test_a_report_moves_the_rule_cache(wang, member, wang_user):
    """Handing in the missing quarter's report removes the DEV-THOUGHT-REPORT warning."""
    rec = factories.development(
        wang,
        timeline([member], reports=["2025-04-10", "2025-07-10", "2025-10-10", "2026-01-10"]),
        today=TODAY,
    )
    before = rec.warning_count
    submit(wang_user, wang, submitted_on=D(2026, 4, 2))
    submit(wang_user, wang, submitted_on=D(2026, 8, 2))

    rec.refresh_from_db()
    assert rec.warning_count == before - 1


@pytest.mark.parametrize("who", ["sibling", "no_role", "anonymous"])
def test_an_outsider_cannot_hand_in_a_report(record, wang, viewers, who):
    with pytest.raises(NotFound):
        submit(viewers[who], wang)

    assert ThoughtReport.objects.count() == 0


def test_a_contact_person_cannot_hand_in_a_report_for_the_person(record, wang, contact_user):
    with pytest.raises(NotFound):
        submit(contact_user, wang)

    assert ThoughtReport.objects.count() == 0


@pytest.mark.parametrize(
    ("kw", "field", "message"),
    [
        ({"submitted_on": D(2026, 11, 23)}, "submitted_on", "提交日期不能晚于今天。"),
        (
            {"submitted_on": D(2025, 1, 30)},
            "submitted_on",
            "提交日期不能早于递交入党申请书的日期（2025年1月31日）。",
        ),
        ({"text": "  "}, "text", "请填写汇报内容或上传附件。"),
        ({"title": "题" * 201}, "title", "标题不能超过200字。"),
        (
            {"upload": SimpleUploadedFile("汇报.docx", b"PK\x03\x04")},
            "upload",
            "附件只能是PDF、JPEG或PNG格式。",
        ),
        (
            {"upload": SimpleUploadedFile("汇报.pdf", PNG)},
            "upload",
            "附件内容与扩展名.pdf不符。",
        ),
        ({"upload": SimpleUploadedFile("汇报.jpg", b"")}, "upload", "附件是空的。"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(
    record, wang, wang_user, media, kw, field, message
):
    with pytest.raises(InvalidInput) as exc:
        submit(wang_user, wang, **kw)

    assert (exc.value.message, exc.value.fields[field]) == (message, [message])
    assert ThoughtReport.objects.count() == 0
    assert list(media.iterdir()) == []


def test_a_scan_over_the_size_limit_is_refused(record, wang, wang_user, media, monkeypatch):
    monkeypatch.setattr(services, "MAX_REPORT_BYTES", 1024 * 1024)
    big = PDF + b"0" * (1024 * 1024)
    with pytest.raises(InvalidInput) as exc:
        submit(wang_user, wang, upload=SimpleUploadedFile("a.pdf", big))

    assert exc.value.message == "附件大小不能超过1MB。"
    assert ThoughtReport.objects.count() == 0


def test_a_pdf_scan_is_accepted(record, wang, wang_user, media):
    report = submit(wang_user, wang, text="", upload=SimpleUploadedFile("汇报.PDF", PDF))

    assert report.file.name.endswith(".pdf")


def test_a_person_not_in_a_reporting_status_cannot_hand_in(tree, worker):
    full = factories.person(tree.branch, name="周正式", applied_on=D(2014, 1, 1))
    factories.development(full, {"steps": {"application": {"date": "2014-01-01"}}}, today=TODAY)

    with pytest.raises(DomainError) as exc:
        submit(worker, full)

    assert exc.value.message == (
        "只有入党申请人、入党积极分子、发展对象和预备党员需要提交思想汇报。"
    )
    assert ThoughtReport.objects.count() == 0


def test_a_closed_record_or_no_record_takes_no_report(record, wang, worker, tree):
    DevelopmentRecord.objects.filter(pk=record.pk).update(state="stopped", closed_on=TODAY)
    applicant = factories.person(tree.branch, name="吴申请", status="applicant")

    for person in (wang, applicant):
        with pytest.raises(DomainError) as exc:
            submit(worker, person)
        assert exc.value.message == "没有进行中的发展党员记录，不能提交思想汇报。"
    assert ThoughtReport.objects.count() == 0


# --- comments ---------------------------------------------------------------------------------


@pytest.fixture
def report(record, wang, wang_user):
    return submit(wang_user, wang)


def test_a_contact_person_comments(report, contact_user, member):
    r = services.report_comment(
        actor=contact_user, report=report, comment="  认识深刻，继续努力。 ", today=TODAY
    )

    r.refresh_from_db()
    assert (r.comment, r.commented_by, r.commented_on) == ("认识深刻，继续努力。", member, TODAY)
    assert r.history.first().history_user == contact_user


def test_the_branch_committee_comments(report, secretary):
    r = services.report_comment(actor=secretary, report=report, comment="已阅。", today=TODAY)

    assert (r.comment, r.commented_by.name) == ("已阅。", "陈书记")


def test_a_member_who_is_not_a_contact_person_cannot_comment(report, other_member):
    with pytest.raises(NotFound):
        services.report_comment(actor=other_member, report=report, comment="好", today=TODAY)

    report.refresh_from_db()
    assert (report.comment, report.commented_by) == ("", None)


def test_a_group_leader_reads_but_does_not_comment_unless_a_contact(report, tree):
    leader = factories.user_with_role(
        "zuzhang", tree.group, "group_leader", person=factories.person(tree.branch, name="组长")
    )

    assert sel.report_get_for(scope_for(leader), report.pk) == report
    with pytest.raises(PermissionDenied) as exc:
        services.report_comment(actor=leader, report=report, comment="好", today=TODAY)

    assert exc.value.message == "只有培养联系人或党支部委员会可以评阅思想汇报。"
    report.refresh_from_db()
    assert report.comment == ""


def test_the_person_cannot_comment_on_their_own_report(report, wang_user):
    with pytest.raises(PermissionDenied) as exc:
        services.report_comment(actor=wang_user, report=report, comment="好", today=TODAY)

    assert exc.value.message == "不能评阅本人的思想汇报。"


def test_a_user_without_a_linked_person_cannot_sign_a_comment(report, worker):
    with pytest.raises(InvalidInput) as exc:
        services.report_comment(actor=worker, report=report, comment="好", today=TODAY)

    assert exc.value.message == "您的账号没有关联人员档案，不能签署评阅意见。"
    report.refresh_from_db()
    assert report.comment == ""


def test_an_empty_comment_is_refused(report, contact_user):
    with pytest.raises(InvalidInput) as exc:
        services.report_comment(actor=contact_user, report=report, comment=" ", today=TODAY)

    assert exc.value.fields == {"comment": ["请填写评阅意见。"]}


# --- reading ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("no_role", False),
        ("sibling", False),
        ("own_org", True),
        ("ancestor", True),
        ("wang", True),
        ("contact", True),
        ("other_member", False),
    ],
)
def test_who_reads_a_persons_reports(
    report, wang, viewers, wang_user, contact_user, other_member, who, allowed
):
    users = {**viewers, "wang": wang_user, "contact": contact_user, "other_member": other_member}
    scope = scope_for(users[who])

    if allowed:
        page = sel.report_list_for(scope, wang.pk, today=TODAY)
        assert [r.pk for r in page.reports] == [report.pk]
        assert sel.report_get_for(scope, report.pk) == report
    else:
        with pytest.raises(NotFound):
            sel.report_list_for(scope, wang.pk, today=TODAY)
        with pytest.raises(NotFound):
            sel.report_get_for(scope, report.pk)


def test_what_each_reader_may_do(report, wang, wang_user, contact_user, worker, secretary):
    def can(user):
        page = sel.report_list_for(scope_for(user), wang.pk, today=TODAY)
        return (page.is_self, page.is_contact, page.can_submit, page.can_comment)

    assert can(wang_user) == (True, False, True, False)
    assert can(contact_user) == (False, True, False, True)
    assert can(worker) == (False, False, True, False)  # no linked person: cannot sign
    # The secretary runs development (Perm.DEVELOP): enters paper reports too.
    assert can(secretary) == (False, False, True, True)


def test_the_quarter_grid_of_a_person_who_applied_on_2025_01_31(wang, member):
    factories.development(
        wang,
        timeline([member], reports=["2025-04-10", "2025-11-02", "2026-05-05", "2026-06-30"]),
        today=TODAY,
    )

    page = sel.report_list_for(scope_for(factories.superuser("r")), wang.pk, today=TODAY)
    c = page.coverage

    assert [(y.year, [cell.state for cell in y.cells]) for y in c.years] == [
        (2025, ["not_required", "handed_in", "missing", "handed_in"]),
        (2026, ["missing", "handed_in", "missing", "current"]),
    ]
    assert c.missing == ["2025-Q3", "2026-Q1", "2026-Q3"]
    assert c.handed_in == ["2025-Q2", "2025-Q4", "2026-Q2"]
    assert (c.current, c.current_state, c.current_due) == ("2026-Q4", "current", D(2026, 12, 31))
    assert [cell.count for cell in c.years[1].cells] == [0, 2, 0, 0]
    assert c.finding.code == "DEV-THOUGHT-REPORT"
    assert c.finding.message == (
        "2025年第3季度、2026年第1季度、2026年第3季度没有思想汇报（应每季度至少一次）。"
    )


def test_a_report_this_quarter_marks_the_current_quarter_handed_in(record, wang, wang_user):
    submit(wang_user, wang, submitted_on=D(2026, 10, 1))

    c = sel.report_list_for(scope_for(wang_user), wang.pk, today=TODAY).coverage

    assert (c.current_state, c.years[-1].cells[-1].state) == ("handed_in", "handed_in")


def test_nothing_is_owed_after_the_conversion_approval():
    c = sel.quarter_coverage(
        application=D(2025, 1, 31),
        reports=[D(2025, 4, 1), D(2025, 7, 1)],
        today=TODAY,
        conversion=D(2025, 12, 1),
    )

    assert [(y.year, [cell.state for cell in y.cells]) for y in c.years] == [
        (2025, ["not_required", "handed_in", "handed_in", "not_required"]),
        (2026, ["not_required"] * 4),
    ]
    assert (c.missing, c.finding) == ([], None)


def test_an_untracked_import_is_counted_from_the_day_it_was_recorded():
    c = sel.quarter_coverage(
        application=D(2025, 1, 31), reports=[], today=TODAY, tracking_start=D(2026, 2, 10)
    )

    assert c.missing == ["2026-Q2", "2026-Q3"]
    assert [cell.state for cell in c.years[1].cells] == [
        "not_required",
        "missing",
        "missing",
        "current",
    ]


def test_without_an_application_date_there_is_no_grid():
    c = sel.quarter_coverage(application=None, reports=[], today=TODAY)

    assert (c.years, c.missing, c.current_state) == ([], [], "outside")


def test_my_development(record, wang_user, member):
    mine = sel.my_development(scope_for(wang_user), today=TODAY)

    assert (mine.person.name, mine.record, mine.last_label) == (
        "王积极",
        record,
        "第5步「指定培养联系人」",
    )
    assert [c.name for c in mine.page.contacts] == ["张三"]
    assert mine.page.can_submit is True


def test_my_development_without_a_record_or_a_person(tree, worker):
    plain = factories.user_with_role("p", None, person=factories.person(tree.branch, name="郑"))

    assert sel.my_development(scope_for(worker), today=TODAY) is None
    mine = sel.my_development(scope_for(plain), today=TODAY)
    assert (mine.person.name, mine.record, mine.page) == ("郑", None, None)


# --- the organization -------------------------------------------------------------------------


def test_missing_this_quarter_in_one_query(
    tree, worker, member, wang, record, django_assert_num_queries
):
    done = factories.person(
        tree.branch, name="安已交", status="candidate", applied_on=D(2024, 1, 2)
    )
    factories.development(
        done,
        {
            "steps": {"application": {"date": "2024-01-02"}},
            "thought_reports": [{"date": "2026-10-08"}],
        },
        today=TODAY,
    )
    full = factories.person(tree.branch, name="白正式", applied_on=D(2014, 1, 1))
    factories.development(full, {"steps": {"application": {"date": "2014-01-01"}}}, today=TODAY)
    stopped = factories.person(tree.branch, name="程终止", status="applicant")
    closed = factories.development(
        stopped, {"steps": {"application": {"date": "2026-01-01"}}}, today=TODAY
    )
    DevelopmentRecord.objects.filter(pk=closed.pk).update(state="stopped", closed_on=TODAY)
    elsewhere = factories.person(tree.sibling, name="丁外支", status="activist")
    factories.development(
        elsewhere, {"steps": {"application": {"date": "2026-01-01"}}}, today=TODAY
    )
    late = factories.person(tree.branch, name="方晚交", status="probationary")
    factories.development(
        late,
        {
            "steps": {"application": {"date": "2024-01-01"}},
            "thought_reports": [{"date": "2026-09-30"}],
        },
        today=TODAY,
    )

    with django_assert_num_queries(1):
        rows = sel.missing_this_quarter(scope_for(worker), tree.branch, TODAY)

    assert [r.person.name for r in rows] == ["方晚交", "王积极"]
    everyone = sel.missing_this_quarter(scope_for(factories.superuser("s")), tree.college, TODAY)
    assert [r.person.name for r in everyone] == ["方晚交", "王积极", "丁外支"]
    with pytest.raises(NotFound):
        sel.missing_this_quarter(scope_for(worker), tree.sibling, TODAY)
