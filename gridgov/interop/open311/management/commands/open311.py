"""`gridgov open311 key create|list|revoke`: api_keys of the applications that post Open311 requests."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from gridgov.core.errors import DomainError
from gridgov.interop.open311 import keys
from gridgov.interop.open311.models import Client


class Command(BaseCommand):
    help = "管理 Open311 接入应用的 API 密钥：key create 应用名称 | key list | key revoke 应用名称"

    def add_arguments(self, parser):
        resources = parser.add_subparsers(dest="resource", required=True, metavar="{key}")
        key = resources.add_parser("key", help="API 密钥")
        actions = key.add_subparsers(dest="action", required=True, metavar="{create,list,revoke}")
        actions.add_parser("create", help="为应用签发密钥（原文只显示一次）").add_argument("name", help="应用名称")
        actions.add_parser("list", help="列出接入应用")
        actions.add_parser("revoke", help="吊销应用的密钥").add_argument("name", help="应用名称")

    def handle(self, *args, resource, action, **options):
        try:
            getattr(self, f"_{action}")(**options)
        except DomainError as error:
            raise CommandError(error.message) from None

    def _create(self, *, name, **_):
        """Issue a key; only its hash is stored, so the raw value is printed here and never again."""
        client, raw = keys.issue(name)
        self.stderr.write(f"已为应用“{client.name}”签发 API 密钥（系统用户 {client.user.username}，区县范围受理）。"
                          "密钥原文只显示这一次，请妥善保存：")
        # The raw key alone on stdout, so scripts can capture it with $(gridgov open311 key create …).
        self.stdout.write(raw)

    def _list(self, **_):
        clients = list(Client.objects.select_related("user").order_by("name"))
        if not clients:
            self.stdout.write("还没有接入应用")
            return
        self.stdout.write("应用名称\t状态\t系统用户\t创建时间\t最近使用")
        for c in clients:
            used = timezone.localtime(c.last_used_at).strftime("%Y-%m-%d %H:%M") if c.last_used_at else "从未使用"
            created = timezone.localtime(c.created_at).strftime("%Y-%m-%d %H:%M")
            self.stdout.write(f"{c.name}\t{'已吊销' if c.revoked else '有效'}\t{c.user.username}\t{created}\t{used}")

    def _revoke(self, *, name, **_):
        client = keys.revoke(name)
        self.stdout.write(f"已吊销应用“{client.name}”的 API 密钥")
