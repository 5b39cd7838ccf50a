"""gridgov keygrids: propose this year's 重点网格 from last year's tickets, and optionally adopt the list."""

from decimal import Decimal, InvalidOperation

from django.core.management.base import BaseCommand, CommandError

from gridgov.core.errors import DomainError
from gridgov.metrics import keygrids


class Command(BaseCommand):
    help = "按上一年工单量排出网格名次，提出重点网格清单（前 N 个或前 x%），并列出与现有清单的差异；--apply 采用新清单。"

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True, help="按哪一年的受理量排名，如 2025")
        group = parser.add_mutually_exclusive_group(required=True)
        group.add_argument("--top", type=int, help="名额：前 N 个网格")
        group.add_argument("--percent", help="比例：前 x%% 的网格（向上取整）")
        parser.add_argument("--level", type=int, default=3, help="网格层级（默认 3：三级网格）")
        parser.add_argument("--area", help="只排某区域（编码）下的网格，如某个街道")
        parser.add_argument("--apply", action="store_true", help="采用建议清单（写入网格的“重点网格”标记并记审计日志）")
        parser.add_argument("--all", action="store_true", help="列出全部名次，而不只是建议清单和变化")

    def handle(self, *args, year, top, percent, level, area, apply, all, **options):
        try:
            pct = Decimal(percent) if percent is not None else None
        except InvalidOperation:
            raise CommandError(f"比例不是数字：{percent}") from None
        try:
            proposal = keygrids.propose(year, level=level, area=area, top=top, percent=pct)
        except DomainError as e:
            raise CommandError(e.message) from None
        out = self.stdout
        out.write(f"{proposal.period.label}受理量排名，共 {len(proposal.ranking)} 个网格，名额 {proposal.quota}。规则：{keygrids.RULE}")
        for r in proposal.ranking:
            if all or r.proposed or r.current:
                mark = "新增" if r.proposed and not r.current else "移出" if r.current and not r.proposed else "保留" if r.proposed else ""
                out.write(f"{r.rank:>5}  {r.code}  {r.name:<16}  {r.tickets:>7}  {mark}")
        out.write(f"建议清单 {sum(r.proposed for r in proposal.ranking)} 个：新增 {len(proposal.added)}，"
                  f"保留 {len(proposal.kept)}，移出 {len(proposal.removed)}。")
        if apply:
            changed = keygrids.apply(None, proposal)
            out.write(self.style.SUCCESS(f"已采用：{changed} 个网格的重点标记已更新。"))
