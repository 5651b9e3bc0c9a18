"""``dangwu demo``: migrate, build the demo organization once, print the logins, serve it."""

import time
import unicodedata

from django.core.management import call_command
from django.core.management.base import BaseCommand

from dangwu.core.demo import PASSWORD, ROOT_NAME, build_demo, demo_exists, demo_logins


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def login_table(rows: list[tuple[str, ...]]) -> str:
    """A small text table, aligned for Chinese characters (two columns wide each)."""
    header = ("用户名", "密码", "角色", "组织")
    widths = [max(_width(r[i]) for r in (header, *rows)) for i in range(len(header))]
    lines = ["  ".join(_pad(cell, w) for cell, w in zip(row, widths, strict=True)).rstrip()
             for row in (header, *rows)]  # fmt: skip
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


class Command(BaseCommand):
    help = (
        "演示：迁移数据库，首次运行时生成演示数据（华北理工大学党委，约2500人），"
        "显示演示账号，然后在 http://127.0.0.1:8000 启动服务。再次运行直接使用已有数据。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--no-serve", action="store_true", help="只准备数据，不启动服务。")
        parser.add_argument("--reset", action="store_true", help="清空数据库后重新生成演示数据。")
        parser.add_argument(
            "--addr", default="127.0.0.1:8000", help="服务地址（默认 127.0.0.1:8000）。"
        )

    def handle(self, *args, no_serve=False, reset=False, addr="127.0.0.1:8000", **options):
        self.stdout.write("正在迁移数据库……")
        call_command("migrate", interactive=False, verbosity=0)
        if reset:
            self.stdout.write("正在清空数据库……")
            call_command("flush", interactive=False, verbosity=0)
        if demo_exists():
            self.stdout.write("演示数据已存在，直接使用（重新生成：dangwu demo --reset）。")
        else:
            self.stdout.write(f"正在生成演示数据：{ROOT_NAME}，约2500人……")
            started = time.perf_counter()
            result = build_demo()
            self.stdout.write(
                self.style.SUCCESS(
                    f"演示数据已生成：{result.counts.get('person', 0)}人，"
                    f"{result.counts.get('organization', 0)}个党组织，"
                    f"用时{time.perf_counter() - started:.1f}秒。"
                )
            )
        rows = [(r.username, r.password, r.role, r.organization) for r in demo_logins(PASSWORD)]
        self.stdout.write("\n演示账号（仅供本机演示，请勿用于正式环境）：\n")
        self.stdout.write(login_table(rows) + "\n")
        if no_serve:
            return
        self.stdout.write(f"\n正在启动服务：http://{addr}/（按 Ctrl+C 停止）\n")
        call_command("runserver", addr, use_reloader=False)
