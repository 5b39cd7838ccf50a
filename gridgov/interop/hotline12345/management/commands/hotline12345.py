"""`gridgov hotline12345 setup|collect|push|pull|status|requeue`: the city 12345 adapter's jobs."""

import signal
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, close_old_connections, transaction
from django.db.models import Count

from gridgov.accounts.models import User
from gridgov.areas.models import Area
from gridgov.core import clock
from gridgov.interop.hotline12345 import config, outbox
from gridgov.interop.hotline12345.intake import grant_intake
from gridgov.interop.hotline12345.models import CategoryMapping, OutboxMessage
from gridgov.interop.hotline12345.pull import PullError, pull
from gridgov.units.models import Category


class Command(BaseCommand):
    help = "12345 热线对接：初始化、收集回传消息、发送、拉取工单、查看状态"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        setup = sub.add_parser("setup", help="创建对接账号（系统接入角色，只能登记工单）、设置兜底分类，并从当前起收集回传事件")
        setup.add_argument("--area", help="对接账号的区域范围（区县编码），默认唯一的区县")
        setup.add_argument("--fallback", help="未对照分类的兜底事项分类编码（末级）")
        sub.add_parser("collect", help="把新的签收/回退/办结/延期申请等事件写入回传队列（可重复运行）")
        push = sub.add_parser("push", help="收集并发送回传消息；默认发完当前到期的消息后退出")
        mode = push.add_mutually_exclusive_group()
        mode.add_argument("--once", action="store_true", help="只发送一批")
        mode.add_argument("--loop", action="store_true", help="持续运行，直到收到 SIGTERM/SIGINT")
        push.add_argument("--interval", type=float, default=5.0, help="空闲时的轮询间隔（秒），默认 5")
        pl = sub.add_parser("pull", help="从市平台拉取新工单（游标保存在数据库中）")
        pl.add_argument("--loop", action="store_true", help="持续拉取")
        pl.add_argument("--interval", type=float, default=60.0, help="拉取间隔（秒），默认 60")
        pl.add_argument("--limit", type=int, default=100, help="每页条数，默认 100")
        sub.add_parser("status", help="按状态统计回传消息")
        sub.add_parser("requeue", help="把已放弃的消息重新放回发送队列")

    def handle(self, *args, **opts):
        self._stopping = False
        try:
            getattr(self, "do_" + opts["action"])(opts)
        except config.NotConfigured as exc:
            raise CommandError(exc.message) from None

    def _trap_signals(self):
        def stop(signum, frame):
            self._stopping = True
        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)

    def _sleep(self, seconds: float):
        end = time.monotonic() + seconds
        while not self._stopping and time.monotonic() < end:
            time.sleep(min(0.2, seconds))

    def do_setup(self, opts):
        cfg = config.load()
        area = Area.objects.filter(code=opts["area"]).first() if opts["area"] else None
        if area is None:
            districts = list(Area.objects.filter(level=0)[:2])
            if opts["area"] or len(districts) != 1:
                raise CommandError("请用 --area 指定对接账号的区县编码")
            area = districts[0]
        with transaction.atomic():
            user, created = User.objects.get_or_create(username=cfg.username, defaults={"display_name": "12345热线对接"})
            if created:
                user.set_unusable_password()  # a system account: it never logs in
                user.save()
            grant_intake(user, area)
            if opts["fallback"]:
                cat = Category.objects.filter(code=opts["fallback"], active=True, children__isnull=True).first()
                if cat is None:
                    raise CommandError(f"兜底分类 {opts['fallback']} 不存在或不是末级分类")
                CategoryMapping.objects.update_or_create(city_code=CategoryMapping.FALLBACK,
                                                         defaults={"category": cat, "city_name": "兜底分类", "active": True})
            start = outbox.start_from_now()
        self.stdout.write(f"对接账号 {cfg.username}（{area.name}）已就绪；回传从事件 #{start} 之后开始。")

    def do_collect(self, opts):
        self.stdout.write(f"新增回传消息 {outbox.collect()} 条。")

    def do_push(self, opts):
        cfg, worker = config.load(), outbox.worker_name()
        outbox.check_lease(cfg)  # refuse before the first batch, not in the middle of one
        if opts["loop"]:
            self._trap_signals()
        while True:
            try:
                collected = outbox.collect(cfg)
                counts = outbox.drain(cfg, worker, once=opts["once"], stop=lambda: self._stopping)
            except DatabaseError as exc:
                if not opts["loop"]:
                    raise
                # A database restart must not end the worker: its state is in the database, so it just resumes.
                self.stderr.write(f"数据库错误，稍后重试：{exc}")
                close_old_connections()
                collected, counts = 0, {}
            if collected or counts:
                self.stdout.write(f"收集 {collected} 条；发送结果：{self._describe(counts)}")
                self.stdout.flush()
            if not opts["loop"] or self._stopping:
                break
            close_old_connections()
            self._sleep(opts["interval"])

    def do_pull(self, opts):
        if opts["loop"]:
            self._trap_signals()
        while True:
            try:
                r = pull(limit=opts["limit"])
                self.stdout.write(f"拉取 {r.fetched} 条：新建 {r.created}，重复 {r.duplicates}，拒收 {r.rejected}；游标 {r.cursor or '（起点）'}")
            except (PullError, DatabaseError) as exc:
                if not opts["loop"]:
                    raise CommandError(str(exc)) from None
                self.stderr.write(str(exc))
            if not opts["loop"] or self._stopping:
                break
            close_old_connections()
            self._sleep(opts["interval"])

    def do_status(self, opts):
        rows = dict(OutboxMessage.objects.values_list("state").annotate(n=Count("id")))
        for state, label in OutboxMessage.State.choices:
            self.stdout.write(f"{label}\t{rows.get(state, 0)}")

    def do_requeue(self, opts):
        n = OutboxMessage.objects.filter(state=OutboxMessage.State.DEAD).update(
            state=OutboxMessage.State.FAILED, attempts=0, next_attempt_at=clock.now(), last_error="")
        self.stdout.write(f"已重新排队 {n} 条。")

    @staticmethod
    def _describe(counts: dict) -> str:
        labels = dict(OutboxMessage.State.choices)
        return "，".join(f"{labels[k]} {v}" for k, v in counts.items()) or "无到期消息"
