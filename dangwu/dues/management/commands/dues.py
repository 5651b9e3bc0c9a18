"""``dangwu dues reconcile|assess``: the dues work done from the command line.

``reconcile [--org CODE] [--deep]`` proves that the ledger adds up to every reported figure:
exit 0 with a summary when it does, exit 1 with one line per difference when it does not.
``assess --month YYYY-MM [--org CODE]`` runs the monthly assessment for every top-level
organization (or the one given), as the first active system administrator: the run is
the system's monthly job, not one user's action. A bad argument is exit 2, in Chinese.
"""

from __future__ import annotations

import sys
import time

from django.core.management.base import BaseCommand, CommandParser

from dangwu.accounts.models import User
from dangwu.core.errors import DomainError
from dangwu.dues import services
from dangwu.dues.ledger import parse_month, zh_month
from dangwu.dues.reconcile import reconcile
from dangwu.orgs.models import Organization


class UsageError(Exception):
    """A bad argument: printed in Chinese, exit 2."""


class Command(BaseCommand):
    help = "党费：对账（reconcile）与按月生成应缴党费（assess）。"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, title="子命令")
        rec = sub.add_parser(
            "reconcile",
            help="核对台账合计与党费账户、冲销记录、上缴记录是否一致；不一致时逐条列出并返回1",
        )
        rec.add_argument("--org", default=None, help="只核对该党组织（编码）及其下级")
        rec.add_argument("--deep", action="store_true", help="同时逐人重算未交月数与党费交至月份")
        assess = sub.add_parser("assess", help="生成某月的应缴党费（可重复运行，不会重复生成）")
        assess.add_argument("--month", required=True, help="月份，如 2026-11")
        assess.add_argument("--org", default=None, help="只生成该党组织（编码）及其下级")

    def handle(self, *args, action: str, **options) -> None:
        try:
            if action == "reconcile":
                code = self._reconcile(options["org"], deep=options["deep"])
            else:
                code = self._assess(options["month"], options["org"])
        except UsageError as exc:
            self.stderr.write(str(exc))
            code = 2
        self.stdout.flush()
        if code:
            sys.exit(code)

    # --- reconcile ---------------------------------------------------------------------

    def _reconcile(self, org_code: str | None, *, deep: bool) -> int:
        organization = _organization(org_code)
        started = time.perf_counter()
        report = reconcile(organization, deep=deep)
        seconds = time.perf_counter() - started
        for difference in report.differences:
            self.stdout.write(difference.message)
        summary = f"{report.summary()}（用时{seconds:.1f}秒）"
        if report.ok:
            self.stdout.write(self.style.SUCCESS(summary))
            return 0
        self.stderr.write(summary)
        return 1

    # --- assess ------------------------------------------------------------------------

    def _assess(self, month_text: str, org_code: str | None) -> int:
        try:
            month = parse_month(month_text)
        except ValueError as exc:
            raise UsageError(str(exc)) from None
        actor = _system_actor()
        if org_code is not None:
            organizations = [_organization(org_code)]
        else:
            organizations = list(
                Organization.objects.get_root_nodes()
                .filter(dissolved_on__isnull=True)
                .order_by("path")
            )
            if not organizations:
                raise UsageError("系统中还没有党组织。")
        for organization in organizations:
            started = time.perf_counter()
            try:
                run = services.assessment_run(actor=actor, organization=organization, month=month)
            except DomainError as exc:
                raise UsageError(f"{organization.name}：{exc.message}") from None
            seconds = time.perf_counter() - started
            self.stdout.write(
                self.style.SUCCESS(
                    f"{organization.name}{zh_month(month)}应缴党费：新增{run.created:,}条，"
                    f"金额{run.amount:,}元，用时{seconds:.1f}秒。"
                )
            )
        return 0


def _organization(code: str | None) -> Organization | None:
    if code is None:
        return None
    organization = Organization.objects.filter(code=code.strip()).first()
    if organization is None:
        raise UsageError(f"未找到编码为“{code}”的党组织。")
    return organization


def _system_actor() -> User:
    """The monthly run is the system's job: it runs as the first active administrator."""
    actor = User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
    if actor is None:
        raise UsageError("没有可用的系统管理员账号，请先创建：dangwu createsuperuser")
    return actor
