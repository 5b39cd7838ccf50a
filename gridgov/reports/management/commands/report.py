"""`gridgov report monthly --month 2026-05` / `gridgov report analysis --period 2026`: write .docx and .xlsx reports."""

from django.core.management.base import BaseCommand, CommandError

from gridgov.core.errors import DomainError
from gridgov.reports import render


class Command(BaseCommand):
    help = "生成报告文件：monthly 月度工作通报（主要指标、排名、不满意工单分析）；analysis 回访不满意工单分析（任意统计期）。"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="kind", metavar="{monthly,analysis}", required=True)
        m = sub.add_parser("monthly", help="月度工作通报（.docx 和 .xlsx）")
        m.add_argument("--month", required=True, help="月份，格式 YYYY-MM，如 2026-05")
        a = sub.add_parser("analysis", help="回访不满意工单分析：按投诉类别、属地街镇分组、区直部门分组（.docx 和 .xlsx）")
        a.add_argument("--period", required=True,
                       help="统计期：2026（年）、2026-Q2（季度）、2026-05（月）或 2026-01-01..2026-06-30（任意日期段）")
        for p in (m, a):
            p.add_argument("--area", help="区域编码（默认全区）")
            p.add_argument("--out", default=".", help="输出目录（默认当前目录）")
            p.add_argument("--format", default="docx,xlsx", help="输出格式，逗号分隔：docx,xlsx（默认两种都输出）")
            # Read by gridgov.cli before Django starts; declared here so the parser accepts it.
            p.add_argument("--data-dir", help="数据目录（默认 ./var），与 gridgov demo 相同")

    def handle(self, *args, **opts):
        try:
            if opts["kind"] == "monthly":
                paths = render.monthly_files(opts["month"], opts["area"], opts["out"], opts["format"])
            else:
                paths = render.analysis_files(opts["period"], opts["area"], opts["out"], opts["format"])
        except DomainError as e:
            raise CommandError(e.message) from None
        for path in paths:
            self.stdout.write(str(path))
