"""Mainland China phone numbers: mobiles and landlines (rule PHONE).

Mobiles are 11 digits ``1[3-9]xxxxxxxxx`` and may be written with ``+86``/``86``/
``0086``, spaces and dashes; they normalize to the bare 11 digits. Landlines are an
area code (010, 02x, or four digits 03xx-09xx) and a 7- or 8-digit local number
not starting with 0, optionally with an extension; they normalize to ``0755-1234567`` or,
with an extension, ``0755-1234567-123``. An empty value means "not given" and is valid.

No regulation governs this, so findings carry an empty citation.
"""

from __future__ import annotations

import re
import unicodedata

from dangwu.core.findings import Finding, Severity

_MOBILE = re.compile(r"(?:\+?86|0086)?(1[3-9]\d{9})")
_LANDLINE = re.compile(
    r"""
    (?:(?:\+|00)?86-?(?P<intl_area>10|2\d|[3-9]\d\d)   # +86 drops the leading 0
      |\(?(?P<area>0(?:10|2\d|[3-9]\d\d))\)?)
    -?
    (?P<head>[1-9]\d{2,3})-?(?P<tail>\d{4})             # 7 or 8 digits: 123-4567, 1234-5678
    (?:(?:-?(?:转|分机|ext\.?|x|\#)-?|-)(?P<ext>\d{1,6}))?
    """,
    re.VERBOSE,
)


def normalize_phone(value: str) -> str:
    """The normalized number, or the cleaned input when it is not a valid number."""
    cleaned = _clean(value)
    return _parse(cleaned) or cleaned


def check_phone(value: str, *, subject: str = "phone") -> list[Finding]:
    """Rule PHONE: an error finding unless ``value`` is empty or a valid number."""
    cleaned = _clean(value)
    if not cleaned or _parse(cleaned):
        return []
    message = _mobile_problem(re.sub(r"[\s()\-]", "", cleaned)) or (
        f"电话号码“{cleaned}”格式不正确：手机号码应为以1开头的11位数字，"
        "固定电话应为“区号-号码”，如010-12345678、0755-1234567，可带分机号如-123。"
    )
    return [
        Finding(
            code="PHONE",
            severity=Severity.ERROR,
            message=message,
            citation="",
            subject=subject,
        )
    ]


def _clean(value: str) -> str:
    # NFKC: full-width digits, brackets and dashes become ASCII.
    return unicodedata.normalize("NFKC", value or "").strip()


def _mobile_problem(compact: str) -> str | None:
    # A precise message for something that is plainly meant as a mobile number.
    match = re.fullmatch(r"(?:\+?86|0086)?(1\d*)", compact)
    if not match:
        return None
    digits = match.group(1)
    if len(digits) != 11:
        return f"手机号码应为11位，当前为{len(digits)}位。"
    return f"手机号码第2位应为3至9，当前为{digits[1]}。"


def _parse(cleaned: str) -> str | None:
    if not cleaned:
        return None
    compact = re.sub(r"[\s()\-]", "", cleaned)
    mobile = _MOBILE.fullmatch(compact)
    if mobile:
        return mobile.group(1)
    # Landlines keep their dashes (they separate the extension); spaces act as dashes.
    dashed = re.sub(r"\s*-\s*|\s+", "-", cleaned.lower())
    match = _LANDLINE.fullmatch(dashed)
    if not match:
        return None
    area = match["area"] or "0" + match["intl_area"]
    number = f"{area}-{match['head']}{match['tail']}"
    return f"{number}-{match['ext']}" if match["ext"] else number
