"""The calendar table (CAL-DATA): the seeded years, the per-process cache, the CLI's merge with
the shipped years, and entering a year (``core.services``)."""

import datetime as dt

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import OperationalError, ProgrammingError

from dangwu.core import services, workcal_db
from dangwu.core.errors import InvalidInput, NotFound
from dangwu.core.models import HolidaySchedule
from dangwu.core.workcal import CalendarDataMissing, known_calendar
from tests import factories
from tests.core.test_workcal import DOMAIN_SCHEDULES, _expand

D = dt.date
SEED_SOURCE = "国务院办公厅节假日安排通知（随 Dangwu 发布）"

# Test data for a year not shipped (not the real 2027 notice): New Year 1/1–1/3, Spring
# Festival 2/6–2/14, the Saturday after it worked.
REST_2027 = [D(2027, 1, 1), D(2027, 1, 2), D(2027, 1, 3)] + [D(2027, 2, d) for d in range(6, 15)]
MAKEUP_2027 = [D(2027, 2, 20)]


def _save_2027(actor, **kwargs):
    return services.holiday_schedule_save(
        actor=actor,
        year=2027,
        rest_days=kwargs.pop("rest_days", REST_2027),
        makeup_workdays=kwargs.pop("makeup_workdays", MAKEUP_2027),
        source=kwargs.pop("source", "国办发明电〔2026〕7号"),
    )


def _table():
    return list(
        HolidaySchedule.objects.order_by("year").values_list(
            "year", "rest_days", "makeup_workdays", "source", "updated_by"
        )
    )


# --- the seed migration ---------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("year", [2024, 2025, 2026], ids=lambda y: f"{y}年种子数据与DOMAIN.md一致")
def test_seeded_rows_match_domain(year):
    rest, makeup = DOMAIN_SCHEDULES[year]

    row = HolidaySchedule.objects.get(year=year)

    assert row.rest_days == [d.isoformat() for d in sorted(_expand(year, rest, ";"))]
    assert row.makeup_workdays == [d.isoformat() for d in sorted(_expand(year, makeup, ","))]
    assert row.source == SEED_SOURCE
    assert row.updated_by is None


@pytest.mark.django_db
def test_seeded_table_is_the_shipped_file():
    calendar = workcal_db.calendar()

    assert calendar.years == tuple(range(2004, 2027))
    assert dict(calendar.schedules) == dict(known_calendar().schedules)


# --- calendar(): one small query, parsed again only after a change ------------------------


@pytest.mark.django_db
def test_calendar_is_cached_until_the_table_changes(admin_user, django_assert_num_queries):
    workcal_db.cache_clear()
    with django_assert_num_queries(1):  # the rows (a process's first call)
        first = workcal_db.calendar()
    with django_assert_num_queries(1):  # the version only
        again = workcal_db.calendar()
    _save_2027(admin_user)

    with django_assert_num_queries(2):  # a new version: the version, then the rows
        after_save = workcal_db.calendar()
    HolidaySchedule.objects.filter(year=2027).delete()
    with django_assert_num_queries(1):  # back to a version already parsed
        after_delete = workcal_db.calendar()

    assert again is first
    assert after_save is not first
    assert after_save.years == tuple(range(2004, 2028))
    with pytest.raises(CalendarDataMissing):
        first.is_workday(D(2027, 2, 20))
    assert after_save.is_workday(D(2027, 2, 20)) is True
    assert after_delete is first


@pytest.mark.django_db
def test_calendar_sees_a_correction_and_a_deletion(admin_user):
    before = workcal_db.calendar()
    services.holiday_schedule_save(
        actor=admin_user,
        year=2026,
        rest_days=before.schedule(2026).rest_days,
        makeup_workdays=before.schedule(2026).makeup_workdays - {D(2026, 10, 10)},
    )
    corrected = workcal_db.calendar()
    HolidaySchedule.objects.filter(year=2004).delete()
    deleted = workcal_db.calendar()

    assert before.is_workday(D(2026, 10, 10)) is True
    assert corrected.is_workday(D(2026, 10, 10)) is False
    assert deleted.years == tuple(range(2005, 2027))


# --- CAL-COUNT on the database calendar -------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("start", "n", "days"),
    [
        pytest.param(
            D(2025, 9, 26),
            5,
            [D(2025, 9, 26), D(2025, 9, 28), D(2025, 9, 29), D(2025, 9, 30), D(2025, 10, 9)],
            id="星期五起公示5个工作日：计入起始日和调休的9月28日，跨国庆假期到10月9日",
        ),
        pytest.param(
            D(2025, 9, 30),
            5,
            [D(2025, 9, 30), D(2025, 10, 9), D(2025, 10, 10), D(2025, 10, 11), D(2025, 10, 13)],
            id="节前最后一天起公示5个工作日：含调休上班的10月11日（星期六）",
        ),
        pytest.param(
            D(2025, 9, 27),
            1,
            [D(2025, 9, 28)],
            id="起始日星期六不计入，第1个工作日是调休的星期日9月28日",
        ),
        pytest.param(
            D(2025, 10, 12),
            1,
            [D(2025, 10, 13)],
            id="调休后的星期日不上班",
        ),
    ],
)
def test_publicity_across_national_day_2025(start, n, days):
    calendar = workcal_db.calendar()

    assert calendar.workdays(start, n) == days
    assert calendar.end_of_workdays(start, n) == days[-1]
    assert calendar.next_workday(days[-1]) > days[-1]


@pytest.mark.django_db
def test_counting_into_an_entered_year(admin_user):
    with pytest.raises(CalendarDataMissing, match="未载入2027年节假日安排"):
        workcal_db.calendar().workdays(D(2026, 12, 31), 3)

    _save_2027(admin_user)

    assert workcal_db.calendar().workdays(D(2026, 12, 31), 3) == [
        D(2026, 12, 31),
        D(2027, 1, 4),
        D(2027, 1, 5),
    ]


# --- calendar_or_shipped(): the command line's calendar ---------------------------------


@pytest.mark.django_db
def test_calendar_or_shipped_puts_the_database_years_over_the_shipped(admin_user):
    _save_2027(admin_user)
    services.holiday_schedule_save(
        actor=admin_user,
        year=2026,
        rest_days=known_calendar().schedule(2026).rest_days,
        makeup_workdays=known_calendar().schedule(2026).makeup_workdays - {D(2026, 10, 10)},
    )

    calendar = workcal_db.calendar_or_shipped()

    assert calendar.years == tuple(range(2004, 2028))
    assert calendar.is_workday(D(2027, 2, 20)) is True
    assert calendar.is_workday(D(2026, 10, 10)) is False  # the correction wins
    assert known_calendar().is_workday(D(2026, 10, 10)) is True


@pytest.mark.parametrize(
    "error",
    [
        OperationalError("could not connect to server"),
        ProgrammingError('relation "core_holidayschedule" does not exist'),
        ImproperlyConfigured("settings.DATABASES is improperly configured"),
    ],
    ids=["数据库连不上", "数据库未迁移", "未配置数据库"],
)
def test_calendar_or_shipped_without_a_usable_database(monkeypatch, error):
    def broken():
        raise error

    monkeypatch.setattr(workcal_db, "calendar", broken)

    assert workcal_db.calendar_or_shipped() is known_calendar()


def test_calendar_or_shipped_without_database_access():
    # No django_db mark: the test runner refuses every query.
    assert workcal_db.calendar_or_shipped() is known_calendar()


# --- holiday_schedule_save ------------------------------------------------------------------


@pytest.mark.django_db
def test_save_enters_a_new_year_sorted_and_audited(admin_user):
    row = services.holiday_schedule_save(
        actor=admin_user,
        year=2027,
        rest_days=list(reversed(REST_2027)) + [D(2027, 1, 1)],
        makeup_workdays=MAKEUP_2027,
        source="  国办发明电〔2026〕7号 ",
    )

    row.refresh_from_db()
    assert row.year == 2027
    assert row.rest_days == [d.isoformat() for d in REST_2027]
    assert row.makeup_workdays == ["2027-02-20"]
    assert row.source == "国办发明电〔2026〕7号"
    assert row.updated_by == admin_user
    [history] = row.history.all()
    assert (history.history_type, history.history_user) == ("+", admin_user)


@pytest.mark.django_db
def test_save_accepts_a_year_without_makeup_workdays(admin_user):
    row = _save_2027(admin_user, makeup_workdays=[], source="")

    row.refresh_from_db()
    assert (row.makeup_workdays, row.source) == ([], "")
    assert workcal_db.calendar().is_workday(D(2027, 2, 20)) is False


@pytest.mark.django_db
def test_save_corrects_an_existing_year_and_records_who(admin_user):
    schedule = known_calendar().schedule(2026)

    row = services.holiday_schedule_save(
        actor=admin_user,
        year=2026,
        rest_days=schedule.rest_days,
        makeup_workdays=schedule.makeup_workdays - {D(2026, 10, 10)},
        source="更正",
    )

    assert HolidaySchedule.objects.filter(year=2026).count() == 1
    assert row.makeup_workdays == [
        "2026-01-04",
        "2026-02-14",
        "2026-02-28",
        "2026-05-09",
        "2026-09-20",
    ]
    [changed] = row.history.all()  # the seed migration wrote no history
    assert (changed.history_type, changed.history_user, changed.source) == (
        "~",
        admin_user,
        "更正",
    )
    assert changed.makeup_workdays == row.makeup_workdays


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["worker", "secretary", "member"])
def test_save_by_anyone_but_a_superuser_is_not_found(tree, who):
    person = factories.person(tree.branch, name="王五")
    users = {
        "worker": lambda: factories.user_with_role("w", tree.committee),
        "secretary": lambda: factories.user_with_role("s", tree.committee, kind="secretary"),
        "member": lambda: factories.user_with_role("m", None, person=person),
    }
    actor = users[who]()
    before = _table()

    with pytest.raises(NotFound):
        _save_2027(actor)

    assert _table() == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("year", "rest", "makeup", "message", "fields"),
    [
        pytest.param(
            2027,
            [D(2026, 12, 31), *REST_2027],
            MAKEUP_2027,
            "2026-12-31不在2027年内。",
            {"rest_days": ["2026-12-31不在2027年内。"]},
            id="放假日期不在该年",
        ),
        pytest.param(
            2027,
            REST_2027,
            [D(2028, 1, 8)],
            "2028-01-08不在2027年内。",
            {"makeup_workdays": ["2028-01-08不在2027年内。"]},
            id="调休日期不在该年",
        ),
        pytest.param(
            2027,
            REST_2027,
            [D(2027, 2, 19), D(2027, 2, 20)],
            "调休上班日2027-02-19是星期五，应为星期六或星期日。",
            {"makeup_workdays": ["调休上班日2027-02-19是星期五，应为星期六或星期日。"]},
            id="调休上班日不是周末",
        ),
        pytest.param(
            2027,
            REST_2027,
            [D(2027, 2, 13), D(2027, 2, 20)],
            "2027-02-13既是放假日期又是调休上班日期。",
            {"makeup_workdays": ["2027-02-13既是放假日期又是调休上班日期。"]},
            id="既放假又上班",
        ),
        pytest.param(
            2027,
            [],
            MAKEUP_2027,
            "请填写2027年的放假日期（至少有元旦）。",
            {"rest_days": ["请填写2027年的放假日期（至少有元旦）。"]},
            id="没有放假日期",
        ),
        pytest.param(
            2027,
            [D(2026, 10, 1), *REST_2027],
            [D(2027, 3, 1), D(2027, 3, 6)],
            "2026-10-01不在2027年内。；调休上班日2027-03-01是星期一，应为星期六或星期日。",
            {
                "rest_days": ["2026-10-01不在2027年内。"],
                "makeup_workdays": ["调休上班日2027-03-01是星期一，应为星期六或星期日。"],
            },
            id="每个错误都指出",
        ),
        pytest.param(
            1900,
            [D(1900, 1, 1)],
            [],
            "年份应在1949至2200之间，收到：1900。",
            {"year": ["年份应在1949至2200之间，收到：1900。"]},
            id="年份超出范围",
        ),
    ],
)
def test_save_refuses_impossible_schedules_and_changes_nothing(
    admin_user, year, rest, makeup, message, fields
):
    before = _table()

    with pytest.raises(InvalidInput) as info:
        services.holiday_schedule_save(
            actor=admin_user, year=year, rest_days=rest, makeup_workdays=makeup
        )

    assert info.value.message == message
    assert info.value.fields == fields
    assert _table() == before
    assert HolidaySchedule.history.count() == 0


@pytest.mark.django_db
def test_save_refuses_an_overlong_source(admin_user):
    before = _table()

    with pytest.raises(InvalidInput) as info:
        _save_2027(admin_user, source="文" * 201)

    assert info.value.message == "依据（通知文号）不能超过200个字，现有201个字。"
    assert info.value.fields == {"source": [info.value.message]}
    assert _table() == before


# --- the administrator's textarea ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "days"),
    [
        pytest.param("2027-01-01", [D(2027, 1, 1)], id="一天"),
        pytest.param(
            "2027-02-06至2027-02-08",
            [D(2027, 2, 6), D(2027, 2, 7), D(2027, 2, 8)],
            id="至",
        ),
        pytest.param(
            "2027-02-06 ~ 2027-02-08",
            [D(2027, 2, 6), D(2027, 2, 7), D(2027, 2, 8)],
            id="波浪号两侧有空格",
        ),
        pytest.param(
            "２０２７／２／６～２０２７／２／７",
            [D(2027, 2, 6), D(2027, 2, 7)],
            id="全角数字和符号",
        ),
        pytest.param(
            "2027/2/6, 2027.2.20、2027年10月9日；2027-1-1",
            [D(2027, 1, 1), D(2027, 2, 6), D(2027, 2, 20), D(2027, 10, 9)],
            id="逗号顿号分号分隔的各种写法",
        ),
        pytest.param(
            "2027-01-01至2027-01-03\n\n2027-01-02\n",
            [D(2027, 1, 1), D(2027, 1, 2), D(2027, 1, 3)],
            id="空行和重复的日期",
        ),
        pytest.param(
            "2/6至2/7\n10月9日", [D(2027, 2, 6), D(2027, 2, 7), D(2027, 10, 9)], id="本年月日"
        ),
        pytest.param("  \n ", [], id="空白"),
    ],
)
def test_parse_day_list(text, days):
    assert services.parse_day_list(text, year=2027) == days


@pytest.mark.parametrize(
    ("text", "year", "errors"),
    [
        pytest.param(
            "2027-01-01\n2027-13-01",
            2027,
            [
                "无法识别“2027-13-01”：日期应写作2027-02-06或2027/2/6，一段日期写作2027-02-06至2027-02-12。"
            ],
            id="没有13月",
        ),
        pytest.param(
            "2027-02-30, 明天",
            2027,
            [
                "无法识别“2027-02-30”：日期应写作2027-02-06或2027/2/6，一段日期写作2027-02-06至2027-02-12。",
                "无法识别“明天”：日期应写作2027-02-06或2027/2/6，一段日期写作2027-02-06至2027-02-12。",
            ],
            id="每个无法识别的都指出",
        ),
        pytest.param(
            "2027-02-12至2027-02-06",
            2027,
            ["“2027-02-12至2027-02-06”的结束日期早于开始日期。"],
            id="倒过来的一段",
        ),
        pytest.param(
            "2027-01-01至2029-01-01",
            2027,
            ["“2027-01-01至2029-01-01”超过366天，请检查日期。"],
            id="过长的一段",
        ),
        pytest.param(
            "2/6",
            None,
            ["无法识别“2/6”：日期应写作2027-02-06或2027/2/6，一段日期写作2027-02-06至2027-02-12。"],
            id="不知年份时不能只写月日",
        ),
        pytest.param(
            "2027-02-06-2027-02-12",
            2027,
            [
                "无法识别“2027-02-06-2027-02-12”：日期应写作2027-02-06或2027/2/6，一段日期写作2027-02-06至2027-02-12。"
            ],
            id="连字符不表示一段",
        ),
    ],
)
def test_parse_day_list_names_every_bad_token(text, year, errors):
    with pytest.raises(InvalidInput) as info:
        services.parse_day_list(text, year=year, field="rest_days")

    assert info.value.fields == {"rest_days": errors}
    assert info.value.message == "；".join(errors)


def test_format_day_list_writes_runs_that_parse_back():
    days = [D(2027, 1, 1), D(2027, 1, 2), D(2027, 1, 3), D(2027, 2, 20), D(2027, 10, 1)]

    text = services.format_day_list(days)

    assert text == "2027-01-01至2027-01-03\n2027-02-20\n2027-10-01"
    assert services.parse_day_list(text) == days
