import sys

from django.core.management.base import BaseCommand, CommandParser

from dangwu.core import rules_cli


class Command(BaseCommand):
    help = "规则计算：以 JSON 输出（无需数据库）。例如：dangwu rules idcard 11010519491231002X"
    requires_system_checks: list = []
    requires_migrations_checks = False

    def add_arguments(self, parser: CommandParser) -> None:
        rules_cli.add_arguments(parser)

    def handle(self, *args, **options) -> None:
        import argparse

        code = rules_cli.run(argparse.Namespace(**options), out=self.stdout)
        self.stdout.flush()
        if code:
            sys.exit(code)
