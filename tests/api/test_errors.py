"""Every error of /api/v1 is JSON ``{"code", "message", "fields"}`` in Chinese, and says no more."""

import datetime as dt
import json
import logging

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from dangwu.core.errors import DomainError, PermissionDenied
from dangwu.members import services as member_services
from dangwu.members.models import Person, Transfer
from dangwu.orgs import selectors as org_selectors
from dangwu.orgs import services as org_services
from tests import factories

API = "/api/v1"
UNAUTHENTICATED = {"code": "UNAUTHENTICATED", "message": "请先登录。", "fields": {}}
NOT_FOUND = {"code": "NOT_FOUND", "message": "记录不存在或您无权查看。", "fields": {}}
INVALID = {"code": "INVALID", "message": "提交的数据有误。"}

# Every operation, with a body that passes validation (so the refusal is about who or what).
OPERATIONS = [
    ("get", "/orgs", None),
    ("post", "/orgs", {"parent_id": "{id}", "kind": "party_group", "code": "N1", "name": "组"}),
    ("get", "/orgs/{id}", None),
    ("patch", "/orgs/{id}", {"name": "新名称"}),
    ("get", "/orgs/{id}/findings", None),
    ("get", "/members", None),
    (
        "post",
        "/members",
        {
            "branch_id": "{id}",
            "status": "applicant",
            "status_since": "2026-01-01",
            "name": "钱新",
            "sex": "male",
            "birth_date": "2000-01-01",
        },
    ),
    ("get", "/members/{id}", None),
    ("patch", "/members/{id}", {"phone": "13812345678"}),
    ("post", "/members/{id}/status", {"status": "suspended", "effective_on": "2026-11-01"}),
    ("post", "/members/{id}/reveal-id", None),
    ("get", "/members/{id}/history", None),
    ("post", "/members/{id}/transfers", {"to_branch_id": "{id}"}),
    ("get", "/transfers", None),
    ("post", "/transfers/{id}/receive", {}),
    ("post", "/transfers/{id}/cancel", None),
]
IDS = [f"{method.upper()} {path}" for method, path, _ in OPERATIONS]


def call(client, method, path, body, pk):
    url = API + path.replace("{id}", str(pk))
    if body is None:
        return getattr(client, method)(url) if method == "get" else client.post(url)
    data = json.dumps(body).replace('"{id}"', str(pk))
    return getattr(client, method)(url, data, content_type="application/json")


@pytest.mark.parametrize(("method", "path", "body"), OPERATIONS, ids=IDS)
def test_anonymous_gets_401_json_not_a_login_redirect(client, method, path, body):
    response = call(client, method, path, body, 1)

    assert (response.status_code, response.json()) == (401, UNAUTHENTICATED)
    assert "Location" not in response


@pytest.mark.parametrize(("method", "path", "body"), OPERATIONS, ids=IDS)
def test_anonymous_without_csrf_token_is_still_401(method, path, body):
    client = Client(enforce_csrf_checks=True)

    response = call(client, method, path, body, 1)

    assert (response.status_code, response.json()) == (401, UNAUTHENTICATED)


@pytest.mark.parametrize(
    ("method", "path", "body"), [op for op in OPERATIONS if "{id}" in op[1]], ids=lambda v: v
)
def test_unknown_id_is_404_for_every_operation(client, tree, admin_user, method, path, body):
    # given a superuser: nothing is out of scope, the id simply does not exist
    client.force_login(admin_user)
    before = (Person.objects.count(), Transfer.objects.count())

    response = call(client, method, path, body, 987654)

    assert (response.status_code, response.json()) == (404, NOT_FOUND)
    assert (Person.objects.count(), Transfer.objects.count()) == before


@pytest.mark.parametrize("url", ["/nothing", "/members/abc", "/orgs/-1", "/members/1/unknown"])
def test_unknown_url_is_404_json(client, admin_user, url):
    client.force_login(admin_user)

    response = client.get(API + url)

    assert (response.status_code, response.json()) == (404, NOT_FOUND)


def test_unknown_url_is_404_json_for_anonymous_too(client):
    response = client.get(f"{API}/nothing")

    assert (response.status_code, response.json()) == (404, NOT_FOUND)


def test_wrong_method_is_405_json(client, admin_user):
    client.force_login(admin_user)

    response = client.delete(f"{API}/members/1")

    assert response.status_code == 405
    assert response.json() == {
        "code": "METHOD_NOT_ALLOWED",
        "message": "不支持此请求方法。",
        "fields": {},
    }
    assert sorted(response["Allow"].split(", ")) == ["GET", "PATCH"]


def test_id_beyond_64_bits_is_422_not_a_server_error(client, admin_user):
    client.force_login(admin_user)

    response = client.get(f"{API}/members/{2**64}")

    assert response.status_code == 422
    assert response.json() == {
        **INVALID,
        "fields": {"person_id": ["不能大于9223372036854775807。"]},
    }


# --- CSRF -----------------------------------------------------------------------------------


def csrf_client(user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    client.get(f"{API}/docs")  # the page sets the csrftoken cookie
    return client


def test_logged_in_write_without_csrf_token_is_403_and_changes_nothing(tree, viewers):
    client = csrf_client(viewers["own_org"])

    response = client.patch(
        f"{API}/orgs/{tree.branch.pk}", json.dumps({"name": "新名称"}), "application/json"
    )

    assert response.status_code == 403
    assert response.json() == {
        "code": "CSRF_FAILED",
        "message": "CSRF 校验失败：请刷新页面后重试，或在请求头 X-CSRFToken 中提供令牌。",
        "fields": {},
    }
    tree.branch.refresh_from_db()
    assert tree.branch.name == "本科生第一党支部"


def test_logged_in_write_with_csrf_token_passes(tree, viewers):
    client = csrf_client(viewers["own_org"])
    token = client.cookies["csrftoken"].value

    response = client.patch(
        f"{API}/orgs/{tree.branch.pk}",
        json.dumps({"name": "新名称"}),
        "application/json",
        headers={"X-CSRFToken": token},
    )

    assert (response.status_code, response.json()["name"]) == (200, "新名称")


def test_logged_in_read_needs_no_csrf_token(tree, viewers):
    client = csrf_client(viewers["own_org"])

    assert client.get(f"{API}/orgs/{tree.branch.pk}").status_code == 200


# --- domain errors --------------------------------------------------------------------------


def test_base_domain_error_is_400(client, tree, viewers, admin_user, monkeypatch):
    # given a transfer, and a service that refuses without a more specific reason
    li = viewers["no_role"].person
    transfer = member_services.transfer_send(actor=admin_user, person=li, to_branch=tree.branch)

    def refuse(**kwargs):
        raise DomainError("该转接不能撤销。")

    monkeypatch.setattr(member_services, "transfer_cancel", refuse)
    client.force_login(viewers["sibling"])

    response = client.post(f"{API}/transfers/{transfer.pk}/cancel")

    assert (response.status_code, response.json()) == (
        400,
        {"code": "DOMAIN", "message": "该转接不能撤销。", "fields": {}},
    )


def test_permission_denied_is_403(client, tree, viewers, monkeypatch):
    def refuse(**kwargs):
        raise PermissionDenied("您不能修改该组织。", fields={"name": ["不能修改。"]})

    monkeypatch.setattr(org_services, "organization_update", refuse)
    client.force_login(viewers["own_org"])

    response = client.patch(
        f"{API}/orgs/{tree.branch.pk}", json.dumps({"name": "x"}), "application/json"
    )

    assert response.status_code == 403
    assert response.json() == {
        "code": "FORBIDDEN",
        "message": "您不能修改该组织。",
        "fields": {"name": ["不能修改。"]},
    }


def test_model_validation_error_from_a_service_is_422(client, tree, viewers, monkeypatch):
    def refuse(**kwargs):
        raise ValidationError({"name": ["名称有误。"]})

    monkeypatch.setattr(org_services, "organization_update", refuse)
    client.force_login(viewers["own_org"])

    response = client.patch(
        f"{API}/orgs/{tree.branch.pk}", json.dumps({"name": "x"}), "application/json"
    )

    assert (response.status_code, response.json()) == (
        422,
        {**INVALID, "fields": {"name": ["名称有误。"]}},
    )


def test_server_error_is_500_json_without_internals(client, tree, viewers, monkeypatch, caplog):
    def explode(*args, **kwargs):
        raise RuntimeError("password=hunter2 at db.internal:5432")

    monkeypatch.setattr(org_selectors, "organization_tree", explode)
    client.force_login(viewers["own_org"])

    with caplog.at_level(logging.ERROR, logger="dangwu.api.api"):
        response = client.get(f"{API}/orgs")

    assert response.status_code == 500
    assert response.json() == {
        "code": "SERVER_ERROR",
        "message": "服务器内部错误，请稍后重试。",
        "fields": {},
    }
    assert "hunter2" not in response.content.decode()
    assert [r.exc_info[1].args[0] for r in caplog.records if r.exc_info] == [
        "password=hunter2 at db.internal:5432"
    ]


# --- request bodies -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "fields"),
    [
        ("", {"__all__": ["请求内容不能为空。"]}),
        ("[1, 2]", {"__all__": ["应为 JSON 对象。"]}),
        ('"text"', {"__all__": ["应为 JSON 对象。"]}),
    ],
    ids=["empty", "array", "string"],
)
def test_body_that_is_not_an_object_is_422(client, tree, viewers, raw, fields):
    client.force_login(viewers["own_org"])

    response = client.post(f"{API}/orgs", raw, content_type="application/json")

    assert (response.status_code, response.json()) == (422, {**INVALID, "fields": fields})


def test_unknown_field_is_refused_not_ignored(client, tree, viewers):
    client.force_login(viewers["own_org"])

    response = client.patch(
        f"{API}/orgs/{tree.branch.pk}", json.dumps({"nmae": "新名称"}), "application/json"
    )

    assert (response.status_code, response.json()) == (
        422,
        {**INVALID, "fields": {"nmae": ["不允许的字段。"]}},
    )


def test_errors_of_several_fields_are_all_reported(client, tree, viewers):
    client.force_login(viewers["own_org"])
    person = factories.person(tree.branch, name="王小明")

    response = client.post(
        f"{API}/members/{person.pk}/status",
        json.dumps({"status": "gone", "effective_on": "yesterday", "leave_kind": 3}),
        "application/json",
    )

    assert response.status_code == 422
    assert response.json()["fields"] == {
        "status": [
            "无效的选项，可选值：applicant、activist、candidate、probationary、full、"
            "probation_cancelled、suspended、left、deceased。"
        ],
        "effective_on": ["请填写有效日期，格式为 YYYY-MM-DD。"],
        "leave_kind": [
            "无效的选项，可选值：removed、advised、withdrew、self_withdrawal、expelled。"
        ],
    }
    person.refresh_from_db()
    assert (person.status, person.status_since) == ("full", dt.date(2016, 7, 1))
