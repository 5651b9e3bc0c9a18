"""One development record read from a file, before it is checked against the roll.

The readers (``xlsx``, ``jsonfiles``) turn a row or a JSON object into a ``Candidate``: the
person's ID number, the timeline JSON (steps, thought reports) without the contact persons
and introducers, those people as written (``RolePerson``), and the problems found while
reading. ``services.imports`` then resolves the people on the roll, adds the person's facts,
parses the timeline with ``parse_timeline`` and compares it with the roll.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from dangwu.development.imports.report import ImportProblem


@dataclass(slots=True)
class RolePerson:
    """A contact person or an introducer as the file names them.

    ``by_name``: look the name up on the roll (the workbook); ``id_number``: the JSON
    file's link to the roll; otherwise the given ``status``/``sanction`` are kept.
    """

    step: str
    name: str
    status: str | None = None
    sanction: str | None = None
    id_number: str = ""
    by_name: bool = False
    column: str = ""  # where to report a problem with this person


@dataclass
class Candidate:
    row: int | None  # the sheet row (workbook)
    file: str  # the file name (JSON)
    prefix: str  # the JSON path of the record inside the file ("[2]" or "")
    id_number: str
    name: str
    data: dict[str, Any]
    people: list[RolePerson] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)  # person facts the file states
    locate: Callable[[str], str] = str  # a JSON field path → the column to report
    problems: list[ImportProblem] = field(default_factory=list)
    id_column: str = "公民身份号码"
    name_column: str = "姓名"

    def error(self, column: str, message: str, value: Any = "") -> None:
        self.problems.append(
            ImportProblem(self.row, self.file, column, "" if value is None else str(value), message)
        )

    def field_error(self, path: str, message: str, value: Any = "") -> None:
        """A problem at a JSON field path of the timeline, named as the file names it."""
        column = self.locate(path)
        if self.row is not None:
            message = _PATH.sub(lambda m: f"「{self.locate(m.group(1))}」", message)
        self.error(column, message, value)

    @property
    def where(self) -> str:
        return f"第{self.row}行" if self.row is not None else f"{self.file}{self.prefix}"


_PATH = re.compile(r"「((?:steps|person|thought_reports)[^」]*)」")
