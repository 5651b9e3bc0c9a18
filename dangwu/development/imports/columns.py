"""The historical import workbook's layout: its columns, the header, reading a cell.

One row per person. ``姓名`` and ``公民身份号码`` identify the person on the roll; one column
per step holds the step's date (``"3 推荐和确定入党积极分子"``; the repeated assessments hold
several dates in one cell); the data columns the rules read sit beside their step. Shared by
the reader (``xlsx``) and the template. Dates, formula escaping and the file-level error
come from the roster import (``members.roster.columns``), so both imports read cells alike.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from dangwu.development.choices import ActingOrg, RecommendedBy
from dangwu.development.steps import STEP_BY_KEY, STEPS
from dangwu.members.choices import SanctionKind, Status
from dangwu.members.roster.columns import (
    DATE_FORMATS_HELP,
    bad_file,
    cell_text,
    match_header,
    parse_date,
)

DATA_SHEET = "发展记录"
HELP_SHEET = "说明"
SMALLINT_MAX = 32767  # PositiveSmallIntegerField

# --- columns ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """One column. ``step`` and ``field`` say where the value goes in the timeline JSON
    (``steps.<step>.<field>``); ``kind`` how the cell is read."""

    key: str
    header: str
    kind: str  # text | id | date | dates | int | number | enum | people
    step: str = ""
    field: str = ""
    help: str = ""
    choices: tuple[tuple[Any, str], ...] = ()  # (value, label) for enumerations
    aliases: tuple[str, ...] = ()
    required: bool = False

    @property
    def is_step_date(self) -> bool:
        return self.key == self.step


def step_header(step) -> str:
    return f"{step.number} {step.name}"


PEOPLE_HELP = (
    "姓名，多人用“、”分隔。按姓名在本组织名册中查找，找到的按名册记载的当日政治面貌和处分检查；"
    "名册中没有或有重名的，请在姓名后用括号写明当时的政治面貌（及处分），"
    "如“王五（正式党员）”“赵六（正式党员，留党察看）”。"
)
RECOMMENDED_CHOICES = (
    (RecommendedBy.PARTY_MEMBERS.value, "党员推荐"),
    (RecommendedBy.LEAGUE.value, "共青团推优"),
    (RecommendedBy.MASS_ORGANIZATION.value, "群团组织推优"),
)
REVIEW_CHOICES = ((True, "合格"), (False, "不合格"))
ACTING_CHOICES = (
    (ActingOrg.BASIC_COMMITTEE.value, "基层党委"),
    (ActingOrg.GENERAL_BRANCH.value, "党总支"),
    (ActingOrg.BRANCH.value, "党支部"),
)
# Other ways of writing an enumeration that people use.
ENUM_ALIASES = {
    "recommended_by": {
        "党员推荐": "party_members",
        "共青团推优": "league",
        "团组织推优": "league",
        "团员推优": "league",
        "推优": "league",
        "群团组织推优": "mass_organization",
        "群团推优": "mass_organization",
    },
    "passed": {"合格": True, "通过": True, "不合格": False, "不通过": False},
    "by": {
        "基层党委": "basic_committee",
        "党委": "basic_committee",
        "党总支": "general_branch",
        "总支": "general_branch",
        "党支部": "branch",
        "支部": "branch",
    },
}


def _vote_columns(prefix: str, step: str) -> tuple[Column, ...]:
    fields = (
        ("should_attend", "应到人数", "应到会有表决权的正式党员人数（已除去依规不计入的）。"),
        ("present", "实到人数", "实到会有表决权的正式党员人数。"),
        ("in_favour", "赞成票", "到会党员的赞成票数。"),
        ("written_in_favour", "书面赞成意见", "会前正式提交的书面赞成意见数；留空为0。"),
    )
    return tuple(
        Column(f"{step}.{f}", f"{prefix}{label}", "int", step=step, field=f, help=text)
        for f, label, text in fields
    )


def _build() -> tuple[Column, ...]:
    out: list[Column] = [
        Column("name", "姓名", "text", required=True, help="须与名册一致。"),
        Column(
            "id_number",
            "公民身份号码",
            "id",
            required=True,
            aliases=("身份证号码", "身份证号"),
            help="以身份证号码在本组织名册中识别人员（请先导入名册）。请将该列设为文本格式。",
        ),
    ]
    for step in STEPS:
        if step.optional:
            continue
        header = step_header(step)
        if step.repeated:
            alias = f"{step.name}日期"
            out.append(
                Column(
                    step.key,
                    header,
                    "dates",
                    step=step.key,
                    field="date",
                    aliases=(alias,),
                    help="每次考察的日期，多个日期用“、”或“;”分隔。",
                )
            )
        elif step.key == "training":
            out.append(
                Column(
                    step.key,
                    header,
                    "date",
                    step=step.key,
                    field="start",
                    aliases=("培训开始日期",),
                    help="集中培训的第一天。",
                )
            )
        else:
            out.append(Column(step.key, header, "date", step=step.key, field="date"))
        out.extend(_data_columns(step.key))
    out.append(
        Column(
            "by",
            "审批机关",
            "enum",
            field="by",
            choices=ACTING_CHOICES,
            help="办理第13步预审、第17步接收审批、第24步转正审批的党组织类别（基层党委、党总支或党支部），"
            "填写后用于这三步中已填日期的各步。",
        )
    )
    return tuple(out)


def _data_columns(key: str) -> tuple[Column, ...]:
    """The columns that sit right after a step's date column."""
    if key == "activist":
        return (
            Column(
                "activist.recommended_by",
                "推荐方式",
                "enum",
                step=key,
                field="recommended_by",
                choices=RECOMMENDED_CHOICES,
                help="党员推荐、共青团推优或群团组织推优。",
            ),
        )
    if key == "contacts_assigned":
        return (
            Column(
                "contacts_assigned.people",
                "培养联系人",
                "people",
                step=key,
                field="people",
                help=PEOPLE_HELP,
            ),
        )
    if key == "introducers":
        return (
            Column(
                "introducers.people",
                "入党介绍人",
                "people",
                step=key,
                field="people",
                help=PEOPLE_HELP,
            ),
        )
    if key == "political_review":
        return (
            Column(
                "political_review.passed",
                "政审结论",
                "enum",
                step=key,
                field="passed",
                choices=REVIEW_CHOICES,
                help="合格或不合格。",
            ),
        )
    if key == "training":
        return (
            Column(
                "training.end", "培训结束日期", "date", step=key, field="end", help="留空为一天。"
            ),
            Column(
                "training.days",
                "培训天数",
                "int",
                step=key,
                field="days",
                help="留空时按起止日期计算。",
            ),
            Column(
                "training.hours",
                "培训学时",
                "number",
                step=key,
                field="hours",
                help="可有一位小数。",
            ),
        )
    if key == "committee_review":
        return (
            Column(
                "publicity",
                "公示开始日期",
                "date",
                step="publicity",
                field="start",
                help="支部委员会审查后公示的第一天（[local] 公示）。",
            ),
            Column(
                "publicity.working_days",
                "公示工作日数",
                "int",
                step="publicity",
                field="working_days",
                help="公示的工作日数。",
            ),
        )
    if key == "admission_meeting":
        return _vote_columns("接收大会", key)
    if key == "conversion_application":
        return (
            Column(
                "probation_extension",
                "延长预备期决定日期",
                "date",
                step="probation_extension",
                field="date",
                help="支部大会作出延长预备期决议的日期；未延长的留空。",
            ),
            Column(
                "probation_extension.months",
                "延长预备期月数",
                "int",
                step="probation_extension",
                field="months",
                help="延长的月数（6至12个月）。",
            ),
            Column(
                "probation_extension.approval_date",
                "延长预备期批准日期",
                "date",
                step="probation_extension",
                field="approval_date",
                help="上级党委批准延长的日期。",
            ),
        )
    if key == "conversion_meeting":
        return _vote_columns("转正大会", key)
    return ()


COLUMNS: tuple[Column, ...] = _build()
COLUMN_BY_KEY = {c.key: c for c in COLUMNS}
COLUMN_INDEX = {c.key: i for i, c in enumerate(COLUMNS)}
APPROVAL_STEPS = ("pre_review", "admission_approval", "conversion_approval")
MEETINGS = ("admission_meeting", "conversion_meeting")
# Columns for a human reader (the template writes them); the import accepts and ignores them.
INFO_HEADERS = ("序号", "备注", "所在党支部", "政治面貌", "名册政治面貌")

# --- the header ---------------------------------------------------------------------------


def norm_header(value: Any) -> str:
    """``"3、推荐和确定入党积极分子 *"`` → ``"3推荐和确定入党积极分子"``."""
    text = unicodedata.normalize("NFKC", cell_text(value))
    text = re.sub(r"[\s*]", "", text)
    return re.sub(r"^(?:第)?(\d+)(?:步)?[.、:：]?", r"\1", text)


def _header_keys() -> dict[str, str]:
    keys: dict[str, str] = {}
    names: dict[str, list[str]] = {}
    for c in COLUMNS:
        keys[norm_header(c.header)] = c.key
        for alias in c.aliases:
            keys[norm_header(alias)] = c.key
        if c.is_step_date and STEP_BY_KEY[c.step].number is not None:
            names.setdefault(c.header.split(" ", 1)[1], []).append(c.key)
    # A step's name alone, where it is not shared (支部大会讨论 and 上级党委审批 appear twice).
    for name, found in names.items():
        if len(found) == 1:
            keys.setdefault(norm_header(name), found[0])
    return keys


HEADER_KEYS = _header_keys()
_INFO = {norm_header(h) for h in INFO_HEADERS}


@dataclass
class Sheet:
    header_row: int
    positions: dict[str, int]  # column key → index
    width: int


def read_header(cells: tuple) -> dict[str, int]:
    positions = match_header(
        cells,
        norm=norm_header,
        keys=HEADER_KEYS,
        ignored=_INFO,
        header_of={c.key: c.header for c in COLUMNS},
        required=[c.key for c in COLUMNS if c.required],
        hint="（步骤列写作“3 推荐和确定入党积极分子”）",
    )
    if not any(COLUMN_BY_KEY[k].step for k in positions):
        raise bad_file("表头中没有任何步骤的日期列（如“1 递交入党申请书”），请使用下载的模板。")
    return positions


def find_header(ws) -> Sheet:
    """The header is the first row (of the first ten) naming 姓名."""
    seen_content = False
    for number, cells in enumerate(ws.iter_rows(max_row=10, values_only=True), start=1):
        if any(cell_text(c) for c in cells):
            seen_content = True
        if any(norm_header(c) == "姓名" for c in cells):
            positions = read_header(cells)
            return Sheet(number, positions, max(positions.values()) + 1)
    if not seen_content:
        raise bad_file(
            "工作表是空的：第一行应为表头（姓名、公民身份号码、各步骤日期），下面每行一人。"
        )
    raise bad_file(
        "未找到表头：应有一行列名（姓名、公民身份号码、各步骤日期……），请使用下载的模板。"
    )


# --- cells --------------------------------------------------------------------------------


def read_date(value: Any, today: dt.date) -> dt.date:
    """A date cell; ``ValueError`` with a Chinese reason (historical dates only)."""
    day = parse_date(value)
    if day > today:
        raise ValueError(f"日期{day.isoformat()}晚于今天，历史记录不能有将来的日期。")
    return day


_DATE_SEPARATORS = re.compile(r"[、;；,，\n]+")


def read_dates(value: Any, today: dt.date) -> list[dt.date]:
    """Several dates in one cell, separated by 、 or ;."""
    if isinstance(value, dt.date):
        return [read_date(value, today)]
    pieces = [p.strip() for p in _DATE_SEPARATORS.split(cell_text(value)) if p.strip()]
    out = []
    for i, piece in enumerate(pieces, start=1):
        try:
            out.append(read_date(piece, today))
        except ValueError as exc:
            where = f"第{i}个日期“{piece}”：" if len(pieces) > 1 else ""
            raise ValueError(f"{where}{exc}") from None
    return sorted(out)


def read_int(value: Any) -> int:
    text = unicodedata.normalize("NFKC", cell_text(value)).strip()
    if not re.fullmatch(r"\d+", text):
        raise ValueError("应填写不小于0的整数。")
    number = int(text)
    if number > SMALLINT_MAX:
        raise ValueError(f"数值{number}过大。")
    return number


def read_number(value: Any) -> float:
    """Class hours: at most one decimal place (stored as such)."""
    text = unicodedata.normalize("NFKC", cell_text(value)).strip()
    if isinstance(value, float):
        text = repr(value)
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValueError("应填写数字，如24或24.5。") from None
    if not number.is_finite() or number < 0 or number >= 10000:
        raise ValueError("应填写0至9999.9之间的数字。")
    if number != number.quantize(Decimal("0.1")):
        raise ValueError("最多保留一位小数。")
    return int(number) if number == number.to_integral_value() else float(number)


def read_enum(column: Column, value: Any) -> Any:
    text = unicodedata.normalize("NFKC", cell_text(value)).replace(" ", "")
    table = ENUM_ALIASES[column.field]
    if text not in table:
        allowed = "、".join(label for _, label in column.choices)
        raise ValueError(f"“{cell_text(value)}”不是有效的{column.header}，可填：{allowed}。")
    return table[text]


STATUS_BY_LABEL = {
    str(label): value
    for value, label in Status.choices
    if value in ("applicant", "activist", "candidate", "probationary", "full")
}
STATUS_BY_LABEL |= {"党员": "full", "中共党员": "full", "中共预备党员": "probationary"}
SANCTION_BY_LABEL = {str(label): value for value, label in SanctionKind.choices}
STATUS_LABEL = {value: str(label) for value, label in Status.choices}
SANCTION_LABEL = {value: str(label) for value, label in SanctionKind.choices}


@dataclass(frozen=True, slots=True)
class NamedPerson:
    """A name written in a 培养联系人 / 入党介绍人 cell, with what the cell says of them."""

    name: str
    status: str | None = None
    sanction: str | None = None


def read_people(value: Any) -> list[NamedPerson]:
    """``"王五、赵六（正式党员，留党察看）"`` → two ``NamedPerson``; ValueError in Chinese."""
    text = unicodedata.normalize("NFKC", cell_text(value)).strip()
    text = re.sub(r"\s*\(\s*", "(", re.sub(r"\s*\)", ")", text))
    tokens: list[str] = []
    current, depth = "", 0
    for char in text:
        if char == "(":
            depth += 1
        elif char == ")":
            depth = max(0, depth - 1)
        if depth == 0 and char in "、,;/\n ":
            if current.strip():
                tokens.append(current.strip())
            current = ""
            continue
        current += char
    if current.strip():
        tokens.append(current.strip())
    people = []
    for token in tokens:
        match = re.fullmatch(r"([^()]+?)\s*(?:\(([^()]*)\))?", token)
        if not match:
            raise ValueError(f"无法识别“{token}”，请写作“姓名”或“姓名（政治面貌）”。")
        name, note = match.group(1).strip(), (match.group(2) or "").strip()
        if len(name) > 50:
            raise ValueError(f"姓名“{name[:10]}…”超过50个字。")
        status = sanction = None
        for word in (w for w in re.split(r"[,、;\s]+", note) if w):
            if word in STATUS_BY_LABEL and status is None:
                status = STATUS_BY_LABEL[word]
            elif word in SANCTION_BY_LABEL and sanction is None:
                sanction = SANCTION_BY_LABEL[word]
            else:
                raise ValueError(
                    f"“{name}”后括号中的“{word}”不是政治面貌或处分；"
                    "政治面貌可填正式党员、预备党员等，处分可填警告、严重警告、撤销党内职务、留党察看、开除党籍。"
                )
        if sanction is not None and status is None:
            raise ValueError(
                f"“{name}”写明了处分，也请写明当时的政治面貌，如“{name}（正式党员，留党察看）”。"
            )
        people.append(NamedPerson(name, status, sanction))
    return people


def column_help(column: Column) -> str:
    text = column.help
    if column.kind in ("date", "dates"):
        text = f"{text}{DATE_FORMATS_HELP}" if text else DATE_FORMATS_HELP
    return text
