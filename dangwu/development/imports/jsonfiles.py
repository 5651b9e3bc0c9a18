"""Reading timeline JSON files into ``Candidate`` records.

A file holds one record (an object) or several (a list of objects), each in the timeline
JSON format of DOMAIN.md §5 with one addition: the person is identified on the roll by
``"person": {"id_number": "…", "name": "…"}``. ``birth_date`` and ``league_member`` may be
left out (the roll's are used); when given they must agree with the roll. A contact person
or an introducer may carry ``"id_number"`` to link them to the roll (their status and
sanction on the step date are then the roll's); without it, the given ``status`` and
``sanction`` are kept. Example::

    [{"person": {"id_number": "11010519491231002X", "name": "张三"},
      "steps": {"application": {"date": "2019-10-08"},
                "introducers": {"date": "2021-04-25", "people": [
                    {"name": "李四", "id_number": "440524188001010014"},
                    {"name": "王五", "status": "full"}]}}}]

A file that is not JSON is a problem of the file; a record that cannot be read is a problem
at its JSON field path (``[2].steps.activist.date``).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Sequence
from typing import Any

from django.conf import settings

from dangwu.development.imports.candidates import Candidate, RolePerson
from dangwu.development.imports.report import ImportProblem
from dangwu.development.imports.xlsx import check_size, file_size
from dangwu.members.roster.columns import bad_file

ROLE_STEPS = ("contacts_assigned", "introducers")


def _decode(upload) -> tuple[Any, str | None]:
    upload.seek(0)
    raw = upload.read()
    if not raw.strip():
        return None, "文件是空的。"
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None, "文件不是UTF-8编码的文本，无法作为JSON读取。"
    try:
        return json.loads(text), None
    except json.JSONDecodeError as exc:
        return None, f"不是有效的JSON：第{exc.lineno}行第{exc.colno}列附近有语法错误。"
    except RecursionError:
        return None, "JSON嵌套层数过多。"


def read_files(uploads: Sequence, *, today) -> tuple[list[Candidate], list[ImportProblem]]:
    """The records of every file, and the problems of files that cannot be read at all."""
    if not uploads:
        raise bad_file("请选择要导入的文件。")
    limit = settings.DANGWU["IMPORT_MAX_BYTES"]
    check_size(sum(file_size(u) for u in uploads), limit)
    max_rows = settings.DANGWU["IMPORT_MAX_ROWS"]
    out: list[Candidate] = []
    problems: list[ImportProblem] = []
    for upload in uploads:
        name = getattr(upload, "name", "") or "upload.json"
        decoded, error = _decode(upload)
        if error:
            problems.append(ImportProblem(None, name, "", "", error))
            continue
        if isinstance(decoded, dict):
            items, many = [decoded], False
        elif isinstance(decoded, list):
            items, many = decoded, True
        else:
            problems.append(
                ImportProblem(None, name, "", "", "文件应为一个发展记录（JSON对象）或其列表。")
            )
            continue
        if not items:
            problems.append(ImportProblem(None, name, "", "", "文件中没有发展记录。"))
        for index, item in enumerate(items):
            if len(out) >= max_rows:
                raise bad_file(
                    f"文件中的发展记录超过每次导入{max_rows:,}条的上限，请分批导入。未导入任何数据。"
                )
            out.append(read_record(item, name, f"[{index}]" if many else ""))
    return out, problems


def read_record(item: Any, file: str, prefix: str) -> Candidate:
    def locate(path: str) -> str:
        return f"{prefix}.{path}" if prefix and path else (prefix or path)

    cand = Candidate(
        row=None,
        file=file,
        prefix=prefix,
        id_number="",
        name="",
        data={},
        locate=locate,
        id_column=locate("person.id_number"),
        name_column=locate("person.name"),
    )
    if not isinstance(item, dict):
        cand.error(locate(""), "每个发展记录应为JSON对象。")
        return cand
    person = item.get("person")
    if not isinstance(person, dict):
        cand.error(locate("person"), "缺少「person」对象（含 id_number 和 name）。")
        return cand
    id_number = person.get("id_number")
    if not isinstance(id_number, str) or not id_number.strip():
        cand.error(cand.id_column, "缺少「person.id_number」（公民身份号码，字符串）。")
    else:
        cand.id_number = id_number
    name = person.get("name")
    if name is not None and not isinstance(name, str):
        cand.error(cand.name_column, "「person.name」应为字符串。")
    else:
        cand.name = (name or "").strip()
    cand.facts = {k: person[k] for k in ("birth_date", "league_member") if k in person}
    data = {k: copy.deepcopy(item[k]) for k in ("steps", "thought_reports") if k in item}
    unknown = sorted(set(item) - {"person", "steps", "thought_reports"})
    if unknown:
        cand.error(locate(unknown[0]), f"未知的字段「{unknown[0]}」。")
    data.setdefault("steps", {})
    cand.data = data
    steps = data["steps"]
    if not isinstance(steps, dict):
        return cand  # parse_timeline names it
    for step in ROLE_STEPS:
        obj = steps.get(step)
        if not isinstance(obj, dict) or not isinstance(obj.get("people"), list):
            continue
        people = obj["people"]
        for i, p in enumerate(people):
            path = locate(f"steps.{step}.people[{i}]")
            if not isinstance(p, dict):
                cand.error(path, "每个人员应为JSON对象（含 name、status 或 id_number）。")
                continue
            linked = p.get("id_number")
            if linked is not None and not isinstance(linked, str):
                cand.error(f"{path}.id_number", "「id_number」应为字符串。")
                continue
            cand.people.append(
                RolePerson(
                    step=step,
                    name=str(p.get("name") or ""),
                    status=p.get("status"),
                    sanction=p.get("sanction"),
                    id_number=linked or "",
                    column=path,
                )
            )
        obj["people"] = []
    return cand
