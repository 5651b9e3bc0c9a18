"""The Swagger UI page at ``/api/v1/docs``, served from this machine under our CSP.

ninja ships Swagger UI's files in its package (``ninja/static/ninja``), but renders its
local page only when ``ninja`` is in ``INSTALLED_APPS``; otherwise it falls back to a page
that loads Swagger UI from a CDN with an inline script, which our CSP (``script-src
'self'``) blocks and an offline intranet cannot reach. So the page is ours: the settings
travel in ``data-`` attributes, our external ``api/docs-init.js`` starts Swagger UI, and
ninja's files are served from the installed package by ``swagger_asset`` (nothing
third-party is copied into the repository).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import ninja
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe
from django.views.static import serve
from ninja.openapi.docs import DocsBase

NINJA_STATIC = Path(ninja.__file__).parent / "static" / "ninja"
# Only what the page loads (and the source maps a browser's developer tools ask for).
SWAGGER_ASSETS = frozenset(
    {
        "swagger-ui-bundle.js",
        "swagger-ui-bundle.js.map",
        "swagger-ui.css",
        "swagger-ui.css.map",
        "favicon.png",
    }
)


class LocalSwagger(DocsBase):
    """Swagger UI from local files, started by an external script (no inline code)."""

    template = "api/docs.html"

    def render_page(self, request: HttpRequest, api: Any, **kwargs: Any) -> HttpResponse:
        context = {"api": api, "openapi_url": self.get_openapi_url(api, kwargs)}
        return render(request, self.template, context)


@require_safe
@cache_control(max_age=86400)
def swagger_asset(request: HttpRequest, name: str) -> HttpResponse:
    """One of Swagger UI's files from the installed ninja package (a fixed allow-list)."""
    if name not in SWAGGER_ASSETS:
        raise Http404(name)
    return serve(request, name, document_root=str(NINJA_STATIC))
