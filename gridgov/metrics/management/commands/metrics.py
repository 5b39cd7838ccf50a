"""gridgov metrics: show figures, recount the stored monthly counts, or check them against the tickets."""

from django.core.management.base import BaseCommand, CommandError

from gridgov.core.errors import DomainError
from gridgov.metrics import cube
from gridgov.metrics.compute import BREAKDOWNS, Scope, breakdown, figures
from gridgov.metrics.definitions import METRICS
from gridgov.metrics.periods import Period


class Command(BaseCommand):
    help = "统计指标：show（查看指标及分项）、rebuild（从工单重算月度统计）、check（核对月度统计与工单直接计数是否一致）。"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        show = sub.add_parser("show", help="查看某统计期的指标")
        show.add_argument("--period", required=True, help="2026、2026-Q2、2026-05、2026-W18、2026-05-03 或 2026-05-01..2026-05-20")
        show.add_argument("--area", help="区域编码（含下级）")
        show.add_argument("--by", choices=sorted(BREAKDOWNS), help="分项")
        show.add_argument("--metrics", default="received,close_rate,ontime_close_rate,satisfaction_rate,resolution_rate,response_rate,three_rates,unsatisfied")
        for name, text in (("rebuild", "从工单重算月度统计"), ("check", "核对月度统计与工单直接计数")):
            p = sub.add_parser(name, help=text)
            p.add_argument("--period", help="整月组成的统计期，如 2026 或 2026-05；默认全部")

    def handle(self, *args, action, period=None, **options):
        try:
            p = Period.parse(period) if period else None
            if action == "show":
                return self._show(p, options)
            if p is not None and p.months() is None:
                raise CommandError("重算和核对只能按整月进行")
            if action == "rebuild":
                rows = cube.rebuild(p, progress=lambda m, n: self.stdout.write(f"{m:%Y-%m} 已重算，累计 {n} 行"))
                self.stdout.write(self.style.SUCCESS(f"完成：写入 {rows} 行月度统计"))
            else:
                problems = cube.differences(p)
                for line in problems:
                    self.stdout.write(line)
                if problems:
                    raise CommandError(f"月度统计与工单直接计数不一致：{len(problems)} 处（可运行 gridgov metrics rebuild 修复）")
                self.stdout.write(self.style.SUCCESS("月度统计与工单直接计数一致"))
        except DomainError as e:
            raise CommandError(e.message) from None

    def _show(self, period, options):
        codes = [c for c in options["metrics"].split(",") if c]
        unknown = [c for c in codes if c not in METRICS]
        if unknown:
            raise CommandError(f"未知指标：{'、'.join(unknown)}；可选：{'、'.join(METRICS)}")
        scope = Scope(area=options.get("area"))
        self.stdout.write(f"{period.label}  " + "  ".join(METRICS[c].name for c in codes))
        if options.get("by"):
            for row in breakdown(period, options["by"], scope, codes=codes):
                self.stdout.write(f"{row.label}  " + "  ".join(row.figures[c].display for c in codes))
        figs = figures(period, scope, codes=codes)
        self.stdout.write("合计  " + "  ".join(figs[c].display for c in codes))
        for c in codes:
            self.stdout.write(f"  {figs[c].name}：{figs[c].base}")
