"""The historical import pages (development/views_import.py): upload and result, template."""

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from dangwu.development.models import DevelopmentRecord
from tests import factories
from tests.development.test_imports import (  # noqa: F401 - roll_fixture is the fixture
    activist,
    activist_row,
    example_row,
    roll_fixture,
    xlsx,
)

EDITORS = {"anonymous": 302, "no_role": 404, "sibling": 404, "own_org": 200, "ancestor": 200}


@pytest.mark.parametrize(("who", "status"), EDITORS.items())
@pytest.mark.parametrize("name", ["development:import", "development:import_template"])
def test_permission_matrix(client, tree, viewers, who, status, name):
    if viewers[who] is not None:
        client.force_login(viewers[who])
    response = client.get(reverse(name, args=[tree.branch.pk]))
    assert response.status_code == status
    if status == 302:
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name", ["development:import", "development:import_template"])
def test_roles_without_edit_and_unknown_orgs_are_404(client, tree, name):
    client.force_login(factories.user_with_role("gl", tree.committee, kind="group_leader"))
    assert client.get(reverse(name, args=[tree.branch.pk])).status_code == 404
    client.force_login(factories.user_with_role("w2", tree.branch))
    assert client.get(reverse(name, args=[999999])).status_code == 404


def test_the_upload_form_page(client, tree, worker):
    client.force_login(worker)
    response = client.get(reverse("development:import", args=[tree.branch.pk]))
    text = response.content.decode()
    assert reverse("development:import_template", args=[tree.branch.pk]) in text
    assert reverse("development:audit", args=[tree.branch.pk]) in text
    assert '"person": {"id_number"' in text.replace("&quot;", '"')
    assert 'accept=".xlsx,.json"' in text


def test_the_template_downloads(client, tree, worker):
    activist(tree)
    client.force_login(worker)
    response = client.get(reverse("development:import_template", args=[tree.branch.pk]))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert [r[0] for r in wb["发展记录"].iter_rows(min_row=2, values_only=True)] == ["吴十"]


def test_a_good_workbook_shows_the_summary_and_each_persons_findings(client, tree, worker, roll):
    client.force_login(worker)
    response = client.post(
        reverse("development:import", args=[tree.branch.pk]),
        {"file": xlsx([example_row(roll["subject"])])},
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "导入成功" in text
    result = response.context["result"]
    assert (result.created, result.findings) == (1, {"DEV-INTRODUCERS": 1})
    [item] = response.context["records"]
    assert item.record.person == roll["subject"]
    assert [(f.code, f.step, f.citation) for f in item.findings] == [
        (
            "DEV-INTRODUCERS",
            "第9步「确定入党介绍人」",
            "《中国共产党发展党员工作细则》第十四条；《中国共产党章程》第五条",
        )
    ]
    assert "第2名入党介绍人（周九）正在留党察看期内，不能担任入党介绍人。" in text
    assert reverse("development:person", args=[roll["subject"].pk]) in text
    assert reverse("development:audit", args=[tree.branch.pk]) in text


def test_a_bad_workbook_lists_every_error_and_imports_nothing(client, tree, worker, roll):
    client.force_login(worker)
    rows = [
        activist_row(activist(tree), **{"2 党组织派人谈话": "2024-02-30"}),
        example_row(roll["subject"]),
    ]
    response = client.post(
        reverse("development:import", args=[tree.branch.pk]), {"file": xlsx(rows)}
    )
    text = response.content.decode()
    assert "未导入任何数据" in text
    assert "第2行" in text
    assert "日期“2024-02-30”不存在：2024年2月没有30日。" in text
    assert DevelopmentRecord.objects.count() == 0


def test_json_files_upload_together(client, tree, worker, roll):
    a = activist(tree)
    client.force_login(worker)
    record = {
        "person": {"id_number": a.id_number, "name": a.name},
        "steps": {
            "application": {"date": "2024-03-01"},
            "application_talk": {"date": "2024-03-20"},
            "activist": {"date": "2024-09-10", "recommended_by": "party_members"},
        },
    }
    files = [
        SimpleUploadedFile("a.json", json.dumps(record).encode()),
        SimpleUploadedFile("b.json", b"[1]"),
    ]
    response = client.post(reverse("development:import", args=[tree.branch.pk]), {"file": files})
    text = response.content.decode()
    assert "未导入任何数据" in text
    assert "每个发展记录应为JSON对象。" in text
    again = SimpleUploadedFile("a.json", json.dumps(record).encode())
    response = client.post(reverse("development:import", args=[tree.branch.pk]), {"file": again})
    assert response.context["result"].created == 1


def test_a_file_problem_is_shown_beside_the_field(client, tree, worker):
    client.force_login(worker)
    url = reverse("development:import", args=[tree.branch.pk])
    response = client.post(url, {"file": SimpleUploadedFile("a.csv", "姓名\n".encode())})
    assert response.context["form"].errors == {
        "file": ["不支持CSV或文本文件。请在Excel或WPS中“另存为”Excel工作簿（.xlsx）。"]
    }
    mixed = [SimpleUploadedFile("a.json", b"{}"), SimpleUploadedFile("b.xlsx", b"PK")]
    response = client.post(url, {"file": mixed})
    assert response.context["form"].errors == {
        "file": ["请上传一个Excel工作簿（.xlsx），或一个或多个JSON文件（.json），不要混在一起。"]
    }
    response = client.post(url, {})
    assert response.context["form"].errors == {"file": ["这个字段是必填项。"]}


def test_result_page_query_count(client, tree, worker, roll, django_assert_max_num_queries):
    client.force_login(worker)
    rows = [example_row(roll["subject"])] + [
        activist_row(activist(tree, f"吴{n}", n)) for n in range(1, 6)
    ]
    with django_assert_max_num_queries(60):
        response = client.post(
            reverse("development:import", args=[tree.branch.pk]), {"file": xlsx(rows)}
        )
    assert response.context["result"].created == 6
