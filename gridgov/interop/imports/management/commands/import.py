"""`gridgov import tickets FILE --mapping MAP.json`: bulk import of historical tickets from CSV or XLSX."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from gridgov.core.errors import DomainError
from gridgov.interop.imports import importer, mapping


class Command(BaseCommand):
    help = "批量导入历史工单（CSV 或 XLSX，按列映射文件），可断点续传，按渠道+外部编号幂等"

    def add_arguments(self, parser):
        parser.add_argument("what", choices=["tickets"], help="导入对象：tickets（历史工单）")
        parser.add_argument("file", help="CSV 或 XLSX 文件")
        parser.add_argument("--mapping", required=True, help="列映射文件（JSON）")
        parser.add_argument("--channel", help="所有工单使用此渠道编码（覆盖映射文件中的渠道）")
        parser.add_argument("--batch", type=int, default=5000, help="每批行数（默认 5000），每批一个事务")
        parser.add_argument("--resume", action="store_true", help="继续同一文件、同一映射未完成的导入任务")
        parser.add_argument("--errors", help="错误报告 CSV 的路径（默认与文件同目录的 <文件名>.errors.csv）")
        parser.add_argument("--no-progress", action="store_true", help="不显示进度条")

    def handle(self, *args, **opts):
        path = Path(opts["file"])
        if opts["batch"] < 1:
            raise CommandError("--batch 必须是正整数")
        suffix = path.suffix.lower().lstrip(".")
        try:
            spec = mapping.load(opts["mapping"], channel=opts["channel"],
                                file_format="xlsx" if suffix in ("xlsx", "xlsm") else "csv")
            with tqdm(total=None, desc="导入工单", unit="行", ncols=90, disable=opts["no_progress"]) as bar:
                result = importer.run(path, spec, batch=opts["batch"], resume=opts["resume"], progress=bar,
                                      log=lambda m: self.stderr.write(m))
        except (DomainError, importer.ImportAborted) as e:
            raise CommandError(getattr(e, "message", str(e))) from None
        report = Path(opts["errors"]) if opts["errors"] else importer.default_report_path(path)
        job = result.job
        errors = importer.write_report(job, report)
        rate = result.rows / result.seconds if result.seconds else 0
        self.stdout.write(
            f"导入任务 {job.pk}：本次处理 {result.rows} 行（{rate:,.0f} 行/秒，用时 {result.seconds:.1f} 秒）；"
            f"导入 {result.imported}，已存在跳过 {result.skipped}，错误 {result.failed} 行。")
        self.stdout.write(f"任务累计：导入 {job.imported}，跳过 {job.skipped}，错误 {job.failed} 行，共 {job.rows_done} 行。")
        if errors:
            self.stdout.write(f"错误报告（{errors} 条）：{report}")
        else:
            report.unlink(missing_ok=True)
