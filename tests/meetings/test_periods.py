"""Months, quarters and years of organizational life (``dangwu.meetings.periods``). Pure."""

import datetime as dt

import pytest

from dangwu.meetings.periods import Period, PeriodKind, quarter_of, year_periods

D = dt.date


@pytest.mark.parametrize(
    ("period", "label", "zh", "start", "end"),
    [
        pytest.param(
            Period.for_month(2025, 3),
            "2025-03",
            "2025年3月",
            D(2025, 3, 1),
            D(2025, 3, 31),
            id="2025年3月",
        ),
        pytest.param(
            Period.for_month(2024, 2),
            "2024-02",
            "2024年2月",
            D(2024, 2, 1),
            D(2024, 2, 29),
            id="闰年2月到29日",
        ),
        pytest.param(
            Period.for_month(2025, 2),
            "2025-02",
            "2025年2月",
            D(2025, 2, 1),
            D(2025, 2, 28),
            id="平年2月到28日",
        ),
        pytest.param(
            Period.for_quarter(2025, 2),
            "2025-Q2",
            "2025年第二季度",
            D(2025, 4, 1),
            D(2025, 6, 30),
            id="第二季度是4月1日至6月30日",
        ),
        pytest.param(
            Period.for_quarter(2025, 4),
            "2025-Q4",
            "2025年第四季度",
            D(2025, 10, 1),
            D(2025, 12, 31),
            id="第四季度是10月1日至12月31日",
        ),
        pytest.param(
            Period.for_year(2025),
            "2025",
            "2025年度",
            D(2025, 1, 1),
            D(2025, 12, 31),
            id="2025年度",
        ),
    ],
)
def test_label_name_and_bounds(period, label, zh, start, end):
    assert (period.label, period.zh, period.start, period.end) == (label, zh, start, end)
    assert str(period) == label


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        pytest.param("2025-03", Period(PeriodKind.MONTH, 2025, 3), id="月"),
        pytest.param("2025-Q2", Period(PeriodKind.QUARTER, 2025, 2), id="季度"),
        pytest.param("2025-q2", Period(PeriodKind.QUARTER, 2025, 2), id="小写q也可以"),
        pytest.param("2025", Period(PeriodKind.YEAR, 2025, 1), id="年度"),
    ],
)
def test_parse_reads_the_labels(label, expected):
    assert Period.parse(label) == expected


@pytest.mark.parametrize(
    "label",
    [
        pytest.param("2025-3", id="月份少一位"),
        pytest.param("2025-13", id="没有13月"),
        pytest.param("2025-00", id="没有0月"),
        pytest.param("2025-Q5", id="没有第五季度"),
        pytest.param("25-03", id="年份两位"),
        pytest.param("2025-03\n", id="末尾换行"),
        pytest.param("２０２５", id="全角数字"),
        pytest.param("", id="空"),
    ],
)
def test_parse_refuses_other_text(label):
    with pytest.raises(ValueError, match="期间|月份序号"):
        Period.parse(label)


def test_labels_round_trip_for_every_period_of_a_year():
    periods = [*year_periods(2025, "month"), *year_periods(2025, "quarter"), Period.for_year(2025)]

    assert [Period.parse(p.label) for p in periods] == periods


@pytest.mark.parametrize(
    ("kind", "number", "message"),
    [
        pytest.param("month", 13, "月份序号应在1至12之间，实际为13。", id="13月"),
        pytest.param("quarter", 0, "季度序号应在1至4之间，实际为0。", id="第0季度"),
        pytest.param("year", 2, "年度序号应在1至1之间，实际为2。", id="年度序号只能是1"),
        pytest.param("week", 1, "未知的期间类型：'week'。", id="没有周"),
    ],
)
def test_impossible_periods_are_refused(kind, number, message):
    with pytest.raises(ValueError) as excinfo:
        Period(kind, 2025, number)

    assert str(excinfo.value) == message


@pytest.mark.parametrize(
    ("d", "inside"),
    [
        pytest.param(D(2025, 3, 31), False, id="上季度最后一天 → 不在"),
        pytest.param(D(2025, 4, 1), True, id="季度第一天 → 在"),
        pytest.param(D(2025, 6, 30), True, id="季度最后一天 → 在"),
        pytest.param(D(2025, 7, 1), False, id="下季度第一天 → 不在"),
    ],
)
def test_contains_at_the_quarter_boundaries(d, inside):
    assert Period.for_quarter(2025, 2).contains(d) is inside


@pytest.mark.parametrize(
    ("today", "started", "running", "ended"),
    [
        pytest.param(D(2025, 2, 28), False, False, False, id="开始前一天 → 未开始"),
        pytest.param(D(2025, 3, 1), True, True, False, id="第一天 → 进行中"),
        pytest.param(D(2025, 3, 31), True, True, False, id="最后一天 → 仍在进行"),
        pytest.param(D(2025, 4, 1), True, False, True, id="结束后一天 → 已结束"),
    ],
)
def test_started_running_ended(today, started, running, ended):
    march = Period.for_month(2025, 3)

    assert (march.has_started(today), march.is_running(today), march.has_ended(today)) == (
        started,
        running,
        ended,
    )


@pytest.mark.parametrize(
    ("kind", "d", "label"),
    [
        pytest.param("month", D(2025, 5, 20), "2025-05", id="5月20日在2025-05"),
        pytest.param("quarter", D(2025, 3, 31), "2025-Q1", id="3月31日在第一季度"),
        pytest.param("quarter", D(2025, 4, 1), "2025-Q2", id="4月1日在第二季度"),
        pytest.param("year", D(2025, 12, 31), "2025", id="12月31日在2025年度"),
    ],
)
def test_containing(kind, d, label):
    assert Period.containing(kind, d).label == label


def test_a_years_periods_in_calendar_order():
    assert [p.label for p in year_periods(2025, PeriodKind.QUARTER)] == [
        "2025-Q1",
        "2025-Q2",
        "2025-Q3",
        "2025-Q4",
    ]
    assert [p.number for p in year_periods(2025, "month")] == list(range(1, 13))
    assert year_periods(2025, "year") == (Period.for_year(2025),)


def test_quarter_of_each_month():
    assert [quarter_of(m) for m in range(1, 13)] == [1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4]


def test_equal_periods_are_one_dictionary_key():
    seen = {Period.for_month(2025, 3): "三月"}

    assert seen[Period.parse("2025-03")] == "三月"
    assert Period.for_month(2025, 3) != Period.for_quarter(2025, 3)
