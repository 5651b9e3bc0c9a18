"""``dangwu reminders run [--today DATE]``: compute the reminders now, in this process
(without the task queue) — for an administrator, a cron line or checking a given day."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from dangwu.core import clock
from dangwu.notifications.services import reminders_run


class Command(BaseCommand):
    help = "提醒：dangwu reminders run [--today 2026-11-22] 立即生成到期提醒。"

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="run")
        run = sub.add_parser("run", help="生成到期提醒（重复执行不会产生重复提醒）。")
        run.add_argument("--today", help="按哪一天计算（YYYY-MM-DD），默认今天。")

    def handle(self, *, action: str, today: str | None = None, **options):
        if today:
            try:
                day = dt.date.fromisoformat(today)
            except ValueError:
                raise CommandError(
                    f"日期应写作 YYYY-MM-DD，如2026-11-22，收到：{today}。"
                ) from None
        else:
            day = clock.today()
        value = reminders_run(today=day)
        self.stdout.write(
            f"{value['today']} 提醒：应提醒{value['candidates']}条，新增{value['created']}条，"
            f"发送邮件{value['emailed']}封。"
        )
