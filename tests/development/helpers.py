"""Timelines for the development tests, in the JSON format of DOMAIN.md §5."""

import datetime as dt
import json

from dangwu.development.rules import check_timeline

D = dt.date
TODAY = D(2026, 11, 22)
RULES = "《中国共产党发展党员工作细则》"
CONSTITUTION = "《中国共产党章程》"
FULL = {"status": "full"}
PRE = {"pre_review": {"date": "2025-05-28", "by": "basic_committee"}}
GOOD_TRAINING = {"training": {"start": "2025-05-14", "end": "2025-05-16"}}
GOOD_REVIEW = {"political_review": {"date": "2025-05-10", "passed": True}}

# The example of DOMAIN.md §5, verbatim (one deliberate error: an introducer under 留党察看).
DOMAIN_EXAMPLE = """\
{
  "person": {"birth_date": "2001-05-04", "league_member": true},
  "steps": {
    "application": {"date": "2019-10-08"},
    "application_talk": {"date": "2019-10-25"},
    "activist": {"date": "2020-04-20", "recommended_by": "league"},
    "activist_filing": {"date": "2020-04-27"},
    "contacts_assigned": {"date": "2020-04-20", "people": [{"status": "full"}, {"status": "full"}]},
    "activist_assessments": [{"date": "2020-10-15"}, {"date": "2021-04-15"}],
    "candidate": {"date": "2021-04-25"},
    "candidate_filing": {"date": "2021-04-28"},
    "introducers": {"date": "2021-04-25", "people": [{"status": "full"}, {"status": "full", "sanction": "probation_within_party"}]},
    "political_review": {"date": "2021-05-10", "passed": true},
    "training": {"start": "2021-05-14", "end": "2021-05-16", "days": 3, "hours": 24},
    "committee_review": {"date": "2021-05-18"},
    "publicity": {"start": "2021-05-19", "working_days": 5},
    "pre_review": {"date": "2021-05-28", "by": "basic_committee"},
    "application_form": {"date": "2021-06-01"},
    "admission_meeting": {"date": "2021-06-08", "should_attend": 25, "present": 20, "in_favour": 18, "written_in_favour": 1},
    "approval_talk": {"date": "2021-06-15"},
    "admission_approval": {"date": "2021-06-28", "by": "basic_committee"},
    "admission_filing": {"date": "2021-06-30"},
    "placement": {"date": "2021-07-01"},
    "oath": {"date": "2021-07-01"},
    "probation_assessments": [{"date": "2021-12-10"}, {"date": "2022-06-01"}],
    "conversion_application": {"date": "2022-06-01"},
    "conversion_meeting": {"date": "2022-06-10", "should_attend": 26, "present": 22, "in_favour": 22},
    "conversion_approval": {"date": "2022-07-01", "by": "basic_committee"},
    "archiving": {"date": "2022-07-20"}
  }
}
"""  # noqa: E501


def example_timeline() -> dict:
    return json.loads(DOMAIN_EXAMPLE)


def tl(steps, *, birth="2000-01-01", league=False, **top):
    """A timeline of ``steps`` for a person born on ``birth``."""
    return {"person": {"birth_date": birth, "league_member": league}, "steps": steps, **top}


def on(date, **fields):
    """A step on ``date`` with its other fields."""
    return {"date": date, **fields}


def check(steps, *, today=TODAY, settings=None, calendar=None, **person):
    kwargs = {"today": today, "calendar": calendar}
    if settings is not None:
        kwargs["settings"] = settings
    return check_timeline(tl(steps, **person), **kwargs)


def with_code(findings, code):
    return [f for f in findings if f.code == code]
