"""The timeline JSON format of DOMAIN.md §5, parsed into frozen dataclasses.

Parsing is strict about what the rules read (dates, enumerations, counts) so that a typo
is an error naming the field, not a silently missing step. Fields the rules do not read
(a note, a name) are allowed and ignored.

Additions to the format of DOMAIN.md §5 (all optional):

- ``"thought_reports": [{"date": "2020-03-20"}, …]`` at the top level (DEV-THOUGHT-REPORT).
  Without the key the rule is not checked; an empty list means none were handed in.
- ``"probation_extension"``: an object (or a list, to record a second extension, which
  DEV-EXTENSION refuses) ``{"date", "months", "approval_date", "should_attend",
  "present", "in_favour", "written_in_favour"}``; ``date`` is the general meeting's
  decision.
- A person in ``people`` may carry a ``"name"`` used in messages.
- ``"person": {"leaves_unit_on": "2021-08-31"}``: the day the candidate is expected to leave
  the unit (graduation, a transfer), for DEV-LEAVING-3M.
- ``"training"``: ``days`` defaults to the days from ``start`` to ``end`` inclusive;
  ``end`` defaults to ``start``.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from dangwu.development.steps import STEP_BY_KEY, STEP_INDEX
from dangwu.development.votes import check_vote_counts

PERSON_STATUSES = ("applicant", "activist", "candidate", "probationary", "full")
SANCTIONS = (
    "warning",
    "serious_warning",
    "removal_from_post",
    "probation_within_party",
    "expulsion",
)
RECOMMENDED_BY = ("party_members", "league", "mass_organization")
ACTING_ORGS = ("basic_committee", "general_branch", "branch")
VOTE_FIELDS = ("should_attend", "present", "in_favour")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class TimelineError(ValueError):
    """The timeline cannot be read; ``field`` is the JSON path (``steps.activist.date``)."""

    def __init__(self, message: str, *, field: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True, slots=True)
class PersonFacts:
    birth_date: dt.date
    league_member: bool = False
    leaves_unit_on: dt.date | None = None


@dataclass(frozen=True, slots=True)
class RolePerson:
    """A contact person or an introducer as the rules see them on the step date."""

    status: str
    sanction: str | None = None
    name: str = ""


@dataclass(frozen=True, slots=True)
class VoteCount:
    should_attend: int
    present: int
    in_favour: int
    written_in_favour: int = 0


@dataclass(frozen=True, slots=True)
class StepRecord:
    """One dated entry of a step. ``date`` is the day of the step (for training and
    publicity, the first day); ``end`` the last day of a training. The other fields are
    set only on the steps that carry them."""

    key: str
    date: dt.date
    end: dt.date | None = None
    recommended_by: str | None = None
    people: tuple[RolePerson, ...] | None = None
    passed: bool | None = None
    by: str | None = None
    days: int | None = None
    hours: float | None = None
    working_days: int | None = None
    vote: VoteCount | None = None
    months: int | None = None
    approval_date: dt.date | None = None

    @property
    def last(self) -> dt.date:
        """The day the step is over (a training's end; otherwise its date)."""
        return self.end or self.date


@dataclass(frozen=True, slots=True)
class Timeline:
    """A development record: the person and, by step key, the dated entries (one entry
    for a single step, several for a repeated one)."""

    person: PersonFacts
    records: Mapping[str, tuple[StepRecord, ...]]
    thought_reports: tuple[dt.date, ...] | None = None

    def step(self, key: str) -> StepRecord | None:
        """The (first) entry of ``key``, or ``None`` when the step is not recorded."""
        entries = self.records.get(key, ())
        return entries[0] if entries else None

    def entries(self, key: str) -> tuple[StepRecord, ...]:
        return self.records.get(key, ())

    def has(self, key: str) -> bool:
        return bool(self.records.get(key))


# --- parsing ------------------------------------------------------------------------------


def _show(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _object(value: Any, field: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise TimelineError(f"「{field}」应为 JSON 对象，实际为{_show(value)}。", field=field)
    return value


def _optional_date(obj: Mapping[str, Any], name: str, field: str) -> dt.date | None:
    path = f"{field}.{name}"
    value = obj.get(name)
    if value is None:
        return None
    try:
        if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
            raise ValueError
        return dt.date.fromisoformat(value)
    except ValueError:
        raise TimelineError(
            f"「{path}」应为 YYYY-MM-DD 格式的日期，实际为{_show(value)}。", field=path
        ) from None


def _date(obj: Mapping[str, Any], name: str, field: str) -> dt.date:
    value = _optional_date(obj, name, field)
    if value is None:
        path = f"{field}.{name}"
        raise TimelineError(f"缺少「{path}」（日期）。", field=path)
    return value


def _int(obj: Mapping[str, Any], name: str, field: str, *, minimum: int = 0) -> int | None:
    path = f"{field}.{name}"
    value = obj.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise TimelineError(
            f"「{path}」应为不小于{minimum}的整数，实际为{_show(value)}。", field=path
        )
    return value


def _number(obj: Mapping[str, Any], name: str, field: str) -> float | None:
    path = f"{field}.{name}"
    value = obj.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise TimelineError(f"「{path}」应为不小于0的数，实际为{_show(value)}。", field=path)
    return value


def _bool(obj: Mapping[str, Any], name: str, field: str) -> bool | None:
    path = f"{field}.{name}"
    value = obj.get(name)
    if value is None or isinstance(value, bool):
        return value
    raise TimelineError(f"「{path}」应为 true 或 false，实际为{_show(value)}。", field=path)


def _choice(obj: Mapping[str, Any], name: str, field: str, allowed: Sequence[str]):
    path = f"{field}.{name}"
    value = obj.get(name)
    if value is None or value in allowed:
        return value
    raise TimelineError(
        f"「{path}」应为 {'、'.join(allowed)} 之一，实际为{_show(value)}。", field=path
    )


def _people(obj: Mapping[str, Any], field: str) -> tuple[RolePerson, ...] | None:
    path = f"{field}.people"
    value = obj.get("people")
    if value is None:
        return None
    if not isinstance(value, list):
        raise TimelineError(f"「{path}」应为列表，实际为{_show(value)}。", field=path)
    people = []
    for i, item in enumerate(value):
        item_path = f"{path}[{i}]"
        person = _object(item, item_path)
        status = _choice(person, "status", item_path, PERSON_STATUSES)
        if status is None:
            raise TimelineError(f"缺少「{item_path}.status」（党籍状态）。", field=item_path)
        name = person.get("name") or ""
        people.append(
            RolePerson(
                status=status,
                sanction=_choice(person, "sanction", item_path, SANCTIONS),
                name=str(name),
            )
        )
    return tuple(people)


def _vote(obj: Mapping[str, Any], field: str) -> VoteCount | None:
    given = [name for name in VOTE_FIELDS if obj.get(name) is not None]
    if not given:
        return None
    if len(given) < len(VOTE_FIELDS):
        missing = next(name for name in VOTE_FIELDS if name not in given)
        raise TimelineError(
            f"表决情况应同时填写 should_attend、present、in_favour，缺少「{field}.{missing}」。",
            field=f"{field}.{missing}",
        )
    counts = [_int(obj, name, field) or 0 for name in (*VOTE_FIELDS, "written_in_favour")]
    try:
        check_vote_counts(*counts)
    except ValueError as exc:
        raise TimelineError(f"「{field}」的表决情况有误：{exc}", field=field) from None
    return VoteCount(*counts)


def _record(key: str, value: Any, field: str) -> StepRecord:
    obj = _object(value, field)
    if key in ("training", "publicity"):
        start = _date(obj, "start", field)
        end = _optional_date(obj, "end", field) if key == "training" else None
        if end is not None and end < start:
            raise TimelineError(
                f"「{field}.end」（{end.isoformat()}）早于开始日期（{start.isoformat()}）。",
                field=f"{field}.end",
            )
        days = _int(obj, "days", field)
        if key == "training":
            span = ((end or start) - start).days + 1
            if days is None:
                days = span
            elif days > span:
                raise TimelineError(
                    f"「{field}.days」为{days}天，超过起止日期之间的{span}天。",
                    field=f"{field}.days",
                )
        return StepRecord(
            key=key,
            date=start,
            end=end,
            days=days,
            hours=_number(obj, "hours", field),
            working_days=_int(obj, "working_days", field, minimum=1),
        )
    return StepRecord(
        key=key,
        date=_date(obj, "date", field),
        recommended_by=_choice(obj, "recommended_by", field, RECOMMENDED_BY),
        people=_people(obj, field),
        passed=_bool(obj, "passed", field),
        by=_choice(obj, "by", field, ACTING_ORGS),
        vote=_vote(obj, field),
        months=_int(obj, "months", field, minimum=1),
        approval_date=_optional_date(obj, "approval_date", field),
    )


def _entries(key: str, value: Any, field: str) -> tuple[StepRecord, ...]:
    step = STEP_BY_KEY[key]
    if step.repeated or key == "probation_extension":
        if isinstance(value, list):
            return tuple(_record(key, item, f"{field}[{i}]") for i, item in enumerate(value))
        if step.repeated:
            raise TimelineError(
                f"「{field}」应为列表（每项含 date），实际为{_show(value)}。", field=field
            )
    return (_record(key, value, field),)


def parse_timeline(data: Any) -> Timeline:
    """A ``Timeline`` from the decoded JSON; raises ``TimelineError`` naming the field."""
    top = _object(data, "timeline")
    person = _object(top.get("person"), "person")
    league = _bool(person, "league_member", "person")
    facts = PersonFacts(
        birth_date=_date(person, "birth_date", "person"),
        league_member=bool(league),
        leaves_unit_on=_optional_date(person, "leaves_unit_on", "person"),
    )
    steps = _object(top.get("steps", {}), "steps")
    records: dict[str, tuple[StepRecord, ...]] = {}
    for key in sorted(steps, key=lambda k: STEP_INDEX.get(k, -1)):
        if key not in STEP_BY_KEY:
            raise TimelineError(f"未知的步骤「steps.{key}」。", field=f"steps.{key}")
        entries = _entries(key, steps[key], f"steps.{key}")
        if entries:
            records[key] = entries
    reports = None
    if "thought_reports" in top:
        raw = top["thought_reports"]
        if not isinstance(raw, list):
            raise TimelineError(
                f"「thought_reports」应为列表（每项含 date），实际为{_show(raw)}。",
                field="thought_reports",
            )
        reports = tuple(
            sorted(
                _date(_object(item, f"thought_reports[{i}]"), "date", f"thought_reports[{i}]")
                for i, item in enumerate(raw)
            )
        )
    return Timeline(person=facts, records=MappingProxyType(records), thought_reports=reports)
