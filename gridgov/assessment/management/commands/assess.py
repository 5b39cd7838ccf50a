"""`gridgov assess RULESET --period 2026-Q2 [--publish]`: compute an assessment run and print its ranking and diff."""

from django.core.management.base import BaseCommand, CommandError

from gridgov.assessment import defaults, runs
from gridgov.assessment.models import Run, RuleSet
from gridgov.core import clock
from gridgov.core.errors import DomainError

FIELD_NAMES = {"score": "得分", "klass": "档次", "award": "奖励", "deduction": "扣分"}


class Command(BaseCommand):
    help = ("计算一项考核（规则编码 + 统计期），打印排名、档次、奖励以及与上次计算的差异；"
            "--publish 同时发布（发布后结果冻结，不能再修改或重算）。")

    def add_arguments(self, parser):
        parser.add_argument("rule_set", nargs="?", metavar="RULESET_CODE", help="考核规则编码，如 grid3-quarterly")
        parser.add_argument("--period", help="统计期：2026-05（月）、2026-Q2（季度）、2026（年）")
        parser.add_argument("--publish", action="store_true", help="计算后立即发布（冻结结果）")
        parser.add_argument("--list", action="store_true", help="列出考核规则及已有的计算")
        parser.add_argument("--install-defaults", action="store_true",
                            help="安装默认考核规则（网格长月度考核、三级/四级网格季度评定、零投诉社区季度奖励、区直部门月度考核）")
        parser.add_argument("--top", type=int, default=50, help="打印前多少名（默认50，0 表示全部）")

    def handle(self, *args, **opts):
        try:
            if opts["install_defaults"]:
                created = defaults.install(RuleSet)
                self.stdout.write(f"已安装 {len(created)} 项默认考核规则" + (
                    "：" + "、".join(r.name for r in created) if created else "（均已存在）"))
                if not opts["rule_set"]:
                    return
            if opts["list"]:
                self._list(opts["rule_set"])
                return
            if not opts["rule_set"]:
                raise CommandError("请指定考核规则编码（gridgov assess --list 查看可用规则）")
            if not opts["period"]:
                raise CommandError("请用 --period 指定统计期，如 --period 2026-Q2")
            run = runs.do_assess(None, opts["rule_set"], opts["period"], publish=opts["publish"])
        except DomainError as e:
            raise CommandError(e.message) from None
        self._print_run(run, opts["top"])

    def _list(self, code: str | None) -> None:
        rule_sets = RuleSet.objects.all()
        if code:
            rule_sets = rule_sets.filter(code=code)
        w = self.stdout.write
        w(f"{'规则编码':<28}{'版本':<6}{'考核对象':<10}{'启用':<6}名称")
        for r in rule_sets:
            w(f"{r.code:<30}{r.version:<8}{r.get_object_kind_display():<10}{'是' if r.active else '否':<6}{r.name}")
            for run in Run.objects.filter(rule_set=r).exclude(state=Run.State.SUPERSEDED).order_by("-period_start")[:12]:
                w(f"    #{run.pk} {run.period_slug} {run.get_state_display()} 计算于 {clock.localtime(run.computed_at):%Y-%m-%d %H:%M}")

    def _print_run(self, run: Run, top: int) -> None:
        w = self.stdout.write
        summary = run.summary
        w(f"{run.rule_set.name}（{run.rule_code} v{run.rule_set.version}）· {run.inputs['period']['label']} · "
          f"计算 #{run.pk} · {run.get_state_display()}")
        for line in summary.get("rules", []):
            w(f"  规则：{line}")
        counts = "，".join(f"{k or '未分档'} {v}" for k, v in summary.get("class_counts", {}).items())
        w(f"参评对象 {summary.get('objects', 0)} 个；{counts}；奖励合计 {summary.get('total_award', '0.00')} 元")
        w(f"{'名次':>4}  {'得分':>7}  {'档次':<6}{'奖励(元)':>10}  对象")
        results = run.results.order_by("rank")
        for r in (results[:top] if top else results):
            w(f"{r.rank:>4}  {r.score:>7}  {r.klass:<6}{r.award:>10}  {r.label}（{r.object_key}）")
        if top and run.results.count() > top:
            w(f"  …… 共 {run.results.count()} 个对象，仅列前 {top} 名（--top 0 显示全部）")
        if run.supersedes_id:
            w(f"与上次计算 #{run.supersedes_id} 相比：" + ("无变化" if not run.diff else f"{len(run.diff)} 个对象有变化"))
            for c in run.diff:
                w("  " + describe_change(c))
        w(f"输入摘要 {run.inputs_digest[:16]}… 结果摘要 {run.results_digest[:16]}…")
        if run.is_published:
            w(f"已发布（{clock.localtime(run.published_at):%Y-%m-%d %H:%M}），结果已冻结")


def describe_change(c: dict) -> str:
    """One line of a diff in Chinese."""
    if c["change"] == "added":
        return f"新增 {c['label']}（{c['key']}）：第{c['new_rank']}名"
    if c["change"] == "removed":
        return f"移除 {c['label']}（{c['key']}）：原第{c['old_rank']}名"
    fields = "，".join(f"{FIELD_NAMES[f]} {old}→{new}" for f, (old, new) in c["fields"].items())
    return f"{c['label']}（{c['key']}）：名次 {c['old_rank']}→{c['new_rank']}，{fields}"
