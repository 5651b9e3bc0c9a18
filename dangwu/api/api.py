"""The JSON API under ``/api/v1/``: one ``NinjaAPI`` assembled from the routers of this package.

Authentication is the pages' Django session. Every error, from a refused rule to an unknown
URL, answers ``{"code", "message", "fields"}`` (plus ``findings`` when a rule refused), in
Chinese. The views stay thin: the routers call selectors and services, this module turns
what they raise into HTTP answers.
"""

from __future__ import annotations

import functools
import logging
import re
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.urls import URLPattern, path, re_path
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.renderers import JSONRenderer
from ninja.security import SessionAuth as NinjaSessionAuth
from ninja.utils import check_csrf

from dangwu.api import docs
from dangwu.api.development import router as development_router
from dangwu.api.dues import MONTH_PATTERN
from dangwu.api.dues import router as dues_router
from dangwu.api.members import router as members_router
from dangwu.api.members import transfers_router
from dangwu.api.orgs import router as orgs_router
from dangwu.core.errors import DomainError

logger = logging.getLogger(__name__)

UNAUTHENTICATED = {"code": "UNAUTHENTICATED", "message": "请先登录。", "fields": {}}
CSRF_FAILED = {
    "code": "CSRF_FAILED",
    "message": "CSRF 校验失败：请刷新页面后重试，或在请求头 X-CSRFToken 中提供令牌。",
    "fields": {},
}
NOT_FOUND = {"code": "NOT_FOUND", "message": "记录不存在或您无权查看。", "fields": {}}
MALFORMED_JSON = {"code": "MALFORMED_JSON", "message": "请求内容不是有效的 JSON。", "fields": {}}
METHOD_NOT_ALLOWED = {"code": "METHOD_NOT_ALLOWED", "message": "不支持此请求方法。", "fields": {}}
SERVER_ERROR = {"code": "SERVER_ERROR", "message": "服务器内部错误，请稍后重试。", "fields": {}}
INVALID_MESSAGE = "提交的数据有误。"
# What a value that does not match a documented pattern should look like.
PATTERN_MESSAGES = {
    MONTH_PATTERN: "月份应写作 YYYY-MM，如 2026-11（月为01至12）。",
}


class CsrfFailed(Exception):
    """An unsafe request of a logged-in session without a valid CSRF token."""


class SessionAuth(NinjaSessionAuth):
    """The pages' session. CSRF is checked only for a logged-in user: an anonymous request
    has no session to abuse, so it answers 401 (not a CSRF 403) whatever it sends."""

    def __call__(self, request: HttpRequest) -> Any:
        user = request.user
        if not user.is_authenticated:
            return None
        # Safe methods pass; unsafe ones need the token (header X-CSRFToken or form field).
        if check_csrf(request) is not None:
            raise CsrfFailed()
        return user


class ChineseJSONRenderer(JSONRenderer):
    # Chinese readable as Chinese in the raw body (the content type says UTF-8).
    json_dumps_params = {"ensure_ascii": False}


class DangwuAPI(NinjaAPI):
    """``NinjaAPI`` with JSON errors everywhere and its URLs exempt from the login redirect."""

    def get_openapi_operation_id(self, operation) -> str:
        return operation.view_func.__name__

    def _get_urls(self) -> list:
        urls = []
        for pattern in super()._get_urls():
            if pattern.name == "openapi-view":
                # The docs page is a page: an anonymous visitor is sent to the login.
                urls.append(pattern)
            else:
                urls.append(_json_only(pattern))
        urls.append(
            path(
                "docs/assets/<str:name>",
                login_not_required(docs.swagger_asset),
                name="docs-asset",
            )
        )
        # Anything else under /api/v1/ is a JSON 404, not the HTML error page.
        urls.append(re_path(r"^.*$", login_not_required(_unknown_url), name="unknown"))
        return urls


def _json_only(pattern: URLPattern) -> URLPattern:
    """Exempt an API view from ``LoginRequiredMiddleware`` (it answers 401 JSON itself) and
    give ninja's plain-text 405 answer a JSON body."""
    view = pattern.callback

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if response.status_code == 405 and "json" not in response.get("Content-Type", ""):
            allow = response.get("Allow", "")
            response = _json(METHOD_NOT_ALLOWED, 405)
            response["Allow"] = allow
        return response

    return URLPattern(
        pattern.pattern, login_not_required(wrapper), pattern.default_args, pattern.name
    )


def _json(body: dict, status: int) -> JsonResponse:
    """An error answered outside ninja's operations (URL routing, the schema view)."""
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})


def _unknown_url(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    return _json(NOT_FOUND, 404)


def _openapi_requires_login(view):
    """The schema and the docs are for logged-in users only."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return _json(UNAUTHENTICATED, 401)
        return view(request, *args, **kwargs)

    return wrapper


api = DangwuAPI(
    title="党务 Dangwu API",
    version="1",
    description=(
        "基层党组织党务工作管理系统的 JSON 接口。使用页面登录后的会话认证；"
        "POST、PATCH 请求须在请求头 X-CSRFToken 中提供 CSRF 令牌（取自 csrftoken Cookie）。"
        "每个请求只能看到您权限范围内的记录，范围外的记录一律答复 404。"
        "枚举值为术语表中的英文编码（如 status 为 full），日期为 YYYY-MM-DD。"
        "错误一律为 {code, message, fields}，规则拒绝时另有 findings。"
    ),
    urls_namespace="api",
    auth=SessionAuth(),
    renderer=ChineseJSONRenderer(),
    docs=docs.LocalSwagger(),
    docs_decorator=_openapi_requires_login,
)
api.add_router("/orgs", orgs_router)
api.add_router("/members", members_router)
api.add_router("/transfers", transfers_router)
api.add_router("/dues", dues_router)
api.add_router("/development", development_router)


# --- errors ---------------------------------------------------------------------------------


def _error(request: HttpRequest, body: dict, status: int) -> HttpResponse:
    return api.create_response(request, body, status=status)


# Services name organizations by their parameter; the API's fields carry the id.
_SERVICE_FIELDS = {
    "branch": "branch_id",
    "group": "group_id",
    "parent": "parent_id",
    "to_branch": "to_branch_id",
}


@api.exception_handler(DomainError)
def _domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    body = exc.as_dict()
    body["fields"] = {_SERVICE_FIELDS.get(k, k): v for k, v in body["fields"].items()}
    if "findings" in body:
        # The same shape as FindingOut: every key present.
        body["findings"] = [{"subject": "", "due": None, **f} for f in body["findings"]]
    return _error(request, body, exc.status)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _error(request, UNAUTHENTICATED, 401)


@api.exception_handler(CsrfFailed)
def _csrf_failed(request: HttpRequest, exc: CsrfFailed) -> HttpResponse:
    return _error(request, CSRF_FAILED, 403)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, NOT_FOUND, 404)


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    # ninja raises HttpError(400) when the body cannot be parsed.
    if exc.status_code == 400:
        return _error(request, MALFORMED_JSON, 400)
    body = {"code": f"HTTP_{exc.status_code}", "message": "请求无法处理。", "fields": {}}
    return _error(request, body, exc.status_code)


@api.exception_handler(NinjaValidationError)
def _invalid(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    fields: dict[str, list[str]] = {}
    for error in exc.errors:
        fields.setdefault(_field_name(error.get("loc", ())), []).append(_message(error))
    return _error(request, {"code": "INVALID", "message": INVALID_MESSAGE, "fields": fields}, 422)


@api.exception_handler(DjangoValidationError)
def _model_invalid(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    # A model's full_clean() inside a service: Django's own (Chinese) messages per field.
    if hasattr(exc, "error_dict"):
        fields = {name: list(msgs) for name, msgs in exc.message_dict.items()}
    else:
        fields = {"__all__": list(exc.messages)}
    return _error(request, {"code": "INVALID", "message": INVALID_MESSAGE, "fields": fields}, 422)


@api.exception_handler(Exception)
def _server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    # The details go to the log, never to the client.
    logger.exception("API error on %s %s", request.method, request.path, exc_info=exc)
    return _error(request, SERVER_ERROR, 500)


# ninja's own parameter names, which are not fields of the submitted data.
_WRAPPERS = frozenset({"payload", "filters", "pagination"})


def _field_name(loc: tuple | list) -> str:
    """``("body", "payload", "id_number")`` → ``id_number``; ``("query", "limit")`` → ``limit``."""
    parts = [str(p) for p in list(loc)[1:]]
    while parts and parts[0] in _WRAPPERS:
        parts = parts[1:]
    return ".".join(parts) or "__all__"


def _expected(ctx: dict) -> str:
    return "、".join(re.findall(r"'([^']*)'", str(ctx.get("expected", ""))))


def _message(error: dict) -> str:
    """pydantic's error, said in Chinese."""
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return "请求内容不能为空。" if _field_name(error.get("loc", ())) == "__all__" else "必填。"
    if kind in {"enum", "literal_error"}:
        return f"无效的选项，可选值：{_expected(ctx)}。"
    if kind.startswith("date") or kind == "datetime_from_date_parsing":
        return "请填写有效日期，格式为 YYYY-MM-DD。"
    if kind in {"int_parsing", "int_type", "int_from_float"}:
        return "请填写整数。"
    if kind in {"bool_parsing", "bool_type"}:
        return "请填写 true 或 false。"
    if kind == "string_type":
        return "应为文本。"
    if kind == "string_too_short":
        return "不能为空。" if ctx.get("min_length") == 1 else f"至少{ctx.get('min_length')}个字。"
    if kind == "string_too_long":
        return f"不能超过{ctx.get('max_length')}个字。"
    if kind in {"greater_than_equal", "greater_than"}:
        return f"不能小于{ctx.get('ge', ctx.get('gt'))}。"
    if kind in {"less_than_equal", "less_than"}:
        return f"不能大于{ctx.get('le', ctx.get('lt'))}。"
    if kind == "value_error":
        return str(ctx.get("error", "")).removeprefix("Value error, ") or "格式有误。"
    if kind in {"model_type", "model_attributes_type", "dict_type"}:
        return "应为 JSON 对象。"
    if kind == "list_type":
        return "应为 JSON 数组。"
    if kind == "extra_forbidden":
        return "不允许的字段。"
    if kind == "string_pattern_mismatch" and ctx.get("pattern") in PATTERN_MESSAGES:
        return PATTERN_MESSAGES[ctx["pattern"]]
    return "格式有误。"
