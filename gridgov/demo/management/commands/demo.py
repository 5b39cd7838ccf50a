"""`gridgov demo`: build the demo district with a simulated year of tickets (once) and serve the platform."""

import time
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from tqdm import tqdm

from gridgov.areas.models import Area
from gridgov.demo.assessments import mark_key_grids, run_demo_assessments
from gridgov.demo.district import DEMO_PASSWORD, build_master_data
from gridgov.demo.selfeval import create_demo_selfeval
from gridgov.demo.overdue import create_demo_overdue
from gridgov.demo.whistles import create_demo_whistles
from gridgov.interop.open311 import keys as open311_keys
from gridgov.demo.simulate import simulate
from gridgov.tickets.models import Ticket


# The demo's Open311 client; a real deployment issues keys with `gridgov open311 key create NAME`.
DEMO_OPEN311_CLIENT, DEMO_OPEN311_KEY = "演示客户端", "gridgov-demo-open311"


class Command(BaseCommand):
    help = "构建演示区（岳麓区）并启动平台：首次运行生成一年的模拟工单，之后复用已有数据。"

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8000, help="监听端口（默认 8000）")
        parser.add_argument("--data-dir", default="./var", help="数据目录（默认 ./var），SQLite 数据库存放于此")
        parser.add_argument("--tickets", type=int, default=50000, help="模拟工单数量（默认 50000）")
        parser.add_argument("--seed", type=int, default=430104, help="随机种子，相同种子生成相同数据")
        parser.add_argument("--reset", action="store_true", help="删除已有数据并重新构建")
        parser.add_argument("--no-serve", action="store_true", help="只构建数据，不启动服务")

    def handle(self, *args, **opts):
        data_dir = Path(settings.DATA_DIR)
        data_dir.mkdir(parents=True, exist_ok=True)
        if opts["reset"]:
            self._reset()
        call_command("migrate", verbosity=0, interactive=False)
        if Area.objects.filter(level=0).exists():
            self.stdout.write(f"复用已有演示数据：{Ticket.objects.count()} 张工单（{data_dir}）。如需重建请加 --reset。")
        else:
            self._build(opts["tickets"], opts["seed"])
        self._print_accounts(opts["port"])
        if not opts["no_serve"]:
            self._serve(opts["port"])

    def _reset(self):
        db = settings.DATABASES["default"]
        if db["ENGINE"].endswith("sqlite3"):
            connection.close()
            for suffix in ("", "-wal", "-shm"):
                Path(f"{db['NAME']}{suffix}").unlink(missing_ok=True)
        else:
            call_command("flush", verbosity=0, interactive=False)
        self.stdout.write("已删除旧的演示数据。")

    def _build(self, n: int, seed: int) -> None:
        started = time.monotonic()
        self.stdout.write(f"正在构建演示区：岳麓区（430104）与 {n} 张模拟工单……")
        # One transaction: a build that is interrupted leaves nothing half-made, and the next run starts again.
        with transaction.atomic():
            build_master_data(seed)
            with tqdm(total=n, desc="模拟工单", unit="张", ncols=80) as bar:
                simulate(n, seed, progress=bar.update)
            mark_key_grids()
            run_demo_assessments()
            create_demo_selfeval()
            create_demo_whistles(seed)
            create_demo_overdue()
            open311_keys.issue(DEMO_OPEN311_CLIENT, raw=DEMO_OPEN311_KEY)
        self.stdout.write(self.style.SUCCESS(f"构建完成：{Ticket.objects.count()} 张工单，用时 {time.monotonic() - started:.0f} 秒。"))

    def _print_accounts(self, port: int):
        from gridgov.accounts.models import RoleGrant

        self.stdout.write(f"\n平台地址：http://127.0.0.1:{port}/   API 文档：http://127.0.0.1:{port}/api/v1/docs   管理后台：http://127.0.0.1:{port}/admin/")
        self.stdout.write(f"演示账号（密码均为 {DEMO_PASSWORD}）：")
        grants = RoleGrant.objects.exclude(user__username__startswith="u-").select_related("user", "area", "unit").order_by("user_id")
        for g in grants:
            self.stdout.write(f"  {g.user.username:<13} {g.get_role_display():<8} {g.user.display_name}（{g.area or g.unit}）")
        self.stdout.write("  另有每个承办单位一个经办人账号：u-<单位编码>，如 u-cgj、u-street-430104010。")
        self.stdout.write(f"Open311 接口：http://127.0.0.1:{port}/open311/v2/discovery.json   演示 api_key：{DEMO_OPEN311_KEY}\n")

    def _serve(self, port: int):
        from waitress import serve

        from gridgov.runner.worker import start_in_thread
        from gridgov.wsgi import application

        start_in_thread()  # deadline scan, notifications and digests run alongside the server (`gridgov worker` in production)
        self.stdout.write(f"服务已启动：http://127.0.0.1:{port}/  （Ctrl+C 停止）")
        serve(application, host="127.0.0.1", port=port, threads=8, _quiet=True)
