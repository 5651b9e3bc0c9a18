"""The thought-report pages: the permission matrix (404 outside), the person hands in their
own report, a contact person comments, the scan is served only inside the scope, the
person's own page, forms that refuse bad input in Chinese, and bounded query counts."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dangwu.development.models import ThoughtReport
from dangwu.development.services import reports as services
from tests import factories
from tests.members.test_views import assert_status, login

D = dt.date
TODAY = D(2026, 11, 22)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
PDF = b"%PDF-1.4\n" + b"0" * 32
MATRIX = [
    ("anonymous", 302),
    ("no_role", 404),
    ("sibling", 404),
    ("own_org", 200),
    ("ancestor", 200),
]
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen(monkeypatch, settings, tmp_path):
    monkeypatch.setattr("dangwu.development.views_reports.today", lambda: TODAY)
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def wang(tree):
    return factories.person(
        tree.branch, name="王积极", status="activist", group=tree.group, applied_on=D(2025, 1, 31)
    )


@pytest.fixture
def record(wang, member):
    return factories.development(
        wang,
        {
            "steps": {
                "application": {"date": "2025-01-31"},
                "activist": {"date": "2025-08-01", "recommended_by": "party_members"},
                "contacts_assigned": {
                    "date": "2025-08-05",
                    "people": [{"name": "张三", "status": "full", "person_id": member.pk}],
                },
            },
            "thought_reports": [{"date": "2025-04-10"}, {"date": "2026-05-05"}],
        },
        today=TODAY,
    )


@pytest.fixture
def wang_user(wang):
    return factories.user_with_role("wang", None, person=wang)


@pytest.fixture
def contact_user(member):
    return factories.user_with_role("zhang", None, person=member)


@pytest.fixture
def scan(record, wang, wang_user):
    return services.report_submit(
        actor=wang_user,
        person=wang,
        submitted_on=D(2026, 11, 2),
        title="十一月汇报",
        upload=SimpleUploadedFile("汇报.png", PNG),
        today=TODAY,
    )


def reports_url(person):
    return reverse("development:reports", args=[person.pk])


# --- the permission matrix --------------------------------------------------------------------


@pytest.mark.parametrize(("who", "expected"), MATRIX)
def test_reports_page_matrix(client, viewers, record, wang, who, expected):
    response = login(client, viewers, who).get(reports_url(wang))

    assert_status(response, expected)
    if expected == 200:
        assert "王积极的思想汇报" in response.content.decode()


@pytest.mark.parametrize(("who", "expected"), MATRIX)
def test_report_file_matrix(client, viewers, scan, who, expected):
    response = login(client, viewers, who).get(reverse("development:report_file", args=[scan.pk]))

    assert_status(response, expected)
    if expected == 200:
        assert (response["Content-Type"], b"".join(response.streaming_content)) == (
            "image/png",
            PNG,
        )
        assert "no-cache" in response["Cache-Control"]


@pytest.mark.parametrize(("who", "expected"), MATRIX)
def test_report_comment_matrix(client, viewers, scan, who, expected):
    url = reverse("development:report_comment", args=[scan.pk])

    response = login(client, viewers, who).post(url, {f"c{scan.pk}-comment": "好"})

    assert_status(response, expected)
    if expected == 200:  # party workers without a linked person cannot sign a comment
        assert "您的账号没有关联人员档案，不能签署评阅意见。" in response.content.decode()
    scan.refresh_from_db()
    assert scan.comment == ""


def test_a_report_of_another_person_is_not_found_for_the_person(client, tree, scan, wang_user):
    other = factories.person(tree.branch, name="另一人", status="applicant")
    factories.development(other, {"steps": {"application": {"date": "2026-01-05"}}})
    client.force_login(factories.user_with_role("other", None, person=other))

    assert client.get(reports_url(scan.record.person)).status_code == 404
    assert client.get(reverse("development:report_file", args=[scan.pk])).status_code == 404


# --- the person and their contact person --------------------------------------------------


def test_the_person_sees_their_reports_and_hands_one_in(client, record, wang, wang_user):
    client.force_login(wang_user)
    body = client.get(reports_url(wang)).content.decode()

    assert "提交思想汇报" in body
    assert 'data-quarter="2026-Q3"' in body and "缺交" in body
    assert "评阅意见" not in body  # no comment form for oneself

    response = client.post(
        reports_url(wang),
        {"submitted_on": "2026-11-20", "title": "四季度", "text": "学习体会"},
    )

    assert (response.status_code, response.url) == (302, reports_url(wang))
    report = ThoughtReport.objects.get(title="四季度")
    assert (report.submitted_on, report.text, report.recorded_by) == (
        D(2026, 11, 20),
        "学习体会",
        wang_user,
    )


def test_a_party_worker_hands_in_a_scan(client, record, wang, worker):
    client.force_login(worker)

    response = client.post(
        reports_url(wang),
        {"submitted_on": "2026-11-21", "upload": SimpleUploadedFile("a.pdf", PDF)},
    )

    assert response.status_code == 302
    report = ThoughtReport.objects.get(submitted_on=D(2026, 11, 21))
    file = client.get(reverse("development:report_file", args=[report.pk]))
    assert file["Content-Disposition"].startswith("attachment;")
    assert file["Content-Type"] == "application/pdf"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"submitted_on": "2026-11-20", "text": ""}, "请填写汇报内容或上传附件。"),
        ({"submitted_on": "2026-11-23", "text": "内容"}, "提交日期不能晚于今天。"),
        ({"submitted_on": "", "text": "内容"}, "这个字段是必填项。"),
    ],
)
def test_bad_input_shows_the_reason_and_writes_nothing(
    client, record, wang, wang_user, data, message
):
    before = ThoughtReport.objects.count()
    client.force_login(wang_user)

    response = client.post(reports_url(wang), data)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert ThoughtReport.objects.count() == before


def test_a_bad_scan_is_refused(client, record, wang, wang_user, tmp_path):
    client.force_login(wang_user)

    response = client.post(
        reports_url(wang),
        {"submitted_on": "2026-11-20", "upload": SimpleUploadedFile("a.png", b"GIF89a....")},
    )

    assert "附件内容与扩展名.png不符。" in response.content.decode()
    assert list(tmp_path.iterdir()) == []


def test_a_reader_without_edit_cannot_post_a_report(client, record, wang, contact_user):
    client.force_login(contact_user)
    before = ThoughtReport.objects.count()

    response = client.post(reports_url(wang), {"submitted_on": "2026-11-20", "text": "x"})

    assert response.status_code == 404
    assert ThoughtReport.objects.count() == before


def test_a_contact_person_comments_on_a_report(client, scan, wang, contact_user, member):
    client.force_login(contact_user)
    body = client.get(reports_url(wang)).content.decode()
    assert "您是培养联系人" in body
    assert f'action="{reverse("development:report_comment", args=[scan.pk])}"' in body

    response = client.post(
        reverse("development:report_comment", args=[scan.pk]),
        {f"c{scan.pk}-comment": "认识较深刻。"},
    )

    assert (response.status_code, response.url) == (
        302,
        f"{reports_url(wang)}#report-{scan.pk}",
    )
    scan.refresh_from_db()
    assert (scan.comment, scan.commented_by, scan.commented_on) == ("认识较深刻。", member, TODAY)
    body = client.get(reports_url(wang)).content.decode()
    assert "评阅意见 · 张三 · 2026-11-22" in body


def test_an_empty_comment_shows_the_reason(client, scan, contact_user):
    client.force_login(contact_user)

    response = client.post(
        reverse("development:report_comment", args=[scan.pk]), {f"c{scan.pk}-comment": ""}
    )

    assert response.status_code == 200
    assert "这个字段是必填项。" in response.content.decode()


def test_the_person_cannot_comment_on_their_own_report(client, scan, wang_user):
    client.force_login(wang_user)

    response = client.post(
        reverse("development:report_comment", args=[scan.pk]), {f"c{scan.pk}-comment": "好"}
    )

    assert "不能评阅本人的思想汇报。" in response.content.decode()
    scan.refresh_from_db()
    assert scan.comment == ""


def test_a_comment_cannot_be_read_with_get(client, scan, contact_user):
    client.force_login(contact_user)

    assert client.get(reverse("development:report_comment", args=[scan.pk])).status_code == 405


# --- my page ----------------------------------------------------------------------------------


def test_me_shows_my_development_and_takes_a_report(client, record, wang_user):
    client.force_login(wang_user)
    body = client.get(reverse("development:me")).content.decode()

    assert "我的入党培养" in body
    assert "第5步「指定培养联系人」" in body
    assert "<dd>张三</dd>" in body
    assert "本季度（2026-Q4）尚未提交思想汇报，请于2026年12月31日前提交。" in body
    assert 'style="' not in body  # CSP: no inline styles

    response = client.post(
        reverse("development:me"), {"submitted_on": "2026-11-22", "text": "本季度汇报"}
    )

    assert (response.status_code, response.url) == (302, reverse("development:me"))
    assert ThoughtReport.objects.filter(record=record, text="本季度汇报").count() == 1
    body = client.get(reverse("development:me")).content.decode()
    assert "本季度（2026-Q4）已提交思想汇报。" in body


def test_me_for_a_user_without_a_person(client, worker):
    client.force_login(worker)

    response = client.get(reverse("development:me"))

    assert response.status_code == 200
    assert "您的账号还没有关联人员档案" in response.content.decode()
    assert client.post(reverse("development:me"), {"text": "x"}).status_code == 200


def test_me_for_a_member_without_a_record(client, viewers):
    client.force_login(viewers["no_role"])

    response = client.get(reverse("development:me"))

    assert "没有进行中的发展党员记录" in response.content.decode()
    assert client.post(reverse("development:me"), {"text": "x"}).status_code == 404


def test_me_asks_to_log_in(client):
    assert_status(client.get(reverse("development:me")), 302)


# --- query counts -----------------------------------------------------------------------------


@pytest.mark.parametrize("n", [1, 12])
def test_reports_page_query_count(
    client, record, wang, contact_user, django_assert_max_num_queries, n
):
    for i in range(n):
        services.report_submit(
            actor=factories.superuser(f"su{i}"),
            person=wang,
            submitted_on=D(2026, 1, 1) + dt.timedelta(days=20 * i),
            text=f"汇报{i}",
            today=TODAY,
        )
    client.force_login(contact_user)
    client.get(reports_url(wang))  # warm the session

    with django_assert_max_num_queries(10):
        response = client.get(reports_url(wang))

    assert response.content.decode().count('class="rq-report"') == n + 2


@pytest.mark.parametrize("n", [1, 12])
def test_me_page_query_count(client, record, wang, wang_user, django_assert_max_num_queries, n):
    for i in range(n):
        services.report_submit(
            actor=wang_user,
            person=wang,
            submitted_on=D(2026, 1, 1) + dt.timedelta(days=20 * i),
            text=f"汇报{i}",
            today=TODAY,
        )
    client.force_login(wang_user)
    client.get(reverse("development:me"))

    with django_assert_max_num_queries(10):
        response = client.get(reverse("development:me"))

    assert response.content.decode().count('class="rq-report"') == n + 2
