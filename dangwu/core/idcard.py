"""Resident ID numbers (公民身份号码): rules ID-CHECK and ID-CONSISTENT.

GB 11643-1999: 18 characters = 6-digit area code + birth date YYYYMMDD + 3-digit
sequence (odd for men, even for women) + one check character (ISO 7064 MOD 11-2).
Old 15-digit numbers (YYMMDD in the 1900s, no check character) are upgraded to 18
characters. Area codes are not validated: abolished areas keep their numbers.

Pure functions: no database, no clock (``today`` is a parameter).
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass
from typing import Any

from dangwu.core.findings import Finding, Severity

CITATION = "GB 11643-1999 公民身份号码"

# Weights for the first 17 digits and the check character for S mod 11.
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"

# The oldest birth date we accept; DOMAIN.md's example number is born on 1880-01-01.
EARLIEST_BIRTH_DATE = dt.date(1880, 1, 1)

_SEX_LABELS = {"male": "男", "female": "女"}


@dataclass(frozen=True)
class IdCardResult:
    """The outcome of ``check_id_number``.

    ``normalized`` is the 18-character form (upper-case ``X``) whenever the input has
    the shape of a number, else the cleaned input. ``birth_date`` and ``sex`` are only
    set for a valid number: nothing is derived from a number that fails the check.
    """

    valid: bool
    normalized: str
    birth_date: dt.date | None
    sex: str | None
    findings: tuple[Finding, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "valid": self.valid,
            "normalized": self.normalized,
            "birth_date": self.birth_date.isoformat() if self.birth_date else None,
            "sex": self.sex,
            "findings": [f.as_dict() for f in self.findings],
        }


def check_char(first17: str) -> str:
    """The check character for the first 17 digits (GB 11643-1999, ISO 7064 MOD 11-2)."""
    total = sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_CHARS[total % 11]


def upgrade_15_to_18(number15: str) -> str:
    """Upgrade an old 15-digit number: insert the century "19" and append the check."""
    first17 = number15[:6] + "19" + number15[6:]
    return first17 + check_char(first17)


def check_id_number(number: str, *, today: dt.date) -> IdCardResult:
    """Rule ID-CHECK: is ``number`` a well-formed resident ID number?

    Every failure is an error finding with a precise Chinese message; independent
    failures (area code, birth date, check character) are all reported.
    """
    # NFKC turns full-width digits and letters (common when pasting) into ASCII.
    cleaned = unicodedata.normalize("NFKC", number or "").strip().upper()

    if not cleaned:
        return _invalid(cleaned, "未填写身份证号码。")
    if len(cleaned) not in (15, 18):
        return _invalid(cleaned, f"身份证号码应为18位（或旧式15位），当前为{len(cleaned)}位。")

    bad = _illegal_positions(cleaned)
    if bad:
        listed = "、".join(f"第{pos}位“{char}”" for pos, char in bad)
        if len(cleaned) == 18:
            rule = "前17位只能是数字，第18位只能是数字或X"
        else:
            rule = "旧式15位号码只能由数字组成"
        return _invalid(cleaned, f"身份证号码含有非法字符：{listed}；{rule}。")

    normalized = upgrade_15_to_18(cleaned) if len(cleaned) == 15 else cleaned
    messages: list[str] = []

    if normalized[0] == "0":
        messages.append("身份证号码的地区码不能以0开头。")

    birth_digits = normalized[6:14]
    birth_date = _parse_date(birth_digits)
    if birth_date is None:
        messages.append(f"身份证号码中的出生日期{birth_digits}不是有效日期。")
    elif birth_date < EARLIEST_BIRTH_DATE:
        messages.append(f"身份证号码中的出生日期{birth_date.isoformat()}早于1880-01-01。")
    elif birth_date > today:
        messages.append(
            f"身份证号码中的出生日期{birth_date.isoformat()}晚于今天（{today.isoformat()}）。"
        )

    # A 15-digit number has no check character of its own; ours is computed.
    expected = check_char(normalized[:17])
    if normalized[17] != expected:
        messages.append(f"身份证号码第18位校验码应为{expected}，实际为{normalized[17]}。")

    if messages:
        return _invalid(normalized, *messages)
    return IdCardResult(
        valid=True,
        normalized=normalized,
        birth_date=birth_date,
        sex=_sex_of(normalized),
        findings=(),
    )


def check_consistency(
    normalized_id: str, *, birth_date: dt.date | None, sex: str | None
) -> list[Finding]:
    """Rule ID-CONSISTENT: do the recorded birth date and sex agree with the number?

    ``None`` means "not recorded" and gives no finding. A number that cannot be read
    gives no finding either: that is ID-CHECK's business.
    """
    if sex is not None and sex not in _SEX_LABELS:
        raise ValueError(f"sex must be 'male', 'female' or None, not {sex!r}")
    number = (normalized_id or "").strip().upper()
    if len(number) != 18 or not number[:17].isdigit():
        return []
    id_birth_date = _parse_date(number[6:14])
    if id_birth_date is None:
        return []

    findings: list[Finding] = []
    if birth_date is not None and birth_date != id_birth_date:
        findings.append(
            _finding(
                "ID-CONSISTENT",
                "出生日期与身份证号码不一致："
                f"身份证为{id_birth_date.isoformat()}，填写为{birth_date.isoformat()}。",
                subject="birth_date",
            )
        )
    id_sex = _sex_of(number)
    if sex is not None and sex != id_sex:
        findings.append(
            _finding(
                "ID-CONSISTENT",
                "性别与身份证号码不一致："
                f"身份证为{_SEX_LABELS[id_sex]}，填写为{_SEX_LABELS[sex]}。",
                subject="sex",
            )
        )
    return findings


def mask_id_number(number: str) -> str:
    """Keep the first 6 and last 4 characters and star the middle: ``110105********002X``.

    Input too short to keep both ends is starred entirely.
    """
    cleaned = (number or "").strip().upper()
    if len(cleaned) <= 10:
        return "*" * len(cleaned)
    return cleaned[:6] + "*" * (len(cleaned) - 10) + cleaned[-4:]


def _illegal_positions(cleaned: str) -> list[tuple[int, str]]:
    # 1-based positions of characters that may not stand where they are.
    bad = []
    for index, char in enumerate(cleaned):
        allowed = char in "0123456789" or (char == "X" and index == 17)
        if not allowed:
            bad.append((index + 1, char))
    return bad


def _parse_date(digits: str) -> dt.date | None:
    try:
        return dt.date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        return None


def _sex_of(number18: str) -> str:
    # The 17th character ends the sequence number: odd for men, even for women.
    return "male" if int(number18[16]) % 2 else "female"


def _finding(code: str, message: str, *, subject: str) -> Finding:
    return Finding(
        code=code,
        severity=Severity.ERROR,
        message=message,
        citation=CITATION,
        subject=subject,
    )


def _invalid(normalized: str, *messages: str) -> IdCardResult:
    return IdCardResult(
        valid=False,
        normalized=normalized,
        birth_date=None,
        sex=None,
        findings=tuple(_finding("ID-CHECK", m, subject="id_number") for m in messages),
    )
