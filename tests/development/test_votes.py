"""VOTE-QUORUM (细则 第二十条) and VOTE-PASS (细则 第二十一条)."""

import pytest

from dangwu.core.findings import Finding, Severity
from dangwu.development.votes import VoteResult, more_than_half, vote_result
from tests.development.helpers import RULES, check, on, with_code


@pytest.mark.parametrize(
    ("should_attend", "present", "in_favour", "written", "quorate", "passed"),
    [
        pytest.param(25, 13, 13, 0, True, True, id="25人应到、13人到会、13票赞成 → 通过"),
        pytest.param(25, 12, 12, 0, False, False, id="25人应到、12人到会 → 不足半数不能表决"),
        pytest.param(24, 12, 12, 0, False, False, id="24人应到、恰好12人到会 → 不足法定人数"),
        pytest.param(24, 13, 13, 0, True, True, id="24人应到、13人到会13票赞成 → 通过"),
        pytest.param(24, 20, 12, 0, True, False, id="恰好半数赞成 → 不通过"),
        pytest.param(24, 20, 12, 1, True, True, id="会前书面赞成意见计入 → 通过"),
        pytest.param(25, 20, 12, 0, True, False, id="25人应到、12票赞成 → 未过半数"),
        pytest.param(25, 20, 12, 1, True, True, id="12票加1份书面意见 → 超过半数"),
        pytest.param(1, 1, 1, 0, True, True, id="1人应到、1人到会赞成 → 通过"),
        pytest.param(25, 12, 12, 1, False, False, id="书面意见不能补足到会人数"),
    ],
)
def test_vote_result(should_attend, present, in_favour, written, quorate, passed):
    result = vote_result(should_attend, present, in_favour, written)

    assert (result.quorate, result.passed) == (quorate, passed)
    assert {f.code for f in result.findings} == (
        ({"VOTE-QUORUM"} if not quorate else set())
        | ({"VOTE-PASS"} if in_favour + written <= should_attend // 2 else set())
    )


def test_exactly_half_in_favour_fails_with_the_numbers():
    result = vote_result(24, 20, 12, subject="admission_meeting")

    assert result == VoteResult(
        quorate=True,
        passed=False,
        findings=(
            Finding(
                code="VOTE-PASS",
                severity=Severity.ERROR,
                message="赞成票12票，恰好半数，未超过应到会有表决权的正式党员24人的半数（至少需要13票），未获通过。",
                citation=f"{RULES}第二十一条",
                subject="admission_meeting",
            ),
        ),
    )


def test_written_opinions_are_named_in_the_message():
    result = vote_result(25, 20, 11, 1)

    assert [f.message for f in result.findings] == [
        "赞成票11票、书面赞成意见1份，合计12票，未超过应到会有表决权的正式党员25人的半数"
        "（至少需要13票），未获通过。"
    ]


def test_no_quorum_message():
    result = vote_result(24, 12, 12)

    assert result.findings[0] == Finding(
        code="VOTE-QUORUM",
        severity=Severity.ERROR,
        message="应到会有表决权的正式党员24人，实到12人，未超过半数（至少应到13人），不能进行表决。",
        citation=f"{RULES}第二十条",
    )


@pytest.mark.parametrize(
    ("n", "needed"),
    [
        pytest.param(1, 1, id="1人的过半数是1"),
        pytest.param(24, 13, id="24人的过半数是13"),
        pytest.param(25, 13, id="25人的过半数是13"),
    ],
)
def test_more_than_half(n, needed):
    assert more_than_half(n) == needed


@pytest.mark.parametrize(
    ("counts", "message"),
    [
        pytest.param((0, 0, 0, 0), "应到会有表决权的正式党员人数应至少为1。", id="应到0人"),
        pytest.param((-1, 0, 0, 0), "应到会人数应为不小于0的整数，实际为-1。", id="负数"),
        pytest.param((25, 26, 20, 0), "实到会人数26超过应到会人数25。", id="实到多于应到"),
        pytest.param((25, 20, 21, 0), "赞成票数21超过实到会人数20。", id="赞成票多于实到"),
        pytest.param(
            (25, 20, 18, 6),
            "书面赞成意见6份超过未到会的有表决权党员人数5（书面意见只能由因故不能到会的党员提交）。",
            id="书面意见多于缺席人数",
        ),
    ],
)
def test_impossible_counts_are_refused(counts, message):
    with pytest.raises(ValueError) as info:
        vote_result(*counts)

    assert str(info.value) == message


@pytest.mark.parametrize(
    ("step", "should_attend", "present", "in_favour", "written", "codes"),
    [
        pytest.param("admission_meeting", 25, 20, 18, 1, [], id="接收预备党员的支部大会通过"),
        pytest.param(
            "admission_meeting",
            24,
            12,
            12,
            0,
            ["VOTE-QUORUM", "VOTE-PASS"],
            id="接收大会到会恰好半数 → 不能表决、赞成票也未过半",
        ),
        pytest.param("conversion_meeting", 26, 22, 13, 0, ["VOTE-PASS"], id="转正大会恰好半数赞成"),
        pytest.param("conversion_meeting", 26, 22, 13, 1, [], id="转正大会加书面意见过半数"),
    ],
)
def test_meetings_in_a_timeline_are_voted(step, should_attend, present, in_favour, written, codes):
    meeting = on(
        "2025-06-08",
        should_attend=should_attend,
        present=present,
        in_favour=in_favour,
        written_in_favour=written,
    )

    findings = check({step: meeting})

    assert [(f.code, f.subject) for f in findings if f.code.startswith("VOTE-")] == [
        (code, step) for code in codes
    ]


def test_extension_meeting_is_voted_too():
    extension = on(
        "2022-06-08",
        months=6,
        approval_date="2022-06-20",
        should_attend=20,
        present=10,
        in_favour=10,
    )

    findings = with_code(check({"probation_extension": extension}), "VOTE-QUORUM")

    assert [f.subject for f in findings] == ["probation_extension"]


def test_meeting_without_counts_cannot_be_checked():
    findings = with_code(check({"admission_meeting": on("2025-06-08")}), "VOTE-PASS")

    assert findings == [
        Finding(
            code="VOTE-PASS",
            severity=Severity.INFO,
            message="第15步「支部大会讨论」（2025年6月8日）未记录表决情况，无法核对。",
            citation=f"{RULES}第二十一条",
            subject="admission_meeting",
        )
    ]
