"""``dangwu rules workdays | is-workday`` read the years an administrator entered when the
database is reachable, and the shipped years alone when it is not (CAL-DATA)."""

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import OperationalError

from dangwu.core import services, workcal_db

D = dt.date
MISSING_2099 = {"error": "未载入2099年节假日安排，无法计算工作日。"}


def run_rules(*args):
    out = StringIO()
    code = 0
    try:
        call_command("rules", *args, stdout=out)
    except SystemExit as exc:
        code = exc.code
    return code, json.loads(out.getvalue())


@pytest.fixture
def entered_2027(admin_user):
    """An administrator entered 2027 (test data, not the real notice)."""
    return services.holiday_schedule_save(
        actor=admin_user,
        year=2027,
        rest_days=[D(2027, 1, 1), D(2027, 1, 2), D(2027, 1, 3)]
        + [D(2027, 2, d) for d in range(6, 15)],
        makeup_workdays=[D(2027, 2, 20)],
    )


@pytest.mark.django_db
def test_workdays_in_a_year_entered_in_the_database(entered_2027):
    code, payload = run_rules("workdays", "--start", "2026-12-31", "--count", "3")

    assert code == 0
    assert payload == {
        "start": "2026-12-31",
        "count": 3,
        "end": "2027-01-05",
        "days": ["2026-12-31", "2027-01-04", "2027-01-05"],
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("day", "workday"),
    [
        pytest.param("2027-02-08", False, id="录入的春节假期（星期一）"),
        pytest.param("2027-02-20", True, id="录入的调休上班日（星期六）"),
        pytest.param("2027-02-21", False, id="普通星期日"),
    ],
)
def test_is_workday_in_a_year_entered_in_the_database(entered_2027, day, workday):
    code, payload = run_rules("is-workday", day)

    assert code == 0
    assert payload == {"date": day, "workday": workday}


@pytest.mark.django_db
def test_a_correction_in_the_database_wins_over_the_shipped_file(admin_user):
    schedule = workcal_db.calendar().schedule(2026)
    services.holiday_schedule_save(
        actor=admin_user,
        year=2026,
        rest_days=schedule.rest_days,
        makeup_workdays=schedule.makeup_workdays - {D(2026, 10, 10)},
    )

    code, payload = run_rules("is-workday", "2026-10-10")

    assert (code, payload) == (0, {"date": "2026-10-10", "workday": False})


ARGV_2099 = [
    pytest.param(["workdays", "--start", "2099-01-05", "--count", "2"], id="数工作日"),
    pytest.param(["is-workday", "2099-01-05"], id="是否工作日"),
]


@pytest.mark.django_db
@pytest.mark.parametrize("argv", ARGV_2099)
def test_year_without_data_exits_2_with_the_database(entered_2027, argv):
    assert run_rules(*argv) == (2, MISSING_2099)


@pytest.mark.parametrize("argv", ARGV_2099)
def test_year_without_data_exits_2_without_a_database(argv):
    # No django_db mark: every query is refused, so only the shipped years answer.
    assert run_rules(*argv) == (2, MISSING_2099)


def test_without_a_database_the_shipped_years_answer():
    code, payload = run_rules("is-workday", "2025-09-28")

    assert (code, payload) == (0, {"date": "2025-09-28", "workday": True})


def test_an_unreachable_database_falls_back_to_the_shipped_years(monkeypatch):
    def unreachable():
        raise OperationalError('connection to server at "127.0.0.1", port 5432 failed')

    monkeypatch.setattr(workcal_db, "calendar", unreachable)

    assert run_rules("is-workday", "2026-10-10") == (0, {"date": "2026-10-10", "workday": True})
    assert run_rules("is-workday", "2027-02-20") == (
        2,
        {"error": "未载入2027年节假日安排，无法计算工作日。"},
    )
