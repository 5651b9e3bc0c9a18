"""Rules of stages 4–5: admission, probation and conversion (DEV-PUBLICITY … DEV-THOUGHT-REPORT,
with VOTE-* on the meetings). Pure.

Each rule is ``(timeline, context) -> list[Finding]``; see ``rules`` for the conventions.
"""

from __future__ import annotations

import datetime as dt

from dangwu.core.dates import add_months, zh_date
from dangwu.core.findings import Finding
from dangwu.core.workcal import CalendarDataMissing
from dangwu.development.context import (
    ERROR,
    INFO,
    ORG_ZH,
    WARNING,
    RuleContext,
    make_finding,
)
from dangwu.development.steps import step_label
from dangwu.development.timeline import Timeline
from dangwu.development.votes import PASS_CITATION, vote_result

# --- 预备党员的接收 ------------------------------------------------------------------------


def publicity_end(t: Timeline, ctx: RuleContext) -> dt.date | None:
    """The last day of the publicity period: the recorded number of working days, at least
    the setting (CAL-COUNT). ``None`` when there is no publicity. Raises
    ``CalendarDataMissing``."""
    publicity = t.step("publicity")
    if publicity is None:
        return None
    wanted = max(publicity.working_days or 0, ctx.settings.publicity_working_days, 1)
    return ctx.calendar.end_of_workdays(publicity.date, wanted)


def check_publicity(t: Timeline, ctx: RuleContext) -> list[Finding]:
    """DEV-PUBLICITY [local]: the candidate is publicly noticed for N working days (setting)
    after the committee review; the pre-review comes after the notice ends."""
    required = ctx.settings.publicity_working_days
    publicity, pre = t.step("publicity"), t.step("pre_review")
    if not required:
        return []
    if publicity is None:
        if pre is None:
            return []
        return [
            make_finding(
                "DEV-PUBLICITY",
                WARNING,
                "publicity",
                f"上级党委预审（{zh_date(pre.date)}）前没有记录对发展对象的公示。",
                due=pre.date,
            )
        ]
    findings = []
    recorded = publicity.working_days
    if recorded is not None and recorded < required:
        findings.append(
            make_finding(
                "DEV-PUBLICITY",
                WARNING,
                "publicity",
                f"公示{recorded}个工作日，少于规定的{required}个工作日。",
            )
        )
    try:
        end = publicity_end(t, ctx)
    except CalendarDataMissing as exc:
        findings.append(make_finding("CAL-DATA", WARNING, "publicity", exc.message))
        return findings
    if pre is not None and end is not None and pre.date <= end:
        earliest = end + dt.timedelta(days=1)
        findings.append(
            make_finding(
                "DEV-PUBLICITY",
                WARNING,
                "pre_review",
                f"上级党委预审（{zh_date(pre.date)}）未在公示期满（{zh_date(end)}）之后，"
                f"最早可于{zh_date(earliest)}预审。",
                due=earliest,
            )
        )
    return findings


def check_pre_review(t: Timeline, ctx: RuleContext) -> list[Finding]:
    """DEV-PRE-REVIEW — 细则 第十九条: the pre-review, by a basic committee (which has the
    approval authority), comes no later than the admission meeting."""
    pre, meeting = t.step("pre_review"), t.step("admission_meeting")
    findings = []
    if pre is not None and pre.by != "basic_committee":
        who = f"由{ORG_ZH[pre.by]}进行" if pre.by else "未记录由哪一级党组织进行"
        findings.append(
            make_finding(
                "DEV-PRE-REVIEW",
                ERROR,
                "pre_review",
                f"预审（{zh_date(pre.date)}）{who}，应由具有审批权限的基层党委预审。",
            )
        )
    if meeting is not None:
        if pre is None:
            message = f"支部大会讨论接收预备党员（{zh_date(meeting.date)}）前没有上级党委预审。"
        elif pre.date > meeting.date:
            message = (
                f"上级党委预审（{zh_date(pre.date)}）晚于支部大会讨论接收预备党员"
                f"（{zh_date(meeting.date)}）。"
            )
        else:
            return findings
        findings.append(
            make_finding("DEV-PRE-REVIEW", ERROR, "pre_review", message, due=meeting.date)
        )
    return findings


def check_leaving(t: Timeline, ctx: RuleContext) -> list[Finding]:
    """DEV-LEAVING-3M — 细则 第十九条: a candidate who will leave the unit within 3 months is
    generally not admitted (a warning on the admission meeting; the receiving organization
    should continue the cultivation instead). Needs ``person.leaves_unit_on``."""
    leaves, meeting = t.person.leaves_unit_on, t.step("admission_meeting")
    if leaves is None or meeting is None or leaves < meeting.date:
        return []
    if add_months(meeting.date, 3) <= leaves:
        return []
    return [
        make_finding(
            "DEV-LEAVING-3M",
            WARNING,
            "admission_meeting",
            f"支部大会讨论接收预备党员（{zh_date(meeting.date)}）后不满3个月"
            f"（{zh_date(leaves)}）即将离开工作或学习单位，一般不办理接收手续。",
            due=leaves,
        )
    ]


def check_votes(t: Timeline, ctx: RuleContext) -> list[Finding]:
    """VOTE-QUORUM — 细则 第二十条, VOTE-PASS — 细则 第二十一条 on the admission, extension and
    conversion meetings (see ``votes.vote_result``). A meeting without counts gets an
    info finding: the vote cannot be checked."""
    findings: list[Finding] = []
    for key in ("admission_meeting", "probation_extension", "conversion_meeting"):
        for record in t.entries(key):
            if record.vote is None:
                findings.append(
                    Finding(
                        code="VOTE-PASS",
                        severity=INFO,
                        message=f"{step_label(key)}（{zh_date(record.date)}）未记录表决情况，无法核对。",
                        citation=PASS_CITATION,
                        subject=key,
                    )
                )
                continue
            v = record.vote
            result = vote_result(
                v.should_attend, v.present, v.in_favour, v.written_in_favour, subject=key
            )
            findings += result.findings
    return findings


def check_approval_deadline(t: Timeline, ctx: RuleContext) -> list[Finding]:
    """DEV-APPROVAL-3M — 细则 (第四章): the admission is approved within 3 months of the
    admission meeting (warning past 3 months: a special reason is needed); past the
    setting (6 months) the admission has to be redone (error)."""
    meeting = t.step("admission_meeting")
    if meeting is None:
        return []
    soft = add_months(meeting.date, 3)
    redo = ctx.settings.approval_redo_months
    hard = add_months(meeting.date, redo)
    approval = t.step("admission_approval")
    on = approval.date if approval is not None else ctx.today
    if on <= soft:
        return []
    since = f"支部大会讨论接收预备党员（{zh_date(meeting.date)}）"
    if approval is not None:
        done = f"上级党委审批（{zh_date(approval.date)}）距{since}"
    else:
        done = f"{since}后至今未经上级党委审批，已"
    if on > hard:
        message = f"{done}超过{redo}个月（{zh_date(hard)}），应重新履行接收预备党员的手续。"
        return [make_finding("DEV-APPROVAL-3M", ERROR, "admission_approval", message, due=hard)]
    message = (
        f"{done}超过3个月（{zh_date(soft)}），须有特殊原因，"
        f"最长不超过{redo}个月（{zh_date(hard)}）。"
    )
    return [make_finding("DEV-APPROVAL-3M", WARNING, "admission_approval", message, due=soft)]


def check_approval_talk(t: Timeline, ctx: RuleContext) -> list[Finding]:
    """DEV-APPROVAL-TALK — 党章 第五条: a member of the approving committee (or an 组织员)
    talks with the candidate no later than the approval."""
    approval = t.step("admission_approval")
    if approval is None:
        return []
    talk = t.step("approval_talk")
    if talk is None:
        message = f"上级党委审批（{zh_date(approval.date)}）前没有记录上级党委派人谈话。"
    elif talk.date > approval.date:
        message = (
            f"上级党委派人谈话（{zh_date(talk.date)}）"
            f"晚于上级党委审批（{zh_date(approval.date)}）。"
        )
    else:
        return []
    return [make_finding("DEV-APPROVAL-TALK", ERROR, "approval_talk", message, due=approval.date)]


# --- 预备党员的教育考察和转正 --------------------------------------------------------------


def extension_months(t: Timeline) -> int:
    """The months of probation extension recorded (all of them, even a refused second one)."""
    return sum(r.months or 0 for r in t.entries("probation_extension"))


def probation_end_date(t: Timeline) -> dt.date | None:
    """The day probation ends: the admission meeting plus one year plus the extension
    (DEV-PROBATION); ``None`` before the admission meeting."""
    meeting = t.step("admission_meeting")
    if meeting is None:
        return None
    return add_months(meeting.date, 12 + extension_months(t))


def check_probation(t: Timeline, ctx: RuleContext) -> list[Finding]:
    """DEV-PROBATION — 党章 第七条; 细则 第三十二条: probation is one year from the admission
    meeting (plus an extension); the conversion meeting is not before its end."""
    end = probation_end_date(t)
    conversion = t.step("conversion_meeting")
    if end is None or conversion is None or conversion.date >= end:
        return []
    extended = f"（含延长{extension_months(t)}个月）" if extension_months(t) else ""
    return [
        make_finding(
            "DEV-PROBATION",
            ERROR,
            "conversion_meeting",
            f"讨论转正的支部大会（{zh_date(conversion.date)}）早于预备期满{extended}"
            f"（{zh_date(end)}）。",
            due=end,
        )
    ]


def check_extension(t: Timeline, ctx: RuleContext) -> list[Finding]:
    """DEV-EXTENSION — 细则 第三十二条: probation may be extended once, by 6 to 12 months,
    by a general-meeting decision approved by the higher committee."""
    entries = t.entries("probation_extension")
    findings = []
    if len(entries) > 1:
        findings.append(
            make_finding(
                "DEV-EXTENSION",
                ERROR,
                "probation_extension",
                f"预备期只能延长一次，记录了{len(entries)}次延长。",
            )
        )
    conversion = t.step("conversion_meeting")
    for record in entries:
        months = record.months
        if months is None or not 6 <= months <= 12:
            got = f"{months}个月" if months is not None else "未记录月数"
            findings.append(
                make_finding(
                    "DEV-EXTENSION",
                    ERROR,
                    "probation_extension",
                    f"延长预备期（{zh_date(record.date)}）{got}，应至少6个月、最长12个月。",
                )
            )
        if record.approval_date is not None and record.approval_date < record.date:
            findings.append(
                make_finding(
                    "DEV-EXTENSION",
                    ERROR,
                    "probation_extension",
                    f"延长预备期的审批（{zh_date(record.approval_date)}）早于支部大会决定"
                    f"（{zh_date(record.date)}）。",
                )
            )
        elif record.approval_date is None and conversion is not None:
            findings.append(
                make_finding(
                    "DEV-EXTENSION",
                    ERROR,
                    "probation_extension",
                    f"延长预备期（{zh_date(record.date)}）未记录上级党委审批。",
                )
            )
    return findings


def check_conversion(t: Timeline, ctx: RuleContext) -> list[Finding]:
    """DEV-CONVERSION — 细则 第三十三条: a written conversion application before the meeting
    (error); the approval within 3 months of the conversion meeting (warning). The vote
    is checked by VOTE-*."""
    meeting = t.step("conversion_meeting")
    if meeting is None:
        return []
    findings = []
    if not t.has("conversion_application"):
        findings.append(
            make_finding(
                "DEV-CONVERSION",
                ERROR,
                "conversion_application",
                f"讨论转正的支部大会（{zh_date(meeting.date)}）前没有书面转正申请。",
                due=meeting.date,
            )
        )
    deadline = add_months(meeting.date, 3)
    approval = t.step("conversion_approval")
    if approval is not None and approval.date > deadline:
        message = (
            f"转正审批（{zh_date(approval.date)}）距讨论转正的支部大会（{zh_date(meeting.date)}）"
            f"超过3个月（{zh_date(deadline)}）。"
        )
    elif approval is None and ctx.today > deadline:
        message = (
            f"讨论转正的支部大会（{zh_date(meeting.date)}）已超过3个月，尚未经上级党委审批，"
            f"应在{zh_date(deadline)}前审批。"
        )
    else:
        return findings
    findings.append(
        make_finding("DEV-CONVERSION", WARNING, "conversion_approval", message, due=deadline)
    )
    return findings


def check_archive(t: Timeline, ctx: RuleContext) -> list[Finding]:
    """DEV-ARCHIVE — 细则 第三十七条: after conversion the record set is archived (a reminder)."""
    approval = t.step("conversion_approval")
    if approval is None or t.has("archiving"):
        return []
    return [
        make_finding(
            "DEV-ARCHIVE",
            INFO,
            "archiving",
            f"已于{zh_date(approval.date)}批准转正，应将入党申请书、入党志愿书、政治审查材料、"
            "转正申请书和培养教育考察材料等归档。",
        )
    ]


def quarter_of(d: dt.date) -> tuple[int, int]:
    return d.year, (d.month - 1) // 3 + 1


def quarter_end(year: int, quarter: int) -> dt.date:
    return add_months(dt.date(year, 3 * quarter - 2, 1), 3) - dt.timedelta(days=1)


def check_thought_reports(t: Timeline, ctx: RuleContext) -> list[Finding]:
    """DEV-THOUGHT-REPORT [local]: from the quarter after the application until full
    membership (the conversion approval), every quarter that is over has a thought report.
    Checked only when the timeline carries ``thought_reports``."""
    app = t.step("application")
    if t.thought_reports is None or not ctx.settings.thought_report_quarterly or app is None:
        return []
    conversion = t.step("conversion_approval")
    until = min(ctx.today, conversion.date) if conversion else ctx.today
    handed_in = {quarter_of(d) for d in t.thought_reports}
    missing: list[tuple[int, int]] = []
    year, quarter = quarter_of(app.date)
    while True:
        year, quarter = _next_quarter(year, quarter)
        if quarter_end(year, quarter) >= until:
            break
        if (year, quarter) not in handed_in:
            missing.append((year, quarter))
    if not missing:
        return []
    return [
        make_finding(
            "DEV-THOUGHT-REPORT",
            WARNING,
            "thought_reports",
            f"{_quarter_ranges(missing)}没有思想汇报（应每季度至少一次）。",
            quarters=[f"{y}-Q{q}" for y, q in missing],
        )
    ]


def _next_quarter(year: int, quarter: int) -> tuple[int, int]:
    return (year + 1, 1) if quarter == 4 else (year, quarter + 1)


def _quarter_ranges(quarters: list[tuple[int, int]]) -> str:
    """``2020年第1季度至2021年第2季度（共6个季度）、2022年第4季度`` for sorted quarters."""
    runs: list[list[tuple[int, int]]] = []
    for q in quarters:
        if runs and _next_quarter(*runs[-1][-1]) == q:
            runs[-1].append(q)
        else:
            runs.append([q])

    def name(q: tuple[int, int]) -> str:
        return f"{q[0]}年第{q[1]}季度"

    parts = []
    for run in runs:
        if len(run) == 1:
            parts.append(name(run[0]))
        else:
            parts.append(f"{name(run[0])}至{name(run[-1])}（共{len(run)}个季度）")
    return "、".join(parts)
