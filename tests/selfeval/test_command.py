"""`gridgov selfeval`: check prints every problem with its place and exits non-zero; create, copy, export, import."""

import subprocess
import sys
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from gridgov.selfeval import actions, store
from gridgov.selfeval.models import Evaluation
from tests.selfeval.seeds import seed000, seed001
from tests.selfeval.sound import sound_department

pytestmark = pytest.mark.django_db


def _run(*args):
    out, err = StringIO(), StringIO()
    call_command("selfeval", *args, stdout=out, stderr=err)
    return out.getvalue()


def _saved(world, data):
    return actions.do_save(world.finance, Evaluation(), data)


def test_help_works_without_a_database():
    result = subprocess.run([sys.executable, "-m", "gridgov", "selfeval", "--help"], capture_output=True, text=True)
    assert result.returncode == 0 and "check" in result.stdout and "export" in result.stdout


def test_check_prints_every_problem_with_its_place_and_fails(world):
    ev = _saved(world, seed000())
    out = StringIO()
    with pytest.raises(CommandError) as failed:
        call_command("selfeval", "check", str(ev.pk), stdout=out)
    assert failed.value.returncode == 1 and "17 个问题" in str(failed.value)
    text = out.getvalue()
    assert "部门整体支出绩效自评表 · 资金情况 · 得分：执行率得分填报为 9" in text and "= 9.84" in text
    assert text.count("[错误]") + text.count("[提示]") == 17


def test_check_of_seed001_names_the_cost_and_the_weights(world):
    ev = _saved(world, seed001())
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("selfeval", "check", str(ev.pk), "--errors-only", stdout=out)
    assert "209.32万元" in out.getvalue() and "产出指标分值合计 60" in out.getvalue()


def test_check_of_a_sound_evaluation_passes(world):
    ev = _saved(world, sound_department())
    assert "未发现问题" in _run("check", str(ev.pk))


def test_create_copy_and_list(world):
    assert "已创建" in _run("create", "--unit", "区网格化中心", "--year", "2025")
    first = Evaluation.objects.get()
    _run("create", "--unit", "区网格化中心", "--year", "2025", "--kind", "project", "--project", "热线经费",
         "--parent", str(first.pk))
    assert first.children.get().project_name == "热线经费"
    _run("copy", str(first.pk), "--year", "2026")
    listing = _run("list")
    assert "2026" in listing and "热线经费" in listing
    with pytest.raises(CommandError, match="已存在"):
        _run("copy", str(first.pk), "--year", "2026")
    with pytest.raises(CommandError, match="不存在"):
        _run("check", "9999")


def test_export_then_import_into_a_new_evaluation_round_trips(world, tmp_path):
    ev = _saved(world, seed001())
    paths = _run("export", str(ev.pk), "--format", "xlsx", "--out", str(tmp_path)).split()
    [xlsx] = [p for p in paths if p.endswith(".xlsx")]
    assert "附件1-1 基础数据表" in load_workbook(xlsx).sheetnames
    Evaluation.objects.all().delete()
    assert "已导入" in _run("import", xlsx)
    imported = Evaluation.objects.get(parent=None)
    data = store.document_of(imported)
    data.sections = seed001().sections  # the narrative lives in the report, not in the tables
    assert data == seed001()
    with pytest.raises(CommandError):
        call_command("selfeval", "check", xlsx, stdout=StringIO())


def test_import_into_an_existing_evaluation_keeps_its_report(world, tmp_path):
    ev = _saved(world, seed001())
    [xlsx] = _run("export", str(ev.pk), "--format", "xlsx", "--out", str(tmp_path)).split()
    _run("import", xlsx, "--into", str(ev.pk))
    assert store.document_of(ev) == seed001()
    _run("import", xlsx)  # matched by unit, year and kind: the same evaluation again, not a second one
    assert Evaluation.objects.filter(parent=None).count() == 1 and store.document_of(ev) == seed001()
