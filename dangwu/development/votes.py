"""Votes of the general meeting (VOTE-QUORUM, VOTE-PASS). Pure.

Used for the admission, conversion, extension and cancellation meetings. Both thresholds
are "more than half" of the full members with voting rights who should attend (after the
lawful exclusions of VOTE-RIGHTS): exactly half is not enough.
"""

from __future__ import annotations

from dataclasses import dataclass

from dangwu.core.findings import Finding, Severity
from dangwu.members.rules import DEVELOPMENT_RULES

QUORUM_CITATION = f"{DEVELOPMENT_RULES}第二十条"
PASS_CITATION = f"{DEVELOPMENT_RULES}第二十一条"


@dataclass(frozen=True, slots=True)
class VoteResult:
    quorate: bool
    passed: bool
    findings: tuple[Finding, ...] = ()


def more_than_half(n: int) -> int:
    """The smallest number that is more than half of ``n`` (13 of 25, 13 of 24)."""
    return n // 2 + 1


def check_vote_counts(
    should_attend: int, present: int, in_favour: int, written_in_favour: int = 0
) -> None:
    """Raise ``ValueError`` (Chinese message) for counts that cannot describe one vote."""
    for name, value in (
        ("应到会人数", should_attend),
        ("实到会人数", present),
        ("赞成票数", in_favour),
        ("书面赞成意见数", written_in_favour),
    ):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValueError(f"{name}应为不小于0的整数，实际为{value!r}。")
    if should_attend < 1:
        raise ValueError("应到会有表决权的正式党员人数应至少为1。")
    if present > should_attend:
        raise ValueError(f"实到会人数{present}超过应到会人数{should_attend}。")
    if in_favour > present:
        raise ValueError(f"赞成票数{in_favour}超过实到会人数{present}。")
    if written_in_favour > should_attend - present:
        raise ValueError(
            f"书面赞成意见{written_in_favour}份超过未到会的有表决权党员人数"
            f"{should_attend - present}（书面意见只能由因故不能到会的党员提交）。"
        )


def vote_result(
    should_attend: int,
    present: int,
    in_favour: int,
    written_in_favour: int = 0,
    *,
    subject: str = "",
) -> VoteResult:
    """Whether a general meeting could vote and whether the motion passed.

    VOTE-QUORUM — 细则 第二十条: voting members present > half of those who should attend.
    VOTE-PASS — 细则 第二十一条: ballots in favour plus written opinions in favour handed in
    before the meeting by voting members who could not attend > half of those who should
    attend. A meeting without a quorum cannot pass anything. ``subject`` (a step key) is
    put on the findings. Raises ``ValueError`` for impossible counts.
    """
    check_vote_counts(should_attend, present, in_favour, written_in_favour)
    need = more_than_half(should_attend)
    findings: list[Finding] = []
    quorate = present >= need
    if not quorate:
        findings.append(
            Finding(
                code="VOTE-QUORUM",
                severity=Severity.ERROR,
                message=(
                    f"应到会有表决权的正式党员{should_attend}人，实到{present}人，"
                    f"未超过半数（至少应到{need}人），不能进行表决。"
                ),
                citation=QUORUM_CITATION,
                subject=subject,
                data={"should_attend": should_attend, "present": present, "needed": need},
            )
        )
    total = in_favour + written_in_favour
    majority = total >= need
    if not majority:
        counted = f"赞成票{in_favour}票"
        if written_in_favour:
            counted += f"、书面赞成意见{written_in_favour}份，合计{total}票"
        half = "恰好半数，" if total * 2 == should_attend else ""
        findings.append(
            Finding(
                code="VOTE-PASS",
                severity=Severity.ERROR,
                message=(
                    f"{counted}，{half}未超过应到会有表决权的正式党员{should_attend}人的半数"
                    f"（至少需要{need}票），未获通过。"
                ),
                citation=PASS_CITATION,
                subject=subject,
                data={"in_favour": total, "should_attend": should_attend, "needed": need},
            )
        )
    return VoteResult(quorate=quorate, passed=quorate and majority, findings=tuple(findings))
