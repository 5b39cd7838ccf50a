"""`gridgov areas import FILE` / `gridgov areas export [--root CODE] [-o FILE]`."""

import json
import sys

from django.core.management.base import BaseCommand, CommandError

from gridgov.areas.importer import AreaImportError, export_areas, import_areas


class Command(BaseCommand):
    help = "导入或导出区域/网格树（GeoJSON FeatureCollection）"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="导入 GeoJSON；有任何问题则全部不导入并列出所有问题")
        imp.add_argument("file")
        imp.add_argument("--tolerance", type=float, default=1e-6, help="面积容差（平方度），默认 1e-6")
        exp = sub.add_parser("export", help="导出为 GeoJSON")
        exp.add_argument("--root", help="只导出该编码及其下级")
        exp.add_argument("-o", "--output", help="输出文件，默认标准输出")

    def handle(self, *args, **opts):
        if opts["action"] == "export":
            text = json.dumps(export_areas(opts["root"]), ensure_ascii=False)
            if opts["output"]:
                with open(opts["output"], "w", encoding="utf-8") as fh:
                    fh.write(text)
            else:
                sys.stdout.write(text + "\n")
            return
        try:
            with open(opts["file"], encoding="utf-8") as fh:
                data = json.load(fh)
        except (OSError, ValueError) as exc:
            raise CommandError(f"无法读取 GeoJSON 文件：{exc}") from None
        try:
            result = import_areas(data, tolerance=opts["tolerance"])
        except AreaImportError as exc:
            for p in exc.problems:
                where = f"第{p.feature_index + 1}个要素" if p.feature_index is not None else "文件"
                self.stderr.write(f"  {where}{' ' + p.code if p.code else ''}：{p.message}")
            raise CommandError(f"发现 {len(exc.problems)} 个问题，未导入任何数据。") from None
        self.stdout.write(self.style.SUCCESS(f"导入完成：新增 {result.created} 个，更新 {result.updated} 个。"))
