"""A pipeline for the board tests: people at every stage in two branches, with records.

On 2026-11-22, in 本科生第一党支部 (tree.branch):
  王一  applicant     applied 2026-10-15, no talk → DEV-TALK-1M (error), due 2026-11-15 (overdue)
  王二  applicant     applied 2026-11-01, talk due 2026-12-01
  李一  activist      last assessment 2026-09-01, next due 2027-03-01
  赵一  candidate     the second introducer under 留党察看 → DEV-INTRODUCERS (error), no due date
  钱一  probationary  admitted this year (approval 2026-06-28), no due date
  孙一  full          converted this year (approval 2026-07-01), record done
in 教工党支部 (tree.sibling):
  周一  applicant     applied 2026-09-01, talked 2026-09-10, no due date
  吴一  activist      no development record
(and 李四, a full member of the sibling branch, from the ``viewers`` fixture)
"""

import datetime as dt
from dataclasses import dataclass

from dangwu.development.models import DevelopmentRecord
from tests import factories

TODAY = dt.date(2026, 11, 22)
FULL2 = [{"status": "full", "name": "甲"}, {"status": "full", "name": "乙"}]
SANCTIONED = [
    {"status": "full", "name": "甲"},
    {"status": "full", "name": "丙", "sanction": "probation_within_party"},
]

# The example of DOMAIN.md §5 without its error, shifted by whole years.
EXAMPLE = (
    ("application", {"date": "2019-10-08"}),
    ("application_talk", {"date": "2019-10-25"}),
    ("activist", {"date": "2020-04-20", "recommended_by": "league"}),
    ("activist_filing", {"date": "2020-04-27"}),
    ("contacts_assigned", {"date": "2020-04-20", "people": FULL2}),
    ("activist_assessments", [{"date": "2020-10-15"}, {"date": "2021-04-15"}]),
    ("candidate", {"date": "2021-04-25"}),
    ("candidate_filing", {"date": "2021-04-28"}),
    ("introducers", {"date": "2021-04-25", "people": FULL2}),
    ("political_review", {"date": "2021-05-10", "passed": True}),
    ("training", {"start": "2021-05-14", "end": "2021-05-16", "days": 3, "hours": 24}),
    ("committee_review", {"date": "2021-05-18"}),
    ("publicity", {"start": "2021-05-19", "working_days": 5}),
    ("pre_review", {"date": "2021-05-28", "by": "basic_committee"}),
    ("application_form", {"date": "2021-06-01"}),
    (
        "admission_meeting",
        {"date": "2021-06-08", "should_attend": 25, "present": 20, "in_favour": 18},
    ),
    ("approval_talk", {"date": "2021-06-15"}),
    ("admission_approval", {"date": "2021-06-28", "by": "basic_committee"}),
    ("admission_filing", {"date": "2021-06-30"}),
    ("placement", {"date": "2021-07-01"}),
    ("oath", {"date": "2021-07-01"}),
    ("probation_assessments", [{"date": "2021-12-10"}, {"date": "2022-06-01"}]),
    ("conversion_application", {"date": "2022-06-01"}),
    (
        "conversion_meeting",
        {"date": "2022-06-10", "should_attend": 26, "present": 22, "in_favour": 22},
    ),
    ("conversion_approval", {"date": "2022-07-01", "by": "basic_committee"}),
    ("archiving", {"date": "2022-07-20"}),
)


def _shift(obj, years: int):
    if isinstance(obj, list):
        return [_shift(o, years) for o in obj]
    out = dict(obj)
    for key in ("date", "start", "end"):
        if key in out:
            d = dt.date.fromisoformat(out[key])
            out[key] = d.replace(year=d.year + years).isoformat()
    return out


def example(years: int, *, until: str | None = None, **replace) -> dict:
    """The example's steps ``years`` later, up to and including ``until``."""
    steps = {}
    for key, obj in EXAMPLE:
        steps[key] = replace.get(key) or _shift(obj, years)
        if key == until:
            break
    return {"steps": steps}


@dataclass
class Pipeline:
    people: dict  # name → Person
    records: dict  # name → DevelopmentRecord


def build(tree) -> Pipeline:
    b, s = tree.branch, tree.sibling
    plan = [
        (b, "王一", "applicant", {"steps": {"application": {"date": "2026-10-15"}}}),
        (b, "王二", "applicant", {"steps": {"application": {"date": "2026-11-01"}}}),
        (
            b,
            "李一",
            "activist",
            {
                "steps": {
                    "application": {"date": "2025-03-03"},
                    "application_talk": {"date": "2025-03-20"},
                    "activist": {"date": "2025-09-10", "recommended_by": "party_members"},
                    "activist_filing": {"date": "2025-09-15"},
                    "contacts_assigned": {"date": "2025-09-10", "people": FULL2},
                    "activist_assessments": [{"date": "2026-03-05"}, {"date": "2026-09-01"}],
                }
            },
        ),
        (
            b,
            "赵一",
            "candidate",
            example(
                5,
                until="introducers",
                introducers={"date": "2026-04-25", "people": SANCTIONED},
            ),
        ),
        (b, "钱一", "probationary", example(5, until="oath")),
        (b, "孙一", "full", example(4)),
        (
            s,
            "周一",
            "applicant",
            {
                "steps": {
                    "application": {"date": "2026-09-01"},
                    "application_talk": {"date": "2026-09-10"},
                }
            },
        ),
        (s, "吴一", "activist", None),
    ]
    people, records = {}, {}
    for branch, name, status, data in plan:
        people[name] = factories.person(branch, name=name, status=status)
        if data is not None:
            records[name] = factories.development(people[name], data, today=TODAY)
    done = records["孙一"]
    DevelopmentRecord.objects.filter(pk=done.pk).update(
        state="done", closed_on=dt.date(2026, 7, 20)
    )
    done.refresh_from_db()
    return Pipeline(people=people, records=records)
