"""`gridgov assess`: help, listing, a run with its table and diff, publishing, Chinese errors."""

import subprocess
import sys

import pytest
from django.core.management import CommandError, call_command

from gridgov.assessment.models import Run, RuleSet
from tests.assessment.conftest import receive


def run_command(*args, **kw) -> str:
    from io import StringIO

    out = StringIO()
    call_command("assess", *args, stdout=out, **kw)
    return out.getvalue()


def test_help_works():
    done = subprocess.run([sys.executable, "-m", "gridgov", "assess", "--help"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "--publish" in done.stdout and "统计期" in done.stdout


def test_list_and_install_defaults_are_idempotent(db):
    assert "均已存在" in run_command("--install-defaults")
    out = run_command("--list")
    assert "grid3-quarterly" in out and "零投诉社区季度奖励" in out
    assert RuleSet.objects.count() == 5


def test_run_prints_the_table_then_the_diff_and_publishes(world, one_ticket):
    out = run_command("zero-complaint-quarterly", period="2026-Q1")
    assert "零投诉社区季度奖励" in out and "2026年第一季度" in out
    assert "5000.00  桃花岭社区（430104001002）" in out
    assert "奖励合计 8000.00 元" in out
    receive(world, lon=1.5, lat=0.5)
    out = run_command("zero-complaint-quarterly", period="2026-Q1", publish=True)
    assert "1 个对象有变化" in out
    assert "桃花岭社区（430104001002）：名次 1→3，得分 100.00→90.00，档次 零投诉→有投诉，奖励 5000.00→0.00" in out
    assert "已发布" in out
    with pytest.raises(CommandError, match="已发布，不能重新计算"):
        run_command("zero-complaint-quarterly", period="2026-Q1")
    assert Run.objects.filter(state="published").count() == 1


@pytest.mark.parametrize("args, kw, message", [
    (("nope",), {"period": "2026-Q1"}, "考核规则不存在：nope"),
    (("grid3-quarterly",), {"period": "2026Q5"}, "无法识别的统计期"),
    (("grid3-quarterly",), {"period": "2026-05"}, "季度考核"),
    (("grid3-quarterly",), {}, "--period"),
    ((), {}, "请指定考核规则编码"),
])
def test_clear_chinese_errors(db, args, kw, message):
    with pytest.raises(CommandError, match=message):
        run_command(*args, **kw)
