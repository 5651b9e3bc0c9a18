"""URL converters shared by the apps."""

from __future__ import annotations

from django.urls import register_converter


class IdConverter:
    """A database id: 1 to 18 digits, so it fits a signed 64-bit integer. A longer number
    is a 404 from the URL resolver rather than an overflow in SQLite's driver."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value) -> str:
        return str(value)


register_converter(IdConverter, "id")
