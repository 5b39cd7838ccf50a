"""`gridgov selfeval …`: create, copy, import, check, refresh and export 绩效自评 (performance self-evaluations)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from gridgov.core.errors import DomainError
from gridgov.selfeval import actions, checks, files, scoring, starter, store, xlsx_import
from gridgov.selfeval.document import KINDS, PROJECT
from gridgov.selfeval.models import Evaluation


class Command(BaseCommand):
    help = ("绩效自评：从模板创建（create）、复制上年（copy）、导入 .xlsx（import）、检查（check，有问题时退出码为 1）、"
            "刷新平台指标（refresh）、按数据起草报告（draft）、导出 xlsx/docx/pdf（export）、列出（list）。")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
        sub.add_parser("list", help="列出绩效自评（编号、年度、类型、单位/项目、总分、等级）")
        create = sub.add_parser("create", help="从模板创建绩效自评")
        create.add_argument("--unit", help="单位名称（--parent 时取部门自评的单位）")
        create.add_argument("--year", help="年度，如 2025（--parent 时取部门自评的年度）")
        create.add_argument("--kind", default="department", choices=list(KINDS), help="department=部门整体支出，project=项目支出")
        create.add_argument("--project", default="", help="项目名称（--kind project 时必填）")
        create.add_argument("--parent", type=int, help="所属部门整体自评的编号：在其下新建项目支出自评（须 --project）")
        create.add_argument("--template", default="grid_centre", choices=list(starter.TEMPLATES),
                            help="；".join(f"{k}={label}" for k, (label, _) in starter.TEMPLATES.items()))
        copy = sub.add_parser("copy", help="复制上年自评为新年度草稿（指标体系、目标、项目保留，数据清空）")
        copy.add_argument("id", type=int, help="要复制的自评编号")
        copy.add_argument("--year", required=True, help="新年度")
        imp = sub.add_parser("import", help="导入 gridgov 导出格式的 .xlsx（附件1-1 至 1-3）；文件有错时逐格报错且不做任何修改")
        imp.add_argument("file", help=".xlsx 文件")
        imp.add_argument("--into", type=int, help="导入到已有自评（编号）；不指定时按文件中的单位、年度、类型、项目匹配或新建")
        check = sub.add_parser("check", help="检查一项自评（编号）或一个 .xlsx 文件，逐条列出问题及位置；有问题时退出码为 1")
        check.add_argument("target", help="自评编号或 .xlsx 文件路径")
        check.add_argument("--errors-only", action="store_true", help="只列错误，不列提示")
        refresh = sub.add_parser("refresh", help="按平台数据重新计算绑定指标的实际完成值（人工修正过的除外）")
        refresh.add_argument("id", type=int)
        draft = sub.add_parser("draft", help="按数据起草自评报告正文（只填空白部分；--all 覆盖全部）")
        draft.add_argument("id", type=int)
        draft.add_argument("--all", action="store_true", help="覆盖已填写的部分")
        export = sub.add_parser("export", help="导出附件表格 .xlsx、自评报告 .docx 及其 PDF")
        export.add_argument("id", type=int)
        export.add_argument("--format", default="xlsx,docx,pdf", help="逗号分隔：xlsx、docx、pdf（默认全部）")
        export.add_argument("--out", default=".", help="输出目录（默认当前目录）")

    def handle(self, *args, **opts):
        try:
            getattr(self, f"_{opts['action']}")(opts)
        except DomainError as e:
            errors = e.details.get("errors") if e.details else None
            for err in errors or []:
                self.stderr.write(f"  {err.get('sheet', '')} {err.get('cell', '')}：{err.get('message', '')}")
            raise CommandError(e.message) from None

    def _get(self, pk: int) -> Evaluation:
        evaluation = Evaluation.objects.filter(pk=pk).first()
        if evaluation is None:
            raise CommandError(f"绩效自评 {pk} 不存在（gridgov selfeval list 查看）")
        return evaluation

    def _list(self, opts):
        w = self.stdout.write
        w(f"{'编号':<6}{'年度':<6}{'类型':<10}{'总分':>8}  等级  单位/项目")
        for ev in Evaluation.objects.select_related("parent"):
            data = store.document_of(ev, with_children=False)
            total = scoring.total_score(data)
            subject = f"{ev.unit_name} · {ev.project_name}" if ev.kind == PROJECT else ev.unit_name
            parent = f"（属 #{ev.parent_id}）" if ev.parent_id else ""
            w(f"{ev.pk:<6}{ev.year:<6}{ev.get_kind_display():<10}{total:>8}  {scoring.grade(total)}    {subject}{parent}")

    def _create(self, opts):
        if opts["parent"]:
            ev = actions.do_create_project(None, self._get(opts["parent"]), opts["project"], opts["template"])
        else:
            ev = actions.do_create(None, opts["unit"], opts["year"], opts["kind"], opts["project"], opts["template"])
        self.stdout.write(f"已创建 #{ev.pk} {ev}")

    def _copy(self, opts):
        ev = actions.do_copy(None, self._get(opts["id"]), opts["year"])
        self.stdout.write(f"已复制为 #{ev.pk} {ev}")

    def _import(self, opts):
        path = _existing(opts["file"])
        if opts["into"]:
            ev = xlsx_import.import_into(None, self._get(opts["into"]), path)
        else:
            data = xlsx_import.read(path)
            ev = Evaluation.objects.filter(unit_name=data.unit_name, year=data.year, kind=data.kind,
                                           project_name=data.project_name, parent=None).first()
            if ev is None:
                ev = actions.do_save(None, Evaluation(), data, action="selfeval.import")
            else:
                xlsx_import.import_into(None, ev, path)
        self.stdout.write(f"已导入 #{ev.pk} {ev}")

    def _check(self, opts):
        target = opts["target"]
        if target.isdigit():
            data = store.document_of(self._get(int(target)))
        else:
            data = xlsx_import.read(_existing(target))
        problems = checks.check(data)
        if opts["errors_only"]:
            problems = [p for p in problems if p.severity == checks.ERROR]
        w = self.stdout.write
        w(f"{data.title}：执行率得分 {scoring.execution_score(data) or '—'}，总分 {scoring.total_score(data)}，"
          f"等级 {scoring.grade(scoring.total_score(data))}")
        for n, p in enumerate(problems, 1):
            w(f"{n:>3}. [{'错误' if p.severity == checks.ERROR else '提示'}] {p.place}：{p.message}")
        if problems:
            errors = sum(p.severity == checks.ERROR for p in problems)
            raise CommandError(f"发现 {len(problems)} 个问题（错误 {errors} 个，提示 {len(problems) - errors} 个）",
                               returncode=1)
        w("未发现问题")

    def _refresh(self, opts):
        changed = actions.do_refresh_live(None, self._get(opts["id"]))
        self.stdout.write(f"已刷新，{changed} 项指标的实际完成值有变化")

    def _draft(self, opts):
        ev = self._get(opts["id"])
        filled = actions.do_draft_sections(None, ev, overwrite=opts["all"])
        self.stdout.write(f"已起草 {len(filled)} 个部分：{'、'.join(filled) or '无（均已填写，可用 --all 覆盖）'}")

    def _export(self, opts):
        formats = [f.strip() for f in opts["format"].split(",") if f.strip()]
        for path in files.write(self._get(opts["id"]), formats, opts["out"]):
            self.stdout.write(str(path))


def _existing(path: str) -> Path:
    p = Path(path)
    if not p.is_file():
        raise CommandError(f"文件不存在：{path}")
    return p
