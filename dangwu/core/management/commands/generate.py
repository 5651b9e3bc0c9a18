"""``dangwu generate --members N``: synthetic data at scale, for benchmarks."""

from django.core.management.base import BaseCommand, CommandError

from dangwu.core.generate import generate


class Command(BaseCommand):
    help = (
        "生成规模测试数据（用于性能测试，不是演示数据）：在一个新的最上级党委下按人数生成"
        "基层党委、党总支、党支部（默认每个约40人）和党小组，人员带有效身份证号码、"
        "政治面貌变更记录和组织关系记录。为了速度，不写入历史记录表（simple-history），"
        "也不生成委员会届次和职务。PostgreSQL 上用 COPY 写入；10万人以上时先删除人员相关表的"
        "二级索引、写完后重建（整个过程在一个事务中，期间这些表对其他会话加锁）。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--members", type=int, required=True, help="人数。")
        parser.add_argument("--seed", type=int, default=1, help="随机种子（默认1，结果可重复）。")
        parser.add_argument(
            "--people-per-branch", type=int, default=40, help="每个党支部的人数（默认40）。"
        )
        parser.add_argument(
            "--branches-per-general-branch",
            type=int,
            default=10,
            help="每个党总支下的党支部数（默认10）。",
        )
        parser.add_argument(
            "--general-branches-per-committee",
            type=int,
            default=25,
            help="每个基层党委下的党总支数（默认25）。",
        )
        parser.add_argument(
            "--groups-per-branch", type=int, default=2, help="每个党支部的党小组数（默认2）。"
        )
        parser.add_argument(
            "--batch-size", type=int, default=50_000, help="每批写入的人数（默认50000）。"
        )
        indexes = parser.add_mutually_exclusive_group()
        indexes.add_argument(
            "--rebuild-indexes",
            action="store_const",
            const=True,
            dest="rebuild_indexes",
            help="先删除二级索引、写完后重建（PostgreSQL；10万人以上默认如此）。",
        )
        indexes.add_argument(
            "--keep-indexes",
            action="store_const",
            const=False,
            dest="rebuild_indexes",
            help="保留索引逐行写入（较慢，但不长时间锁表）。",
        )

    def handle(self, *args, **options):
        try:
            result = generate(
                members=options["members"],
                seed=options["seed"],
                people_per_branch=options["people_per_branch"],
                branches_per_general_branch=options["branches_per_general_branch"],
                general_branches_per_committee=options["general_branches_per_committee"],
                groups_per_branch=options["groups_per_branch"],
                batch_size=options["batch_size"],
                rebuild_indexes=options["rebuild_indexes"],
                log=self.stdout.write,
            )
        except ValueError as exc:
            raise CommandError(f"参数有误：{exc}") from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"已生成：人员 {result.members:,} 人，党组织 {result.organizations:,} 个，"
                f"政治面貌变更 {result.status_changes:,} 条，组织关系 {result.memberships:,} 条；"
                f"最上级组织编码 {result.root_code}；用时 {result.seconds:.1f} 秒。"
            )
        )
