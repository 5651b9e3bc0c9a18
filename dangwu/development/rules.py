"""The regulations of member development (DEV-*, with VOTE-* from ``votes``). Pure.

Each rule is a function ``(timeline, context) -> list[Finding]`` over a parsed
``Timeline`` (``candidacy``: stages 1–3, ``admission``: stages 4–5; the [local] values
in ``DevelopmentSettings``); ``check_timeline`` runs them all on the timeline JSON of
DOMAIN.md §5 and ``next_deadlines`` gives the windows of the next steps.
``today`` is always an argument. A finding's ``subject`` is the step key it is about and
its ``due`` the deadline or the earliest allowed date.

"Before" in a rule allows the same day (DEV-ORDER allows equal dates) except where a
period must be over first: the pre-review may come on the day after the publicity ends
(CAL-COUNT), never on its last day.

A step a record does not have yet is not a finding, unless its deadline has passed on
``today`` (the talk one month after the application, the next assessment, the admission
and conversion approvals) or a later recorded step needed it (the political review,
training, publicity and pre-review before the admission meeting, the approval talk, the
introducers, the written conversion application).

DEV-LEAVING-3M reads ``person.leaves_unit_on`` (an addition to the format). DEV-NO-RUSH
is about an organization's year, not one record: ``check_annual_plan``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from dangwu.core.dates import add_months, add_years
from dangwu.core.findings import Finding
from dangwu.core.workcal import Calendar, CalendarDataMissing, known_calendar
from dangwu.development.admission import (
    check_approval_deadline,
    check_approval_talk,
    check_archive,
    check_conversion,
    check_extension,
    check_leaving,
    check_pre_review,
    check_probation,
    check_publicity,
    check_thought_reports,
    check_votes,
    probation_end_date,
    publicity_end,
    quarter_end,
    quarter_of,
)
from dangwu.development.candidacy import (
    check_age,
    check_application_to_activist,
    check_assessments,
    check_contacts,
    check_cultivation,
    check_introducers,
    check_league,
    check_order,
    check_political_review,
    check_recommendation,
    check_talk,
    check_training,
)
from dangwu.development.context import (
    DEFAULT,
    INFO,
    DevelopmentSettings,
    Rule,
    RuleContext,
    make_finding,
)
from dangwu.development.steps import STEP_INDEX
from dangwu.development.timeline import Timeline, TimelineError, parse_timeline
from dangwu.development.votes import VoteResult, vote_result

__all__ = [
    "DEFAULT",
    "RULES",
    "Deadline",
    "DevelopmentSettings",
    "Timeline",
    "TimelineError",
    "VoteResult",
    "check_annual_plan",
    "check_timeline",
    "next_deadlines",
    "parse_timeline",
    "vote_result",
]

RULES: tuple[Rule, ...] = (
    check_age,
    check_order,
    check_talk,
    check_application_to_activist,
    check_recommendation,
    check_league,
    check_contacts,
    check_assessments,
    check_cultivation,
    check_introducers,
    check_political_review,
    check_training,
    check_publicity,
    check_pre_review,
    check_leaving,
    check_votes,
    check_approval_deadline,
    check_approval_talk,
    check_probation,
    check_extension,
    check_conversion,
    check_archive,
    check_thought_reports,
)


def _context(
    today: dt.date, settings: DevelopmentSettings, calendar: Calendar | None
) -> RuleContext:
    return RuleContext(today=today, settings=settings, calendar=calendar or known_calendar())


def as_timeline(timeline: Timeline | Mapping[str, Any]) -> Timeline:
    return timeline if isinstance(timeline, Timeline) else parse_timeline(timeline)


def check_timeline(
    timeline: Timeline | Mapping[str, Any],
    *,
    today: dt.date,
    settings: DevelopmentSettings = DEFAULT,
    calendar: Calendar | None = None,
) -> list[Finding]:
    """Every DEV-* and VOTE-* finding on a development record, ordered by step.

    ``timeline`` is the decoded timeline JSON of DOMAIN.md §5 (or a parsed ``Timeline``);
    raises ``TimelineError`` (Chinese message, ``field``) when it cannot be read.
    ``calendar`` defaults to the shipped holiday schedules; a year it lacks gives a
    CAL-DATA finding, not an exception.
    """
    t = as_timeline(timeline)
    ctx = _context(today, settings, calendar)
    findings = [f for rule in RULES for f in rule(t, ctx)]
    after_steps = len(STEP_INDEX)
    return sorted(findings, key=lambda f: STEP_INDEX.get(f.subject, after_steps))


@dataclass(frozen=True, slots=True)
class Deadline:
    """A date window for a step not yet recorded: not before ``earliest``, not after
    ``latest`` (either may be open)."""

    step: str
    earliest: dt.date | None
    latest: dt.date | None
    label: str


def next_deadlines(
    timeline: Timeline | Mapping[str, Any],
    *,
    today: dt.date,
    settings: DevelopmentSettings = DEFAULT,
    calendar: Calendar | None = None,
) -> list[Deadline]:
    """The windows of the steps that come next on a record, for the person page.

    Only for steps not yet recorded; a window already past stays in the list (the page
    shows it as overdue and ``check_timeline`` has the finding). A publicity end in a year
    without a holiday schedule is left out (``check_timeline`` reports CAL-DATA).
    """
    t = as_timeline(timeline)
    ctx = _context(today, settings, calendar)
    out: list[Deadline] = []

    def add(step: str, earliest: dt.date | None, latest: dt.date | None, label: str) -> None:
        if not t.has(step):
            out.append(Deadline(step, earliest, latest, label))

    app, activist = t.step("application"), t.step("activist")
    if app is not None:
        add("application_talk", None, add_months(app.date, 1), "党组织派人谈话")
        if settings.app_to_activist_months:
            earliest = add_months(app.date, settings.app_to_activist_months)
            add("activist", earliest, None, "最早可确定为入党积极分子")
    if activist is not None and not t.has("candidate"):
        last = max(
            [activist.date] + [r.date for r in t.entries("activist_assessments")],
        )
        out.append(
            Deadline("activist_assessments", None, add_months(last, 6), "下一次培养教育考察")
        )
        add("candidate", add_years(activist.date, 1), None, "最早可确定为发展对象")
    if t.has("publicity"):
        try:
            end = publicity_end(t, ctx)
        except CalendarDataMissing:
            end = None
        if end is not None:
            add("pre_review", end + dt.timedelta(days=1), None, "公示期满后方可预审")
    meeting = t.step("admission_meeting")
    if meeting is not None:
        add("admission_approval", None, add_months(meeting.date, 3), "上级党委审批")
        add("conversion_meeting", probation_end_date(t), None, "预备期满，讨论转正")
    conversion = t.step("conversion_meeting")
    if conversion is not None:
        add("conversion_approval", None, add_months(conversion.date, 3), "转正审批")
    if (
        app is not None
        and t.thought_reports is not None
        and settings.thought_report_quarterly
        and not t.has("conversion_approval")
    ):
        out.append(
            Deadline("thought_reports", None, quarter_end(*quarter_of(today)), "本季度思想汇报")
        )
    after_steps = len(STEP_INDEX)
    return sorted(out, key=lambda d: STEP_INDEX.get(d.step, after_steps))


def check_annual_plan(*, year: int, quota: int | None, admitted: int) -> list[Finding]:
    """DEV-NO-RUSH — 细则 第三条: development follows the annual plan (总量调控) and rushed
    development is prohibited. Info findings: no plan for the year, or more admissions
    (admission approvals dated in the year) than the plan."""
    if quota is None:
        return [
            make_finding(
                "DEV-NO-RUSH", INFO, "", f"尚未制定{year}年度发展党员计划（{admitted}名已接收）。"
            )
        ]
    if admitted > quota:
        return [
            make_finding(
                "DEV-NO-RUSH",
                INFO,
                "",
                f"{year}年已接收预备党员{admitted}名，超出年度发展计划{quota}名，"
                "应严格按计划发展，防止突击发展。",
            )
        ]
    return []
