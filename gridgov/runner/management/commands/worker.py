"""`gridgov worker [--once] [--loop]`: run background jobs (deadline scan, notifications, 12345 outbox, digests)."""

import signal

from django.core.management.base import BaseCommand

from gridgov.runner import queue, worker
from gridgov.runner.registry import PERIODIC


class Command(BaseCommand):
    help = "运行后台任务：超期扫描、消息推送、督办日报、12345回传等定时任务及排队任务。默认持续运行（--loop）。"

    def add_arguments(self, parser):
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument("--once", action="store_true", help="执行一轮（排入到期的定时任务并运行所有到期任务）后退出")
        mode.add_argument("--loop", action="store_true", help="持续运行，直到收到 SIGTERM/SIGINT（默认）")
        parser.add_argument("--interval", type=float, default=5.0, help="空闲时两轮之间的间隔秒数（默认 5）")
        parser.add_argument("--list", action="store_true", help="列出已登记的定时任务及是否启用，然后退出")

    def handle(self, *args, **opts):
        if opts["list"]:
            for job in PERIODIC:
                when = f"每 {job.every.total_seconds():g} 秒" if job.every else f"每天 {job.daily_at:%H:%M}（北京时间）"
                self.stdout.write(f"{job.name:<24} {when:<20} {job.func}  {'启用' if job.is_enabled() else '未启用'}")
            return
        name = queue.worker_name()
        if opts["once"]:
            counts = worker.run_once(name)
            self.stdout.write(f"本轮执行完毕：{counts or '无到期任务'}")
            return
        self._stopping = False

        def stop(signum, frame):
            # Finish the job in hand, then leave: its claim is settled rather than left to lapse.
            self._stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        self.stdout.write(f"后台任务进程 {name} 已启动（Ctrl+C 停止）")
        worker.loop(name, opts["interval"], stop=lambda: self._stopping)
        self.stdout.write("后台任务进程已停止。")
