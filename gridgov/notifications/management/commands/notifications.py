"""`gridgov notifications deliver [--loop]`: send the due outbound notifications."""

import time

from django.core.management.base import BaseCommand

from gridgov.notifications.delivery import deliver_pending


class Command(BaseCommand):
    help = "消息外发：deliver 发送到期的外发记录（失败的按退避重试）"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="{deliver}")
        deliver = sub.add_parser("deliver", help="发送到期的外发记录")
        deliver.add_argument("--loop", action="store_true", help="持续运行，每隔 --interval 秒发送一次")
        deliver.add_argument("--interval", type=float, default=30, help="循环间隔秒数（默认30）")
        deliver.add_argument("--limit", type=int, default=100, help="每轮最多发送条数（默认100）")

    def handle(self, *args, action, loop, interval, limit, **options):
        while True:
            counts = deliver_pending(limit=limit)
            if counts["sent"] or counts["failed"] or counts["dead"] or not loop:
                self.stdout.write(f"已发送 {counts['sent']} 条，失败待重试 {counts['failed']} 条，放弃 {counts['dead']} 条")
            if not loop:
                return
            # A full batch means more are waiting: go again at once.
            if sum(counts.values()) < limit:
                time.sleep(interval)
