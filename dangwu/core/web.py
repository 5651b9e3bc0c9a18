"""Small helpers shared by the server-rendered pages.

Views stay thin: they read the user's scope, call a selector or a service, and turn a
``DomainError`` into messages beside the form fields. Anything outside the scope is a 404.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable, Mapping

from django import forms
from django.conf import settings
from django.contrib import messages as flash
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest

from dangwu.core.errors import DomainError, NotFound
from dangwu.core.scope import Scope, scope_for

# What a service may raise for bad input: its own errors, or a model's ``full_clean()``.
SERVICE_ERRORS = (DomainError, ValidationError)


def scope_of(request: HttpRequest) -> Scope:
    """The scope of the request's user (cached on the user for the request)."""
    return scope_for(request.user)


def scoped(view: Callable) -> Callable:
    """Set ``request.scope`` and answer 404 for any ``NotFound`` the view lets through.

    The view's signature does not change: ``@scoped def detail(request, pk): request.scope``.
    """

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        request.scope = scope_for(request.user)
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(exc.message) from exc

    return wrapper


def domain_errors_to_form(
    form: forms.BaseForm,
    error: DomainError | ValidationError,
    *,
    field_map: Mapping[str, str] | None = None,
) -> forms.BaseForm:
    """Put a service's ``DomainError`` on ``form``: each message beside its field.

    ``error.fields`` names the service's parameters; ``field_map`` renames them to form
    fields where the two differ (``{"person_id": "person"}``). A message whose field is not
    on the form, or an error without fields, becomes a non-field error. A Django
    ``ValidationError`` from a model's ``full_clean()`` is placed the same way. ``NotFound``
    is not a form error: it becomes ``Http404``.
    """
    if isinstance(error, NotFound):
        raise Http404(error.message) from error
    if isinstance(error, ValidationError):
        fields = error.message_dict if hasattr(error, "error_dict") else {}
        summary = "；".join(error.messages)
    else:
        fields, summary = error.fields, error.message
    field_map = field_map or {}
    placed = False
    for name, messages in fields.items():
        target = field_map.get(name, name)
        if target not in form.fields:
            target = None
        for message in messages or [summary]:
            form.add_error(target, message)
            placed = True
    if not placed:
        form.add_error(None, summary)
    return form


def paginate(request: HttpRequest, object_list, *, per_page: int | None = None) -> tuple[Page, str]:
    """One page of ``object_list`` for ``?page=`` and the other GET parameters, encoded.

    The second value goes into ``includes/pagination.html`` as ``query`` so that the page
    links keep the filters. A page number out of range shows the last page.
    """
    size = per_page or settings.DANGWU.get("PAGE_SIZE", 30)
    paginator = Paginator(object_list, size)
    page = paginator.get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return page, params.urlencode()


def show_domain_error(form: forms.BaseForm, error: DomainError | ValidationError, **kwargs):
    """``domain_errors_to_form``, but a service that names one field with a short label
    ("日期有误。") also says the whole reason in its message: the reason is what we show."""
    if isinstance(error, DomainError) and len(error.fields) == 1:
        [(name, texts)] = error.fields.items()
        if len(texts) == 1 and error.message not in texts:
            error = DomainError(error.message, code=error.code, fields={name: [error.message]})
    return domain_errors_to_form(form, error, **kwargs)


# Four ASCII digits: str.isdigit() also takes "²", and int() of 5,000 digits raises.
_YEAR = re.compile(r"\d{4}", re.ASCII)
FIRST_YEAR = 2000


def year_param(request: HttpRequest, on: dt.date, *, first: int = FIRST_YEAR) -> int:
    """``?year=`` from ``first`` to ``on``'s year; missing → this year; anything else shows
    this year with a message (a page, not an error: the year picker is a convenience)."""
    raw = request.GET.get("year", "").strip()
    if not raw:
        return on.year
    if _YEAR.fullmatch(raw) and first <= int(raw) <= on.year:
        return int(raw)
    flash.warning(request, f"年份应为{first}至{on.year}之间的整数，已显示{on.year}年。")
    return on.year
