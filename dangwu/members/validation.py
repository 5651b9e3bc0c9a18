"""Validation of a person's own fields, shared by the forms, the API and the roster import.

Pure: plain values in, ``{field: [Chinese messages]}`` out; ``today`` is a parameter.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from dangwu.core.dates import add_years
from dangwu.core.idcard import check_consistency, check_id_number
from dangwu.core.phone import check_phone, normalize_phone
from dangwu.members.choices import MEMBER_STATUSES, Status

FieldErrors = dict[str, list[str]]


def _add(errors: FieldErrors, field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def clean_person_fields(data: Mapping[str, Any], *, today: dt.date) -> tuple[dict, FieldErrors]:
    """Normalize and check a person's fields; returns (cleaned values, field errors).

    Expects ``name``, ``sex``, ``birth_date`` and optionally ``id_number``, ``phone``,
    ``status``, ``applied_on``, ``admission_date``, ``full_since``. Values already of the
    right type (dates as ``date``) — parsing text is the caller's job.
    """
    cleaned = dict(data)
    errs: FieldErrors = {}

    name = (data.get("name") or "").strip()
    cleaned["name"] = name
    if not name:
        _add(errs, "name", "请填写姓名。")
    elif len(name) > 50:
        _add(errs, "name", "姓名不能超过50个字。")

    birth_date = data.get("birth_date")
    sex = data.get("sex")
    raw_id = (data.get("id_number") or "").strip()
    if raw_id:
        result = check_id_number(raw_id, today=today)
        if not result.valid:
            for f in result.findings:
                _add(errs, "id_number", f.message)
        else:
            cleaned["id_number"] = result.normalized
            if birth_date is None:
                birth_date = cleaned["birth_date"] = result.birth_date
            if not sex:
                sex = cleaned["sex"] = result.sex
            for f in check_consistency(result.normalized, birth_date=birth_date, sex=sex):
                _add(errs, f.subject or "id_number", f.message)
    else:
        cleaned["id_number"] = None

    if birth_date is None:
        _add(errs, "birth_date", "请填写出生日期。")
    elif birth_date > today:
        _add(errs, "birth_date", "出生日期不能晚于今天。")
    if sex not in ("male", "female"):
        _add(errs, "sex", "请选择性别。")

    phone = (data.get("phone") or "").strip()
    if phone:
        problems = check_phone(phone)
        if problems:
            for f in problems:
                _add(errs, "phone", f.message)
        else:
            cleaned["phone"] = normalize_phone(phone)

    status = data.get("status")
    applied_on = data.get("applied_on")
    admission = data.get("admission_date")
    full_since = data.get("full_since")
    for field, value in (
        ("applied_on", applied_on),
        ("admission_date", admission),
        ("full_since", full_since),
    ):
        if value is not None and value > today:
            _add(errs, field, "日期不能晚于今天。")
        if value is not None and birth_date is not None and value <= birth_date:
            _add(errs, field, "日期不能早于出生日期。")
    if status in MEMBER_STATUSES and admission is None:
        _add(errs, "admission_date", "预备党员和正式党员须填写入党日期。")
    if status == Status.FULL and full_since is None:
        _add(errs, "full_since", "正式党员须填写转正日期。")
    if applied_on and admission and admission < applied_on:
        _add(errs, "admission_date", "入党日期不能早于申请入党日期。")
    if admission and full_since and full_since < add_years(admission, 1):
        # DEV-PROBATION: probation is one year from the admission meeting (党章 第七条).
        _add(errs, "full_since", "转正日期不能早于预备期满之日（入党日期起满一年）。")
    return cleaned, errs
