"""Properties of the development rules over generated records.

A record generated to satisfy every rule has no error-level finding (nor does any prefix
of it: a record may stop at any step); moving a step before a step it depends on gives
DEV-ORDER.
"""

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from dangwu.core.dates import add_months, add_years
from dangwu.core.findings import errors
from dangwu.core.workcal import known_calendar
from dangwu.development.rules import check_timeline
from dangwu.development.steps import PREREQUISITES, STEP_INDEX
from dangwu.development.votes import more_than_half

D = dt.date
DAY = dt.timedelta(days=1)
FAST = settings(max_examples=100, deadline=None)


def iso(d: dt.date) -> str:
    return d.isoformat()


@st.composite
def vote(draw):
    should = draw(st.integers(1, 60))
    need = more_than_half(should)
    present = draw(st.integers(need, should))
    written = draw(st.integers(0, should - present))
    in_favour = draw(st.integers(max(0, need - written), present))
    return {
        "should_attend": should,
        "present": present,
        "in_favour": in_favour,
        "written_in_favour": written,
    }


@st.composite
def valid_record(draw):
    """A complete record that keeps every rule, its ``today`` and its last date."""

    def after(d: dt.date, lo: int, hi: int) -> dt.date:
        return d + draw(st.integers(lo, hi)) * DAY

    def up_to(d: dt.date, latest: dt.date) -> dt.date:
        return d + draw(st.integers(0, max(0, (latest - d).days))) * DAY

    application = draw(st.dates(D(2005, 1, 1), D(2020, 12, 31)))
    birth = draw(st.dates(add_years(application, -40), add_years(application, -18)))
    league = draw(st.booleans())
    talk = up_to(application, add_months(application, 1))
    activist = after(max(talk, add_months(application, 6)), 0, 60)
    recommended = "league" if league else draw(st.sampled_from(["party_members", "league"]))

    candidate = after(add_years(activist, 1), 0, 60)
    assessments, current = [], activist
    while candidate > add_months(current, 6):
        current = up_to(current + 30 * DAY, add_months(current, 6))
        assessments.append(current)

    introducers_on = after(candidate, 0, 10)
    candidate_filing = after(candidate, 0, 10)
    review = after(candidate, 0, 60)
    training_start = after(candidate, 0, 60)
    training_end = after(training_start, 2, 6)
    committee = after(max(introducers_on, candidate_filing), 0, 20)
    publicity_start = after(committee, 0, 3)
    working_days = draw(st.integers(5, 7))
    publicity_end = known_calendar().end_of_workdays(publicity_start, working_days)
    pre_review = after(max(publicity_end + DAY, review, training_end), 0, 20)
    form = after(pre_review, 0, 10)
    meeting = after(form, 0, 10)
    approval_talk = after(meeting, 0, 30)
    approval = up_to(approval_talk, add_months(meeting, 3))

    steps = {
        "application": {"date": iso(application)},
        "application_talk": {"date": iso(talk)},
        "activist": {"date": iso(activist), "recommended_by": recommended},
        "activist_filing": {"date": iso(after(activist, 0, 10))},
        "contacts_assigned": {
            "date": iso(after(activist, 0, 10)),
            "people": [{"status": "full"}] * draw(st.integers(1, 2)),
        },
        "activist_assessments": [{"date": iso(d)} for d in assessments],
        "candidate": {"date": iso(candidate)},
        "candidate_filing": {"date": iso(candidate_filing)},
        "introducers": {
            "date": iso(introducers_on),
            "people": [{"status": "full"}, {"status": "full", "sanction": "warning"}],
        },
        "political_review": {"date": iso(review), "passed": True},
        "training": {"start": iso(training_start), "end": iso(training_end)},
        "committee_review": {"date": iso(committee)},
        "publicity": {"start": iso(publicity_start), "working_days": working_days},
        "pre_review": {"date": iso(pre_review), "by": "basic_committee"},
        "application_form": {"date": iso(form)},
        "admission_meeting": {"date": iso(meeting), **draw(vote())},
        "approval_talk": {"date": iso(approval_talk)},
        "admission_approval": {"date": iso(approval), "by": "basic_committee"},
        "admission_filing": {"date": iso(after(approval, 0, 10))},
        "placement": {"date": iso(after(approval, 0, 10))},
        "oath": {"date": iso(after(approval, 0, 10))},
    }

    probation_end = add_months(meeting, 12)
    latest_before_conversion = approval
    if draw(st.booleans()):
        months = draw(st.integers(6, 12))
        decided = after(probation_end, 0, 10)
        approved = after(decided, 0, 20)
        steps["probation_extension"] = {
            "date": iso(decided),
            "months": months,
            "approval_date": iso(approved),
            **draw(vote()),
        }
        probation_end = add_months(meeting, 12 + months)
        latest_before_conversion = approved
    conversion_application = up_to(
        max(approval, probation_end - 30 * DAY), probation_end + 10 * DAY
    )
    conversion = after(max(probation_end, conversion_application, latest_before_conversion), 0, 30)
    conversion_approval = up_to(conversion, add_months(conversion, 3))
    archiving = after(conversion_approval, 0, 30)
    steps["probation_assessments"] = [
        {"date": iso(up_to(approval, conversion))} for _ in range(draw(st.integers(0, 3)))
    ]
    steps["conversion_application"] = {"date": iso(conversion_application)}
    steps["conversion_meeting"] = {"date": iso(conversion), **draw(vote())}
    steps["conversion_approval"] = {"date": iso(conversion_approval), "by": "basic_committee"}
    steps["archiving"] = {"date": iso(archiving)}

    data = {
        "person": {"birth_date": iso(birth), "league_member": league},
        "steps": steps,
    }
    if draw(st.booleans()):
        quarter_starts, month = [], D(application.year, 1 + (application.month - 1) // 3 * 3, 1)
        while month <= conversion_approval:
            quarter_starts.append(month)
            month = add_months(month, 3)
        data["thought_reports"] = [{"date": iso(d + 14 * DAY)} for d in quarter_starts]
    today = after(archiving, 0, 400)
    return data, today


def _first_date(value) -> dt.date:
    entries = value if isinstance(value, list) else [value]
    return min(D.fromisoformat(e.get("date") or e["start"]) for e in entries)


def _last_date(value) -> dt.date:
    entries = value if isinstance(value, list) else [value]
    return min(D.fromisoformat(e.get("date") or e.get("end") or e["start"]) for e in entries)


@FAST
@given(valid_record())
def test_a_record_keeping_every_rule_has_no_error(record):
    data, today = record

    findings = check_timeline(data, today=today)

    assert errors(findings) == []


@FAST
@given(valid_record(), st.integers(0, len(STEP_INDEX) - 1))
def test_a_record_may_stop_at_any_step(record, last_index):
    data, _ = record
    steps = {k: v for k, v in data["steps"].items() if STEP_INDEX[k] <= last_index and v}
    if not steps:
        return
    today = max(_first_date(v) for v in steps.values())
    prefix = {**data, "steps": steps}

    findings = check_timeline(prefix, today=today)

    assert errors(findings) == []


DEPENDENCIES = sorted(
    (step, parent) for step, parents in PREREQUISITES.items() for parent in parents
)


@FAST
@given(valid_record(), st.sampled_from(DEPENDENCIES), st.integers(1, 30))
def test_a_step_moved_before_its_prerequisite_breaks_the_order(record, dependency, days):
    data, today = record
    step, parent = dependency
    steps = data["steps"]
    if not steps.get(step) or not steps.get(parent):
        return
    moved = _last_date(steps[parent]) - days * DAY
    entry = steps[step][0] if isinstance(steps[step], list) else steps[step]
    entry["start" if "start" in entry else "date"] = iso(moved)

    findings = check_timeline(data, today=today)

    assert "DEV-ORDER" in {f.code for f in findings}
