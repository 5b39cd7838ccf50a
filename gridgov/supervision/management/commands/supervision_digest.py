"""Send today's 督办 digests (safe to run more than once a day)."""

from django.core.management.base import BaseCommand

from gridgov.supervision.jobs import send_daily_digests


class Command(BaseCommand):
    help = "向责任单位负责人发送今日督办日报（同一天重复运行不会重复发送）"

    def handle(self, *args, **options):
        self.stdout.write(f"已发送督办日报 {send_daily_digests()} 份")
