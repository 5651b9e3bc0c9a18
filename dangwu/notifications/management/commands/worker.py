"""``dangwu worker``: the background worker — the daily reminders and the task queue.

One process, one loop: enqueue ``send_reminders`` at start and then every day at
``--hour`` (Asia/Shanghai), and between those run whatever is queued with django-tasks-db's
own worker in batch mode (``db_worker --batch``: take every ready task, run it, return).
Reminders are idempotent (their keys are unique), so a restart that enqueues again, or a
second worker, creates no duplicates. ``--once`` enqueues the reminders, runs the queue and
exits: for cron and for tests.
"""

from __future__ import annotations

import datetime as dt
import signal
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django_tasks import TaskResultStatus, task_backends
from django_tasks_db import DatabaseBackend

from dangwu.development.tasks import refresh_development_records
from dangwu.meetings.tasks import refresh_compliance_tallies
from dangwu.notifications.services import reminder_settings
from dangwu.notifications.tasks import send_reminders


def next_run_after(now: dt.datetime, hour: int) -> dt.datetime:
    """The next ``hour``:00 local time strictly after ``now``."""
    local = timezone.localtime(now)
    at = local.replace(hour=hour, minute=0, second=0, microsecond=0)
    if at <= local:
        at = timezone.make_aware(
            dt.datetime.combine(local.date() + dt.timedelta(days=1), dt.time(hour))
        )
    return at


class Command(BaseCommand):
    help = (
        "后台任务：每天定时生成提醒（会议待召开、会议记录未填写、请假待审批、会议即将召开），"
        "并执行排队的后台任务。"
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--once",
            action="store_true",
            help="生成一次提醒、执行完排队的任务后退出（供定时任务cron和测试使用）。",
        )
        parser.add_argument(
            "--hour",
            type=int,
            default=reminder_settings()["hour"],
            help="每天生成提醒的时刻（0–23时，北京时间），默认%(default)s时。",
        )
        parser.add_argument(
            "--interval",
            type=float,
            default=5.0,
            help="没有任务时两次检查队列之间等待的秒数，默认%(default)s秒。",
        )

    def handle(self, *, once: bool, hour: int, interval: float, verbosity: int, **options):
        if not 0 <= hour <= 23:
            raise CommandError(f"--hour 应在0至23之间，收到：{hour}。")
        if interval < 0:
            raise CommandError(f"--interval 不能为负数，收到：{interval}。")
        self.verbosity = verbosity
        if once:
            result = self.enqueue()
            self.drain()
            self.report(result)
            return
        due = timezone.now()  # the first run is at start
        try:
            while True:
                if timezone.now() >= due:
                    self.enqueue()
                    due = next_run_after(timezone.now(), hour)
                    if verbosity:
                        self.stdout.write(f"下次生成提醒：{timezone.localtime(due):%Y-%m-%d %H:%M}")
                self.drain()
                time.sleep(interval)
        except KeyboardInterrupt:
            self.stdout.write("后台任务已停止。")

    def enqueue(self):
        # The daily jobs: the committees' compliance tallies, the development records' rule
        # cache, then the reminders (reported).
        refresh_compliance_tallies.enqueue()
        refresh_development_records.enqueue()
        return send_reminders.enqueue()

    def drain(self) -> None:
        """Run every ready task. An immediate backend (tests) already ran it at enqueue."""
        if not isinstance(task_backends[send_reminders.backend], DatabaseBackend):
            return
        # db_worker installs its own signal handlers (a task in progress finishes on Ctrl+C);
        # ours come back while we wait, so Ctrl+C then stops the loop at once.
        saved = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
        try:
            call_command(
                "db_worker",
                batch=True,
                reload=False,
                startup_delay=False,
                verbosity=max(self.verbosity - 1, 0),
                stdout=self.stdout,
                stderr=self.stderr,
            )
        finally:
            for sig, handler in saved.items():
                signal.signal(sig, handler)

    def report(self, result) -> None:
        if result.status != TaskResultStatus.SUCCESSFUL:
            result.refresh()  # the database backend ran it in ``drain``
        if result.status != TaskResultStatus.SUCCESSFUL:
            raise CommandError(f"生成提醒失败（{result.status}）：{result.errors}")
        value = result.return_value
        self.stdout.write(
            f"{value['today']} 提醒：应提醒{value['candidates']}条，新增{value['created']}条，"
            f"发送邮件{value['emailed']}封。"
        )
