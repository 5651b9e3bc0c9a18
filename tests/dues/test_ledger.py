"""Pure derivation of a member's ledger: owed, paid, paid-through, overdue month."""

import datetime as dt
from decimal import Decimal

import pytest

from dangwu.dues.ledger import Line, arrears_as_of, months_between, parse_month, summarize

D = Decimal


def m(month: int, year: int = 2026) -> dt.date:
    return dt.date(year, month, 1)


def test_paid_through_is_the_last_paid_month_before_the_first_unpaid():
    s = summarize(
        [Line("assessment", m(i), D("45.67")) for i in range(8, 12)]
        + [Line("payment", m(8), D("45.67")), Line("payment", m(9), D("45.67"))]
    )
    assert (s.paid_through, s.unpaid, s.balance) == (m(9), [m(10), m(11)], D("91.34"))


def test_a_reversed_payment_leaves_the_month_unpaid():
    s = summarize(
        [
            Line("assessment", m(11), D("0.20")),
            Line("payment", m(11), D("0.20")),
            Line("payment", m(11), D("-0.20")),
        ]
    )
    assert (s.paid_through, s.unpaid_months, s.paid_total) == (None, 1, D("0.00"))


def test_advance_payment_extends_paid_through_beyond_the_last_owed_month():
    s = summarize(
        [
            Line("assessment", m(11), D("0.20")),
            Line("payment", m(11), D("0.20")),
            Line("payment", m(12), D("0.20")),
        ]
    )
    assert (s.paid_through, s.balance) == (m(12), D("-0.20"))


def test_voluntary_dues_do_not_pay_a_month():
    s = summarize([Line("assessment", m(11), D("0.20")), Line("voluntary", m(11), D("1000"))])
    assert (s.unpaid, s.voluntary_total, s.balance) == ([m(11)], D("1000"), D("0.20"))


@pytest.mark.parametrize(
    ("today", "quarterly", "expected"),
    [
        pytest.param(dt.date(2026, 11, 22), False, m(10), id="本月未满：上月起算欠缴"),
        pytest.param(dt.date(2026, 11, 30), False, m(10), id="月末最后一天仍可交本月"),
        pytest.param(dt.date(2026, 12, 1), False, m(11), id="次月1日起本月计为欠缴"),
        pytest.param(dt.date(2026, 11, 22), True, m(9), id="按季度交纳：上季度末起算"),
        pytest.param(dt.date(2026, 1, 5), True, m(12, 2025), id="按季度交纳：跨年"),
    ],
)
def test_arrears_as_of(today, quarterly, expected):
    assert arrears_as_of(today, quarterly=quarterly) == expected


def test_months_between_crosses_the_year():
    assert months_between(m(11, 2025), m(2)) == [m(11, 2025), m(12, 2025), m(1), m(2)]


@pytest.mark.parametrize("text", ["2026-13", "2026/11", "", "十一月"])
def test_parse_month_refuses_in_chinese(text):
    with pytest.raises(ValueError, match="月份"):
        parse_month(text)
