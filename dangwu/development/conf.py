"""The [local] development settings from ``settings.DANGWU["DEVELOPMENT"]``."""

from __future__ import annotations

from django.conf import settings

from dangwu.development.context import DevelopmentSettings


def development_settings() -> DevelopmentSettings:
    """``DevelopmentSettings`` with the deployment's values (defaults of DOMAIN.md §5)."""
    values = settings.DANGWU.get("DEVELOPMENT", {})
    return DevelopmentSettings(**values)
