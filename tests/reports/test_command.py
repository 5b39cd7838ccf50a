"""`gridgov report`: writes the files, prints their paths, explains itself, refuses bad input in Chinese."""

import subprocess
import sys

import pytest
from django.core.management import CommandError, call_command
from docx import Document
from openpyxl import load_workbook

pytestmark = pytest.mark.django_db


def test_monthly_writes_both_files_and_prints_their_paths(month, tmp_path, capsys):
    call_command("report", "monthly", "--month", "2026-05", "--out", str(tmp_path / "out"))
    printed = capsys.readouterr().out.split()
    assert printed == [str(tmp_path / "out" / "monthly-2026-05-430104.docx"), str(tmp_path / "out" / "monthly-2026-05-430104.xlsx")]
    assert Document(printed[0]).paragraphs[0].text == "岳麓区网格化综合服务中心 2026年5月工作通报"
    assert "口径说明" in load_workbook(printed[1]).sheetnames


def test_monthly_for_an_area_in_one_format(month, tmp_path, capsys):
    call_command("report", "monthly", "--month", "2026-05", "--area", month.w.street_b.code, "--out", str(tmp_path),
                 "--format", "xlsx")
    assert capsys.readouterr().out.split() == [str(tmp_path / "monthly-2026-05-430104102.xlsx")]


def test_analysis_for_a_year(month, tmp_path, capsys):
    call_command("report", "analysis", "--period", "2026", "--out", str(tmp_path))
    paths = capsys.readouterr().out.split()
    assert [p.rsplit("/", 1)[1] for p in paths] == ["analysis-2026-430104.docx", "analysis-2026-430104.xlsx"]
    assert "全年各街道（镇）" in "\n".join(p.text for p in Document(paths[0]).paragraphs)


@pytest.mark.parametrize("args, message", [
    (["monthly", "--month", "2026-13"], "月份格式应为 YYYY-MM"),
    (["monthly", "--month", "2026"], "月份格式应为 YYYY-MM"),
    (["monthly", "--month", "2026-05", "--area", "430199"], "区域不存在：430199"),
    (["monthly", "--month", "2026-05", "--format", "pdf"], "不支持的格式：pdf"),
    (["analysis", "--period", "去年"], "无法识别的统计期"),
])
def test_bad_input_is_a_chinese_command_error(month, tmp_path, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("report", *args, "--out", str(tmp_path))
    assert not list(tmp_path.iterdir())


def test_help_lists_the_subcommands():
    out = subprocess.run([sys.executable, "-m", "gridgov", "report", "--help"], capture_output=True, text=True, check=True).stdout
    assert "monthly" in out and "analysis" in out and "月度工作通报" in out
    out = subprocess.run([sys.executable, "-m", "gridgov", "report", "monthly", "--help"], capture_output=True, text=True,
                         check=True).stdout
    assert "--month" in out and "--area" in out and "--out" in out and "--format" in out
