"""``dangwu roster import FILE --user USERNAME`` and
``dangwu roster export --user USERNAME [--org CODE] -o FILE``: the roster in Excel, in bulk.

The command acts as the named user, with that user's scope, exactly like the pages.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from dangwu.core.clock import today
from dangwu.core.errors import DomainError, NotFound
from dangwu.core.scope import scope_for
from dangwu.members import roster
from dangwu.orgs.selectors import organization_get_by_code


class Command(BaseCommand):
    help = "名册导入导出（.xlsx）。import：全部行无误才导入；export：导出权限范围内的名册。"

    def add_arguments(self, parser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        imp = actions.add_parser("import", help="从.xlsx导入名册（有任何一行错误则不导入）")
        imp.add_argument("file", help="名册文件（.xlsx）")
        imp.add_argument("--user", required=True, help="以该用户的身份和权限导入")
        exp = actions.add_parser("export", help="导出名册到.xlsx")
        exp.add_argument("--user", required=True, help="以该用户的身份和权限导出")
        exp.add_argument("--org", default="", help="只导出该组织（组织编码）及其下级")
        exp.add_argument("-o", "--output", required=True, help="输出文件（.xlsx）")

    def handle(self, *args, **options) -> None:
        try:
            user = get_user_model().objects.get(username=options["user"], is_active=True)
        except get_user_model().DoesNotExist:
            raise CommandError(f"用户“{options['user']}”不存在或已停用。") from None
        if options["action"] == "import":
            self._import(user, options["file"])
        else:
            self._export(user, options["org"], options["output"])

    def _import(self, user, path: str) -> None:
        try:
            with open(path, "rb") as file:
                report = roster.roster_import(actor=user, file=file, today=today())
        except OSError as exc:
            raise CommandError(f"无法读取文件“{path}”：{exc.strerror}。") from None
        except NotFound:
            raise CommandError(f"用户“{user.username}”没有维护名册的权限。") from None
        except DomainError as exc:
            raise CommandError(exc.message) from None
        if not report.ok:
            for error in report.errors:
                self.stderr.write(f"第{error.row}行 {error.column}“{error.value}”：{error.reason}")
            raise CommandError(
                f"未导入任何数据：共{report.rows}行，{report.errors.bad_rows}行有误"
                f"（{report.errors.count}处错误）。"
            )
        self.stdout.write(
            f"导入成功：共{report.rows}行，新建{report.created}人，未变化{report.unchanged}人。"
        )

    def _export(self, user, code: str, path: str) -> None:
        scope = scope_for(user)
        try:
            org = organization_get_by_code(scope, code) if code else None
            with open(path, "wb") as out:
                count = roster.roster_export(scope, actor=user, out=out, org=org)
        except NotFound:
            raise CommandError(
                f"组织编码“{code}”不存在或不在用户“{user.username}”的权限范围内。"
                if code
                else f"用户“{user.username}”没有查看名册的权限。"
            ) from None
        except OSError as exc:
            raise CommandError(f"无法写入文件“{path}”：{exc.strerror}。") from None
        self.stdout.write(f"已导出{count}人到{path}。")
