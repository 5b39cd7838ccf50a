"""`gridgov token create|revoke|list`: API tokens for systems that call /api/v1."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from gridgov.accounts.models import ApiToken, User


class Command(BaseCommand):
    help = "管理 API 访问令牌：create 用户名 [--name 用途] | revoke 令牌ID | list 用户名"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="{create,revoke,list}")
        create = sub.add_parser("create", help="为用户创建令牌（原文只显示一次）")
        create.add_argument("username", help="用户名")
        create.add_argument("--name", default="", help="令牌用途，如“12345平台对接”")
        revoke = sub.add_parser("revoke", help="吊销令牌")
        revoke.add_argument("token_id", help="令牌ID（见 list）")
        listing = sub.add_parser("list", help="列出用户的令牌")
        listing.add_argument("username", help="用户名")

    def handle(self, *args, action, **options):
        getattr(self, f"_{action}")(**options)

    def _user(self, username: str) -> User:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"用户“{username}”不存在")
        return user

    def _create(self, *, username, name, **_):
        """Issue a token; only its hash is stored, so the raw value is printed here and never again."""
        user = self._user(username)
        if not user.is_active:
            raise CommandError(f"用户“{username}”已停用，不能创建令牌")
        token, raw = ApiToken.issue(user, name=name)
        self.stderr.write(f"已为用户“{username}”创建令牌 #{token.pk}。令牌原文只显示这一次，请妥善保存：")
        # The raw token alone on stdout, so scripts can capture it with $(gridgov token create …).
        self.stdout.write(raw)

    def _revoke(self, *, token_id, **_):
        token = ApiToken.objects.select_related("user").filter(pk=token_id).first() if str(token_id).isdigit() else None
        if token is None:
            raise CommandError(f"令牌 #{token_id} 不存在")
        if token.revoked:
            self.stdout.write(f"令牌 #{token.pk}（用户“{token.user.username}”）此前已吊销")
            return
        token.revoked = True
        token.save(update_fields=["revoked"])
        self.stdout.write(f"已吊销令牌 #{token.pk}（用户“{token.user.username}”）")

    def _list(self, *, username, **_):
        user = self._user(username)
        tokens = list(user.api_tokens.order_by("id"))
        if not tokens:
            self.stdout.write(f"用户“{username}”没有令牌")
            return
        self.stdout.write("ID\t状态\t创建时间\t最近使用\t用途")
        for t in tokens:
            used = timezone.localtime(t.last_used_at).strftime("%Y-%m-%d %H:%M") if t.last_used_at else "从未使用"
            created = timezone.localtime(t.created_at).strftime("%Y-%m-%d %H:%M")
            self.stdout.write(f"{t.pk}\t{'已吊销' if t.revoked else '有效'}\t{created}\t{used}\t{t.name}")
