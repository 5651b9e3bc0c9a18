"""``dangwu development refresh [--org CODE] [--today YYYY-MM-DD] [--all]``: rebuild the rule
cache of development records (next step, due date, error and warning counts) — what
``dangwu worker`` does daily. Exit 0 with a summary; a bad argument is exit 2, in Chinese.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
import time

from django.core.management.base import BaseCommand, CommandParser

from dangwu.core import clock
from dangwu.development.refresh import refresh_all
from dangwu.orgs.models import Organization

DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)


class UsageError(Exception):
    """A bad argument: printed in Chinese, exit 2."""


class Command(BaseCommand):
    help = "发展党员：刷新（refresh）各发展党员记录的下一步骤、期限与问题统计。"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, title="子命令")
        refresh = sub.add_parser(
            "refresh", help="按当天重新计算发展党员记录的下一步骤、最迟期限与错误、提醒数"
        )
        refresh.add_argument("--org", default=None, help="只刷新该党组织（编码）及其下级")
        refresh.add_argument("--today", default=None, help="按哪一天计算，如 2026-11-22；默认今天")
        refresh.add_argument(
            "--all", action="store_true", dest="include_closed", help="连同已结束的记录一起刷新"
        )

    def handle(self, *args, action: str, **options) -> None:
        try:
            code = self._refresh(options["org"], options["today"], options["include_closed"])
        except UsageError as exc:
            self.stderr.write(str(exc))
            code = 2
        self.stdout.flush()
        if code:
            sys.exit(code)

    def _refresh(self, org_code: str | None, today_text: str | None, include_closed: bool) -> int:
        today = _date(today_text) if today_text is not None else clock.today()
        org = _organization(org_code)
        started = time.perf_counter()
        n = refresh_all(today, org, include_closed=include_closed)
        seconds = time.perf_counter() - started
        where = f"{org.name}及其下级" if org is not None else "全部党组织"
        kind = "发展党员记录" if include_closed else "进行中的发展党员记录"
        self.stdout.write(
            self.style.SUCCESS(
                f"{where}：已刷新{n:,}条{kind}（按{today.isoformat()}计算，用时{seconds:.1f}秒）。"
            )
        )
        return 0


def _date(text: str) -> dt.date:
    raw = text.strip()
    try:
        if not DATE_RE.fullmatch(raw):
            raise ValueError(raw)
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise UsageError(f"日期应为YYYY-MM-DD格式的有效日期，收到：{raw[:20]}。") from None


def _organization(code: str | None) -> Organization | None:
    if code is None:
        return None
    organization = Organization.objects.filter(code=code.strip()).first()
    if organization is None:
        raise UsageError(f"未找到编码为“{code[:40]}”的党组织。")
    return organization
