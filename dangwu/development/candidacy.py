"""Rules of stages 1–3: application, activist, candidate (DEV-AGE … DEV-TRAINING). Pure.

Each rule is ``(timeline, context) -> list[Finding]``; see ``rules`` for the conventions.
"""

from __future__ import annotations

import datetime as dt
import itertools

from dangwu.core.dates import add_months, add_years, full_years, zh_date
from dangwu.core.findings import Finding
from dangwu.development.context import (
    ERROR,
    RECOMMENDED_ZH,
    WARNING,
    RuleContext,
    make_finding,
)
from dangwu.development.steps import STEP_BY_KEY, STEP_INDEX, ancestors, step_label
from dangwu.development.timeline import RolePerson, StepRecord, Timeline
from dangwu.members.rules import SANCTION_ZH, STATUS_ZH, SanctionFacts, rights_on

# --- 申请入党 ------------------------------------------------------------------------------


def check_age(t: Timeline, ctx: RuleContext) -> list[Finding]:
    """DEV-AGE — 党章 第一条; 细则 第五条: at least 18 full years old on the application date."""
    app = t.step("application")
    if app is None:
        return []
    adult_on = add_years(t.person.birth_date, 18)
    if app.date >= adult_on:
        return []
    if app.date < t.person.birth_date:
        age_text = "早于出生日期"
    else:
        age_text = f"年仅{full_years(t.person.birth_date, app.date)}周岁，未满18周岁"
    return [
        make_finding(
            "DEV-AGE",
            ERROR,
            "application",
            f"递交入党申请书时（{zh_date(app.date)}）{age_text}；{zh_date(adult_on)}年满18周岁。",
            due=adult_on,
        )
    ]


def check_order(t: Timeline, ctx: RuleContext) -> list[Finding]:
    """DEV-ORDER — 细则: no step is dated before a step it depends on (``steps.PREREQUISITES``,
    through missing steps too); equal dates are allowed. A training counts from its first
    day and binds from its last day."""
    findings = []
    for key, entries in t.records.items():
        earlier = {
            parent: min(r.last for r in t.entries(parent))
            for parent in ancestors(key)
            if t.has(parent)
        }
        for record in entries:
            late = sorted(
                ((d, parent) for parent, d in earlier.items() if d > record.date),
                key=lambda pair: (pair[0], STEP_INDEX[pair[1]]),
            )
            if not late:
                continue
            named = "、".join(f"{step_label(p)}（{zh_date(d)}）" for d, p in late)
            findings.append(
                make_finding(
                    "DEV-ORDER",
                    ERROR,
                    key,
                    f"{step_label(key)}（{zh_date(record.date)}）早于其前置步骤{named}。",
                    due=late[-1][0],
                )
            )
    return findings


def check_talk(t: Timeline, ctx: RuleContext) -> list[Finding]:
    """DEV-TALK-1M — 细则 第七条: the talk within one calendar month after the application."""
    app = t.step("application")
    if app is None:
        return []
    deadline = add_months(app.date, 1)
    talk = t.step("application_talk")
    if talk is not None:
        if talk.date <= deadline:
            return []
        message = (
            f"党组织派人谈话（{zh_date(talk.date)}）超过递交入党申请书（{zh_date(app.date)}）后一个月，"
            f"应在{zh_date(deadline)}前谈话。"
        )
    elif ctx.today > deadline:
        message = (
            f"递交入党申请书（{zh_date(app.date)}）已满一个月，尚未记录党组织派人谈话，"
            f"应在{zh_date(deadline)}前谈话。"
        )
    else:
        return []
    return [make_finding("DEV-TALK-1M", ERROR, "application_talk", message, due=deadline)]


# --- 入党积极分子 --------------------------------------------------------------------------


def check_application_to_activist(t: Timeline, ctx: RuleContext) -> list[Finding]:
    """DEV-APP-ACT [local]: at least N months (setting) from application to activist."""
    months = ctx.settings.app_to_activist_months
    app, activist = t.step("application"), t.step("activist")
    if not months or app is None or activist is None:
        return []
    earliest = add_months(app.date, months)
    if activist.date >= earliest:
        return []
    return [
        make_finding(
            "DEV-APP-ACT",
            WARNING,
            "activist",
            f"确定为入党积极分子（{zh_date(activist.date)}）距递交入党申请书（{zh_date(app.date)}）"
            f"不满{months}个月，最早可于{zh_date(earliest)}确定。",
            due=earliest,
        )
    ]


def check_recommendation(t: Timeline, ctx: RuleContext) -> list[Finding]:
    """DEV-RECOMMEND — 细则 第八条: the record says whether party members or a mass
    organization (推优) recommended the activist."""
    activist = t.step("activist")
    if activist is None or activist.recommended_by is not None:
        return []
    return [
        make_finding(
            "DEV-RECOMMEND",
            ERROR,
            "activist",
            "确定入党积极分子未记录推荐方式（党员推荐或群团组织推优）。",
        )
    ]


def check_league(t: Timeline, ctx: RuleContext) -> list[Finding]:
    """DEV-LEAGUE [local]: a League member aged 28 or under is normally recommended by the
    League (推优); the age is taken on the activist date."""
    activist = t.step("activist")
    if activist is None or not t.person.league_member:
        return []
    if activist.recommended_by in (None, "league") or activist.date < t.person.birth_date:
        return []
    age = full_years(t.person.birth_date, activist.date)
    limit = ctx.settings.league_age
    if age > limit:
        return []
    return [
        make_finding(
            "DEV-LEAGUE",
            WARNING,
            "activist",
            f"确定入党积极分子时（{zh_date(activist.date)}）为{age}周岁的共青团员，"
            f"{limit}周岁以下的团员一般应经团组织推优，记录为"
            f"「{RECOMMENDED_ZH[activist.recommended_by]}」。",
        )
    ]


def _role_problem(person: RolePerson, on: dt.date) -> str | None:
    """Why ``person`` cannot be an introducer or a contact person on ``on`` (None if they can).

    The JSON gives the sanction in force on the step date, so it is dated that day.
    """
    sanctions = []
    if person.sanction is not None:
        probation = person.sanction == "probation_within_party"
        sanctions.append(
            SanctionFacts(kind=person.sanction, decided_on=on, probation_years=int(probation))
        )
    if rights_on(status=person.status, sanctions=sanctions, on=on).can_hold_role:
        return None
    if person.sanction == "expulsion":
        return "已被开除党籍"
    if person.status != "full":
        return f"是{STATUS_ZH[person.status]}，不是正式党员"
    return f"正在{SANCTION_ZH[person.sanction or 'probation_within_party']}期内"


def _people_findings(
    code: str, step: str, role: str, record: StepRecord, allowed: tuple[int, ...]
) -> list[Finding]:
    people = record.people or ()
    when = f"{zh_date(record.date)}{STEP_BY_KEY[step].name}时"
    findings = []
    if len(people) not in allowed:
        wanted = "两名" if allowed == (2,) else "一至两名"
        findings.append(
            make_finding(
                code, ERROR, step, f"{when}记录了{len(people)}名{role}，应为{wanted}正式党员。"
            )
        )
    for i, person in enumerate(people, start=1):
        problem = _role_problem(person, record.date)
        if problem is not None:
            who = f"第{i}名{role}" + (f"（{person.name}）" if person.name else "")
            findings.append(
                make_finding(code, ERROR, step, f"{when}，{who}{problem}，不能担任{role}。")
            )
    return findings


def check_contacts(t: Timeline, ctx: RuleContext) -> list[Finding]:
    """DEV-CONTACTS — 细则 第九条: one or two contact persons, each a full member not under
    留党察看."""
    record = t.step("contacts_assigned")
    if record is None:
        return []
    return _people_findings("DEV-CONTACTS", "contacts_assigned", "培养联系人", record, (1, 2))


def check_assessments(t: Timeline, ctx: RuleContext) -> list[Finding]:
    """DEV-ASSESS-6M — 细则 第十一条: an activist is assessed at least every half year — no
    gap over 6 months between the activist date, the assessments and the candidate date
    (or, with no candidate date yet, ``today``)."""
    activist = t.step("activist")
    if activist is None:
        return []
    candidate = t.step("candidate")
    end = candidate.date if candidate else None
    points = [("activist", activist.date)]
    points += sorted(
        ("activist_assessments", r.date)
        for r in t.entries("activist_assessments")
        if r.date >= activist.date and (end is None or r.date <= end)
    )
    if candidate is not None:
        points.append(("candidate", candidate.date))
    findings = []
    for (_, a), (step, b) in itertools.pairwise(points):
        due = add_months(a, 6)
        if b > due:
            what = "确定为发展对象" if step == "candidate" else "培养教育考察"
            findings.append(
                make_finding(
                    "DEV-ASSESS-6M",
                    WARNING,
                    "activist_assessments",
                    f"{zh_date(a)}至{what}（{zh_date(b)}）间隔超过半年，应在{zh_date(due)}前进行培养教育考察。",
                    due=due,
                )
            )
    if candidate is None:
        last = points[-1][1]
        due = add_months(last, 6)
        if ctx.today > due:
            findings.append(
                make_finding(
                    "DEV-ASSESS-6M",
                    WARNING,
                    "activist_assessments",
                    f"自{zh_date(last)}以来已超过半年没有培养教育考察，应在{zh_date(due)}前考察。",
                    due=due,
                )
            )
    return findings


# --- 发展对象 ------------------------------------------------------------------------------


def check_cultivation(t: Timeline, ctx: RuleContext) -> list[Finding]:
    """DEV-CULT-1Y — 细则 第十三条: the candidate date is at least one year after the activist
    date (exactly one year is allowed)."""
    activist, candidate = t.step("activist"), t.step("candidate")
    if activist is None or candidate is None:
        return []
    earliest = add_years(activist.date, 1)
    if candidate.date >= earliest:
        return []
    return [
        make_finding(
            "DEV-CULT-1Y",
            ERROR,
            "candidate",
            f"确定为发展对象（{zh_date(candidate.date)}）距确定为入党积极分子（{zh_date(activist.date)}）"
            f"不满一年，最早可于{zh_date(earliest)}确定。",
            due=earliest,
        )
    ]


def check_introducers(t: Timeline, ctx: RuleContext) -> list[Finding]:
    """DEV-INTRODUCERS — 细则 第十四条; 党章 第五条: exactly two introducers, each a full
    member not under 留党察看; required by the admission meeting."""
    record = t.step("introducers")
    if record is None:
        meeting = t.step("admission_meeting")
        if meeting is None:
            return []
        return [
            make_finding(
                "DEV-INTRODUCERS",
                ERROR,
                "introducers",
                f"支部大会讨论接收预备党员（{zh_date(meeting.date)}）前没有确定入党介绍人。",
                due=meeting.date,
            )
        ]
    return _people_findings("DEV-INTRODUCERS", "introducers", "入党介绍人", record, (2,))


def check_political_review(t: Timeline, ctx: RuleContext) -> list[Finding]:
    """DEV-REVIEW — 细则 第十六条: a written political-review conclusion that passed, dated
    no later than the pre-review."""
    pre = t.step("pre_review")
    if pre is None:
        return []
    review = t.step("political_review")
    if review is None:
        message = f"上级党委预审（{zh_date(pre.date)}）前没有政治审查结论。"
    elif review.passed is not True:
        state = "不合格" if review.passed is False else "未记录是否合格"
        message = f"政治审查结论（{zh_date(review.date)}）{state}，不能进行预审。"
    elif review.date > pre.date:
        message = f"政治审查结论（{zh_date(review.date)}）晚于上级党委预审（{zh_date(pre.date)}）。"
    else:
        return []
    return [make_finding("DEV-REVIEW", ERROR, "political_review", message, due=pre.date)]


def check_training(t: Timeline, ctx: RuleContext) -> list[Finding]:
    """DEV-TRAINING — 细则 第十七条: concentrated training of at least 3 days or at least 24
    class hours, finished no later than the pre-review."""
    training, pre = t.step("training"), t.step("pre_review")
    findings = []
    if training is not None:
        days, hours = training.days or 0, training.hours or 0
        if days < 3 and hours < 24:
            findings.append(
                make_finding(
                    "DEV-TRAINING",
                    ERROR,
                    "training",
                    f"集中培训{days}天、{hours:g}学时，不足3天且不足24学时。",
                )
            )
    if pre is not None:
        if training is None:
            message = f"上级党委预审（{zh_date(pre.date)}）前没有集中培训。"
        elif training.last > pre.date:
            message = (
                f"集中培训结束（{zh_date(training.last)}）晚于上级党委预审（{zh_date(pre.date)}）。"
            )
        else:
            return findings
        findings.append(make_finding("DEV-TRAINING", ERROR, "training", message, due=pre.date))
    return findings
