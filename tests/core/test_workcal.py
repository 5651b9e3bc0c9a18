"""CAL-WORKDAY, CAL-DATA, CAL-COUNT (《全国年节及纪念日放假办法》 and the yearly notices)."""

import datetime as dt

import pytest

from dangwu.core.workcal import (
    Calendar,
    CalendarDataMissing,
    YearSchedule,
    known_calendar,
)

D = dt.date

# The schedules exactly as DOMAIN.md §11 writes them (rest days; makeup workdays).
DOMAIN_SCHEDULES = {
    2024: (
        "1/1; 2/10–2/17; 4/4–4/6; 5/1–5/5; 6/10; 9/15–9/17; 10/1–10/7",
        "2/4, 2/18, 4/7, 4/28, 5/11, 9/14, 9/29, 10/12",
    ),
    2025: (
        "1/1; 1/28–2/4; 4/4–4/6; 5/1–5/5; 5/31–6/2; 10/1–10/8",
        "1/26, 2/8, 4/27, 9/28, 10/11",
    ),
    2026: (
        "1/1–1/3; 2/15–2/23; 4/4–4/6; 5/1–5/5; 6/19–6/21; 9/25–9/27; 10/1–10/7",
        "1/4, 2/14, 2/28, 5/9, 9/20, 10/10",
    ),
}


def _day(year: int, text: str) -> dt.date:
    month, day = text.strip().split("/")
    return D(year, int(month), int(day))


def _expand(year: int, text: str, sep: str) -> frozenset[dt.date]:
    days: set[dt.date] = set()
    for part in text.split(sep):
        first, _, last = part.partition("–")
        start = _day(year, first)
        end = _day(year, last) if last else start
        while start <= end:
            days.add(start)
            start += dt.timedelta(days=1)
    return frozenset(days)


@pytest.mark.parametrize("year", [2024, 2025, 2026], ids=lambda y: f"{y}年安排与DOMAIN.md一致")
def test_shipped_schedule_matches_domain(year):
    rest, makeup = DOMAIN_SCHEDULES[year]

    schedule = known_calendar().schedule(year)

    assert schedule.rest_days == _expand(year, rest, ";")
    assert schedule.makeup_workdays == _expand(year, makeup, ",")


def test_known_calendar_covers_2004_to_2026_and_is_cached():
    calendar = known_calendar()

    assert calendar.years == tuple(range(2004, 2027))
    assert known_calendar() is calendar


@pytest.mark.parametrize(
    ("day", "workday"),
    [
        pytest.param(D(2025, 9, 26), True, id="国庆前的星期五上班"),
        pytest.param(D(2025, 9, 27), False, id="星期六休息"),
        pytest.param(D(2025, 9, 28), True, id="星期日调休上班（9月28日）"),
        pytest.param(D(2025, 10, 1), False, id="国庆节10月1日休息"),
        pytest.param(D(2025, 10, 6), False, id="中秋国庆假期中的星期一休息"),
        pytest.param(D(2025, 10, 8), False, id="假期最后一天10月8日休息"),
        pytest.param(D(2025, 10, 9), True, id="10月9日恢复上班"),
        pytest.param(D(2025, 10, 11), True, id="星期六调休上班（10月11日）"),
        pytest.param(D(2025, 10, 12), False, id="10月12日星期日休息"),
        pytest.param(D(2025, 10, 13), True, id="普通星期一上班"),
    ],
)
def test_is_workday_around_national_day_2025(day, workday):
    assert known_calendar().is_workday(day) is workday


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        pytest.param(
            D(2025, 9, 29),
            5,
            [D(2025, 9, 29), D(2025, 9, 30), D(2025, 10, 9), D(2025, 10, 10), D(2025, 10, 11)],
            id="跨国庆假期的5个工作日含调休的10月11日",
        ),
        pytest.param(
            D(2025, 9, 27),
            2,
            [D(2025, 9, 28), D(2025, 9, 29)],
            id="起始日是休息日不计入，从调休的9月28日数起",
        ),
        pytest.param(
            D(2025, 10, 1),
            1,
            [D(2025, 10, 9)],
            id="从假期第一天起数1个工作日是节后第一天",
        ),
        pytest.param(D(2025, 6, 3), 1, [D(2025, 6, 3)], id="起始日是工作日则计入"),
        pytest.param(
            D(2025, 12, 31),
            3,
            [D(2025, 12, 31), D(2026, 1, 4), D(2026, 1, 5)],
            id="跨年：元旦休三天，1月4日星期日调休上班",
        ),
    ],
)
def test_workdays_counting(start, n, expected):
    calendar = known_calendar()

    assert calendar.workdays(start, n) == expected
    assert calendar.end_of_workdays(start, n) == expected[-1]


def test_next_workday_is_strictly_after():
    calendar = known_calendar()

    assert calendar.next_workday(D(2025, 9, 30)) == D(2025, 10, 9)
    assert calendar.next_workday(D(2025, 10, 10)) == D(2025, 10, 11)


def test_year_without_schedule_is_a_clear_error():
    calendar = known_calendar()

    with pytest.raises(CalendarDataMissing) as info:
        calendar.is_workday(D(2027, 3, 1))

    assert str(info.value) == "未载入2027年节假日安排，无法计算工作日。"
    assert info.value.code == "CAL-DATA"
    assert info.value.year == 2027


def test_counting_into_a_year_without_schedule_is_an_error():
    calendar = Calendar({2025: known_calendar().schedule(2025)})

    with pytest.raises(CalendarDataMissing, match="未载入2026年节假日安排"):
        calendar.workdays(D(2025, 12, 30), 5)


def test_workdays_needs_at_least_one():
    with pytest.raises(ValueError, match="工作日数应至少为1，实际为0。"):
        known_calendar().workdays(D(2025, 6, 3), 0)


@pytest.mark.parametrize(
    ("rest", "makeup", "message"),
    [
        pytest.param(
            {D(2024, 12, 31)},
            set(),
            "2025年节假日安排中含有其他年份的日期2024-12-31。",
            id="他年日期",
        ),
        pytest.param(
            {D(2025, 9, 28)},
            {D(2025, 9, 28)},
            "2025-09-28在2025年节假日安排中既是休息日又是调休上班日。",
            id="既休息又上班",
        ),
        pytest.param(
            set(), {D(2025, 9, 29)}, "调休上班日2025-09-29不是星期六或星期日。", id="调休日非周末"
        ),
    ],
)
def test_year_schedule_refuses_impossible_data(rest, makeup, message):
    with pytest.raises(ValueError) as info:
        YearSchedule(2025, frozenset(rest), frozenset(makeup))

    assert str(info.value) == message
