"""Regulations about a person's status, rights, party age and sanctions (MEM-*, DISC-*).

Pure functions over plain values and small frozen dataclasses: no database, no request,
no clock (the date is always an argument). Periods are counted in calendar months
(``dangwu.core.dates``): a period of N months from ``decided_on`` ends on
``add_months(decided_on, N)``, and on that day the restriction is over (rights are
restored on that day; the day before is the period's last day).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from dangwu.core.dates import add_months, full_years, zh_date
from dangwu.core.findings import Finding, Severity
from dangwu.members.choices import (
    MEMBER_STATUSES,
    PIPELINE_STATUSES,
    TERMINAL_STATUSES,
    SanctionKind,
    Status,
)

PARTY_CONSTITUTION = "《中国共产党章程》"
DEVELOPMENT_RULES = "《中国共产党发展党员工作细则》"
DISCIPLINE_RULES = "《中国共产党纪律处分条例》"

# Chinese names for messages. The ``TextChoices`` labels are lazy translations that need
# configured settings; the rules must not.
STATUS_ZH: Mapping[str, str] = {
    Status.APPLICANT: "入党申请人",
    Status.ACTIVIST: "入党积极分子",
    Status.CANDIDATE: "发展对象",
    Status.PROBATIONARY: "预备党员",
    Status.FULL: "正式党员",
    Status.PROBATION_CANCELLED: "取消预备党员资格",
    Status.SUSPENDED: "停止党籍",
    Status.LEFT: "已出党",
    Status.DECEASED: "已去世",
}
SANCTION_ZH: Mapping[str, str] = {
    SanctionKind.WARNING: "警告",
    SanctionKind.SERIOUS_WARNING: "严重警告",
    SanctionKind.REMOVAL_FROM_POST: "撤销党内职务",
    SanctionKind.PROBATION_WITHIN_PARTY: "留党察看",
    SanctionKind.EXPULSION: "开除党籍",
}


def _check_status(status: str) -> None:
    if status not in STATUS_ZH:
        raise ValueError(f"未知的党籍状态：{status!r}。")


# --- Ages and party age (MEM-PARTY-AGE) ------------------------------------------------


def age_on(birth_date: dt.date, on: dt.date) -> int:
    """Full years of age (周岁) on ``on``; the birthday itself counts the year.

    Someone born on 29 February turns a year older on 28 February in a common year.
    Raises ``ValueError`` when ``on`` is before the birth date.
    """
    return full_years(birth_date, on)


def probation_end(*, admission_date: dt.date, extension_months: int = 0) -> dt.date:
    """The day probation ends: the admission meeting date plus 12 months plus any extension.

    MEM-PARTY-AGE / DEV-PROBATION — 党章 第七条 (the probation is one year, counted from the
    day the general meeting admitted the person); an extension is at most 12 months
    (细则 第三十二条; its lower bound of 6 months is checked by DEV-EXTENSION, not here, so
    that a past record can still be dated).
    """
    if not 0 <= extension_months <= 12:
        raise ValueError(f"延长预备期为{extension_months}个月，应在0至12个月之间。")
    return add_months(admission_date, 12 + extension_months)


def full_membership_date(*, admission_date: dt.date, extension_months: int = 0) -> dt.date:
    """The day full membership is granted and party age starts: the day probation ends.

    MEM-PARTY-AGE — 党章 第七条: 党龄从预备期满转为正式党员之日算起 (after an extension,
    from the extension's end).
    """
    return probation_end(admission_date=admission_date, extension_months=extension_months)


def party_age(*, full_since: dt.date, today: dt.date) -> int:
    """Party age (党龄) in full years on ``today``; 0 before full membership.

    MEM-PARTY-AGE — 党章 第七条. The anniversary of ``full_since`` counts the year.
    """
    if today < full_since:
        return 0
    return full_years(full_since, today)


# --- Sanctions (DISC-EFFECTS) -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SanctionFacts:
    """A sanction as decided: kind (``SanctionKind`` value), decision date and, for
    留党察看, its length in years (1 or 2) and an extension (a 1-year probation extended
    once by 1 year). ``revoked_on`` ends every effect on that day (the sanction was
    revoked or changed)."""

    kind: str
    decided_on: dt.date
    probation_years: int = 0
    extended_years: int = 0
    revoked_on: dt.date | None = None


@dataclass(frozen=True, slots=True)
class SanctionEffect:
    """What a sanction restricts and until when (each date is the first day free of it).

    ``rights_suspended_until``: 留党察看 — no voting, electing or being elected before it.
    ``no_promotion_until``: no promotion inside the Party before it (for 撤销党内职务 this
    is the post bar: a bar on equal or higher posts includes promotion).
    ``post_bar_until``: no post equal to or higher than the removed one before it.
    ``rejoin_bar_until``: 开除党籍 — no readmission before it.
    """

    kind: str
    decided_on: dt.date
    rights_suspended_until: dt.date | None
    no_promotion_until: dt.date | None
    post_bar_until: dt.date | None
    rejoin_bar_until: dt.date | None


def _months_after(start: dt.date, months: int, revoked_on: dt.date | None) -> dt.date:
    end = add_months(start, months)
    if revoked_on is not None and revoked_on < end:
        return max(revoked_on, start)
    return end


def sanction_effect(s: SanctionFacts) -> SanctionEffect:
    """The effect periods of one sanction.

    DISC-EFFECTS — 处分条例 第八、十、十一、十二、二十一条: 警告 — no promotion for 1 year;
    严重警告 — 18 months; 撤销党内职务 — no equal or higher post for 2 years; 留党察看 — 1 or
    2 years (a 1-year one may be extended once by 1 year) without voting, electing or being
    elected, then 2 more years without promotion; 开除党籍 — no readmission for 5 years.

    Each period ends on ``decided_on`` plus N months (the same calendar day, clamped to the
    month end) and the restriction is over on that day. A revoked sanction's periods end
    on ``revoked_on``. Raises ``ValueError`` for an impossible sanction.
    """
    if s.kind not in SANCTION_ZH:
        raise ValueError(f"未知的处分种类：{s.kind!r}。")
    if s.revoked_on is not None and s.revoked_on < s.decided_on:
        raise ValueError(
            f"处分撤销日期{zh_date(s.revoked_on)}早于处分决定日期{zh_date(s.decided_on)}。"
        )
    is_probation = s.kind == SanctionKind.PROBATION_WITHIN_PARTY
    if not is_probation and (s.probation_years or s.extended_years):
        raise ValueError(f"「{SANCTION_ZH[s.kind]}」处分没有察看期，察看年限和延长年限应为0。")

    def after(months: int, start: dt.date = s.decided_on) -> dt.date:
        return _months_after(start, months, s.revoked_on)

    rights: dt.date | None = None
    no_promotion: dt.date | None = None
    post_bar: dt.date | None = None
    rejoin_bar: dt.date | None = None
    if s.kind == SanctionKind.WARNING:
        no_promotion = after(12)
    elif s.kind == SanctionKind.SERIOUS_WARNING:
        no_promotion = after(18)
    elif s.kind == SanctionKind.REMOVAL_FROM_POST:
        post_bar = no_promotion = after(24)
    elif is_probation:
        if s.probation_years not in (1, 2):
            raise ValueError(f"留党察看期为{s.probation_years}年，应为1年或2年。")
        if s.extended_years not in (0, 1):
            raise ValueError(f"留党察看延长{s.extended_years}年，只能延长1年。")
        if s.extended_years and s.probation_years != 1:
            raise ValueError("只有留党察看1年的才可以延长，且只能延长1年（最长2年）。")
        rights = after(12 * (s.probation_years + s.extended_years))
        no_promotion = after(24, start=rights)
    else:  # expulsion
        rejoin_bar = after(60)
    return SanctionEffect(
        kind=s.kind,
        decided_on=s.decided_on,
        rights_suspended_until=rights,
        no_promotion_until=no_promotion,
        post_bar_until=post_bar,
        rejoin_bar_until=rejoin_bar,
    )


def combined_no_promotion_until(effects: Sequence[SanctionEffect]) -> dt.date | None:
    """The end of the no-promotion period of several sanctions together.

    DISC-EFFECTS — 处分条例 第八、十、十一、十二、二十一条: a sanction decided inside the
    effect period of an earlier one ends at its own end plus the time the earlier period
    still had to run (counted in days) on the new decision date. A sanction decided on or
    after the day an earlier period ends does not add anything. ``None`` when no effect
    restricts promotion.
    """
    running: dt.date | None = None
    for effect in sorted(effects, key=lambda e: e.decided_on):
        end = effect.no_promotion_until
        if end is None:
            continue
        if running is not None and effect.decided_on < running:
            end = end + (running - effect.decided_on)
        running = end if running is None else max(running, end)
    return running


# --- Rights (MEM-RIGHTS, DISC-NO-ROLE) --------------------------------------------------


@dataclass(frozen=True, slots=True)
class Rights:
    """The rights that rules ask about, on one date.

    ``can_hold_role``: may be an introducer, a contact person, a group leader or a
    committee member. ``reasons`` says in Chinese why a right is missing.
    """

    can_vote: bool
    can_elect: bool
    can_be_elected: bool
    can_hold_role: bool
    reasons: tuple[str, ...] = ()

    @property
    def is_full(self) -> bool:
        return self.can_vote and self.can_elect and self.can_be_elected and self.can_hold_role


FULL_RIGHTS = Rights(can_vote=True, can_elect=True, can_be_elected=True, can_hold_role=True)


def _no_rights(*reasons: str) -> Rights:
    return Rights(
        can_vote=False,
        can_elect=False,
        can_be_elected=False,
        can_hold_role=False,
        reasons=reasons,
    )


def _status_reason(status: str) -> str:
    if status in PIPELINE_STATUSES:
        return f"{STATUS_ZH[status]}尚未入党，不享有党员权利"
    if status == Status.PROBATION_CANCELLED:
        return "已被取消预备党员资格"
    if status == Status.SUSPENDED:
        return "已停止党籍"
    if status == Status.LEFT:
        return "已出党"
    return "已去世"


_PROBATIONARY_REASON = (
    "预备党员没有表决权、选举权和被选举权，不能担任入党介绍人、培养联系人、党小组长或支部委员"
)


def rights_on(*, status: str, sanctions: Sequence[SanctionFacts], on: dt.date) -> Rights:
    """A person's voting, electing, eligibility and role rights on ``on``.

    MEM-RIGHTS — 党章 第七条; 处分条例: a probationary member has every right but voting,
    electing and being elected; a member under 留党察看 has none of those three during the
    period. DISC-NO-ROLE — 细则 第十四条; 处分条例: a member under 留党察看 cannot be an
    introducer, a contact person, a group leader or a committee member. Only a full member
    may hold those roles (a probationary member cannot either). People who are not (or no
    longer) members have none of these rights. Sanctions decided after ``on`` are ignored.
    """
    _check_status(status)
    if status not in MEMBER_STATUSES:
        return _no_rights(_status_reason(status))

    reasons: list[str] = []
    suspended = False
    for s in sanctions:
        if s.decided_on > on:
            continue
        effect = sanction_effect(s)
        if effect.rejoin_bar_until is not None and (s.revoked_on is None or s.revoked_on > on):
            return _no_rights("已被开除党籍")
        until = effect.rights_suspended_until
        if until is not None and on < until:
            suspended = True
            reasons.append(f"正在留党察看期内（{zh_date(until)}恢复党员权利）")

    if status == Status.PROBATIONARY:
        reasons.insert(0, _PROBATIONARY_REASON)
        return _no_rights(*reasons)
    if suspended:
        return _no_rights(*reasons)
    return FULL_RIGHTS


# --- Status transitions (MEM-STATUS) --------------------------------------------------

_NON_TERMINAL = frozenset(PIPELINE_STATUSES | MEMBER_STATUSES)
_MEMBER_EXITS = frozenset({Status.SUSPENDED, Status.LEFT, Status.DECEASED})

ALLOWED_TRANSITIONS: Mapping[str | None, frozenset[str]] = {
    # A person imported mid-way may arrive at any stage that is still open.
    None: _NON_TERMINAL,
    Status.APPLICANT: frozenset({Status.ACTIVIST, Status.DECEASED}),
    Status.ACTIVIST: frozenset({Status.CANDIDATE, Status.DECEASED}),
    Status.CANDIDATE: frozenset({Status.PROBATIONARY, Status.DECEASED}),
    Status.PROBATIONARY: frozenset({Status.FULL, Status.PROBATION_CANCELLED} | _MEMBER_EXITS),
    Status.FULL: _MEMBER_EXITS,
    # Restoration; or removal as 自行脱党 when still unreachable (REL-LOST); or death.
    Status.SUSPENDED: frozenset({Status.FULL, Status.PROBATIONARY, Status.LEFT, Status.DECEASED}),
    Status.PROBATION_CANCELLED: frozenset(),
    Status.LEFT: frozenset(),
    Status.DECEASED: frozenset(),
}

_PIPELINE_ORDER = (
    Status.APPLICANT,
    Status.ACTIVIST,
    Status.CANDIDATE,
    Status.PROBATIONARY,
    Status.FULL,
)


def _transition_message(current: str | None, new: str) -> str:
    new_zh = STATUS_ZH[new]
    if current is None:
        return f"新登记的人员不能直接登记为「{new_zh}」，应登记为入党申请人至正式党员中的一个阶段。"
    current_zh = STATUS_ZH[current]
    if current == new:
        return f"当前状态已是「{current_zh}」，状态没有变化。"
    if current in TERMINAL_STATUSES and current != Status.SUSPENDED:
        return f"「{current_zh}」是终止状态，不能再变更为「{new_zh}」。"
    if current in PIPELINE_STATUSES and new in (
        Status.SUSPENDED,
        Status.LEFT,
        Status.PROBATION_CANCELLED,
    ):
        return f"「{current_zh}」尚未入党，不能变更为「{new_zh}」。"
    if current in _PIPELINE_ORDER and new in _PIPELINE_ORDER:
        step_from = _PIPELINE_ORDER.index(current)
        step_to = _PIPELINE_ORDER.index(new)
        if step_to < step_from:
            return f"不能从「{current_zh}」退回「{new_zh}」。"
        return (
            f"不能从「{current_zh}」直接变更为「{new_zh}」：发展党员须依次经过入党申请人、"
            "入党积极分子、发展对象、预备党员、正式党员各阶段。"
        )
    return f"不能从「{current_zh}」变更为「{new_zh}」。"


def status_transition_findings(*, current: str | None, new: str) -> list[Finding]:
    """An error when a person's status cannot move from ``current`` to ``new``.

    MEM-STATUS — 党章; 细则: the way in is applicant → activist → candidate → probationary →
    full, one stage at a time and never backwards; a probationary member may have the
    probation cancelled; a member (probationary or full) may be suspended, leave or die; a
    suspended member may be restored (to full or probationary) or removed; a person who has
    not joined can only be recorded as deceased (not as having left the Party). Terminal
    statuses do not change. ``current=None`` is a new record, which may start at any open
    stage because people are imported mid-way.
    """
    if current is not None:
        _check_status(current)
    _check_status(new)
    if new in ALLOWED_TRANSITIONS[current]:
        return []
    return [
        Finding(
            code="MEM-STATUS",
            severity=Severity.ERROR,
            message=_transition_message(current, new),
            citation=f"{PARTY_CONSTITUTION}；{DEVELOPMENT_RULES}",
            data={"current": current, "new": new},
        )
    ]
