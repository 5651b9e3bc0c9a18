"""``dangwu worker --once`` (the task through the database queue) and
``dangwu reminders run``; the worker's daily schedule."""

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django_tasks_db.models import DBTaskResult

from dangwu.meetings.models import ComplianceTally
from dangwu.notifications.management.commands.worker import next_run_after
from dangwu.notifications.models import Notification
from tests.notifications.conftest import DAY

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def on_day(monkeypatch):
    monkeypatch.setattr("dangwu.core.clock.today", lambda: DAY)


def run(*args):
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


# The worker runs outside any transaction (db_worker closes stale connections between tasks,
# which would close a test's transaction): this test commits, like the real process.
@pytest.mark.django_db(transaction=True)
def test_worker_once_runs_the_reminders_through_the_queue(tree, people, on_day, settings):
    # given the database task backend (the project's default)
    assert settings.TASKS["default"]["BACKEND"] == "django_tasks_db.DatabaseBackend"
    # when the worker runs once
    output = run("worker", "--once", "--verbosity", "0")
    # then the three daily tasks were queued, run and succeeded, and the reminders exist
    tasks = {t.task_path: t for t in DBTaskResult.objects.all()}
    assert sorted(tasks) == [
        "dangwu.development.tasks.refresh_development_records",
        "dangwu.meetings.tasks.refresh_compliance_tallies",
        "dangwu.notifications.tasks.send_reminders",
    ]
    assert {t.status for t in tasks.values()} == {"SUCCESSFUL"}
    task = tasks["dangwu.notifications.tasks.send_reminders"]
    assert task.return_value["created"] == 8
    assert ComplianceTally.objects.count() == 2  # the branch and its sibling
    assert Notification.objects.count() == 8
    assert output == "2026-11-25 提醒：应提醒8条，新增8条，发送邮件0封。\n"
    # and a second run (cron the next hour) adds nothing
    assert run("worker", "--once", "--verbosity", "0").endswith("新增0条，发送邮件0封。\n")
    assert Notification.objects.count() == 8


def test_worker_once_with_the_immediate_backend(tree, people, on_day, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    output = run("worker", "--once")
    assert output == "2026-11-25 提醒：应提醒8条，新增8条，发送邮件0封。\n"
    assert DBTaskResult.objects.count() == 0


def test_worker_refuses_a_bad_hour(db):
    with pytest.raises(CommandError, match="--hour 应在0至23之间，收到：24。"):
        run("worker", "--once", "--hour", "24")


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        ("2026-11-25 06:59", "2026-11-25 07:00"),  # later today
        ("2026-11-25 07:00", "2026-11-26 07:00"),  # just ran: tomorrow
        ("2026-11-25 23:30", "2026-11-26 07:00"),
        ("2026-12-31 08:00", "2027-01-01 07:00"),
    ],
)
def test_next_run_is_the_next_hour_in_shanghai(now, expected):
    moment = dt.datetime.fromisoformat(now).replace(tzinfo=SHANGHAI)
    got = next_run_after(moment, 7).astimezone(SHANGHAI)
    assert got.strftime("%Y-%m-%d %H:%M") == expected


def test_reminders_run_command_on_a_given_day(tree, people):
    assert run("reminders", "run", "--today", "2026-11-25") == (
        "2026-11-25 提醒：应提醒8条，新增8条，发送邮件0封。\n"
    )
    assert Notification.objects.count() == 8


def test_reminders_run_command_refuses_a_bad_date(db):
    with pytest.raises(CommandError, match="日期应写作 YYYY-MM-DD，如2026-11-22，收到：11/25。"):
        run("reminders", "run", "--today", "11/25")
    assert Notification.objects.count() == 0
