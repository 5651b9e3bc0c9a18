"""The OpenAPI document at /api/v1/openapi.json and the Swagger UI page at /api/v1/docs.

The page must work offline and under our CSP (``script-src 'self'``, ``style-src 'self'``):
no CDN, no inline script or style. The schema drives a schemathesis run over the GET
endpoints as a logged-in party worker.
"""

import os
import re
import shutil

import pytest
import schemathesis
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core import signals
from django.db import close_old_connections
from django.urls import reverse
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis.specs.openapi.definitions import OPENAPI_31_VALIDATOR

from dangwu.api.api import api
from dangwu.members import services as member_services
from dangwu.wsgi import application
from tests import factories

API = "/api/v1"
OPERATIONS = {
    ("get", "/api/v1/orgs"),
    ("post", "/api/v1/orgs"),
    ("get", "/api/v1/orgs/{org_id}"),
    ("patch", "/api/v1/orgs/{org_id}"),
    ("get", "/api/v1/orgs/{org_id}/findings"),
    ("get", "/api/v1/members"),
    ("post", "/api/v1/members"),
    ("get", "/api/v1/members/{person_id}"),
    ("patch", "/api/v1/members/{person_id}"),
    ("post", "/api/v1/members/{person_id}/status"),
    ("post", "/api/v1/members/{person_id}/reveal-id"),
    ("get", "/api/v1/members/{person_id}/history"),
    ("post", "/api/v1/members/{person_id}/transfers"),
    ("get", "/api/v1/transfers"),
    ("post", "/api/v1/transfers/{transfer_id}/receive"),
    ("post", "/api/v1/transfers/{transfer_id}/cancel"),
    ("get", "/api/v1/dues/people/{person_id}"),
    ("post", "/api/v1/dues/people/{person_id}/payments"),
    ("post", "/api/v1/dues/people/{person_id}/voluntary"),
    ("post", "/api/v1/dues/people/{person_id}/base"),
    ("get", "/api/v1/dues/orgs/{org_id}/sheet"),
    ("get", "/api/v1/dues/orgs/{org_id}/summary"),
    ("post", "/api/v1/dues/orgs/{org_id}/assessments"),
    ("get", "/api/v1/development/people/{person_id}/timeline"),
    ("get", "/api/v1/development/people/{person_id}/steps"),
    ("post", "/api/v1/development/people/{person_id}/steps/{step}"),
}
HAN = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def worker(tree):
    return factories.user_with_role("worker", tree.committee)


# --- the document ---------------------------------------------------------------------------


def test_openapi_json_is_a_valid_openapi_31_document(client, worker):
    client.force_login(worker)

    response = client.get(f"{API}/openapi.json")

    assert response.status_code == 200
    document = response.json()
    OPENAPI_31_VALIDATOR.validate(document)
    assert document["openapi"].startswith("3.1")
    operations = {(method, path) for path, item in document["paths"].items() for method in item}
    assert operations == OPERATIONS


def test_openapi_json_anonymous_is_401(client):
    response = client.get(f"{API}/openapi.json")

    assert (response.status_code, response.json()) == (
        401,
        {"code": "UNAUTHENTICATED", "message": "请先登录。", "fields": {}},
    )


def test_every_operation_is_described_in_chinese():
    document = api.get_openapi_schema(path_prefix=f"{API}/")

    undescribed = [
        (method, path)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if not (
            HAN.search(operation.get("summary", ""))
            and HAN.search(operation.get("description", ""))
            and operation.get("tags")
            and all(HAN.search(p.get("description", "")) for p in operation["parameters"])
        )
    ]
    assert undescribed == []


def test_every_field_of_our_schemas_is_described_in_chinese():
    document = api.get_openapi_schema(path_prefix=f"{API}/")

    undescribed = [
        f"{name}.{field}"
        for name, schema in document["components"]["schemas"].items()
        if not name.startswith("Paged")  # ninja's page wrapper: items and count
        for field, spec in schema.get("properties", {}).items()
        if not HAN.search(spec.get("description", ""))
    ]
    assert undescribed == []


def test_enumerations_are_the_glossary_code_names():
    schemas = api.get_openapi_schema(path_prefix=f"{API}/")["components"]["schemas"]

    assert schemas["OrgKind"]["enum"] == [
        "basic_committee",
        "general_branch",
        "branch",
        "party_group",
    ]
    assert schemas["Status"]["enum"][:5] == [
        "applicant",
        "activist",
        "candidate",
        "probationary",
        "full",
    ]
    assert "branch 党支部" in schemas["OrgNodeOut"]["properties"]["kind"]["description"]


def test_no_response_schema_has_a_full_id_number_field():
    schemas = api.get_openapi_schema(path_prefix=f"{API}/")["components"]["schemas"]

    fields = {
        (name, field)
        for name, schema in schemas.items()
        if name.endswith("Out")
        for field in schema.get("properties", {})
        if "id_number" in field
    }
    assert fields == {
        ("PersonListItemOut", "id_number_masked"),
        ("PersonOut", "id_number_masked"),
        ("IdNumberOut", "id_number"),  # the audited reveal-id answer
    }


# --- the docs page --------------------------------------------------------------------------


def test_docs_page_is_served_locally_without_inline_code(client, worker):
    client.force_login(worker)

    response = client.get(f"{API}/docs")

    html = response.content.decode()
    assert response.status_code == 200
    assert re.findall(r'<script src="([^"]+)"></script>', html) == [
        f"{API}/docs/assets/swagger-ui-bundle.js",
        f"{settings.STATIC_URL}api/docs-init.js",
    ]
    assert re.findall(r'<link rel="stylesheet" href="([^"]+)">', html) == [
        f"{API}/docs/assets/swagger-ui.css"
    ]
    # every script is external; no inline style; nothing from another host
    assert html.count("<script") == 2
    assert ("<style" in html, "style=" in html, "//" in html.replace("<!DOCTYPE", "")) == (
        False,
        False,
        False,
    )
    assert 'data-openapi-url="/api/v1/openapi.json"' in html
    csp = dict(d.strip().split(" ", 1) for d in response["Content-Security-Policy"].split(";"))
    assert (csp["script-src"], csp["style-src"]) == ("'self'", "'self'")


def test_docs_page_sends_an_anonymous_visitor_to_the_login(client):
    response = client.get(f"{API}/docs")

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={API}/docs"


@pytest.mark.parametrize(
    ("name", "content_type"),
    [
        ("swagger-ui-bundle.js", "text/javascript"),
        ("swagger-ui.css", "text/css"),
        ("favicon.png", "image/png"),
    ],
)
def test_swagger_assets_come_from_the_installed_ninja_package(client, name, content_type):
    response = client.get(f"{API}/docs/assets/{name}")

    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Cache-Control"] == "max-age=86400"
    assert len(b"".join(response.streaming_content)) > 1000


@pytest.mark.parametrize(
    "name", ["redoc.standalone.js", "swagger-ui-init.js", "..%2F__init__.py", "settings.py"]
)
def test_only_the_listed_swagger_assets_are_served(client, name):
    response = client.get(f"{API}/docs/assets/{name}")

    assert response.status_code == 404


def test_init_script_is_our_static_file():
    path = finders.find("api/docs-init.js")

    with open(path, encoding="utf-8") as f:
        source = f.read()
    assert ("SwaggerUIBundle(" in source, "validatorUrl: null" in source) == (True, True)
    assert ("eval(" in source, "innerHTML" in source) == (False, False)


# --- schemathesis over the GET endpoints ----------------------------------------------------


# The session of the logged-in worker of the running test, read by the auth provider below.
_session: dict[str, str] = {}


@pytest.fixture
def worker_session(client, tree, worker):
    """A logged-in party worker on the committee, and some data to read."""
    wang = factories.person(tree.branch, name="王小明", group=tree.group)
    factories.person(tree.sibling, name="曾国藩", status="activist")
    member_services.transfer_send(actor=worker, person=wang, to_branch=tree.sibling)
    client.force_login(worker)
    _session["key"] = client.cookies[settings.SESSION_COOKIE_NAME].value
    # Requests go through the WSGI application in this thread, inside the test's
    # transaction; like Django's test client, keep the connection open between them.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)
    _session.clear()


# Loaded at import (pytest-django has set Django up by then); the lazy
# ``schemathesis.pytest.from_fixture`` does not work with pytest 9.
schema = schemathesis.openapi.from_dict(api.get_openapi_schema(path_prefix=f"{API}/"))
schema.app = application  # every request, probes included, goes through Django's WSGI app


@schema.auth(refresh_interval=None)
class SessionCookie:
    """The API's authentication is the pages' session cookie."""

    def get(self, case, ctx):
        return _session.get("key", "")

    def set(self, case, data, ctx):
        case.cookies = {**(case.cookies or {}), settings.SESSION_COOKIE_NAME: data}


@schema.include(method="GET").parametrize()
@hypothesis_settings(
    max_examples=int(os.environ.get("DANGWU_SCHEMATHESIS_EXAMPLES", "15")),
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_get_endpoints_conform_to_the_schema(case, worker_session):
    # 2xx answers match their schema; 4xx are documented JSON errors; never a 5xx.
    case.call_and_validate()


# --- the docs page in a real browser --------------------------------------------------------

CHROMIUM = os.environ.get("DANGWU_CHROMIUM", "/usr/bin/chromium")


@pytest.fixture
def chromium():
    if not shutil.which(CHROMIUM):
        if os.environ.get("DANGWU_REQUIRE_BROWSER") == "1":
            pytest.fail(f"未找到浏览器 {CHROMIUM}（CI 需要安装 Debian 的 chromium 软件包）")
        pytest.skip(f"未找到浏览器 {CHROMIUM}")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"]
        )
        yield browser
        browser.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_docs_page_renders_swagger_ui_under_the_csp(live_server, chromium, client):
    # given a logged-in party worker (the session cookie handed to the browser)
    committee = factories.org(None, "basic_committee", "某大学党委")
    client.force_login(factories.user_with_role("worker", committee))
    context = chromium.new_context()
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    page = context.new_page()
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    outside = []
    page.on(
        "request",
        lambda r: None if r.url.startswith(live_server.url) else outside.append(r.url),
    )

    # when
    page.goto(f"{live_server.url}{API}/docs")
    page.wait_for_selector(".opblock-summary-path", timeout=15000)

    # then every operation is listed, nothing was blocked, nothing left the machine
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert len(paths) == len(OPERATIONS)
    assert (problems, outside) == ([], [])
    context.close()
