"""The guide beside each step form: every step has one, every DEV-*/VOTE-* rule is named
beside at least one step with its citation, and the [local] numbers come from the settings."""

from __future__ import annotations

import pytest

from dangwu.development.choices import CANCELLATION
from dangwu.development.context import CITATIONS, DevelopmentSettings
from dangwu.development.guidance import (
    FIELD_LABELS,
    GUIDED_STEPS,
    STEP_FIELDS,
    field_label,
    rule_note,
    step_guide,
)
from dangwu.development.steps import STEP_KEYS


def test_every_step_key_has_a_guide():
    assert set(GUIDED_STEPS) == {*STEP_KEYS, CANCELLATION}
    for key in GUIDED_STEPS:
        guide = step_guide(key)
        assert guide.fields[0] == "date"
        assert guide.rules, key
        for name in guide.fields:
            assert field_label(key, name)


def test_every_dev_and_vote_code_is_named_beside_a_step():
    named = {r.code for key in GUIDED_STEPS for r in step_guide(key).rules}
    wanted = {c for c in CITATIONS if c.startswith(("DEV-", "VOTE-"))}
    assert wanted - named == set()


def test_each_rule_carries_its_citation():
    for key in GUIDED_STEPS:
        for r in step_guide(key).rules:
            if r.code in CITATIONS:
                assert r.citation == CITATIONS[r.code]
            assert r.statement.endswith("。")


def test_the_candidate_guide():
    guide = step_guide("candidate")

    assert guide.label == "第7步「确定发展对象」"
    assert guide.stage == "发展对象的确定和考察"
    assert [r.code for r in guide.rules] == ["DEV-CULT-1Y", "DEV-ASSESS-6M", "DEV-ORDER"]
    assert guide.rules[0].statement == "确定发展对象须在确定为入党积极分子一年以上。"
    assert guide.rules[0].citation == "《中国共产党发展党员工作细则》第十三条"
    assert guide.fields == ("date",)


def test_the_admission_meeting_guide():
    guide = step_guide("admission_meeting")

    codes = [r.code for r in guide.rules]
    assert codes[:3] == ["VOTE-RIGHTS", "VOTE-QUORUM", "VOTE-PASS"]
    assert {"DEV-PRE-REVIEW", "DEV-INTRODUCERS", "DEV-LEAVING-3M", "DEV-ORDER"} <= set(codes)
    assert guide.is_meeting
    assert guide.fields == (
        "date",
        "should_attend",
        "present",
        "in_favour",
        "written_in_favour",
        "voters_note",
    )


def test_the_first_step_has_no_order_rule():
    assert "DEV-ORDER" not in [r.code for r in step_guide("application").rules]


@pytest.mark.parametrize(
    ("dev_settings", "statement"),
    [
        (DevelopmentSettings(), "递交入党申请书6个月以上方可确定为入党积极分子（本地规定）。"),
        (
            DevelopmentSettings(app_to_activist_months=3),
            "递交入党申请书3个月以上方可确定为入党积极分子（本地规定）。",
        ),
    ],
)
def test_local_rules_read_the_settings(dev_settings, statement):
    assert rule_note("DEV-APP-ACT", dev_settings).statement == statement


def test_a_local_rule_switched_off_is_left_out():
    off = DevelopmentSettings(app_to_activist_months=0, publicity_working_days=0)

    assert "DEV-APP-ACT" not in [r.code for r in step_guide("activist", off).rules]
    assert [r.code for r in step_guide("publicity", off).rules] == ["DEV-ORDER"]


def test_people_and_labels():
    assert step_guide("introducers").fields == ("date", "introducers")
    assert field_label("introducers", "introducers") == "入党介绍人"
    assert field_label("training", "date") == "开始日期"
    assert {n for fields in STEP_FIELDS.values() for n in fields} <= set(FIELD_LABELS)
