"""``dangwu tally [--year YYYY]``: store every branch's compliance counts for a year now
(what ``dangwu worker`` does daily for this year) — e.g. for a past year after installing."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from dangwu.core import clock
from dangwu.meetings.services.tally import compliance_tally_refresh


class Command(BaseCommand):
    help = "组织生活落实统计：dangwu tally [--year 2025] 立即统计各党支部该年度的缺项数。"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--year", type=int, help="统计哪一年，默认今年。")

    def handle(self, *, year: int | None = None, **options):
        today = clock.today()
        year = year or today.year
        if not 2000 <= year <= today.year:
            raise CommandError(f"年份应在2000至{today.year}之间，收到：{year}。")
        n = compliance_tally_refresh(year=year, today=today)
        self.stdout.write(f"{year}年组织生活落实情况已统计：{n}个党支部（统计于{today}）。")
